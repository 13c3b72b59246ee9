"""Filters of the API's lists (django-filter): the same names a user would use on the pages."""

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from jobcenter.text import whole_number
from kpis.models import Measurement
from plans import access
from plans.models import FocusArea, Guidepost, Initiative, ReportingRound, StatusNarrative, Target


def visible(selector):
    """A filter's choices: only the rows the user may see. A hidden id is then refused like an
    unknown one (400), instead of answering an empty list that tells the row exists."""

    def choices(request):
        # Without a request (the schema is being generated): what anyone may see.
        return selector(request.user if request is not None else AnonymousUser())

    return choices


class KeyFilter(django_filters.CharFilter):
    """A related row by its key, as every body and answer names it: a plan, focus area,
    target or indicator. A number is still read as the row's id, as these filters took before,
    so existing clients keep working. A row the user may not see matches nothing, exactly as a
    key nobody has: the list is scoped already (plans.access)."""

    def __init__(self, relation, *, many=False, **kwargs):
        self.relation, self.many = relation, many
        kwargs.setdefault("help_text", f"The {relation.replace('_', ' ')}'s key.")
        super().__init__(field_name=f"{relation}__key", **kwargs)

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        match = Q(**{f"{self.relation}__key": value})
        if (number := whole_number(value)) is not None:
            match |= Q(**{f"{self.relation}__id": number})
        return qs.filter(match).distinct() if self.many else qs.filter(match)


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
    plan = KeyFilter("plan")
    indicator = KeyFilter("indicator")
    focus_area = KeyFilter("focus_areas", many=True, help_text="A focus area's key.")
    municipality = django_filters.CharFilter(
        field_name="plan__municipality__slug", help_text="A municipality's slug."
    )
    status = django_filters.CharFilter(field_name="status__status")

    class Meta:
        model = Target
        fields = ["plan", "indicator", "focus_area", "municipality", "status", "kind"]


class FocusAreaFilter(django_filters.FilterSet):
    plan = KeyFilter("plan")

    class Meta:
        model = FocusArea
        fields = ["plan"]


class RoundFilter(django_filters.FilterSet):
    plan = KeyFilter("plan")
    municipality = django_filters.CharFilter(
        field_name="plan__municipality__slug", help_text="A municipality's slug."
    )

    class Meta:
        model = ReportingRound
        fields = ["plan", "municipality", "state"]


class _ByFocusArea(django_filters.FilterSet):
    focus_area = KeyFilter("focus_area")


class GuidepostFilter(_ByFocusArea):
    class Meta:
        model = Guidepost
        fields = ["focus_area"]


class InitiativeFilter(_ByFocusArea):
    class Meta:
        model = Initiative
        fields = ["focus_area"]


class NarrativeFilter(django_filters.FilterSet):
    # A round has no key: its id, as in the narrative's body.
    round = django_filters.ModelChoiceFilter(queryset=visible(access.visible_rounds))
    target = KeyFilter("target")

    class Meta:
        model = StatusNarrative
        fields = ["round", "target"]
