from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Area, Indicator, Measurement, MeasurementRevision, Period


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "rar", "region", "public_dashboards"]
    list_filter = ["kind", "public_dashboards"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "unit", "decimals", "direction", "owner", "data_source"]
    list_filter = ["unit", "direction", "owner"]
    search_fields = ["name", "key", "description"]


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
