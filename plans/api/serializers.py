"""What the API says of each thing. Read serializers mirror the pages; the one write of
figures hands validated rows to kpis.services, all or nothing."""

import copy

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, prefetch_related_objects
from django.utils.translation import gettext as _
from rest_framework import serializers

from jobcenter.text import multi_line, single_line
from kpis import ownership
from kpis.models import Area, AreaMembership, Indicator, Measurement
from kpis.periods import FIRST_YEAR, LAST_YEAR, PeriodError, parse_period
from kpis.services import period_get_or_create
from plans import access
from plans.forms import KIND_DEFAULTS, KIND_FIELDS, MAX_DECIMALS, ReviseForm, kind_problems
from plans.models import (
    Committee,
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


class VisibleChoices:
    """References to plans, focus areas, targets, rounds and indicators accept only what the
    user may see (plans.access): a hidden one is answered as one that does not exist, so a
    write never tells whether another municipality's draft is there."""

    visible_choices: dict = {}  # field name -> access function of the user

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = request.user if request is not None else AnonymousUser()
        for name, choices in self.visible_choices.items():
            field = fields[name]
            if not field.read_only:
                relation = getattr(field, "child_relation", field)  # many=True: the items
                relation.queryset = choices(user)
        return fields


class Defined(VisibleChoices, serializers.ModelSerializer):
    """A definition written through the API: what ties it to a municipality is fixed once it
    exists (fixed_on_update), and the model's own validation, check constraints included, runs
    before anything is saved."""

    fixed_on_update: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            for name in self.fixed_on_update:
                fields[name].read_only = True
        return fields

    def to_internal_value(self, data):
        """A change of a field that cannot change (fixed_on_update, the key) is refused by
        name rather than ignored: the client would otherwise believe it had moved a target to
        another plan. The value it already has may be sent back, as a GET gave it."""
        if self.instance is not None and hasattr(data, "keys"):
            unchangeable = (*self.fixed_on_update, *getattr(self.Meta, "read_only_fields", ()))
            changed = [n for n in unchangeable if n in data and not self._unchanged(n, data[n])]
            if changed:
                message = _("This cannot be changed once it exists.")
                raise serializers.ValidationError({name: [message] for name in changed})
        return super().to_internal_value(data)

    def _unchanged(self, name, value) -> bool:
        field = self.fields[name]
        current = field.get_attribute(self.instance)
        shown = None if current is None else field.to_representation(current)
        return value == shown or (value is not None and str(value) == str(shown))

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many = {f.name for f in model._meta.many_to_many}
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in many:
                setattr(instance, name, value)
        try:
            instance.full_clean(exclude=["key"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs


class AreaMembershipSerializer(serializers.ModelSerializer):
    group = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = AreaMembership
        fields = ["group", "valid_from", "valid_to"]


class AreasWithComparables(serializers.ListSerializer):
    """A page of areas reads their comparable municipalities in one query, not one per area."""

    def to_representation(self, data):
        areas = list(data.all() if hasattr(data, "all") else data)
        prefetch_related_objects(areas, "comparables")
        return super().to_representation(areas)


class AreaSerializer(serializers.ModelSerializer):
    groups = AreaMembershipSerializer(
        source="group_memberships",
        many=True,
        read_only=True,
        help_text="The RAR areas (2015–2024) and councils (2025–) of a municipality, dated.",
    )

    comparables = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        read_only=True,
        help_text="The municipalities this one compares itself with (sammenlignelige kommuner).",
    )

    class Meta:
        model = Area
        fields = ["id", "slug", "name", "kind", "code", "region", "groups", "comparables"]
        list_serializer_class = AreasWithComparables


class CommitteeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Committee
        fields = ["id", "municipality", "name", "short_name"]


class PlanSerializer(Defined):
    municipality = serializers.SlugRelatedField(
        slug_field="slug", queryset=Area.objects.filter(kind=Area.Kind.MUNICIPALITY)
    )
    fixed_on_update = ("municipality",)

    def validate(self, attrs):
        municipality = attrs.get("municipality") or self.instance.municipality
        committee = attrs.get("committee")
        if committee and committee.municipality_id != municipality.pk:
            raise serializers.ValidationError({"committee": ["Not a committee of the plan's "
                                                             "municipality."]})  # fmt: skip
        return super().validate(attrs)

    class Meta:
        model = Plan
        read_only_fields = ["key"]
        fields = ["id", "key", "municipality", "committee", "title", "kind", "start_year",
                  "end_year", "approval_state", "approved_on", "approved_by",
                  "summary", "narratives_required"]  # fmt: skip


class FocusAreaSerializer(Defined):
    plan = serializers.SlugRelatedField(slug_field="key", queryset=Plan.objects.all())
    fixed_on_update = ("plan",)
    visible_choices = {"plan": access.visible_plans}

    class Meta:
        model = FocusArea
        fields = ["id", "key", "plan", "order", "number", "title", "intro"]
        read_only_fields = ["key"]


class GuidepostSerializer(Defined):
    fixed_on_update = ("focus_area",)
    visible_choices = {"focus_area": access.visible_focus_areas}

    class Meta:
        model = Guidepost
        fields = ["id", "focus_area", "order", "text"]


class InitiativeSerializer(Defined):
    key_facts = serializers.ListField(child=serializers.CharField())
    fixed_on_update = ("focus_area",)
    visible_choices = {"focus_area": access.visible_focus_areas}

    class Meta:
        model = Initiative
        fields = ["id", "focus_area", "order", "title", "body", "key_facts"]


class IndicatorSerializer(Defined):
    fixed_on_update = ("owner",)
    # null: a shared indicator, used by every municipality
    owner = serializers.SlugRelatedField(
        slug_field="slug", allow_null=True, required=False,
        queryset=Area.objects.filter(kind=Area.Kind.MUNICIPALITY),
    )  # fmt: skip

    class Meta:
        model = Indicator
        read_only_fields = ["key"]
        extra_kwargs = {"decimals": {"max_value": MAX_DECIMALS}}
        fields = ["id", "key", "name", "description", "unit", "decimals", "direction",
                  "data_source", "owner"]  # fmt: skip


class StatusSerializer(serializers.ModelSerializer):
    """The engine's answer with the figures it used."""

    class Meta:
        model = TargetStatus
        fields = ["status", "forecast", "final", "current_value", "current_period_label",
                  "current_period_end", "development", "required_value", "comparison_value",
                  "projected_value", "reasons", "as_of"]  # fmt: skip


class PeriodCodeField(serializers.CharField):
    """A period as a jobindsats code or a Danish label in, its code out."""

    def to_internal_value(self, data):
        try:
            return period_get_or_create(super().to_internal_value(data))
        except PeriodError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value):
        return value.code


class TargetSerializer(Defined):
    plan = serializers.SlugRelatedField(slug_field="key", queryset=Plan.objects.all())
    fixed_on_update = ("plan",)
    # null: a milestone has no indicator; only a relative target has a comparison area
    indicator = serializers.SlugRelatedField(
        slug_field="key", queryset=Indicator.objects.all(), allow_null=True, required=False
    )
    # As the target form: compare with national or regional figures or a public municipality,
    # so a public card never shows a private municipality's figures.
    comparison_area = serializers.SlugRelatedField(
        slug_field="slug", allow_null=True, required=False,
        queryset=Area.objects.filter(~Q(kind=Area.Kind.MUNICIPALITY) | Q(public_dashboards=True)),
    )  # fmt: skip
    baseline_period = PeriodCodeField(allow_null=True, required=False)
    status = StatusSerializer(read_only=True, allow_null=True)
    visible_choices = {"plan": access.visible_plans, "focus_areas": access.visible_focus_areas,
                       "indicator": access.visible_indicators}  # fmt: skip

    def validate(self, attrs):
        plan = attrs.get("plan") or self.instance.plan
        kind = attrs.get("kind") or self.instance.kind
        # As the target form: a milestone needs no requirement ("bound"), the other kinds do.
        # (a target keeps its bound, unless it changes kind: a milestone's stored default
        # is no requirement anyone chose)
        same_kind = self.instance is not None and kind == self.instance.kind
        current = {"bound": self.instance.bound} if same_kind else {}
        problems = kind_problems(kind, {**current, **attrs})
        if problems:
            raise serializers.ValidationError({k: [v] for k, v in problems.items()})
        indicator = attrs.get("indicator")
        if indicator and indicator.owner_id not in (None, plan.municipality_id):
            raise serializers.ValidationError({"indicator": ["Another municipality's indicator."]})
        if attrs.get("comparison_area") and attrs["comparison_area"].pk == plan.municipality_id:
            raise serializers.ValidationError({"comparison_area": ["Not the plan's own area."]})
        # What another kind asks for is reset, as in the target form.
        asked = set(KIND_FIELDS.get(kind, []))
        for name, default in KIND_DEFAULTS.items():
            if name not in asked or attrs.get(name) is None and self.instance is None:
                attrs[name] = default
        return super().validate(attrs)

    class Meta:
        model = Target
        fields = ["id", "key", "plan", "focus_areas", "code", "title", "wording", "indicator",
                  "kind", "bound", "strict", "target_value", "period_kind", "measure_from",
                  "deadline", "tolerance", "baseline_value", "baseline_period", "change_amount",
                  "change_relative", "comparison_area", "margin", "gap_reduction",
                  "milestone_state", "status"]  # fmt: skip
        read_only_fields = ["key"]
        extra_kwargs = {"bound": {"required": False}}  # not for a milestone: validate() asks


class MeasurementSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="key", read_only=True)
    area = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    period = serializers.SerializerMethodField()
    period_label = serializers.SerializerMethodField()

    class Meta:
        model = Measurement
        fields = ["id", "indicator", "area", "period", "period_label", "value", "source",
                  "updated_at"]  # fmt: skip

    def get_period(self, measurement) -> str:
        return measurement.period.code

    def get_period_label(self, measurement) -> str:
        return measurement.period.label


