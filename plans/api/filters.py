"""Filters of the API's lists (django-filter): the same names a user would use on the pages."""

import django_filters

from kpis.models import Measurement

from ..models import Target


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
