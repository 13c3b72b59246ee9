"""/api/memberships/: what the members page does, through the same services. Administrators
see and change their municipalities' memberships, superusers all; a membership one does not
manage does not exist (404). POST to the list invites (e-mail, role, municipality) and answers
with the invitation; PATCH changes the role (or is_active: true reactivates, false
deactivates); POST …/deactivate/ deactivates. Nothing is deleted."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from kpis.models import Area
from plans.members import selectors, services
from plans.members.models import Invitation
from plans.models import Membership


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    last_login = serializers.DateTimeField(source="user.last_login", read_only=True)
    municipality = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    invited_by = serializers.CharField(source="invited_by.username", read_only=True, default=None)

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "name", "municipality", "role", "is_active",
                  "source", "created_at", "invited_by", "last_login"]  # fmt: skip
        read_only_fields = ["source", "created_at"]


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation: POST e-mail, role and the municipality's slug; the link goes by e-mail."""

    municipality = serializers.SlugRelatedField(
        slug_field="slug", queryset=Area.objects.filter(kind=Area.Kind.MUNICIPALITY)
    )
    invited_by = serializers.CharField(source="invited_by.username", read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "municipality", "invited_by", "created_at", "expires_at"]
        read_only_fields = ["created_at", "expires_at"]


def _invalid(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.UpdateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    serializer_class = MembershipSerializer
    # Anonymous clients read an empty list (they manage nobody); every write needs a user.
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]  # no PUT, no DELETE

    def get_queryset(self):
        return selectors.memberships_for(self.request.user)

    def get_serializer_class(self):
        return InvitationSerializer if self.action == "create" else MembershipSerializer

    def create(self, request, *args, **kwargs):
        serializer = InvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        # invitation_send refuses (403) a municipality the user does not administer.
        try:
            invitation = services.invitation_send(
                municipality=values["municipality"], email=values["email"], role=values["role"],
                by=request.user, base_url=request.build_absolute_uri("/"),
            )  # fmt: skip
        except DjangoValidationError as exc:
            raise _invalid(exc) from exc
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        unknown = set(request.data) - {"role", "is_active"}
        if unknown:
            raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
        try:
            if "role" in request.data:
                services.member_role_change(
                    membership=membership, role=request.data["role"], by=request.user
                )
            if request.data.get("is_active") is True:
                services.member_reactivate(membership=membership, by=request.user)
            elif request.data.get("is_active") is False:
                services.member_deactivate(membership=membership, by=request.user)
        except DjangoValidationError as exc:
            raise _invalid(exc) from exc
        return Response(MembershipSerializer(self.get_queryset().get(pk=membership.pk)).data)

    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def deactivate(self, request, pk=None):
        membership = self.get_object()
        try:
            services.member_deactivate(membership=membership, by=request.user)
        except DjangoValidationError as exc:
            raise _invalid(exc) from exc
        return Response(MembershipSerializer(self.get_queryset().get(pk=membership.pk)).data)
