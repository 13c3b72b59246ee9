"""A synthetic national data set, for measuring the portal at the scale it must serve: every
municipality with a plan of about sixty targets, two hundred indicators, ten years of monthly
and quarterly figures for every municipality, RAR area and the whole country.

Nothing here is real: the municipalities are "Syntetisk kommune 001" …, the figures random walks
(seeded, so every run makes the same data set). The RAR areas carry their real names only so
that the comparison pages read naturally. Keep it out of a database with real data: generate()
refuses a database that already has figures.
"""

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from kpis import bulk, periods
from kpis.models import Area, AreaMembership, Indicator, Measurement, Period
from kpis.selectors import group_on
from plans.engine import status as engine
from plans.models import Committee, FocusArea, Guidepost, Initiative, Plan, Target
from plans.services import all_statuses_refresh

PREFIX = "syntetisk"
RAR_NAMES = (
    "RAR Nordjylland", "RAR Østjylland", "RAR Vestjylland", "RAR Sydjylland", "RAR Fyn",
    "RAR Sjælland", "RAR Hovedstaden", "RAR Bornholm",
)  # fmt: skip
FIRST_YEAR, LAST_YEAR = 2016, 2025
THEMES = ("Virksomhedsservice", "Unge", "Ledige", "Sygemeldte")


@dataclass(frozen=True)
class Scale:
    municipalities: int = 98
    indicators: int = 200
    targets_per_plan: int = 60
    first_year: int = FIRST_YEAR
    last_year: int = LAST_YEAR

    @property
    def months(self):
        return [periods.month(y, m) for y in self.years for m in range(1, 13)]

    @property
    def quarters(self):
        return [periods.quarter(y, q) for y in self.years for q in range(1, 5)]

    @property
    def years(self):
        return range(self.first_year, self.last_year + 1)


class NotEmpty(RuntimeError):
    pass


def generated() -> bool:
    return Area.objects.filter(slug__startswith=PREFIX).exists()


def generate(scale: Scale = Scale(), *, log=print) -> dict[str, int]:
    """Make the data set; returns how many rows of each kind were made."""
    if Measurement.objects.exists():
        raise NotEmpty(
            "The database already has figures; generate the national data set in an empty "
            "database of its own (see the README's benchmark section)."
        )
    rng = random.Random(2026)
    with transaction.atomic():
        areas = _areas(scale)
        indicators = _indicators(scale, rng)
        period_rows = _periods(scale)
    log(f"{len(areas)} areas, {len(indicators)} indicators, {len(period_rows)} periods")
    figures = _figures(scale, areas, indicators, period_rows, log=log)
    with transaction.atomic():
        targets = _plans(scale, areas, indicators, period_rows, rng)
    log(f"{targets} targets in {scale.municipalities} plans")
    statuses = all_statuses_refresh()
    log(f"{statuses} statuses computed")
    return {"areas": len(areas), "indicators": len(indicators), "measurements": figures,
            "targets": targets}  # fmt: skip


def _areas(scale) -> list[Area]:
    country = Area.objects.create(kind=Area.Kind.COUNTRY, name="Hele landet", slug="hele-landet")
    rars = Area.objects.bulk_create(
        Area(kind=Area.Kind.RAR, name=name, slug=f"{PREFIX}-rar-{i}")
        for i, name in enumerate(RAR_NAMES[: scale.municipalities])  # none without members
    )
    municipalities = Area.objects.bulk_create(
        Area(
            kind=Area.Kind.MUNICIPALITY,
            name=f"Syntetisk kommune {n:03d}",
            slug=f"{PREFIX}-kommune-{n:03d}",
            code=f"{900 + n}",
            # Half the dashboards are public, as for real municipalities that publish theirs.
            public_dashboards=n % 2 == 0,
        )
        for n in range(1, scale.municipalities + 1)
    )
    # Each synthetic municipality in one RAR area for the ten years of figures.
    AreaMembership.objects.bulk_create(
        AreaMembership(member=m, group=rars[n % len(rars)], valid_from=date(2015, 1, 1))
        for n, m in enumerate(municipalities, start=1)
    )
    return [country, *rars, *municipalities]


