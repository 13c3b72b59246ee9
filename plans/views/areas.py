"""Denmark's municipalities and the comparison areas their figures are set beside."""

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from jobcenter.tables import Table, export_requested
from kpis.models import Area
from kpis.selectors import comparison_areas_with_member_counts, municipalities_with_groups
from plans import access


def _groups(municipality, kind) -> str:
    return ", ".join(
        link.group.name for link in municipality.group_memberships.all() if link.group.kind == kind
    )


def municipality_list(request):
    """All 98 municipalities (reference data, whether or not they have plans yet) with their
    region, RAR area (2015–2024) and council (2025–), and the comparison areas."""
    visible = access.visible_plans(request.user)
    municipalities = municipalities_with_groups().annotate(
        plan_count=Count("plans", filter=Q(plans__in=visible), distinct=True)
    )
    table = Table(
        "kommuner",
        _("Municipalities"),
        [
            _("Municipality"),
            _("Code"),
            _("Region"),
            _("RAR area (2015–2024)"),
            _("Regional employment council (2025–)"),
            _("Plans"),
        ],  # fmt: skip
        numeric={5},
    )
    for m in municipalities:
        table.add(
            [
                m.name,
                m.code,
                m.region.name if m.region else "",
                _groups(m, Area.Kind.RAR),
                _groups(m, Area.Kind.COUNCIL),
                m.plan_count,
            ]  # fmt: skip
        )
    groups = Table(
        "sammenligningsomraader",
        _("Comparison areas"),
        [_("Area"), _("Kind"), _("Member municipalities")],
        numeric={2},
    )
    for area in comparison_areas_with_member_counts():
        groups.add([area.name, area.get_kind_display(), area.member_count or ""])
    export = export_requested(request, [table, groups], _("municipalities"))
    if export:
        return export
    return render(request, "plans/municipality_list.html", {"table": table, "groups": groups})
