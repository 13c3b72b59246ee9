"""Script injection: whatever a user types into a text field, a file or the API comes back as
text, never as markup a browser would run.

Every CharField, TextField and JSONField of the plans and kpis models is either filled with the
payloads below and looked for on every page, report, export and API answer, or listed in
EXCLUDED with the reason; a new text field fails test_every_text_field_is_covered until it is
one or the other. Pages are parsed (html.parser), not searched as strings: a test fails on a
<script> that is not the portal's own file or JSON data, an on…= attribute, a javascript: URL,
or an element that embeds or redirects (iframe, object, embed, base, meta refresh).
"""

import csv
import io
from datetime import date
from html.parser import HTMLParser

import openpyxl
import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from kpis.models import Area, Indicator, Measurement, MeasurementRevision
from plans import services
from plans.models import (
    Committee,
    FocusArea,
    Guidepost,
    Initiative,
    Plan,
    ReportingRound,
    StatusNarrative,
    Target,
    TargetRevision,
)
from tests.builders import record

# One string with every trick, longest first; a short field gets the longest that fits.
PAYLOADS = [
    'INJ"><svg onload=alert(1)> <script>alert(1)</script> <img src=x onerror=alert(1)> '
    "[klik](javascript:alert(1)) <a href=\"javascript:alert(1)\">a</a> ' onmouseover='alert(1)",
    'INJ"><svg onload=alert(1)>',
    "<svg onload=x>",
    '"><script>',
]
MARKER = "INJ"  # what survives sanitising in a Markdown field, to prove the field was shown

# Markdown fields are rendered through markdown + nh3: the payload's markup is removed, so only
# the marker is looked for. Every other field must come back as the exact text typed.
MARKDOWN = {
    (Plan, "summary"),
    (FocusArea, "intro"),
    (Guidepost, "text"),
    (Initiative, "body"),
    (StatusNarrative, "text"),
}
EXCLUDED = {
    ("plans", "TargetStatus", "current_period_label"): "written by the status engine from a "
    "period's own label, never typed",
    ("plans", "TargetStatus", "reasons"): "written by the status engine, never typed",
    ("plans", "RoundResult", "current_period_label"): "a frozen copy of the engine's label",
    ("plans", "RoundResult", "reasons"): "a frozen copy of the engine's reasons",
    ("kpis", "ImportBatch", "filename"): "the uploaded file's name: test_an_imported_file_*",
    ("kpis", "ImportBatch", "value_column"): "typed on the import form: test_an_imported_file_*",
    ("kpis", "ImportBatch", "errors"): "the importer's messages on a file's cells: "
    "test_an_imported_file_*",
    ("kpis", "ImportBatch", "file_error"): "the importer's message on a file: "
    "test_an_imported_file_*",
    ("kpis", "ImportBatch", "rows"): "the file's rows, shown in the preview: "
    "test_a_payload_that_is_an_areas_name_is_text_in_the_import_preview",
    ("kpis", "ImportBatch", "allowed_area_ids"): "numbers, never shown",
    ("kpis", "ImportBatch", "counts"): "numbers, never shown",
    ("kpis", "SourceTable", "table_id"): "a jobindsats.dk table id, curated by superusers",
    ("kpis", "SourceTable", "name"): "the table's name as jobindsats.dk gives it",
    ("kpis", "SourceTable", "last_error"): "the connector's own message",
    ("kpis", "IndicatorSource", "measure"): "a measure's name, curated by superusers",
    ("kpis", "IndicatorSource", "filters"): "dimension values, curated by superusers",
    # The members' pages show a user's name and address, an invitation's address and a
    # token's name: tests/test_members.py::test_payloads_on_the_members_page_are_text.
    ("plans", "Invitation", "email"): "test_members.py::test_payloads_on_the_members_page_*",
    ("plans", "MemberEvent", "subject_email"): "an invitation's address, as above",
    ("plans", "ApiToken", "name"): "test_members.py::test_payloads_on_the_members_page_*",
    ("plans", "ApiToken", "key_hash"): "a SHA-256 in hex, never typed",
    ("plans", "ApiToken", "prefix"): "the first characters of a generated key, never typed",
    ("plans", "Invitation", "token_hash"): "a SHA-256 in hex, never typed or shown",
}


