"""The sync: a followed jobindsats.dk table's figures into the portal, all or nothing.

Per SourceTable: read the table's metadata, map its area values to the portal's areas (by
name, the municipality code as a fallback), fetch the figures with one request per area
hierarchy (every measure, every period of the bound kinds), pick each bound indicator's rows by
its filters and measure column, read the periods and values, and store everything for the
table in one transaction through kpis.services (the set-based path of imports: revisions kept,
statuses refreshed once, after commit). An answer that is not as JOBINDSATS.md describes stores
nothing: the Danish message goes to SourceTable.last_error.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jobcenter.text import whole_number
from kpis import periods, services
from kpis.danish import DanishNumberError, format_number, parse_number
from kpis.importers import SUPPRESSED, value_problem
from kpis.models import Area, IndicatorSource, SourceTable
from kpis.periods import PeriodError, PeriodSpec, parse_period

from .client import Client, DataAnswer, JobindsatsError, NotAsDocumented, TableMeta, Value

log = logging.getLogger(__name__)

# The area hierarchies of jobindsats.dk's tables (JOBINDSATS.md), and what their values are.
# A RAR hierarchy's values are matched by name to a RAR area or to a 2025- council alike.
AREA_HIERARCHIES = {
    "_nykom": Area.Kind.MUNICIPALITY,
    "_kom": Area.Kind.MUNICIPALITY,
    "_hele_landet": Area.Kind.COUNTRY,
    "_reko": Area.Kind.RAR,
    "_rar": Area.Kind.RAR,
    "_region": Area.Kind.REGION,
}
MUNICIPALITIES = ("_nykom", "_kom")
AREA_COLUMNS = ("område", "omraade", "area")
PERIOD_COLUMNS = ("periode", "period")
# The period parameter of a data request per kind: M is documented, the others follow the
# period codes (JOBINDSATS.md, L).
PERIOD_LETTERS = {
    periods.MONTH: "M",
    periods.QUARTER: "Q",
    periods.HALF_YEAR: "H",
    periods.YEAR: "Y",
    periods.ROLLING_YEAR: "QMAT",
}
PERIODS_PER_YEAR = {"M": 12, "Q": 4, "H": 2, "Y": 1, "QMAT": 4}
# A full sync asks for every period since jobindsats.dk's figures begin.
HISTORY_STARTS = date(2007, 1, 1)
# A claim older than this is a worker that died: the table may be claimed again.
CLAIM_LIMIT = timedelta(hours=1)
EXAMPLES = 3


class Busy(JobindsatsError):
    def __init__(self, table_id):
        super().__init__(
            _("The table %(table)s is being fetched already; try again when that is done.")
            % {"table": table_id}
        )


@dataclass
class BindingReport:
    """What a sync did (or a dry run would do) for one bound indicator."""

    indicator: str
    measure: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # area kind → outcome → n
    examples: list[str] = field(default_factory=list)


@dataclass
class SyncReport:
    table_id: str
    name: str = ""
    figures: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    suppressed: int = 0
    missing: list[str] = field(default_factory=list)  # municipalities the metadata lacks
    unknown: list[str] = field(default_factory=list)  # areas in the answer the portal lacks
    bindings: list[BindingReport] = field(default_factory=list)
    dry_run: bool = False

    @property
    def warning(self) -> str:
        """What the administrators should know although the sync succeeded, in Danish."""
        parts = []
        if self.missing:
            parts.append(
                _("Municipalities the table's metadata does not have: %(names)s.")
                % {"names": ", ".join(self.missing)}
            )
        if self.unknown:
            parts.append(
                _("Areas in the answer that the portal does not know (not stored): %(names)s.")
                % {"names": ", ".join(self.unknown)}
            )
        return " ".join(parts)


# -- areas ----------------------------------------------------------------------------------


def _normal(name: str) -> str:
    """A name as compared: case and spacing aside, "RAR-Fyn" as "RAR Fyn", "Guldborgsund
    Kommune" as "Guldborgsund"."""
    text = " ".join(str(name).replace("-", " ").split()).casefold()
    return text.removesuffix(" kommune")


