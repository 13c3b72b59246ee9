from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from plans import services
from plans.models import (
    Committee,
    FocusArea,
    Guidepost,
    Initiative,
    Membership,
    Plan,
    ReportingRound,
    StatusNarrative,
    Target,
    TargetRevision,
    TargetStatus,
)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "role"]
    list_filter = ["role", "municipality"]
    search_fields = ["user__username", "municipality__name"]
    autocomplete_fields = ["user"]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "municipality"]
    list_filter = ["municipality"]


class FocusAreaInline(admin.TabularInline):
    model = FocusArea
    fields = ["order", "number", "title", "key"]
    show_change_link = True
    extra = 0


class RoundInline(admin.TabularInline):
    model = ReportingRound
    fields = ["name", "cut_off", "state"]
    show_change_link = True
    extra = 0


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "municipality", "years", "kind", "approval_state", "approved_on"]
    list_filter = ["municipality", "kind", "approval_state"]
    search_fields = ["title", "key"]
    inlines = [FocusAreaInline, RoundInline]


class GuidepostInline(admin.TabularInline):
    model = Guidepost
    fields = ["order", "text"]
    extra = 0


class InitiativeInline(admin.StackedInline):
    model = Initiative
    fields = ["order", "title", "body", "key_facts"]
    extra = 0


@admin.register(FocusArea)
class FocusAreaAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "plan", "order"]
    list_filter = ["plan__municipality", "plan"]
    search_fields = ["title"]
    inlines = [GuidepostInline, InitiativeInline]


class TargetRevisionInline(admin.TabularInline):
    model = TargetRevision
    fields = ["effective", "target_value", "margin", "reason", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    extra = 0


class TargetStatusInline(admin.StackedInline):
    """Shown, never edited: the engine writes it."""

    model = TargetStatus
    can_delete = False
    readonly_fields = [
        "status",
        "forecast",
        "final",
        "current_value",
        "current_period_label",
        "development",
        "required_value",
        "comparison_value",
        "projected_value",
        "reasons",
        "as_of",
        "computed_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "plan", "kind", "wording", "deadline", "status_display"]
    list_filter = ["plan__municipality", "plan", "kind", "status__status"]
    search_fields = ["title", "wording", "key"]
    list_select_related = ["plan", "status"]
    filter_horizontal = ["focus_areas"]
    autocomplete_fields = ["indicator"]
    inlines = [TargetRevisionInline, TargetStatusInline]
    fieldsets = [
        (None, {"fields": ["plan", "focus_areas", "key", "order", "code", "title", "wording"]}),
        (
            _("Rule"),
            {
                "fields": [
                    "indicator",
                    "kind",
                    "bound",
                    "strict",
                    "target_value",
                    "period_kind",
                    "measure_from",
                    "deadline",
                    "tolerance",
                ]
            },
        ),
        (_("Baseline"), {"fields": ["baseline_value", "baseline_period", "baseline_source"]}),
        (
            pgettext_lazy("target fieldset", "Change"),
            {"fields": ["change_amount", "change_relative"]},
        ),
        (_("Comparison"), {"fields": ["comparison_area", "margin", "gap_reduction"]}),
        (_("Milestone"), {"fields": ["milestone_state"]}),
        (None, {"fields": ["source"]}),
    ]

    @admin.display(description=_("status"), ordering="status__status")
    def status_display(self, obj):
        status = getattr(obj, "status", None)
        return status.get_status_display() if status else "–"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.refresh_on_commit(form.instance)


class NarrativeInline(admin.StackedInline):
    model = StatusNarrative
    fields = ["target", "text", "author"]
    readonly_fields = ["author"]
    extra = 0

    # An approved round's narratives are what the committee approved: shown, not edited.
    def has_change_permission(self, request, obj=None):
        return not (obj and obj.frozen) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return not (obj and obj.frozen) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.frozen) and super().has_delete_permission(request, obj)


@admin.register(ReportingRound)
class ReportingRoundAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "cut_off", "state", "approved_at"]
    list_filter = ["state", "plan__municipality"]
    # Approval freezes the round's statuses, so it happens only through the action below.
    readonly_fields = ["state", "approved_at", "approved_by"]
    inlines = [NarrativeInline]
    actions = ["approve"]

    @admin.action(description=_("Approve and freeze the selected reporting rounds"))
    def approve(self, request, queryset):
        for reporting_round in queryset:
            try:
                services.round_approve(reporting_round=reporting_round, user=request.user)
            except services.RoundFrozen as exc:
                self.message_user(request, f"{reporting_round}: {exc}", messages.WARNING)
            else:
                self.message_user(request, _("%(round)s approved.") % {"round": reporting_round})
