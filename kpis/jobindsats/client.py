"""The HTTP client of jobindsats.dk's API v3, with typed answers.

GET only, JSON only: `Authorization: Bearer <key>`, `Accept: application/json`, the body read
as utf-8-sig (a BOM may lead) with a size limit, decimals parsed as Decimal (never float).
429, 5xx and 403 (seen intermittently, JOBINDSATS.md) are retried with back-off, honouring
Retry-After. Every failure is a JobindsatsError whose message is for the user, in Danish; the
key is never part of a message or a log line.
"""

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from jobcenter.text import whole_number

log = logging.getLogger(__name__)

# A national table of ten years of months is a few MB; a much larger answer is not one the
# connector asked for.
MAX_BYTES = 200 * 1024 * 1024
CHUNK = 1024 * 1024


# -- errors ---------------------------------------------------------------------------------


class JobindsatsError(Exception):
    """Anything that went wrong talking to jobindsats.dk; str() is the user's message."""


class KeyMissing(JobindsatsError):
    def __init__(self):
        super().__init__(
            _(
                "There is no key for jobindsats.dk: set JOBINDSATS_TOKEN in the portal's "
                "environment (the README says how a municipality gets one from STAR)."
            )
        )


class KeyRejected(JobindsatsError):
    def __init__(self):
        super().__init__(
            _(
                "jobindsats.dk refused the key: it is wrong or has expired. Ask STAR "
                "(jobindsats@star.dk) for a new one and set it in JOBINDSATS_TOKEN. "
                "Nothing was stored."
            )
        )


class Unavailable(JobindsatsError):
    def __init__(self, what: str, reason: str, attempts: int):
        super().__init__(
            _(
                "jobindsats.dk did not answer the request for %(what)s (%(reason)s), also "
                "after %(attempts)s attempts. Nothing was stored; try again later."
            )
            % {"what": what, "reason": reason, "attempts": attempts}
        )


class NotAsDocumented(JobindsatsError):
    """The answer does not have the shape JOBINDSATS.md describes."""

    def __init__(self, what: str, problem: str):
        self.problem = problem
        super().__init__(
            _(
                "The answer from jobindsats.dk for %(what)s is not as documented: %(problem)s. "
                "Nothing was stored."
            )
            % {"what": what, "problem": problem}
        )


# -- answers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    id: str
    name: str


@dataclass(frozen=True)
class Hierarchy:
    """One hierarchy of a dimension, e.g. the municipalities (_nykom) of the area dimension,
    with the values of all its levels."""

    id: str
    dimension_id: str
    dimension_label: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class TableInfo:
    table_id: str
    name: str
    latest_update: datetime | None = None
    next_update: datetime | None = None


@dataclass(frozen=True)
class TableMeta:
    table_id: str
    name: str
    hierarchies: tuple[Hierarchy, ...]
    periods: dict[str, str] = field(default_factory=dict)  # code → label, where given
    latest_update: datetime | None = None
    next_update: datetime | None = None

    def hierarchy(self, hierarchy_id: str) -> Hierarchy | None:
        wanted = hierarchy_id.casefold()
        return next((h for h in self.hierarchies if h.id.casefold() == wanted), None)


@dataclass(frozen=True)
class DataAnswer:
    columns: list[str]
    rows: list[list]


# -- the client -----------------------------------------------------------------------------


