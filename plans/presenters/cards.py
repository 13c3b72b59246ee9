"""The KPI card, as Guldborgsund's report draws it: title, period, value, "Udvikling*" since
baseline, "Måltal 2023: Maksimalt 1.075", description, and the computed status in words.

One builder serves every page (current statuses, reporting rounds, the PDF), so the card reads
the same everywhere.
"""

import functools
import hashlib
import operator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.core.cache import caches
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kpis.danish import format_number, format_plain, same_wording
from kpis.models import Area, Measurement
from plans.engine import kinds
from plans.engine import status as engine
from plans.models import StatusFields, Target, TargetStatus

STATUS_LABELS = {
    engine.MET: _("Met"),
    engine.NEAR: _("Near"),
    engine.NOT_MET: _("Not met"),
    engine.NO_DATA: _("No data"),
}
# A symbol beside the words, so the status never rests on colour alone.
STATUS_SYMBOLS = {engine.MET: "✓", engine.NEAR: "≈", engine.NOT_MET: "✗", engine.NO_DATA: "–"}
FORECAST_LABELS = {
    engine.ON_TRACK: _("On track"),
    engine.AT_RISK: _("At risk"),
    engine.OFF_TRACK: _("Off track"),
}
REASON_LABELS = {
    engine.REASON_NO_MEASUREMENT: _("No figure for the target period yet."),
    engine.REASON_NO_BASELINE: _("The target has no baseline yet."),
    engine.REASON_NO_COMPARISON: _("No comparison figure for the same period."),
    engine.REASON_NO_COMPARISON_BASELINE: _("No comparison figure for the baseline period."),
    engine.REASON_TOO_FEW_POINTS: _("Too few figures for a forecast."),
    engine.REASON_NO_EXPECTED: _("No expected level for the same period."),
    engine.REASON_NO_PEERS: _("No other municipality has a figure for the period."),
    engine.REASON_NO_COMPARABLES: _("The municipality has named no comparable municipalities."),
    engine.REASON_PEERS_MISSING: _("Some comparable municipalities have no figure for the period."),
}
COMPARABLE_MEASURE_LABELS = {
    engine.MEAN: _("average"),
    engine.MEDIAN: _("median"),
    engine.BEST: _("best"),
}
STARTING_VERDICTS = {
    engine.MET: _("On the baseline the target would be met"),
    engine.NEAR: _("On the baseline the target would be near"),
    engine.NOT_MET: _("On the baseline the target would not be met"),
}


def expected_sentence(indicator, actual: Decimal, expected: Decimal) -> str:
    """ "Faktisk 8,53 % mod forventet 8,91 %: 0,38 pct.-point bedre end forventet": an actual
    figure against the level expected of the municipality, better or worse in the indicator's
    good direction. The card and the one-indicator page say it the same way."""
    difference = indicator.quantize(actual - expected)
    values = {
        "actual": indicator.format_value(actual),
        "expected": indicator.format_value(expected),
        "difference": format_number(abs(difference), indicator.decimals),
    }
    if difference == 0:
        return _("Actual %(actual)s against expected %(expected)s: at the expected level") % values
    better = (difference < 0) == (indicator.direction == indicator.Direction.LOWER)
    if indicator.is_share:
        if better:
            text = _(
                "Actual %(actual)s against expected %(expected)s: %(difference)s percentage "
                "points better than expected"
            )
        else:
            text = _(
                "Actual %(actual)s against expected %(expected)s: %(difference)s percentage "
                "points worse than expected"
            )
    elif better:
        text = _(
            "Actual %(actual)s against expected %(expected)s: %(difference)s better than expected"
        )
    else:
        text = _(
            "Actual %(actual)s against expected %(expected)s: %(difference)s worse than expected"
        )
    return text % values


@dataclass(frozen=True)
class StartingPoint:
    """Where a target starts, before the first figure of its window: the baseline, the
    comparison area's figure for the same period, and whether the baseline would meet the
    target. Never a status: the card's status stays "Ingen data endnu"."""

    value: str
    period: str
    comparison: str  # "Hele landet: 2,7 %", or ""
    verdict: str  # engine.MET, NEAR, NOT_MET, or "" where that cannot be said
    required: str  # "højst 1,7 %"

    @property
    def verdict_label(self):
        return STARTING_VERDICTS.get(self.verdict, "")


