"""Reads of areas: which comparison groups a municipality belongs to, and when."""

from datetime import date

from .models import Area


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
