"""Reads for one indicator across the country: which periods have figures, every area's figure
for one period, a municipality's comparison series. The ranking itself (ties shared), the
mean and the median are the status engine's (plans.engine.status), so a rank target counts
places as the page does.

Every read starts from the areas the user may see (plans.access.visible_areas), so a private
municipality's figure is neither shown nor counted for someone who may not read it.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, Func, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from kpis.models import Area, Indicator, Measurement, Period
from kpis.periods import PeriodSpec

# -- reads ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodChoice:
    pk: int
    spec: PeriodSpec
    figures: int  # how many municipalities have a figure for it

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def kind(self) -> str:
        return self.spec.kind


def periods_with_figures(indicator: Indicator, visible_areas: QuerySet[Area]) -> list[PeriodChoice]:
    """The periods for which visible municipalities have figures of the indicator, earliest
    first, with how many have one. One query."""
    rows = (
        Measurement.objects.filter(
            indicator=indicator,
            area__in=visible_areas.filter(kind=Area.Kind.MUNICIPALITY),
        )
        .values("period_id", "period__kind", "period__start", "period__end")
        .annotate(figures=Count("id"))
        .order_by("period__end", "period__start")
    )
    return [
        PeriodChoice(
            r["period_id"],
            PeriodSpec(r["period__start"], r["period__end"], r["period__kind"]),
            r["figures"],
        )
        for r in rows
    ]


def default_kind(choices: list[PeriodChoice]) -> str | None:
    """The period kind most figures are of (on a tie, the kind of the latest period)."""
    counts = Counter()
    for choice in choices:
        counts[choice.kind] += choice.figures
    if not counts:
        return None
    latest = {choice.kind: index for index, choice in enumerate(choices)}
    return max(counts, key=lambda kind: (counts[kind], latest[kind]))


def areas_for_page(visible_areas: QuerySet[Area]) -> list[Area]:
    """Every area the user may see, with its region: the municipalities to choose among, the
    country and the regions. One query."""
    return list(visible_areas.select_related("region").order_by("kind", "name"))


def values_for_period(indicator: Indicator, period_id: int, area_ids) -> dict[int, Decimal]:
    """Each area's figure for the period, by area id. One query."""
    rows = (
        Measurement.objects.filter(
            indicator=indicator, period_id=period_id, area_id__in=list(area_ids)
        )
        .order_by()  # the default ordering would join the areas for nothing
        .values_list("area_id", "value")
    )
    return dict(rows)


def comparables_of(municipality: Area) -> list[int]:
    """The ids of the municipalities this one named as comparable. One query."""
    return list(municipality.comparables.values_list("pk", flat=True))


def groups_on(municipality: Area, day: date) -> list[int]:
    """The RAR area or council the municipality belonged to on that day. One query."""
    return list(
        municipality.group_memberships.filter(valid_from__lte=day)
        .exclude(valid_to__lt=day)
        .order_by()
        .values_list("group_id", flat=True)
    )


@dataclass(frozen=True)
class SeriesFigure:
    area_id: int
    spec: PeriodSpec
    value: Decimal


def series_of_kind(indicator: Indicator, kind: str, area_ids) -> list[SeriesFigure]:
    """Every figure of one period kind for these areas, earliest first. One query."""
    rows = (
        Measurement.objects.filter(indicator=indicator, period__kind=kind, area_id__in=area_ids)
        .values_list("area_id", "period__start", "period__end", "value")
        .order_by("period__end", "period__start")
    )
    return [SeriesFigure(a, PeriodSpec(s, e, kind), v) for a, s, e, v in rows]


def period_kind_label(kind: str) -> str:
    return Period.Kind(kind).label


def with_municipalities_measured(indicators: QuerySet, visible_areas: QuerySet[Area]) -> QuerySet:
    """The indicators, each with how many visible municipalities have figures of it
    (municipalities). Asked per indicator and municipality whether one figure exists, a
    look-up in the unique (indicator, area, period) index each, rather than counted over every
    figure: at national scale that read 3,4 million figures for the list."""
    measured = (
        visible_areas.filter(kind=Area.Kind.MUNICIPALITY)
        .filter(Exists(Measurement.objects.filter(indicator=OuterRef(OuterRef("pk")),
                                                  area=OuterRef("pk"))))
        .order_by()
        .annotate(count=Func("pk", function="COUNT"))
        .values("count")
    )  # fmt: skip
    return indicators.annotate(municipalities=Coalesce(Subquery(measured), 0))


def indicators_matching(indicators: QuerySet, *, text="", focus_area=None, municipality=None):
    """The indicator list's search and filters: a word of the name or the description; an
    indicator a focus area's targets follow; one a municipality measures, follows in a plan or
    owns. Each filter narrows by key, so the list's counts are not multiplied by the joins."""
    if text:
        indicators = indicators.filter(Q(name__icontains=text) | Q(description__icontains=text))
    if focus_area is not None:
        indicators = indicators.filter(
            pk__in=Indicator.objects.filter(targets__focus_areas=focus_area).values("pk")
        )
    if municipality is not None:
        indicators = indicators.filter(
            Q(Exists(Measurement.objects.filter(indicator=OuterRef("pk"), area=municipality)))
            | Q(pk__in=Indicator.objects.filter(targets__plan__municipality=municipality)
                .values("pk"))
            | Q(owner=municipality)
        )  # fmt: skip
    return indicators