@dataclass(frozen=True)
class Card:
    """What a KPI card shows, each line worked out once per card: a template asks for most of
    them twice ({% if card.x %}{{ card.x }}), and the Måltal line is asked again by
    wording_differs (cached_property: a frozen dataclass keeps the values in its __dict__)."""

    target: Target
    result: engine.Result
    # The comparison area and its figure for the baseline period, when there is one.
    baseline_comparison: tuple[Area, Decimal] | None = None
    # The result is the target's stored status (fetched with it), not one given: a round's.
    stored: bool = False

    # -- what the card shows --------------------------------------------------------------

    @cached_property
    def title(self):
        return self.target.title

    @cached_property
    def description(self):
        return self.target.indicator.description if self.target.indicator else ""

    @cached_property
    def period_label(self):
        if self.result.current:
            return self.result.current.label
        return str(self.target.deadline.year)

    @cached_property
    def value(self):
        return self._format(self.result.current.value) if self.result.current else "–"

    @cached_property
    def development(self):
        if self.result.development is None or not self.target.indicator:
            return "–"
        return self.target.indicator.format_development(self.result.development)

    @cached_property
    def target_label(self):
        """ "Måltal 2023", "Måltal 2024": the word the reports use, with the deadline year."""
        return _("Target %(year)s") % {"year": self.target.deadline.year}

    @cached_property
    def wording(self):
        return self.target.wording

    @cached_property
    def target_line(self):
        """The Måltal line derived from the definition (and the revision in force), so it
        cannot say 1.075 while the status is judged against 950: "Maksimalt 950", "Mindst
        1,0 %-point under Hele landet", in the kind's words (plans.engine.kinds)."""
        if self.target.indicator is None:
            return self.target.wording
        kind = kinds.get(self.target.kind)
        return kind.target_line(self.target, self.result.revision, self._format_target)

    @cached_property
    def wording_differs(self):
        """The document's own words, shown as "Målets ordlyd" where they say more than the
        derived line ("Maksimalt 1.075" needs no second line; a sentence does)."""
        return not same_wording(self.wording, str(self.target_line))

    @cached_property
    def starting_point(self) -> StartingPoint | None:
        """The baseline, shown while the target's window has no figures yet."""
        target = self.target
        if self.result.current is not None or target.indicator is None:
            return None
        if target.baseline_value is None or target.baseline_period is None:
            return None
        comparison, comparison_value = "", None
        if self.baseline_comparison:
            area, comparison_value = self.baseline_comparison
            comparison = f"{area.name}: {self._format(comparison_value)}"
        reads_comparison = engine.COMPARISON in kinds.get(target.kind).inputs
        relative_to = comparison_value if reads_comparison else None
        judged = kinds.at_baseline(target.rule(comparison_baseline=relative_to), relative_to)
        verdict, required = "", ""
        if judged:
            verdict = judged[1]
            required = kinds.get(target.kind).requirement(
                target, judged[0], self._format(judged[0])
            )
        return StartingPoint(
            value=self._format(target.baseline_value),
            period=target.baseline_period.label,
            comparison=comparison,
            verdict=verdict,
            required=required,
        )

    @cached_property
    def baseline(self):
        if self.target.baseline_value is None or not self.target.baseline_period:
            return ""
        return f"{self._format(self.target.baseline_value)} ({self.target.baseline_period.label})"

    @cached_property
    def tolerance(self):
        """How far off still counts as near: a distance, so percentage points for shares."""
        if not self.target.tolerance or not self.target.indicator:
            return ""
        return self.target.indicator.format_development(self.target.tolerance, sign=False)

    @cached_property
    def revised_target(self):
        """The revised target value in force, when there is one ("11,0 % fra 1. juni 2023")."""
        revision = self.result.revision
        if revision is None or revision.target_value is None:
            return ""
        return _("%(value)s from %(date)s") % {
            "value": self._format(revision.target_value),
            "date": date_format(revision.effective, "j. F Y"),
        }

    def revision_value(self, revision):
        """A revision as the revisions table shows it: the new value and/or the new margin."""
        parts = []
        if revision.target_value is not None:
            parts.append(str(self._format(revision.target_value)))
        if revision.margin is not None:
            parts.append(_("margin %(margin)s") % {"margin": self._format(revision.margin)})
        return ", ".join(parts)

    @cached_property
    def comparison(self):
        """ "Hele landet: 2,4" beside a relative target's value."""
        if self.result.comparison is None or not self.target.comparison_area:
            return ""
        return f"{self.target.comparison_area.name}: {self._format(self.result.comparison.value)}"

    # -- the benchmark kinds -------------------------------------------------------------

    @cached_property
    def place(self):
        """ "Nr. 12 af 98", "Nr. 2 (delt) af 98": a rank, and whether another shares it."""
        rank, ranked = self.result.rank, self.result.ranked
        if rank is None:
            return ""
        shared = pgettext_lazy("rank", " (shared)") if self.result.tied else ""
        if ranked is None:
            return _("No. %(rank)s%(shared)s") % {"rank": rank, "shared": shared}
        return _("No. %(rank)s%(shared)s of %(ranked)s") % {
            "rank": rank,
            "shared": shared,
            "ranked": ranked,
        }

    @cached_property
    def against_expected(self):
        """ "Faktisk 8,53 % mod forventet 8,91 %: 0,38 pct.-point bedre end forventet"."""
        current, expected = self.result.current, self.result.comparison
        if self.target.kind != Target.Kind.EXPECTED or current is None or expected is None:
            return ""
        return expected_sentence(self.target.indicator, current.value, expected.value)

    @cached_property
    def among_comparables(self):
        """ "Sammenlignelige kommuner (gennemsnit): 9,0 %, 3 af 3 med tal"."""
        if self.target.kind != Target.Kind.COMPARABLES or self.result.comparison is None:
            return ""
        values = {
            "measure": COMPARABLE_MEASURE_LABELS[self.target.comparable_measure],
            "value": self._format(self.result.comparison.value),
            "counted": self.result.peers_counted,
            "named": self.result.peers_named,
        }
        text = _(
            "Comparable municipalities (%(measure)s): %(value)s, "
            "%(counted)s of %(named)s with a figure"
        )
        return text % values

    @cached_property
    def detail(self):
        """What the status line says the figure was held against."""
        if self.result.current is None:
            return ""
        if self.target.kind == Target.Kind.RANK and self.result.rank is not None:
            # "Nr. 12 af 98 mod højst nr. 20": the place, not the figure it was ranked by
            return _("%(value)s against %(requirement)s") % {
                "value": self.place,
                "requirement": self.requirement,
            }
        if not self.requirement:
            return ""
        return _("%(value)s against %(requirement)s") % {
            "value": self.value,
            "requirement": self.requirement,
        }

    @cached_property
    def measured(self):
        """False for a kind judged without figures (a milestone): the card shows its state."""
        return kinds.get(self.target.kind).measured

    @cached_property
    def requirement(self):
        """What the value was held against, in the kind's words: "højst 1.075", "mindst
        70,0 %", "under 7,4 %"."""
        if self.result.required is None:
            return ""
        required = self.result.required
        return kinds.get(self.target.kind).requirement(
            self.target, required, self._format(required)
        )

    @cached_property
    def status(self):
        return self.result.status

    @cached_property
    def status_label(self):
        return STATUS_LABELS[self.result.status]

    @cached_property
    def status_symbol(self):
        return STATUS_SYMBOLS[self.result.status]

    @cached_property
    def forecast(self):
        return self.result.forecast or ""

    @cached_property
    def forecast_label(self):
        return FORECAST_LABELS.get(self.result.forecast, "")

    @cached_property
    def projected(self):
        return self._format(self.result.projected) if self.result.projected is not None else ""

    @cached_property
    def reasons(self):
        return [REASON_LABELS[r] for r in self.result.reasons if r in REASON_LABELS]

    def _format_target(self, value: Decimal):
        """A target as the documents write it: "Minimum 70 %", not "70,0 %"; never finer
        than the indicator's decimals."""
        indicator = self.target.indicator
        text = format_plain(indicator.quantize(value))
        return f"{text} %" if indicator.is_share else text

    def _format(self, value: Decimal):
        if self.target.indicator is None:
            return str(value)
        return self.target.indicator.format_value(value)


