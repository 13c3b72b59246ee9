"""Control and bidi characters are refused in every text field (jobcenter/text.py): a
right-to-left override (U+202E) shows a reader text other than what is stored, a bell (U+0007)
or another control character is nothing anyone means to type.

Built like tests/test_injection.py: every free-text field of the plans and kpis models is
written through the form or the API that writes it, or listed in EXCLUDED with the reason; a
new text field fails test_every_text_field_is_covered_or_excluded until it is one or the other.
The import refuses the characters in its text cells (area, indicator key, period) and in the
file's name, which becomes each figure's source note.
"""

import io
import json
from datetime import date

import pytest
from django.apps import apps
from django.db import models
from django.forms import modelform_factory
from django.urls import reverse
from rest_framework.test import APIClient

from jobcenter.text import TYPED_JSON, text_problem
from kpis import importers
from kpis.importers import ImportFileError
from kpis.models import Area, ImportBatch, IndicatorSource, Measurement, SourceTable
from plans.forms import ReviseForm
from plans.models import (
    Committee,
    Guidepost,
    Initiative,
    Membership,
    Plan,
    ReportingRound,
    StatusNarrative,
    Target,
)
from plans.views.rounds import RoundForm
from tests.builders import make_theme_with_targets

pytestmark = pytest.mark.django_db

BAD = ["a\u202eb", "a\x07b"]  # a right-to-left override, a bell


def key(model, name):
    return (model._meta.app_label, model.__name__, name)


