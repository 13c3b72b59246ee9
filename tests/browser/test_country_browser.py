"""An administrator names the comparable municipalities and reads an indicator across the
country with them marked; both pages pass axe-core."""

import pytest

from kpis.models import Area
from plans.tools.demo import demo_users_create
from tests.browser.conftest import axe_violations
from tests.browser.test_analyst_browser import log_in

pytestmark = pytest.mark.browser


def test_comparables_named_and_marked_on_the_indicator_page(page, live_server, demo):
    demo_users_create()
    failures = {}

    def check(name):
        violations = axe_violations(page)
        if violations:
            failures[name] = violations

    log_in(page, live_server, "admin-guldborgsund")
    page.goto(live_server.url + "/municipalities/guldborgsund/comparables/")
    check("comparables form")
    for name in ("Vordingborg", "Ringsted"):
        page.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="Gem").click()
    page.wait_for_load_state()
    assert page.get_by_text("Sammenlignelige kommuner for Guldborgsund er gemt (2).").is_visible()
    check("comparables saved")
    guldborgsund = Area.objects.get(slug="guldborgsund")
    named = set(guldborgsund.comparables.values_list("name", flat=True))
    assert named == {"Vordingborg", "Ringsted"}

    page.goto(
        live_server.url + "/indicators/unge-offentlig-forsorgelse/?kommune=guldborgsund",
        wait_until="networkidle",
    )
    check("indicator with a municipality")
    assert page.locator("[data-figure='ranking-chart'] svg.main-svg").first.is_visible()
    assert page.get_by_role("table", name="Alle kommuner", exact=False).is_visible()
    assert page.get_by_role("link", name="Vælg sammenlignelige kommuner").is_visible()
    assert not failures, "\n".join(f"{name}: {v}" for name, vs in failures.items() for v in vs)