CARD_TEMPLATE = "plans/_kpi_card.html"
CARD_CACHE = "cards"  # settings.CACHES: in each process's own memory


def card_html(card: Card, *, link: bool = False, id_suffix="") -> str:
    """A card's HTML, drawn once for what it shows. A theme page draws a card for each target,
    which cost more than fetching them; most of a page's cards are unchanged since the last
    visitor. The key is a digest of everything the card is drawn from (card_key), so a changed
    figure, status, definition, language or translation can never show an old card: there is
    nothing to invalidate. A card being previewed (not saved) is drawn each time."""
    if card.target.pk is None:
        return _draw(card, link, id_suffix)
    cache = caches[CARD_CACHE]
    key = card_key(card, link, id_suffix)
    html = cache.get(key)
    if html is None:
        html = _draw(card, link, id_suffix)
        cache.set(key, html)
    return html


def _draw(card, link, id_suffix) -> str:
    return render_to_string(CARD_TEMPLATE, {"card": card, "link": link, "id_suffix": id_suffix})


def card_key(card: Card, *context) -> str:
    """A digest of every row the card was built from (the target, the rows fetched with it
    and its prefetched revisions: the pages fetch all a card reads up front, and the query
    count tests hold them to it), the result it shows, and what the drawing depends on
    besides: the language and the URL prefix. The code and the templates are the process's
    own: the cache lives in the process's memory, and a new version starts a new process
    (in development, plans.apps empties it when a template or catalogue changes)."""
    rows = []
    _rows_of(card.target, rows, set())
    if card.baseline_comparison:
        area, value = card.baseline_comparison
        _rows_of(area, rows, set())
        rows.append(value)
    # A stored status is among the rows; a result given (a round's) is not.
    result = None if card.stored else card.result
    parts = (rows, result, get_language(), get_script_prefix(), context)
    return "card:" + hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def _rows_of(instance, rows: list, seen: set) -> None:
    """The instance's own columns, then those of every related instance fetched with it
    (select_related, a reverse one-to-one, prefetch_related), once each."""
    if instance is None or id(instance) in seen:
        return
    seen.add(id(instance))
    rows.append((instance._meta.label, _columns(type(instance))(instance)))
    for related in instance._state.fields_cache.values():
        _rows_of(related, rows, seen)
    for fetched in getattr(instance, "_prefetched_objects_cache", {}).values():
        for item in fetched:
            _rows_of(item, rows, seen)