class Client:
    def __init__(self, *, base_url=None, token=None, timeout=None, retry_delays=None,
                 session=None):  # fmt: skip
        self.base_url = (base_url or settings.JOBINDSATS_URL).rstrip("/")
        self.token = (settings.JOBINDSATS_TOKEN if token is None else token).strip()
        if not self.token:
            raise KeyMissing
        self.timeout = timeout or settings.JOBINDSATS_TIMEOUT
        self.retry_delays = list(
            settings.JOBINDSATS_RETRY_DELAYS if retry_delays is None else retry_delays
        )
        self.session = session or requests.Session()

    def __repr__(self):  # never the key
        return f"<jobindsats.Client {self.base_url}>"

    def tables(self) -> list[TableInfo]:
        """Every table the API offers, with its update times where the list has them."""
        answer = self.get("tables", [("format", "json")], what=_("the list of tables"))
        found = {}
        for node in _walk(answer):
            if isinstance(node, dict) and "table_id" in node:
                info = TableInfo(
                    str(node["table_id"]),
                    str(node.get("table_name") or node.get("name") or ""),
                    _update_time(node, LATEST_KEYS),
                    _update_time(node, NEXT_KEYS),
                )
                found[info.table_id] = info
        return list(found.values())

    def table(self, table_id: str) -> TableMeta:
        what = _("the table %(table)s") % {"table": table_id}
        answer = self.get(f"table/{table_id}", [("format", "json")], what=what)
        return parse_meta(table_id, answer, what)

    def data(self, table_id: str, params: list[tuple[str, str]]) -> DataAnswer:
        what = _("the figures of %(table)s") % {"table": table_id}
        answer = self.get(f"data/{table_id}", [*params, ("format", "json")], what=what)
        return parse_data(answer, what)

    def get(self, path: str, params: list[tuple[str, str]], *, what: str):
        """The decoded JSON answer of GET base/path?params, retried politely."""
        # *, / and : stay as the documentation writes them (mgroup.*=*, latest:14).
        url = f"{self.base_url}/{path}?{urlencode(params, safe='*/:,')}"
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        attempts = len(self.retry_delays) + 1
        reason, status = "", None
        for attempt in range(attempts):
            wait = None
            try:
                response = self.session.get(url, headers=headers, timeout=self.timeout, stream=True)
            except (requests.ConnectionError, requests.Timeout) as exc:
                reason, status = type(exc).__name__, None
            else:
                status = response.status_code
                # The path and status only: the key travels in a header and is never logged.
                (log.debug if status == 200 else log.info)(
                    "jobindsats.dk GET /%s: %s", path, status
                )
                if status == 401:
                    response.close()
                    raise KeyRejected
                if status in (403, 429) or status >= 500:
                    reason, wait = f"HTTP {status}", _retry_after(response)
                    response.close()
                elif status != 200:
                    response.close()
                    raise NotAsDocumented(
                        what, _("it answered with HTTP %(status)s") % {"status": status}
                    )
                else:
                    return _decoded(_body(response, what), what)
            if attempt < len(self.retry_delays):
                delay = self.retry_delays[attempt]
                if wait is not None:
                    delay = min(max(delay, wait), settings.JOBINDSATS_RETRY_MAX)
                time.sleep(delay)
        if status == 403:  # still refused after the retries: the key it is
            raise KeyRejected
        raise Unavailable(what, reason, attempts)


def _retry_after(response) -> float | None:
    """Seconds the server asks to wait (Retry-After: seconds or an HTTP date)."""
    header = response.headers.get("Retry-After", "").strip()
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(header) - timezone.now()).total_seconds())
    except (TypeError, ValueError):
        return None


def _body(response, what: str) -> bytes:
    limit = getattr(settings, "JOBINDSATS_MAX_BYTES", MAX_BYTES)
    too_large = NotAsDocumented(
        what, _("the answer is larger than %(mb)s MB") % {"mb": limit // (1024 * 1024)}
    )
    declared = whole_number(response.headers.get("Content-Length", ""))
    if declared is not None and declared > limit:
        response.close()
        raise too_large
    chunks, size = [], 0
    with response:
        for chunk in response.iter_content(CHUNK):
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
    return b"".join(chunks)


def _decoded(body: bytes, what: str):
    try:
        text = body.decode("utf-8-sig")
        answer = json.loads(text, parse_float=Decimal)
    except (UnicodeDecodeError, ValueError):
        if "nøgle" in body.decode("utf-8", "replace").casefold():
            raise KeyRejected from None
        raise NotAsDocumented(what, _("it is not JSON")) from None
    # A refused key answers 200 with {"Forkert nøgle eller nøglen er udløbet.": ""}.
    if isinstance(answer, dict) and any("nøgle" in str(k).casefold() for k in answer):
        raise KeyRejected
    return answer


# -- reading the answers --------------------------------------------------------------------

LATEST_KEYS = ("latest_update", "LatestUpdate", "last_update", "lastUpdate", "updated")
NEXT_KEYS = ("next_update", "NextUpdate", "nextUpdate")
PERIOD_DIMENSIONS = {"period", "periode", "periods", "perioder"}


def _walk(node) -> Iterable:
    yield node
    if isinstance(node, dict):
        for child in node.values():
            yield from _walk(child)
    elif isinstance(node, list):
        for child in node:
            yield from _walk(child)


def _update_time(node: dict, keys) -> datetime | None:
    """An update time where the answer has one; a time that cannot be read is left out (the
    schedule then falls back to a daily sync), not an error: these fields are not documented."""
    for key in keys:
        raw = node.get(key)
        if not raw:
            continue
        text = str(raw).strip()
        moment = parse_datetime(text.replace(" ", "T", 1)) if len(text) > 10 else None
        if moment is None:
            day = parse_date(text[:10])
            moment = datetime(day.year, day.month, day.day) if day else None
        if moment is None:
            for pattern in ("%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d.%m.%Y"):
                try:
                    moment = datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)  # the agency's time is Danish time
            return moment
    return None


