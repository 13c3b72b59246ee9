"""Builders for test data: small functions that make one thing with sensible defaults."""

from datetime import date
from decimal import Decimal

from kpis import services as kpi_services
from kpis.danish import parse_number
from kpis.models import Area, Indicator
from kpis.periods import parse_period
from plans import services
from plans.engine import status as engine


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
    """A municipality in RAR Sjælland (2015–2024) and the Sjælland council (2025–)."""
    municipality = kpi_services.area_get_or_create(
        kind=Area.Kind.MUNICIPALITY, name=name, code=code
    )
    for kind, group, valid_from, valid_to in (
        (Area.Kind.RAR, "RAR Sjælland", date(2015, 1, 1), date(2024, 12, 31)),
        (Area.Kind.COUNCIL, "Regionalt beskæftigelsesråd Sjælland", date(2025, 1, 1), None),
    ):
        kpi_services.area_memberships_set(
            group=kpi_services.area_get_or_create(kind=kind, name=group),
            members=[municipality],
            valid_from=valid_from,
            valid_to=valid_to,
        )
    return municipality


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


def make_theme_with_targets(n_targets: int, n_periods: int = 4, key="plan"):
    """A plan with one theme holding n_targets threshold targets, each on its own indicator
    with n_periods monthly figures for the municipality and the country."""
    from plans.models import Guidepost, Initiative

    municipality, country = make_municipality(), make_country()
    plan = make_plan(municipality, key=key)
    theme = services.focus_area_create(
        plan=plan, key=f"{key}-theme", title="Et godt erhvervsklima", order=0
    )
    Guidepost.objects.create(focus_area=theme, text="Vi vil samarbejde med virksomhederne")
    Initiative.objects.create(focus_area=theme, title="Ungegaranti", body="16 partnerskaber")
    for i in range(n_targets):
        indicator = make_indicator(f"{key}-indicator-{i}", unit=Indicator.Unit.PERCENT, decimals=1)
        target = make_target(
            plan,
            indicator,
            key=f"{key}-target-{i}",
            wording="Minimum 12 %",
            bound=engine.AT_LEAST,
            target_value=Decimal(12),
            focus_areas=[theme],
            baseline_value=Decimal("10.8"),
            baseline_period=kpi_services.period_get_or_create("2022M12"),
        )
        for month in range(1, n_periods + 1):
            record(indicator, municipality, f"2023M{month:02d}", f"1{month},{i % 10}")
            record(indicator, country, f"2023M{month:02d}", "11,0")
        services.target_revise(
            target=target, effective=date(2023, 6, 1), target_value=Decimal(11), reason="justeret"
        )
    services.all_statuses_refresh(as_of=date(2024, 1, 31))
    return plan, theme