def _indicators(scale, rng) -> list[Indicator]:
    units = [Indicator.Unit.PERCENT] * 5 + [Indicator.Unit.COUNT] * 4 + [Indicator.Unit.FTE]
    return Indicator.objects.bulk_create(
        Indicator(
            key=f"{PREFIX}-{n:03d}",
            name=f"Syntetisk indikator {n:03d}",
            unit=(unit := units[n % len(units)]),
            decimals=1 if unit != Indicator.Unit.COUNT else 0,
            direction=rng.choice(list(Indicator.Direction)),
            data_source="Syntetisk (benchmark)",
        )
        for n in range(1, scale.indicators + 1)
    )


def _periods(scale) -> list[Period]:
    return Period.objects.bulk_create(
        Period(kind=spec.kind, start=spec.start, end=spec.end)
        for spec in scale.months + scale.quarters
    )


def _figures(scale, areas, indicators, period_rows, *, log) -> int:
    """A random walk per municipality and indicator; RAR areas and the country are the mean
    (shares) or sum (counts) of their municipalities, as jobindsats.dk's are. Quarters are the
    mean of their months. Stored an indicator at a time through the staging table."""
    np_rng = np.random.default_rng(2026)
    municipalities = [a for a in areas if a.kind == Area.Kind.MUNICIPALITY]
    rar_of = dict(
        AreaMembership.objects.filter(member__in=municipalities).values_list("member", "group")
    )
    rar_ids = sorted(set(rar_of.values()))
    country = areas[0]
    months = len(scale.months)
    month_ids = [p.pk for p in period_rows[:months]]
    quarter_ids = [p.pk for p in period_rows[months:]]
    total = 0
    for indicator in indicators:
        share = indicator.unit == Indicator.Unit.PERCENT
        start = (
            np_rng.uniform(5, 60, len(municipalities))
            if share
            else np_rng.uniform(50, 3000, len(municipalities))
        )
        steps = np_rng.normal(0, 0.01, (len(municipalities), months)).cumsum(axis=1)
        values = start[:, None] * np.exp(steps)
        if share:
            values = np.clip(values, 0, 100)
        by_area = {m.pk: values[i] for i, m in enumerate(municipalities)}
        combine = np.mean if share else np.sum
        for rar_id in rar_ids:
            rows = [i for i, m in enumerate(municipalities) if rar_of[m.pk] == rar_id]
            by_area[rar_id] = combine(values[rows], axis=0)
        by_area[country.pk] = combine(values, axis=0)
        decimals = indicator.decimals
        frames = []
        for area_id, series in by_area.items():
            quarterly = series.reshape(-1, 3).mean(axis=1)
            frames.append(pd.DataFrame({
                "area_id": area_id,
                "period_id": month_ids + quarter_ids,
                "value": np.round(np.concatenate([series, quarterly]), decimals),
            }))  # fmt: skip
        frame = pd.concat(frames, ignore_index=True)
        frame["indicator_id"] = indicator.pk
        frame["value"] = frame["value"].map(f"{{:.{decimals}f}}".format)
        frame["source"] = "Syntetisk"
        with transaction.atomic():
            # Straight to the staging table and the set-based store, without the signal that
            # queues a status refresh per series: all statuses are computed once at the end.
            staged = bulk.stage_frame(frame)
            bulk.store_staged(total=staged, user_id=None, now=timezone.now())
        total += staged
        if indicator.pk % 20 == 0:
            log(f"  {total:,} figures".replace(",", "."))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Measurement._meta.db_table}")
    return total


# Kinds of target in about the proportions the seed plans have them.
KINDS = [engine.THRESHOLD] * 6 + [engine.RELATIVE] * 6 + [engine.CHANGE] * 4 + [
    engine.GLIDE_PATH] * 2 + [engine.CUMULATIVE, engine.MILESTONE]  # fmt: skip


