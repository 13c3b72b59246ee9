"""Writes for plans and targets, and the refresh of the stored statuses."""

import json
from datetime import date
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from jobcenter.errors import Refusal
from kpis.danish import danish_slug
from kpis.services import period_stored
from plans import notices
from plans.engine import status as engine
from plans.models import (
    FocusArea,
    Guidepost,
    Initiative,
    Plan,
    ReportingRound,
    RoundResult,
    StatusFields,
    StatusNarrative,
    Target,
    TargetRevision,
    TargetStatus,
)
from plans.selectors.targets import (
    evaluate_targets,
    round_missing_narratives,
    targets_with_definitions,
)
from plans.signals import targets_changed

# The columns a refresh rewrites: everything but the target it belongs to.
_REFRESHED = [f.name for f in TargetStatus._meta.concrete_fields if f.name not in ("id", "target")]


@transaction.atomic
def statuses_refresh(targets, *, as_of: date | None = None) -> int:
    """Recompute and store the status of each target. Safe to run twice: it overwrites the
    cache rows with the engine's answer, all in one statement and one transaction, so a refresh
    that dies halfway leaves the previous statuses, never a mix. Returns how many were written.
    targets: a queryset (read as values) or Target instances."""
    as_of = as_of or timezone.localdate()
    results = evaluate_targets(targets, as_of=as_of)
    statuses = {
        target_id: StatusFields.columns_of(result, as_of) for target_id, result in results.items()
    }
    if connection.vendor == "postgresql":
        _upsert_postgres(statuses)
    else:
        TargetStatus.objects.bulk_create(
            [TargetStatus(target_id=target_id, **fields) for target_id, fields in statuses.items()],
            update_conflicts=True,
            unique_fields=["target"],
            update_fields=_REFRESHED,
            batch_size=1_000,
        )
    return len(results)


def _upsert_postgres(statuses: dict[int, dict]):
    """The statuses (StatusFields.columns_of per target id) in one INSERT … ON CONFLICT whose
    rows arrive as one JSON parameter: Django's bulk_create binds fifteen parameters per row,
    and building that statement (and a model instance per row) for thousands of targets costs
    more than the database takes to run it. Each row is a JSON array, read by position: as
    objects (jsonb_populate_recordset) the 5.880 rows took PostgreSQL four times as long to
    take apart, and Python twice as long to write. A column the engine does not give
    (computed_at) gets its value, as a model instance would have it, as one parameter."""
    if not statuses:
        return
    names = list(next(iter(statuses.values())))  # columns_of's, the same for every row
    take = itemgetter(*names)
    # Decimals as text (exact: the numeric column reads it), dates in ISO form, as str() gives.
    rows = json.dumps(
        [[target_id, *take(values)] for target_id, values in statuses.items()], default=str
    )
    position = {name: i for i, name in enumerate(["target_id", *names])}
    fields = [f for f in TargetStatus._meta.concrete_fields if f.name != "id"]
    selected, params = [], []
    for f in fields:
        if f.attname in position and f.get_internal_type() == "JSONField":
            selected.append(f"r -> {position[f.attname]}")
        elif f.attname in position:
            # The type without its length or precision: the insert's own assignment then
            # refuses a text too long and rounds a number, where a cast would cut it short.
            base = f.db_type(connection).split("(")[0]
            selected.append(f"(r ->> {position[f.attname]})::{base}")
        else:
            selected.append("%s")
            default = timezone.now() if f.name == "computed_at" else f.get_default()
            params.append(f.get_db_prep_save(default, connection))
    quote = connection.ops.quote_name
    table = quote(TargetStatus._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    updates = ", ".join(
        f"{quote(f.column)} = EXCLUDED.{quote(f.column)}" for f in fields if f.name != "target"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {', '.join(selected)} "
            f"FROM jsonb_array_elements(%s::jsonb) AS r "
            f"ON CONFLICT ({quote('target_id')}) DO UPDATE SET {updates}",
            [*params, rows],
        )


class RoundFrozen(Refusal):
    """An approved reporting round is not changed any more."""

    code = "round_frozen"

    def __init__(self, message):
        super().__init__(message, details={"round": [message]})


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
        RoundResult(
            round=reporting_round, target_id=target_id, **StatusFields.columns_of(result, as_of)
        )
        for target_id, result in results.items()
    )
    reporting_round.state = ReportingRound.State.APPROVED
    reporting_round.approved_at = timezone.now()
    reporting_round.approved_by = user
    reporting_round.save(update_fields=["state", "approved_at", "approved_by"])
    notices.notice_on_commit(reporting_round, notices.Kind.APPROVED)
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
    target = Target(plan=plan, **fields)
    target.full_clean()  # before the baseline's period is stored: a refusal writes nothing
    target.baseline_period = period_stored(target.baseline_period)
    target.save()
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


