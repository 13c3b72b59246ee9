"""Browser tests: Playwright driving Debian's Chromium against the live test server, with
axe-core (from npm, see package.json) checking every page type for WCAG 2.1 AA.

Without Chromium or axe-core these tests are skipped, unless REQUIRE_BROWSER=1 (as in CI), where
a missing browser is a failure rather than a silent skip.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
# around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(
    os.environ.get("AXE_CORE_PATH", Path(__file__).parents[2] / "node_modules/axe-core/axe.min.js")
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def _missing():
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if not AXE.exists():
        return f"no axe-core at {AXE} (npm ci)"
    return None


@pytest.fixture(scope="session")
def browser():
    missing = _missing()
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Browser tests required but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A browser tab. Every test that uses it also checks that the content security policy
    blocked nothing on any page it opened: the portal's own pages need nothing it forbids."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    page = context.new_page()
    blocked = []  # Chromium reports each blocked script, style or image on the console

    def watch(message):
        text = message.text
        if "Content Security Policy" in text:
            blocked.append(text)

    page.on("console", watch)
    yield page
    context.close()
    assert not blocked, f"The content security policy blocked: {blocked}"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)


def axe_violations(page) -> list[str]:
    """WCAG 2.1 A and AA violations on the page as it stands, one readable line each."""
    # Evaluated through the browser's tooling, not added as an inline <script>, which the
    # content security policy would rightly block.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        })"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
    ]
