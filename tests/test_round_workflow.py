"""Reporting rounds as a workflow: a deadline, reminders by e-mail, a submit that asks for the
narratives of the targets not met, the round page's summary and next step, and the e-mail to
the committee when a round is approved."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from plans import notices, services, tasks
from plans.models import Membership, Plan, ReportingRound, RoundNotice
from tests.builders import make_indicator, make_municipality, make_plan, make_target, record

pytestmark = pytest.mark.django_db

Role = Membership.Role


@pytest.fixture
def world(guldborgsund, ringsted, people, member, django_capture_on_commit_callbacks):
    """Guldborgsund's plan with two themes and three targets "Maksimalt 1.075" for 2023: one
    met (969), one not met (1.200), one without figures; a round with cut-off 31 December 2023
    due in 7 days. Members of every role, each with an e-mail address."""
    municipality = guldborgsund
    plan = make_plan(municipality, key="g")
    Plan.objects.filter(pk=plan.pk).update(approval_state=Plan.Approval.APPROVED)
    first = services.focus_area_create(plan=plan, key="g-erhverv", title="Erhverv", order=0)
    second = services.focus_area_create(plan=plan, key="g-unge", title="Unge", order=1)
    met = make_target(plan, make_indicator("a"), key="met", focus_areas=[first], code="1a")
    not_met = make_target(plan, make_indicator("b"), key="not-met", focus_areas=[first, second],
                          code="1b", title="Unge på ydelse")  # fmt: skip
    no_data = make_target(plan, make_indicator("c"), key="no-data", focus_areas=[second])
    record(met.indicator, municipality, "2023", "969")
    record(not_met.indicator, municipality, "2023", "1.200")
    reporting_round = services.round_create(
        plan=plan, name="Afrapportering for 2023", cut_off=date(2023, 12, 31),
        deadline=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip
    team = people(municipality)
    stranger = member(ringsted, Role.ANALYST)
    stranger.email = "analyst@ringsted.dk"
    stranger.save()
    return {"plan": plan, "round": reporting_round, "met": met, "not_met": not_met,
            "no_data": no_data, "people": team}  # fmt: skip


def url(name, w):
    return reverse(f"plans:{name}", args=[w["plan"].key, w["round"].pk])


def test_submit_is_refused_naming_the_targets_not_met_without_a_narrative(client, world):
    client.force_login(world["people"][Role.ANALYST])
    page = client.get(url("round_submit", world)).content.decode()
    assert "1b Unge på ydelse" in page and "indsendes uden statusbeskrivelse" in page
    # Met, and no data, are not asked for. The met one named as the page names 1b: "1a" alone
    # was found in the page's random CSRF token once.
    assert f"1a {world['met'].title}" not in page

    refused = client.post(url("round_submit", world))
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "ikke opfyldt og har ingen statusbeskrivelse" in text and "1b Unge på ydelse" in text
    world["round"].refresh_from_db()
    assert world["round"].state == ReportingRound.State.DRAFT

    # A confirmation that is no id (other digits, sent by hand) confirms nothing.
    assert client.post(url("round_submit", world), {"confirm": ["³"]}).status_code == 400
    confirmed = client.post(url("round_submit", world), {"confirm": [world["not_met"].pk]})
    assert confirmed.status_code == 302
    world["round"].refresh_from_db()
    assert world["round"].state == ReportingRound.State.SUBMITTED


def test_a_plan_that_requires_narratives_takes_no_confirmation(client, world):
    plan = world["plan"]
    plan.narratives_required = True
    plan.save()
    client.force_login(world["people"][Role.ANALYST])
    assert (
        "indsendes uden statusbeskrivelse"
        not in client.get(url("round_submit", world)).content.decode()
    )
    refused = client.post(url("round_submit", world), {"confirm": [world["not_met"].pk]})
    assert refused.status_code == 400
    assert "kræver en statusbeskrivelse" in refused.content.decode()
    with pytest.raises(services.NarrativesMissing) as caught:
        services.round_submit(reporting_round=world["round"], confirmed=[world["not_met"]])
    assert caught.value.targets == [world["not_met"]] and caught.value.required

    # Written on the narratives page with "Gem og indsend": saved, and submitted at once.
    work = client.post(
        url("round_work", world),
        {f"n-{world['not_met'].pk}": "Ledigheden steg i 2. halvår.", "action": "submit"},
    )
    assert work.status_code == 302
    world["round"].refresh_from_db()
    assert world["round"].state == ReportingRound.State.SUBMITTED


def test_submitting_from_the_narratives_page_with_missing_ones_keeps_them_and_lists_them(
    client, world
):
    client.force_login(world["people"][Role.ANALYST])
    response = client.post(
        url("round_work", world), {f"n-{world['met'].pk}": "Godt år.", "action": "submit"}
    )
    assert response["Location"] == url("round_submit", world)
    assert world["round"].narratives.get().text == "Godt år."
    world["round"].refresh_from_db()
    assert world["round"].state == ReportingRound.State.DRAFT


def test_the_round_page_sums_up_each_theme(client, world):
    services.narrative_write(target=world["met"], reporting_round=world["round"], text="Fint")
    client.force_login(world["people"][Role.ANALYST])
    response = client.get(url("round", world))
    summary = response.context["summary"]
    erhverv, unge = summary.themes
    assert (erhverv.met, erhverv.near, erhverv.not_met, erhverv.no_data) == (1, 0, 1, 0)
    assert (unge.met, unge.not_met, unge.no_data) == (0, 1, 1)
    assert (erhverv.narratives, erhverv.targets, unge.narratives) == (1, 2, 0)
    # the target under both themes counts once in the total
    assert (summary.total.met, summary.total.not_met, summary.total.no_data) == (1, 1, 1)
    assert (summary.total.narratives, summary.total.targets) == (1, 3)
    html = response.content.decode()
    assert 'href="#theme-g-erhverv"' in html and 'id="theme-g-erhverv"' in html
    assert "1 af 3 skrevet" in html
    # 2 + 2 targets in the themes' lines, 3 in all: the summary says why
    assert "tælles under hvert af dem og én gang blandt alle mål" in html


def test_the_next_step_follows_the_readers_role(client, world):
    people = world["people"]
    client.force_login(people[Role.ANALYST])
    analyst = client.get(url("round", world)).content.decode()
    assert "Næste skridt" in analyst
    assert url("round_work", world) in analyst and url("round_submit", world) in analyst
    assert url("round_approve", world) not in analyst

    client.force_login(people[Role.ADMIN])
    admin = client.get(url("round", world)).content.decode()
    assert url("round_approve", world) in admin and "Godkend og lås" in admin
    assert url("round_work", world) in admin

    services.round_submit(reporting_round=world["round"], confirmed=[world["not_met"]])
    client.force_login(people[Role.ANALYST])
    waiting = client.get(url("round", world)).content.decode()
    assert "venter på administratorernes godkendelse" in waiting
    assert url("round_submit", world) not in waiting

    client.force_login(people[Role.ADMIN])
    assert client.post(url("round_approve", world)).status_code == 302
    client.force_login(people[Role.COMMITTEE])  # the committee sees approved rounds only
    committee = client.get(url("round", world)).content.decode()
    assert "Runden er godkendt" in committee
    assert (
        url("round_work", world) not in committee and url("round_approve", world) not in committee
    )


def test_only_administrators_approve_from_the_round_page(client, world):
    client.force_login(world["people"][Role.ANALYST])
    assert client.post(url("round_approve", world)).status_code == 403
    world["round"].refresh_from_db()
    assert not world["round"].frozen


def test_approval_tells_the_committee_and_the_analysts_with_a_link(
    client, world, django_capture_on_commit_callbacks, settings
):
    settings.PORTAL_URL = "https://kpi.example.dk"
    client.force_login(world["people"][Role.ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("round_approve", world))
    world["round"].refresh_from_db()
    assert world["round"].frozen
    assert sorted(m.to[0] for m in mail.outbox) == ["analyst@guldborgsund.dk",
                                                    "committee@guldborgsund.dk"]  # fmt: skip
    message = mail.outbox[0]
    assert message.subject == "“Afrapportering for 2023” er godkendt"
    assert f"https://kpi.example.dk{url('round', world)}" in message.body
    assert "er godkendt" in message.body
    # once: a second notice of the same kind is not sent
    assert notices.notice_send(reporting_round=world["round"], kind="approved") is None
    assert len(mail.outbox) == 2


def test_submitting_tells_the_administrators(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.round_submit(reporting_round=world["round"], confirmed=[world["not_met"]])
    assert [m.to for m in mail.outbox] == [["admin@guldborgsund.dk"]]
    assert "venter på din godkendelse" in mail.outbox[0].subject


def test_reminders_go_to_the_analysts_before_the_deadline_and_on_the_day_once_each(world):
    deadline = world["round"].deadline
    assert tasks.send_round_reminders() == 1  # 7 days before (ROUND_REMINDER_DAYS)
    assert tasks.send_round_reminders() == 0  # the beat ran twice: nothing more
    assert [m.to for m in mail.outbox] == [["analyst@guldborgsund.dk"]]
    before = mail.outbox[0]
    assert "Påmindelse" in before.subject and "om 7 dage" in before.body
    assert url("round", world) in before.body

    assert notices.reminders_send(today=deadline - timedelta(days=3)) == 0  # sent already
    assert notices.reminders_send(today=deadline) == 1
    assert notices.reminders_send(today=deadline) == 0
    assert len(mail.outbox) == 2 and "I dag er fristen" in mail.outbox[1].subject
    assert mail.outbox[1].to == ["analyst@guldborgsund.dk"]
    assert set(RoundNotice.objects.values_list("kind", flat=True)) == {
        "before_deadline", "on_deadline"
    }  # fmt: skip


def test_no_reminders_too_early_after_the_deadline_or_for_a_submitted_round(world):
    deadline = world["round"].deadline
    assert notices.reminders_send(today=deadline - timedelta(days=8)) == 0
    assert notices.reminders_send(today=deadline + timedelta(days=1)) == 0
    services.round_submit(reporting_round=world["round"], confirmed=[world["not_met"]])
    assert notices.reminders_send(today=deadline) == 0
    assert not [m for m in mail.outbox if "Påmindelse" in m.subject or "fristen" in m.subject]


def test_a_failed_sending_gives_the_notice_back_to_the_next_beat(world, monkeypatch):
    def broken(self, messages):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    with pytest.raises(OSError):
        notices.reminders_send()
    assert not RoundNotice.objects.exists()
    monkeypatch.undo()
    assert notices.reminders_send() == 1 and len(mail.outbox) == 1


def test_a_new_round_asks_for_its_deadline(client, world):
    client.force_login(world["people"][Role.ANALYST])
    create = reverse("plans:round_create", args=[world["plan"].key])
    missing = client.post(create, {"name": "Status maj 2024", "cut_off": "2024-05-31"})
    assert (
        missing.status_code == 200
        and not ReportingRound.objects.filter(name="Status maj 2024").exists()
    )
    client.post(create, {"name": "Status maj 2024", "cut_off": "2024-05-31",
                         "deadline": "2024-06-14"})  # fmt: skip
    assert ReportingRound.objects.get(name="Status maj 2024").deadline == date(2024, 6, 14)


def test_an_old_round_is_due_on_its_cut_off():
    """What migration 0003 and loaders without a deadline do."""
    plan = make_plan(make_municipality())
    reporting_round = services.round_create(plan=plan, name="Status", cut_off=date(2023, 5, 31))
    assert reporting_round.deadline == date(2023, 5, 31)
