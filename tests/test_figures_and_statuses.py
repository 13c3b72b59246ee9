"""Figures go in through the services; statuses follow after commit."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from kombu.exceptions import OperationalError

from kpis import services as kpi_services
from kpis.models import Indicator, Measurement, MeasurementRevision
from plans import services, tasks
from plans.models import Target, TargetStatus
from tests.builders import (
    make_country,
    make_indicator,
    make_municipality,
    make_plan,
    make_target,
    record,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def young(db):
    """Guldborgsund's "Unge på offentlig forsørgelse", Maksimalt 1.075 in 2023."""
    municipality = make_municipality()
    indicator = make_indicator("unge-offentlig-forsorgelse")
    target = make_target(make_plan(municipality), indicator, key="unge")
    return municipality, indicator, target


def status_of(target):
    return TargetStatus.objects.get(target=target)


def test_a_new_figure_refreshes_the_status_once_committed(
    young, django_capture_on_commit_callbacks
):
    municipality, indicator, target = young
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outcome = record(indicator, municipality, "2022M11-2023M11", "969")
    assert outcome == "created"
    assert len(callbacks) == 1
    status = status_of(target)
    assert status.status == "met"
    assert status.current_value == Decimal(969)
    assert status.current_period_label == "Nov.22-nov.23"


def test_nothing_is_queued_before_commit(young, django_capture_on_commit_callbacks):
    municipality, indicator, target = young
    with django_capture_on_commit_callbacks(execute=False):
        record(indicator, municipality, "2023", "1.200")
    assert not TargetStatus.objects.filter(target=target, current_value__isnull=False).exists()


def test_a_revised_figure_keeps_the_old_value_who_and_when(
    young, admin_user, django_capture_on_commit_callbacks
):
    municipality, indicator, target = young
    with django_capture_on_commit_callbacks(execute=True):
        record(indicator, municipality, "2023", "1.080")
    assert status_of(target).status == "not_met"
    with django_capture_on_commit_callbacks(execute=True):
        outcome = record(indicator, municipality, "2023", "1.070", user=admin_user)
    assert outcome == "revised"
    measurement = Measurement.objects.get()
    assert measurement.value == Decimal(1070)
    revision = MeasurementRevision.objects.get()
    assert (revision.old_value, revision.new_value) == (Decimal(1080), Decimal(1070))
    assert revision.changed_by == admin_user
    assert revision.changed_at is not None
    assert status_of(target).status == "met"


def test_the_same_figure_again_changes_nothing(young, django_capture_on_commit_callbacks):
    municipality, indicator, _target = young
    record(indicator, municipality, "2023", "969")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert record(indicator, municipality, "2023", "969") == "unchanged"
    assert callbacks == []
    assert not MeasurementRevision.objects.exists()


def test_a_national_figure_refreshes_relative_targets(django_capture_on_commit_callbacks):
    municipality, country = make_municipality(), make_country()
    indicator = make_indicator("langtidsledige", unit=Indicator.Unit.PERCENT, decimals=1)
    target = make_target(
        make_plan(municipality),
        indicator,
        key="rel",
        kind="relative",
        target_value=None,
        comparison_area=country,
        margin=Decimal("0.3"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        record(indicator, municipality, "2023M12", "2,1")
    assert status_of(target).status == "no_data"
    assert status_of(target).reasons == ["no_comparison"]
    with django_capture_on_commit_callbacks(execute=True):
        record(indicator, country, "2023M12", "2,4")
    status = status_of(target)
    assert status.status == "met"
    assert status.required_value == Decimal("2.1")
    assert status.comparison_value == Decimal("2.4")


def test_the_refresh_task_is_safe_to_run_twice(young):
    municipality, indicator, target = young
    record(indicator, municipality, "2023", "969")
    series = [[indicator.pk, municipality.pk]]
    assert tasks.recompute_statuses_for_series(series) == 1
    assert tasks.recompute_statuses_for_series(series) == 1
    assert TargetStatus.objects.filter(target=target).count() == 1
    assert status_of(target).status == "met"


def test_deleting_a_figure_refreshes_the_status(young, django_capture_on_commit_callbacks):
    municipality, indicator, target = young
    with django_capture_on_commit_callbacks(execute=True):
        record(indicator, municipality, "2023", "969")
    assert status_of(target).status == "met"
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.measurements_delete(measurements=Measurement.objects.all())
    assert status_of(target).status == "no_data"
    assert status_of(target).current_value is None


def test_the_same_figure_to_more_decimals_than_stored_is_unchanged(young):
    municipality, indicator, _target = young
    assert record(indicator, municipality, "2023", "58,83333333") == "created"
    assert record(indicator, municipality, "2023", "58,83333333") == "unchanged"
    assert Measurement.objects.get().value == Decimal("58.833333")
    assert not MeasurementRevision.objects.exists()


def test_a_float_is_refused_before_it_loses_exactness(young):
    municipality, indicator, _target = young
    period = kpi_services.period_get_or_create("2023")
    with pytest.raises(TypeError):
        kpi_services.measurement_record(
            indicator=indicator, area=municipality, period=period, value=58.8
        )
    assert not Measurement.objects.exists()


def test_with_the_broker_down_figures_are_still_saved(young, django_capture_on_commit_callbacks):
    municipality, indicator, _target = young
    failing = mock.patch.object(
        tasks.recompute_statuses_for_series, "delay", side_effect=OperationalError("down")
    )
    with failing, django_capture_on_commit_callbacks(execute=True):
        record(indicator, municipality, "2023", "969")
    assert Measurement.objects.get().value == Decimal(969)


def test_revising_a_target_keeps_the_original(young, django_capture_on_commit_callbacks):
    municipality, indicator, target = young
    with django_capture_on_commit_callbacks(execute=True):
        record(indicator, municipality, "2023", "1.100")
    assert status_of(target).status == "not_met"
    with django_capture_on_commit_callbacks(execute=True):
        services.target_revise(
            target=target,
            effective=date(2023, 6, 1),
            target_value=Decimal(1125),
            reason="Det justerede måltal er 1.125",
        )
    target.refresh_from_db()
    assert target.target_value == Decimal(1075)
    assert target.revisions.get().target_value == Decimal(1125)
    assert status_of(target).status == "met"
    assert status_of(target).required_value == Decimal(1125)


def test_a_target_of_a_kind_without_what_it_needs_is_refused(young):
    municipality, indicator, _target = young
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make_target(
            make_plan(municipality, key="p2"),
            indicator,
            key="x",
            kind="glide_path",
            target_value=None,
        )
    assert "target_value" in error.value.message_dict
    assert not Target.objects.filter(key="x").exists()


def test_nightly_recompute_turns_a_forecast_into_a_verdict(young):
    municipality, indicator, target = young
    record(indicator, municipality, "2023M06", "1.000")
    services.all_statuses_refresh(as_of=date(2023, 7, 1))
    assert status_of(target).final is False
    services.all_statuses_refresh(as_of=date(2024, 1, 15))
    assert status_of(target).final is True
    assert status_of(target).status == "met"