def round_create(
    *, plan, name, cut_off, deadline=None, state=ReportingRound.State.DRAFT
) -> ReportingRound:
    """A new round, draft or submitted; approval goes through round_approve, which freezes.
    The form and the API ask for the deadline; loaders of older documents (the demo, tests)
    may leave it out, and the round is then due on its cut-off, as the migration did."""
    if state == ReportingRound.State.APPROVED:
        raise ValueError("Create the round, then approve it with round_approve.")
    return _create(
        ReportingRound, plan=plan, name=name, cut_off=cut_off, deadline=deadline or cut_off,
        state=state,
    )  # fmt: skip


def target_name(target) -> str:
    """A target as messages name it: its number and title ("1a Unge på offentlig forsørgelse")."""
    return f"“{target}”"


class NarrativesMissing(Refusal):
    """Targets not met in the round without a status narrative: the round is not submitted
    until each is written, or (unless the plan requires narratives) confirmed."""

    code = "narratives_missing"

    def __init__(self, targets, *, required):
        self.targets = list(targets)
        self.required = required
        names = ", ".join(target_name(t) for t in self.targets)
        if required:
            message = _(
                "The plan requires a status narrative for every target not met before the "
                "round is submitted. Missing: %(targets)s."
            ) % {"targets": names}
        else:
            message = _(
                "These targets are not met and have no status narrative: %(targets)s. Write "
                "one for each, or confirm that the round is submitted without."
            ) % {"targets": names}
        details = {"missing": [t.key for t in self.targets], "required": required}
        super().__init__(message, details=details)


@transaction.atomic
def round_submit(*, reporting_round: ReportingRound, confirmed=(), today=None) -> ReportingRound:
    """The analysts hand the round to the administrators for approval. Each target not met
    without a narrative must be written first, or named in `confirmed` (targets or their ids):
    submitted without a narrative on purpose. A plan with narratives_required accepts no
    confirmation. The administrators are told by e-mail once the round is submitted."""
    reporting_round = (
        ReportingRound.objects.select_for_update().select_related("plan").get(pk=reporting_round.pk)
    )
    if reporting_round.frozen:
        raise RoundFrozen(_("The reporting round is already approved."))
    missing = round_missing_narratives(reporting_round, today=today or timezone.localdate())
    required = reporting_round.plan.narratives_required
    confirmed_ids = {getattr(t, "pk", t) for t in confirmed}
    unconfirmed = missing if required else [t for t in missing if t.pk not in confirmed_ids]
    if unconfirmed:
        raise NarrativesMissing(unconfirmed, required=required)
    was_submitted = reporting_round.state == ReportingRound.State.SUBMITTED
    reporting_round.state = ReportingRound.State.SUBMITTED
    reporting_round.save(update_fields=["state"])
    if not was_submitted:
        notices.notice_on_commit(reporting_round, notices.Kind.SUBMITTED)
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
    refresh_targets_on_commit([target.pk])


def refresh_targets_on_commit(target_ids):
    """Once committed, say these targets changed: plans.tasks queues their status refresh."""
    ids = list(target_ids)
    transaction.on_commit(lambda: targets_changed.send(sender=Target, target_ids=ids))


