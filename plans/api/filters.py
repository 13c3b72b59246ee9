"""Filters of the API's lists (django-filter): the same names a user would use on the pages."""

import django_filters
from django.contrib.auth.models import AnonymousUser

from kpis.models import Measurement

from .. import access
from ..models import FocusArea, Guidepost, Initiative, StatusNarrative, Target


def visible(selector):
    """A filter's choices: only the rows the user may see. A hidden id is then refused like an
    unknown one (400), instead of answering an empty list that tells the row exists."""

    def choices(request):
        # Without a request (the schema is being generated): what anyone may see.
        return selector(request.user if request is not None else AnonymousUser())

    return choices


class MeasurementFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__key")
    area = django_filters.CharFilter(field_name="area__slug")
    municipality = django_filters.CharFilter(
        field_name="area__slug", help_text="A municipality's slug (same as area)."
    )
    period_kind = django_filters.CharFilter(field_name="period__kind")
    period_from = django_filters.DateFilter(
        field_name="period__end", lookup_expr="gte", help_text="Periods ending on or after."
    )
    period_to = django_filters.DateFilter(
        field_name="period__end", lookup_expr="lte", help_text="Periods ending on or before."
    )

    class Meta:
        model = Measurement
        fields = ["indicator", "area", "municipality", "period_kind", "period_from", "period_to"]


class TargetFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="plan__key")
    municipality = django_filters.CharFilter(field_name="plan__municipality__slug")
    status = django_filters.CharFilter(field_name="status__status")

    class Meta:
        model = Target
        fields = ["plan", "municipality", "status", "kind"]


class FocusAreaFilter(django_filters.FilterSet):
    plan = django_filters.ModelChoiceFilter(queryset=visible(access.visible_plans))

    class Meta:
        model = FocusArea
        fields = ["plan"]


class _ByFocusArea(django_filters.FilterSet):
    focus_area = django_filters.ModelChoiceFilter(queryset=visible(access.visible_focus_areas))


class GuidepostFilter(_ByFocusArea):
    class Meta:
        model = Guidepost
        fields = ["focus_area"]


class InitiativeFilter(_ByFocusArea):
    class Meta:
        model = Initiative
        fields = ["focus_area"]


class NarrativeFilter(django_filters.FilterSet):
    round = django_filters.ModelChoiceFilter(queryset=visible(access.visible_rounds))
    target = django_filters.ModelChoiceFilter(queryset=visible(access.visible_targets))

    class Meta:
        model = StatusNarrative
        fields = ["round", "target"]
