"""Every write about members: inviting, joining, roles, deactivation, API tokens and the roles
that single sign-on gives. Keyword-only arguments, one transaction each, and each writes the
MemberEvent the members page lists ("who did what"). Who may call them is the caller's check
(plans.access.can_manage_members); the rules that hold whoever calls are here: a municipality
keeps at least one active administrator, nobody is made a superuser, an invitation's link works
once and only until it expires.

Deactivating takes the membership's rights in that municipality away at once (plans.access
reads active memberships only) and keeps the row, so it can be reactivated and the page shows
who it was. A user left with no active membership anywhere, and who is neither a superuser nor
staff, is also made inactive (user.is_active = False): they can no longer sign in, their
session ends at the next request and their API tokens stop working. A user who still belongs
to another municipality keeps their account and that municipality's rights: one municipality's
administrator cannot shut a person out of another's.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kpis.models import Area
from plans import access
from plans.members.models import ApiToken, Invitation, MemberEvent, new_secret, secret_hash
from plans.models import Membership

INVITATION_VALID = timedelta(days=7)
Action = MemberEvent.Action
ROLE_REFUSED = _lazy("Choose a role: committee member, analyst or administrator.")


def _event(*, action, actor, subject=None, municipality=None, municipality_id=None, email="",
           old_role="", new_role=""):  # fmt: skip
    return MemberEvent.objects.create(
        action=action, actor=actor, subject=subject,
        municipality_id=municipality.pk if municipality else municipality_id,
        subject_email=email, old_role=old_role, new_role=new_role,
    )  # fmt: skip


def _require_manager(user, municipality):
    if not access.can_manage_members(user, municipality.pk):
        raise PermissionDenied(_("Only the municipality's administrators may manage its members."))


def _role(role) -> str:
    if role not in Membership.Role.values:
        raise ValidationError({"role": ROLE_REFUSED})
    return role


def _keeps_an_administrator(membership, *, role=None, active=True):
    """Refuses a change that would leave the municipality without an active administrator."""
    losing = membership.is_active and membership.role == Membership.Role.ADMIN and (
        not active or role != Membership.Role.ADMIN
    )  # fmt: skip
    if not losing:
        return
    others = Membership.objects.filter(
        municipality=membership.municipality_id, role=Membership.Role.ADMIN, is_active=True,
        user__is_active=True,
    ).exclude(pk=membership.pk)  # fmt: skip
    if not others.exists():
        raise ValidationError(
            _("%(name)s must keep at least one administrator: invite or appoint another first.")
            % {"name": membership.municipality.name}
        )


def _users_with_email(email):
    User = get_user_model()
    return User.objects.filter(email__iexact=email) | User.objects.filter(username__iexact=email)


def invitation_link(token: str, *, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("plans:invitation", args=[token])


@transaction.atomic
def invitation_send(*, municipality: Area, email: str, role: str, by, base_url: str) -> Invitation:
    """Invites an address to the municipality with a role and e-mails the one-time link. An
    open invitation of the same address there is replaced (its link stops working)."""
    _require_manager(by, municipality)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    role = _role(role)
    if Membership.objects.filter(
        municipality=municipality, is_active=True, user__in=_users_with_email(email)
    ).exists():
        raise ValidationError(
            {
                "email": _(
                    "%(email)s is already a member of %(name)s: change the role in the list."
                )
                % {"email": email, "name": municipality.name}
            }  # fmt: skip
        )
    now = timezone.now()
    Invitation.objects.filter(
        municipality=municipality, email=email, accepted_at=None, revoked_at=None
    ).update(revoked_at=now)
    token, token_hash = new_secret()
    invitation = Invitation.objects.create(
        email=email, municipality=municipality, role=role, invited_by=by, token_hash=token_hash,
        created_at=now, expires_at=now + INVITATION_VALID,
    )  # fmt: skip
    context = {
        "invitation": invitation,
        "link": invitation_link(token, base_url=base_url),
        "inviter": by.get_full_name() or by.get_username(),
    }
    # Sent inside the transaction: if the mail server refuses it, no invitation is left behind
    # that nobody received.
    send_mail(
        subject=render_to_string("members/invitation_subject.txt", context).strip(),
        message=render_to_string("members/invitation_email.txt", context),
        from_email=None,
        recipient_list=[email],
    )
    _event(action=Action.INVITED, actor=by, municipality=municipality, email=email,
           new_role=role)  # fmt: skip
    return invitation


def invitation_open(token: str) -> Invitation | None:
    """The invitation this link belongs to, if it can still be used; None for a link that is
    unknown, used, withdrawn or expired alike (the page does not tell them apart)."""
    invitation = (
        Invitation.objects.select_related("municipality", "invited_by")
        .filter(token_hash=secret_hash(token or ""))
        .first()
    )
    return invitation if invitation and invitation.is_open() else None


def invitation_existing_user(invitation):
    """The account the invited address already has, if any: it joins by signing in."""
    return _users_with_email(invitation.email).order_by("pk").first()


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user=None, password: str | None = None):
    """Uses the invitation once: an existing user (signed in as the invited address) gets the
    membership; otherwise a new user is made (user name = the e-mail) with this password.
    Returns the user."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.is_open():
        raise ValidationError(_("This invitation can no longer be used."))
    if user is None:
        if invitation_existing_user(locked) is not None:
            raise ValidationError(_("This address already has a user: sign in to accept."))
        user = get_user_model().objects.create_user(
            username=locked.email, email=locked.email, password=password
        )
    elif locked.email not in {(user.email or "").lower(), user.get_username().lower()}:
        raise PermissionDenied(_("This invitation is for another address."))
    membership, _created = Membership.objects.update_or_create(
        user=user, municipality=locked.municipality,
        defaults={"role": locked.role, "is_active": True, "source": Membership.Source.PORTAL,
                  "invited_by": locked.invited_by},
    )  # fmt: skip
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    _event(action=Action.JOINED, actor=user, subject=user, municipality=locked.municipality,
           email=locked.email, new_role=locked.role)  # fmt: skip
    return user


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, by) -> None:
    _require_manager(by, invitation.municipality)
    if invitation.is_open():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _event(action=Action.INVITATION_WITHDRAWN, actor=by, municipality=invitation.municipality,
               email=invitation.email, old_role=invitation.role)  # fmt: skip


