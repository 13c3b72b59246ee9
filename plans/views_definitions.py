"""Administrators define targets in a form that speaks the domain: the kind decides what the
form asks for, and a preview shows the status the target would get on today's figures."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from . import access, selectors, services
from .cards import Card
from .forms import KIND_FIELDS, ReviseForm, TargetForm
from .models import Target


def _editable_plan(request, plan_key):
    plan = selectors.plan_for_page(access.visible_plans(request.user), plan_key)
    if not access.can_edit_definitions(request.user, plan.municipality_id):
        raise PermissionDenied
    return plan


@login_required
def target_edit(request, plan_key, target_key=None):
    plan = _editable_plan(request, plan_key)
    target = get_object_or_404(plan.targets, key=target_key) if target_key else None
    form = TargetForm(request.POST or None, instance=target, plan=plan)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        focus_areas = data.pop("focus_areas")
        if request.POST.get("action") == "preview":
            preview = _preview(plan, target, data, form)
        else:
            try:
                saved = _save(plan, target, data, focus_areas)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("plans:target", saved.key)
    context = {
        "plan": plan,
        "target": target,
        "form": form,
        "preview": preview,
        "kind_fields": KIND_FIELDS,
        "revise_form": ReviseForm() if target else None,
    }
    return render(request, "plans/target_form.html", context)


def _preview(plan, target, data, form):
    """The card the target would show today, without saving anything."""
    unsaved = Target(plan=plan, pk=target.pk if target else None, key="preview", **data)
    try:
        unsaved.clean()
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    result = selectors.evaluate_targets([unsaved], as_of=timezone.localdate())[unsaved.pk]
    return Card(unsaved, result)


def _save(plan, target, data, focus_areas):
    if target:
        return services.target_update(target=target, focus_areas=focus_areas, **data)
    key = services.unique_target_key(plan, data["title"])
    return services.target_create(plan=plan, key=key, focus_areas=focus_areas, **data)


@login_required
def target_revise(request, plan_key, target_key):
    """Revise the target value from a date on; the original stays, with the reason."""
    plan = _editable_plan(request, plan_key)
    target = get_object_or_404(plan.targets, key=target_key)
    if request.method != "POST":
        return redirect("plans:target_edit", plan.key, target.key)
    form = ReviseForm(request.POST)
    if form.is_valid():
        services.target_revise(target=target, user=request.user, **form.cleaned_data)
        return redirect("plans:target", target.key)
    context = {"plan": plan, "target": target, "form": TargetForm(instance=target, plan=plan),
               "kind_fields": KIND_FIELDS, "revise_form": form}  # fmt: skip
    return render(request, "plans/target_form.html", context, status=400)
