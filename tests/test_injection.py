"""Script injection: whatever a user puts in a text field, or in a file they import, comes out as
text, never as markup that runs. Every text field of every model is filled with attack strings
(a new field is covered without being named here) and every page, export and admin page that
could show it is read with an HTML parser."""

from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse

from kpis import services as kpi_services
from kpis.models import ImportBatch
from plans.models import Committee, Guidepost, Initiative, StatusNarrative
from tests.test_access import FIGURE_PAGES, page_args, urls, world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

ATTACK = (
    '"><script>alert(1)</script><img src=x onerror=alert(1)>'
    '<a href="javascript:alert(1)">a</a> [b](javascript:alert(1)) <svg onload=alert(1)>'
)
# Shorter fields get the attack's start: the tag-opening characters are what matters there.
SHORT_ATTACK = '"><svg onload=alert(1)>'
# In a file a leading quote would start a quoted CSV field and move the columns about; the
# attack without it keeps each cell where it is.
FILE_ATTACK = ATTACK.lstrip('"')

# Fields that are not free text: where users write, what they write is checked against a list
# (choices) or a pattern (slugs), and the forms refuse anything else.
NOT_FREE_TEXT = (models.SlugField,)


class Executable(HTMLParser):
    """Collects what would run in a browser: inline scripts, on… handlers, javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action", "formaction", "xlink:href"} and (
                (value or "").strip().lower().startswith("javascript:")
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and not dict(attrs).get("src"):
            self._in_script = dict(attrs).get("type") != "application/json"  # json_script data

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:80]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def executable(html: str) -> list[str]:
    parser = Executable()
    parser.feed(html)
    return parser.found


def text_fields():
    """(model, field) for every free-text field of the portal's own models."""
    for app in ("kpis", "plans"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.concrete_fields:
                if (
                    isinstance(field, models.CharField | models.TextField)
                    and not isinstance(field, NOT_FREE_TEXT)
                    and not field.choices
                ):
                    yield model, field


def poison_everything():
    """Every free-text field of every row holds an attack, as far as the column allows."""
    filled = []
    for model, field in text_fields():
        limit = field.max_length or len(ATTACK) + 10
        for pk in model.objects.values_list("pk", flat=True):
            tail = str(pk)  # unique names and codes stay unique
            room = limit - len(tail)
            attack = (ATTACK if room >= len(ATTACK) else SHORT_ATTACK[:room]) + tail
            model.objects.filter(pk=pk).update(**{field.name: attack})
            filled.append(f"{model.__name__}.{field.name}")
    Initiative.objects.update(key_facts=[ATTACK, SHORT_ATTACK])
    return filled


@pytest.fixture
def poisoned(world, client):  # noqa: F811
    pages, personas = world
    plan, theme, draft, _approved = pages["private"]
    for a_plan, a_theme, _draft, _approved in pages.values():
        Guidepost.objects.create(focus_area=a_theme, text="Vi vil")
        Initiative.objects.create(focus_area=a_theme, title="Case", body="Tekst")
        a_plan.committee = Committee.objects.create(municipality=a_plan.municipality, name="BEU")
        a_plan.save()
    StatusNarrative.objects.create(
        target=plan.targets.get(), round=draft, text="I gang", author=personas["superuser"]
    )
    batch = kpi_services.import_upload(
        user=personas["superuser"], filename="tal.csv",
        content="indikator;område;periode;værdi\nunge;Ringsted;2023;1\n".encode(),
    )  # fmt: skip
    kpi_services.import_read(batch_id=batch.pk)
    filled = poison_everything()
    client.force_login(personas["superuser"])
    return pages, batch, filled


def every_page(pages, batch):
    for side in ("public", "private"):
        for which_round in ("approved", "draft"):
            for name, url in urls(pages, side, which_round).items():
                if not name.endswith("_pdf"):  # a PDF runs no scripts
                    yield url
    for name in FIGURE_PAGES:
        if name not in {"import_commit", "import_status", "import_template"}:
            yield reverse(f"plans:{name}", args=page_args(name, pages, batch))


def test_the_attacks_reach_every_kind_of_text_the_pages_show(poisoned):
    _pages, _batch, filled = poisoned
    for shown in ("Plan.title", "FocusArea.title", "Guidepost.text", "Initiative.body",
                  "Target.wording", "Indicator.name", "StatusNarrative.text", "Area.name",
                  "Committee.name", "ReportingRound.name", "Measurement.source"):  # fmt: skip
        assert shown in filled


def test_no_page_runs_what_users_wrote(poisoned, client):
    pages, batch, _filled = poisoned
    problems = []
    for url in every_page(pages, batch):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        html = response.content.decode()
        problems += [f"{url}: {found}" for found in executable(html)]
        assert "alert(1)" in html or url.endswith(("/new/", "/figures/import/")), url
    assert not problems, "\n".join(problems)


def test_no_admin_page_runs_what_users_wrote(poisoned, client):
    problems = []
    for model in list(admin.site._registry):
        if model._meta.app_label not in {"kpis", "plans"}:
            continue
        info = model._meta.app_label, model._meta.model_name
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        first = model.objects.first()
        targets = [changelist]
        if first is not None:
            targets.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
        for url in targets:
            response = client.get(url)
            assert response.status_code == 200, url
            problems += [f"{url}: {found}" for found in executable(response.content.decode())]
    assert not problems, "\n".join(problems)


def test_exports_carry_the_text_as_text(poisoned, client):
    pages, _batch, _filled = poisoned
    plan = pages["private"][0]
    csv = client.get(reverse("plans:plan", args=[plan.key]), {"export": "csv", "table": "targets"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "<script>alert(1)</script>" in csv.content.decode("utf-8-sig")  # as text, in a file


def test_an_imported_file_full_of_attacks_is_refused_and_shown_as_text(world, client):  # noqa: F811
    _pages, personas = world
    client.force_login(personas["superuser"])
    content = (
        f"indikator;område;periode;værdi;{FILE_ATTACK[:20]}\n"
        f"{FILE_ATTACK};Ringsted;2023M01;1;x\n"
        f"unge;{FILE_ATTACK};2023M01;1;x\n"
        f"unge;Ringsted;{FILE_ATTACK};1;x\n"
        f"unge;Ringsted;2023M02;{FILE_ATTACK};x\n"
    ).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(f"{SHORT_ATTACK}.csv", content, content_type="text/csv")
    response = client.post(reverse("plans:import_upload"), {"file": upload}, follow=True)
    assert response.status_code == 200
    batch = ImportBatch.objects.latest("pk")
    assert batch.state == ImportBatch.State.REFUSED
    assert [line for line, _reason in batch.errors] == [2, 3, 4, 5]
    html = response.content.decode()
    assert "alert(1)" in html  # the user sees what was wrong, as text
    assert not executable(html)