def key(model, name):
    return (model._meta.app_label, model.__name__, name)


def text_fields():
    """(app, model, field) of every free-text field a user could fill, from the models."""
    found = set()
    for app in ("plans", "kpis"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):  # django-simple-history's copies
                continue
            for field in model._meta.get_fields():
                free_text = isinstance(field, models.CharField | models.TextField)
                if (free_text or isinstance(field, models.JSONField)) and not (
                    field.choices or isinstance(field, models.SlugField)
                ):
                    found.add(key(model, field.name))
    return found


EXCLUDED_KEYS = set(EXCLUDED)
MARKDOWN_KEYS = {key(model, name) for model, name in MARKDOWN}


def payload_for(field):
    limit = getattr(field, "max_length", None) or 10_000
    return next(p for p in PAYLOADS if len(p) <= limit)


# ---------------------------------------------------------------------------- the checker


class Page(HTMLParser):
    """What a browser would run on a page, and every text and attribute value on it."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}
    EMBEDDING = {"iframe", "object", "embed", "base", "frame", "frameset"}

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.executable = []
        self.texts = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            src = attributes.get("src") or ""
            own_file = src.startswith("/") and not src.startswith("//")  # e.g. /admin/jsi18n/
            data = attributes.get("type") == "application/json"
            if not (own_file or data):
                self.executable.append(f"<script {attrs}>")
        if tag in self.EMBEDDING:
            self.executable.append(f"<{tag} {attrs}>")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.executable.append(f"<meta refresh {attrs}>")
        for name, value in attrs:
            value = value or ""
            self.texts.append(value)
            if name.startswith("on"):
                self.executable.append(f"<{tag} {name}={value!r}>")
            scheme = "".join(value.split()).lower()
            if name in self.URL_ATTRIBUTES and scheme.startswith(("javascript:", "vbscript:")):
                self.executable.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.texts.append(data)

    def shows(self, text):
        return any(text in piece for piece in self.texts)


def check_html(html, where):
    page = Page(html)
    assert not page.executable, f"{where}: {page.executable}"
    return page


# ---------------------------------------------------------------------------- the pages


@pytest.fixture
def world(theme_world):
    """A plan with a committee, a theme with a guidepost and an initiative, a target with a
    revision and figures, a submitted round with a narrative, and a superuser to see it all."""
    plan, theme = theme_world(1)
    committee = Committee.objects.create(municipality=plan.municipality, name="Udvalget")
    Plan.objects.filter(pk=plan.pk).update(
        committee=committee, approval_state="approved", summary="Planen", source="Byrådet"
    )
    target = Target.objects.get(plan=plan)
    reporting_round = ReportingRound.objects.create(
        plan=plan, name="Afrapportering", cut_off=date(2023, 12, 31), deadline=date(2024, 1, 15)
    )
    StatusNarrative.objects.create(target=target, round=reporting_round, text="Det går godt")
    Initiative.objects.filter(focus_area=theme).update(key_facts=["16 partnerskaber"])
    record(target.indicator, plan.municipality, "2023M01", "20")  # a revised figure
    revised = Measurement.objects.get(revisions__isnull=False)
    return {"plan": plan, "theme": theme, "target": target, "round": reporting_round,
            "measurement": revised}  # fmt: skip


def fill(world, app, model_name, field_name, value):
    """Puts the value into that field of the world's rows, as a form, the admin or the API
    would store it (the statuses are recomputed, as after any save)."""
    model = apps.get_model(app, model_name)
    plan, target = world["plan"], world["target"]
    rows = {
        Committee: Committee.objects.filter(plans=plan),
        Plan: Plan.objects.filter(pk=plan.pk),
        FocusArea: FocusArea.objects.filter(plan=plan),
        Guidepost: Guidepost.objects.filter(focus_area__plan=plan),
        Initiative: Initiative.objects.filter(focus_area__plan=plan),
        Target: Target.objects.filter(pk=target.pk),
        TargetRevision: TargetRevision.objects.filter(target=target),
        ReportingRound: ReportingRound.objects.filter(plan=plan),
        StatusNarrative: StatusNarrative.objects.filter(target=target),
        Area: Area.objects.filter(pk=plan.municipality_id),
        Indicator: Indicator.objects.filter(pk=target.indicator_id),
        Measurement: Measurement.objects.filter(pk=world["measurement"].pk),
        MeasurementRevision: MeasurementRevision.objects.filter(measurement=world["measurement"]),
    }[model]
    if isinstance(model._meta.get_field(field_name), models.JSONField):
        value = [value]
    assert rows.update(**{field_name: value}), f"no {model_name} row to fill"
    services.all_statuses_refresh(as_of=date(2024, 1, 31))


def html_pages(client, world):
    """Every page, report and HTML view of the API that shows a definition, a figure's area, a
    round or a narrative: {name: html}."""
    plan, theme, target = world["plan"], world["theme"], world["target"]
    reporting_round = world["round"]
    urls = {
        "start": reverse("plans:start"),
        "plan": reverse("plans:plan", args=[plan.key]),
        "theme": reverse("plans:theme", args=[plan.key, theme.key]),
        "target": reverse("plans:target", args=[target.key]),
        "round": reverse("plans:round", args=[plan.key, reporting_round.pk]),
        "round work": reverse("plans:round_work", args=[plan.key, reporting_round.pk]),
        "target history": reverse("plans:target_history", args=[plan.key, target.key]),
        "target form": reverse("plans:target_edit", args=[plan.key, target.key]),
        "theme form": reverse("plans:theme_edit", args=[plan.key, theme.key]),
        "plan form": reverse("plans:plan_edit", args=[plan.key]),
        "indicators": reverse("plans:indicators"),
        "indicator": reverse("plans:indicator", args=[target.indicator.key]),
        "indicator form": reverse("plans:indicator_edit", args=[target.indicator.key]),
        "figures grid": reverse("plans:figures", args=[plan.key]) + "?kind=month&year=2023",
        "admin plan": reverse("admin:plans_plan_change", args=[plan.pk]),
        "admin target": reverse("admin:plans_target_change", args=[target.pk]),
        "admin theme": reverse("admin:plans_focusarea_change", args=[theme.pk]),
        "admin round": reverse("admin:plans_reportinground_change", args=[reporting_round.pk]),
        "admin area": reverse("admin:kpis_area_change", args=[plan.municipality_id]),
        "admin indicator": reverse("admin:kpis_indicator_change", args=[target.indicator_id]),
        "admin figures": reverse("admin:kpis_measurement_changelist"),
        "admin figure": reverse("admin:kpis_measurement_change", args=[world["measurement"].pk]),
    }
    for endpoint in ("plan", "focusarea", "guidepost", "initiative", "indicator", "target",
                     "round", "narrative", "area", "committee"):  # fmt: skip
        urls[f"API {endpoint}s (browsable)"] = reverse(f"{endpoint}-list")
    pages = {}
    for name, url in urls.items():
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, (name, url, response.status_code)
        assert response["Content-Type"].startswith("text/html"), name
        pages[name] = response.content.decode("utf-8")
    return pages


def pdf_html(client, world, monkeypatch):
    """The HTML the PDF reports are rendered from (WeasyPrint runs no script, but a PDF viewer
    is not the only reader of that HTML)."""
    captured = {}

    def keep(html):
        captured.setdefault("html", []).append(html)
        return b"%PDF-1.7"

    monkeypatch.setattr("plans.presenters.pdf.render_pdf", keep)
    plan, reporting_round = world["plan"], world["round"]
    assert client.get(reverse("plans:plan_pdf", args=[plan.key])).status_code == 200
    client.get(reverse("plans:round_pdf", args=[plan.key, reporting_round.pk]))
    return {f"PDF {i}": html for i, html in enumerate(captured["html"])}


def strings(data):
    """Every string in a JSON answer."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict | list):
        for item in data.values() if isinstance(data, dict) else data:
            yield from strings(item)


