"""The committee's pages: start, plan, theme, target, reporting round, and the printed report."""

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone

from jobcenter.tables import export_requested
from kpis.models import Area, Indicator

from . import presenters, selectors
from .cards import cards_for
from .models import ReportingRound


def start(request):
    """Municipalities and their plans, each with a one-line status summary."""
    return render(request, "plans/start.html", {"plans": selectors.plans_with_status_counts()})


def plan_detail(request, plan_key):
    plan = selectors.plan_for_page(plan_key)
    cards = cards_for(selectors.targets_for_cards().filter(plan=plan))
    table = presenters.targets_table(cards)
    export = export_requested(request, [table], plan.title)
    if export:
        return export
    context = {
        "plan": plan,
        "focus_areas": selectors.focus_areas_with_status_counts(plan),
        "rounds": plan.rounds.all(),
        "table": table,
    }
    return render(request, "plans/plan_detail.html", context)


def focus_area_detail(request, plan_key, area_key):
    """A theme page: pejlemærker, indsatser/cases and the KPI cards."""
    plan = selectors.plan_for_page(plan_key)
    focus_area = selectors.focus_area_for_page(plan, area_key)
    context = {
        "plan": plan,
        "focus_area": focus_area,
        "cards": cards_for(focus_area.targets.all()),
        "siblings": plan.focus_areas.only("key", "title", "number", "order"),
    }
    return render(request, "plans/focus_area_detail.html", context)


def target_detail(request, target_key):
    """The card, the whole series in a chart and a table, the narratives and the revisions."""
    target = get_object_or_404(
        selectors.targets_for_cards()
        .select_related("plan__municipality__rar", "plan__municipality__region")
        .prefetch_related("revisions", "focus_areas", "narratives__round"),
        key=target_key,
    )
    card = cards_for([target])[0]
    figures = presenters.target_figures(card)
    export = export_requested(request, [figures.table] if figures else [], target.title)
    if export:
        return export
    context = {
        "plan": target.plan,
        "target": target,
        "card": card,
        "figures": figures,
        "narratives": sorted(target.narratives.all(), key=lambda n: n.round.cut_off),
        "revisions": [(r, card.revision_value(r)) for r in target.revisions.all()],
    }
    return render(request, "plans/target_detail.html", context)


def _round(plan_key, round_id) -> ReportingRound:
    return get_object_or_404(
        ReportingRound.objects.select_related("plan__municipality", "plan__committee"),
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
        results = selectors.round_results(reporting_round, today=timezone.localdate())
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
            "today": timezone.localdate()}  # fmt: skip


def round_detail(request, plan_key, round_id):
    reporting_round = _round(plan_key, round_id)
    plan = selectors.plan_for_page(plan_key)
    return render(request, "plans/round_detail.html", _report_context(plan, reporting_round))


def _pdf(request, context, filename):
    from .pdf import render_pdf  # WeasyPrint is heavy to import; only the PDF needs it

    html = render_to_string("plans/report_pdf.html", context, request=request)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


def plan_report_pdf(request, plan_key):
    plan = selectors.plan_for_page(plan_key)
    return _pdf(request, _report_context(plan), plan.key)


def round_report_pdf(request, plan_key, round_id):
    reporting_round = _round(plan_key, round_id)
    plan = selectors.plan_for_page(plan_key)
    return _pdf(request, _report_context(plan, reporting_round), f"{plan.key}-{round_id}")


def indicator_list(request):
    indicators = Indicator.objects.annotate(
        municipalities=Count(
            "measurements__area",
            filter=Q(measurements__area__kind=Area.Kind.MUNICIPALITY),
            distinct=True,
        )
    ).select_related("owner")
    # Meta.ordering does not apply to grouped queries; the list is read alphabetically.
    indicators = indicators.order_by("name")
    return render(request, "plans/indicator_list.html", {"indicators": indicators})


def indicator_detail(request, key):
    """One indicator across every municipality and comparison area that has it."""
    indicator = get_object_or_404(Indicator.objects.select_related("owner"), key=key)
    figures = presenters.indicator_figures(indicator)
    export = export_requested(request, [figures.table], indicator.name)
    if export:
        return export
    targets = indicator.targets.select_related("plan__municipality", "status")
    context = {"indicator": indicator, "figures": figures, "targets": targets}
    return render(request, "plans/indicator_detail.html", context)
