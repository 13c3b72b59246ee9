"""Denmark's municipalities and the comparison areas their figures are set beside."""

from django.utils.translation import gettext_lazy as _

from jobcenter.tables import Column, DataTable, NumberColumn
from kpis.models import Area


def _groups(municipality, kind) -> str:
    return ", ".join(
        link.group.name for link in municipality.group_memberships.all() if link.group.kind == kind
    )


class MunicipalitiesTable(DataTable):
    """The 98 municipalities (kpis.selectors.municipalities_with_groups, with plan_count)."""

    key = "kommuner"
    caption = _("Municipalities")

    name = Column(_("Municipality"), row_header=True)
    code = Column(_("Code"))
    region = Column(_("Region"), accessor="region__name")
    rar = Column(_("RAR area (2015–2024)"), empty_values=())
    council = Column(_("Regional employment council (2025–)"), empty_values=())
    plan_count = NumberColumn(_("Plans"))

    def render_rar(self, record):
        return _groups(record, Area.Kind.RAR)

    def render_council(self, record):
        return _groups(record, Area.Kind.COUNCIL)


class ComparisonAreasTable(DataTable):
    """The RAR areas, councils, regions and the country, with how many municipalities each
    holds (kpis.selectors.comparison_areas_with_member_counts)."""

    key = "sammenligningsomraader"
    caption = _("Comparison areas")

    name = Column(_("Area"), row_header=True)
    kind = Column(_("Kind"))
    member_count = NumberColumn(_("Member municipalities"), empty_values=(None, "", 0))