def api_json(client, world):
    """Every string of every API list a definition appears in: {endpoint: [strings]}."""
    answers = {}
    for endpoint in ("plan", "focusarea", "guidepost", "initiative", "indicator", "target",
                     "round", "narrative", "area", "committee"):  # fmt: skip
        response = client.get(reverse(f"{endpoint}-list"), HTTP_ACCEPT="application/json")
        assert response["Content-Type"] == "application/json", endpoint
        answers[endpoint] = list(strings(response.json()))
    return answers


def export_cells(client, world):
    """Every cell and header of every table's CSV and Excel download, per table."""
    plan, target = world["plan"], world["target"]
    pages = [
        (reverse("plans:plan", args=[plan.key]), ["maal"]),
        (reverse("plans:target", args=[target.key]), ["data"]),
        (reverse("plans:indicator", args=[target.indicator.key]), ["seneste"]),
    ]
    cells = {}
    for url, tables in pages:
        for table in tables:
            response = client.get(url, {"export": "csv", "table": table})
            assert response["Content-Type"].startswith("text/csv"), (url, table)
            text = response.content.decode("utf-8")
            cells[f"{url} {table}.csv"] = [
                cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
                for cell in row
            ]  # fmt: skip
            xlsx = client.get(url, {"export": "xlsx", "table": table}).content
            sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
            cells[f"{url} {table}.xlsx"] = [
                cell for row in sheet.iter_rows(values_only=True) for cell in row
            ]
    return cells


