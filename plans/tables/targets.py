"""A plan's targets with their status, and one indicator's latest figure per area."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jobcenter.tables import Column, DataTable, NumberColumn


def _quantize(card, value):
    indicator = card.target.indicator
    return indicator.quantize(value) if indicator else None


class TargetsTable(DataTable):
    """One row per KPI card (plans.presenters.cards.Card): the target's title as row header,
    linking to the target; its number as the plan gives it ("2a"), else its place in the plan;
    the Måltal line derived from the definition beside the document's wording; the status as a
    badge with symbol, colour and words. The download has the figures as numbers and the
    status in words."""

    key = "maal"
    caption = _("Targets and status")
    css_class = "table data-table targets-table"

    title = Column(_("Target"), row_header=True)
    number = Column(_("No."), empty_values=())
    period_label = Column(_("Period"))
    value = NumberColumn(_("Value"), show=str)
    development = NumberColumn(_("Development"), show=str)
    target_line = Column(_("Target value"))
    status = Column(_("Status"), accessor="status_label")
    forecast = Column(_("Forecast"), accessor="forecast_label")
    wording = Column(_("Target as worded"))

    def __init__(self, cards, **kwargs):
        super().__init__(cards, **kwargs)
        self.positions = {id(card): position for position, card in enumerate(cards, start=1)}

    def render_title(self, value, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("plans:target", args=[record.target.key]), value
        )

    def value_title(self, value):
        return value

    def render_number(self, record):
        return self.value_number(record)

    def value_number(self, record):
        return record.target.code or str(self.positions[id(record)])

    def render_target_line(self, value):
        return str(value)

    def value_target_line(self, value):
        return str(value)

    def render_status(self, value, record):
        return format_html(
            '<span class="status-badge status-{}"><span aria-hidden="true">{}</span> {}</span>',
            record.status,
            record.status_symbol,
            value,
        )

    def value_status(self, value):
        return str(value)

    def value_forecast(self, value):
        return str(value)

    def value_value(self, record):
        current = record.result.current
        return _quantize(record, current.value) if current else None

    def value_development(self, record):
        return _quantize(record, record.result.development)


class LatestTable(DataTable):
    """One indicator across every area that has it: the latest figure and the change since the
    previous one of the same period kind. A record is a dict of the raw values."""

    key = "seneste"
    caption = _("Latest figure per area")

    area = Column(_("Area"), row_header=True)
    period = Column(_("Period"))
    value = NumberColumn(_("Value"))
    previous = NumberColumn(_("Previous"))
    change = NumberColumn(_("Change since previous"))

    def __init__(self, records, *, indicator, **kwargs):
        super().__init__(records, **kwargs)
        self.indicator = indicator

    def render_value(self, value):
        return self.indicator.format_value(value)

    def value_value(self, value):
        return self.indicator.quantize(value)

    def render_previous(self, value, record):
        return f"{self.indicator.format_value(value)} ({record['previous_label']})"

    def value_previous(self, value):
        return self.indicator.quantize(value)

    def render_change(self, value):
        return self.indicator.format_development(value)

    def value_change(self, value):
        return self.indicator.quantize(value)
