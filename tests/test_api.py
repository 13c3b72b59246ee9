"""The REST API: the same rules as the pages, exact decimals, all-or-nothing uploads."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kpis.models import Measurement
from plans.models import Membership, Plan, TargetStatus
from plans.services import round_approve, round_create
from tests.builders import (
    make_country,
    make_indicator,
    make_plan,
    make_target,
    record,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(public_guldborgsund, ringsted, country, member):
    """Guldborgsund (public, an approved plan with "Maksimalt 1.075") and Ringsted (private)."""
    guldborgsund = public_guldborgsund
    unge = make_indicator("unge-offentlig-forsorgelse")
    plan = make_plan(guldborgsund, key="g")
    Plan.objects.filter(pk=plan.pk).update(approval_state="approved")
    target = make_target(plan, unge, key="unge", period_kind="month_span")
    record(unge, guldborgsund, "2022M11-2023M11", "969")
    record(unge, ringsted, "2022M11-2023M11", "5.555")
    analyst = member(guldborgsund, Membership.Role.ANALYST)
    return {"guldborgsund": guldborgsund, "ringsted": ringsted, "unge": unge, "plan": plan,
            "target": target, "analyst": analyst}  # fmt: skip


def with_token(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_client_reads_a_plan_with_its_targets_and_statuses(
    world, django_capture_on_commit_callbacks
):
    from plans.services import all_statuses_refresh

    all_statuses_refresh(as_of=date(2024, 3, 31))
    client = with_token(world["analyst"])
    plan = client.get("/api/plans/g/").json()
    assert plan["municipality"] == "guldborgsund" and plan["approval_state"] == "approved"
    targets = client.get("/api/targets/", {"plan": "g"}).json()["results"]
    assert len(targets) == 1
    status = targets[0]["status"]
    assert status["status"] == "met"
    assert (status["current_value"], status["required_value"]) == ("969.000000", "1075.000000")
    assert status["current_period_label"] == "Nov.22-nov.23"


def test_a_filter_by_a_number_in_other_digits_finds_nothing_rather_than_failing(world):
    """Other digits ("³", "①") are digits to str.isdigit(), but name no id."""
    client = with_token(world["analyst"])
    for text in ("³", "①", "٣"):
        answer = client.get("/api/targets/", {"plan": text})
        assert answer.status_code == 200 and answer.json()["results"] == [], text


def test_anonymous_clients_read_only_what_is_public(world):
    client = APIClient()
    areas = [a["slug"] for a in client.get("/api/areas/").json()["results"]]
    assert "guldborgsund" in areas and "ringsted" not in areas
    values = [m["value"] for m in client.get("/api/measurements/").json()["results"]]
    assert values == ["969.000000"]
    assert client.get("/api/plans/g/").status_code == 200
    Plan.objects.filter(key="g").update(approval_state="draft")
    missing = client.get("/api/plans/g/")
    assert missing.status_code == 404
    assert missing.json()["error"]["status"] == 404  # the same error body everywhere


def test_measurements_filter_by_indicator_area_and_period(world):
    client = with_token(world["analyst"])
    for period, value in [("2023M01", "10"), ("2023M06", "12"), ("2024M01", "13")]:
        record(world["unge"], world["guldborgsund"], period, value)
    query = {
        "indicator": "unge-offentlig-forsorgelse",
        "municipality": "guldborgsund",
        "period_kind": "month",
        "period_from": "2023-01-01",
        "period_to": "2023-12-31",
    }
    found = client.get("/api/measurements/", query).json()
    assert [m["period"] for m in found["results"]] == ["2023M01", "2023M06"]
    assert found["results"][0]["period_label"] == "Jan. 2023"


def test_a_quarter_uploaded_all_or_nothing_changes_the_status(
    world, django_capture_on_commit_callbacks
):
    client = with_token(world["analyst"])
    rows = [
        {"indicator": "unge-offentlig-forsorgelse", "area": "guldborgsund",
         "period": "2022M11-2023M11", "value": "1100"},
        {"indicator": "unge-offentlig-forsorgelse", "area": "hele-landet",
         "period": "Nov.22-nov.23", "value": "35000.5"},
    ]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/measurements/bulk/", rows, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 1, "revised": 1, "unchanged": 0}
    assert TargetStatus.objects.get(target=world["target"]).status == "not_met"
    assert Measurement.objects.get(area__slug="hele-landet").value == Decimal("35000.5")


def test_a_bad_row_refuses_the_whole_upload_and_names_the_row(world):
    client = with_token(world["analyst"])
    before = Measurement.objects.count()
    rows = [
        {"indicator": "unge-offentlig-forsorgelse", "area": "guldborgsund", "period": "2023M12",
         "value": "950"},
        {"indicator": "unge-offentlig-forsorgelse", "area": "guldborgsund", "period": "2023M13",
         "value": "950"},
        {"indicator": "unge-offentlig-forsorgelse", "area": "ringsted", "period": "2023M12",
         "value": "1"},
    ]  # fmt: skip
    response = client.post("/api/measurements/bulk/", rows, format="json")
    assert response.status_code == 400
    errors = response.json()["error"]["details"]["rows"]
    assert [e["row"] for e in errors] == [1]  # field errors first; permissions after
    assert Measurement.objects.count() == before
    rows.pop(1)
    response = client.post("/api/measurements/bulk/", rows, format="json")
    assert response.json()["error"]["details"]["rows"][0]["row"] == 1
    assert "Ringsted" in str(response.json())
    assert Measurement.objects.count() == before


def test_writing_needs_a_token_or_a_session(world):
    response = APIClient().post("/api/measurements/bulk/", [], format="json")
    assert response.status_code in (401, 403)


def test_narratives_are_written_while_the_round_is_open(world):
    client = with_token(world["analyst"])
    open_round = round_create(plan=world["plan"], name="Status", cut_off=date(2023, 12, 31))
    body = {"target": world["target"].pk, "round": open_round.pk, "text": "Faldende **antal**"}
    assert client.post("/api/narratives/", body, format="json").status_code == 201
    round_approve(reporting_round=open_round)
    body["text"] = "Ændret bagefter"
    refused = client.post("/api/narratives/", body, format="json")
    assert refused.status_code == 400 and "godkendt" in str(refused.json())
    frozen = client.get(f"/api/rounds/{open_round.pk}/").json()
    assert frozen["state"] == "approved" and frozen["results"][0]["status"] == "met"


@pytest.mark.parametrize("endpoint", ["/api/measurements/", "/api/targets/", "/api/plans/",
                                      "/api/indicators/", "/api/rounds/"])  # fmt: skip
def test_list_queries_do_not_grow_with_page_size(world, endpoint):
    unge, guldborgsund = world["unge"], world["guldborgsund"]
    for month in range(1, 13):
        record(unge, guldborgsund, f"2021M{month:02d}", str(month))
        make_target(world["plan"], unge, key=f"t{month}")
        round_create(plan=world["plan"], name=f"Runde {month}", cut_off=date(2023, month, 1))
    client = with_token(world["analyst"])

    def count(size):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(endpoint, {"page_size": size}).status_code == 200
        return len(queries)

    assert count(2) == count(50)


def test_the_schema_and_its_documentation_are_served_without_a_cdn(world):
    client = APIClient()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn" not in docs.lower() and "unpkg" not in docs.lower()


def test_an_administrator_defines_a_target_and_its_status_is_computed(
    world, member, django_capture_on_commit_callbacks
):
    admin = with_token(member(world["guldborgsund"], Membership.Role.ADMIN, username="chef"))
    body = {"plan": "g", "title": "Færre unge", "wording": "Maksimalt 1.000",
            "indicator": "unge-offentlig-forsorgelse", "kind": "threshold", "bound": "at_most",
            "target_value": "1000", "deadline": "2023-12-31", "period_kind": "month_span",
            "baseline_period": "Nov.21-nov.22", "baseline_value": "1001",
            "focus_areas": []}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        created = admin.post("/api/targets/", body, format="json")
    assert created.status_code == 201, created.json()
    key = created.json()["key"]
    assert created.json()["baseline_period"] == "2021M11-2022M11"
    shown = admin.get(f"/api/targets/{key}/").json()
    assert shown["status"]["status"] == "met"  # 969 ≤ 1.000
    changed = admin.patch(f"/api/targets/{key}/", {"target_value": "900"}, format="json")
    assert changed.status_code == 200
    missing = admin.post("/api/targets/", {**body, "target_value": None}, format="json")
    assert missing.status_code == 400 and "target_value" in missing.json()["error"]["details"]


def test_analysts_do_not_define_and_administrators_only_their_own(world, member):
    analyst = with_token(world["analyst"])
    body = {"municipality": "guldborgsund", "title": "Ny plan", "kind": "employment_plan",
            "start_year": 2025, "end_year": 2025}  # fmt: skip
    assert analyst.post("/api/plans/", body, format="json").status_code == 403
    admin = with_token(member(world["guldborgsund"], Membership.Role.ADMIN, username="chef"))
    assert admin.post("/api/plans/", body, format="json").status_code == 201
    other = {**body, "municipality": "ringsted"}
    assert admin.post("/api/plans/", other, format="json").status_code == 403
    shared = {"name": "Fælles", "unit": "count", "direction": "lower", "owner": None}
    assert admin.post("/api/indicators/", shared, format="json").status_code == 403
    local = {**shared, "owner": "guldborgsund"}
    assert admin.post("/api/indicators/", local, format="json").status_code == 201


def test_rounds_are_submitted_by_analysts_and_approved_by_administrators(world, member):
    reporting_round = round_create(plan=world["plan"], name="Status", cut_off=date(2023, 12, 31))
    analyst = with_token(world["analyst"])
    assert analyst.post(f"/api/rounds/{reporting_round.pk}/submit/").json()["state"] == "submitted"
    assert analyst.post(f"/api/rounds/{reporting_round.pk}/approve/").status_code == 403
    admin = with_token(member(world["guldborgsund"], Membership.Role.ADMIN, username="chef"))
    approved = admin.post(f"/api/rounds/{reporting_round.pk}/approve/").json()
    assert approved["state"] == "approved" and len(approved["results"]) == 1
    again = admin.post(f"/api/rounds/{reporting_round.pk}/approve/")
    assert again.status_code == 400


def test_an_administrator_writes_a_theme_with_guideposts_and_initiatives(world, member):
    admin = with_token(member(world["guldborgsund"], Membership.Role.ADMIN, username="chef"))
    theme = admin.post("/api/focus-areas/", {"plan": world["plan"].key, "title": "Erhverv",
                                              "order": 0}, format="json").json()  # fmt: skip
    guidepost = {"focus_area": theme["id"], "text": "Vi vil samarbejde", "order": 0}
    assert admin.post("/api/guideposts/", guidepost, format="json").status_code == 201
    initiative = {"focus_area": theme["id"], "title": "Ungegaranti", "body": "16 partnerskaber",
                  "key_facts": ["16 partnerskaber"], "order": 0}  # fmt: skip
    assert admin.post("/api/initiatives/", initiative, format="json").status_code == 201
    analyst = with_token(world["analyst"])
    assert analyst.post("/api/guideposts/", guidepost, format="json").status_code == 403


def test_definitions_cannot_reach_into_another_municipality(world, member):
    from plans.models import Committee

    admin = with_token(member(world["guldborgsund"], Membership.Role.ADMIN, username="chef"))
    ringsted = world["ringsted"]
    base = {"plan": "g", "title": "Relativt", "wording": "Under Ringsted", "kind": "relative",
            "indicator": "unge-offentlig-forsorgelse", "bound": "at_most",
            "deadline": "2023-12-31"}  # fmt: skip
    private = admin.post("/api/targets/", {**base, "comparison_area": "ringsted"}, format="json")
    assert private.status_code == 400 and "comparison_area" in private.json()["error"]["details"]
    local = make_indicator("ringsted-lokal")
    local.owner = ringsted
    local.save()
    record(local, make_country(), "2023", "42")
    foreign_body = {**base, "kind": "threshold", "target_value": "1", "indicator": "ringsted-lokal"}
    foreign = admin.post("/api/targets/", foreign_body, format="json")
    assert foreign.status_code == 400
    anonymous = APIClient().get("/api/measurements/", {"area": "hele-landet"}).json()
    assert all(m["indicator"] != "ringsted-lokal" for m in anonymous["results"])
    committee = Committee.objects.create(municipality=ringsted, name="Ringsteds udvalg")
    moved = admin.patch("/api/plans/g/", {"committee": committee.pk}, format="json")
    assert moved.status_code == 400


def test_what_ties_a_definition_to_a_municipality_is_fixed_and_checks_come_first(world, member):
    admin = with_token(member(world["guldborgsund"], Membership.Role.ADMIN, username="chef"))
    other = make_plan(world["guldborgsund"], key="anden")
    admin.patch("/api/targets/unge/", {"plan": other.key}, format="json")
    world["target"].refresh_from_db()
    assert world["target"].plan.key == "g"  # the plan is read-only once the target exists
    backwards = {"municipality": "guldborgsund", "title": "Baglæns", "kind": "employment_plan",
                 "start_year": 2025, "end_year": 2024}  # fmt: skip
    refused = admin.post("/api/plans/", backwards, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["status"] == 400
    assert admin.put("/api/plans/g/", backwards, format="json").status_code == 405


def test_bulk_checks_ranges_and_duplicates_like_the_importer(world):
    client = with_token(world["analyst"])
    share = make_indicator("andel", unit="percent", decimals=1)
    rows = [
        {"indicator": "andel", "area": "guldborgsund", "period": "2023M01", "value": "150"},
        {"indicator": "andel", "area": "guldborgsund", "period": "2023M02", "value": "10"},
        {"indicator": "andel", "area": "guldborgsund", "period": "2023M02", "value": "11"},
    ]
    errors = client.post("/api/measurements/bulk/", rows, format="json").json()["error"]
    assert [e["row"] for e in errors["details"]["rows"]] == [0, 2]
    assert not Measurement.objects.filter(indicator=share).exists()


def test_a_narrative_patch_keeps_its_target_round_and_text(world):
    client = with_token(world["analyst"])
    open_round = round_create(plan=world["plan"], name="Status", cut_off=date(2023, 12, 31))
    created = client.post("/api/narratives/", {"target": world["target"].pk,
                                               "round": open_round.pk, "text": "Første"},
                          format="json").json()  # fmt: skip
    patched = client.patch(f"/api/narratives/{created['id']}/", {}, format="json")
    assert patched.status_code == 200 and patched.json()["text"] == "Første"


# -- what the pages do, through the API (issue 14) ------------------------------------------


@pytest.fixture
def admin(world, member):
    return with_token(member(world["guldborgsund"], Membership.Role.ADMIN, username="chef"))


def test_analysts_create_a_round_with_its_deadline(world):
    analyst = with_token(world["analyst"])
    body = {"plan": "g", "name": "Status maj 2024", "cut_off": "2024-05-31"}
    missing = analyst.post("/api/rounds/", body, format="json")
    assert missing.status_code == 400 and "deadline" in missing.json()["error"]["details"]
    created = analyst.post("/api/rounds/", {**body, "deadline": "2024-06-14"}, format="json")
    assert created.status_code == 201
    assert created.json() | {"id": 0} == {
        "id": 0, "plan": "g", "name": "Status maj 2024", "cut_off": "2024-05-31",
        "deadline": "2024-06-14", "state": "draft", "approved_at": None, "results": [],
    }  # fmt: skip
    again = analyst.post("/api/rounds/", {**body, "deadline": "2024-06-14"}, format="json")
    assert again.status_code == 400  # the plan has a round of that name
    assert analyst.get("/api/rounds/", {"plan": "g"}).json()["count"] == 1


def test_submit_through_the_api_asks_for_the_narratives_of_targets_not_met(world, member):
    record(world["unge"], world["guldborgsund"], "2022M11-2023M11", "1.100")  # not met
    reporting_round = round_create(plan=world["plan"], name="Status", cut_off=date(2023, 12, 31))
    analyst = with_token(world["analyst"])
    url = f"/api/rounds/{reporting_round.pk}/submit/"
    refused = analyst.post(url, {}, format="json")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["details"] == {"missing": ["unge"], "required": False}
    assert "ikke opfyldt og har ingen statusbeskrivelse" in error["message"]
    confirmed = analyst.post(url, {"confirm_without_narrative": ["unge"]}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "submitted"


def test_target_revisions_are_read_and_made_through_the_api(world, admin):
    url = "/api/targets/unge/revisions/"
    analyst = with_token(world["analyst"])
    assert analyst.get(url).json() == []
    body = {"effective": "2023-06-01", "target_value": "1050", "reason": "Justeret måltal"}
    assert analyst.post(url, body, format="json").status_code == 403
    wrong = admin.post(url, {**body, "target_value": None, "margin": "1"}, format="json")
    assert wrong.status_code == 400 and "target_value" in wrong.json()["error"]["details"]
    made = admin.post(url, body, format="json")
    assert made.status_code == 201
    assert made.json()["target_value"] == "1050.000000" and made.json()["created_by"] == "chef"
    listed = admin.get(url).json()
    assert [(r["effective"], r["reason"]) for r in listed] == [("2023-06-01", "Justeret måltal")]


def test_a_milestone_needs_no_bound_but_a_threshold_does(world, admin):
    milestone = {
        "plan": "g",
        "title": "Ny model",
        "wording": "En ny model implementeres",
        "kind": "milestone",
        "deadline": "2023-12-31",
        "milestone_state": "done",
    }
    created = admin.post("/api/targets/", milestone, format="json")
    assert created.status_code == 201, created.json()
    threshold = {"plan": "g", "title": "Unge", "wording": "Maksimalt 1.075", "kind": "threshold",
                 "indicator": "unge-offentlig-forsorgelse", "target_value": "1075",
                 "deadline": "2023-12-31"}  # fmt: skip
    refused = admin.post("/api/targets/", threshold, format="json")
    assert refused.status_code == 400 and "bound" in refused.json()["error"]["details"]
    # a milestone changed to a threshold must name its bound too
    key = created.json()["key"]
    patch = {"kind": "threshold", "indicator": "unge-offentlig-forsorgelse",
             "target_value": "1075"}  # fmt: skip
    assert admin.patch(f"/api/targets/{key}/", patch, format="json").status_code == 400


def test_every_filter_takes_the_key(world, admin):
    theme = admin.post("/api/focus-areas/", {"plan": "g", "title": "Erhverv", "order": 0},
                       format="json").json()  # fmt: skip
    admin.patch("/api/targets/unge/", {"focus_areas": [theme["id"]]}, format="json")
    admin.post("/api/guideposts/", {"focus_area": theme["id"], "text": "Vi vil"}, format="json")
    client = with_token(world["analyst"])
    assert client.get("/api/focus-areas/", {"plan": "g"}).json()["count"] == 1
    assert client.get("/api/focus-areas/", {"plan": world["plan"].pk}).json()["count"] == 1
    assert client.get("/api/guideposts/", {"focus_area": theme["key"]}).json()["count"] == 1
    for query in ({"plan": "g"}, {"indicator": "unge-offentlig-forsorgelse"},
                  {"focus_area": theme["key"]}, {"municipality": "guldborgsund"}):  # fmt: skip
        assert client.get("/api/targets/", query).json()["count"] == 1, query
    assert client.get("/api/targets/", {"indicator": "andet"}).json()["count"] == 0


def test_a_plan_is_copied_through_the_api(world, admin, django_capture_on_commit_callbacks):
    body = {"title": "Beskæftigelsesplan 2024", "start_year": 2024, "end_year": 2024,
            "targets": [{"target": "unge", "baseline": "latest"}]}  # fmt: skip
    assert with_token(world["analyst"]).post("/api/plans/g/copy/", body,
                                             format="json").status_code == 403  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        copied = admin.post("/api/plans/g/copy/", body, format="json")
    assert copied.status_code == 201, copied.json()
    plan = copied.json()
    assert (plan["key"], plan["approval_state"]) == ("guldborgsund-beskaeftigelsesplan-2024",
                                                     "draft")  # fmt: skip
    target = admin.get("/api/targets/", {"plan": plan["key"]}).json()["results"][0]
    assert target["deadline"] == "2024-12-31" and target["baseline_value"] == "969.000000"
    assert target["baseline_period"] == "2022M11-2023M11" and target["status"] is not None
    unknown = admin.post("/api/plans/g/copy/", {**body, "targets": [{"target": "nope"}]},
                         format="json")  # fmt: skip
    assert unknown.status_code == 400
