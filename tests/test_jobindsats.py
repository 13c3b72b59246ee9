"""The jobindsats.dk connector against a local stand-in for the API: a real HTTP server on
127.0.0.1 (pytest-httpserver), fed answers shaped as ../shared/JOBINDSATS.md describes them.
Nothing of the portal is mocked; only the API is a stand-in."""

import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from werkzeug import Response

from kpis.jobindsats import sync
from kpis.jobindsats.client import JobindsatsError
from kpis.models import (
    Indicator,
    IndicatorSource,
    Measurement,
    MeasurementRevision,
    Period,
    SourceTable,
)
from kpis.tasks import sync_due_tables
from plans import services
from plans.models import Membership, Plan
from tests.builders import make_country, make_indicator, make_municipality, make_plan, make_target

pytestmark = pytest.mark.django_db

TABLE = "y25i03"
COUNT = "Sæsonkorrigeret antal ledige fuldtidspersoner"
SHARE = "Andel af arbejdsstyrken (pct.)"
KEY = "test-key-5f2a"  # never to be seen in a message or a log
MONTHS = ("2023M01", "2023M02", "2023M03")
MUNICIPALITIES = {"376": "Guldborgsund", "329": "Ringsted", "390": "Vordingborg"}
HIERARCHIES = {"_nykom": list(MUNICIPALITIES.values()), "_hele_landet": ["Hele landet"],
               "_reko": ["RAR Sjælland"]}  # fmt: skip


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


# -- the stand-in: answers built from small tables ----------------------------------------


def _level(values):
    return [{"level_id": "1", "values": [{"value_id": i, "value_name": n} for i, n in values]}]


def metadata(municipalities=MUNICIPALITIES, periods=None):
    """GET /v3/table/{id}: dimensions → hierarchies → levels → values."""
    dimensions = [
        {
            "dimension_id": "omraade",
            "dimension_name": "Område",
            "hierarchies": [
                {"hierarchy_id": "_nykom", "levels": _level(municipalities.items())},
                {"hierarchy_id": "_hele_landet", "levels": _level([("0", "Hele landet")])},
                {"hierarchy_id": "_reko", "levels": _level([("r85", "RAR Sjælland")])},
            ],
        },
        {
            "dimension_id": "alder",
            "dimension_name": "Alder",
            "hierarchies": [
                {"hierarchy_id": "_alder", "levels": _level([("0", "I alt"), ("1", "16-29 år")])}
            ],
        },
    ]
    if periods:
        hierarchy = {"hierarchy_id": "_m", "levels": _level(periods)}
        dimensions.append(
            {"dimension_id": "periode", "dimension_name": "Periode", "hierarchies": [hierarchy]}
        )
    return {
        "table_id": TABLE,
        "table_name": "Sæsonkorrigeret ledighed",
        "dimensions": dimensions,
        "latest_update": "2024-04-02T08:00:00",
        "next_update": "2024-05-02T08:00:00",
    }


def count_of(area, period):
    """A count written the Danish way, as the API sometimes sends it: "1.000"."""
    base = {"Hele landet": 95_000, "RAR Sjælland": 9_000}.get(area, 1_000)
    return f"{base + int(period[-2:]):,}".replace(",", ".")


