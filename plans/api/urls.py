from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from plans.api import views
from plans.members import api as members_api

router = DefaultRouter()
router.register("areas", views.AreaViewSet, basename="area")
router.register("committees", views.CommitteeViewSet, basename="committee")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("focus-areas", views.FocusAreaViewSet, basename="focusarea")
router.register("guideposts", views.GuidepostViewSet, basename="guidepost")
router.register("initiatives", views.InitiativeViewSet, basename="initiative")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("targets", views.TargetViewSet, basename="target")
router.register("measurements", views.MeasurementViewSet, basename="measurement")
router.register("rounds", views.RoundViewSet, basename="round")
router.register("narratives", views.NarrativeViewSet, basename="narrative")
router.register("memberships", members_api.MembershipViewSet, basename="membership")

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file of its own, not inline, as
    # the content security policy requires.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
