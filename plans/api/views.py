"""The REST API: every list starts from the same permission-scoped querysets as the pages
(plans/access.py); the figures' bulk upsert goes through kpis.services, all or nothing."""

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from kpis import services as kpi_services
from kpis.importers import value_problem
from kpis.models import Indicator, Measurement
from plans import access, services
from plans.api import filters, parsers, serializers
from plans.models import Committee, FocusArea, Guidepost, Initiative, Plan, StatusNarrative, Target
from plans.selectors import targets as selectors

BULK_MAX_ROWS = 10_000
# The refused rows an answer names, as the import page shows them; the rest are counted.
SHOWN_ERRORS = kpi_services.SHOWN_ERRORS


def error_handler(exc, context):
    """Every error has the same body: {"error": {"status", "message", "details"}}."""
    if isinstance(exc, RequestDataTooBig):  # Django's own limit, where it read the body first
        exc = parsers.body_too_large()
    response = exception_handler(exc, context)
    if response is not None:
        data = response.data
        message = data.get("detail") if isinstance(data, dict) else None
        response.data = {
            "error": {
                "status": response.status_code,
                "message": str(message or "Invalid input."),
                "details": {} if message is not None and len(data) == 1 else data,
            }
        }
    return response


class ReadOnly(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]  # what is visible is decided by the queryset


