from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.views.defaults import page_not_found

from jobcenter.accounts import PasswordResetUnlocksView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # Before Django's own: a new password also lifts a lockout for the user name.
    path(
        "accounts/reset/<uidb64>/<token>/",
        PasswordResetUnlocksView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # Single sign-on (SAML 2.0): 404 unless configured (plans/members/saml.py)
    path("saml2/", include("plans.members.saml")),
    path("admin/", admin.site.urls),
    path("api/", include("plans.api.urls")),
    path("", include("plans.urls")),
]


def not_found(request, exception):
    """An API client gets the API's error body; a person gets the page."""
    if request.path.startswith("/api/"):
        body = {"error": {"status": 404, "message": "Not found.", "details": {}}}
        return JsonResponse(body, status=404)
    return page_not_found(request, exception)


handler404 = not_found
