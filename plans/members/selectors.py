"""The reads of the members page, the tokens page and /api/memberships/."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from plans import access
from plans.members.models import ApiToken, Invitation, MemberEvent
from plans.models import Membership

EVENTS_SHOWN = 50


def members_of(municipality) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(municipality=municipality)
        .select_related("user", "invited_by")
        .order_by("-is_active", "user__username")
    )


def open_invitations(municipality) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        municipality=municipality, accepted_at=None, revoked_at=None,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")  # fmt: skip


def events_of(municipality, limit=EVENTS_SHOWN) -> QuerySet[MemberEvent]:
    return MemberEvent.objects.filter(municipality=municipality).select_related("actor", "subject")[
        :limit
    ]


def managed_with_counts(user):
    """The municipalities the user manages with their active members and administrators."""
    active = Q(memberships__is_active=True)
    return (
        access.managed_municipalities(user)
        .annotate(
            member_count=Count("memberships", filter=active),
            admin_count=Count("memberships", filter=active & Q(memberships__role="admin")),
        )
        .order_by("name")
    )


def memberships_for(user) -> QuerySet[Membership]:
    """The memberships the user manages (API): a superuser's are all of them."""
    return (
        Membership.objects.filter(municipality__in=access.managed_municipalities(user))
        .select_related("user", "municipality", "invited_by")
        .order_by("municipality__name", "user__username", "pk")
    )


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_events_of(user, limit=EVENTS_SHOWN) -> QuerySet[MemberEvent]:
    actions = [MemberEvent.Action.TOKEN_CREATED, MemberEvent.Action.TOKEN_REVOKED]
    return MemberEvent.objects.filter(actor=user, action__in=actions)[:limit]