# ---------------------------------------------------------------------------- the tests


def test_every_text_field_is_covered_or_excluded():
    found = text_fields()
    covered = found - EXCLUDED_KEYS
    assert not (EXCLUDED_KEYS - found), f"excluded but not a text field: {EXCLUDED_KEYS - found}"
    assert covered == set(COVERED), (
        f"new text fields, add them to COVERED or EXCLUDED: {covered - set(COVERED)}; "
        f"no longer text fields: {set(COVERED) - covered}"
    )


COVERED = sorted(
    {
        key(model, field.name)
        for model in (
            Committee,
            Plan,
            FocusArea,
            Guidepost,
            Initiative,
            Target,
            TargetRevision,
            ReportingRound,
            StatusNarrative,
            Area,
            Indicator,
            Measurement,
            MeasurementRevision,
        )  # fmt: skip
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
        and not field.choices
        and not isinstance(field, models.SlugField)
    }
    - EXCLUDED_KEYS
)


@pytest.mark.parametrize("field", COVERED, ids=lambda k: f"{k[1]}.{k[2]}")
def test_a_payload_in_a_text_field_comes_back_as_text(field, world, admin_user, client,
                                                      monkeypatch):  # fmt: skip
    app, model_name, field_name = field
    payload = payload_for(apps.get_model(app, model_name)._meta.get_field(field_name))
    fill(world, app, model_name, field_name, payload)
    client.force_login(admin_user)
    pages = html_pages(client, world) | pdf_html(client, world, monkeypatch)
    expected = MARKER if field in MARKDOWN_KEYS else payload
    shown_on = [name for name, html in pages.items() if check_html(html, name).shows(expected)]
    assert shown_on, f"{model_name}.{field_name} is shown on no page: the test would prove nothing"
    # The API's JSON answers are served as JSON, never as a page (api_json checks the type).
    api_json(client, world)
    # A download holds the text as it was typed, never as a formula.
    for name, cells in export_cells(client, world).items():
        formulas = [c for c in cells if isinstance(c, str) and c.startswith(("=", "+", "@"))]
        assert not formulas, (name, formulas)


def test_markdown_keeps_formatting_and_links_but_drops_scripts(world, client, admin_user):
    plan = world["plan"]
    client.force_login(admin_user)
    Plan.objects.filter(pk=plan.pk).update(
        summary="**fed** [hjemmeside](https://example.dk) [ond](javascript:alert(1)) "
        "[ond2](JaVaScRiPt:alert(1)) <a href='java&#x09;script:alert(1)'>x</a> "
        "<img src=x onerror=alert(1)> <details open ontoggle=alert(1)>d</details>"
    )
    html = client.get(reverse("plans:plan", args=[plan.key])).content.decode()
    page = check_html(html, "plan")
    assert page.shows("fed") and '<a href="https://example.dk"' in html