@transaction.atomic
def member_role_change(*, membership: Membership, role: str, by) -> Membership:
    _require_manager(by, membership.municipality)
    role = _role(role)
    if role == membership.role:
        return membership
    _keeps_an_administrator(membership, role=role)
    old = membership.role
    membership.role = role
    # A role given here is the portal's, even where single sign-on gave the first one.
    membership.source = Membership.Source.PORTAL
    membership.save(update_fields=["role", "source"])
    _event(action=Action.ROLE_CHANGED, actor=by, subject=membership.user,
           municipality=membership.municipality, old_role=old, new_role=role)  # fmt: skip
    return membership


@transaction.atomic
def member_deactivate(*, membership: Membership, by) -> Membership:
    """See the module's docstring for what deactivating does to the user's account."""
    _require_manager(by, membership.municipality)
    if not membership.is_active:
        return membership
    _keeps_an_administrator(membership, active=False)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    user = membership.user
    elsewhere = user.memberships.filter(is_active=True).exists()
    if not (elsewhere or user.is_superuser or user.is_staff) and user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    _event(action=Action.DEACTIVATED, actor=by, subject=user,
           municipality=membership.municipality, old_role=membership.role)  # fmt: skip
    return membership


@transaction.atomic
def member_reactivate(*, membership: Membership, by) -> Membership:
    _require_manager(by, membership.municipality)
    if membership.is_active and membership.user.is_active:
        return membership
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    user = membership.user
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    _event(action=Action.REACTIVATED, actor=by, subject=user,
           municipality=membership.municipality, new_role=membership.role)  # fmt: skip
    return membership


# -- API tokens ------------------------------------------------------------------------------


@transaction.atomic
def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A named token for the user; returns it and its key, which is shown this once."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. what it is used for.")})
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ValidationError({"name": _("The name is too long.")})
    key, key_hash = new_secret()
    token = ApiToken(user=user, name=name, key_hash=key_hash, prefix=key[: ApiToken.PREFIX_LENGTH])
    token.full_clean()  # the model's validators: no invisible characters in the name
    token.save()
    _event(action=Action.TOKEN_CREATED, actor=user, subject=user)
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, by) -> ApiToken:
    if token.user_id != by.pk:
        raise PermissionDenied(_("Only its owner revokes a token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        _event(action=Action.TOKEN_REVOKED, actor=by, subject=by)
    return token


# -- single sign-on --------------------------------------------------------------------------


@transaction.atomic
def sso_memberships_set(*, user, granted: dict[int, str]) -> None:
    """The roles the IdP asserted, {municipality id: role}, become the user's SSO memberships:
    new ones are made, changed ones follow, and SSO memberships no longer asserted are
    deactivated (the IdP took the group away). Memberships given in the portal are left as they
    are: an administrator's decision is not undone by the next sign-in. A deactivated
    membership the IdP asserts again is active again: the IdP is the source for these."""
    current = {m.municipality_id: m for m in Membership.objects.filter(user=user)}
    for municipality_id, role in granted.items():
        membership = current.get(municipality_id)
        if membership is None:
            membership = Membership.objects.create(
                user=user, municipality_id=municipality_id, role=role,
                source=Membership.Source.SSO,
            )  # fmt: skip
        elif membership.source != Membership.Source.SSO or (
            membership.role == role and membership.is_active
        ):
            continue
        else:
            membership.role, membership.is_active = role, True
            membership.save(update_fields=["role", "is_active"])
        _event(action=Action.SSO_ROLE_SET, actor=user, subject=user,
               municipality_id=municipality_id, new_role=role)  # fmt: skip
    for municipality_id, membership in current.items():
        if municipality_id in granted or membership.source != Membership.Source.SSO:
            continue
        if membership.is_active:
            membership.is_active = False
            membership.save(update_fields=["is_active"])
            _event(action=Action.SSO_ROLE_REMOVED, actor=user, subject=user,
                   municipality_id=municipality_id, old_role=membership.role)  # fmt: skip


def sso_signed_in(*, user) -> None:
    user.__dict__.pop("_municipality_roles", None)  # read again after sso_memberships_set
    for municipality_id in access.roles(user):
        _event(action=Action.SSO_SIGNED_IN, actor=user, subject=user,
               municipality_id=municipality_id)  # fmt: skip
