"""The KPI card, as Guldborgsund's report draws it: title, period, value, "Udvikling*" since
baseline, "Måltal 2023: Maksimalt 1.075", description, and the computed status in words.

One builder serves every page (current statuses, reporting rounds, the PDF), so the card reads
the same everywhere.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kpis.danish import format_number
from plans.engine import kinds
from plans.engine import status as engine
from plans.models import StatusFields, Target

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
class Card:
    target: Target
    result: engine.Result

    # -- what the card shows --------------------------------------------------------------

    @property
    def title(self):
        return self.target.title

    @property
    def description(self):
        return self.target.indicator.description if self.target.indicator else ""

    @property
    def period_label(self):
        if self.result.current:
            return self.result.current.label
        return str(self.target.deadline.year)

    @property
    def value(self):
        return self._format(self.result.current.value) if self.result.current else "–"

    @property
    def development(self):
        if self.result.development is None or not self.target.indicator:
            return "–"
        return self.target.indicator.format_development(self.result.development)

    @property
    def target_label(self):
        """ "Måltal 2023", "Måltal 2024": the word the reports use, with the deadline year."""
        return _("Target %(year)s") % {"year": self.target.deadline.year}

    @property
    def wording(self):
        return self.target.wording

    @property
    def baseline(self):
        if self.target.baseline_value is None or not self.target.baseline_period:
            return ""
        return f"{self._format(self.target.baseline_value)} ({self.target.baseline_period.label})"

    @property
    def tolerance(self):
        """How far off still counts as near: a distance, so percentage points for shares."""
        if not self.target.tolerance or not self.target.indicator:
            return ""
        return self.target.indicator.format_development(self.target.tolerance, sign=False)

    @property
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

    @property
    def comparison(self):
        """ "Hele landet: 2,4" beside a relative target's value."""
        if self.result.comparison is None or not self.target.comparison_area:
            return ""
        return f"{self.target.comparison_area.name}: {self._format(self.result.comparison.value)}"

    # -- the benchmark kinds -------------------------------------------------------------

    @property
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

    @property
    def against_expected(self):
        """ "Faktisk 8,53 % mod forventet 8,91 %: 0,38 pct.-point bedre end forventet"."""
        current, expected = self.result.current, self.result.comparison
        if self.target.kind != Target.Kind.EXPECTED or current is None or expected is None:
            return ""
        return expected_sentence(self.target.indicator, current.value, expected.value)

    @property
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

    @property
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

    @property
    def measured(self):
        """False for a kind judged without figures (a milestone): the card shows its state."""
        return kinds.get(self.target.kind).measured

    @property
    def requirement(self):
        """What the value was held against, in the kind's words: "højst 1.075", "mindst
        70,0 %", "under 7,4 %"."""
        if self.result.required is None:
            return ""
        required = self.result.required
        return kinds.get(self.target.kind).requirement(
            self.target, required, self._format(required)
        )

    @property
    def status(self):
        return self.result.status

    @property
    def status_label(self):
        return STATUS_LABELS[self.result.status]

    @property
    def status_symbol(self):
        return STATUS_SYMBOLS[self.result.status]

    @property
    def forecast(self):
        return self.result.forecast or ""

    @property
    def forecast_label(self):
        return FORECAST_LABELS.get(self.result.forecast, "")

    @property
    def projected(self):
        return self._format(self.result.projected) if self.result.projected is not None else ""

    @property
    def reasons(self):
        return [REASON_LABELS[r] for r in self.result.reasons if r in REASON_LABELS]

    def _format(self, value: Decimal):
        if self.target.indicator is None:
            return str(value)
        return self.target.indicator.format_value(value)


def cards_for(targets, results: dict | None = None) -> list[Card]:
    """Cards for targets; from the stored statuses unless results (by target id) are given."""
    if results is None:
        return [Card(t, StatusFields.result_of(getattr(t, "status", None))) for t in targets]
    return [Card(t, results.get(t.pk) or StatusFields.result_of(None)) for t in targets]
