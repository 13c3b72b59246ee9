"""Writes of figures. Everything that creates or changes a measurement goes through here, so a
revision is always kept and the statuses it touches are always refreshed."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from . import periods
from .models import Area, Indicator, Measurement, MeasurementRevision, Period
from .signals import measurements_changed

CREATED = "created"
REVISED = "revised"
UNCHANGED = "unchanged"


def area_get_or_create(*, kind: str, name: str, code: str = "", rar=None, region=None) -> Area:
    area, created = Area.objects.get_or_create(
        name=name,
        defaults={"kind": kind, "slug": slugify(name), "code": code, "rar": rar, "region": region},
    )
    if not created and (rar or region or code):
        changed = {
            "rar": rar or area.rar,
            "region": region or area.region,
            "code": code or area.code,
        }
        if any(getattr(area, field) != value for field, value in changed.items()):
            for field, value in changed.items():
                setattr(area, field, value)
            area.save(update_fields=list(changed))
    return area


def period_get_or_create(text) -> Period:
    """The period for a code or Danish label, e.g. "2023QMAT03" or "4.kv.22 - 3.kv.23"."""
    spec = periods.parse_period(text)
    period, _created = Period.objects.get_or_create(kind=spec.kind, start=spec.start, end=spec.end)
    return period


# Figures are stored to six decimals (kpis.fields.value_field); a value is rounded to that
# before it is compared, so the same figure imported twice is "unchanged", not a revision.
STORED_QUANTUM = Decimal("0.000001")


@dataclass(frozen=True)
class MeasurementRow:
    """One clean figure, ready to store."""

    indicator: Indicator
    area: Area
    period: Period
    value: Decimal
    source: str = ""


def stored_value(value) -> Decimal:
    if not isinstance(value, Decimal | int):
        # A float has already lost exactness; callers parse text with kpis.danish.
        raise TypeError(f"A figure must be a Decimal, not {type(value).__name__}")
    return Decimal(value).quantize(STORED_QUANTUM)


def _locked_or_created(row: MeasurementRow, value: Decimal, user):
    """The existing figure, locked for update, or a new one. Two writers creating the same new
    figure at once: the second finds the first's row instead of failing the whole batch."""
    existing = Measurement.objects.select_for_update().filter(
        indicator=row.indicator, area=row.area, period=row.period
    )
    measurement = existing.first()
    if measurement is not None:
        return measurement, False
    try:
        with transaction.atomic():
            return Measurement.objects.create(
                indicator=row.indicator,
                area=row.area,
                period=row.period,
                value=value,
                source=row.source,
                entered_by=user,
            ), True
    except IntegrityError:
        return existing.get(), False


@transaction.atomic
def measurements_record(*, rows, user=None) -> dict[str, int]:
    """Create or revise many figures at once; all or nothing.

    A figure that changes keeps its previous value as a MeasurementRevision. Returns how many
    rows were created, revised and unchanged.
    """
    counts = {CREATED: 0, REVISED: 0, UNCHANGED: 0}
    changed = set()
    for row in rows:
        value = stored_value(row.value)
        measurement, created = _locked_or_created(row, value, user)
        if created:
            counts[CREATED] += 1
            changed.add((row.indicator.pk, row.area.pk))
        elif measurement.value != value:
            MeasurementRevision.objects.create(
                measurement=measurement,
                old_value=measurement.value,
                new_value=value,
                old_source=measurement.source,
                changed_by=user,
            )
            measurement.value = value
            measurement.source = row.source or measurement.source
            measurement.entered_by = user
            measurement.save(update_fields=["value", "source", "entered_by", "updated_at"])
            counts[REVISED] += 1
            changed.add((row.indicator.pk, row.area.pk))
        else:
            counts[UNCHANGED] += 1
    if changed:
        measurements_changed.send(sender=Measurement, series=sorted(changed))
    return counts


@transaction.atomic
def measurements_delete(*, measurements) -> int:
    """Delete figures (their revisions go with them) and refresh the statuses they touched."""
    measurements = list(measurements)
    series = sorted({(m.indicator_id, m.area_id) for m in measurements})
    Measurement.objects.filter(pk__in=[m.pk for m in measurements]).delete()
    if series:
        measurements_changed.send(sender=Measurement, series=series)
    return len(measurements)


def measurement_record(*, indicator, area, period, value, source="", user=None) -> str:
    """Create or revise one figure; returns "created", "revised" or "unchanged"."""
    row = MeasurementRow(indicator, area, period, value, source)
    counts = measurements_record(rows=[row], user=user)
    return next(outcome for outcome, count in counts.items() if count)
