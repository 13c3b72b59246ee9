"""A committee member clicks through the portal in a real browser; every page type passes
axe-core's WCAG 2.1 AA rules."""

import pytest

from plans.models import Plan, ReportingRound, Target
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def page_types(live_server):
    plan = Plan.objects.get(key="guldborgsund-beu-2023")
    theme = plan.focus_areas.get(title="Et godt erhvervsklima")
    target = Target.objects.get(key="guldborgsund-sygefravaer-2023")
    reporting_round = ReportingRound.objects.get(name="Resultatrevision 2021")
    base = live_server.url
    return {
        "start": f"{base}/",
        "plan": f"{base}/plans/{plan.key}/",
        "theme": f"{base}/plans/{plan.key}/themes/{theme.key}/",
        "target": f"{base}/targets/{target.key}/",
        "round": f"{base}/plans/{reporting_round.plan.key}/rounds/{reporting_round.pk}/",
        "indicators": f"{base}/indicators/",
        "indicator": f"{base}/indicators/unge-offentlig-forsorgelse/",
        "login": f"{base}/accounts/login/",
    }


def test_every_page_type_passes_axe(page, live_server, demo):
    failures = {}
    for name, url in page_types(live_server).items():
        page.goto(url, wait_until="networkidle")
        violations = axe_violations(page)
        if violations:
            failures[name] = violations
    assert not failures, "\n".join(f"{name}: {v}" for name, vs in failures.items() for v in vs)


def test_a_committee_member_reaches_a_theme_and_its_target(page, live_server, demo):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "da"
    page.get_by_role("link", name="Udvalgsstrategi for Beskæftigelsesudvalget 2023–2025").click()
    page.get_by_role("link", name="Et godt erhvervsklima").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Et godt erhvervsklima", level=1).is_visible()
    card = page.locator("article.kpi-card", has_text="Unge på offentlig forsørgelse")
    assert card.get_by_text("Maksimalt 1.075").is_visible()
    assert card.get_by_text("Opfyldt").is_visible()

    card.get_by_role("link", name="Unge på offentlig forsørgelse").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Unge på offentlig forsørgelse", level=1).is_visible()
    # plotly.js from static/ drew the chart the server built
    assert page.locator("[data-figure='target-chart'] svg.main-svg").first.is_visible()
    assert page.get_by_role("table", name="Tal").is_visible()


def test_english_on_request_and_print_without_navigation(page, live_server, demo):
    page.goto(live_server.url + "/")
    page.get_by_label("Sprog").select_option("en")
    page.get_by_role("button", name="Skift").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role(
        "heading", name="Employment plans and committee strategies"
    ).is_visible()

    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert page.locator("main").is_visible()


def test_the_chart_script_is_served_from_static_not_a_cdn(page, live_server, demo):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    target = Target.objects.get(key="guldborgsund-sygefravaer-2023")
    page.goto(f"{live_server.url}/targets/{target.key}/", wait_until="networkidle")
    assert requests and all(url.startswith(live_server.url) for url in requests), requests


def test_a_targets_focus_areas_are_one_to_a_line(page, live_server, demo):
    """Guldborgsund's "Unge på offentlig forsørgelse" is in two themes: run together, their
    links read as one ("Uddannelsesbyen Nykøbing FalsterEt godt erhvervsklima")."""
    page.goto(f"{live_server.url}/targets/guldborgsund-unge-forsorgelse-2023/")
    links = page.locator(".target-facts .inline-list a")
    assert links.count() == 2
    first, second = (links.nth(i).bounding_box() for i in range(2))
    assert second["y"] >= first["y"] + first["height"]
