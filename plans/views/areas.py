"""Denmark's municipalities and the comparison areas their figures are set beside."""

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from jobcenter.tables import export_requested
from kpis.selectors import comparison_areas_with_member_counts, municipalities_with_groups
from plans import access
from plans.tables.areas import ComparisonAreasTable, MunicipalitiesTable


def municipality_list(request):
    """All 98 municipalities (reference data, whether or not they have plans yet) with their
    region, RAR area (2015–2024) and council (2025–), and the comparison areas."""
    visible = access.visible_plans(request.user)
    municipalities = municipalities_with_groups().annotate(
        plan_count=Count("plans", filter=Q(plans__in=visible), distinct=True)
    )
    # Lists: the page and its download read each query once.
    table = MunicipalitiesTable(list(municipalities))
    groups = ComparisonAreasTable(list(comparison_areas_with_member_counts()))
    export = export_requested(request, [table, groups], _("municipalities"))
    if export:
        return export
    return render(request, "plans/municipality_list.html", {"table": table, "groups": groups})
