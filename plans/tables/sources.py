"""The jobindsats.dk tables the portal follows: one row per bound indicator."""

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from jobcenter.tables import Column, DataTable, NumberColumn


def filters_text(filters: dict) -> str:
    """A binding's dimension filters as a person reads them: "Alder: 16-29 år"."""
    return ", ".join(f"{label}: {value}" for label, value in (filters or {}).items())


def _local(moment):
    # Shown and exported in Danish time; Excel has no time zones, so the export is naive.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


class BindingsTable(DataTable):
    """A row per binding (kpis.IndicatorSource, with its table as `source`)."""

    key = "bindinger"
    caption = _("Indicators fetched from jobindsats.dk")

    indicator = Column(_("Indicator"), accessor="indicator__name", row_header=True)
    table = Column(_("Table"), accessor="source__table_id")
    measure = Column(_("Measure"))
    filters = Column(_("Dimension filters"), empty_values=())
    period_kind = Column(_("Period kind"))
    last_sync = Column(_("Last sync"), accessor="source__last_synced_at")
    figures = NumberColumn(_("Figures"), accessor="source__last_rows")
    next_update = Column(_("Next expected update"), accessor="source__next_update")
    last_error = Column(_("Last error"), accessor="source__last_error")

    def render_filters(self, record):
        return filters_text(record.filters)

    def render_last_sync(self, value):
        return formats.date_format(_local(value), "j. F Y H:i")

    def value_last_sync(self, value):
        return _local(value)

    def render_next_update(self, value):
        return formats.date_format(_local(value), "j. F Y H:i")

    def value_next_update(self, value):
        return _local(value)
