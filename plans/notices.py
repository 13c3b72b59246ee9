"""E-mails about reporting rounds: reminders to the analysts before the deadline and on the
day, a notice to the administrators when a round is submitted, and to the committee members
(and analysts) when it is approved.

Each notice is sent once per round: a RoundNotice row (unique per round and kind) is claimed in
the same transaction as the sending, so a second beat or worker finds it taken and sends
nothing, and a failed sending rolls the claim back, so the next beat tries again. Mail goes out
through Django's configured EMAIL_BACKEND (the console in development, SMTP in production, the
locmem outbox in tests), from DEFAULT_FROM_EMAIL, in the portal's language (LANGUAGE_CODE), with
absolute links from PORTAL_URL.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from plans.models import Membership, ReportingRound, RoundNotice

log = logging.getLogger(__name__)

Kind = RoundNotice.Kind
Role = Membership.Role

# Who is told what: the analysts write, the administrators approve, the committee reads.
RECIPIENTS = {
    Kind.BEFORE_DEADLINE: {Role.ANALYST},
    Kind.ON_DEADLINE: {Role.ANALYST},
    Kind.SUBMITTED: {Role.ADMIN},
    Kind.APPROVED: {Role.COMMITTEE, Role.ANALYST},
}


def recipients(reporting_round, kind) -> list[str]:
    """The e-mail addresses of the municipality's members in the roles told of this kind."""
    members = Membership.objects.filter(
        municipality=reporting_round.plan.municipality_id,
        role__in=RECIPIENTS[kind],
        user__is_active=True,
    ).exclude(user__email="")
    return sorted(set(members.values_list("user__email", flat=True)))


def round_url(reporting_round) -> str:
    path = reverse("plans:round", args=[reporting_round.plan.key, reporting_round.pk])
    return settings.PORTAL_URL.rstrip("/") + path


def _messages(reporting_round, kind, addresses, today):
    context = {
        "round": reporting_round,
        "plan": reporting_round.plan,
        "municipality": reporting_round.plan.municipality,
        "url": round_url(reporting_round),
        "days_left": (reporting_round.deadline - today).days,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"plans/email/round_{kind}_subject.txt", context)
        body = render_to_string(f"plans/email/round_{kind}.txt", context)
    subject = " ".join(subject.split())  # one line: a header cannot hold a newline
    # One message each: no member sees the others' addresses.
    return [EmailMessage(subject, body, to=[address]) for address in addresses]


def notice_send(*, reporting_round, kind, today=None) -> int | None:
    """Send one notice about the round, unless it was sent before: the number of recipients,
    or None when another run had already claimed it."""
    today = today or timezone.localdate()
    with transaction.atomic():
        try:
            with transaction.atomic():
                notice = RoundNotice.objects.create(round=reporting_round, kind=kind)
        except IntegrityError:
            return None
        addresses = recipients(reporting_round, kind)
        if addresses:
            # An exception here rolls the claim back: the notice is tried again next time.
            get_connection().send_messages(_messages(reporting_round, kind, addresses, today))
        notice.recipients = len(addresses)
        notice.save(update_fields=["recipients"])
    log.info("Sent %s notice of round %s to %s", kind, reporting_round.pk, len(addresses))
    return len(addresses)


def reminders_send(*, today=None, days=None) -> int:
    """Daily (beat): remind the analysts of each round in progress (a draft) whose deadline is
    at most ROUND_REMINDER_DAYS away, and again on the day. Returns how many notices were sent
    now (those sent before are not sent again)."""
    today = today or timezone.localdate()
    days = settings.ROUND_REMINDER_DAYS if days is None else days
    due = ReportingRound.objects.filter(
        state=ReportingRound.State.DRAFT, deadline__gte=today,
        deadline__lte=today + timedelta(days=days),
    ).select_related("plan__municipality")  # fmt: skip
    sent = 0
    for reporting_round in due:
        kind = Kind.ON_DEADLINE if reporting_round.deadline == today else Kind.BEFORE_DEADLINE
        if notice_send(reporting_round=reporting_round, kind=kind, today=today) is not None:
            sent += 1
    return sent


def notice_on_commit(reporting_round, kind):
    """Queue the notice for when the round's change is committed (plans.tasks)."""
    from plans.tasks import enqueue, send_round_notice

    round_id = reporting_round.pk
    transaction.on_commit(lambda: enqueue(send_round_notice, round_id, str(kind)))