FORMULAS = ['=HYPERLINK("http://evil.example","klik")', "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1,2)"]  # fmt: skip


@pytest.mark.parametrize("formula", FORMULAS)
def test_text_that_looks_like_a_formula_is_exported_as_text(formula, world, client, admin_user):
    """Target title, wording and the area's name (a column heading of the series table) start
    with a formula; every download holds them as text, starting with an apostrophe."""
    target = world["target"]
    Target.objects.filter(pk=target.pk).update(title=formula, wording=formula)
    Area.objects.filter(pk=world["plan"].municipality_id).update(name=formula)
    Indicator.objects.filter(pk=target.indicator_id).update(name=formula)
    client.force_login(admin_user)
    exported = export_cells(client, world)
    for name, cells in exported.items():
        texts = [c for c in cells if isinstance(c, str)]
        assert not [c for c in texts if c.startswith(("=", "+", "-", "@"))], (name, texts)
    # The area's name is a column of the series table: there, and in the plan's targets table.
    everything = [c for cells in exported.values() for c in cells]
    assert "'" + formula in everything


# A jobindsats.dk-style file, and the portal's own template, with a payload in every cell a
# user controls: the area, the period, the value, the indicator, the value column's name. A
# cell with quotes is quoted as CSV writes it; the file name has no "/" (Django keeps only the
# part after the last one).
ATTACK = '"><svg onload=alert(1)><script>alert(1)</script>'
CELL = '"' + ATTACK.replace('"', '""') + '"'
FILE_NAME = '"><svg onload=alert(1)><img src=x onerror=alert(1)>.csv'


def upload(client, content, name, **fields):
    file = io.BytesIO(("\ufeff" + content).encode("utf-8"))
    file.name = name
    response = client.post(reverse("plans:import_upload"), {"file": file, **fields}, follow=True)
    assert response.status_code == 200
    return check_html(response.content.decode(), f"import of {name}")


@pytest.mark.parametrize(
    "content",
    [
        f"Område;Periode;{CELL}\n{CELL};2023M01;5\nGuldborgsund;{CELL};5\n"
        f"Guldborgsund;2023M02;{CELL}\n",
        f"indikator;område;periode;værdi\n{CELL};Guldborgsund;2023M01;5\n"
        f"plan-indicator-0;{CELL};2023M01;5\nplan-indicator-0;Guldborgsund;2023M01;{CELL}\n",
    ],
    ids=["jobindsats", "template"],
)
def test_an_imported_file_with_payloads_is_refused_and_shown_as_text(content, world, client,
                                                                     member):  # fmt: skip
    plan = world["plan"]
    client.force_login(member(plan.municipality))
    before = Measurement.objects.count()
    page = upload(client, content, FILE_NAME, indicator=world["target"].indicator_id,
                  value_column=ATTACK)  # fmt: skip
    assert Measurement.objects.count() == before
    assert page.shows("Filen blev afvist")
    assert page.shows(FILE_NAME)
    assert page.shows(ATTACK)  # the cells, quoted in the error list, as text
    form = check_html(client.get(reverse("plans:import_upload")).content.decode(), "import form")
    assert form.shows(FILE_NAME)  # in "your recent imports"


def test_a_payload_that_is_an_areas_name_is_text_in_the_import_preview(world, client, member):
    """An area an administrator named with a payload is a known area to the importer: its name
    reaches the preview, and must still be text there."""
    plan = world["plan"]
    Area.objects.filter(pk=plan.municipality_id).update(name=ATTACK)
    client.force_login(member(plan.municipality))
    page = upload(client, f"Område;Periode;Andel\n{CELL};2023M06;12,5\n", "ok.csv",
                  indicator=world["target"].indicator_id)  # fmt: skip
    assert not page.shows("Filen blev afvist")
    assert page.shows(ATTACK)
