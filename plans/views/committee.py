"""The committee's pages: start, plan, theme, target, reporting round, and the printed report."""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone

from jobcenter.tables import export_requested
from kpis.models import Area
from plans import access
from plans.forms import IndicatorFilterForm
from plans.models import FocusArea, Membership, ReportingRound, StatusNarrative
from plans.presenters import indicators as presenters_indicators
from plans.presenters import provenance
from plans.presenters import report as presenters_report
from plans.presenters import rounds as presenters_rounds
from plans.presenters import targets as presenters
from plans.presenters.cards import cards_for
from plans.selectors import indicators as selectors_indicators
from plans.selectors import stale
from plans.selectors import targets as selectors


def start(request):
    """Municipalities and their plans, each with a one-line status summary."""
    plans = selectors.plans_with_status_counts(access.visible_plans(request.user))
    # Where an administrator names the municipality's comparable municipalities.
    roles = access.roles(request.user).items()
    admin_of = {pk for pk, role in roles if role == Membership.Role.ADMIN}
    return render(request, "plans/start.html", {"plans": plans, "admin_of": admin_of})


def _plan(request, plan_key, *, counts=True):
    return selectors.plan_for_page(access.visible_plans(request.user), plan_key, counts=counts)


def plan_detail(request, plan_key):
    plan = _plan(request, plan_key)
    cards = cards_for(selectors.plan_targets_for_cards(plan))
    table = presenters.targets_table(cards)
    export = export_requested(request, [table], plan.title)
    if export:
        return export
    context = {
        "plan": plan,
        "focus_areas": selectors.focus_areas_with_status_counts(plan),
        "rounds": access.visible_rounds(request.user).filter(plan=plan),
        "table": table,
        "can_edit_figures": access.can_edit_figures(request.user, plan.municipality_id),
        "can_edit_definitions": access.can_edit_definitions(request.user, plan.municipality_id),
    }
    return render(request, "plans/plan_detail.html", context)


def focus_area_detail(request, plan_key, area_key):
    """A theme page: pejlemærker, indsatser/cases and the KPI cards."""
    plan = _plan(request, plan_key, counts=False)
    focus_area, siblings = selectors.focus_area_for_page(plan, area_key)
    context = {
        "plan": plan,
        "focus_area": focus_area,
        "cards": cards_for(focus_area.targets.all()),
        "can_edit_definitions": access.can_edit_definitions(request.user, plan.municipality_id),
        "siblings": siblings,  # the plan's other focus areas
    }
    return render(request, "plans/focus_area_detail.html", context)


def target_detail(request, target_key):
    """The card, the whole series in a chart and a table, the narratives and the revisions."""
    # The plan first, then the target within it: one query joining the plan, its municipality
    # and region to the card's tables took PostgreSQL longer to plan than both take to run.
    plan = get_object_or_404(
        access.visible_plans(request.user).select_related("municipality__region"),
        targets__key=target_key,
    )
    target = get_object_or_404(
        selectors.targets_for_cards()
        .filter(plan=plan)
        # Its revisions come with the card (targets_for_cards); its themes are all of its plan;
        # its narratives those of the rounds the user may see, each with its round.
        .prefetch_related(
            Prefetch("focus_areas", queryset=FocusArea.objects.order_by("order", "id")),
            Prefetch(
                "narratives",
                queryset=StatusNarrative.objects.filter(
                    round__in=access.visible_rounds(request.user)
                )
                .select_related("round")
                .order_by("round__cut_off", "id"),
            ),
        ),
        key=target_key,
    )
    target.plan = plan
    card = cards_for([target])[0]
    figures = presenters.target_figures(card, access.visible_areas(request.user))
    export = export_requested(request, [figures.table] if figures else [], target.title)
    if export:
        return export
    context = {
        "plan": target.plan,
        "target": target,
        "card": card,
        "figures": figures,
        "narratives": target.narratives.all(),
        "revisions": [(r, card.revision_value(r)) for r in target.revisions.all()],
        # Newer figures or a changed definition than the stored status: its refresh is still
        # queued (or waits for the broker); the page says so rather than pass it off as current.
        "status_pending": stale.targets_with_stale_status().filter(pk=target.pk).exists(),
        "can_edit_definitions": access.can_edit_definitions(
            request.user, target.plan.municipality_id
        ),
        "source_line": provenance.card_source(card, figures.current_figure if figures else None),
        # Where in the document a figure was typed from, how a deadline was read: the
        # analysts' notes, not the committee's reading.
        "show_notes": access.can_edit_figures(request.user, target.plan.municipality_id),
    }
    return render(request, "plans/target_detail.html", context)


def _round(request, plan_key, round_id) -> ReportingRound:
    return get_object_or_404(
        access.visible_rounds(request.user).select_related("plan__municipality", "plan__committee"),
        pk=round_id,
        plan__key=plan_key,
    )


