"""Plans: committees, plans, focus areas, guideposts, initiatives, targets and reporting rounds."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kpis.fields import optional_value_field, user_reference, value_field
from kpis.models import Area, Indicator, Period
from kpis.selectors import group_on
from plans.engine import kinds
from plans.engine import status as engine


class Membership(models.Model):
    """A user's role in a municipality. Superusers see and edit everything."""

    class Role(models.TextChoices):
        COMMITTEE = "committee", _("committee member")
        ANALYST = "analyst", _("analyst")
        ADMIN = "admin", _("administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    municipality = models.ForeignKey(
        Area,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="memberships",
        limit_choices_to={"kind": Area.Kind.MUNICIPALITY},
    )

    class Source(models.TextChoices):
        PORTAL = "portal", _("the portal")  # an invitation, the admin, the demo
        SSO = "sso", _("single sign-on")  # set and taken again by the IdP's assertions

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # A deactivated membership gives no rights (plans.access.roles reads active ones only) and
    # stays, so that it can be reactivated and the members page shows who it was.
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(
        _("given by"), max_length=10, choices=Source.choices, default=Source.PORTAL
    )
    created_at = models.DateTimeField(_("member since"), null=True, blank=True, auto_now_add=True)
    invited_by = user_reference(_("invited by"))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality"], name="one_role_per_place"),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_role_display()}, {self.municipality}"


class Committee(models.Model):
    municipality = models.ForeignKey(
        Area,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="committees",
        limit_choices_to={"kind": Area.Kind.MUNICIPALITY},
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["municipality__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unique_committee"),
        ]

    def __str__(self):
        return f"{self.name} ({self.municipality})"


