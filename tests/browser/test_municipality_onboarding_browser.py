"""Issue 14's "Done when", in a real browser: a superuser activates Ringsted by inviting its
first administrator; the administrator signs in by the link, invites an analyst and a committee
member, adds a committee on the municipality's settings page, copies last year's plan and
opens a round with a deadline; the beat task reminds the analyst (an e-mail in Django's outbox:
the live server runs in this process), who writes the narrative the submit page asks for and
submits; the administrator signs in again, by SAML (a pysaml2 IdP made in the test, its
page served through Playwright's routing), and approves; the committee member gets the e-mail.
Every page passes axe-core; key steps are kept as screenshots in test-screenshots/.

The same journey through the API, and the SAML sign-in with Django's test client, are in
tests/test_onboarding_api.py."""

import html
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from plans import tasks
from plans.members.models import MemberEvent
from plans.models import Membership, Plan, ReportingRound
from tests.browser.conftest import axe_violations
from tests.onboarding import PASSWORD, THIS_YEAR, invitation_link, ringsted_with_last_years_plan
from tests.test_saml import configure_sso, idp_answer, needs_xmlsec

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).parents[2] / "test-screenshots"


def sign_in_by_saml(page, base_url, make_idp, next_path):
    """The login page's "Log ind med din organisation": the portal answers with a redirect to
    the IdP (https://idp.test); Playwright's routing takes that answer (its session cookie
    included) and shows, in its place and on the portal's own origin, the IdP's page: a pysaml2
    IdP made in the test has signed the assertion, and the page's button posts it to the
    portal's ACS, as an IdP's page would after the user signed in there."""
    from urllib.parse import parse_qs, urlparse

    idp = make_idp()

    def to_idp(route):
        portal = route.fetch(max_redirects=0)
        location = portal.headers["location"]
        assert location.startswith("https://idp.test/"), location
        request = parse_qs(urlparse(location).query)["SAMLRequest"][0]
        answer = idp_answer(idp, request, ["jc-ringsted-ledelse"], email="chef@ringsted.dk")
        # the portal's session (it holds the request the answer must be to) goes to the browser
        cookies = [h["value"] for h in portal.headers_array if h["name"].lower() == "set-cookie"]
        page.context.add_cookies([
            {"name": c.split("=", 1)[0], "value": c.split("=", 1)[1].split(";")[0], "url": base_url}
            for c in cookies
        ])  # fmt: skip
        route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            body=(
                '<!doctype html><html lang="da"><title>IdP</title><main>'
                f'<form method="post" action="{base_url}/saml2/acs/">'
                f'<input type="hidden" name="SAMLResponse" value="{html.escape(answer)}">'
                f'<input type="hidden" name="RelayState" value="{html.escape(next_path)}">'
                "<button>Fortsæt til portalen</button></form></main></html>"
            ),
        )

    page.route(f"{base_url}/saml2/login/**", to_idp)
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.get_by_role("link", name="Log ind med din organisation").click()
    page.get_by_role("button", name="Fortsæt til portalen").click()
    page.wait_for_url(f"{base_url}{next_path}")


