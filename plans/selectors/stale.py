"""Which stored statuses are older than what they were computed from.

A changed figure or target queues its status refresh after commit; if the broker was down then,
nothing was queued and the stored status lags behind. The timestamps the rows already carry
tell which: a figure of the target's own or comparison series updated after the status was
computed, a change of the target's definition or a revision recorded after it, or no status at
all. (A deleted figure leaves no timestamp; the nightly full recompute covers that.)
"""

from functools import cache

from django.db.models import Exists, OuterRef, Q, QuerySet

from kpis.models import Measurement
from plans.models import Target, TargetRevision


def targets_with_stale_status() -> QuerySet[Target]:
    # A copy of one queryset built once per process: building its four subqueries took longer
    # than PostgreSQL takes to answer it (the target page asks it on every request, issue 17).
    return _stale().all()


@cache
def _stale() -> QuerySet[Target]:
    # Never evaluated itself (callers get copies), so it never holds rows.
    computed = OuterRef("status__computed_at")
    newer_figures = Measurement.objects.filter(
        indicator=OuterRef("indicator"), updated_at__gt=computed
    )
    return Target.objects.filter(
        Q(status__isnull=True)
        | Exists(newer_figures.filter(area=OuterRef("plan__municipality")))
        | Exists(newer_figures.filter(area=OuterRef("comparison_area")))
        | Exists(Target.history.filter(id=OuterRef("pk"), history_date__gt=computed))
        | Exists(TargetRevision.objects.filter(target=OuterRef("pk"), created_at__gt=computed))
    )