class Plan(models.Model):
    """An employment plan (beskæftigelsesplan) or a committee strategy (udvalgsstrategi)."""

    class Kind(models.TextChoices):
        EMPLOYMENT_PLAN = "employment_plan", _("employment plan")
        COMMITTEE_STRATEGY = "committee_strategy", _("committee strategy")

    class Approval(models.TextChoices):
        DRAFT = "draft", _("draft")
        PROPOSED = "proposed", _("proposed")
        APPROVED = "approved", _("approved")

    key = models.SlugField(_("key"), max_length=120, unique=True)
    municipality = models.ForeignKey(
        Area,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="plans",
        limit_choices_to={"kind": Area.Kind.MUNICIPALITY},
    )
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        related_name="plans",
        null=True,
        blank=True,
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    approval_state = models.CharField(
        _("approval"), max_length=20, choices=Approval.choices, default=Approval.DRAFT
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_by = models.CharField(
        _("approved by"), max_length=200, blank=True, help_text=_("e.g. Byrådet")
    )
    summary = models.TextField(_("summary"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    narratives_required = models.BooleanField(
        _("narratives required for targets not met"),
        default=False,
        help_text=_(
            "A reporting round is submitted only when every target not met has a status "
            "narrative; otherwise the analysts may confirm that it goes without one."
        ),
    )
    # Who changed the definition, when, from what: viewable and revertible in the admin.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["municipality__name", "-start_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="plan_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.years} ({self.municipality})"

    @property
    def years(self):
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year}–{self.end_year}"

    @property
    def starts_on(self):
        return self.first_day(self.start_year)

    @staticmethod
    def first_day(start_year: int) -> date:
        """Where a plan starting in start_year begins: its targets are measured from there."""
        return date(start_year, 1, 1)


class FocusArea(models.Model):
    """A chapter of the plan (fokusområde, målområde) or a strategy theme (tema)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="focus_areas"
    )
    key = models.SlugField(_("key"), max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    number = models.CharField(_("number"), max_length=10, blank=True)
    title = models.CharField(_("title"), max_length=300)
    intro = models.TextField(_("introduction"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["plan", "order", "id"]

    def __str__(self):
        return f"{self.number} {self.title}".strip()

    @property
    def has_text(self):
        """Whether the theme has guideposts or initiatives to show beside its cards (reads the
        prefetched rows where the page prefetched them)."""
        return bool(self.guideposts.all()) or bool(self.initiatives.all())


class Guidepost(models.Model):
    """A pejlemærke: a "Vi vil …" statement under a theme."""

    focus_area = models.ForeignKey(
        FocusArea, verbose_name=_("focus area"), on_delete=models.CASCADE, related_name="guideposts"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("text"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("guidepost")
        verbose_name_plural = _("guideposts")
        ordering = ["focus_area", "order", "id"]

    def __str__(self):
        return self.text[:80]


class Initiative(models.Model):
    """An indsats or case, told as narrative (Markdown) with its key facts."""

    focus_area = models.ForeignKey(
        FocusArea,
        verbose_name=_("focus area"),
        on_delete=models.CASCADE,
        related_name="initiatives",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("narrative"), blank=True)
    key_facts = models.JSONField(_("key facts"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["focus_area", "order", "id"]

    def __str__(self):
        return self.title


# The attribute plans.selectors.targets_with_definitions prefetches a target's revisions to.
PREFETCHED_REVISIONS = "prefetched_revisions"


class Target(models.Model):
    """A result target on an indicator. Its status is computed by plans.status, never typed."""

    # The kinds are the registry's (plans.engine.kinds): Target.Kind.THRESHOLD and the others.
    Kind = models.TextChoices("Kind", [(k.key.upper(), (k.key, k.label)) for k in kinds.KINDS])

    class CountMode(models.TextChoices):
        PER_PERIOD = engine.PER_PERIOD, _("a count for its own period (added up)")
        RUNNING_TOTAL = engine.RUNNING_TOTAL, _("a running total so far (the latest counts)")

    class ComparableMeasure(models.TextChoices):
        MEAN = engine.MEAN, _("the average of the comparable municipalities")
        MEDIAN = engine.MEDIAN, _("the median of the comparable municipalities")
        BEST = engine.BEST, _("the best of the comparable municipalities")

    class Bound(models.TextChoices):
        AT_MOST = engine.AT_MOST, _("at most")
        AT_LEAST = engine.AT_LEAST, _("at least")

    class MilestoneState(models.TextChoices):
        UNREPORTED = engine.UNREPORTED, _("not reported")
        NOT_STARTED = engine.NOT_STARTED, _("not started")
        IN_PROGRESS = engine.IN_PROGRESS, _("under way")
        DONE = engine.DONE, _("done")

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets"
    )
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("focus areas"), related_name="targets", blank=True
    )
    key = models.SlugField(_("key"), max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.CharField(_("number"), max_length=10, blank=True)
    title = models.CharField(_("title"), max_length=300)
    wording = models.CharField(
        _("wording"), max_length=500, help_text=_("The target as the plan words it.")
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="targets",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    bound = models.CharField(_("requirement"), max_length=10, choices=Bound.choices)
    strict = models.BooleanField(
        _("strictly"),
        default=False,
        help_text=_('Equality does not meet the target ("skal falde", "ligge under").'),
    )
    target_value = optional_value_field(_("target value"))
    period_kind = models.CharField(
        _("period kind"), max_length=20, choices=Period.Kind.choices, blank=True
    )
    measure_from = models.DateField(
        _("measured from"),
        null=True,
        blank=True,
        help_text=_("The first day a figure counts for the target. Empty: the plan's start."),
    )
    deadline = models.DateField(_("deadline"))
    tolerance = value_field(
        _("tolerance for near"),
        default=0,
        help_text=_("How far from the requirement still counts as near, in the indicator's unit."),
    )
    baseline_value = optional_value_field(_("baseline value"))
    baseline_period = models.ForeignKey(
        Period,
        verbose_name=_("baseline period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    baseline_source = models.CharField(_("baseline source"), max_length=300, blank=True)
    change_amount = optional_value_field(_("change"))
    change_relative = models.BooleanField(_("change in percent of baseline"), default=False)
    comparison_area = models.ForeignKey(
        Area,
        verbose_name=_("comparison area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    margin = value_field(
        _("margin"),
        default=0,
        help_text=_("Required distance to the comparison area, on the good side."),
    )
    gap_reduction = optional_value_field(_("gap reduction"))
    milestone_state = models.CharField(
        _("milestone state"),
        max_length=20,
        choices=MilestoneState.choices,
        default=MilestoneState.UNREPORTED,
    )
    count_mode = models.CharField(
        _("each figure is"),
        max_length=20,
        choices=CountMode.choices,
        default=CountMode.PER_PERIOD,
    )
    rank_published = models.BooleanField(
        _("the figures are the published rank"),
        default=False,
        help_text=_(
            "As jobindsats.dk's “Placering på benchmarkranglisten”; otherwise the rank is "
            "computed from every municipality's figure for the period."
        ),
    )
    comparable_measure = models.CharField(
        _("compare with"),
        max_length=10,
        choices=ComparableMeasure.choices,
        default=ComparableMeasure.MEAN,
    )
    source = models.CharField(_("source"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "order", "id"]

    def __str__(self):
        return f"{self.code} {self.title}".strip()

    def save(self, *args, **kwargs):
        # Every write path (forms, API, admin, services) comes through here or full_clean.
        if self._follow_direction() and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "bound"}
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        self._follow_direction()  # before "bound" is checked: the kind does not ask for it
        super().clean_fields(exclude=exclude)

    def clean(self):
        # What the kind requires (plans.engine.kinds). A missing baseline is allowed (plans
        # often state one later); the engine then reports "no data" with the reason.
        values = {f: getattr(self, self._meta.get_field(f).attname) for f in kinds.FIELD_DEFAULTS}
        errors = dict(kinds.problems(self.kind, values))
        group_problem = self._comparison_group_problem()
        if group_problem:
            errors["comparison_area"] = group_problem
        entry = kinds.BY_KEY.get(self.kind)
        if entry is not None and entry.measured and self.indicator_id is None:
            errors["indicator"] = _("Only a milestone can do without an indicator.")
        elif self.indicator_id and self.plan_id:
            owner = self.indicator.owner_id
            if owner is not None and owner != self.plan.municipality_id:
                errors["indicator"] = _("Another municipality's indicator.")
        if self.comparison_area_id and self.plan_id and "comparison_area" not in errors:
            if self.comparison_area_id == self.plan.municipality_id:
                errors["comparison_area"] = _("Not the plan's own area.")
            elif not self.comparison_areas_allowed().filter(pk=self.comparison_area_id).exists():
                errors["comparison_area"] = _(
                    "Compare with national or regional figures, or a municipality whose "
                    "dashboards are public."
                )
        if (
            self.kind == self.Kind.RANK
            and self.target_value is not None
            and (self.target_value < 1 or self.target_value % 1)
        ):
            errors["target_value"] = _("A rank target needs a place: a whole number, 1 or more.")
        if (
            self.kind == self.Kind.EXPECTED
            and self.indicator_id
            and self.indicator.expected_by_id is None
        ):
            errors["indicator"] = _(
                "The indicator has no expected level; choose one that has (such as jobindsats.dk's "
                "benchmark, y30r21)."
            )
        if (self.baseline_value is None) != (self.baseline_period is None):
            errors["baseline_period"] = _("A baseline needs both a value and a period.")
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def comparison_areas_allowed():
        """What a target may compare with: national and regional figures, or a municipality
        whose figures are public (a public card must not show a private municipality's)."""
        return Area.objects.filter(
            ~models.Q(kind=Area.Kind.MUNICIPALITY) | models.Q(public_dashboards=True)
        )

    def _follow_direction(self) -> bool:
        """A directed kind's requirement (the benchmark kinds': "bedre end forventet") is the
        indicator's good direction, never a choice that could contradict it. True if set."""
        entry = kinds.BY_KEY.get(self.kind)
        if entry is None or not entry.directed or not self.indicator_id:
            return False
        self.bound = self.directed_bound(self.indicator)
        return True

    def _comparison_group_problem(self) -> str | None:
        """A RAR area or council compares only while the municipality belongs to it: RAR
        Sjælland ended with 2024, so a target for 2025 compares with the Sjælland council."""
        area = self.comparison_area if self.comparison_area_id else None
        if area is None or area.kind not in Area.GROUP_KINDS or self.deadline is None:
            return None
        municipality = self.plan.municipality
        if not municipality.group_memberships.exists():
            return None  # an area outside the reference data: nothing to check against
        if (
            municipality.group_memberships.filter(group=area, valid_from__lte=self.deadline)
            .exclude(valid_to__lt=self.deadline)
            .exists()
        ):
            return None
        current = group_on(municipality, self.deadline, area.kind) or group_on(
            municipality, self.deadline
        )
        values = {"municipality": municipality.name, "area": area.name,
                  "day": date_format(self.deadline, "j. F Y")}  # fmt: skip
        if current is None:
            return _("%(municipality)s does not belong to %(area)s on %(day)s.") % values
        return _(
            "%(municipality)s belongs to %(group)s on %(day)s, the deadline, not to %(area)s: "
            "compare with %(group)s."
        ) % {**values, "group": current.name}

    @staticmethod
    def directed_bound(indicator) -> str:
        """At most where lower is better, at least where higher is: "better than expected"."""
        lower = indicator.direction == Indicator.Direction.LOWER
        return Target.Bound.AT_MOST if lower else Target.Bound.AT_LEAST

    def rule(self, *, comparison_baseline=None) -> engine.Rule:
        """The definition as the pure engine takes it."""
        return engine_rule(
            **{name: getattr(self, name) for name in RULE_FIELDS},
            plan_start=self.plan.starts_on,
            direction=self.indicator.direction if self.indicator is not None else None,
            # (the baseline period only read where there is a baseline value to go with it)
            baseline_period=self.baseline_period if self.baseline_value is not None else None,
            revisions=[r.as_engine_revision() for r in self._revisions()],
            comparison_baseline=comparison_baseline,
        )

    def _revisions(self):
        """The revisions in force order: as prefetched by plans.selectors, else read."""
        if not self.pk:
            return ()  # an unsaved target (a form's preview) has no revisions yet
        prefetched = getattr(self, PREFETCHED_REVISIONS, None)
        return self.revisions.all() if prefetched is None else prefetched


# The target's own columns the engine's Rule is built from, as they are stored (engine_rule).
RULE_FIELDS = (
    "kind", "bound", "deadline", "target_value", "strict", "tolerance", "measure_from",
    "count_mode", "rank_published", "comparable_measure", "baseline_value", "change_amount",
    "change_relative", "margin", "gap_reduction", "milestone_state",
)  # fmt: skip


def engine_rule(
    *, plan_start, direction, baseline_period, revisions, comparison_baseline=None, **fields
) -> engine.Rule:
    """A target's definition as the pure engine takes it, from plain values: the RULE_FIELDS,
    its plan's first day, its indicator's good direction (None without an indicator), its
    baseline period (anything with start, end and label; None without one) and its revisions
    (engine.Revision, in force order). Target.rule() passes its own attributes; a batch
    evaluation (plans.selectors.targets) passes the values it read in one query, without a
    model instance per target."""
    baseline_value = fields.pop("baseline_value")
    baseline = None
    if baseline_value is not None and baseline_period is not None:
        baseline = engine.Point(
            baseline_period.start, baseline_period.end, baseline_value, baseline_period.label
        )
    measure_from = fields.pop("measure_from")
    return engine.Rule(
        **fields,
        measure_from=measure_from or plan_start,
        count_from=measure_from,
        lower_is_better=direction is None or direction == Indicator.Direction.LOWER,
        baseline=baseline,
        comparison_baseline=comparison_baseline,
        revisions=tuple(revisions),
    )


# What engine.Revision takes of a stored revision, in its order.
REVISION_FIELDS = ("effective", "target_value", "margin", "reason", "id")


class TargetRevision(models.Model):
    """A revision of a target during its life; the target row keeps the original."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="revisions"
    )
    effective = models.DateField(_("in force from"))
    target_value = optional_value_field(_("new target value"))
    margin = optional_value_field(_("new margin"))
    reason = models.TextField(_("reason"))
    created_by = user_reference(_("revised by"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target revision")
        verbose_name_plural = _("target revisions")
        ordering = ["target", "effective", "id"]

    def __str__(self):
        return f"{self.target}: {self.effective}"

    def as_engine_revision(self):
        return engine.Revision(*(getattr(self, name) for name in REVISION_FIELDS))


class StatusFields(models.Model):
    """The engine's answer with the figures it used, as stored: for a target today
    (TargetStatus) and for a target in an approved reporting round (RoundResult)."""

    class Status(models.TextChoices):
        MET = engine.MET, _("met")
        NEAR = engine.NEAR, _("near")
        NOT_MET = engine.NOT_MET, _("not met")
        NO_DATA = engine.NO_DATA, _("no data")

    class Forecast(models.TextChoices):
        ON_TRACK = engine.ON_TRACK, _("on track")
        AT_RISK = engine.AT_RISK, _("at risk")
        OFF_TRACK = engine.OFF_TRACK, _("off track")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    forecast = models.CharField(_("forecast"), max_length=10, choices=Forecast.choices, blank=True)
    final = models.BooleanField(_("final"), default=False)
    current_value = optional_value_field(_("current value"))
    current_period_label = models.CharField(_("current period"), max_length=60, blank=True)
    current_period_end = models.DateField(_("current period ends"), null=True, blank=True)
    development = optional_value_field(_("development"))
    required_value = optional_value_field(_("required value"))
    comparison_value = optional_value_field(_("comparison value"))
    projected_value = optional_value_field(_("projected value"))
    revision = models.ForeignKey(
        TargetRevision,
        verbose_name=_("revision in force"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    # A rank or comparables target's place, among how many, shared or not; and how many of
    # the named comparables had a figure, of how many.
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    ranked = models.PositiveIntegerField(_("ranked"), null=True, blank=True)
    rank_shared = models.BooleanField(_("shared rank"), default=False)
    peers_counted = models.PositiveIntegerField(
        _("comparables with a figure"), null=True, blank=True
    )
    peers_named = models.PositiveIntegerField(_("comparables named"), null=True, blank=True)
    as_of = models.DateField(_("as of"))

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.target}: {self.get_status_display()}"

    # The engine's Result and these columns, both ways, in one place.

    @staticmethod
    def columns_of(result: engine.Result, as_of: date) -> dict:
        """An engine Result as the columns stored."""
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
            "rank": result.rank,
            "ranked": result.ranked,
            "rank_shared": result.tied,
            "peers_counted": result.peers_counted,
            "peers_named": result.peers_named,
            "as_of": as_of,
        }

    @staticmethod
    def result_of(stored: "StatusFields | None") -> engine.Result:
        """The engine's answer as it was stored, in the engine's shape (no status yet: no
        data)."""
        if stored is None:
            return engine.Result(status=engine.NO_DATA, reasons=(engine.REASON_NO_MEASUREMENT,))
        current = None
        if stored.current_value is not None:
            end = stored.current_period_end
            current = engine.Point(end, end, stored.current_value, stored.current_period_label)
        comparison = None
        if stored.comparison_value is not None and current:
            comparison = engine.Point(current.start, current.end, stored.comparison_value)
        return engine.Result(
            status=stored.status,
            forecast=stored.forecast or None,
            final=stored.final,
            current=current,
            development=stored.development,
            required=stored.required_value,
            comparison=comparison,
            projected=stored.projected_value,
            revision=stored.revision.as_engine_revision() if stored.revision_id else None,
            reasons=tuple(stored.reasons),
            rank=stored.rank,
            ranked=stored.ranked,
            tied=stored.rank_shared,
            peers_counted=stored.peers_counted,
            peers_named=stored.peers_named,
        )


class TargetStatus(StatusFields):
    """The engine's latest answer for a target, cached for the dashboards. Never edited by hand:
    plans.services.statuses_refresh writes it."""

    target = models.OneToOneField(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="status"
    )
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        verbose_name = _("target status")
        verbose_name_plural = _("target statuses")


class ReportingRound(models.Model):
    """A reporting round ("Status maj 2023", "Afrapportering for 2023"). Approval freezes it."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="rounds"
    )
    name = models.CharField(_("name"), max_length=200)
    cut_off = models.DateField(_("cut-off date"))
    # When the analysts' narratives are due. Rounds made before deadlines existed were given
    # their cut-off (migration 0003).
    deadline = models.DateField(
        _("deadline"), help_text=_("When the status narratives are due for approval.")
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = user_reference(_("approved by"))

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["plan", "cut_off"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="unique_round_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.plan})"

    @property
    def frozen(self):
        return self.state == self.State.APPROVED

    def evaluation_date(self, today):
        """Figures count up to the cut-off, and never past today: a round whose cut-off lies
        ahead is an interim status, not a final verdict."""
        return min(self.cut_off, today)


class RoundResult(StatusFields):
    """A target's status as approved in a reporting round: frozen, so the committee's document
    stays the same when figures are revised later. Written by plans.services.round_approve."""

    round = models.ForeignKey(
        ReportingRound,
        verbose_name=_("reporting round"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="round_results"
    )

    class Meta:
        verbose_name = _("approved status")
        verbose_name_plural = _("approved statuses")
        constraints = [
            models.UniqueConstraint(fields=["round", "target"], name="unique_round_result"),
        ]


class StatusNarrative(models.Model):
    """The analyst's text on a target for one reporting round."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="narratives"
    )
    round = models.ForeignKey(
        ReportingRound,
        verbose_name=_("reporting round"),
        on_delete=models.CASCADE,
        related_name="narratives",
    )
    text = models.TextField(_("text"))
    author = user_reference(_("author"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("status narrative")
        verbose_name_plural = _("status narratives")
        ordering = ["round__cut_off", "target"]
        constraints = [
            models.UniqueConstraint(fields=["target", "round"], name="unique_narrative"),
        ]

    def __str__(self):
        return f"{self.round.name}: {self.target}"


class RoundNotice(models.Model):
    """An e-mail about a round that has been sent (or is being sent): the row is the claim, so
    two beats or two workers never send the same notice twice (plans.notices)."""

    class Kind(models.TextChoices):
        BEFORE_DEADLINE = "before_deadline", _("reminder before the deadline")
        ON_DEADLINE = "on_deadline", _("reminder on the deadline")
        SUBMITTED = "submitted", _("submitted for approval")
        APPROVED = "approved", _("approved")

    round = models.ForeignKey(
        ReportingRound,
        verbose_name=_("reporting round"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("round notice")
        verbose_name_plural = _("round notices")
        constraints = [
            models.UniqueConstraint(fields=["round", "kind"], name="one_notice_per_kind"),
        ]

    def __str__(self):
        return f"{self.round}: {self.get_kind_display()}"


# The members' models (invitations, activity, API tokens) live with their services.
from plans.members.models import ApiToken, Invitation, MemberEvent  # noqa: E402, F401