def _children(node, id_key: str, what: str, parent: str) -> list[tuple[str, object]]:
    """(id, child) of a node written either as {id: child} or as [child with id_key]."""
    if isinstance(node, dict):
        return [(str(k), v) for k, v in node.items()]
    if isinstance(node, list):
        found = []
        for child in node:
            if not isinstance(child, dict) or id_key not in child:
                raise NotAsDocumented(
                    what, _("an element of “%(parent)s” has no “%(key)s”")
                    % {"parent": parent, "key": id_key},
                )  # fmt: skip
            found.append((str(child[id_key]), child))
        return found
    raise NotAsDocumented(what, _("“%(parent)s” is missing") % {"parent": parent})


def _values(node, what: str) -> list[Value]:
    """A level's values: [{value_id, value_name}], [[id, name]] or {id: name}."""
    if isinstance(node, dict):
        return [Value(str(k), str(v)) for k, v in node.items()]
    if not isinstance(node, list):
        raise NotAsDocumented(what, _("“%(parent)s” is missing") % {"parent": "values"})
    values = []
    for item in node:
        if isinstance(item, dict) and "value_id" in item:
            name = item.get("value_name", item["value_id"])
            values.append(Value(str(item["value_id"]), str(name)))
        elif isinstance(item, list | tuple) and len(item) == 2:
            values.append(Value(str(item[0]), str(item[1])))
        else:
            raise NotAsDocumented(what, _("a value has no “value_id” and “value_name”"))
    return values


def _label(node, fallback: str) -> str:
    if isinstance(node, dict):
        for key in ("dimension_name", "dimension_label", "label", "name"):
            if isinstance(node.get(key), str) and node[key].strip():
                return node[key].strip()
    return fallback


def parse_meta(table_id: str, answer, what: str) -> TableMeta:
    """dimensions[dimension_id] → hierarchies[hierarchy_id] → levels[level_id] → values."""
    if not isinstance(answer, dict) or "dimensions" not in answer:
        raise NotAsDocumented(what, _("“%(parent)s” is missing") % {"parent": "dimensions"})
    hierarchies, periods = [], {}
    for dimension_id, dimension in _children(answer["dimensions"], "dimension_id", what,
                                             "dimensions"):  # fmt: skip
        label = _label(dimension, dimension_id)
        inner = dimension.get("hierarchies") if isinstance(dimension, dict) else None
        for hierarchy_id, hierarchy in _children(inner, "hierarchy_id", what, "hierarchies"):
            levels = hierarchy.get("levels") if isinstance(hierarchy, dict) else None
            values = []
            for _level_id, level in _children(levels, "level_id", what, "levels"):
                inner_values = level.get("values") if isinstance(level, dict) else level
                values += _values(inner_values, what)
            if {dimension_id.casefold(), label.casefold()} & PERIOD_DIMENSIONS:
                periods.update({v.id: v.name for v in values})
            else:
                hierarchies.append(Hierarchy(hierarchy_id, dimension_id, label, tuple(values)))
    for item in answer.get("periods") or []:
        if isinstance(item, dict) and "period_id" in item:
            periods[str(item["period_id"])] = str(item.get("period_name", ""))
    return TableMeta(
        table_id=table_id,
        name=str(answer.get("table_name") or answer.get("name") or ""),
        hierarchies=tuple(hierarchies),
        periods=periods,
        latest_update=_update_time(answer, LATEST_KEYS),
        next_update=_update_time(answer, NEXT_KEYS),
    )


def parse_data(answer, what: str) -> DataAnswer:
    """{"columns": [...], "rows": [[...], ...]}, every row as long as the columns."""
    if not isinstance(answer, dict):
        raise NotAsDocumented(what, _("“%(parent)s” is missing") % {"parent": "columns"})
    columns, rows = answer.get("columns"), answer.get("rows")
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise NotAsDocumented(what, _("“%(parent)s” is missing") % {"parent": "columns"})
    if not isinstance(rows, list):
        raise NotAsDocumented(what, _("“%(parent)s” is missing") % {"parent": "rows"})
    width = len(columns)
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, list) or len(row) != width:
            raise NotAsDocumented(
                what,
                _("row %(row)s does not have the %(width)s cells the columns name")
                % {"row": number, "width": width},
            )
    return DataAnswer([c.strip() for c in columns], rows)
