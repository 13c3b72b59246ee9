"""The report as a pack, for the PDF, the round page and their print: the cards of each theme
in rows (a row is what a page break may not split), and an annex of every target once."""

from plans.presenters.rounds import round_summary

# Three cards side by side fill an A4 landscape page as in Guldborgsund's report.
CARDS_PER_ROW = 3


def report_pack(themes: list[dict]) -> dict:
    """Adds `rows` to each theme (its cards with their narratives, CARDS_PER_ROW to a row) and
    returns the pack's summary (per theme and in all) and its annex: each target once, under
    the first theme that shows it, in the order of the report."""
    annex, seen = [], set()
    for theme in themes:
        cards = theme["cards"]
        theme["rows"] = [cards[i : i + CARDS_PER_ROW] for i in range(0, len(cards), CARDS_PER_ROW)]
        for card, _narrative in cards:
            if card.target.pk not in seen:
                seen.add(card.target.pk)
                annex.append({"focus_area": theme["focus_area"], "card": card})
    return {"summary": round_summary(themes), "annex": annex}
