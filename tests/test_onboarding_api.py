"""Issue 14's journey with the API's tokens instead of the pages: a superuser invites
Ringsted's first administrator (POST /api/memberships/); the administrator accepts by the link
(the one step that is a page: it sets the password) and, with a token, invites an analyst and
a committee member, copies last year's plan (POST /api/plans/<key>/copy/) and opens a round
with a deadline (POST /api/rounds/); the beat task reminds the analyst; the analyst writes the
narrative the submit asks for (POST /api/narratives/) and submits; the administrator approves;
the committee member gets the e-mail. Also the administrator's sign-in by SAML (the browser
test signs in by the link; the SAML step runs here, with Django's test client)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from plans import tasks
from plans.members import services as member_services
from plans.models import Membership, ReportingRound
from tests.onboarding import PASSWORD, THIS_YEAR, invitation_link, ringsted_with_last_years_plan
from tests.test_saml import answer, needs_xmlsec, signed_in, sso  # noqa: F401 (sso: fixture)

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    _token, key = member_services.token_create(user=user, name="Onboarding")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def invite(api, ringsted, email, role) -> str:
    body = {"email": email, "role": role, "municipality": ringsted.slug}
    response = api.post("/api/memberships/", body, format="json")
    assert response.status_code == 201, response.json()
    assert mail.outbox[-1].to == [email]
    return invitation_link(mail.outbox[-1])


def accept(link, email):
    """The invitee opens the link and sets a password; returns their user."""
    from django.contrib.auth import get_user_model

    browser = Client()
    assert browser.get(link).status_code == 200
    done = browser.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302, done.content.decode()[:500]
    return get_user_model().objects.get(username=email)


def test_a_municipality_is_onboarded_through_the_api(django_capture_on_commit_callbacks):
    ringsted, last_years, root = ringsted_with_last_years_plan()
    platform = api_for(root)

    chef = accept(invite(platform, ringsted, "chef@ringsted.dk", "admin"), "chef@ringsted.dk")
    admin = api_for(chef)
    analyst = accept(invite(admin, ringsted, "analytiker@ringsted.dk", "analyst"),
                     "analytiker@ringsted.dk")  # fmt: skip
    accept(invite(admin, ringsted, "udvalg@ringsted.dk", "committee"), "udvalg@ringsted.dk")
    roles = dict(ringsted.memberships.values_list("user__username", "role"))
    assert roles == {"chef@ringsted.dk": "admin", "analytiker@ringsted.dk": "analyst",
                     "udvalg@ringsted.dk": "committee"}  # fmt: skip
    members = admin.get("/api/memberships/").json()["results"]
    assert {m["username"] for m in members} == set(roles)

    # next year's plan from last year's, as a draft, its target one year on
    body = {"title": f"Beskæftigelsesplan {THIS_YEAR}", "start_year": THIS_YEAR,
            "end_year": THIS_YEAR, "targets": [{"target": "ringsted-unge-2025"}]}  # fmt: skip
    assert api_for(analyst).post(f"/api/plans/{last_years.key}/copy/", body,
                                 format="json").status_code == 403  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        copied = admin.post(f"/api/plans/{last_years.key}/copy/", body, format="json")
    assert copied.status_code == 201, copied.json()
    plan = copied.json()
    assert plan["approval_state"] == "draft"
    target = admin.get("/api/targets/", {"plan": plan["key"]}).json()["results"][0]
    assert target["deadline"] == f"{THIS_YEAR}-12-31"

    # a round with a deadline within the reminder days
    deadline = timezone.localdate() + timedelta(days=3)
    created = admin.post("/api/rounds/", {"plan": plan["key"], "name": f"Status {THIS_YEAR}",
                                          "cut_off": f"{THIS_YEAR}-09-30",
                                          "deadline": deadline.isoformat()},
                         format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    round_id = created.json()["id"]

    # the beat task reminds the analyst (only the analysts)
    mail.outbox.clear()
    assert tasks.send_round_reminders() == 1
    assert [m.to for m in mail.outbox] == [["analytiker@ringsted.dk"]]
    assert f"/rounds/{round_id}/" in mail.outbox[0].body

    # the analyst submits: refused naming the target not met; the narrative; submitted
    writer = api_for(analyst)
    submit = f"/api/rounds/{round_id}/submit/"
    refused = writer.post(submit, {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["missing"] == [target["key"]]
    narrative = {"target": target["id"], "round": round_id,
                 "text": "Flere unge på ydelse efter lukningen af produktionsskolen."}  # fmt: skip
    assert writer.post("/api/narratives/", narrative, format="json").status_code == 201
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submitted = writer.post(submit, {}, format="json")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert [m.to for m in mail.outbox] == [["chef@ringsted.dk"]]  # the administrators

    # the administrator approves; the committee member (and the analyst) get the e-mail
    assert writer.post(f"/api/rounds/{round_id}/approve/").status_code == 403
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approved = admin.post(f"/api/rounds/{round_id}/approve/")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert sorted(m.to[0] for m in mail.outbox) == ["analytiker@ringsted.dk",
                                                   "udvalg@ringsted.dk"]  # fmt: skip
    assert ReportingRound.objects.get(pk=round_id).state == ReportingRound.State.APPROVED
    assert Membership.objects.filter(municipality=ringsted).count() == 3


@needs_xmlsec
def test_the_invited_administrator_signs_in_by_saml_too(sso):  # noqa: F811
    from django.urls import reverse

    ringsted, _plan, root = ringsted_with_last_years_plan()
    link = invite(api_for(root), ringsted, "chef@ringsted.dk", "admin")
    chef = accept(link, "chef@ringsted.dk")
    browser = Client()
    response = answer(browser, sso(), ["jc-ringsted-ledelse"], email="Chef@Ringsted.dk")
    assert response.status_code == 302, response.content.decode()[:500]
    assert signed_in(browser) and int(browser.session["_auth_user_id"]) == chef.pk
    assert Membership.objects.get(user=chef, municipality=ringsted).role == "admin"
    members = browser.get(reverse("plans:members", args=[ringsted.slug]))
    assert members.status_code == 200 and "chef@ringsted.dk" in members.content.decode()
