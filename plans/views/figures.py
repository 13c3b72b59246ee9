"""The analyst's pages for figures: import a file, check the preview, store it."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kpis import periods
from kpis import services as kpi_services
from kpis import tasks as kpi_tasks
from kpis.importers import TEMPLATE_COLUMNS
from kpis.models import Area, ImportBatch, Indicator, Period
from kpis.periods import parse_period
from plans import access, grid
from plans.forms import ImportForm
from plans.selectors import targets as selectors
from plans.tasks import enqueue

PREVIEW_ROWS = 300  # rows shown on the preview page; the counts cover them all


def _editable_area_ids(user):
    """The municipalities the user may load figures for (None: all); 403 if none."""
    ids = access.figure_municipalities(user)
    if ids is not None and not ids:
        raise PermissionDenied
    return ids


def _batch(request, batch_id) -> ImportBatch:
    batches = ImportBatch.objects.all()
    if not request.user.is_superuser:
        batches = batches.filter(user=request.user)
    return get_object_or_404(batches.select_related("indicator"), pk=batch_id)


@login_required
def import_upload(request):
    allowed = _editable_area_ids(request.user)
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        indicators=access.import_indicators(request.user),
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        batch = kpi_services.import_upload(
            user=request.user,
            filename=upload.name,
            content=content,
            indicator=form.cleaned_data["indicator"],
            value_column=form.cleaned_data["value_column"],
            allowed_area_ids=allowed,
        )
        large = kpi_services.import_is_large(content, upload.name)
        # With the broker down, the file is read here and now rather than never.
        if not (large and enqueue(kpi_tasks.import_read_task, batch.pk)):
            kpi_services.import_read(batch_id=batch.pk)
        return redirect("plans:import", batch.pk)
    municipalities = Area.objects.filter(pk__in=allowed) if allowed is not None else None
    recent = ImportBatch.objects.filter(user=request.user).defer("content", "rows")[:10]
    context = {"form": form, "municipalities": municipalities, "recent": recent}
    return render(request, "plans/import_form.html", context)


@login_required
def import_detail(request, batch_id):
    batch = _batch(request, batch_id)
    # The embedded portal has no beat: a batch whose reader died is found here too.
    running = batch.state in (ImportBatch.State.READING, ImportBatch.State.SAVING)
    if running and kpi_services.imports_fail_stuck():
        batch.refresh_from_db()
    rows = _preview_rows(batch.rows[:PREVIEW_ROWS])
    error_count = max(batch.errors_total, len(batch.errors))  # only the first are kept
    context = {
        "batch": batch,
        "rows": rows,
        "more_rows": max(0, len(batch.rows) - PREVIEW_ROWS),
        "error_count": error_count,
        "more_errors": error_count - len(batch.errors),
    }
    if batch.state == ImportBatch.State.COMMITTED:
        series = {(r["indicator"], r["area"]) for r in batch.rows}
        context["targets"] = (
            selectors.targets_touched_by(series)
            .filter(plan__in=access.visible_plans(request.user))
            .select_related("plan__municipality", "status")
        )
    return render(request, "plans/import_detail.html", context)


def _preview_rows(rows):
    """The staged rows as a person reads them: names, Danish period labels, Danish numbers."""
    areas = dict(Area.objects.filter(pk__in={r["area"] for r in rows}).values_list("pk", "name"))
    indicators = Indicator.objects.in_bulk({r["indicator"] for r in rows})
    shown = []
    for row in rows:
        indicator = indicators[row["indicator"]]
        old = row["old"]
        shown.append(
            {
                "line": row["line"],
                "indicator": indicator.name,
                "area": areas.get(row["area"], ""),
                "period": parse_period(row["period"]).label,
                "value": indicator.format_value(Decimal(row["value"])),
                "old": indicator.format_value(Decimal(old)) if old is not None else "",
                "outcome": row["outcome"],
            }
        )
    return shown


@login_required
@require_POST
def import_commit(request, batch_id):
    batch = _batch(request, batch_id)
    # The role may have changed since the upload: check it again.
    _editable_area_ids(request.user)
    if access.figures_refused(request.user, {(r["indicator"], r["area"]) for r in batch.rows}):
        raise PermissionDenied
    large = len(batch.rows) > kpi_services.BACKGROUND_ROWS
    if not (large and enqueue(kpi_tasks.import_commit_task, batch.pk, request.user.pk)):
        try:
            kpi_services.import_commit(batch_id=batch.pk, user=request.user)
        except kpi_services.PreviewOutdated as exc:  # a warning, on the refreshed preview
            messages.warning(request, str(exc))
    return redirect("plans:import", batch.pk)


@login_required
def import_status(request, batch_id):
    """For the progress bar: the state and how far the reading has come."""
    batch = _batch(request, batch_id)
    return JsonResponse(
        {"state": batch.state, "percent": batch.progress_percent, "done": batch.rows_done}
    )


def import_template(request):
    """The portal's own import template: the four columns and an example row."""
    example = selectors.template_example(access.figure_municipalities(request.user))
    body = f"\ufeff{';'.join(TEMPLATE_COLUMNS)}\n{';'.join(example)}\n"
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="skabelon-tal.csv"'
    return response


@login_required
def figures_grid(request, plan_key):
    """Type a plan's figures: its indicators × the periods of one kind in one year, for the
    municipality and its comparison areas, saved together."""
    plan = selectors.plan_for_page(access.visible_plans(request.user), plan_key)
    if not access.can_edit_figures(request.user, plan.municipality_id):
        raise PermissionDenied
    kind = request.GET.get("kind") or grid.default_kind(plan)
    if kind not in grid.KIND_PERIODS:
        kind = periods.QUARTER
    years = list(range(plan.start_year - 2, plan.end_year + 1))
    newest = grid.newest_year_with_figures(plan, kind, years)
    default = newest or min(timezone.localdate().year, plan.end_year)
    year = _int(request.GET.get("year"), default=default)
    year = min(max(year, years[0]), years[-1])
    editable = _editable_area_ids(request.user)
    table = grid.grid_for(plan, kind, year, editable_area_ids=editable)
    saved = None
    if request.method == "POST":
        changes = grid.changes_from(table, request.POST)
        if not table.has_errors:
            try:
                saved = kpi_services.figures_save_checked(changes=changes, user=request.user)
            except kpi_services.FiguresChanged as exc:
                grid.mark_conflicts(table, exc.conflicts)
            else:
                table = grid.grid_for(plan, kind, year, editable_area_ids=editable)
    context = {
        "plan": plan,
        "grid": table,
        "kind": kind,
        "kinds": [(k, Period.Kind(k).label) for k in grid.KIND_PERIODS],
        "year": year,
        "years": years,
        "saved": saved,
    }
    status = 409 if request.method == "POST" and table.has_errors else 200
    return render(request, "plans/figures_grid.html", context, status=status)


def _int(text, *, default):
    try:
        return int(text)
    except (TypeError, ValueError):
        return default
