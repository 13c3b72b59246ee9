"""Builders for test data: small functions that make one thing with sensible defaults."""

from datetime import date
from decimal import Decimal

from kpis import services as kpi_services
from kpis.danish import parse_number
from kpis.models import Area, Indicator
from kpis.periods import parse_period
from plans import services
from plans import status as engine


def point(period: str, value: str) -> engine.Point:
    """An engine Point from a period code/label and a Danish number."""
    spec = parse_period(period)
    return engine.Point(spec.start, spec.end, parse_number(value), spec.label)


def rule(**fields) -> engine.Rule:
    defaults = {"kind": engine.THRESHOLD, "bound": engine.AT_MOST, "deadline": date(2023, 12, 31)}
    defaults.update(fields)
    for name in (
        "target_value",
        "tolerance",
        "change_amount",
        "margin",
        "gap_reduction",
        "comparison_baseline",
    ):
        if isinstance(defaults.get(name), str):
            defaults[name] = parse_number(defaults[name])
    return engine.Rule(**defaults)


def make_country():
    return kpi_services.area_get_or_create(kind=Area.Kind.COUNTRY, name="Hele landet")


def make_municipality(name="Guldborgsund", code="376"):
    rar = kpi_services.area_get_or_create(kind=Area.Kind.RAR, name="RAR Sjælland")
    return kpi_services.area_get_or_create(
        kind=Area.Kind.MUNICIPALITY, name=name, code=code, rar=rar
    )


def make_indicator(key="unge", unit=Indicator.Unit.COUNT, decimals=0, direction="lower"):
    return Indicator.objects.create(
        key=key, name=key.capitalize(), unit=unit, decimals=decimals, direction=direction
    )


def make_plan(municipality, key="plan", start_year=2023, end_year=2023):
    return services.plan_create(
        municipality=municipality,
        key=key,
        title="Beskæftigelsesplan",
        kind="employment_plan",
        start_year=start_year,
        end_year=end_year,
    )


def make_target(plan, indicator, key="target", **fields):
    defaults = {
        "title": indicator.name if indicator else key,
        "wording": "Maksimalt 1.075",
        "kind": engine.THRESHOLD,
        "bound": engine.AT_MOST,
        "target_value": Decimal(1075),
        "deadline": date(2023, 12, 31),
    }
    defaults.update(fields)
    return services.target_create(plan=plan, indicator=indicator, key=key, **defaults)


def record(indicator, area, period, value, user=None):
    return kpi_services.measurement_record(
        indicator=indicator,
        area=area,
        period=kpi_services.period_get_or_create(period),
        value=parse_number(value),
        user=user,
    )
