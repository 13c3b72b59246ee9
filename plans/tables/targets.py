"""A plan's targets with their status, and one indicator's latest figure per area."""

from django.utils.translation import gettext_lazy as _

from jobcenter.tables import Column, DataTable, NumberColumn


def _quantize(card, value):
    indicator = card.target.indicator
    return indicator.quantize(value) if indicator else None


class TargetsTable(DataTable):
    """One row per KPI card (plans.presenters.cards.Card), the target's title as row header;
    the download has the figures as numbers."""

    key = "targets"
    caption = _("Targets and status")

    title = Column(_("Target"), row_header=True)
    code = Column(_("No."), accessor="target__code")
    period_label = Column(_("Period"))
    value = NumberColumn(_("Value"), show=str)
    development = NumberColumn(_("Development"), show=str)
    wording = Column(_("Target value"))
    status = Column(_("Status"), accessor="status_label")
    forecast = Column(_("Forecast"), accessor="forecast_label")

    def value_value(self, record):
        current = record.result.current
        return _quantize(record, current.value) if current else None

    def value_development(self, record):
        return _quantize(record, record.result.development)


class LatestTable(DataTable):
    """One indicator across every area that has it: the latest figure and the change since the
    previous one of the same period kind. A record is a dict of the raw values."""

    key = "latest"
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
