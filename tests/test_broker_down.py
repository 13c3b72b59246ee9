"""With the Celery broker down, figures are still saved (grid, import, API), and the stored
statuses catch up once it is back: the stale-status task every few minutes, the nightly
recompute, or `manage.py recompute_statuses`."""

import logging
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from jobcenter.celery import app
from kpis import services as kpi_services
from kpis.models import ImportBatch, Measurement
from plans import tasks
from plans.models import Membership, TargetStatus
from plans.selectors.stale import targets_with_stale_status
from plans.services import all_statuses_refresh
from tests.builders import make_country, make_indicator, make_municipality, make_plan, make_target
from tests.builders import record as record_figure
from tests.test_api import with_token
from tests.test_figures_grid import cell, form_of
from tests.test_import import upload

pytestmark = pytest.mark.django_db

# Port 9 ("discard") has no listener on a test machine: every publish is refused.
DEAD_BROKER = "redis://127.0.0.1:9/0"


def forget_broker_connections():
    """Celery keeps the connection pools of the first broker it published to; switching
    brokers within one process needs them dropped (what Celery does itself after a fork)."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks go to a broker nobody answers at, as in production when Redis is down."""
    before = app.conf.task_always_eager, app.conf.broker_url
    forget_broker_connections()
    app.conf.task_always_eager, app.conf.broker_url = False, DEAD_BROKER
    monkeypatch.setenv("CELERY_BROKER_URL", DEAD_BROKER)  # Celery reads this before its conf
    yield
    forget_broker_connections()
    app.conf.task_always_eager, app.conf.broker_url = before


@pytest.fixture
def unge(member):
    """Guldborgsund's "Maksimalt 1.075" on quarterly figures, met by Q1's 969, status stored."""
    guldborgsund = make_municipality()
    make_country()
    indicator = make_indicator("unge")
    plan = make_plan(guldborgsund)
    target = make_target(plan, indicator, key="unge", period_kind="quarter")
    record_figure(indicator, guldborgsund, "2023Q1", "969")
    all_statuses_refresh()
    assert TargetStatus.objects.get(target=target).status == "met"
    return plan, indicator, target, member(guldborgsund, Membership.Role.ANALYST)


def save_in_grid(client, plan, indicator):
    url = f"/plans/{plan.key}/figures/?kind=quarter&year=2023"
    data = form_of(client.get(url).content.decode())
    data[cell(plan, indicator, "Guldborgsund", "2023Q2")] = "1.100"
    response = client.post(url, data)
    assert response.status_code == 200 and "Gemt: 1 nye" in response.content.decode()


def save_by_import(client, plan, indicator, monkeypatch):
    # Every file "large", so reading and saving are first offered to the (absent) worker.
    monkeypatch.setattr(kpi_services, "BACKGROUND_ROWS", 0)
    batch = upload(client, "indikator;område;periode;værdi\nunge;Guldborgsund;2023Q2;1100\n")
    assert batch.state == ImportBatch.State.PREVIEW
    client.post(f"/figures/import/{batch.pk}/commit/")
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.COMMITTED


def save_by_api(client, plan, indicator, monkeypatch):
    api = with_token(Membership.objects.get(role="analyst").user)
    rows = [{"indicator": "unge", "area": "guldborgsund", "period": "2023Q2", "value": "1100"}]
    response = api.post("/api/measurements/bulk/", rows, format="json")
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize(
    "save",
    [
        lambda client, plan, indicator, monkeypatch: save_in_grid(client, plan, indicator),
        save_by_import,
        save_by_api,
    ],
    ids=["grid", "import", "api"],
)
def test_figures_are_saved_with_the_broker_down_and_the_status_catches_up(
    client, unge, broker_down, save, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    plan, indicator, target, analyst = unge
    client.force_login(analyst)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        save(client, plan, indicator, monkeypatch)
    assert Measurement.objects.get(period__start=date(2023, 4, 1)).value == Decimal(1100)
    assert "Broker unreachable; plans.tasks.recompute_statuses_for_series not queued" in (
        caplog.text
    )
    # Nothing refreshed the status: it still says met on Q1's 969, and is known to be stale.
    assert TargetStatus.objects.get(target=target).current_value == Decimal(969)
    assert list(targets_with_stale_status()) == [target]
    page = client.get(f"/targets/{target.key}/").content.decode()
    assert "status beregnes igen" in page  # the page does not pass the old status off as current

    assert tasks.recompute_stale_statuses() == 1  # the broker is back; beat sends this
    assert "status beregnes igen" not in client.get(f"/targets/{target.key}/").content.decode()
    status = TargetStatus.objects.get(target=target)
    assert (status.status, status.current_value) == ("not_met", Decimal(1100))
    assert not targets_with_stale_status().exists()
    assert tasks.recompute_stale_statuses() == 0  # nothing left to do the next time


@pytest.mark.parametrize(
    "catch_up",
    [
        tasks.recompute_stale_statuses,
        tasks.recompute_all_statuses,
        lambda: call_command("recompute_statuses"),
    ],
    ids=["every-10-minutes", "nightly", "by-hand"],
)
def test_each_catch_up_brings_a_missed_refresh_up_to_date(
    unge, broker_down, catch_up, django_capture_on_commit_callbacks
):
    plan, indicator, target, _analyst = unge
    with django_capture_on_commit_callbacks(execute=True):
        record_figure(indicator, plan.municipality, "2023Q2", "1.100")
    assert TargetStatus.objects.get(target=target).status == "met"  # stale
    catch_up()
    assert TargetStatus.objects.get(target=target).status == "not_met"


def test_a_target_changed_with_the_broker_down_is_caught_up(
    unge, broker_down, django_capture_on_commit_callbacks
):
    plan, indicator, target, _analyst = unge
    from plans.services import target_revise

    with django_capture_on_commit_callbacks(execute=True):
        target_revise(target=target, effective=date(2023, 1, 1), target_value=Decimal(900),
                      reason="skærpet")  # fmt: skip
    assert list(targets_with_stale_status()) == [target]
    tasks.recompute_stale_statuses()
    assert TargetStatus.objects.get(target=target).status == "not_met"  # 969 against 900


def test_statuses_just_computed_are_not_stale(unge):
    _plan, _indicator, target, _analyst = unge
    assert not targets_with_stale_status().exists()
    TargetStatus.objects.filter(target=target).delete()
    assert list(targets_with_stale_status()) == [target]  # never computed counts as stale