def _plans(scale, areas, indicators, period_rows, rng) -> int:
    municipalities = [a for a in areas if a.kind == Area.Kind.MUNICIPALITY]
    country = areas[0]
    baseline = next(p for p in period_rows if p.kind == periods.MONTH and p.start.year == 2024)
    committees = Committee.objects.bulk_create(
        Committee(municipality=m, name="Beskæftigelsesudvalget", short_name="BEU")
        for m in municipalities
    )
    plans = Plan.objects.bulk_create(
        Plan(
            key=f"{m.slug}-2025",
            municipality=m,
            committee=c,
            title="Beskæftigelsesplan",
            kind=Plan.Kind.EMPLOYMENT_PLAN,
            start_year=2025,
            end_year=2026,
            approval_state=Plan.Approval.APPROVED,
            approved_on=date(2024, 12, 10),
            approved_by="Byrådet",
            summary="Syntetisk plan til måling af portalens hastighed.",
        )
        for m, c in zip(municipalities, committees, strict=True)
    )
    themes = FocusArea.objects.bulk_create(
        FocusArea(
            plan=p,
            key=f"{p.key}-{t}",
            order=t,
            number=str(t + 1),
            title=title,
            intro="Syntetisk tema.",
        )  # fmt: skip
        for p in plans
        for t, title in enumerate(THEMES)
    )
    Guidepost.objects.bulk_create(
        Guidepost(focus_area=f, order=i, text=f"Vi vil styrke indsats {i + 1}.")
        for f in themes
        for i in range(3)
    )
    Initiative.objects.bulk_create(
        Initiative(
            focus_area=f,
            order=i,
            title=f"Case {i + 1}",
            body="Syntetisk case.",
            key_facts=["12 borgere i job"],
        )  # fmt: skip
        for f in themes
        for i in range(2)
    )
    themes_of = {}
    for theme in themes:
        themes_of.setdefault(theme.plan_id, []).append(theme)
    targets, links = [], []
    for plan in plans:
        chosen = rng.sample(indicators, scale.targets_per_plan)
        for n, indicator in enumerate(chosen):
            targets.append(_target(plan, n, indicator, country, baseline, rng))
    Target.objects.bulk_create(targets, batch_size=2_000)
    Link = Target.focus_areas.through
    for target in targets:
        # Uneven on purpose (the first theme gets twice the cards), so the benchmark can show
        # that a page's query count does not follow its number of cards.
        theme = themes_of[target.plan_id][target.order % (len(THEMES) + 1) % len(THEMES)]
        links.append(Link(target_id=target.pk, focusarea_id=theme.pk))
    Link.objects.bulk_create(links, batch_size=5_000)
    return len(targets)


def _target(plan, n, indicator, country, baseline, rng) -> Target:
    at_most = indicator.direction == Indicator.Direction.LOWER
    share = indicator.unit == Indicator.Unit.PERCENT
    kind = KINDS[n % len(KINDS)]
    if kind == engine.CUMULATIVE and share:
        kind = engine.THRESHOLD  # shares do not add up
    fields = {
        "plan": plan,
        "key": f"{plan.key}-{n:02d}",
        "order": n,
        "code": str(n + 1),
        "title": indicator.name,
        "indicator": indicator,
        "kind": kind,
        "bound": engine.AT_MOST if at_most else engine.AT_LEAST,
        "deadline": date(2026, 12, 31),
        "period_kind": periods.QUARTER if n % 3 == 0 else periods.MONTH,
        "tolerance": Decimal("0.5") if share else Decimal(10),
    }
    level = Decimal(rng.randint(10, 60)) if share else Decimal(rng.randint(100, 2500))
    if kind in (engine.THRESHOLD, engine.GLIDE_PATH):
        fields["target_value"] = level
        fields["wording"] = f"{'Maksimalt' if at_most else 'Minimum'} {level}"
    if kind == engine.GLIDE_PATH or kind == engine.CHANGE:
        fields.update(baseline_value=level, baseline_period=baseline)
    if kind == engine.CHANGE:
        fields.update(
            change_amount=Decimal(-5 if at_most else 5),
            change_relative=not share,
            wording="Skal falde med 5 %" if at_most else "Skal stige med 5 %",
        )
    if kind == engine.RELATIVE:
        fields.update(
            comparison_area=country if n % 2 else group_on(plan.municipality, plan.starts_on),
            margin=Decimal("0.3") if share else Decimal(0),
            wording="Bedre end landsgennemsnittet",
        )
    if kind == engine.CUMULATIVE:
        fields.update(
            target_value=level * 12,
            bound=engine.AT_LEAST,
            period_kind=periods.MONTH,
            wording=f"{level * 12} i alt i 2025-2026",
        )
    if kind == engine.MILESTONE:
        fields.update(indicator=None, milestone_state=rng.choice(list(Target.MilestoneState)),
                      wording="Ny indsats er i gang")  # fmt: skip
    return Target(**fields)


def data_set_summary() -> str:
    def n(count):
        return f"{count:,}".replace(",", ".")

    return (
        f"{n(Area.objects.filter(kind=Area.Kind.MUNICIPALITY).count())} municipalities, "
        f"{n(Indicator.objects.count())} indicators, {n(Target.objects.count())} targets, "
        f"{n(Measurement.objects.count())} measurements"
    )
