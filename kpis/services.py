"""Writes of figures. Everything that creates or changes a measurement goes through here, so a
revision is always kept and the statuses it touches are always refreshed."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import numpy as np
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jobcenter.errors import Refusal

from . import bulk, fields, importers, periods, spreadsheets
from .danish import danish_slug
from .models import Area, AreaMembership, ImportBatch, Indicator, Measurement, Period
from .signals import measurements_changed

logger = logging.getLogger(__name__)

CREATED = "created"
REVISED = "revised"
UNCHANGED = "unchanged"


def area_get_or_create(
    *, kind: str, name: str, code: str = "", region=None, slug: str = ""
) -> Area:
    """The area of this name, created if missing; a code or region given fills in what the
    stored area lacks or corrects it."""
    area, created = Area.objects.get_or_create(
        name=name,
        defaults={"kind": kind, "slug": slug or danish_slug(name), "code": code, "region": region},
    )
    if not created and (region or code):
        changed = {"region": region or area.region, "code": code or area.code}
        if any(getattr(area, field) != value for field, value in changed.items()):
            for field, value in changed.items():
                setattr(area, field, value)
            area.save(update_fields=list(changed))
    return area


@transaction.atomic
def area_memberships_set(*, group: Area, members, valid_from, valid_to=None) -> int:
    """Make these municipalities the group's members from valid_from to valid_to (None: still
    in force); memberships already there are kept, not duplicated. Returns how many were
    added."""
    have = set(
        AreaMembership.objects.filter(group=group, valid_from=valid_from).values_list(
            "member_id", flat=True
        )
    )
    added = [
        AreaMembership(member=m, group=group, valid_from=valid_from, valid_to=valid_to)
        for m in members
        if m.pk not in have
    ]
    AreaMembership.objects.bulk_create(added)
    AreaMembership.objects.filter(group=group, valid_from=valid_from).exclude(
        valid_to=valid_to
    ).update(valid_to=valid_to)
    return len(added)


def period_get_or_create(text) -> Period:
    """The period for a code or Danish label, e.g. "2023QMAT03" or "4.kv.22 - 3.kv.23"."""
    spec = periods.parse_period(text)
    period, _created = Period.objects.get_or_create(kind=spec.kind, start=spec.start, end=spec.end)
    return period


def period_stored(period: Period | None) -> Period | None:
    """A period from kpis.selectors.period_for, stored if it is new (on save, not on
    validation)."""
    if period is None or period.pk is not None:
        return period
    stored, _created = Period.objects.get_or_create(
        kind=period.kind, start=period.start, end=period.end
    )
    return stored


def period_ids(specs) -> list[int]:
    """The ids of these periods (PeriodSpecs), in their order, each created if it is new: the
    known ones in one query (a national file or table has a hundred periods or more)."""
    specs = list(specs)
    if not specs:
        return []
    known = {
        (kind, start, end): pk
        for pk, kind, start, end in Period.objects.filter(
            start__gte=min(s.start for s in specs), end__lte=max(s.end for s in specs)
        ).values_list("pk", "kind", "start", "end")
    }
    ids = []
    for spec in specs:
        pk = known.get((spec.kind, spec.start, spec.end))
        if pk is None:
            pk = Period.objects.get_or_create(kind=spec.kind, start=spec.start, end=spec.end)[0].pk
        ids.append(pk)
    return ids


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
    # Rounded to the stored precision before it is compared, so the same figure imported twice
    # is "unchanged", not a revision.
    return Decimal(value).quantize(fields.STORED_QUANTUM)


@transaction.atomic
def measurements_record(*, rows, user=None) -> dict[str, int]:
    """Create or revise many figures at once; all or nothing.

    A figure that changes keeps its previous value as a MeasurementRevision. Returns how many
    rows were created, revised and unchanged. The same figure twice: the last row counts.
    """
    latest = {}
    for row in rows:
        latest[(row.indicator.pk, row.area.pk, row.period.pk)] = row
    staged = [
        bulk.Staged(key[0], key[1], key[2], stored_value(row.value), row.source)
        for key, row in latest.items()
    ]
    return _store(bulk.stage(staged), user)


def _store(total: int, user, note=("", ""), fetched_at=None) -> dict[str, int]:
    """Store the staged figures and queue the refresh of the statuses they touch."""
    outcome = bulk.store_staged(
        total=total,
        user_id=user.pk if user else None,
        now=timezone.now(),
        note=note,
        fetched_at=fetched_at,
    )
    if outcome.series:
        measurements_changed.send(sender=Measurement, series=outcome.series)
    return {CREATED: outcome.created, REVISED: outcome.revised, UNCHANGED: outcome.unchanged}


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


# -- imports -------------------------------------------------------------------------------

# Files with more rows than this are read and stored by a Celery worker, with a progress bar.
BACKGROUND_ROWS = 5_000
BACKGROUND_XLSX_BYTES = 2_000_000  # about 5.000 rows of sheet XML
SHOWN_ERRORS = 50  # the refused rows kept and shown; the rest are counted


def import_is_large(content: bytes, filename: str) -> bool:
    """Whether a file is read by a worker rather than in the request: more than
    BACKGROUND_ROWS lines, or a workbook whose XML unpacks to more than those rows take."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return spreadsheets.unpacked_size(content) > BACKGROUND_XLSX_BYTES
    return content.count(b"\n") > BACKGROUND_ROWS


