"""What the round page shows beside the report: a summary per theme and the reader's next step."""

from dataclasses import dataclass, field

from plans import access
from plans.engine import status as engine
from plans.models import ReportingRound


@dataclass
class ThemeSummary:
    """One theme's line in the round's summary (or the whole plan's, focus_area None)."""

    focus_area: object = None
    met: int = 0
    near: int = 0
    not_met: int = 0
    no_data: int = 0
    narratives: int = 0
    targets: int = 0

    def add(self, card, narrative):
        status = card.result.status
        if status == engine.MET:
            self.met += 1
        elif status == engine.NEAR:
            self.near += 1
        elif status == engine.NOT_MET:
            self.not_met += 1
        else:
            self.no_data += 1
        self.targets += 1
        self.narratives += 1 if narrative is not None and narrative.text.strip() else 0

    @property
    def target_count(self):  # as the plans' and focus areas' annotated counts call it
        return self.targets


@dataclass
class RoundSummary:
    themes: list[ThemeSummary] = field(default_factory=list)
    total: ThemeSummary = field(default_factory=ThemeSummary)

    @property
    def shared(self) -> bool:
        """Whether a target is shown under more than one theme: then the themes' lines add up
        to more than the total, and the summary says why."""
        return sum(line.targets for line in self.themes) > self.total.targets


def round_summary(themes) -> RoundSummary:
    """Per theme: met, near, not met, no data, narratives written of targets. A target shown
    under several themes counts in each of them, and once in the total."""
    summary = RoundSummary()
    counted = set()
    for theme in themes:
        line = ThemeSummary(focus_area=theme["focus_area"])
        for card, narrative in theme["cards"]:
            line.add(card, narrative)
            if card.target.pk not in counted:
                counted.add(card.target.pk)
                summary.total.add(card, narrative)
        summary.themes.append(line)
    return summary


# The next step, by the reader's role and the round's state.
WRITE, SUBMIT, APPROVE, WAIT, READ = "write", "submit", "approve", "wait", "read"


def next_steps(user, reporting_round) -> list[str]:
    """What the reader does next with this round: analysts write and submit, administrators
    approve (and may still write), everyone else, and everyone once it is approved, reads."""
    if reporting_round.frozen:
        return [READ]
    municipality_id = reporting_round.plan.municipality_id
    if access.can_edit_definitions(user, municipality_id):
        return [APPROVE, WRITE]
    if access.can_edit_figures(user, municipality_id):
        if reporting_round.state == ReportingRound.State.SUBMITTED:
            return [WAIT, WRITE]
        return [WRITE, SUBMIT]
    return [READ]
