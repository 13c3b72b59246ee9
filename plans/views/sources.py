"""The administrators' page for the jobindsats.dk connector: each followed table with its
bindings, last sync, rows, next expected update and last error, and the progress of a sync
that is running. Superusers start a sync ("Hent nu")."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobcenter.tables import export_requested
from kpis import tasks as kpi_tasks
from kpis.models import IndicatorSource, SourceTable
from plans import access
from plans.presenters import targets as presenters
from plans.tasks import enqueue


@login_required
def sources(request):
    if not access.can_see_sources(request.user):
        raise PermissionDenied
    tables = SourceTable.objects.prefetch_related(
        Prefetch("bindings", IndicatorSource.objects.select_related("indicator"))
    )
    overview = presenters.sources_table(tables)
    export = export_requested(request, [overview], _("jobindsats.dk tables"))
    if export:
        return export
    context = {
        "tables": tables,
        "overview": overview,
        "syncing": any(t.state == SourceTable.State.SYNCING for t in tables),
        # Without a key nothing can be fetched: the page says so instead of offering it.
        "has_key": bool(settings.JOBINDSATS_TOKEN),
        "can_sync": request.user.is_superuser and bool(settings.JOBINDSATS_TOKEN),
    }
    return render(request, "plans/sources.html", context)


@login_required
@require_POST
def source_sync(request, table_id):
    if not request.user.is_superuser or not settings.JOBINDSATS_TOKEN:
        raise PermissionDenied
    table = get_object_or_404(SourceTable, pk=table_id)
    # After commit: the worker must find the table as this request left it.
    transaction.on_commit(lambda: enqueue(kpi_tasks.sync_table_task, table.pk))
    messages.info(request, _("The table %(table)s is being fetched.") % {"table": table.table_id})
    return redirect("plans:sources")