def _report_context(plan, reporting_round=None):
    """The plan's themes with their cards: as of today, as approved in a round (frozen), or for
    a round not yet approved, as the figures stand for periods up to its cut-off."""
    focus_areas = selectors.plan_with_contents(plan)
    results = None
    narratives = {}
    if reporting_round:
        # The themes' targets are fetched already, with what the engine reads.
        shown = {t.pk: t for fa in focus_areas for t in fa.targets.all()}
        results = selectors.round_results(
            reporting_round, today=timezone.localdate(), targets=shown.values()
        )
        narratives = {n.target_id: n for n in reporting_round.narratives.all()}
    themes = [
        {
            "focus_area": fa,
            "cards": [
                (card, narratives.get(card.target.pk))
                for card in cards_for(fa.targets.all(), results)
            ],
        }
        for fa in focus_areas
    ]
    return {"plan": plan, "round": reporting_round, "themes": themes,
            "today": timezone.localdate(), **presenters_report.report_pack(themes)}  # fmt: skip


def round_detail(request, plan_key, round_id):
    """The round as a report, with a summary per theme and the reader's next step (write,
    submit, approve, read)."""
    reporting_round = _round(request, plan_key, round_id)
    plan = _plan(request, plan_key)
    context = _report_context(plan, reporting_round)
    context["steps"] = presenters_rounds.next_steps(request.user, reporting_round)
    return render(request, "plans/round_detail.html", context)


def _pdf(request, context, filename):
    from plans.presenters.pdf import (
        render_pdf,  # WeasyPrint is heavy to import; only the PDF needs it
    )

    html = render_to_string("plans/report_pdf.html", context, request=request)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


def plan_report_pdf(request, plan_key):
    plan = _plan(request, plan_key)
    return _pdf(request, _report_context(plan), plan.key)


def round_report_pdf(request, plan_key, round_id):
    reporting_round = _round(request, plan_key, round_id)
    plan = _plan(request, plan_key)
    return _pdf(request, _report_context(plan, reporting_round), f"{plan.key}-{round_id}")


def indicator_list(request):
    areas = access.visible_areas(request.user)
    indicators = selectors_indicators.with_municipalities_measured(
        access.visible_indicators(request.user), areas
    ).select_related("owner")
    municipalities = areas.filter(kind=Area.Kind.MUNICIPALITY, plans__isnull=False).distinct()
    form = IndicatorFilterForm(
        request.GET or None,
        focus_areas=access.visible_focus_areas(request.user).order_by(
            "plan__municipality__name", "-plan__start_year", "order"
        ),
        municipalities=municipalities.order_by("name"),
    )
    total = indicators.count()
    if form.is_bound and form.is_valid():
        indicators = selectors_indicators.indicators_matching(
            indicators,
            text=form.cleaned_data["q"].strip(),
            focus_area=form.cleaned_data["tema"],
            municipality=form.cleaned_data["kommune"],
        )
    # Meta.ordering does not apply to grouped queries; the list is read alphabetically.
    indicators = list(indicators.order_by("name"))
    context = {"indicators": indicators, "form": form, "total": total,
               "filtered": form.is_bound and len(indicators) != total}  # fmt: skip
    return render(request, "plans/indicator_list.html", context)


def indicator_detail(request, key):
    """One indicator across the country: for one period (?periodetype=, ?periode=) every
    municipality's figure ranked, beside hele landet, the regions and the chosen municipality's
    (?kommune=, else the user's own) RAR area or council, with its comparable municipalities;
    then every area's latest figure and the targets on the indicator."""
    indicator = get_object_or_404(
        access.visible_indicators(request.user).select_related("owner"), key=key
    )
    areas = access.visible_areas(request.user)
    own = () if request.user.is_superuser else access.roles(request.user).keys()
    country = presenters_indicators.indicator_country(
        indicator,
        areas,
        own_ids=own,
        kind=request.GET.get("periodetype"),
        period_code=request.GET.get("periode"),
        municipality_slug=request.GET.get("kommune"),
    )
    latest = presenters.indicator_latest_table(indicator, areas)
    tables = [t for t in (country.table, country.series_table, latest) if t]
    export = export_requested(request, tables, indicator.name)
    if export:
        return export
    targets = indicator.targets.filter(plan__in=access.visible_plans(request.user)).select_related(
        "plan__municipality", "status"
    )
    # The downloads keep the period and municipality chosen: they are of the table shown.
    query = request.GET.copy()
    for name in ("export", "table"):
        query.pop(name, None)
    context = {
        "indicator": indicator,
        "country": country,
        "export_query": query.urlencode() + "&" if query else "",
        "latest": latest,
        "targets": targets,
        "can_choose_comparables": country.chosen is not None
        and access.can_edit_definitions(request.user, country.chosen.pk),
    }
    return render(request, "plans/indicator_detail.html", context)