@functools.cache
def _columns(model) -> operator.attrgetter:
    return operator.attrgetter(*(f.attname for f in model._meta.concrete_fields))


def cards_for(targets, results: dict | None = None) -> list[Card]:
    """Cards for targets; from the stored statuses unless results (by target id) are given."""
    targets = list(targets)
    if results is None:
        pairs = [(t, StatusFields.result_of(_stored_status(t))) for t in targets]
    else:
        pairs = [(t, results.get(t.pk) or StatusFields.result_of(None)) for t in targets]
    waiting = [t for t, result in pairs if result.current is None]
    comparisons = baseline_comparisons(waiting)
    stored = results is None
    return [Card(t, result, comparisons.get(t.pk), stored) for t, result in pairs]


def _stored_status(target: Target) -> TargetStatus | None:
    """The target's stored status, with the revision it was judged against found among the
    target's own revisions (targets_for_cards prefetches them rather than join the revision
    to every status)."""
    status = getattr(target, "status", None)
    if status is None or not status.revision_id or TargetStatus.revision.is_cached(status):
        return status
    revision = next((r for r in target.revisions.all() if r.pk == status.revision_id), None)
    if revision is not None:  # else it is read when asked for, as before
        status.revision = revision
    return status


def baseline_comparisons(targets) -> dict[int, tuple[Area, Decimal]]:
    """Each target's comparison figure for its baseline period, in one query: its own
    comparison area's, else hele landet's ("1,7 % mod 2,7 % i hele landet, aug. 2023")."""
    targets = [t for t in targets if t.baseline_period_id and t.indicator_id]
    if not targets:
        return {}
    country = Area.objects.filter(kind=Area.Kind.COUNTRY).first()
    wanted = {}
    for t in targets:
        area = t.comparison_area if t.comparison_area_id else country
        if area is not None:
            wanted[t.pk] = (area, t.indicator_id, t.baseline_period_id)
    if not wanted:
        return {}
    query = Q()
    for area, indicator_id, period_id in wanted.values():
        query |= Q(area=area, indicator_id=indicator_id, period_id=period_id)
    values = {
        (m.area_id, m.indicator_id, m.period_id): m.value
        for m in Measurement.objects.filter(query).only("area", "indicator", "period", "value")
    }
    found = {}
    for pk, (area, indicator_id, period_id) in wanted.items():
        value = values.get((area.pk, indicator_id, period_id))
        if value is not None:
            found[pk] = (area, value)
    return found
