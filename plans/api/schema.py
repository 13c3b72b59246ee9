"""The OpenAPI schema: every operation documents the portal's one error body, for the errors
any request may meet (bad input, no login, no right, not found or an invalid page)."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    message = serializers.CharField()
    details = serializers.DictField()


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_CODES = ("400", "401", "403", "404")
WRITE_ERROR_CODES = ("415",)  # a body that is not JSON


class PortalSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ERROR_CODES + (WRITE_ERROR_CODES if self.method in ("POST", "PUT", "PATCH") else ())
        for code in codes:
            responses.setdefault(code, self._get_response_for_code(ErrorSerializer, code))
        return responses
