"""One write path and one error type: the API's definitions go through the services and the
model's validation the pages use, the application's refusals (jobcenter.errors.Refusal) are
answered alike everywhere, and API messages are the pages' translated strings: Danish by
default, English with Accept-Language: en."""

from datetime import date

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from plans.models import FocusArea, Membership, Target
from plans.services import round_approve, round_create
from tests.builders import make_country, make_indicator, make_municipality, make_plan, make_target

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(member):
    guldborgsund = make_municipality()
    make_country()
    unge = make_indicator("unge")
    plan = make_plan(guldborgsund, key="g")
    other = make_plan(guldborgsund, key="anden")
    theme = FocusArea.objects.create(plan=other, key="anden-tema", title="Andet", order=0)
    target = make_target(plan, unge, key="unge")
    admin = member(guldborgsund, Membership.Role.ADMIN, username="chef")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin).key}")
    return {"plan": plan, "theme": theme, "target": target, "client": client, "admin": admin}


def body(**fields):
    return {"plan": "g", "title": "Færre unge", "wording": "Maksimalt 1.000", "indicator": "unge",
            "kind": "threshold", "bound": "at_most", "target_value": "1000",
            "deadline": "2023-12-31", "focus_areas": [], **fields}  # fmt: skip


def test_a_focus_area_of_another_plan_is_refused_in_danish_and_nothing_is_made(world):
    answer = world["client"].post(
        "/api/targets/", body(focus_areas=[world["theme"].pk]), format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["details"]["focus_areas"] == [
        "Et måls fokusområder skal høre til målets egen plan."
    ]
    assert Target.objects.count() == 1


def test_the_same_refusal_in_english_with_accept_language(world):
    answer = world["client"].post(
        "/api/targets/",
        body(focus_areas=[world["theme"].pk]),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["details"]["focus_areas"] == [
        "A target's focus areas belong to its own plan."
    ]
    assert answer["Content-Language"] == "en"


def test_a_kind_missing_its_target_value_is_refused_with_the_models_danish_message(world):
    answer = world["client"].post("/api/targets/", body(target_value=None), format="json")
    assert answer.status_code == 400
    assert answer.json()["error"]["details"]["target_value"] == ["Denne type mål kræver et måltal."]


def test_changing_the_kind_through_the_api_resets_what_the_new_kind_does_not_use(world):
    key = world["target"].key
    answer = world["client"].patch(
        f"/api/targets/{key}/", {"kind": "milestone", "indicator": None}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    target = Target.objects.get(key=key)
    assert (target.kind, target.target_value, target.milestone_state) == (
        "milestone",
        None,
        "unreported",
    )


def test_an_approved_round_approved_again_is_a_refusal_with_its_code(world):
    reporting_round = round_create(plan=world["plan"], name="Status", cut_off=date(2023, 12, 31))
    round_approve(reporting_round=reporting_round)
    answer = world["client"].post(f"/api/rounds/{reporting_round.pk}/approve/")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "round_frozen"
    assert error["message"] == "Afrapporteringen er allerede godkendt."
    assert error["details"] == {"round": ["Afrapporteringen er allerede godkendt."]}
    english = world["client"].post(
        f"/api/rounds/{reporting_round.pk}/approve/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.json()["error"]["message"] == "The reporting round is already approved."


def test_a_page_shows_a_refusal_it_did_not_handle_as_a_message(world, client):
    reporting_round = round_create(plan=world["plan"], name="Status", cut_off=date(2023, 12, 31))
    round_approve(reporting_round=reporting_round)
    client.force_login(world["admin"])
    answer = client.post(f"/plans/g/rounds/{reporting_round.pk}/approve/", follow=True)
    assert answer.status_code == 200
    assert "Afrapporteringen er allerede godkendt." in answer.content.decode()


def test_the_pages_stay_danish_whatever_the_browser_asks(world, client):
    answer = client.get("/plans/g/", HTTP_ACCEPT_LANGUAGE="en")
    assert answer["Content-Language"] == "da"


def test_a_refused_api_request_leaves_no_new_period_behind(world):
    from kpis.models import Period

    before = Period.objects.count()
    new_period = {"baseline_period": "2018M05", "baseline_value": "1100"}
    refused = world["client"].post(
        "/api/targets/", body(target_value=None, **new_period), format="json"
    )
    assert refused.status_code == 400
    assert Period.objects.count() == before
    created = world["client"].post("/api/targets/", body(**new_period), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["baseline_period"] == "2018M05"
    assert Period.objects.count() == before + 1
