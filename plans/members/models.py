"""Invitations, the members' activity log and personal API tokens. Registered by plans.models,
which imports this module. Secrets (an invitation's link, a token's key) are stored only as
their SHA-256: a copy of the database opens nothing."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis.fields import user_reference
from kpis.models import Area


def new_secret() -> tuple[str, str]:
    """(secret, its hash): the secret goes to its owner once, the hash is kept."""
    secret = secrets.token_urlsafe(32)
    return secret, secret_hash(secret)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _role_choices():
    from plans.models import Membership

    return Membership.Role.choices


class Invitation(models.Model):
    """An e-mail asking someone to join a municipality with a role; the link in it works once,
    until expires_at."""

    email = models.EmailField(_("e-mail"))
    municipality = models.ForeignKey(
        Area, verbose_name=_("municipality"), on_delete=models.CASCADE,
        related_name="invitations", limit_choices_to={"kind": Area.Kind.MUNICIPALITY},
    )  # fmt: skip
    role = models.CharField(_("role"), max_length=20, choices=_role_choices)
    invited_by = user_reference(_("invited by"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = user_reference(_("accepted by"))
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.municipality} ({self.get_role_display()})"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class MemberEvent(models.Model):
    """Who did what to whom, when: the members page's activity list."""

    class Action(models.TextChoices):
        INVITED = "invited", _("invited")
        INVITATION_WITHDRAWN = "invitation_withdrawn", _("withdrew the invitation of")
        JOINED = "joined", _("accepted the invitation")
        ROLE_CHANGED = "role_changed", _("changed the role of")
        DEACTIVATED = "deactivated", _("deactivated")
        REACTIVATED = "reactivated", _("reactivated")
        TOKEN_CREATED = "token_created", _("made an API token")
        TOKEN_REVOKED = "token_revoked", _("revoked an API token")
        SSO_SIGNED_IN = "sso_signed_in", _("signed in with single sign-on")
        SSO_ROLE_SET = "sso_role_set", _("got a role from single sign-on")
        SSO_ROLE_REMOVED = "sso_role_removed", _("lost a role from single sign-on")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = user_reference(_("who"))
    action = models.CharField(_("what"), max_length=30, choices=Action.choices)
    subject = user_reference(_("whom"))
    # An invitation's address, before there is a user to point at.
    subject_email = models.EmailField(_("e-mail"), blank=True)
    municipality = models.ForeignKey(
        Area, verbose_name=_("municipality"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="member_events",
    )  # fmt: skip
    old_role = models.CharField(_("old role"), max_length=20, blank=True, choices=_role_choices)
    new_role = models.CharField(_("new role"), max_length=20, blank=True, choices=_role_choices)

    class Meta:
        verbose_name = _("member event")
        verbose_name_plural = _("member events")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.subject}"


class ApiToken(models.Model):
    """A named API key of one user, several per user. The key is shown once, when it is made;
    then only its first characters (prefix) identify it."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="api_tokens",
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("begins with"), max_length=PREFIX_LENGTH, editable=False)
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user}: {self.name} ({self.prefix}…)"
