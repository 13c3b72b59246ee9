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

from jobcenter.text import text_problem

from . import access, selectors, services
from .cards import cards_for
from .models import ReportingRound

NARRATIVE_MAX = 20_000


class RoundForm(forms.ModelForm):
    class Meta:
        model = ReportingRound
        fields = ["name", "cut_off"]
        widgets = {"cut_off": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}
        help_texts = {"name": gettext_lazy("e.g. “Status maj 2025” or “Afrapportering for 2025”")}


@login_required
def round_create(request, plan_key):
    plan = selectors.plan_for_page(access.visible_plans(request.user), plan_key)
    if not access.can_edit_figures(request.user, plan.municipality_id):
        raise PermissionDenied
    form = RoundForm(request.POST or None, instance=ReportingRound(plan=plan))
    if request.method == "POST" and form.is_valid():
        try:
            reporting_round = services.round_create(
                plan=plan, name=form.cleaned_data["name"], cut_off=form.cleaned_data["cut_off"]
            )
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
    targets = list(selectors.targets_for_cards().filter(plan=plan))
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
            except services.RoundFrozen as exc:
                messages.error(request, str(exc))
                return redirect("plans:round", plan.key, reporting_round.pk)
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