class LoadableIndicatorField(serializers.SlugRelatedField):
    """An indicator by key, among those the requesting user may load figures for
    (plans.access.loadable_indicators): another municipality's local indicator answers exactly
    as a key that does not exist."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="key", queryset=Indicator.objects.none(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Indicator.objects.none()
        # The source's table, for kpis.ownership, without a query per row.
        return access.loadable_indicators(request.user).select_related("source__table")

    def to_internal_value(self, data):
        # A bulk upload names a few indicators in thousands of rows: one query for each.
        found = self.__dict__.setdefault("_found", {})
        key = str(data)
        if key not in found:
            found[key] = self.get_queryset().filter(key=key).first()
        if found[key] is None:
            raise serializers.ValidationError(ownership.unknown_indicator(data))
        return found[key]


class MeasurementWriteSerializer(serializers.Serializer):
    """One figure to store: the indicator by key, the area by slug, the period as a jobindsats
    code or a Danish label, the value as a decimal number."""

    indicator = LoadableIndicatorField()
    area = serializers.SlugRelatedField(slug_field="slug", queryset=Area.objects.all())
    period = serializers.CharField(max_length=40, validators=[single_line])
    value = serializers.DecimalField(max_digits=18, decimal_places=6)
    source = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", validators=[single_line]
    )

    def validate_period(self, text):
        try:
            return parse_period(text)
        except PeriodError as exc:
            raise serializers.ValidationError(str(exc)) from exc


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    revised = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class NarrativeSerializer(VisibleChoices, serializers.ModelSerializer):
    text = serializers.CharField(max_length=20_000, validators=[multi_line])
    visible_choices = {"target": access.visible_targets, "round": access.visible_rounds}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # a narrative stays with its target and round
            fields["target"].read_only = fields["round"].read_only = True
        return fields

    class Meta:
        model = StatusNarrative
        fields = ["id", "target", "round", "text", "updated_at"]
        read_only_fields = ["id", "updated_at"]
        # Writing the narrative of a target and round again replaces it (an upsert).
        validators = []


class RoundResultSerializer(StatusSerializer):
    class Meta(StatusSerializer.Meta):
        model = RoundResult
        fields = ["target"] + StatusSerializer.Meta.fields


class RoundSerializer(VisibleChoices, serializers.ModelSerializer):
    """A round; created (plan, name, cut-off, deadline) as on the page, by the municipality's
    analysts and administrators."""

    plan = serializers.SlugRelatedField(slug_field="key", queryset=Plan.objects.all())
    results = RoundResultSerializer(many=True, read_only=True)
    visible_choices = {"plan": access.visible_plans}

    class Meta:
        model = ReportingRound
        fields = ["id", "plan", "name", "cut_off", "deadline", "state", "approved_at", "results"]
        read_only_fields = ["state", "approved_at"]
        validators = []  # the name's uniqueness is the service's (the model's) to check


class SubmitSerializer(serializers.Serializer):
    confirm_without_narrative = serializers.ListField(
        child=serializers.SlugField(), required=False, default=list,
        help_text="Keys of targets not met to submit without a status narrative (not allowed "
        "where the plan requires narratives).",
    )  # fmt: skip


class RevisionSerializer(serializers.ModelSerializer):
    """ "Justér måltallet": a new target value (or, for a relative target, margin) from a
    date, with the reason; the original stays on the target."""

    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = TargetRevision
        fields = ["id", "effective", "target_value", "margin", "reason", "created_by",
                  "created_at"]  # fmt: skip
        read_only_fields = ["created_by", "created_at"]

    def validate(self, attrs):
        """The revise form's rule: what a revision changes depends on the target's kind."""
        target = self.context["target"]
        wanted = ReviseForm.REVISABLE.get(target.kind)
        if wanted is None:
            raise serializers.ValidationError(
                _("This kind of target has no value to revise; edit the target instead.")
            )
        other = "margin" if wanted == "target_value" else "target_value"
        if attrs.get(wanted) is None:
            raise serializers.ValidationError({wanted: [_("This field is required.")]})
        if attrs.get(other) is not None:
            raise serializers.ValidationError({other: [_("Not revised for this kind of target.")]})
        return attrs


class TargetCopySerializer(serializers.Serializer):
    target = serializers.SlugField(help_text="The key of a target of the plan copied.")
    deadline = serializers.DateField(required=False, help_text="Default: moved by the years.")
    baseline = serializers.ChoiceField(
        choices=["keep", "clear", "latest"], required=False, default="keep",
        help_text="keep the old baseline, clear it, or take the latest figure before the new "
        "plan's start (kept where there is none); or give baseline_value and baseline_period.",
    )  # fmt: skip
    baseline_value = serializers.DecimalField(max_digits=18, decimal_places=6, required=False)
    baseline_period = PeriodCodeField(required=False)

    def validate(self, attrs):
        if ("baseline_value" in attrs) != ("baseline_period" in attrs):
            raise serializers.ValidationError(
                {"baseline_period": [_("A baseline needs both a value and a period.")]}
            )
        return attrs


class PlanCopySerializer(serializers.Serializer):
    """Next year's plan from this one, as the page "Ny plan ud fra denne" makes it."""

    title = serializers.CharField(max_length=200)
    start_year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    end_year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    year_shift = serializers.IntegerField(
        required=False, help_text="Years to move deadlines by; default: the new start year "
        "minus the old one.",
    )  # fmt: skip
    targets = TargetCopySerializer(many=True, required=False, default=list)