class AreaMap:
    """The portal's areas by normalised name, and municipalities by official code."""

    def __init__(self):
        areas = list(Area.objects.only("pk", "name", "kind", "code"))
        self.by_name = {_normal(a.name): a for a in areas}
        self.by_code = {
            code: a
            for a in areas
            if a.kind == Area.Kind.MUNICIPALITY and (code := whole_number(a.code or "")) is not None
        }
        self.municipalities = [a for a in areas if a.kind == Area.Kind.MUNICIPALITY]

    def find(self, value: Value) -> Area | None:
        found = self.by_name.get(_normal(value.name)) or self.by_name.get(_normal(value.id))
        if found is None and (code := whole_number(value.id.strip())) is not None:
            found = self.by_code.get(code)
        return found


def _area_lookup(meta: TableMeta, areas: AreaMap):
    """For each area hierarchy the table has: the answer's cells (a value's name or id) → the
    portal's area; and the municipalities of the portal the metadata lacks."""
    lookup, seen = {}, set()
    present = [h for h in meta.hierarchies if h.id.casefold() in AREA_HIERARCHIES]
    for hierarchy in present:
        for value in hierarchy.values:
            area = areas.find(value)
            if area is not None:
                lookup[_normal(value.name)] = area
                lookup[_normal(value.id)] = area
                if hierarchy.id.casefold() in MUNICIPALITIES:
                    seen.add(area.pk)
    has_municipalities = any(h.id.casefold() in MUNICIPALITIES for h in present)
    missing = sorted(a.name for a in areas.municipalities if a.pk not in seen)
    return present, lookup, missing if has_municipalities else []


# -- periods --------------------------------------------------------------------------------

_YEAR_CODE = re.compile(r"^(\d{4})Y01$")
_ROLLING_CODE = re.compile(r"^(\d{4})QMAT(\d{2})$")
_PLAIN_CODE = re.compile(r"^\d{4}(?:M\d{2}|Q[1-4]|H[12])$")


def _from_code(code: str) -> PeriodSpec | None:
    """The period a jobindsats.dk code certainly means, or None. A rolling year's suffix is
    the quarter it ends with (01–04); public clients also count 05–12, whose meaning is not
    known, so those are placed only by the table's own label."""
    try:
        if match := _YEAR_CODE.match(code):
            return periods.year(int(match[1]))
        if match := _ROLLING_CODE.match(code):
            suffix = int(match[2])
            return periods.rolling_year(int(match[1]), suffix) if 1 <= suffix <= 4 else None
        if _PLAIN_CODE.match(code):
            return parse_period(code)
    except PeriodError:
        return None
    return None


def period_of(code, meta: TableMeta, what: str) -> PeriodSpec:
    """The period of a code in an answer; refused when its meaning is not certain: unknown,
    or read differently from the code and from the table's label for it."""
    text = str(code).strip()
    by_code = _from_code(text)
    label = meta.periods.get(text, "")
    by_label = None
    if label and label != text:
        try:
            by_label = parse_period(label)
        except PeriodError:
            by_label = None
    if by_code and by_label and by_code != by_label:
        raise NotAsDocumented(
            what,
            _("the period code “%(code)s” and its label “%(label)s” disagree")
            % {"code": text, "label": label},
        )
    spec = by_code or by_label
    if spec is None:
        raise NotAsDocumented(
            what, _("the period code “%(code)s” cannot be placed") % {"code": text}
        )
    return spec


