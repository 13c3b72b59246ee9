"""Administrators define targets in a form that speaks the domain: the kind decides what the
form asks for, and a preview shows the status the target would get on today's figures."""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kpis.danish import format_plain
from kpis.models import Area, Indicator, MeasurementRevision
from plans import access, services
from plans.forms import (
    KIND_FIELDS,
    FocusAreaForm,
    GuidepostFormSet,
    IndicatorForm,
    InitiativeFormSet,
    PlanCopyForm,
    PlanForm,
    RevertForm,
    ReviseForm,
    TargetCopyFormSet,
    TargetForm,
)
from plans.models import FocusArea, Membership, Plan, Target
from plans.presenters.cards import Card
from plans.selectors import targets as selectors


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
        "revise_form": ReviseForm(target=target) if target else None,
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
    key = services.unique_key(Target, plan.key, data["title"])
    return services.target_create(plan=plan, key=key, focus_areas=focus_areas, **data)


@login_required
def target_revise(request, plan_key, target_key):
    """Revise the target value from a date on; the original stays, with the reason."""
    plan = _editable_plan(request, plan_key)
    target = get_object_or_404(plan.targets, key=target_key)
    if request.method != "POST":
        return redirect("plans:target_edit", plan.key, target.key)
    form = ReviseForm(request.POST, target=target)
    if form.is_valid():
        services.target_revise(target=target, user=request.user, **form.cleaned_data)
        return redirect("plans:target", target.key)
    context = {"plan": plan, "target": target, "form": TargetForm(instance=target, plan=plan),
               "kind_fields": KIND_FIELDS, "revise_form": form}  # fmt: skip
    return render(request, "plans/target_form.html", context, status=400)


def _admin_municipalities(user):
    """Municipalities whose definitions the user may edit."""
    if user.is_superuser:
        return Area.objects.filter(kind=Area.Kind.MUNICIPALITY)
    admin_of = [a for a, role in access.roles(user).items() if role == Membership.Role.ADMIN]
    return Area.objects.filter(pk__in=admin_of)


