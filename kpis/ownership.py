"""Who owns a figure: the one rule every write path asks (the grid, the import, the API).

- Without a list of municipalities (a superuser; the connector and the demo loader, which write
  without a user) every figure may be written.
- A municipality's local indicator is its own, for every area; to anyone else it does not
  exist, and is answered as an unknown indicator.
- A shared indicator bound to a jobindsats.dk table (IndicatorSource): the municipality's own
  figures are its analysts'; those of hele landet, regions, RAR areas and councils and every
  other municipality are the source's, fetched by the connector.
- A shared indicator not bound to a source: the municipality's own figures and those of the
  comparison areas (typed from the documents); never another municipality's.

Pure: it reads only the objects it is given (indicator.owner_id, area.kind, area.pk), so the
importer can ask it once per distinct (indicator, area) in a file of a million rows.
"""

from django.utils.translation import gettext as _

from .models import Area, IndicatorSource


def source_table_id(indicator) -> str | None:
    """The jobindsats.dk table a shared indicator is bound to, or None. Reads indicator.source:
    select_related("source__table") saves a query per indicator."""
    try:
        return indicator.source.table.table_id
    except IndicatorSource.DoesNotExist:
        return None


def unknown_indicator(key) -> str:
    return _("Unknown indicator “%(key)s”.") % {"key": key}


def figure_problem(
    *, editable: set[int] | None, indicator, area, table_id: str | None
) -> str | None:
    """Why the writer may not write this indicator's figures for this area, in Danish, naming
    who owns them; None if they may. editable: the municipalities whose figures the writer
    edits (plans.access.figure_municipalities), None for all. table_id: the table the indicator
    is bound to (source_table_id), or None."""
    if editable is None:
        return None
    if indicator.owner_id is not None:
        return None if indicator.owner_id in editable else unknown_indicator(indicator.key)
    municipality = area.kind == Area.Kind.MUNICIPALITY
    if municipality and area.pk in editable:
        return None
    if table_id:
        return _(
            "Figures for %(area)s on “%(indicator)s” are fetched from jobindsats.dk (table "
            "%(table)s) by the portal and cannot be changed by a municipality."
        ) % {"area": area.name, "indicator": indicator.name, "table": table_id}
    if municipality:
        return _("You may not load figures for %(name)s.") % {"name": area.name}
    return None
