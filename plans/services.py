"""Writes for plans and targets, and the refresh of the stored statuses."""

import json
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from kpis.danish import danish_slug

from . import status as engine
from .models import (
    FocusArea,
    Guidepost,
    Initiative,
    Plan,
    ReportingRound,
    RoundResult,
    StatusNarrative,
    Target,
    TargetRevision,
    TargetStatus,
)
from .selectors import evaluate_targets, targets_with_definitions


def status_fields(result: engine.Result, as_of: date) -> dict:
    """An engine Result as the columns of plans.models.StatusFields."""
    current = result.current
    return {
        "status": result.status,
        "forecast": result.forecast or "",
        "final": result.final,
        "current_value": current.value if current else None,
        "current_period_label": current.label if current else "",
        "current_period_end": current.end if current else None,
        "development": result.development,
        "required_value": result.required,
        "comparison_value": result.comparison.value if result.comparison else None,
        "projected_value": result.projected,
        "revision_id": result.revision.id if result.revision else None,
        "reasons": list(result.reasons),
        "as_of": as_of,
    }


# The columns a refresh rewrites: everything but the target it belongs to.
_REFRESHED = [f.name for f in TargetStatus._meta.concrete_fields if f.name not in ("id", "target")]


@transaction.atomic
def statuses_refresh(targets, *, as_of: date | None = None) -> int:
    """Recompute and store the status of each target. Safe to run twice: it overwrites the
    cache rows with the engine's answer, all in one statement and one transaction, so a refresh
    that dies halfway leaves the previous statuses, never a mix. Returns how many were written."""
    as_of = as_of or timezone.localdate()
    results = evaluate_targets(targets, as_of=as_of)
    rows = [
        TargetStatus(target_id=target_id, **status_fields(result, as_of))
        for target_id, result in results.items()
    ]
    if connection.vendor == "postgresql":
        _upsert_postgres(rows)
    else:
        TargetStatus.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["target"],
            update_fields=_REFRESHED,
            batch_size=1_000,
        )
    return len(results)