def import_upload(
    *, user, filename, content, indicator=None, value_column="", allowed_area_ids=None
) -> ImportBatch:
    """Keep an uploaded file for reading; nothing is stored as figures yet."""
    return ImportBatch.objects.create(
        user=user,
        filename=filename[:255],
        content=content,
        indicator=indicator,
        value_column=value_column,
        allowed_area_ids=sorted(allowed_area_ids) if allowed_area_ids is not None else None,
        state=ImportBatch.State.READING,
        state_since=timezone.now(),
    )


def import_read(*, batch_id: int) -> ImportBatch | None:
    """Read and check the file, and classify each clean row as new, revised or unchanged.
    Safe to run twice; a batch gone meanwhile is ignored."""
    batch = ImportBatch.objects.filter(pk=batch_id, state=ImportBatch.State.READING).first()
    if batch is None:
        return None

    def progress(done, total):
        ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done, rows_total=total)

    allowed = set(batch.allowed_area_ids) if batch.allowed_area_ids is not None else None
    try:
        result = importers.parse(
            bytes(batch.content),
            batch.filename,
            indicator=batch.indicator,
            value_column=batch.value_column,
            allowed_area_ids=allowed,
            progress=progress,
        )
    except importers.ImportFileError as exc:
        return _refuse(batch, str(exc))
    except SoftTimeLimitExceeded:
        return _refuse(batch, _read_too_long())
    except Exception:
        # A batch must never stay "reading" for ever; the details go to the log.
        logger.exception("Reading import %s failed", batch.pk)
        return _refuse(batch, _("The file could not be read (an unexpected error)."))
    batch.refresh_from_db(fields=["rows_total", "rows_done"])
    # The first problems are shown, with how many there are: a file of a million bad rows
    # must not make a page (or a database row) of a million reasons.
    batch.errors = [[line, reason] for line, reason in result.errors[:SHOWN_ERRORS]]
    batch.errors_total = len(result.errors)
    batch.suppressed = result.suppressed
    batch.rows = _classified(result.rows)
    batch.counts = _counts(batch.rows)
    batch.state = ImportBatch.State.PREVIEW if result.ok else ImportBatch.State.REFUSED
    if result.frame.empty and not result.errors:
        batch.file_error = _("The file has no figures, only suppressed values.")
    batch.save(update_fields=["errors", "errors_total", "suppressed", "rows", "counts", "state",
                              "file_error"])  # fmt: skip
    return batch


