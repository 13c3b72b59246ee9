"""Where a card's figure comes from, as a committee member reads it: one short Danish line
("Kilde: jobindsats.dk, y01a02, hentet 1. december 2026", "Kilde: Udvalgsstrategi 2023, s. 1").

The notes the demo loader and the analysts write (which card, page and table of a document a
figure was typed from, how a deadline was read) are for analysts; this line is what the others
see instead.
"""

import re

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kpis.models import Measurement

# "p.1", "p. 2", "s. 3" in a note: the page of the document a figure was typed from.
_PAGE = re.compile(r"\b(?:p|s)\.\s?(\d{1,3})\b")


def document_name(plan) -> str:
    """The plan as a document: "Udvalgsstrategi 2023", "Beskæftigelsesplan 2024"."""
    return f"{plan.get_kind_display().capitalize()} {plan.start_year}"


def page_of(note: str) -> str | None:
    match = _PAGE.search(note or "")
    return match.group(1) if match else None


def measurement_source(measurement: Measurement, plan) -> str:
    """A figure's provenance: fetched from jobindsats.dk (table, day), else the document."""
    if measurement.origin_id and measurement.fetched_at:
        fetched = timezone.localtime(measurement.fetched_at)
        return _("jobindsats.dk, %(table)s, fetched %(day)s") % {
            "table": measurement.origin.table.table_id,
            "day": date_format(fetched, "j. F Y"),
        }
    return document_source(plan, measurement.source)


def document_source(plan, note: str = "") -> str:
    page = page_of(note)
    if page:
        return _("%(document)s, p. %(page)s") % {"document": document_name(plan), "page": page}
    return document_name(plan)


def card_source(card, current_figure: int | None) -> str:
    """The source of what the card shows: its current figure's (current_figure, the stored
    figure's id, which the target page has among its figures), else (before the first figure)
    the document that states the baseline. Empty for a milestone."""
    target = card.target
    if target.indicator_id is None:
        return ""
    if current_figure is not None:
        # Unordered: the figures' own ordering would join three tables to sort one row.
        figures = Measurement.objects.select_related("origin__table").filter(pk=current_figure)
        measurement = next(iter(figures.order_by()), None)
        if measurement is not None:
            return measurement_source(measurement, target.plan)
    if target.baseline_value is not None:
        return document_source(target.plan, target.baseline_source)
    return ""