class Stub:
    """The API: metadata and a data answer per area hierarchy, from cells the tests set."""

    def __init__(self, server):
        self.server = server
        self.meta = metadata()
        self.cells = {}  # (area, period, age) → (count, share), as the JSON carries them
        for areas in HIERARCHIES.values():
            for area in areas:
                for period in MONTHS:
                    self.cells[(area, period, "I alt")] = (count_of(area, period), "4,5")
                    self.cells[(area, period, "16-29 år")] = ("310", Decimal("3.25"))
        self.requests = []
        server.expect_request(f"/v3/table/{TABLE}").respond_with_handler(self._meta)
        server.expect_request(f"/v3/data/{TABLE}").respond_with_handler(self._data)
        server.expect_request("/v3/tables").respond_with_handler(self._tables)

    def _meta(self, request):
        self.requests.append(request)
        return Response(json.dumps(self.meta), content_type="application/json")

    def _tables(self, request):
        tables = [{"table_id": TABLE, "table_name": "Ledige", "LatestUpdate": "2024-04-02",
                   "NextUpdate": "2024-05-02 08:00:00"}]  # fmt: skip
        body = [{"subject": "Ledighed", "table_groups": [{"tables": tables}]}]
        return Response(json.dumps(body), content_type="application/json")

    def rows(self, hierarchy):
        """The rows of the areas the metadata lists, as the API answers."""
        listed = {v["value_name"] for d in self.meta["dimensions"] for h in d["hierarchies"]
                  for level in h["levels"] for v in level["values"]}  # fmt: skip
        areas = [a for a in HIERARCHIES[hierarchy] if a in listed]
        return [[period, area, age, *values] for (area, period, age), values in self.cells.items()
                if area in areas]  # fmt: skip

    def _data(self, request):
        self.requests.append(request)
        hierarchy = next(k.split(".", 1)[1] for k in request.args if k.startswith("hierarchy._")
                         and k != "hierarchy._alder")  # fmt: skip
        body = {"columns": ["Periode", "Område", "Alder", COUNT, SHARE],
                "rows": self.rows(hierarchy)}  # fmt: skip
        # A BOM leads, and numbers go as JSON numbers where they are numbers.
        text = "\ufeff" + json.dumps(body, default=str, ensure_ascii=False).replace(
            '"3.25"', "3.25"
        )
        return Response(text.encode("utf-8"), content_type="application/json")

    def data_requests(self):
        return [r for r in self.requests if "/data/" in r.path]


@pytest.fixture
def api(httpserver, settings):
    settings.JOBINDSATS_URL = httpserver.url_for("/v3")
    settings.JOBINDSATS_TOKEN = KEY
    return Stub(httpserver)


@pytest.fixture
def bound():
    """Three municipalities, hele landet and RAR Sjælland; two indicators bound to y25i03."""
    for code, name in MUNICIPALITIES.items():
        make_municipality(name, code)
    make_country()
    table = SourceTable.objects.create(table_id=TABLE)
    ledige = make_indicator("ledige")
    share = make_indicator("unge-andel", unit=Indicator.Unit.PERCENT, decimals=1)
    IndicatorSource.objects.create(indicator=ledige, table=table, measure=COUNT,
                                   filters={"Alder": "I alt"}, period_kind="month")  # fmt: skip
    IndicatorSource.objects.create(indicator=share, table=table, measure=SHARE,
                                   filters={"Alder": "16-29 år"}, period_kind="month")  # fmt: skip
    return table


def figure(indicator, area, period):
    return Measurement.objects.select_related("origin__table").get(
        indicator__key=indicator, area__name=area, period__start=_start(period)
    )


def _start(code):
    return date(int(code[:4]), int(code[-2:]), 1)


def run(*args):
    out = io.StringIO()
    call_command("jobindsats_sync", *args, stdout=out, stderr=out)
    return out.getvalue()


# -- the sync -------------------------------------------------------------------------------


def test_a_full_sync_stores_every_area_with_its_provenance(api, bound):
    report = sync.table_sync(table=bound)
    areas = 3 + 1 + 1
    assert report.counts == {"created": 2 * areas * 3, "revised": 0, "unchanged": 0}
    m = figure("ledige", "Guldborgsund", "2023M02")
    assert m.value == Decimal(1002)  # "1.002", a Danish thousands separator
    assert (m.origin.table.table_id, m.origin.measure, m.origin_period) == (TABLE, COUNT, "2023M02")
    assert m.fetched_at is not None and m.source == "jobindsats.dk, y25i03"
    assert figure("unge-andel", "Hele landet", "2023M03").value == Decimal("3.25")  # a number
    assert figure("ledige", "RAR Sjælland", "2023M01").value == Decimal(9001)
    assert figure("ledige", "Hele landet", "2023M01").value == Decimal(95001)
    bound.refresh_from_db()
    assert bound.state == "idle" and bound.last_rows == 2 * areas * 3 and not bound.last_error
    assert bound.name == "Sæsonkorrigeret ledighed"
    assert bound.next_update.date() == date(2024, 5, 2) and bound.last_synced_at
    # few requests: the metadata, and one per area hierarchy, every measure and period at once
    data = api.data_requests()
    assert len(data) == 3
    assert {r.args["mgroup.*"] for r in data} == {"*"}
    assert all(r.args["period.M"].startswith("latest:") for r in data)
    asked = {k for r in data for k in r.args if k.startswith("hierarchy.")}
    assert asked == {"hierarchy._nykom", "hierarchy._hele_landet", "hierarchy._reko",
                     "hierarchy._alder"}  # fmt: skip
    assert all(r.headers["Authorization"] == f"Bearer {KEY}" for r in api.requests)
    assert all(r.headers["Accept"] == "application/json" for r in api.requests)