def _read_too_long() -> str:
    return _(
        "Reading the file took longer than %(minutes)s minutes and was stopped; nothing has "
        "been saved. Split the file into smaller files and load them one by one."
    ) % {"minutes": settings.IMPORT_SOFT_TIME_LIMIT // 60}


def imports_fail_stuck() -> int:
    """Mark refused, saying why, the batches still reading or saving IMPORT_STUCK_MINUTES
    after they began: their worker was killed (out of memory, past the hard time limit) or
    stopped. A save in progress holds its batch's row locked (PostgreSQL) and is skipped; a
    save that died rolled back, so nothing of it was stored. Returns how many were marked."""
    cutoff = timezone.now() - timedelta(minutes=settings.IMPORT_STUCK_MINUTES)
    began_before = Q(state_since__lt=cutoff) | Q(state_since__isnull=True, created_at__lt=cutoff)
    reasons = {
        ImportBatch.State.READING: _(
            "Reading the file stopped before it was done (it took too long, or the worker "
            "reading it stopped); nothing has been saved. Upload the file again, or split it "
            "into smaller files."
        ),
        ImportBatch.State.SAVING: _(
            "Saving the figures stopped before it was done; nothing has been saved. Upload the "
            "file again."
        ),
    }
    marked = 0
    with transaction.atomic():
        stuck = ImportBatch.objects.select_for_update(skip_locked=True).filter(
            began_before, state__in=list(reasons)
        )
        for pk, state in stuck.values_list("pk", "state"):
            marked += ImportBatch.objects.filter(pk=pk, state=state).update(
                state=ImportBatch.State.REFUSED, file_error=reasons[state]
            )
    if marked:
        logger.warning("Marked %s stuck imports as refused", marked)
    return marked


def _refuse(batch, message) -> ImportBatch:
    batch.file_error = message
    batch.state = ImportBatch.State.REFUSED
    batch.save(update_fields=["file_error", "state"])
    return batch


def _counts(rows) -> dict[str, int]:
    return {
        outcome: sum(1 for row in rows if row["outcome"] == outcome)
        for outcome in (CREATED, REVISED, UNCHANGED)
    }


def _classified(rows, *, lock=False) -> list[dict]:
    """Each clean row with what storing it would do: new, revised (with the old value) or
    unchanged. One query for all the figures the rows could touch (locked, when saving)."""
    pairs = {(r.indicator_id, r.area_id) for r in rows}
    existing = {}
    wanted = Q()
    for indicator_id, area_id in pairs:
        wanted |= Q(indicator_id=indicator_id, area_id=area_id)
    if pairs:
        figures = Measurement.objects.filter(wanted).select_related("period")
        for m in figures.select_for_update(of=("self",)) if lock else figures:
            key = (m.indicator_id, m.area_id, m.period.kind, m.period.start, m.period.end)
            existing[key] = m.value
    classified = []
    for r in rows:
        old = existing.get((r.indicator_id, r.area_id, r.period.kind, r.period.start, r.period.end))
        value = stored_value(r.value)
        outcome = CREATED if old is None else UNCHANGED if old == value else REVISED
        classified.append(
            {
                "line": r.line,
                "indicator": r.indicator_id,
                "area": r.area_id,
                "period": r.period.code,
                "value": str(value),
                "old": str(old) if old is not None else None,
                "outcome": outcome,
            }
        )
    return classified


class PreviewOutdated(Refusal):
    """Figures the file touches changed after the preview was made; nothing was saved, and the
    preview now shows the figures as they stand."""

    code = "preview_outdated"

    def __init__(self):
        super().__init__(
            _(
                "Some of the figures changed after the preview was made. Nothing was saved; "
                "check the preview as it now stands and save again."
            )
        )


def _rows_as_clean(rows) -> list[importers.CleanRow]:
    return [
        importers.CleanRow(
            r["line"],
            r["indicator"],
            r["area"],
            periods.parse_period(r["period"]),
            Decimal(r["value"]),
        )  # fmt: skip
        for r in rows
    ]


def import_commit(*, batch_id: int, user=None) -> ImportBatch | None:
    """Store a previewed file's figures, all or nothing. If any figure changed since the
    preview, nothing is stored: PreviewOutdated, with the preview brought up to date (the user
    saw other old values than the ones they would overwrite).

    The batch is claimed with a conditional update (preview → saving, which the progress page
    shows), so two clicks or two workers never store it twice; it is marked saved in the same
    transaction as its figures. Where the database locks rows (PostgreSQL), the batch row is
    locked for the whole save too, so a worker that was killed outright, leaving "saving"
    behind, is told apart from one still at work: the redelivered task takes the batch over."""
    claimed = ImportBatch.objects.filter(pk=batch_id, state=ImportBatch.State.PREVIEW).update(
        state=ImportBatch.State.SAVING, state_since=timezone.now()
    )
    if not claimed and not connection.features.has_select_for_update_skip_locked:
        return None
    try:
        with transaction.atomic():
            batch = (
                ImportBatch.objects.select_for_update(skip_locked=True)
                .filter(pk=batch_id, state=ImportBatch.State.SAVING)
                .first()
            )
            if batch is None:  # saved already, or another worker is saving it now
                return None
            if _classified(_rows_as_clean(batch.rows), lock=True) != batch.rows:
                raise PreviewOutdated
            counts = measurements_record(rows=_rows_to_store(batch), user=user)
            batch.state = ImportBatch.State.COMMITTED
            batch.counts = counts
            batch.committed_at = timezone.now()
            batch.content = b""  # the figures are stored; the file itself need not be kept
            batch.save(update_fields=["state", "counts", "committed_at", "content"])
            return batch
    except PreviewOutdated:
        batch.rows = _classified(_rows_as_clean(batch.rows))
        batch.counts = _counts(batch.rows)
        batch.state = ImportBatch.State.PREVIEW
        batch.save(update_fields=["rows", "counts", "state"])
        raise
    except Exception:
        ImportBatch.objects.filter(pk=batch_id).update(state=ImportBatch.State.PREVIEW)
        raise


def _rows_to_store(batch) -> list[MeasurementRow]:
    indicators = Indicator.objects.in_bulk({r["indicator"] for r in batch.rows})
    areas = Area.objects.in_bulk({r["area"] for r in batch.rows})
    periods = {code: period_get_or_create(code) for code in {r["period"] for r in batch.rows}}
    before, after = import_note(batch.filename)
    return [
        MeasurementRow(
            indicators[r["indicator"]],
            areas[r["area"]],
            periods[r["period"]],
            Decimal(r["value"]),
            f"{before}{r['line']}{after}",
        )
        for r in batch.rows
    ]


def import_note(filename: str) -> tuple[str, str]:
    """The source note of a file's figures, as the text before and after the line number: the
    note is translated once per file, and the database puts the line numbers in."""
    note = _("Import: %(file)s, line %(line)s") % {"file": filename.replace("\0", ""), "line": "\0"}
    before, _line, after = note.partition("\0")
    return before, after


class ImportRefused(Refusal):
    """A file with refused rows; nothing was stored. errors: [(line, reason)]."""

    code = "import_refused"

    def __init__(self, errors):
        message = ngettext(
            "%(count)s row refused; nothing was saved.",
            "%(count)s rows refused; nothing was saved.",
            len(errors),
        ) % {"count": len(errors)}
        shown = [{"line": line, "reason": str(reason)} for line, reason in errors[:SHOWN_ERRORS]]
        super().__init__(message, details={"refused": len(errors), "errors": shown})
        self.errors = errors


@transaction.atomic
def figures_import(
    *,
    content: bytes,
    filename: str,
    user=None,
    indicator=None,
    value_column="",
    allowed_area_ids=None,
) -> dict[str, int]:
    """Read a file and store its figures at once, without a preview: the bulk load from the
    command line (manage.py import_figures) and the benchmark. The same checks as the
    analysts' import; any refused row refuses the whole file (ImportRefused), an unreadable
    file raises importers.ImportFileError. Returns how many were created, revised, unchanged."""
    result = importers.parse(
        content,
        filename,
        indicator=indicator,
        value_column=value_column,
        allowed_area_ids=allowed_area_ids,
    )
    if result.errors:
        raise ImportRefused(result.errors)
    if result.frame.empty:
        raise importers.ImportFileError(_("The file has no figures, only suppressed values."))
    frame = result.frame
    # The periods are a categorical column (importers.parse): one look-up per period, and the
    # rows take their ids by code.
    periods = frame["period"].cat.remove_unused_categories()
    ids = np.array(period_ids(periods.cat.categories), dtype=np.int64)
    # The values need no rounding: the importer refuses more decimals than are stored; they
    # are staged as the text the importer made of each distinct value.
    staged = frame.assign(
        period_id=ids[periods.cat.codes.to_numpy()], source=frame["line"], value=frame["stored"]
    )
    return _store(bulk.stage_frame(staged), user, note=import_note(filename))


# -- figures fetched from jobindsats.dk (kpis/jobindsats/) ----------------------------------


@transaction.atomic
def measurements_store_fetched(*, frame, fetched_at) -> dict[str, int]:
    """Store a table's fetched figures at once, all or nothing, the same set-based way as an
    import: revisions kept, the statuses they touch refreshed once, after commit.

    frame: one row per figure with indicator_id, area_id, period_id, value (Decimal, to the
    stored quantum), source, origin_id (the IndicatorSource) and origin_period (the period code
    as jobindsats.dk wrote it). Returns how many were created, revised and unchanged."""
    return _store(bulk.stage_frame(frame), None, fetched_at=fetched_at)


def measurements_preview_fetched(*, frame) -> list[tuple]:
    """What measurements_store_fetched would do with the frame, storing nothing: (indicator_id,
    area_id, period_id, value, stored value or None) per figure."""
    with transaction.atomic():
        bulk.stage_frame(frame)
        return bulk.preview_staged()


# -- typed figures (the data-entry grid) --------------------------------------------------


@dataclass(frozen=True)
class CellChange:
    """A figure typed in the grid: the new value and the version the user saw (the figure's
    updated_at as text, "" where there was none)."""

    indicator: Indicator
    area: Area
    period: periods.PeriodSpec
    value: Decimal
    seen_version: str


class FiguresChanged(Refusal):
    """Someone saved some of the same figures after the user opened the grid; nothing was
    saved. conflicts: [(CellChange, the figure as it now stands or None)]."""

    code = "figures_changed"

    def __init__(self, conflicts):
        super().__init__(
            ngettext(
                "%(count)s figure was changed by someone else meanwhile; nothing was saved.",
                "%(count)s figures were changed by someone else meanwhile; nothing was saved.",
                len(conflicts),
            )
            % {"count": len(conflicts)}
        )
        self.conflicts = conflicts


def version_of(measurement: Measurement | None) -> str:
    return measurement.updated_at.isoformat() if measurement else ""


def _lock_cells(cells):
    """On PostgreSQL, hold a lock on each cell (indicator, area, period) until the transaction
    ends, in a fixed order. A figure the user saw empty has no row to lock: without this, two
    analysts typing the same new figure would both find it missing, and the second would
    overwrite the first without being told."""
    if connection.vendor != "postgresql":
        return  # SQLite lets one writer in at a time
    keys = sorted({(c.indicator.pk, (c.area.pk << 16 ^ p.pk) & 0x7FFFFFFF) for c, p in cells})
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", key)


@transaction.atomic
def figures_save_checked(*, changes: list[CellChange], user=None) -> dict[str, int]:
    """Save typed figures together, all or nothing, unless any of them changed since the user
    saw it: then FiguresChanged names them and nothing is saved (no silent overwrite)."""
    conflicts, rows = [], []
    cells = [(change, period_get_or_create(change.period)) for change in changes]
    _lock_cells(cells)
    for change, period in cells:
        current = (
            Measurement.objects.select_for_update()
            .filter(indicator=change.indicator, area=change.area, period=period)
            .first()
        )
        if version_of(current) != change.seen_version:
            conflicts.append((change, current))
        else:
            rows.append(MeasurementRow(change.indicator, change.area, period, change.value,
                                       _("Typed in the data-entry grid")))  # fmt: skip
    if conflicts:
        raise FiguresChanged(conflicts)
    return measurements_record(rows=rows, user=user)


# -- comparable municipalities ------------------------------------------------------------

MAX_COMPARABLES = 20


@transaction.atomic
def area_comparables_set(*, municipality: Area, comparables, user=None) -> list[Area]:
    """Name the municipalities this one compares itself with (sammenlignelige kommuner),
    replacing those named before. Refuses the municipality itself, areas that are not
    municipalities and more than MAX_COMPARABLES; then nothing changes."""
    from django.core.exceptions import ValidationError

    if municipality.kind != Area.Kind.MUNICIPALITY:
        raise ValidationError(_("Only a municipality names comparable municipalities."))
    chosen = list({area.pk: area for area in comparables}.values())
    errors = []
    if any(area.pk == municipality.pk for area in chosen):
        errors.append(_("A municipality cannot be comparable with itself."))
    others = sorted(area.name for area in chosen if area.kind != Area.Kind.MUNICIPALITY)
    if others:
        errors.append(_("Not municipalities: %(names)s.") % {"names": ", ".join(others)})
    if len(chosen) > MAX_COMPARABLES:
        errors.append(
            _("At most %(max)d comparable municipalities; %(count)d were chosen.")
            % {"max": MAX_COMPARABLES, "count": len(chosen)}
        )
    if errors:
        raise ValidationError(errors)
    municipality.comparables.set(chosen)
    logger.info(
        "%s named the comparable municipalities of %s: %s",
        user.get_username() if user else "-",
        municipality.name,
        ", ".join(sorted(area.name for area in chosen)) or "none",
    )
    return chosen
