"""A municipality comes into use in a real browser: a superuser invites the first
administrator of a municipality without members; the invitee opens the link from the e-mail,
sets a password, is signed in, and invites an analyst; then makes an API token. Every new page
passes axe-core; the members and tokens pages are kept as screenshots."""

import re
from pathlib import Path

import pytest
from django.core import mail

from tests.browser.conftest import axe_violations
from tests.builders import make_municipality

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).parents[2] / "test-screenshots"


def test_a_superuser_activates_a_municipality_and_its_administrator_invites(
    page, live_server, transactional_db, django_user_model
):
    django_user_model.objects.create_superuser("root", "root@example.dk", "pw-root-1")
    ringsted = make_municipality("Ringsted", "329")
    failures = {}

    def check(name):
        violations = axe_violations(page)
        if violations:
            failures[name] = violations

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Brugernavn").fill("root")
    page.get_by_label("Adgangskode").fill("pw-root-1")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("link", name="Medlemmer").click()
    check("members index")
    page.get_by_role("link", name="Ringsted").click()
    assert page.get_by_role("heading", name="Inviter den første administrator").is_visible()
    check("members page, no members")
    page.get_by_label("E-mail").fill("chef@ringsted.dk")
    page.get_by_label("Rolle", exact=True).select_option("admin")
    page.get_by_role("button", name="Send invitationen").click()
    assert page.get_by_text("Der er sendt en invitation til chef@ringsted.dk.").is_visible()
    page.get_by_role("button", name="Log ud").click()

    link = re.search(r"https?://\S+/invitation/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    check("invitation")
    page.get_by_label("Ny adgangskode").fill("Blaa-Hus-Vej-7391")
    page.get_by_label("Adgangskoden igen").fill("Blaa-Hus-Vej-7391")
    page.get_by_role("button", name="Gem adgangskoden og log ind").click()
    assert page.get_by_role("heading", name="Medlemmer af Ringsted").is_visible()
    page.get_by_label("E-mail").fill("analytiker@ringsted.dk")
    page.get_by_label("Rolle", exact=True).select_option("analyst")
    page.get_by_role("button", name="Send invitationen").click()
    assert page.get_by_text("analytiker@ringsted.dk").first.is_visible()
    assert mail.outbox[-1].to == ["analytiker@ringsted.dk"]
    check("members page")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "members.png"), full_page=True)

    page.get_by_label("E-mail").fill("ikke-en-adresse")
    page.get_by_role("button", name="Send invitationen").click()
    check("members page, invitation refused")

    page.get_by_role("link", name="API-nøgler").click()
    page.get_by_label("Navn").fill("Power BI")
    page.get_by_role("button", name="Lav nøglen").click()
    assert page.get_by_text("den vises kun denne ene gang").is_visible()
    check("tokens page")
    page.screenshot(path=str(SHOTS / "tokens.png"), full_page=True)
    page.goto(live_server.url + "/invitation/brugt-eller-ukendt/")
    check("invitation refused")
    assert ringsted.memberships.get().user.username == "chef@ringsted.dk"
    assert not failures, failures
