"""An analyst's quarter in a real browser: import a jobindsats-style file, check the preview,
save it, see the statuses recomputed, write narratives and submit; the administrator approves
and freezes the round. Every page on the way passes axe-core."""

import re

import pytest

from kpis.models import Measurement
from plans.models import ReportingRound, Target
from plans.tools.demo import DEMO_PASSWORD, demo_users_create
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

REVISED_FILE = (
    "\ufeffOmråde;Periode;Antal\n"
    "Guldborgsund;2022M11-2023M11;1.100\n"
    "Hele landet;2022M11-2023M11;..\n"
)
BAD_FILE = "\ufeffOmråde;Periode;Antal\nAtlantis;2023M12;5\n"


def log_in(page, live_server, username):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_load_state()


def upload(page, live_server, path):
    page.goto(live_server.url + "/figures/import/")
    page.get_by_label("Fil", exact=True).set_input_files(str(path))
    page.get_by_label("Indikator").select_option(label="Unge på offentlig forsørgelse")
    page.get_by_role("button", name="Læs filen").click()
    page.wait_for_load_state()


def test_import_preview_save_narrate_submit_and_approve(page, live_server, demo, tmp_path):
    demo_users_create()
    failures = {}

    def check(name):
        violations = axe_violations(page)
        if violations:
            failures[name] = violations

    log_in(page, live_server, "analytiker-guldborgsund")
    check("start, logged in")
    page.goto(live_server.url + "/figures/import/")
    check("import form")

    bad = tmp_path / "forkert.csv"
    bad.write_text(BAD_FILE, encoding="utf-8")
    before = Measurement.objects.count()
    upload(page, live_server, bad)
    assert page.get_by_text("Filen blev afvist; intet er gemt.").is_visible()
    assert page.get_by_text("Ukendt område “Atlantis”.").is_visible()
    assert Measurement.objects.count() == before
    check("import refused")

    good = tmp_path / "unge.csv"
    good.write_text(REVISED_FILE, encoding="utf-8")
    upload(page, live_server, good)
    check("import preview")
    assert page.get_by_text("1 reviderede").is_visible()
    row = page.locator("tr", has_text="Nov.22-nov.23")
    assert row.get_by_text("1.100").is_visible() and row.get_by_text("969").is_visible()
    page.get_by_role("button", name="Gem tallene").click()
    page.wait_for_load_state()
    touched = page.locator("li", has_text="Guldborgsund: Unge på offentlig forsørgelse")
    assert touched.get_by_text("Ikke opfyldt").is_visible()  # 1.100 > Maksimalt 1.075
    check("import saved")

    target = Target.objects.get(key="guldborgsund-unge-forsorgelse-2023")
    reporting_round = ReportingRound.objects.get(name="Afrapportering for 2024")
    page.goto(f"{live_server.url}/plans/{target.plan.key}/")
    page.get_by_role(
        "link", name=re.compile("Skriv statusbeskrivelser.*Afrapportering for 2024")
    ).click()
    page.wait_for_load_state()
    check("round work")
    page.get_by_label("Statusbeskrivelse: Unge på offentlig forsørgelse").fill(
        "Antallet er **steget** efter revisionen af tallene."
    )
    page.get_by_role("button", name="Gem og indsend til godkendelse").click()
    page.wait_for_load_state()
    # The other targets not met have no narrative yet: the submit page asks for each, and
    # the analyst confirms that the round goes without them.
    check("round submit")
    boxes = page.get_by_label(re.compile("^indsendes uden statusbeskrivelse"))
    assert boxes.count() > 0
    for i in range(boxes.count()):
        boxes.nth(i).check()
    page.get_by_role("button", name="Indsend til godkendelse").click()
    page.wait_for_load_state()
    assert page.get_by_text("Afrapporteringen er indsendt til godkendelse.").is_visible()

    page.goto(f"{live_server.url}/plans/{target.plan.key}/figures/?kind=month_span&year=2023")
    check("data-entry grid")

    page.get_by_role("button", name="Log ud").click()
    log_in(page, live_server, "admin-guldborgsund")
    page.goto(f"{live_server.url}/plans/{target.plan.key}/rounds/{reporting_round.pk}/work/")
    page.get_by_role("button", name="Gem, godkend og lås").click()
    page.wait_for_load_state()
    assert page.get_by_text("Godkendt", exact=False).first.is_visible()
    narrative = page.get_by_text("Antallet er steget efter revisionen af tallene.")
    assert narrative.count() == 2 and narrative.first.is_visible()  # the target is on 2 themes
    reporting_round.refresh_from_db()
    assert reporting_round.state == "approved"
    check("round approved")

    page.goto(f"{live_server.url}/plans/{target.plan.key}/targets/{target.key}/edit/")
    check("target form")
    page.get_by_role("button", name="Forhåndsvis").click()
    page.wait_for_load_state()
    assert page.get_by_text("Forhåndsvisning på dagens tal").is_visible()
    check("target preview")
    assert not failures, "\n".join(f"{name}: {v}" for name, vs in failures.items() for v in vs)


def test_the_target_forms_radio_buttons_and_checkboxes_are_drawn(page, live_server, demo):
    """DKFDS's base rules draw no native radio button or checkbox (appearance: none, 0 px): the
    target form showed neither its kind nor the focus areas ticked."""
    demo_users_create()
    log_in(page, live_server, "admin-guldborgsund")
    page.goto(f"{live_server.url}/plans/guldborgsund-beu-2023/targets/"
              "guldborgsund-unge-forsorgelse-2023/edit/")  # fmt: skip
    for selector in ("input[name=kind]", "input[name=focus_areas]"):
        box = page.locator(selector).first
        assert box.is_checked()
        assert box.evaluate("e => getComputedStyle(e).appearance") != "none", selector
        assert box.bounding_box()["width"] >= 12, selector


def test_an_administrators_pages_fit_a_phone(page, live_server, demo):
    """Six menu items are wider than a phone: in one row they pushed every page of an
    administrator 236 px wider than the screen. A wide table scrolls in its own box, the
    visually hidden labels in it too (the members and settings pages were 766 and 710 px)."""
    demo_users_create()
    page.set_viewport_size({"width": 390, "height": 900})
    log_in(page, live_server, "admin-guldborgsund")
    for path in ("/", "/municipalities/guldborgsund/members/",
                 "/municipalities/guldborgsund/settings/"):  # fmt: skip
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