def test_a_second_sync_of_the_same_answer_changes_nothing(api, bound):
    sync.table_sync(table=bound)
    before = sorted(Measurement.objects.values_list("pk", "value", "updated_at", "fetched_at"))
    report = sync.table_sync(table=bound)
    assert report.counts == {"created": 0, "revised": 0, "unchanged": 30}
    assert sorted(Measurement.objects.values_list("pk", "value", "updated_at",
                                                  "fetched_at")) == before  # fmt: skip
    assert not MeasurementRevision.objects.exists()


def test_an_incremental_sync_asks_for_the_latest_periods_and_stores_only_those(api, bound):
    sync.table_sync(table=bound)
    api.cells[("Guldborgsund", "2023M01", "I alt")] = ("2.000", "4,5")  # before --since
    api.cells[("Guldborgsund", "2023M03", "I alt")] = ("1.050", "4,5")
    report = sync.table_sync(table=bound, since="2023M03")
    assert report.counts["revised"] == 1 and report.counts["unchanged"] == 9
    assert figure("ledige", "Guldborgsund", "2023M01").value == Decimal(1001)
    assert figure("ledige", "Guldborgsund", "2023M03").value == Decimal(1050)
    latest = api.data_requests()[-1].args["period.M"]
    months_since = (date.today().year - 2023) * 12 + date.today().month - 3 + 1
    assert latest == f"latest:{months_since}"


@pytest.fixture
def approved_plan(bound):
    """Guldborgsund's 2023 plan, "Maksimalt 1.075 ledige", its round approved before the sync."""
    guldborgsund = make_municipality("Guldborgsund", "376")
    plan = make_plan(guldborgsund)
    Plan.objects.filter(pk=plan.pk).update(approval_state=Plan.Approval.APPROVED)
    target = make_target(plan, Indicator.objects.get(key="ledige"), key="ledige-2023")
    return plan, target


def test_a_revised_month_keeps_the_old_value_and_recomputes_the_status(
    api, approved_plan, admin_user, client, django_capture_on_commit_callbacks
):
    plan, target = approved_plan
    with django_capture_on_commit_callbacks(execute=True):
        sync.table_sync(table=target.indicator.source.table)
    target.status.refresh_from_db()
    assert target.status.status == "met"  # 1.003 in March against at most 1.075
    reporting_round = services.round_create(plan=plan, name="Status", cut_off=date(2023, 12, 31))
    services.round_approve(reporting_round=reporting_round)

    api.cells[("Guldborgsund", "2023M03", "I alt")] = ("1.100", "4,5")  # revised by jobindsats
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = sync.table_sync(table=target.indicator.source.table)
    assert report.counts["revised"] == 1
    assert len(callbacks) == 1  # the statuses are recomputed once for the whole sync
    revision = MeasurementRevision.objects.get()
    assert (revision.old_value, revision.new_value) == (Decimal(1003), Decimal(1100))
    assert figure("ledige", "Guldborgsund", "2023M03").origin_period == "2023M03"
    target.status.refresh_from_db()
    assert target.status.status == "not_met"
    client.force_login(admin_user)
    page = client.get(reverse("plans:target", args=[target.key])).content.decode()
    assert "1.100 (revideret)" in page