def text_fields():
    found = set()
    for app in ("plans", "kpis"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.local_fields:
                if isinstance(
                    field, models.CharField | models.TextField | models.JSONField
                ) and not (field.choices or isinstance(field, models.SlugField)):
                    found.add(key(model, field.name))
    return found


EXCLUDED = {
    ("plans", "TargetStatus", "current_period_label"): "the engine's label of a period",
    ("plans", "TargetStatus", "reasons"): "the engine's reasons, never typed",
    ("plans", "RoundResult", "current_period_label"): "a frozen copy of the engine's label",
    ("plans", "RoundResult", "reasons"): "a frozen copy of the engine's reasons",
    ("kpis", "MeasurementRevision", "old_source"): "a copy of the figure's source, checked "
    "when that was written",
    ("kpis", "Measurement", "origin_period"): "jobindsats.dk's period code, written by the "
    "connector only",
    ("kpis", "ImportBatch", "file_error"): "the importer's own message",
    ("kpis", "ImportBatch", "errors"): "the importer's own messages",
    ("kpis", "ImportBatch", "rows"): "the clean rows: ids, period codes and numbers",
    ("kpis", "ImportBatch", "counts"): "numbers",
    ("kpis", "ImportBatch", "allowed_area_ids"): "numbers",
    ("kpis", "SourceTable", "last_error"): "the connector's own message",
    ("plans", "Invitation", "email"): "an e-mail address: EmailValidator admits no such character",
    ("plans", "Invitation", "token_hash"): "a hash the portal makes",
    ("plans", "ApiToken", "key_hash"): "a hash the portal makes",
    ("plans", "ApiToken", "prefix"): "the first characters of a key the portal makes",
    ("plans", "MemberEvent", "subject_email"): "a copy of a user's e-mail address",
}

# Written through the API (PATCH of the row, as a municipality's administrator would).
API = {
    "Plan": ("title", "approved_by", "summary"),
    "FocusArea": ("number", "title", "intro"),
    "Guidepost": ("text",),
    "Initiative": ("title", "body", "key_facts"),
    "Indicator": ("name", "description", "data_source"),
    "Target": ("code", "title", "wording"),
}
# Edited in the admin (and the portal's ModelForms, for a target's source): the model's
# ModelForm, whose validation is the model's.
ADMIN = {
    Plan: ("source",),
    Target: ("baseline_source", "source"),
    Committee: ("name", "short_name"),
    Area: ("name", "code"),
    SourceTable: ("table_id", "name"),
    IndicatorSource: ("measure", "filters"),
}
OTHER = {
    ("plans", "ReportingRound", "name"): "test_a_round_name_is_refused",
    ("plans", "TargetRevision", "reason"): "test_a_revision_reason_is_refused",
    ("plans", "StatusNarrative", "text"): "test_a_narrative_is_refused_on_the_page_and_the_api",
    ("kpis", "Measurement", "source"): "test_the_bulk_api_refuses_a_source_or_a_period",
    ("kpis", "ImportBatch", "filename"): "test_the_import_refuses_a_file_name_or_value_column",
    ("kpis", "ImportBatch", "value_column"): "test_the_import_refuses_a_file_name_or_value_column",
    ("plans", "ApiToken", "name"): "test_a_token_name_is_refused",
}
API_KEYS = {("kpis" if m == "Indicator" else "plans", m, f) for m, fs in API.items() for f in fs}
ADMIN_KEYS = {key(m, f) for m, fs in ADMIN.items() for f in fs}


def test_every_text_field_is_covered_or_excluded():
    found = text_fields()
    covered = API_KEYS | ADMIN_KEYS | set(OTHER)
    assert not (set(EXCLUDED) - found), set(EXCLUDED) - found
    assert not (covered - found), f"covered but not a text field: {covered - found}"
    assert found - set(EXCLUDED) == covered, (
        f"new text fields, test them or exclude them: {found - set(EXCLUDED) - covered}"
    )


def test_the_message_names_the_character_in_danish():
    assert text_problem("a\u202eb") == (
        "Teksten indeholder et usynligt styretegn (U+202E); fjern det."
    )
    assert "U+0007" in text_problem("a\x07b", multiline=True)
    assert "U+2066" in text_problem("\u2066x")
    assert "U+0085" in text_problem("x\x85")  # C1
    assert "U+000A" in text_problem("two\nlines")  # not in a single-line field
    assert text_problem("two\r\nlines\tand a tab", multiline=True) is None
    assert text_problem("Æblegård 12,5 % – ok \u200f\u200e") is None  # marks are allowed


@pytest.fixture
def world(db, member):
    plan, theme = make_theme_with_targets(1)
    target = Target.objects.get(plan=plan)
    Committee.objects.create(municipality=plan.municipality, name="Udvalget")
    table = SourceTable.objects.create(table_id="y01a")
    IndicatorSource.objects.create(indicator=target.indicator, table=table, measure="Antal",
                                   period_kind="month")  # fmt: skip
    reporting_round = ReportingRound.objects.create(
        plan=plan, name="Afrapportering", cut_off=date(2023, 12, 31), deadline=date(2024, 1, 31)
    )
    chef = member(plan.municipality, Membership.Role.ADMIN, username="chef")
    analyst = member(plan.municipality, Membership.Role.ANALYST, username="analytiker")
    return {"plan": plan, "theme": theme, "target": target, "round": reporting_round,
            "chef": chef, "analyst": analyst}  # fmt: skip


def api_url(world, model_name):
    plan, theme, target = world["plan"], world["theme"], world["target"]
    return {
        "Plan": f"/api/plans/{plan.key}/",
        "FocusArea": f"/api/focus-areas/{theme.pk}/",
        "Guidepost": f"/api/guideposts/{Guidepost.objects.get(focus_area=theme).pk}/",
        "Initiative": f"/api/initiatives/{Initiative.objects.get(focus_area=theme).pk}/",
        "Indicator": f"/api/indicators/{target.indicator.key}/",
        "Target": f"/api/targets/{target.key}/",
    }[model_name]


def api_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("bad", BAD, ids=["rlo", "bell"])
@pytest.mark.parametrize("field", sorted(API_KEYS), ids=lambda k: f"{k[1]}.{k[2]}")
def test_the_api_refuses_it_in_every_text_field(field, bad, world, admin_user):
    _app, model_name, name = field
    value = [bad] if name == "key_facts" else bad
    client = api_client(admin_user)
    url = api_url(world, model_name)
    before = client.get(url).json()[name]
    response = client.patch(url, {name: value}, format="json")
    assert response.status_code == 400, response.content
    details = json.dumps(response.json()["error"]["details"], ensure_ascii=False)
    assert "usynligt styretegn" in details and name in details
    assert client.get(url).json()[name] == before


@pytest.mark.parametrize("bad", BAD, ids=["rlo", "bell"])
@pytest.mark.parametrize("field", sorted(ADMIN_KEYS), ids=lambda k: f"{k[1]}.{k[2]}")
def test_the_admin_form_refuses_it_in_every_text_field(field, bad, world):
    app, model_name, name = field
    model = apps.get_model(app, model_name)
    form_class = modelform_factory(model, fields=[name])
    value = json.dumps({"Alder": bad}) if name == "filters" else bad
    form = form_class(data={name: value}, instance=model.objects.first())
    assert not form.is_valid()
    assert "usynligt styretegn" in str(form.errors[name])


@pytest.mark.parametrize("bad", BAD, ids=["rlo", "bell"])
def test_a_round_name_is_refused(bad, world):
    form = RoundForm(data={"name": bad, "cut_off": "2024-12-31"},
                     instance=ReportingRound(plan=world["plan"]))  # fmt: skip
    assert not form.is_valid() and "usynligt styretegn" in str(form.errors["name"])


@pytest.mark.parametrize("bad", BAD, ids=["rlo", "bell"])
def test_a_revision_reason_is_refused(bad, world, client):
    plan, target = world["plan"], world["target"]
    client.force_login(world["chef"])
    url = reverse("plans:target_revise", args=[plan.key, target.key])
    response = client.post(url, {"effective": "2023-09-01", "target_value": "10", "reason": bad})
    assert "usynligt styretegn" in response.content.decode()
    assert not target.revisions.filter(reason=bad).exists()
    assert not ReviseForm(data={"effective": "2023-09-01", "target_value": "10", "reason": bad},
                          target=target).is_valid()  # fmt: skip


@pytest.mark.parametrize("bad", BAD, ids=["rlo", "bell"])
def test_a_token_name_is_refused(bad, world, client):
    client.force_login(world["analyst"])
    response = client.post(reverse("plans:tokens"), {"name": bad})
    assert response.status_code == 400
    assert "usynligt styretegn" in response.content.decode()
    assert not world["analyst"].api_tokens.exists()


@pytest.mark.parametrize("bad", BAD, ids=["rlo", "bell"])
def test_a_narrative_is_refused_on_the_page_and_the_api(bad, world, client):
    plan, target, reporting_round = world["plan"], world["target"], world["round"]
    client.force_login(world["analyst"])
    url = reverse("plans:round_work", args=[plan.key, reporting_round.pk])
    response = client.post(url, {f"n-{target.pk}": f"Linje et\r\n{bad}", "action": "save"})
    assert response.status_code == 400
    assert "usynligt styretegn" in response.content.decode()
    answer = api_client(world["analyst"]).post(
        "/api/narratives/",
        {"target": target.pk, "round": reporting_round.pk, "text": bad},
        format="json",
    )
    assert answer.status_code == 400 and "usynligt styretegn" in answer.content.decode()
    assert not StatusNarrative.objects.exists()
    # Lines and tabs are what a narrative is made of.
    client.post(url, {f"n-{target.pk}": "Linje et\r\n\tLinje to", "action": "save"})
    assert StatusNarrative.objects.get().text == "Linje et\r\n\tLinje to"


@pytest.mark.parametrize("bad", BAD, ids=["rlo", "bell"])
def test_the_bulk_api_refuses_a_source_or_a_period(bad, world):
    client = api_client(world["analyst"])
    row = {"indicator": world["target"].indicator.key, "area": world["plan"].municipality.slug,
           "period": "2023M07", "value": "12.5"}  # fmt: skip
    before = Measurement.objects.count()
    for bad_row in ({**row, "source": bad}, {**row, "period": "2023M07" + bad}):
        response = client.post("/api/measurements/bulk/", [bad_row], format="json")
        assert response.status_code == 400
        assert "usynligt styretegn" in response.content.decode()
    assert Measurement.objects.count() == before
    assert client.post("/api/measurements/bulk/", [row], format="json").status_code == 200


def upload(client, content, name="tal.csv", **fields):
    file = io.BytesIO(content.encode("utf-8"))
    file.name = name
    response = client.post(reverse("plans:import_upload"), {"file": file, **fields}, follow=True)
    return response.content.decode()


@pytest.mark.parametrize("bad", BAD, ids=["rlo", "bell"])
def test_the_import_refuses_it_in_a_cell(bad, world, client):
    client.force_login(world["analyst"])
    indicator = world["target"].indicator
    before = Measurement.objects.count()
    files = [
        f"Område;Periode;Andel\nGuldborgsund{bad};2023M07;12,5\n",
        f"Område;Periode;Andel\nGuldborgsund;2023M07{bad};12,5\n",
        f"indikator;område;periode;værdi\n{indicator.key}{bad};Guldborgsund;2023M07;12,5\n",
    ]
    for content in files:
        page = upload(client, content, indicator=indicator.pk)
        assert "Filen blev afvist" in page, content
        assert "usynligt styretegn" in page, content
    assert Measurement.objects.count() == before


@pytest.mark.parametrize("bad", BAD, ids=["rlo", "bell"])
def test_the_import_refuses_a_file_name_or_value_column(bad, world, client):
    """The file's name is each figure's source note ("Import: fil.csv, linje 2"). Django drops
    non-printable characters from an uploaded file's name; the command line's import_figures
    and the worker read the name through kpis.importers, which refuses them."""
    client.force_login(world["analyst"])
    indicator = world["target"].indicator
    content = "Område;Periode;Andel\nGuldborgsund;2023M07;12,5\n"
    page = upload(client, content, indicator=indicator.pk, value_column=f"Andel{bad}")
    assert "usynligt styretegn" in page
    assert not ImportBatch.objects.exists()
    upload(client, content, name=f"tal{bad}vsc.csv", indicator=indicator.pk)
    assert not ImportBatch.objects.filter(filename__contains=bad[1]).exists()
    with pytest.raises(ImportFileError, match=r"usynligt styretegn \(U\+"):
        importers.parse(content.encode(), f"tal{bad}vsc.csv", indicator=indicator)


def test_every_typed_json_field_exists():
    for app, model_name, name in TYPED_JSON:
        assert isinstance(apps.get_model(app, model_name)._meta.get_field(name), models.JSONField)
