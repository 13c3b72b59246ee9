"""Reads of areas: which comparison groups a municipality belongs to, and when."""

from datetime import date

from django.db.models import Count, Prefetch

from . import periods
from .models import Area, AreaMembership, Period


def groups_of(municipality: Area, *, start: date, end: date) -> list[Area]:
    """The RAR areas and regional employment councils the municipality belonged to at any time
    from start to end, earliest first: a plan for 2024–2025 compares with RAR Sjælland for
    2024 and with the Sjælland council for 2025."""
    links = (
        municipality.group_memberships.filter(valid_from__lte=end)
        .exclude(valid_to__lt=start)
        .select_related("group")
        .order_by("valid_from")
    )
    return [link.group for link in links]


def group_on(municipality: Area, day: date, kind: str | None = None) -> Area | None:
    """The RAR area or council the municipality belonged to on that day (of that kind)."""
    groups = [g for g in groups_of(municipality, start=day, end=day) if kind in (None, g.kind)]
    return groups[0] if groups else None


def municipalities_with_groups():
    """Every municipality with its region and its dated RAR areas and councils prefetched:
    two queries for the whole country."""
    return (
        Area.objects.filter(kind=Area.Kind.MUNICIPALITY)
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "group_memberships",
                queryset=AreaMembership.objects.select_related("group").order_by("valid_from"),
            )
        )
        .order_by("name")
    )


def comparison_areas_with_member_counts():
    """Hele landet, the regions, the RAR areas and the councils, each with its number of
    member municipalities (over all time, for the RAR areas and councils)."""
    return (
        Area.objects.exclude(kind=Area.Kind.MUNICIPALITY)
        .annotate(
            member_count=Count("member_links", distinct=True)
            + Count("region_municipalities", distinct=True)
        )
        .order_by("kind", "name")
    )


def period_for(text) -> Period:
    """The period for a code or Danish label: the stored one, or a new one not yet saved, so
    validating (a form's preview, a refused request) writes nothing; the service that saves
    stores it (kpis.services.period_stored). PeriodError for text that is no period."""
    spec = periods.parse_period(text)
    found = Period.objects.filter(kind=spec.kind, start=spec.start, end=spec.end).first()
    return found or Period(kind=spec.kind, start=spec.start, end=spec.end)