def test_suppressed_values_are_skipped_never_zero(api, bound):
    for period, mark in zip(MONTHS, ("..", "-", "."), strict=True):
        api.cells[("Vordingborg", period, "I alt")] = (mark, "4,5")
    report = sync.table_sync(table=bound)
    assert report.suppressed == 3
    assert not Measurement.objects.filter(indicator__key="ledige", area__name="Vordingborg")
    assert Measurement.objects.filter(indicator__key="unge-andel", area__name="Vordingborg")


def test_danish_formatted_numbers_are_read_exactly(api, bound):
    api.cells[("Ringsted", "2023M01", "16-29 år")] = ("310", "58,8")
    api.cells[("Ringsted", "2023M02", "I alt")] = ("1.075", "4,5")
    sync.table_sync(table=bound)
    assert figure("unge-andel", "Ringsted", "2023M01").value == Decimal("58.8")
    assert figure("ledige", "Ringsted", "2023M02").value == Decimal(1075)


@pytest.mark.parametrize("answer", ["body", 401])
def test_a_bad_key_is_told_in_danish_and_nothing_is_stored(httpserver, settings, bound, caplog,
                                                           answer):  # fmt: skip
    settings.JOBINDSATS_URL = httpserver.url_for("/v3")
    settings.JOBINDSATS_TOKEN = KEY
    if answer == "body":
        httpserver.expect_request(f"/v3/table/{TABLE}").respond_with_json(
            {"Forkert nøgle eller nøglen er udløbet.": ""}
        )
    else:
        httpserver.expect_request(f"/v3/table/{TABLE}").respond_with_data("", status=401)
    with pytest.raises(JobindsatsError, match="afviste nøglen"):
        sync.table_sync(table=bound)
    bound.refresh_from_db()
    assert bound.state == "failed" and "forkert eller udløbet" in bound.last_error
    assert not Measurement.objects.exists()
    assert KEY not in bound.last_error and KEY not in caplog.text


def test_without_a_key_the_command_says_how_to_set_one_and_beat_does_nothing(
    httpserver, settings, bound
):
    settings.JOBINDSATS_URL = httpserver.url_for("/v3")
    settings.JOBINDSATS_TOKEN = ""
    with pytest.raises(CommandError, match="Der er ingen nøgle til jobindsats.dk: sæt "
                       "JOBINDSATS_TOKEN"):  # fmt: skip
        run()
    assert sync_due_tables() == 0
    assert not httpserver.log


def test_429_then_success_is_retried_politely_and_stored(api, bound, httpserver):
    httpserver.expect_oneshot_request(f"/v3/data/{TABLE}").respond_with_data(
        "", status=429, headers={"Retry-After": "0"}
    )
    httpserver.expect_oneshot_request(f"/v3/data/{TABLE}").respond_with_data("", status=503)
    report = sync.table_sync(table=bound)
    assert report.counts["created"] == 30
    statuses = [response.status_code for _request, response in httpserver.log]
    assert statuses.count(429) == 1 and statuses.count(503) == 1


def test_an_api_that_stays_unavailable_is_told_and_nothing_is_stored(httpserver, settings, bound):
    settings.JOBINDSATS_URL = httpserver.url_for("/v3")
    settings.JOBINDSATS_TOKEN = KEY
    httpserver.expect_request(f"/v3/table/{TABLE}").respond_with_data("", status=502)
    with pytest.raises(JobindsatsError, match="svarede ikke"):
        sync.table_sync(table=bound)
    assert len(httpserver.log) == 3  # the first attempt and two retries
    bound.refresh_from_db()
    assert bound.state == "failed" and "prøv igen senere" in bound.last_error