class DefinitionWrites(mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """Administrators of a municipality (superusers anywhere) create and change its
    definitions, as in the portal's forms: the model's validation and history apply, and a
    target's status is recomputed. Nothing is deleted through the API."""

    http_method_names = ["get", "post", "patch", "head", "options"]  # no PUT, no DELETE

    def get_permissions(self):
        # Reads follow the route's own classes: the lists and details are open (scoped by the
        # queryset), an action such as copy asks for a login.
        if self.request.method in permissions.SAFE_METHODS:
            return super().get_permissions()
        return [permissions.IsAuthenticated()]

    def municipality_of(self, values) -> int | None:
        """The municipality whose administrators may write these values."""
        raise NotImplementedError

    def _check(self, values):
        municipality_id = self.municipality_of(values)
        user = self.request.user
        allowed = user.is_superuser if municipality_id is None else (
            access.can_edit_definitions(user, municipality_id)
        )  # fmt: skip
        if not allowed:
            raise PermissionDenied("Only the municipality's administrators may change this.")

    def new_key(self, values) -> str | None:
        """A readable key for a new row, for the models that have one."""
        return None

    def perform_create(self, serializer):
        self._check(serializer.validated_data)
        key = self.new_key(serializer.validated_data)
        self._save(serializer, **({"key": key} if key else {}))

    def perform_update(self, serializer):
        self._check(self._values_of(serializer.instance))
        self._check({**self._values_of(serializer.instance), **serializer.validated_data})
        self._save(serializer)

    def _values_of(self, instance):
        return {f.name: getattr(instance, f.name) for f in instance._meta.concrete_fields}

    @transaction.atomic
    def _save(self, serializer, **extra):
        instance = serializer.save(**extra)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        self.after_save(instance)

    def after_save(self, instance):
        pass


class AreaViewSet(ReadOnly):
    """Municipalities and comparison areas (hele landet, RAR, regions)."""

    serializer_class = serializers.AreaSerializer
    filterset_fields = ["kind"]

    def get_queryset(self):
        return (
            access.visible_areas(self.request.user)
            .prefetch_related("group_memberships__group")
            .order_by("kind", "name")
        )


class CommitteeViewSet(ReadOnly):
    serializer_class = serializers.CommitteeSerializer

    def get_queryset(self):
        return Committee.objects.filter(
            municipality__in=access.visible_areas(self.request.user)
        ).order_by("pk")


class PlanViewSet(DefinitionWrites, ReadOnly):
    serializer_class = serializers.PlanSerializer
    lookup_field = "key"

    def municipality_of(self, values):
        return values["municipality"].pk

    def new_key(self, values):
        return services.unique_key(
            Plan, values["municipality"].slug, values["title"], values["start_year"]
        )

    def get_queryset(self):
        return access.visible_plans(self.request.user).select_related("municipality").order_by("pk")

    @extend_schema(
        request=serializers.PlanCopySerializer, responses={201: serializers.PlanSerializer}
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def copy(self, request, key=None):
        """Next year's plan from this one (the page "Ny plan ud fra denne"): a new draft plan
        with copies of the focus areas, guideposts, initiatives and targets. Each target's
        deadline moves by the years unless given; its baseline is kept unless cleared, taken
        from the latest figure before the new start, or given."""
        source = self.get_object()
        if not access.can_edit_definitions(request.user, source.municipality_id):
            raise PermissionDenied(_("Only the municipality's administrators may change this."))
        body = serializers.PlanCopySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        targets = {t.key: t for t in source.targets.all()}
        rows = data.pop("targets")
        unknown = [r["target"] for r in rows if r["target"] not in targets]
        if unknown:
            raise ValidationError({"targets": [_("Not a target of this plan: %(keys)s.")
                                               % {"keys": ", ".join(unknown)}]})  # fmt: skip
        latest = selectors.baseline_proposals(source, data["start_year"])
        deadlines, baselines = {}, {}
        for row in rows:
            target = targets[row["target"]]
            if "deadline" in row:
                deadlines[target.pk] = row["deadline"]
            if "baseline_value" in row:
                baselines[target.pk] = (row["baseline_value"], row["baseline_period"])
            elif row["baseline"] == "latest":
                baselines[target.pk] = latest.get(target.pk, services.KEEP)
            else:
                baselines[target.pk] = row["baseline"]
        try:
            plan = services.plan_copy(source=source, user=request.user, deadlines=deadlines,
                                      baselines=baselines, **data)  # fmt: skip
        except services.CopyProblems as exc:
            by_key = {t.pk: k for k, t in targets.items()}
            details = {**exc.plan, "targets": {by_key[pk]: m for pk, m in exc.targets.items()}}
            raise ValidationError(details) from exc
        answer = serializers.PlanSerializer(plan, context=self.get_serializer_context())
        return Response(answer.data, status=status.HTTP_201_CREATED)


class FocusAreaViewSet(DefinitionWrites, ReadOnly):
    serializer_class = serializers.FocusAreaSerializer
    filterset_class = filters.FocusAreaFilter

    def municipality_of(self, values):
        return values["plan"].municipality_id

    def new_key(self, values):
        return services.unique_key(FocusArea, values["plan"].key, values["title"])

    def get_queryset(self):
        return access.visible_focus_areas(self.request.user).order_by("plan", "order", "pk")


class GuidepostViewSet(DefinitionWrites, ReadOnly):
    serializer_class = serializers.GuidepostSerializer
    filterset_class = filters.GuidepostFilter

    def municipality_of(self, values):
        return values["focus_area"].plan.municipality_id

    def get_queryset(self):
        plans = access.visible_plans(self.request.user)
        return Guidepost.objects.filter(focus_area__plan__in=plans).order_by("pk")


class InitiativeViewSet(DefinitionWrites, ReadOnly):
    serializer_class = serializers.InitiativeSerializer
    filterset_class = filters.InitiativeFilter

    def municipality_of(self, values):
        return values["focus_area"].plan.municipality_id

    def get_queryset(self):
        plans = access.visible_plans(self.request.user)
        return Initiative.objects.filter(focus_area__plan__in=plans).order_by("pk")


class IndicatorViewSet(DefinitionWrites, ReadOnly):
    """Shared indicators are a superuser's; a local one is its municipality's administrators'."""

    serializer_class = serializers.IndicatorSerializer
    lookup_field = "key"

    def municipality_of(self, values):
        return values["owner"].pk if values.get("owner") else None

    def new_key(self, values):
        owner = values.get("owner")
        return services.unique_key(Indicator, owner.slug if owner else "", values["name"])

    def get_queryset(self):
        return access.visible_indicators(self.request.user).select_related("owner").order_by("pk")


class TargetViewSet(DefinitionWrites, ReadOnly):
    """Targets with their computed status and the figures it was computed from."""

    serializer_class = serializers.TargetSerializer
    filterset_class = filters.TargetFilter
    lookup_field = "key"

    def municipality_of(self, values):
        return values["plan"].municipality_id

    def new_key(self, values):
        return services.unique_key(Target, values["plan"].key, values["title"])

    def after_save(self, target):
        if any(fa.plan_id != target.plan_id for fa in target.focus_areas.all()):
            raise ValidationError({"focus_areas": ["A target's focus areas belong to its plan."]})
        services.refresh_on_commit(target)

    @extend_schema(methods=["GET"], responses={200: serializers.RevisionSerializer(many=True)})
    @extend_schema(
        methods=["POST"], request=serializers.RevisionSerializer,
        responses={201: serializers.RevisionSerializer},
    )  # fmt: skip
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def revisions(self, request, key=None):
        """The target's revisions ("Justér måltallet"), oldest first; administrators revise it
        from a date on, with the reason, and its status is recomputed."""
        target = self.get_object()
        if request.method == "GET":
            revisions = target.revisions.select_related("created_by")
            return Response(serializers.RevisionSerializer(revisions, many=True).data)
        if not access.can_edit_definitions(request.user, target.plan.municipality_id):
            raise PermissionDenied(_("Only the municipality's administrators may change this."))
        body = serializers.RevisionSerializer(data=request.data, context={"target": target})
        body.is_valid(raise_exception=True)
        try:
            revision = services.target_revise(target=target, user=request.user,
                                              **body.validated_data)  # fmt: skip
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return Response(serializers.RevisionSerializer(revision).data, status=201)

    def get_permissions(self):
        if self.action == "revisions" and self.request.method == "POST":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self):
        return (
            access.visible_targets(self.request.user)
            .select_related("plan", "indicator", "comparison_area", "baseline_period", "status")
            .prefetch_related("focus_areas")
            .order_by("pk")
        )


class MeasurementViewSet(ReadOnly):
    """Figures, series by series: filter by indicator, area or municipality, period kind and
    period range."""

    serializer_class = serializers.MeasurementSerializer
    filterset_class = filters.MeasurementFilter

    def get_queryset(self):
        user = self.request.user
        return (
            Measurement.objects.filter(area__in=access.visible_areas(user))
            .filter(indicator__in=access.visible_indicators(user))
            .select_related("indicator", "area", "period")
            # Series by series: the order of the unique (indicator, area, period) index, so a
            # page of one indicator's figures is read straight off the index, not found by
            # scanning the whole table in id order.
            .order_by("indicator_id", "area_id", "period_id")
        )

    @extend_schema(
        request=serializers.MeasurementWriteSerializer(many=True),
        responses={200: serializers.BulkResultSerializer},
    )
    @action(detail=False, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def bulk(self, request):
        """Create or revise many figures at once, all or nothing. A revised figure keeps its
        previous value; the statuses it touches are recomputed. Errors name the row (from 0)."""
        if access.figure_municipalities(request.user) == set():
            raise PermissionDenied("You may not load figures.")
        if not isinstance(request.data, list) or not request.data:
            raise ValidationError({"rows": ["Send a non-empty list of figures."]})
        if len(request.data) > BULK_MAX_ROWS:
            raise ValidationError({"rows": [f"At most {BULK_MAX_ROWS} figures at a time."]})
        writer = serializers.MeasurementWriteSerializer(
            data=request.data, many=True, context={"request": request}
        )
        row_errors = {}
        if not writer.is_valid():
            errors = writer.errors  # a list by row, or {row: errors} in newer DRF
            pairs = errors.items() if isinstance(errors, dict) else enumerate(errors)
            row_errors = {int(i): e for i, e in pairs if e}
        rows, seen = [], {}
        for i, item in enumerate(writer.validated_data if not row_errors else []):
            key = (item["indicator"].pk, item["area"].pk, item["period"])
            problem = _row_problem(request.user, item)
            if problem:
                row_errors[i] = {"area": [problem]}
            elif value_problem(item["value"], item["indicator"]):
                row_errors[i] = {"value": [value_problem(item["value"], item["indicator"])]}
            elif key in seen:
                row_errors[i] = {"period": [f"The same figure is also in row {seen[key]}."]}
            seen.setdefault(key, i)
            rows.append(item)
        if row_errors:
            # Answered directly: a ValidationError would turn the row numbers into strings.
            errors = [{"row": i, "errors": e} for i, e in sorted(row_errors.items())]
            details = {"rows": errors[:SHOWN_ERRORS], "rows_with_errors": len(errors),
                       "more_rows_with_errors": max(0, len(errors) - SHOWN_ERRORS)}  # fmt: skip
            body = {"status": 400, "message": "Nothing was saved: some rows have errors.",
                    "details": details}  # fmt: skip
            return Response({"error": body}, status=status.HTTP_400_BAD_REQUEST)
        with transaction.atomic():
            counts = kpi_services.measurements_record(
                rows=[
                    kpi_services.MeasurementRow(
                        r["indicator"],
                        r["area"],
                        kpi_services.period_get_or_create(r["period"]),
                        r["value"],
                        r["source"] or "API",
                    )  # fmt: skip
                    for r in rows
                ],
                user=request.user,
            )
        return Response(counts, status=status.HTTP_200_OK)


def _row_problem(user, item) -> str | None:
    """Why the row's figure is not the user's to write, in Danish, naming who owns it (the
    rule the grid and the import follow too), or None."""
    return access.figure_write_problem(user, item["indicator"], item["area"])


class RoundViewSet(mixins.CreateModelMixin, ReadOnly):
    """Reporting rounds; an approved round carries its frozen statuses. The municipality's
    analysts and administrators create a round, as on the page."""

    serializer_class = serializers.RoundSerializer
    filterset_class = filters.RoundFilter

    def get_permissions(self):
        if self.request.method in permissions.SAFE_METHODS:
            return super().get_permissions()  # submit and approve ask for a login
        return [permissions.IsAuthenticated()]

    def perform_create(self, serializer):
        plan = serializer.validated_data["plan"]
        if not access.can_edit_figures(self.request.user, plan.municipality_id):
            raise PermissionDenied(_("Only the municipality's analysts may create a round."))
        values = {k: serializer.validated_data[k] for k in ("name", "cut_off", "deadline")}
        try:
            serializer.instance = services.round_create(plan=plan, **values)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc

    @extend_schema(
        request=serializers.SubmitSerializer, responses={200: serializers.RoundSerializer}
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def submit(self, request, pk=None):
        """The analysts hand the round to the administrators for approval. Refused (400) while
        a target not met has no status narrative: its key is in details.missing; write it, or
        name it in confirm_without_narrative (unless the plan requires narratives)."""
        reporting_round = self.get_object()
        if not access.can_edit_figures(request.user, reporting_round.plan.municipality_id):
            raise PermissionDenied(_("Only the municipality's analysts may submit the round."))
        body = serializers.SubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        keys = body.validated_data["confirm_without_narrative"]
        confirmed = reporting_round.plan.targets.filter(key__in=keys)
        try:
            return self._step(services.round_submit, reporting_round, confirmed=list(confirmed))
        except services.NarrativesMissing as exc:
            error = {"status": 400, "message": str(exc),
                     "details": {"missing": [t.key for t in exc.targets],
                                 "required": exc.required}}  # fmt: skip
            return Response({"error": error}, status=status.HTTP_400_BAD_REQUEST)

    @extend_schema(request=None, responses={200: serializers.RoundSerializer})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def approve(self, request, pk=None):
        """Approve the round, which freezes its statuses."""
        reporting_round = self.get_object()
        if not access.can_edit_definitions(request.user, reporting_round.plan.municipality_id):
            raise PermissionDenied(_("Only the municipality's administrators may approve."))
        return self._step(services.round_approve, reporting_round, user=request.user)

    def _step(self, step, reporting_round, **extra):
        try:
            step(reporting_round=reporting_round, **extra)
        except services.RoundFrozen as exc:
            raise ValidationError({"round": [str(exc)]}) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=reporting_round.pk)).data)

    def get_queryset(self):
        return (
            access.visible_rounds(self.request.user)
            .select_related("plan")
            .prefetch_related("results")
            .order_by("pk")
        )


class NarrativeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):  # fmt: skip
    """Status narratives per target and round; analysts write them while the round is open."""

    serializer_class = serializers.NarrativeSerializer
    filterset_class = filters.NarrativeFilter

    def get_permissions(self):
        if self.request.method in permissions.SAFE_METHODS:
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return StatusNarrative.objects.filter(
            round__in=access.visible_rounds(self.request.user)
        ).order_by("pk")

    def perform_create(self, serializer):
        self._write(serializer.validated_data)
        serializer.instance = StatusNarrative.objects.get(
            target=serializer.validated_data["target"], round=serializer.validated_data["round"]
        )

    def perform_update(self, serializer):
        instance = serializer.instance
        data = {"target": instance.target, "round": instance.round, "text": instance.text,
                **serializer.validated_data}  # fmt: skip
        self._write(data)
        serializer.instance.refresh_from_db()

    def _write(self, data):
        target, reporting_round = data["target"], data["round"]
        user = self.request.user
        if target.plan_id != reporting_round.plan_id:
            raise ValidationError({"target": ["The target is not in the round's plan."]})
        if not access.visible_rounds(user).filter(pk=reporting_round.pk).exists() or not (
            access.can_edit_figures(user, target.plan.municipality_id)
        ):
            raise PermissionDenied("You may not write narratives for this round.")
        try:
            services.narrative_write(
                target=target, reporting_round=reporting_round, text=data["text"], user=user
            )
        except services.RoundFrozen as exc:
            raise ValidationError({"round": [str(exc)]}) from exc
