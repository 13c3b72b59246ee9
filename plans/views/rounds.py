"""The reporting round as work: analysts write a status narrative per target and submit the
round; an administrator approves it, which freezes it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobcenter.text import text_problem, whole_number
from plans import access, services
from plans.models import ReportingRound
from plans.presenters.cards import cards_for
from plans.selectors import targets as selectors

NARRATIVE_MAX = 20_000


DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class RoundForm(forms.ModelForm):
    class Meta:
        model = ReportingRound
        fields = ["name", "cut_off", "deadline"]
        widgets = {"cut_off": DATE, "deadline": DATE}
        help_texts = {
            "name": gettext_lazy("e.g. “Status maj 2025” or “Afrapportering for 2025”"),
            "cut_off": gettext_lazy("Figures for periods up to this day count in the round."),
            "deadline": gettext_lazy(
                "When the status narratives are due. The analysts are reminded by e-mail "
                "beforehand and on the day."
            ),
        }


@login_required
def round_create(request, plan_key):
    plan = selectors.plan_for_page(access.visible_plans(request.user), plan_key)
    if not access.can_edit_figures(request.user, plan.municipality_id):
        raise PermissionDenied
    form = RoundForm(request.POST or None, instance=ReportingRound(plan=plan))
    if request.method == "POST" and form.is_valid():
        try:
            reporting_round = services.round_create(plan=plan, **form.cleaned_data)
        except ValidationError as exc:  # e.g. the plan already has a round of that name
            form.add_error(None, exc)
        else:
            return redirect("plans:round_work", plan.key, reporting_round.pk)
    return render(request, "plans/round_form.html", {"plan": plan, "form": form})


@login_required
def round_work(request, plan_key, round_id):
    """Write the narratives of a round in progress, submit it, or (administrators) approve it."""
    reporting_round = get_object_or_404(
        access.visible_rounds(request.user).select_related("plan__municipality"),
        pk=round_id,
        plan__key=plan_key,
    )
    plan = reporting_round.plan
    municipality_id = plan.municipality_id
    if not access.can_edit_figures(request.user, municipality_id):
        raise PermissionDenied
    if reporting_round.frozen:
        return redirect("plans:round", plan.key, reporting_round.pk)
    targets = selectors.plan_targets_for_cards(plan)
    saved = {n.target_id: n.text for n in reporting_round.narratives.all()}
    shown, errors = saved, {}
    if request.method == "POST":
        texts = {t.pk: request.POST.get(f"n-{t.pk}", "").strip() for t in targets}
        errors = {pk: problem for pk, text in texts.items() if (problem := _text_problem(text))}
        action = request.POST.get("action")
        if action == "approve" and not access.can_edit_definitions(request.user, municipality_id):
            raise PermissionDenied
        if not errors:
            try:
                return _save_round_work(request, plan, reporting_round, targets, texts, saved,
                                        action)  # fmt: skip
            except services.NarrativesMissing:
                # The narratives are saved; the submit page lists what is still missing.
                _save_round_work(request, plan, reporting_round, targets, texts, saved, "save")
                return redirect("plans:round_submit", plan.key, reporting_round.pk)
        shown = texts  # nothing saved: keep what was typed
    results = selectors.round_results(reporting_round, today=timezone.localdate())
    items = [
        (card, shown.get(card.target.pk, ""), errors.get(card.target.pk))
        for card in cards_for(targets, results)
    ]
    context = {
        "plan": plan,
        "round": reporting_round,
        "items": items,
        "can_approve": access.can_edit_definitions(request.user, municipality_id),
    }
    return render(request, "plans/round_work.html", context, status=400 if errors else 200)


def _text_problem(text) -> str | None:
    if len(text) > NARRATIVE_MAX:
        return _("At most %(max)s characters.") % {"max": NARRATIVE_MAX}
    if "\x00" in text:  # PostgreSQL cannot store it; pasted from some programs
        return _("The text contains a null character; remove it and save again.")
    return text_problem(text, multiline=True)


@transaction.atomic
def _save_round_work(request, plan, reporting_round, targets, texts, saved, action):
    """The narratives and the round's next step, together: all or nothing."""
    for target in targets:
        text = texts[target.pk]
        if text != saved.get(target.pk, ""):
            services.narrative_write(
                target=target, reporting_round=reporting_round, text=text, user=request.user
            )
    if action == "submit":
        services.round_submit(reporting_round=reporting_round)
        messages.success(request, _("The round is submitted for approval."))
    elif action == "approve":
        services.round_approve(reporting_round=reporting_round, user=request.user)
        messages.success(request, _("The round is approved and frozen."))
        return redirect("plans:round", plan.key, reporting_round.pk)
    else:
        messages.success(request, _("The narratives are saved."))
    return redirect("plans:round_work", plan.key, reporting_round.pk)


def _open_round(request, plan_key, round_id):
    """A round in progress of a plan the user may write narratives for."""
    reporting_round = get_object_or_404(
        access.visible_rounds(request.user).select_related("plan__municipality"),
        pk=round_id,
        plan__key=plan_key,
    )
    if not access.can_edit_figures(request.user, reporting_round.plan.municipality_id):
        raise PermissionDenied
    return reporting_round


@login_required
def round_submit(request, plan_key, round_id):
    """Submit the round for approval. The targets not met without a narrative are listed
    first: each is written (on the narratives page) or confirmed to go without one, unless
    the plan requires narratives."""
    reporting_round = _open_round(request, plan_key, round_id)
    plan = reporting_round.plan
    if reporting_round.frozen:
        return redirect("plans:round", plan.key, reporting_round.pk)
    missing = selectors.round_missing_narratives(reporting_round, today=timezone.localdate())
    confirmed = {n for v in request.POST.getlist("confirm") if (n := whole_number(v)) is not None}
    error = None
    if request.method == "POST":
        try:
            services.round_submit(reporting_round=reporting_round, confirmed=confirmed)
        except services.NarrativesMissing as exc:
            error = exc
        else:
            messages.success(request, _("The round is submitted for approval."))
            return redirect("plans:round", plan.key, reporting_round.pk)
    context = {
        "plan": plan,
        "round": reporting_round,
        "missing": [(t, t.pk in confirmed) for t in missing],
        "required": plan.narratives_required,
        "error": error,
    }
    return render(request, "plans/round_submit.html", context, status=400 if error else 200)


@login_required
def round_approve(request, plan_key, round_id):
    """Approve and freeze the round, from its own page (administrators)."""
    reporting_round = _open_round(request, plan_key, round_id)
    plan = reporting_round.plan
    if not access.can_edit_definitions(request.user, plan.municipality_id):
        raise PermissionDenied
    if request.method == "POST":
        services.round_approve(reporting_round=reporting_round, user=request.user)
        messages.success(request, _("The round is approved and frozen."))
    return redirect("plans:round", plan.key, reporting_round.pk)
