"""A municipality's administrators name its comparable municipalities (sammenlignelige
kommuner); every indicator's page then highlights them, with their average and median."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kpis import services as kpi_services
from kpis.models import Area
from plans import access
from plans.forms import ComparablesForm


@login_required
def comparables_edit(request, slug):
    municipality = get_object_or_404(Area, kind=Area.Kind.MUNICIPALITY, slug=slug)
    if not access.can_edit_definitions(request.user, municipality.pk):
        raise PermissionDenied
    candidates = Area.objects.filter(kind=Area.Kind.MUNICIPALITY).select_related("region")
    current = list(municipality.comparables.order_by("name").values_list("slug", flat=True))
    form = ComparablesForm(
        request.POST if request.method == "POST" else None,
        initial={"comparables": current},
        municipality=municipality,
        candidates=candidates.order_by("name"),
    )
    if form.is_bound and form.is_valid():
        try:
            chosen = kpi_services.area_comparables_set(
                municipality=municipality, comparables=form.chosen(), user=request.user
            )
        except ValidationError as exc:
            form.add_error("comparables", exc)
        else:
            messages.success(
                request,
                _("The comparable municipalities of %(name)s are saved (%(count)d).")
                % {"name": municipality.name, "count": len(chosen)},
            )
            return redirect("plans:comparables", municipality.slug)
    context = {"municipality": municipality, "form": form, "current": current,
               "limit": kpi_services.MAX_COMPARABLES}  # fmt: skip
    return render(
        request, "plans/comparables_form.html", context, status=400 if form.is_bound else 200
    )