@pytest.mark.parametrize(
    "spoil, message",
    [
        (lambda rows: [r[:4] for r in rows], "har ikke de 5 celler"),
        (lambda rows: [[*r[:3], r[3], "ikke et tal"] for r in rows], "“ikke et tal”"),
        (lambda rows: [["2023X05", *r[1:]] for r in rows], "periodekoden “2023X05”"),
        (lambda rows: [["2022QMAT07", *r[1:]] for r in rows], "periodekoden “2022QMAT07”"),
        (lambda rows: [[*r[:4], "120"] if r[2] == "16-29 år" else r for r in rows], "100"),
    ],
    ids=["a short row", "not a number", "unknown period", "uncertain rolling year", "share>100"],
)
def test_a_malformed_answer_stores_nothing_and_says_what_is_wrong(api, bound, spoil, message):
    sync.table_sync(table=bound)
    before = sorted(Measurement.objects.values_list("pk", "value"))
    original = api.rows
    api.rows = lambda hierarchy: spoil(original(hierarchy))
    with pytest.raises(JobindsatsError) as raised:
        sync.table_sync(table=bound)
    assert message in str(raised.value) and "Intet blev gemt" in str(raised.value)
    assert sorted(Measurement.objects.values_list("pk", "value")) == before
    bound.refresh_from_db()
    assert bound.state == "failed" and message in bound.last_error


def test_a_missing_measure_column_is_named(api, bound, httpserver):
    httpserver.clear_all_handlers()
    httpserver.expect_request(f"/v3/table/{TABLE}").respond_with_json(metadata())
    httpserver.expect_request(f"/v3/data/{TABLE}").respond_with_json(
        {"columns": ["Periode", "Område", "Alder", COUNT], "rows": []}
    )
    with pytest.raises(JobindsatsError, match=re.escape(f"målet “{SHARE}” mangler")):
        sync.table_sync(table=bound)
    assert not Measurement.objects.exists()


def test_an_answer_that_is_not_json_is_refused(api, bound, httpserver):
    httpserver.clear_all_handlers()
    httpserver.expect_request(f"/v3/table/{TABLE}").respond_with_data("<html>Fejl</html>")
    with pytest.raises(JobindsatsError, match="ikke JSON"):
        sync.table_sync(table=bound)


def test_a_rolling_year_beyond_04_is_placed_only_by_the_tables_own_label(api, bound):
    IndicatorSource.objects.filter(measure=COUNT).update(period_kind="rolling_year")
    IndicatorSource.objects.filter(measure=SHARE).delete()
    api.meta = metadata(periods=[("2023QMAT07", "2.kv.22 - 1.kv.23")])
    api.cells = {("Guldborgsund", "2023QMAT07", "I alt"): ("4.400", "4,5"),
                 ("Guldborgsund", "2022QMAT04", "I alt"): ("4.300", "4,5")}  # fmt: skip
    sync.table_sync(table=bound)
    stored = {m.origin_period: m.period.code for m in Measurement.objects.select_related("period")}
    assert stored == {"2023QMAT07": "2023QMAT01", "2022QMAT04": "2022QMAT04"}


def test_a_year_code_is_a_year(api, bound):
    IndicatorSource.objects.update(period_kind="year")
    api.cells = {("Hele landet", "2023Y01", "I alt"): ("95.000", "4,5")}
    sync.table_sync(table=bound)
    assert Measurement.objects.get(indicator__key="ledige").period.code == "2023"
    assert "period.Y" in api.data_requests()[0].args


def test_a_municipality_missing_from_the_metadata_is_reported_and_the_others_stored(api, bound):
    api.meta = metadata(municipalities={"376": "Guldborgsund", "390": "Vordingborg"})
    report = sync.table_sync(table=bound)
    assert report.missing == ["Ringsted"]
    assert Measurement.objects.filter(area__name="Guldborgsund").count() == 6
    assert not Measurement.objects.filter(area__name="Ringsted").exists()
    bound.refresh_from_db()
    assert bound.state == "idle" and "Ringsted" in bound.last_error


def test_areas_are_matched_by_code_where_the_name_differs(api, bound):
    api.meta = metadata(municipalities={"376": "Guldborgsund Kommune", "0329": "Ringsted K.",
                                        "390": "Vordingborg"})  # fmt: skip
    report = sync.table_sync(table=bound)
    assert report.missing == [] and report.unknown == []