@transaction.atomic
def target_update(*, target: Target, focus_areas, **fields) -> Target:
    """Change a target's definition (the history keeps the old one) and refresh its status."""
    if any(fa.plan_id != target.plan_id for fa in focus_areas):
        raise ValidationError({"focus_areas": _("A target's focus areas belong to its own plan.")})
    for name, value in fields.items():
        setattr(target, name, value)
    target.full_clean()  # before the baseline's period is stored: a refusal writes nothing
    target.baseline_period = period_stored(target.baseline_period)
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
@transaction.atomic
def definition_write(instance, values):
    """A definition (plan, focus area, guidepost, initiative, indicator) created or changed
    from values, as the API sends them: the model's validation first, then the row with its
    history; many-to-many values are set after."""
    many = {f.name for f in instance._meta.many_to_many}
    for name, value in values.items():
        if name not in many:
            setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    for name in many & set(values):
        getattr(instance, name).set(values[name])
    return instance


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


# -- next year's plan ----------------------------------------------------------------------


def shift_years(day: date | None, years: int) -> date | None:
    """The same day so many years later; 29 February becomes the 28th in a common year."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class CopyProblems(Refusal):
    """Why a plan cannot be copied as asked: problems of the new plan (by field) and of each
    copied target (by the source target's id; in details by its key), in Danish."""

    code = "copy_refused"

    def __init__(self, *, plan=None, targets=None, keys=None):
        self.plan = plan or {}
        self.targets = targets or {}
        lines = [m for ms in self.plan.values() for m in ms]
        lines += [m for ms in self.targets.values() for m in ms]
        by_key = {(keys or {}).get(pk, pk): ms for pk, ms in self.targets.items()}
        super().__init__(" ".join(lines), details={**self.plan, "targets": by_key})


KEEP, CLEAR = "keep", "clear"
# What a copied target does not take along: its identity and plan, and what belongs to the
# old plan's life (the milestone's reported state; statuses, rounds, narratives and revisions
# are rows of their own and stay behind).
_NOT_COPIED = {"id", "plan", "key", "milestone_state"}


def _with_history_user(instance, user):
    if user is not None:
        instance._history_user = user  # django-simple-history: who made the new version
    return instance


def _problems(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {name: [str(m) for e in errors for m in e.messages]
                for name, errors in exc.error_dict.items()}  # fmt: skip
    return {"__all__": list(exc.messages)}


@transaction.atomic
def plan_copy(
    *, source: Plan, title, start_year, end_year, key=None, year_shift=None, deadlines=None,
    baselines=None, user=None,
) -> Plan:  # fmt: skip
    """Next year's plan from this one ("Ny plan ud fra denne"): a new draft plan with copies of
    the focus areas, guideposts, initiatives and targets, all in one transaction; nothing of
    the source plan changes.

    - deadlines: {source target id: date}; a target not named moves by year_shift (default:
      the new start year minus the old one), and so does its "measured from" day.
    - baselines: {source target id: "keep" | "clear" | (value, Period)}; default "keep".
    - Each copy starts from the target value (and margin) in force at the end of the old plan,
      revisions included: the revision's reason stays with the old target, the new one simply
      says what is now asked. A milestone starts again as not reported.
    Statuses, rounds, narratives and revisions are not copied; the new targets' statuses are
    computed on commit. Raises CopyProblems naming the target for what the model refuses
    (e.g. a RAR area the municipality no longer belongs to at the new deadline).
    """
    deadlines, baselines = deadlines or {}, baselines or {}
    shift = start_year - source.start_year if year_shift is None else year_shift
    plan = _with_history_user(
        Plan(
            municipality=source.municipality, committee=source.committee, kind=source.kind,
            title=title, start_year=start_year, end_year=end_year, summary=source.summary,
            narratives_required=source.narratives_required, approval_state=Plan.Approval.DRAFT,
            key=key or unique_key(Plan, source.municipality.slug, title, start_year),
        ),
        user,
    )  # fmt: skip
    try:
        plan.full_clean()
    except ValidationError as exc:
        raise CopyProblems(plan=_problems(exc)) from exc
    plan.save()

    focus_areas = {}
    for fa in source.focus_areas.prefetch_related("guideposts", "initiatives").order_by(
        "order", "id"
    ):
        copy = _with_history_user(
            FocusArea(plan=plan, key=unique_key(FocusArea, plan.key, fa.title), order=fa.order,
                      number=fa.number, title=fa.title, intro=fa.intro),
            user,
        )  # fmt: skip
        copy.save()
        focus_areas[fa.pk] = copy
        bulk_create_with_history(
            [Guidepost(focus_area=copy, order=g.order, text=g.text) for g in fa.guideposts.all()],
            Guidepost, default_user=user,
        )  # fmt: skip
        bulk_create_with_history(
            [Initiative(focus_area=copy, order=i.order, title=i.title, body=i.body,
                        key_facts=list(i.key_facts)) for i in fa.initiatives.all()],
            Initiative, default_user=user,
        )  # fmt: skip

    old_end = date(source.end_year, 12, 31)
    problems, created = {}, []
    for target in targets_with_definitions().filter(plan=source).prefetch_related("focus_areas"):
        fields = {f.attname: getattr(target, f.attname) for f in Target._meta.concrete_fields
                  if f.name not in _NOT_COPIED}  # fmt: skip
        in_force, _revision = engine.rule_in_force(target.rule(), old_end)
        fields["target_value"], fields["margin"] = in_force.target_value, in_force.margin
        fields["deadline"] = deadlines.get(target.pk) or shift_years(target.deadline, shift)
        fields["measure_from"] = shift_years(target.measure_from, shift)
        baseline = baselines.get(target.pk, KEEP)
        if baseline == CLEAR:
            fields["baseline_value"] = fields["baseline_period_id"] = None
        elif baseline != KEEP:
            fields["baseline_value"], period = baseline
            fields["baseline_period_id"] = period_stored(period).pk if period else None
        copy = _with_history_user(
            Target(plan=plan, key=unique_key(Target, plan.key, target.title), **fields), user
        )
        try:
            copy.full_clean()
        except ValidationError as exc:
            problems[target.pk] = [f"{target_name(target)}: {m}"
                                   for ms in _problems(exc).values() for m in ms]  # fmt: skip
            continue
        copy.save()
        copy.focus_areas.set([focus_areas[fa.pk] for fa in target.focus_areas.all()])
        created.append(copy.pk)
    if problems:
        keys = dict(source.targets.filter(pk__in=problems).values_list("pk", "key"))
        raise CopyProblems(targets=problems, keys=keys)

    refresh_targets_on_commit(created)
    return plan


# A municipality's own settings (its administrators, without the Django admin): its committees
# and whether its approved dashboards are public. Who may call them is checked here as well as
# in the view (plans.access.can_edit_definitions).


def _require_settings(by, municipality):
    from django.core.exceptions import PermissionDenied

    from plans import access

    if by is not None and not access.can_edit_definitions(by, municipality.pk):
        raise PermissionDenied(_("Only the municipality's administrators may change its settings."))


@transaction.atomic
def committee_create(*, municipality, name, short_name="", by=None):
    """A new committee of the municipality (e.g. "Beskæftigelsesudvalget", "BEU")."""
    from plans.models import Committee

    _require_settings(by, municipality)
    return _create(
        Committee,
        municipality=municipality,
        name=(name or "").strip(),
        short_name=(short_name or "").strip(),
    )


@transaction.atomic
def committee_rename(*, committee, name, short_name="", by=None):
    """A committee's new name and short name; its plans keep it."""
    _require_settings(by, committee.municipality)
    committee.name = (name or "").strip()
    committee.short_name = (short_name or "").strip()
    committee.full_clean()
    committee.save(update_fields=["name", "short_name"])
    return committee


@transaction.atomic
def public_dashboards_set(*, municipality, public: bool, by=None):
    """Whether anyone, signed in or not, may read the municipality's approved plans."""
    _require_settings(by, municipality)
    municipality.public_dashboards = bool(public)
    municipality.save(update_fields=["public_dashboards"])
    return municipality
