"""A municipality's members, without the Django admin: its administrator invites colleagues by
e-mail (a link that works once), changes roles, deactivates and reactivates, and reads who did
what; a superuser invites a municipality's first administrator."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from plans.members import services
from plans.members.models import Invitation, MemberEvent
from plans.models import Membership, Plan
from plans.services import plan_create
from tests.builders import make_municipality
from tests.test_injection import check_html

pytestmark = pytest.mark.django_db
PASSWORD = "Kommune-Kode-2024"


@pytest.fixture
def admin_of(member):
    def make(municipality):
        return member(municipality, Membership.Role.ADMIN)

    return make


def invite(client, municipality, email="ny@ringsted.dk", role="analyst"):
    return client.post(reverse("plans:members", args=[municipality.slug]),
                       {"email": email, "role": role})  # fmt: skip


def link_in(message) -> str:
    return re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def path_of(link):
    return "/" + link.split("/", 3)[3]


def test_an_invitation_is_mailed_with_a_link_that_makes_the_member(client, ringsted, admin_of):
    administrator = admin_of(ringsted)
    client.force_login(administrator)
    response = invite(client, ringsted)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ny@ringsted.dk"]
    assert "Ringsted" in message.subject and "Invitation" in message.subject
    assert "analytiker" in message.body  # Danish, with the role
    link = link_in(message)
    stored = Invitation.objects.get()
    assert link.rstrip("/").rsplit("/", 1)[1] not in stored.token_hash  # only the hash is kept
    client.logout()
    page = client.get(path_of(link))
    assert page.status_code == 200 and "Vælg en adgangskode" in page.content.decode()
    weak = client.post(path_of(link), {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 400 and 'aria-invalid="true"' in weak.content.decode()
    done = client.post(path_of(link), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302
    membership = Membership.objects.get(user__username="ny@ringsted.dk")
    assert (membership.role, membership.municipality, membership.invited_by) == (
        "analyst", ringsted, administrator)  # fmt: skip
    assert int(client.session["_auth_user_id"]) == membership.user_id  # signed in
    # the analyst reads the municipality's draft plans at once
    plan_create(municipality=ringsted, key="udkast", title="Udkast", kind="employment_plan",
                start_year=2024, end_year=2024, approval_state=Plan.Approval.DRAFT)  # fmt: skip
    assert client.get(reverse("plans:plan", args=["udkast"])).status_code == 200
    # and signs in again with the password chosen
    client.logout()
    signed_in = client.post(reverse("login"), {"username": "ny@ringsted.dk", "password": PASSWORD})
    assert signed_in.status_code == 302
    # the link works once
    client.logout()
    again = client.get(path_of(link))
    assert again.status_code == 404
    assert "Invitationen kan ikke bruges" in again.content.decode()
    assert client.post(path_of(link), {"new_password1": PASSWORD,
                                       "new_password2": PASSWORD}).status_code == 404  # fmt: skip
    actions = list(MemberEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["invited", "joined"]


def test_an_expired_or_unknown_link_gets_the_same_page(client, ringsted, admin_of):
    client.force_login(admin_of(ringsted))
    invite(client, ringsted)
    link = path_of(link_in(mail.outbox[0]))
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    expired = client.get(link)
    unknown = client.get(reverse("plans:invitation", args=["ikke-en-rigtig-noegle"]))
    assert expired.status_code == unknown.status_code == 404
    assert main_of(expired) == main_of(unknown)
    posted = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert posted.status_code == 404 and not Membership.objects.filter(
        user__username="ny@ringsted.dk").exists()  # fmt: skip


def test_a_withdrawn_or_replaced_invitation_no_longer_works(client, ringsted, admin_of):
    client.force_login(admin_of(ringsted))
    invite(client, ringsted)
    invite(client, ringsted, role="committee")  # a second invitation replaces the first
    first, second = (path_of(link_in(m)) for m in mail.outbox)
    assert client.get(first).status_code == 404
    open_one = Invitation.objects.get(revoked_at=None)
    assert open_one.role == "committee"
    url = reverse("plans:invitation_withdraw", args=[ringsted.slug, open_one.pk])
    assert client.post(url).status_code == 302
    assert client.get(second).status_code == 404


def test_an_existing_user_joins_by_signing_in(client, ringsted, member, django_user_model):
    guldborgsund = make_municipality("Guldborgsund", "376")
    colleague = member(guldborgsund, Membership.Role.ANALYST, username="kollega")
    colleague.email = "Kollega@Example.dk"
    colleague.set_password(PASSWORD)
    colleague.save()
    client.force_login(member(ringsted, Membership.Role.ADMIN))
    invite(client, ringsted, email="kollega@example.dk", role="committee")
    link = path_of(link_in(mail.outbox[0]))
    client.logout()
    page = client.get(link).content.decode()
    assert "Log ind" in page and "new_password1" not in page  # nobody sets their password
    assert client.post(link).status_code == 200
    assert not Membership.objects.filter(user=colleague, municipality=ringsted).exists()
    client.force_login(colleague)
    assert client.post(link).status_code == 302
    assert Membership.objects.get(user=colleague, municipality=ringsted).role == "committee"
    assert Membership.objects.get(user=colleague, municipality=guldborgsund).role == "analyst"
    assert django_user_model.objects.filter(email__iexact="kollega@example.dk").count() == 1


def test_a_member_cannot_be_invited_twice(client, ringsted, admin_of, member):
    user = member(ringsted, Membership.Role.COMMITTEE, username="udvalg")
    user.email = "udvalg@ringsted.dk"
    user.save()
    client.force_login(admin_of(ringsted))
    response = invite(client, ringsted, email="udvalg@ringsted.dk")
    assert response.status_code == 400
    assert "allerede medlem" in response.content.decode()
    assert not mail.outbox and not Invitation.objects.exists()


def test_role_change_and_deactivation_take_effect_at_once(client, ringsted, admin_of, member):
    plan_create(municipality=ringsted, key="udkast", title="Udkast", kind="employment_plan",
                start_year=2024, end_year=2024, approval_state=Plan.Approval.DRAFT)  # fmt: skip
    analyst = member(ringsted, Membership.Role.ANALYST)
    administrator = admin_of(ringsted)
    membership = Membership.objects.get(user=analyst)
    url = reverse("plans:member_change", args=[ringsted.slug, membership.pk])
    analyst_client = client.__class__()
    analyst_client.force_login(analyst)
    plan = reverse("plans:plan", args=["udkast"])
    edit = reverse("plans:plan_edit", args=["udkast"])
    assert analyst_client.get(plan).status_code == 200
    assert analyst_client.get(edit).status_code == 403
    client.force_login(administrator)
    assert client.post(url, {"role": "admin"}).status_code == 302
    assert analyst_client.get(edit).status_code == 200  # an administrator now
    assert client.post(url, {"role": "committee"}).status_code == 302
    assert analyst_client.get(plan).status_code == 404  # a committee member sees no drafts
    assert client.post(url, {"action": "deactivate"}).status_code == 302
    analyst.refresh_from_db()
    assert not analyst.is_active  # no other municipality: the account is closed too
    assert analyst_client.get(plan).status_code == 404
    assert analyst_client.get(reverse("plans:tokens")).status_code == 302  # signed out
    assert client.post(url, {"action": "reactivate"}).status_code == 302
    analyst.refresh_from_db()
    assert analyst.is_active and Membership.objects.get(pk=membership.pk).is_active
    page = client.get(reverse("plans:members", args=[ringsted.slug])).content.decode()
    for said in ("inviterede", "ændrede rollen for", "deaktiverede", "genaktiverede"):
        if said != "inviterede":
            assert said in page, said


def test_deactivation_keeps_the_account_of_a_member_elsewhere(ringsted, admin_of, member):
    other = make_municipality("Guldborgsund", "376")
    person = member(ringsted, Membership.Role.ANALYST, username="begge")
    Membership.objects.create(user=person, municipality=other, role="committee")
    membership = Membership.objects.get(user=person, municipality=ringsted)
    services.member_deactivate(membership=membership, by=admin_of(ringsted))
    person.refresh_from_db()
    assert person.is_active
    from plans import access

    assert access.roles(person) == {other.pk: "committee"}


def test_the_last_administrator_cannot_be_removed(client, ringsted, admin_of):
    administrator = admin_of(ringsted)
    membership = Membership.objects.get(user=administrator)
    client.force_login(administrator)
    url = reverse("plans:member_change", args=[ringsted.slug, membership.pk])
    for data in ({"role": "analyst"}, {"action": "deactivate"}):
        response = client.post(url, data, follow=True)
        assert "mindst én administrator" in response.content.decode()
        membership.refresh_from_db()
        assert membership.role == "admin" and membership.is_active
    assert not MemberEvent.objects.exists()


def test_another_municipalitys_administrator_sees_and_changes_nothing(client, ringsted, admin_of,
                                                                      member):  # fmt: skip
    analyst = member(ringsted, Membership.Role.ANALYST)
    admin_of(ringsted)
    membership = Membership.objects.get(user=analyst)
    other = make_municipality("Guldborgsund", "376")
    client.force_login(admin_of(other))
    assert client.get(reverse("plans:members", args=[ringsted.slug])).status_code == 403
    assert invite(client, ringsted).status_code == 403
    change = reverse("plans:member_change", args=[ringsted.slug, membership.pk])
    assert client.post(change, {"role": "admin"}).status_code == 403
    assert client.post(change, {"action": "deactivate"}).status_code == 403
    # nor through their own municipality's address: the membership is not theirs
    sideways = reverse("plans:member_change", args=[other.slug, membership.pk])
    assert client.post(sideways, {"role": "admin"}).status_code == 404
    membership.refresh_from_db()
    assert membership.role == "analyst" and membership.is_active
    assert not mail.outbox and not Invitation.objects.exists() and not MemberEvent.objects.exists()


def test_who_did_what(client, ringsted, admin_of, member):
    administrator = admin_of(ringsted)
    client.force_login(administrator)
    invite(client, ringsted, email="a@ringsted.dk", role="committee")
    analyst = member(ringsted, Membership.Role.ANALYST, username="analytiker")
    membership = Membership.objects.get(user=analyst)
    url = reverse("plans:member_change", args=[ringsted.slug, membership.pk])
    client.post(url, {"role": "committee"})
    client.post(url, {"action": "deactivate"})
    page = client.get(reverse("plans:members", args=[ringsted.slug]))
    html = check_html(page.content.decode(), "members page")
    events = MemberEvent.objects.order_by("pk")
    rows = [(e.actor, e.action, e.subject, e.subject_email) for e in events]
    assert rows == [
        (administrator, "invited", None, "a@ringsted.dk"),
        (administrator, "role_changed", analyst, ""),
        (administrator, "deactivated", analyst, ""),
    ]
    assert html.shows("inviterede") and html.shows("a@ringsted.dk")
    assert html.shows("Analytiker → Udvalgsmedlem") or html.shows("analytiker → udvalgsmedlem")
    assert html.shows("deaktiverede")


def test_a_superuser_activates_a_municipality_by_inviting_its_first_administrator(
    client, admin_user
):
    ringsted = make_municipality("Ringsted", "329")
    client.force_login(admin_user)
    index = client.get(reverse("plans:members_index")).content.decode()
    assert "Ringsted" in index and "ingen endnu" in index
    page = client.get(reverse("plans:members", args=[ringsted.slug])).content.decode()
    assert "Inviter den første administrator" in page
    invite(client, ringsted, email="chef@ringsted.dk", role="admin")
    client.logout()
    link = path_of(link_in(mail.outbox[0]))
    response = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.url == reverse("plans:members", args=[ringsted.slug])
    assert client.get(response.url).status_code == 200
    # the new administrator invites an analyst
    invite(client, ringsted, email="analytiker@ringsted.dk", role="analyst")
    assert mail.outbox[-1].to == ["analytiker@ringsted.dk"]


def test_an_administrator_of_one_municipality_goes_straight_to_its_page(client, ringsted,
                                                                       admin_of):  # fmt: skip
    client.force_login(admin_of(ringsted))
    response = client.get(reverse("plans:members_index"))
    assert response.url == reverse("plans:members", args=[ringsted.slug])
    start = client.get("/").content.decode()
    assert reverse("plans:members_index") in start and "Medlemmer" in start


def test_payloads_on_the_members_page_are_text(client, ringsted, admin_of, member):
    """The text a user controls here (a name, an address, a token's name) comes back as text
    (tests/test_injection.py excludes these fields and points here)."""
    payload = '"<svg/onload=alert(1)>"@example.dk'
    administrator = admin_of(ringsted)
    person = member(ringsted, Membership.Role.ANALYST, username='"><script>alert(1)</script>')
    person.first_name, person.email = "<img src=x onerror=alert(1)>", payload
    person.save()
    client.force_login(administrator)
    invited = payload.replace("alert(1)", "alert(2)")
    invite(client, ringsted, email=invited)
    assert Invitation.objects.filter(email=invited).exists()  # a valid (quoted) address
    page = check_html(client.get(reverse("plans:members", args=[ringsted.slug])).content.decode(),
                      "members page")  # fmt: skip
    assert page.shows(payload) and page.shows(invited) and page.shows(person.first_name)
    services.token_create(user=administrator, name="<svg onload=alert(1)>")
    tokens = check_html(client.get(reverse("plans:tokens")).content.decode(), "tokens page")
    assert tokens.shows("<svg onload=alert(1)>")


def test_the_api_manages_memberships_through_the_same_rules(ringsted, admin_of, member):
    from rest_framework.test import APIClient

    administrator = admin_of(ringsted)
    api = APIClient()
    api.force_login(administrator)
    body = {"email": "api@ringsted.dk", "role": "committee", "municipality": ringsted.slug}
    made = api.post("/api/memberships/", body, format="json")
    assert made.status_code == 201 and made.json()["email"] == "api@ringsted.dk"
    assert mail.outbox[-1].to == ["api@ringsted.dk"] and "/invitation/" in mail.outbox[-1].body
    own = Membership.objects.get(user=administrator)
    refused = api.patch(f"/api/memberships/{own.pk}/", {"role": "analyst"}, format="json")
    assert refused.status_code == 400
    assert "mindst én administrator" in str(refused.json()["error"]["details"])
    analyst = Membership.objects.get(user=member(ringsted, Membership.Role.ANALYST))
    assert api.post(f"/api/memberships/{analyst.pk}/deactivate/").json()["is_active"] is False
    back = api.patch(f"/api/memberships/{analyst.pk}/", {"is_active": True}, format="json")
    assert back.json()["is_active"] is True
    listed = api.get("/api/memberships/").json()["results"]
    assert {row["username"] for row in listed} == {administrator.username, analyst.user.username}
