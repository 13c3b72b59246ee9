from django.conf import settings

from plans import access
from plans.models import Membership


def roles(request):
    """What the pages offer the user: loading figures to analysts and administrators, defining
    plans and indicators to administrators."""
    user = request.user
    held = set(access.roles(user).values())
    return {
        "can_import": user.is_superuser or bool(held & access.EDITORS),
        "can_define": user.is_superuser or Membership.Role.ADMIN in held,
        "can_see_sources": access.can_see_sources(user),
        "saml_enabled": getattr(settings, "SAML_ENABLED", False),
        "can_manage_members": user.is_superuser or Membership.Role.ADMIN in held,
    }