def _latest_count(letter: str, since: date | None, today: date) -> int:
    """How many periods of a kind reach back to `since` (all of them: to HISTORY_STARTS)."""
    start = since or HISTORY_STARTS
    months = (today.year - start.year) * 12 + today.month - start.month + 1
    return max(1, -(-months * PERIODS_PER_YEAR[letter] // 12))


# -- values ---------------------------------------------------------------------------------


def value_of(cell, column: str, what: str) -> Decimal | None:
    """A figure from a cell: a JSON number or a Danish-formatted string; None for a missing
    or suppressed value ("-", ".", "..", null), never 0."""
    if cell is None:
        return None
    if isinstance(cell, Decimal):
        return cell
    if isinstance(cell, int) and not isinstance(cell, bool):
        return Decimal(cell)
    if isinstance(cell, str):
        text = cell.strip()
        if text in SUPPRESSED:
            return None
        try:
            return parse_number(text)
        except DanishNumberError:
            pass
    raise NotAsDocumented(
        what,
        _("the value “%(value)s” in the column “%(column)s” is not a number")
        % {"value": cell, "column": column},
    )


# -- the requests ---------------------------------------------------------------------------


def _column(answer: DataAnswer, names, what: str, shown: str) -> str:
    wanted = {n.casefold() for n in names}
    for column in answer.columns:
        if column.casefold() in wanted:
            return column
    raise NotAsDocumented(what, _("the column “%(column)s” is missing") % {"column": shown})


def _filter_params(meta: TableMeta, bindings, what: str) -> list[tuple[str, str]]:
    """hierarchy.<id>=* for every dimension a binding selects rows by, after checking that
    the table has the value asked for."""
    params = []
    wanted = {}
    for binding in bindings:
        for label, value in (binding.filters or {}).items():
            wanted.setdefault(label.casefold(), (label, set()))[1].add(str(value))
    for key, (label, values) in wanted.items():
        hierarchies = [h for h in meta.hierarchies if h.dimension_label.casefold() == key
                       or h.dimension_id.casefold() == key]  # fmt: skip
        if not hierarchies:
            raise NotAsDocumented(
                what, _("the table has no dimension “%(dimension)s”") % {"dimension": label}
            )
        for value in sorted(values):
            holder = next((h for h in hierarchies if value in {v.name for v in h.values}), None)
            if holder is None:
                raise NotAsDocumented(
                    what,
                    _("the dimension “%(dimension)s” has no value “%(value)s”")
                    % {"dimension": label, "value": value},
                )
            if ("hierarchy." + holder.id, "*") not in params:
                params.append(("hierarchy." + holder.id, "*"))
    return params


def _period_params(bindings, since: PeriodSpec | None, today: date) -> list[tuple[str, str]]:
    letters = sorted({PERIOD_LETTERS[b.period_kind] for b in bindings})
    start = since.start if since else None
    return [(f"period.{letter}", f"latest:{_latest_count(letter, start, today)}")
            for letter in letters]  # fmt: skip


# -- reading the answers into figures -------------------------------------------------------


@dataclass
class _Read:
    """What the answers held: clean rows per answer and binding, the periods by their code,
    and what was left out."""

    frames: list = field(default_factory=list)
    specs: dict = field(default_factory=dict)  # code → PeriodSpec
    keys: dict = field(default_factory=dict)  # PeriodSpec → a number, however it is coded
    suppressed: int = 0
    unknown: set = field(default_factory=set)


def _per_distinct(column: pd.Series, check) -> pd.Series:
    """check(cell) once per distinct cell, spread back to every row: a national table has a
    hundred areas and periods and far fewer distinct values than rows."""
    codes, distinct = pd.factorize(column, use_na_sentinel=False)
    answers = np.empty(len(distinct), dtype=object)
    answers[:] = [check(cell) for cell in distinct]
    return pd.Series(answers[codes], index=column.index, dtype=object)


def _read_answer(answer, meta, bindings, lookup, areas, since, what, read: _Read):
    """Each binding's figures in one answer, as frames of clean rows."""
    area_col = _column(answer, AREA_COLUMNS + _area_labels(meta), what, "Område")
    period_col = _column(answer, PERIOD_COLUMNS, what, "Periode")
    for binding in bindings:
        if binding.measure not in answer.columns:
            raise NotAsDocumented(
                what, _("the measure “%(measure)s” is missing") % {"measure": binding.measure}
            )
        for label in binding.filters or {}:
            _column(answer, [label], what, label)
    frame = pd.DataFrame(answer.rows, columns=answer.columns, dtype=object)
    if frame.empty:
        return
    area_names = {}

    def area(cell):
        key = _normal(cell)
        found = lookup.get(key) or areas.by_name.get(key)
        if found is None:
            area_names[key] = str(cell)
        return found.pk if found else None

    def period(cell):
        code = str(cell).strip()
        if code not in read.specs:
            spec = period_of(code, meta, what)
            read.specs[code] = spec
            read.keys.setdefault(spec, len(read.keys))
        return code

    area_ids = _per_distinct(frame[area_col], area)
    read.unknown |= set(area_names.values())
    codes = _per_distinct(frame[period_col], period)
    texts = {}  # dimension columns as text, made once for all the bindings
    for binding in bindings:
        wanted = {code: spec.kind == binding.period_kind
                  and (since is None or spec.start >= since.start)
                  for code, spec in read.specs.items()}  # fmt: skip
        chosen = area_ids.notna() & codes.map(wanted).astype(bool)
        for label, value in (binding.filters or {}).items():
            column = _column(answer, [label], what, label)
            if column not in texts:
                texts[column] = _per_distinct(frame[column], lambda c: str(c).strip())
            chosen &= texts[column] == str(value)
        values = _per_distinct(
            frame.loc[chosen, binding.measure], lambda c, m=binding.measure: value_of(c, m, what)
        )
        kept = values.notna()
        read.suppressed += int((~kept).sum())
        _check_values(values[kept], binding, what)
        origin = codes[chosen][kept]
        read.frames.append(
            pd.DataFrame(
                {
                    "indicator_id": binding.indicator_id,
                    "area_id": area_ids[chosen][kept].astype("int64"),
                    "period_key": origin.map({c: read.keys[s] for c, s in read.specs.items()}),
                    "value": values[kept],
                    "origin_id": binding.pk,
                    "origin_period": origin,
                }
            )
        )


def _area_labels(meta: TableMeta) -> tuple[str, ...]:
    return tuple(h.dimension_label for h in meta.hierarchies if h.id.casefold() in AREA_HIERARCHIES)


def _check_values(values: pd.Series, binding, what: str):
    """Each distinct value within the range of the indicator's unit (a share 0–100, …)."""
    for value in pd.unique(values):
        problem = value_problem(value, binding.indicator)
        if problem:
            raise NotAsDocumented(
                what,
                _("%(indicator)s: %(problem)s")
                % {"indicator": binding.indicator.name, "problem": problem},
            )


def _one_per_figure(frame: pd.DataFrame, read: _Read, what: str) -> pd.DataFrame:
    """The same figure from two requests (a value listed in two hierarchies, or a period under
    two codes) once; two different values for one figure are refused: the rows are not what
    the binding thinks."""
    key = ["indicator_id", "area_id", "period_key"]
    if not frame.duplicated(key).any():
        return frame
    frame = frame.drop_duplicates(key + ["value"])
    clash = frame.duplicated(key, keep=False)
    if clash.any():
        first = frame[clash].iloc[0]
        area = Area.objects.get(pk=first["area_id"]).name
        raise NotAsDocumented(
            what,
            _(
                "%(area)s, %(period)s has several different values; add a filter on the "
                "dimension that tells them apart"
            )
            % {"area": area, "period": read.specs[first["origin_period"]].label},
        )
    return frame.reset_index(drop=True)


# -- the sync -------------------------------------------------------------------------------


def _progress(table: SourceTable, **counts):
    # Outside the storing transaction, so the sources page sees it while the sync runs.
    SourceTable.objects.filter(pk=table.pk).update(**counts)


def fetch_figures(*, table, bindings, client, since=None, report, today=None):
    """The table's figures as one frame of clean rows; raises NotAsDocumented (storing
    nothing) for an answer that is not as documented."""
    today = today or timezone.localdate()
    meta = client.table(table.table_id)
    report.name = meta.name or table.name
    what = _("the figures of %(table)s") % {"table": table.table_id}
    areas = AreaMap()
    hierarchies, lookup, report.missing = _area_lookup(meta, areas)
    if not hierarchies:
        raise NotAsDocumented(
            what,
            _("the table has no area hierarchy (%(ids)s)") % {"ids": ", ".join(AREA_HIERARCHIES)},
        )
    common = [("mgroup.*", "*"), *_period_params(bindings, since, today)]
    common += _filter_params(meta, bindings, what)
    read, total = _Read(), 0
    for hierarchy in hierarchies:
        answer = client.data(table.table_id, [*common, (f"hierarchy.{hierarchy.id}", "*")])
        total += len(answer.rows)
        if not report.dry_run:
            _progress(table, rows_total=total)
        _read_answer(answer, meta, bindings, lookup, areas, since, what, read)
        if not report.dry_run:
            _progress(table, rows_done=total)
    report.suppressed = read.suppressed
    report.unknown = sorted(read.unknown)
    if not read.frames:
        return meta, pd.DataFrame(columns=["origin_period"]), read.specs
    return meta, _one_per_figure(pd.concat(read.frames, ignore_index=True), read, what), read.specs


def _staged(frame: pd.DataFrame, specs: dict, table: SourceTable) -> pd.DataFrame:
    """The rows with period ids and the source note, ready for the staging table. The values
    need no rounding: value_problem refuses more decimals than are stored."""
    used = frame["origin_period"].unique()
    ids = dict(zip(used, services.period_ids(specs[code] for code in used), strict=True))
    return frame.assign(
        period_id=frame["origin_period"].map(ids), source=f"jobindsats.dk, {table.table_id}"[:300]
    )


def _preview(staged, specs, bindings, report):
    """Per binding and kind of area: how many figures would be new, revised, unchanged."""
    listed = Area.objects.filter(pk__in=staged["area_id"].unique())
    kinds, names = dict(listed.values_list("pk", "kind")), dict(listed.values_list("pk", "name"))
    outcomes = {}
    for indicator_id, area_id, period_id, _value, old in services.measurements_preview_fetched(
        frame=staged
    ):
        outcomes[(indicator_id, area_id, period_id)] = old
    by_indicator = {b.indicator_id: b for b in bindings}
    reports = {b.indicator_id: BindingReport(b.indicator.key, b.measure) for b in bindings}
    for row in staged.itertuples(index=False):
        old = outcomes.get((row.indicator_id, row.area_id, row.period_id))
        value = row.value
        outcome = (
            services.CREATED
            if old is None
            else (services.UNCHANGED if Decimal(old) == value else services.REVISED)
        )
        binding_report = reports[row.indicator_id]
        kind = binding_report.counts.setdefault(kinds[row.area_id], {
            services.CREATED: 0, services.REVISED: 0, services.UNCHANGED: 0})  # fmt: skip
        kind[outcome] += 1
        report.counts[outcome] = report.counts.get(outcome, 0) + 1
        if len(binding_report.examples) < EXAMPLES and outcome != services.UNCHANGED:
            indicator = by_indicator[row.indicator_id].indicator
            shown = indicator.format_value(value)
            if outcome == services.REVISED:
                shown = f"{indicator.format_value(Decimal(old))} → {shown}"
            binding_report.examples.append(
                f"{names[row.area_id]}, {specs[row.origin_period].label} ({row.origin_period}): "
                f"{shown} "
                f"({outcome})"
            )
    report.bindings = list(reports.values())


def table_claim(table: SourceTable) -> bool:
    """Claim the table for a sync (idle or failed → syncing) with one conditional UPDATE, so
    two workers never fetch it at once; a claim left by a dead worker expires."""
    now = timezone.now()
    stale = Q(state=SourceTable.State.SYNCING) & (
        Q(claimed_at__lt=now - CLAIM_LIMIT) | Q(claimed_at__isnull=True)
    )
    claimable = Q(state__in=[SourceTable.State.IDLE, SourceTable.State.FAILED]) | stale
    return bool(
        SourceTable.objects.filter(claimable, pk=table.pk).update(
            state=SourceTable.State.SYNCING, claimed_at=now, rows_done=0, rows_total=0
        )
    )


def table_sync(*, table: SourceTable, indicator=None, since=None, dry_run=False, client=None):
    """Fetch and store a table's figures (only one indicator's with `indicator`; from a
    period on with `since`). A dry run fetches and checks, and reports what would be stored,
    storing nothing and leaving the table's record alone. Returns a SyncReport; raises
    JobindsatsError with the Danish message, which is kept on the table too."""
    bindings = list(
        IndicatorSource.objects.filter(table=table).select_related("indicator").order_by("pk")
    )
    if indicator is not None:
        bindings = [b for b in bindings if b.indicator_id == indicator.pk]
    since = parse_period(since) if since is not None else None
    report = SyncReport(table.table_id, table.name, dry_run=dry_run)
    if not bindings:
        return report
    if dry_run:
        client = client or Client()
        _meta, frame, specs = fetch_figures(
            table=table, bindings=bindings, client=client, since=since, report=report
        )
        report.figures = len(frame)
        if len(frame):
            with transaction.atomic():
                _preview(_staged(frame, specs, table), specs, bindings, report)
                transaction.set_rollback(True)  # the periods it made, too
        return report
    if not table_claim(table):
        raise Busy(table.table_id)
    try:
        client = client or Client()
        meta, frame, specs = fetch_figures(
            table=table, bindings=bindings, client=client, since=since, report=report
        )
        report.figures = len(frame)
        fetched_at = timezone.now()
        with transaction.atomic():
            if len(frame):
                report.counts = services.measurements_store_fetched(
                    frame=_staged(frame, specs, table), fetched_at=fetched_at
                )
            _succeeded(table, meta, report, fetched_at)
    except JobindsatsError as exc:
        _failed(table, str(exc))
        raise
    except Exception:
        log.exception("Sync of %s failed", table.table_id)
        _failed(table, _("The sync failed with an unexpected error; the details are in the log."))
        raise
    return report


def _succeeded(table, meta, report, fetched_at):
    changes = {
        "state": SourceTable.State.IDLE,
        "claimed_at": None,
        "last_synced_at": fetched_at,
        "last_rows": report.figures,
        "last_error": report.warning,
        "rows_done": F("rows_total"),
    }
    if meta.name:
        changes["name"] = meta.name[:300]
    if meta.latest_update:
        changes["latest_update"] = meta.latest_update
    if meta.next_update:
        changes["next_update"] = meta.next_update
    SourceTable.objects.filter(pk=table.pk).update(**changes)
    table.refresh_from_db()


def _failed(table, message):
    SourceTable.objects.filter(pk=table.pk).update(
        state=SourceTable.State.FAILED, claimed_at=None, last_error=message
    )
    table.refresh_from_db()


# -- the schedule ---------------------------------------------------------------------------


def update_times_refresh(client) -> int:
    """Names and update times of the followed tables from the API's list of tables; returns
    how many tables it had times for."""
    followed = {t.table_id: t for t in SourceTable.objects.all()}
    known = 0
    for info in client.tables():
        table = followed.get(info.table_id)
        if table is None:
            continue
        changes = {k: v for k, v in (("latest_update", info.latest_update),
                                     ("next_update", info.next_update)) if v}  # fmt: skip
        if info.name and not table.name:
            changes["name"] = info.name[:300]
        if changes:
            SourceTable.objects.filter(pk=table.pk).update(**changes)
            known += 1
    return known


def due_tables(now=None) -> list[SourceTable]:
    """Followed tables to fetch now: never fetched; updated by jobindsats.dk since the last
    sync; past their expected update and not fetched since; or, without any published time,
    not fetched for a day."""
    now = now or timezone.now()
    synced = Q(last_synced_at__isnull=False)
    due = (
        ~synced
        | Q(latest_update__gt=F("last_synced_at"))
        | Q(next_update__lte=now, last_synced_at__lt=F("next_update"))
        | Q(next_update__isnull=True, latest_update__isnull=True,
            last_synced_at__lt=now - timedelta(days=1))
    )  # fmt: skip
    return list(SourceTable.objects.filter(due, bindings__isnull=False).distinct())


def format_counts(counts: dict[str, int]) -> str:
    return _("%(created)s new, %(revised)s revised, %(unchanged)s unchanged") % {
        outcome: format_number(counts.get(outcome, 0))
        for outcome in (services.CREATED, services.REVISED, services.UNCHANGED)
    }


def due_sync(client=None) -> int:
    """Beat's work (kpis.tasks.sync_due_tables): refresh the update times, then fetch every
    table that is due. A table that fails keeps its message and the others go on; returns how
    many were fetched."""
    client = client or Client()
    try:
        update_times_refresh(client)
    except JobindsatsError as exc:
        log.warning("The list of tables of jobindsats.dk could not be read: %s", exc)
    synced = 0
    for table in due_tables():
        try:
            table_sync(table=table, client=client)
        except JobindsatsError as exc:
            log.warning("Sync of %s: %s", table.table_id, exc)
            continue
        synced += 1
    return synced
