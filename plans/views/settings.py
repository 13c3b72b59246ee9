"""A municipality's own settings, for its administrators without the Django admin: its
committees (listed, added, renamed) and whether its approved dashboards are public. Thin: the
writes are plans.services.committee_create / committee_rename / public_dashboards_set."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kpis.models import Area
from plans import access, services
from plans.forms import CommitteeForm, PublicDashboardsForm
from plans.models import Committee


def _add_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _rename_form(committee, data=None):
    """A committee's row: its inputs belong to the row's own <form> by their form attribute."""
    form = CommitteeForm(data, instance=committee, prefix=f"c{committee.pk}")
    for field in form.fields.values():
        field.widget.attrs["form"] = f"committee-{committee.pk}"
    return form


@login_required
def municipality_settings(request, slug):
    """GET: the page. POST with action = "committee_new", "committee_rename" (and committee,
    its id) or "public_dashboards"; saved: back to the page, refused: the page with errors."""
    municipality = get_object_or_404(Area, kind=Area.Kind.MUNICIPALITY, slug=slug)
    if not access.can_edit_definitions(request.user, municipality.pk):
        raise PermissionDenied
    committees = list(municipality.committees.order_by("name"))
    new_form = CommitteeForm(prefix="new")
    public_form = PublicDashboardsForm(
        initial={"public_dashboards": municipality.public_dashboards}, prefix="public"
    )
    rename_forms = {c.pk: _rename_form(c) for c in committees}
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "committee_new":
        new_form = CommitteeForm(request.POST, prefix="new")
        if new_form.is_valid():
            try:
                committee = services.committee_create(
                    municipality=municipality, by=request.user, **new_form.cleaned_data
                )
            except ValidationError as exc:
                _add_errors(new_form, exc)
            else:
                messages.success(
                    request, _("The committee %(name)s is added.") % {"name": committee.name}
                )
                return redirect("plans:municipality_settings", municipality.slug)
    elif action == "committee_rename":
        committee = get_object_or_404(
            Committee, pk=request.POST.get("committee") or 0, municipality=municipality
        )
        form = _rename_form(committee, request.POST)
        rename_forms[committee.pk] = form
        if form.is_valid():
            try:
                services.committee_rename(
                    committee=Committee.objects.get(pk=committee.pk), by=request.user,
                    **form.cleaned_data,
                )  # fmt: skip
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The committee %(name)s is saved.") % {"name": form.cleaned_data["name"]},
                )
                return redirect("plans:municipality_settings", municipality.slug)
    elif action == "public_dashboards":
        public_form = PublicDashboardsForm(request.POST, prefix="public")
        if public_form.is_valid():
            public = public_form.cleaned_data["public_dashboards"]
            services.public_dashboards_set(
                municipality=municipality, public=public, by=request.user
            )
            messages.success(request, _public_message(public) % {"name": municipality.name})
            return redirect("plans:municipality_settings", municipality.slug)
    context = {
        "municipality": municipality,
        "rows": [(c, rename_forms[c.pk]) for c in committees],
        "new_form": new_form,
        "public_form": public_form,
    }
    return render(
        request, "plans/municipality_settings.html", context,
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


def _public_message(public: bool) -> str:
    if public:
        return _("The approved plans of %(name)s are now public.")
    return _("The approved plans of %(name)s are now for members only.")
