"""The API's token authentication: `Authorization: Token <key>`, as DRF's TokenAuthentication
reads it, with the portal's named tokens (ApiToken, stored as a hash, several per user, made
and revoked on /account/tokens/). A key made earlier with DRF's `drf_create_token` or in the
admin still works, so existing integrations are not cut off.

A key that is unknown, revoked or whose user is inactive is answered 401 with
`WWW-Authenticate: Token`. (DRF would turn an AuthenticationFailed into 403 here, because
session authentication comes first in the settings and has no challenge; a client that sent
a key should learn that the key is what is wrong.)"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException

from plans.members.models import ApiToken, secret_hash

TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often per token


class TokenRefused(APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = _("The API token is unknown, revoked or its user is deactivated.")
    default_code = "authentication_failed"
    auth_header = "Token"


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(key_hash=secret_hash(key)).first()
        if token is not None:
            if token.revoked_at is not None or not token.user.is_active:
                raise TokenRefused()
            now = timezone.now()
            ApiToken.objects.filter(
                Q(last_used_at=None) | Q(last_used_at__lt=now - TOUCH_EVERY), pk=token.pk
            ).update(last_used_at=now)
            return token.user, token
        legacy = Token.objects.select_related("user").filter(key=key).first()
        if legacy is None or not legacy.user.is_active:
            raise TokenRefused()
        return legacy.user, legacy
