from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    Area,
    Indicator,
    IndicatorSource,
    Measurement,
    MeasurementRevision,
    Period,
    SourceTable,
)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "region", "public_dashboards"]
    list_filter = ["kind", "public_dashboards"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"slug": ["name"]}


class IndicatorSourceInline(admin.StackedInline):
    """The catalogue's binding of a shared indicator to its jobindsats.dk table (also in
    kpis/reference/indicators.yaml, which load_reference loads). A bound indicator's figures
    for comparison areas and other municipalities are the source's (kpis.ownership)."""

    model = IndicatorSource
    fields = ["table", "measure", "filters", "period_kind"]
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    inlines = [IndicatorSourceInline]
    list_display = ["name", "key", "unit", "decimals", "direction", "owner", "data_source"]
    list_filter = ["unit", "direction", "owner"]
    search_fields = ["name", "key", "description"]
    autocomplete_fields = ["expected_by"]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "start", "end", "code"]
    list_filter = ["kind"]
    date_hierarchy = "end"


class MeasurementRevisionInline(admin.TabularInline):
    model = MeasurementRevision
    fields = ["changed_at", "changed_by", "old_value", "new_value", "old_source"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ["indicator", "area", "period", "value", "source", "updated_at"]
    list_filter = ["area__kind", "area", "period__kind"]
    search_fields = ["indicator__name", "area__name", "source"]
    list_select_related = ["indicator", "area", "period"]
    autocomplete_fields = ["indicator", "area"]
    readonly_fields = ["entered_by", "created_at", "updated_at"]
    inlines = [MeasurementRevisionInline]

    def save_model(self, request, obj, form, change):
        # Through the service, so the old value is kept and the statuses are refreshed.
        if change and {"indicator", "area", "period"} & set(form.changed_data):
            self.message_user(
                request, _("Indicator, area and period of a figure cannot be changed."), "error"
            )
            return
        services.measurement_record(
            indicator=obj.indicator,
            area=obj.area,
            period=obj.period,
            value=obj.value,
            source=obj.source,
            user=request.user,
        )
        obj.pk = Measurement.objects.get(
            indicator=obj.indicator, area=obj.area, period=obj.period
        ).pk

    def delete_model(self, request, obj):
        services.measurements_delete(measurements=[obj])

    def delete_queryset(self, request, queryset):
        services.measurements_delete(measurements=queryset)


@admin.register(MeasurementRevision)
class MeasurementRevisionAdmin(admin.ModelAdmin):
    """Every change of a figure: who, when, old, new. Reverting records the old value again,
    as a new revision, so the history itself is never rewritten."""

    list_display = ["measurement", "old_value", "new_value", "changed_by", "changed_at"]
    list_filter = ["measurement__area", "measurement__indicator"]
    list_select_related = [
        "measurement__indicator", "measurement__area", "measurement__period", "changed_by"
    ]  # fmt: skip
    date_hierarchy = "changed_at"
    actions = ["revert"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revert the figures to their value before these changes"))
    def revert(self, request, queryset):
        for revision in queryset.select_related("measurement"):
            m = revision.measurement
            services.measurement_record(
                indicator=m.indicator, area=m.area, period=m.period,
                value=revision.old_value, source=revision.old_source or m.source,
                user=request.user,
            )  # fmt: skip
        self.message_user(request, _("Reverted."), messages.SUCCESS)


class IndicatorSourceInline(admin.TabularInline):
    model = IndicatorSource
    fields = ["indicator", "measure", "filters", "period_kind"]
    autocomplete_fields = ["indicator"]
    extra = 0


@admin.register(SourceTable)
class SourceTableAdmin(admin.ModelAdmin):
    """The jobindsats.dk tables the connector follows and their bindings; superusers only (the
    portal's admin is theirs). What the connector records is shown, not edited."""

    list_display = ["table_id", "name", "state", "last_synced_at", "last_rows", "next_update"]
    list_filter = ["state"]
    search_fields = ["table_id", "name"]
    readonly_fields = ["latest_update", "next_update", "last_synced_at", "last_rows",
                       "last_error", "state", "rows_done", "rows_total", "claimed_at"]  # fmt: skip
    inlines = [IndicatorSourceInline]


@admin.register(IndicatorSource)
class IndicatorSourceAdmin(admin.ModelAdmin):
    list_display = ["indicator", "table", "measure", "period_kind"]
    list_filter = ["table", "period_kind"]
    search_fields = ["indicator__name", "indicator__key", "measure"]
    autocomplete_fields = ["indicator"]
    list_select_related = ["indicator", "table"]