def _upsert_postgres(rows: list[TargetStatus]):
    """The statuses in one INSERT … ON CONFLICT whose rows arrive as one JSON parameter: Django's
    bulk_create binds fifteen parameters per row, and building that statement for thousands of
    targets costs more than the database takes to run it."""
    if not rows:
        return
    now = timezone.now()
    fields = [f for f in TargetStatus._meta.concrete_fields if f.name != "id"]
    records = []
    for row in rows:
        row.computed_at = now
        record = {}
        for f in fields:
            value = f.value_from_object(row)
            if isinstance(value, Decimal):
                value = str(value)  # exact: the numeric column reads the text
            elif isinstance(value, date):
                value = value.isoformat()
            record[f.column] = value
        records.append(record)
    quote = connection.ops.quote_name
    table = quote(TargetStatus._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    updates = ", ".join(
        f"{quote(f.column)} = EXCLUDED.{quote(f.column)}" for f in fields if f.name != "target"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM "
            f"jsonb_populate_recordset(NULL::{table}, %s::jsonb) "
            f"ON CONFLICT ({quote('target_id')}) DO UPDATE SET {updates}",
            [json.dumps(records)],
        )


class RoundFrozen(ValueError):
    """An approved reporting round is not changed any more."""


@transaction.atomic
def round_approve(*, reporting_round: ReportingRound, user=None, today=None) -> int:
    """Approve a round and freeze what it shows: each target's status as of the cut-off is
    stored, so later revisions of the figures do not change the committee's document."""
    reporting_round = ReportingRound.objects.select_for_update().get(pk=reporting_round.pk)
    if reporting_round.frozen or reporting_round.results.exists():
        raise RoundFrozen(_("The reporting round is already approved."))
    as_of = reporting_round.evaluation_date(today or timezone.localdate())
    targets = targets_with_definitions().filter(plan=reporting_round.plan_id)
    results = evaluate_targets(targets, as_of=as_of)
    RoundResult.objects.bulk_create(
        RoundResult(round=reporting_round, target_id=target_id, **status_fields(result, as_of))
        for target_id, result in results.items()
    )
    reporting_round.state = ReportingRound.State.APPROVED
    reporting_round.approved_at = timezone.now()
    reporting_round.approved_by = user
    reporting_round.save(update_fields=["state", "approved_at", "approved_by"])
    return len(results)


def all_statuses_refresh(*, as_of: date | None = None, batch_size: int = 10_000) -> int:
    """Recompute every target: the figures of a batch read in one query, evaluated, and
    written in one upsert. Batches are whole municipalities of up to batch_size targets (all
    5.880 of the national data set in one), so memory stays bounded at any scale."""
    sizes = (
        Target.objects.values_list("plan__municipality_id")
        .annotate(n=Count("id"))
        .order_by("plan__municipality_id")
    )
    batches, batch, size = [], [], 0
    for municipality_id, n in sizes:
        if batch and size + n > batch_size:
            batches.append(batch)
            batch, size = [], 0
        batch.append(municipality_id)
        size += n
    if batch:
        batches.append(batch)
    count = 0
    for municipalities in batches:
        targets = targets_with_definitions().filter(plan__municipality_id__in=municipalities)
        count += statuses_refresh(targets, as_of=as_of)
    return count


def _create(model, **fields):
    """Create a row only after the model's own validation passed, as the admin forms would."""
    instance = model(**fields)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def plan_create(*, municipality, title, kind, start_year, end_year, key, **fields) -> Plan:
    return _create(
        Plan,
        municipality=municipality,
        title=title,
        kind=kind,
        start_year=start_year,
        end_year=end_year,
        key=key,
        **fields,
    )


@transaction.atomic
def focus_area_create(
    *, plan, key, title, order, number="", intro="", guideposts=(), initiatives=()
) -> FocusArea:
    """A focus area with its guideposts (texts) and initiatives (title, body, key_facts)."""
    focus_area = _create(
        FocusArea, plan=plan, key=key, title=title, order=order, number=number, intro=intro
    )
    bulk_create_with_history(
        [Guidepost(focus_area=focus_area, order=i, text=text) for i, text in enumerate(guideposts)],
        Guidepost,
    )
    bulk_create_with_history(
        [
            Initiative(
                focus_area=focus_area,
                order=i,
                title=item["title"],
                body=item.get("body", ""),
                key_facts=list(item.get("key_facts", [])),
            )
            for i, item in enumerate(initiatives)
        ],
        Initiative,
    )
    return focus_area


@transaction.atomic
def target_create(*, plan, focus_areas=(), **fields) -> Target:
    """A target, validated for its kind, with its status computed on commit."""
    if any(fa.plan_id != plan.pk for fa in focus_areas):
        raise ValidationError({"focus_areas": _("A target's focus areas belong to its own plan.")})
    target = _create(Target, plan=plan, **fields)
    target.focus_areas.set(focus_areas)
    refresh_on_commit(target)
    return target


@transaction.atomic
def target_revise(
    *, target, effective, reason, target_value=None, margin=None, user=None
) -> TargetRevision:
    """Revise a target from a date on. The original definition stays on the target."""
    revision = _create(
        TargetRevision,
        target=target,
        effective=effective,
        target_value=target_value,
        margin=margin,
        reason=reason,
        created_by=user,
    )
    refresh_on_commit(target)
    return revision


def round_create(*, plan, name, cut_off, state=ReportingRound.State.DRAFT) -> ReportingRound:
    """A new round, draft or submitted; approval goes through round_approve, which freezes."""
    if state == ReportingRound.State.APPROVED:
        raise ValueError("Create the round, then approve it with round_approve.")
    return _create(ReportingRound, plan=plan, name=name, cut_off=cut_off, state=state)


@transaction.atomic
def round_submit(*, reporting_round: ReportingRound) -> ReportingRound:
    """The analysts hand the round to the administrator for approval."""
    reporting_round = ReportingRound.objects.select_for_update().get(pk=reporting_round.pk)
    if reporting_round.frozen:
        raise RoundFrozen(_("The reporting round is already approved."))
    reporting_round.state = ReportingRound.State.SUBMITTED
    reporting_round.save(update_fields=["state"])
    return reporting_round


@transaction.atomic
def narrative_write(*, target, reporting_round, text, user=None) -> StatusNarrative:
    # Lock the round and read its state from the database: the caller's copy may predate an
    # approval, and an approval must not slip in between this check and the write.
    if (
        ReportingRound.objects.select_for_update()
        .filter(pk=reporting_round.pk, state=ReportingRound.State.APPROVED)
        .exists()
    ):
        raise RoundFrozen(_("The reporting round is approved; its narratives are locked."))
    narrative, _created = StatusNarrative.objects.update_or_create(
        target=target, round=reporting_round, defaults={"text": text, "author": user}
    )
    return narrative


def refresh_on_commit(target):
    """Queue the target's status refresh for when the transaction commits."""
    from .tasks import enqueue, recompute_target_statuses

    transaction.on_commit(lambda: enqueue(recompute_target_statuses, [target.pk]))


@transaction.atomic
def target_update(*, target: Target, focus_areas, **fields) -> Target:
    """Change a target's definition (the history keeps the old one) and refresh its status."""
    if any(fa.plan_id != target.plan_id for fa in focus_areas):
        raise ValidationError({"focus_areas": _("A target's focus areas belong to its own plan.")})
    for name, value in fields.items():
        setattr(target, name, value)
    target.full_clean()
    target.save()
    target.focus_areas.set(focus_areas)
    refresh_on_commit(target)
    return target


def unique_key(model, *parts) -> str:
    """A readable key for a new row ("guldborgsund-beu-2023"), numbered if it is taken. æ, ø
    and å stay readable, and a part the key already ends with is not repeated: the plan
    "Beskæftigelsesplan 2024" of 2024 is "…-beskaeftigelsesplan-2024", not "…-2024-2024"."""
    words = []
    for part in parts:
        slug = danish_slug(part)
        if slug and not f"-{'-'.join(words)}".endswith(f"-{slug}"):
            words.append(slug)
    base = "-".join(words)[:110].strip("-") or model._meta.model_name
    key, n = base, 1
    while model.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


@transaction.atomic
def definition_save(form, *formsets):
    """Save a definition form with its inline formsets (guideposts, initiatives) together:
    all or nothing, and each row keeps its history."""
    instance = form.save()
    for formset in formsets:
        formset.instance = instance
        formset.save()
    return instance


@transaction.atomic
def target_revert(*, target: Target, version_id: int) -> Target:
    """Put an earlier version of a target's definition back. The history keeps both: the
    version reverted from and the revert itself."""
    version = target.history.get(history_id=version_id)
    restored = version.instance
    restored._state.adding = False  # the same row, not a new one: unique checks must know
    restored.full_clean()
    restored.save()
    refresh_on_commit(restored)
    return restored
