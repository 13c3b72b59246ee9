"""Single sign-on with SAML 2.0 (djangosaml2 over pysaml2). The IdP's signed assertion names
the user (e-mail) and their groups; SAML_ROLE_MAP (jobcenter/saml_settings.py) turns group
values into roles in municipalities. A verified assertion whose groups give no role is refused
with a Danish 403 page, as is every assertion that fails verification (tampered, expired,
from an issuer not in the metadata): never a 500, never a session.

Memberships from SSO are marked source=sso: the next sign-in sets them to what the IdP asserts
then, and deactivates those no longer asserted (the IdP took the group away, so should the
portal). Memberships given in the portal (an invitation, the members page) are left alone."""

import logging

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from djangosaml2 import views as saml_views
from djangosaml2.backends import Saml2Backend

from kpis.models import Area
from plans.members import services

log = logging.getLogger(__name__)
STRENGTH = {"committee": 0, "analyst": 1, "admin": 2}
NO_ROLE = "no_role"


def granted_roles(attributes: dict) -> dict[int, str]:
    """{municipality id: role} for the asserted group values, the strongest per municipality;
    values not in the map and codes of no municipality give nothing."""
    values = attributes.get(settings.SAML_GROUPS_ATTRIBUTE) or []
    wanted: dict[str, str] = {}
    for value in values:
        for code, role in settings.SAML_ROLE_MAP.get(value, []):
            if STRENGTH[role] > STRENGTH.get(wanted.get(code), -1):
                wanted[code] = role
    by_code = dict(
        Area.objects.filter(kind=Area.Kind.MUNICIPALITY, code__in=wanted).values_list("code", "pk")
    )
    return {by_code[code]: role for code, role in wanted.items() if code in by_code}


class PortalSaml2Backend(Saml2Backend):
    def authenticate(self, request, session_info=None, attribute_mapping=None, **kwargs):
        if not getattr(settings, "SAML_ENABLED", False) or session_info is None:
            return None
        granted = granted_roles(session_info.get("ava", {}))
        if not granted:
            if request is not None:
                request.sso_refusal = NO_ROLE
            log.info("SSO: an assertion for %s gave no role", session_info.get("name_id"))
            return None
        user = super().authenticate(
            request, session_info=session_info, attribute_mapping=attribute_mapping, **kwargs
        )
        if user is not None:
            services.sso_memberships_set(user=user, granted=granted)
            services.sso_signed_in(user=user)
        return user

    def clean_attributes(self, attributes, idp_entityid, **kwargs):
        """E-mail addresses in lower case, as user names are kept."""
        mapping = settings.SAML_ATTRIBUTE_MAPPING
        emails = {name for name, fields in mapping.items() if "email" in fields}
        return {
            name: [v.strip().lower() for v in values] if name in emails else values
            for name, values in attributes.items()
        }

    def clean_user_main_attribute(self, main_attribute):
        return (main_attribute or "").strip().lower() or None


def refused(request, exception=None, status=403, **kwargs):
    """djangosaml2's failure hook: one Danish page, 403, for every refused assertion; the one
    without a role says so."""
    no_role = getattr(request, "sso_refusal", None) == NO_ROLE
    log.info("SSO refused (%s): %r", "no role" if no_role else "invalid", exception)
    return render(request, "members/sso_refused.html", {"no_role": no_role}, status=403)


class _WhenConfigured:
    def dispatch(self, request, *args, **kwargs):
        if not getattr(settings, "SAML_ENABLED", False):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class Login(_WhenConfigured, saml_views.LoginView):
    pass


# The IdP's page posts to these from its own origin, without the portal's CSRF token:
# djangosaml2 exempts its views' dispatch, and _WhenConfigured's dispatch would hide that.
@method_decorator(csrf_exempt, name="dispatch")
class AssertionConsumer(_WhenConfigured, saml_views.AssertionConsumerServiceView):
    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        return refused(request, exception, status, **kwargs)


class Metadata(_WhenConfigured, saml_views.MetadataView):
    pass


class LogoutInit(_WhenConfigured, saml_views.LogoutInitView):
    pass


@method_decorator(csrf_exempt, name="dispatch")
class Logout(_WhenConfigured, saml_views.LogoutView):
    pass


urlpatterns = [
    path("login/", Login.as_view(), name="saml2_login"),
    path("acs/", AssertionConsumer.as_view(), name="saml2_acs"),
    path("logout/", LogoutInit.as_view(), name="saml2_logout"),
    path("ls/", Logout.as_view(), name="saml2_ls"),
    path("ls/post/", Logout.as_view(), name="saml2_ls_post"),
    path("metadata/", Metadata.as_view(), name="saml2_metadata"),
]
