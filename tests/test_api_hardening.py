"""Bad requests to the API get a 400 with the API's error body, never a server error: nested
or oversized JSON, and changes of fields that cannot change (named, not ignored)."""

import json

import pytest
from django.test import override_settings

from plans.models import Membership, Plan, Target
from tests.builders import make_plan
from tests.test_api import with_token, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def post_raw(client, url, body: bytes):
    return client.generic("POST", url, body, content_type="application/json")


def test_a_body_nested_2000_deep_is_a_400_with_the_error_body(world):  # noqa: F811
    client = with_token(world["analyst"])
    response = post_raw(client, "/api/measurements/bulk/", b"[" * 2_000 + b"]" * 2_000)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    assert error["message"] == "JSON'en er indlejret mere end 50 niveauer."


def test_brackets_inside_strings_do_not_count_as_nesting(world):  # noqa: F811
    client = with_token(world["analyst"])
    row = {"indicator": "unge-offentlig-forsorgelse", "area": "guldborgsund",
           "period": "2023M01", "value": "1", "note": "[" * 100}  # fmt: skip
    response = post_raw(client, "/api/measurements/bulk/", json.dumps([row]).encode())
    assert response.status_code != 500
    assert "niveauer" not in response.content.decode()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1_000)
def test_a_body_over_the_size_limit_is_a_400_with_the_error_body(world):  # noqa: F811
    client = with_token(world["analyst"])
    response = post_raw(client, "/api/measurements/bulk/", b"[" + b'"x",' * 1_000 + b'"x"]')
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Forespørgslen er større end 1.000 byte."


def test_invalid_json_is_a_400_with_the_error_body(world):  # noqa: F811
    client = with_token(world["analyst"])
    response = post_raw(client, "/api/measurements/bulk/", b'[{"value": NaN}]')
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Forespørgslen er ikke gyldig JSON")


@pytest.mark.parametrize("where", ["key", "value"])
def test_a_nul_character_anywhere_in_the_body_is_a_400(world, where):  # noqa: F811
    """PostgreSQL cannot look up a text with U+0000: before this, a key "a\\u0000" in the bulk
    API's indicator field was a server error there (found by Schemathesis in CI)."""
    client = with_token(world["analyst"])
    row = {"indicator": "unge-offentlig-forsorgelse", "area": "guldborgsund",
           "period": "2023M01", "value": "1"}  # fmt: skip
    if where == "key":
        row["x\x00"] = 1
    else:
        row["indicator"] = "unge\x00"
    response = post_raw(client, "/api/measurements/bulk/", json.dumps([row]).encode())
    assert response.status_code == 400
    assert response.json()["error"]["message"] == ("Forespørgslen indeholder et NUL-tegn (U+0000).")


@pytest.fixture
def chef(world, member):  # noqa: F811
    return with_token(member(world["guldborgsund"], Membership.Role.ADMIN, username="chef"))


def test_moving_a_target_to_another_plan_is_refused_by_name(world, chef):  # noqa: F811
    other = make_plan(world["guldborgsund"], key="anden")
    response = chef.patch("/api/targets/unge/", {"plan": other.key, "title": "Ny"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {
        "plan": ["Kan ikke ændres, når den først findes."]
    }
    assert Target.objects.get(key="unge").plan == world["plan"]
    assert Target.objects.get(key="unge").title != "Ny"  # nothing of the request was saved


@pytest.mark.parametrize(
    ("url", "field", "value"),
    [
        ("/api/plans/g/", "municipality", "ringsted"),
        ("/api/targets/unge/", "key", "andet"),
        ("/api/indicators/unge-offentlig-forsorgelse/", "owner", "guldborgsund"),
    ],
)
def test_fields_that_cannot_change_are_named_in_a_400(world, chef, admin_user, url, field, value):  # noqa: F811
    client = with_token(admin_user)  # a superuser may write everything else
    response = client.patch(url, {field: value}, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["error"]["details"]) == [field]


def test_a_field_sent_back_unchanged_is_accepted(world, chef):  # noqa: F811
    shown = chef.get("/api/targets/unge/").json()
    response = chef.patch("/api/targets/unge/", {"plan": shown["plan"], "key": shown["key"],
                                                 "title": "Ny titel"}, format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    assert Plan.objects.get(key="g").targets.get(key="unge").title == "Ny titel"


def test_the_bulk_errors_name_the_first_50_rows_and_count_the_rest(world):  # noqa: F811
    client = with_token(world["analyst"])
    rows = [{"indicator": "unge-offentlig-forsorgelse", "area": "guldborgsund",
             "period": f"{2000 + i // 12}M{i % 12 + 1:02d}", "value": "-1"}
            for i in range(120)]  # fmt: skip
    response = client.post("/api/measurements/bulk/", rows, format="json")
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert [e["row"] for e in details["rows"]] == list(range(50))
    assert details["rows_with_errors"] == 120 and details["more_rows_with_errors"] == 70