def test_the_dry_run_prints_what_it_would_store_and_stores_nothing(api, bound):
    periods = Period.objects.count()
    output = run("--dry-run")
    assert "y25i03 Sæsonkorrigeret ledighed: would store 30 figures" in output
    assert "municipality: 9 new, 0 revised, 0 unchanged" in output
    assert "country: 3 new" in output and "rar: 3 new" in output
    assert "e.g. Guldborgsund, Jan. 2023 (2023M01): 1.001 (created)" in output
    assert "Dry run: nothing was stored." in output
    assert not Measurement.objects.exists() and Period.objects.count() == periods
    bound.refresh_from_db()
    assert bound.last_synced_at is None and bound.state == "idle"


def test_the_command_syncs_one_indicator_since_a_period(api, bound):
    output = run("--indicator", "unge-andel", "--since", "feb. 2023")
    assert "stored 10 figures" in output
    assert set(Measurement.objects.values_list("indicator__key", flat=True)) == {"unge-andel"}
    assert not Measurement.objects.filter(period__start=date(2023, 1, 1)).exists()


def test_a_table_is_claimed_by_one_worker_at_a_time(bound):
    assert sync.table_claim(bound)
    assert not sync.table_claim(bound)
    with pytest.raises(sync.Busy):
        sync.table_sync(table=bound)
    # a worker that died an hour ago does not keep the table
    SourceTable.objects.update(claimed_at=timezone.now() - timedelta(hours=2))
    assert sync.table_claim(SourceTable.objects.get())


def test_beat_fetches_the_tables_that_are_due(api, bound):
    assert sync_due_tables() == 1
    bound.refresh_from_db()
    assert bound.latest_update.date() == date(2024, 4, 2)
    assert Measurement.objects.count() == 30
    SourceTable.objects.update(next_update=None, latest_update=None)
    assert sync_due_tables() == 0  # fetched less than a day ago, no published update since


# -- the page for administrators ------------------------------------------------------------


def test_the_sources_page_lists_each_binding_with_its_last_sync_and_error(api, bound, client,
                                                                          member):  # fmt: skip
    api.meta = metadata(municipalities={"376": "Guldborgsund", "390": "Vordingborg"})
    sync.table_sync(table=bound)
    administrator = member(make_municipality("Guldborgsund", "376"), Membership.Role.ADMIN)
    client.force_login(administrator)
    page = client.get(reverse("plans:sources")).content.decode()
    assert "y25i03" in page and "Sæsonkorrigeret ledighed" in page
    assert COUNT in page and "Alder: I alt" in page and "Ledige" in page
    assert "<dd>24</dd>" in page  # figures in the last sync (Ringsted missing)
    assert "Ringsted" in page  # the warning
    assert "Hent nu" not in page  # only superusers start a sync
    assert 'href="/sources/"' in page  # in the navigation


def test_the_sources_page_shows_progress_while_syncing(bound, admin_user, client):
    SourceTable.objects.update(state="syncing", rows_done=50, rows_total=200)
    client.force_login(admin_user)
    page = client.get(reverse("plans:sources")).content.decode()
    assert '<progress max="100" value="25"' in page
    assert "js/sync-progress.js" in page


def test_only_superusers_start_a_sync(api, bound, client, member, admin_user,
                                      django_capture_on_commit_callbacks):  # fmt: skip
    url = reverse("plans:source_sync", args=[bound.pk])
    client.force_login(member(make_municipality("Guldborgsund", "376"), Membership.Role.ADMIN))
    assert client.post(url).status_code == 403
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert Measurement.objects.count() == 30
    page = client.get(reverse("plans:sources")).content.decode()
    assert "Hent nu" in page and "ingen nøgle" not in page


def test_without_a_key_the_sources_page_says_so_and_offers_no_fetch(bound, admin_user, client):
    client.force_login(admin_user)
    page = client.get(reverse("plans:sources")).content.decode()
    assert "ingen nøgle til jobindsats.dk" in page and "Hent nu" not in page
    assert client.post(reverse("plans:source_sync", args=[bound.pk])).status_code == 403