@login_required
def plan_edit(request, plan_key=None):
    """Create a plan (choosing the municipality) or edit one."""
    if plan_key:
        plan = _editable_plan(request, plan_key)
        municipality = plan.municipality
    else:
        plan = None
        choices = _admin_municipalities(request.user)
        municipality = choices.filter(pk=request.GET.get("municipality") or 0).first()
        if municipality is None:
            if not choices.exists():
                raise PermissionDenied
            return render(request, "plans/choose_municipality.html", {"municipalities": choices})
    form = PlanForm(request.POST or None, instance=plan, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        if plan is None:
            form.instance.key = services.unique_key(
                Plan, municipality.slug, form.cleaned_data["title"], form.cleaned_data["start_year"]
            )
        saved = services.definition_save(form)
        return redirect("plans:plan", saved.key)
    context = {"plan": plan, "municipality": municipality, "form": form}
    return render(request, "plans/plan_form.html", context)


@login_required
def focus_area_edit(request, plan_key, area_key=None):
    """A focus area with its guideposts and initiatives, saved together."""
    plan = _editable_plan(request, plan_key)
    focus_area = get_object_or_404(plan.focus_areas, key=area_key) if area_key else None
    instance = focus_area or FocusArea(plan=plan, order=plan.focus_areas.count())
    data = request.POST or None
    form = FocusAreaForm(data, instance=instance)
    guideposts = GuidepostFormSet(data, instance=instance, prefix="guideposts")
    initiatives = InitiativeFormSet(data, instance=instance, prefix="initiatives")
    if request.method == "POST" and all(f.is_valid() for f in (form, guideposts, initiatives)):
        if focus_area is None:
            form.instance.key = services.unique_key(FocusArea, plan.key, form.cleaned_data["title"])
        saved = services.definition_save(form, guideposts, initiatives)
        return redirect("plans:theme", plan.key, saved.key)
    context = {"plan": plan, "focus_area": focus_area, "form": form,
               "guideposts": guideposts, "initiatives": initiatives}  # fmt: skip
    return render(request, "plans/focus_area_form.html", context)


@login_required
def indicator_edit(request, key=None):
    """Shared indicators are a superuser's; a local one is its municipality's administrators'."""
    owners = _admin_municipalities(request.user)
    indicator = get_object_or_404(Indicator, key=key) if key else None
    if not owners.exists() or (
        indicator and not request.user.is_superuser and indicator.owner_id not in
        set(owners.values_list("pk", flat=True))
    ):  # fmt: skip
        raise PermissionDenied
    form = IndicatorForm(request.POST or None, instance=indicator, owners=owners,
                         shared_allowed=request.user.is_superuser)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        if indicator is None:
            owner = form.cleaned_data.get("owner")
            form.instance.key = services.unique_key(
                Indicator, owner.slug if owner else "", form.cleaned_data["name"]
            )
        saved = services.definition_save(form)
        return redirect("plans:indicator", saved.key)
    return render(request, "plans/indicator_form.html", {"indicator": indicator, "form": form})


def _shown(field, value):
    """A stored value as the history shows it: "1.075", not "1075,000000"; a choice, a
    related object and a day in words, not their keys."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        return format_plain(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, date):
        return date_format(value, "j. F Y")
    if field.is_relation:
        related = field.related_model.objects.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    return str(value)


def _changes(versions):
    """Each version with what it changed from the one before: [(field label, old, new)]."""
    rows = []
    for newer, older in zip(versions, versions[1:] + [None], strict=True):
        changes = []
        if older is not None:
            delta = newer.diff_against(older)
            for change in delta.changes:
                field = Target._meta.get_field(change.field)
                changes.append((field.verbose_name, _shown(field, change.old),
                                _shown(field, change.new)))  # fmt: skip
        rows.append((newer, changes))
    return rows


@login_required
def target_history(request, plan_key, target_key):
    """Who changed the target's definition when, from what to what; and every revision of its
    figures. Administrators can put an earlier version back."""
    plan = _editable_plan(request, plan_key)
    target = get_object_or_404(plan.targets.select_related("indicator"), key=target_key)
    form = RevertForm(request.POST if request.method == "POST" else None, target=target)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_revert(target=target, version_id=form.cleaned_data["version"])
        except ValidationError as exc:  # the old version breaks a rule that holds today
            form.add_error(None, exc)
        else:
            messages.success(request, _("The earlier version is back; the history keeps both."))
            return redirect("plans:target_history", plan.key, target.key)
    versions = list(target.history.select_related("history_user").order_by("-history_date"))
    figures = MeasurementRevision.objects.filter(
        measurement__indicator=target.indicator_id,
        measurement__area__in=[plan.municipality_id, target.comparison_area_id],
    ).select_related("measurement__area", "measurement__period", "changed_by")
    context = {"plan": plan, "target": target, "versions": _changes(versions),
               "figures": figures.order_by("-changed_at")[:200], "form": form}  # fmt: skip
    status = 400 if form.errors else 200
    return render(request, "plans/target_history.html", context, status=status)


def _copy_title(source, start_year, end_year):
    """The old title with the new years where it names the old ones ("… 2024" → "… 2025")."""
    title = source.title.replace(source.years, Plan(start_year=start_year,
                                                    end_year=end_year).years)  # fmt: skip
    return title.replace(str(source.start_year), str(start_year))


@login_required
def plan_copy(request, plan_key):
    """ "Ny plan ud fra denne": next year's plan from this one, asking for the new period and
    each target's deadline and baseline (proposed: the latest figure before the new start,
    else the old baseline). Nothing of this plan changes."""
    source = _editable_plan(request, plan_key)
    targets = {t.pk: t for t in source.targets.select_related("indicator", "baseline_period")}
    start = source.end_year + 1
    end = start + source.end_year - source.start_year
    proposals = selectors.baseline_proposals(source, start)
    initial_rows = []
    for target in targets.values():
        value, period = proposals.get(target.pk, (target.baseline_value, target.baseline_period))
        initial_rows.append({"target": target.pk, "baseline_value": value,
                             "baseline_period": period,
                             "deadline": services.shift_years(target.deadline, start -
                                                              source.start_year)})  # fmt: skip
    data = request.POST or None
    form = PlanCopyForm(data, initial={"title": _copy_title(source, start, end),
                                       "start_year": start, "end_year": end})  # fmt: skip
    rows = TargetCopyFormSet(data, initial=initial_rows, prefix="targets")
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        chosen = [r.cleaned_data for r in rows if r.cleaned_data.get("target") in targets]
        try:
            plan = services.plan_copy(
                source=source, user=request.user, **form.cleaned_data,
                deadlines={r["target"]: r["deadline"] for r in chosen},
                baselines={r["target"]: (r["baseline_value"], r["baseline_period"])
                           if r["baseline_value"] is not None else services.CLEAR
                           for r in chosen},
            )  # fmt: skip
        except services.CopyProblems as exc:
            for name, errors in exc.plan.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
            for row in rows:
                for error in exc.targets.get(row.cleaned_data.get("target"), ()):
                    row.add_error(None, error)
        else:
            messages.success(
                request, _("The new plan is made as a draft; check it and approve it.")
            )
            return redirect("plans:plan", plan.key)
    lines = [
        (row, targets.get(_int(row["target"].value())), _int(row["target"].value()) in proposals)
        for row in rows
    ]
    context = {"plan": source, "form": form, "rows": rows, "lines": lines, "start": start}
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/plan_copy.html", context, status=status)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