@needs_xmlsec
def test_a_municipality_is_onboarded_and_runs_a_round_without_a_developer(
    page, live_server, transactional_db, settings, tmp_path
):
    ringsted, last_years, _root = ringsted_with_last_years_plan()
    failures = {}
    SHOTS.mkdir(exist_ok=True)

    def check(name, shot=None):
        violations = axe_violations(page)
        if violations:
            failures[name] = violations
        if shot:
            page.screenshot(path=str(SHOTS / f"onboarding-{shot}.png"), full_page=True)

    def sign_in(username, password):
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Brugernavn").fill(username)
        page.get_by_label("Adgangskode").fill(password)
        page.get_by_role("button", name="Log ind").click()

    def sign_out():
        page.get_by_role("button", name="Log ud").click()

    def invite(email, role):
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Rolle", exact=True).select_option(role)
        page.get_by_role("button", name="Send invitationen").click()
        assert page.get_by_text(f"Der er sendt en invitation til {email}.").is_visible()
        assert mail.outbox[-1].to == [email]
        return invitation_link(mail.outbox[-1])

    def accept(link):
        page.goto(link)
        page.get_by_label("Ny adgangskode").fill(PASSWORD)
        page.get_by_label("Adgangskoden igen").fill(PASSWORD)
        page.get_by_role("button", name="Gem adgangskoden og log ind").click()

    # the superuser activates Ringsted
    sign_in("root", "pw-root-1")
    page.get_by_role("link", name="Medlemmer").click()
    page.get_by_role("link", name="Ringsted").click()
    chef_link = invite("chef@ringsted.dk", "admin")
    sign_out()

    # its administrator: by the link, then the analyst and the committee member
    accept(chef_link)
    assert page.get_by_role("heading", name="Medlemmer af Ringsted").is_visible()
    analyst_link = invite("analytiker@ringsted.dk", "analyst")
    committee_link = invite("udvalg@ringsted.dk", "committee")
    check("members page", shot="1-members")

    # the municipality's settings, without the Django admin
    page.get_by_role(
        "link", name="Kommunens indstillinger: udvalg og offentlige dashboards"
    ).click()
    page.locator("#id_new-name").fill("Arbejdsmarkedsudvalget")
    page.locator("#id_new-short_name").fill("AMU")
    page.get_by_role("button", name="Tilføj udvalg").click()
    assert page.get_by_text("Udvalget Arbejdsmarkedsudvalget er tilføjet.").is_visible()
    check("settings page", shot="2-settings")
    assert set(ringsted.committees.values_list("short_name", flat=True)) == {"BEU", "AMU"}

    # next year's plan from last year's
    page.goto(live_server.url + f"/plans/{last_years.key}/")
    page.get_by_role("link", name="Ny plan ud fra denne").click()
    check("plan copy")
    page.get_by_role("button", name="Opret den nye plan").click()
    plan = Plan.objects.get(municipality=ringsted, start_year=THIS_YEAR)
    assert plan.approval_state == Plan.Approval.DRAFT
    assert page.get_by_role("heading", name=plan.title).first.is_visible()
    check("new plan", shot="3-new-plan")

    # a round with a deadline in three days
    deadline = timezone.localdate() + timedelta(days=3)
    page.goto(live_server.url + f"/plans/{plan.key}/rounds/new/")
    page.locator("#id_name").fill(f"Status {THIS_YEAR}")
    page.locator("#id_cut_off").fill(f"{THIS_YEAR}-09-30")
    page.locator("#id_deadline").fill(deadline.isoformat())
    check("round form")
    page.get_by_role("button", name="Opret").click()
    reporting_round = ReportingRound.objects.get(plan=plan)
    assert reporting_round.deadline == deadline
    sign_out()

    # the committee member joins; the beat task reminds the analyst
    accept(committee_link)
    sign_out()
    accept(analyst_link)
    mail.outbox.clear()
    assert tasks.send_round_reminders() == 1
    reminder = mail.outbox[-1]
    assert reminder.to == ["analytiker@ringsted.dk"]
    round_path = f"/plans/{plan.key}/rounds/{reporting_round.pk}/"
    assert round_path in reminder.body

    # the analyst: the submit page asks for the narrative of the target not met
    page.goto(live_server.url + round_path + "submit/")
    assert page.get_by_role("link", name="Unge på ydelse").is_visible()
    check("submit page", shot="4-submit")
    page.get_by_role("link", name="Unge på ydelse").click()
    page.get_by_label("Statusbeskrivelse: Unge på ydelse").fill(
        "Flere unge på ydelse efter lukningen af produktionsskolen."
    )
    mail.outbox.clear()
    page.get_by_role("button", name="Gem og indsend til godkendelse").click()
    # back to the narratives (the browser keeps the #fragment), with a message
    page.get_by_text("Afrapporteringen er indsendt til godkendelse.").wait_for()
    reporting_round.refresh_from_db()
    assert reporting_round.state == ReportingRound.State.SUBMITTED
    assert [m.to for m in mail.outbox] == [["chef@ringsted.dk"]]
    check("narratives page, submitted")
    sign_out()

    # the administrator signs in again, now by SAML, and approves; the committee member gets
    # the e-mail
    sign_in_by_saml(page, live_server.url, configure_sso(settings, tmp_path, live_server.url),
                    next_path=round_path)  # fmt: skip
    assert page.get_by_text("chef@ringsted.dk").first.is_visible()
    assert MemberEvent.objects.filter(action="sso_signed_in",
                                      subject__username="chef@ringsted.dk").exists()  # fmt: skip
    check("round page, submitted", shot="5-submitted")
    mail.outbox.clear()
    page.get_by_role("button", name="Godkend og lås").click()
    page.get_by_text("Afrapporteringen er godkendt og låst.").wait_for()
    reporting_round.refresh_from_db()
    assert reporting_round.state == ReportingRound.State.APPROVED
    assert sorted(m.to[0] for m in mail.outbox) == ["analytiker@ringsted.dk",
                                                   "udvalg@ringsted.dk"]  # fmt: skip
    check("round page, approved", shot="6-approved")
    roles = dict(Membership.objects.filter(municipality=ringsted)
                 .values_list("user__username", "role"))  # fmt: skip
    assert roles == {"chef@ringsted.dk": "admin", "analytiker@ringsted.dk": "analyst",
                     "udvalg@ringsted.dk": "committee"}  # fmt: skip
    assert not failures, failures
