"""A KPI card is drawn once for what it shows (plans.presenters.cards.card_html), and a reader
never sees a card drawn from data that has changed since: a new figure, an edited indicator or
target, another language."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.urls import reverse
from django.utils.autoreload import file_changed

from plans import services
from plans.presenters.cards import CARD_CACHE
from tests.builders import make_theme_with_targets, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def theme_page(client, member):
    plan, theme = make_theme_with_targets(1, n_periods=2, key="cache")
    client.force_login(member(plan.municipality))
    target = plan.targets.get()
    url = reverse("plans:theme", args=[plan.key, theme.key])

    def card(language="da"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the language switcher's
        page = client.get(url).content.decode()
        start = page.index(f'id="card-{target.key}"')
        return page[start : page.index("</article>", start)]

    return plan, target, card


def test_the_card_shows_a_new_figure_once_the_status_is_refreshed(theme_page):
    plan, target, card = theme_page
    assert "12,0 %" in card()  # February's figure, the latest
    record(target.indicator, plan.municipality, "2023M03", "13,4")
    services.all_statuses_refresh(as_of=date(2024, 1, 31))
    assert "13,4 %" in card() and "12,0 %" not in card()


def test_the_card_follows_an_edited_indicator_and_target(theme_page):
    _plan, target, card = theme_page
    card()
    indicator = target.indicator
    indicator.decimals = 2
    indicator.description = "Andel i job efter et år"
    indicator.save()
    drawn = card()
    assert "12,00 %" in drawn and "Andel i job efter et år" in drawn
    target.title = "Flere i job"
    target.save()
    assert "Flere i job" in card()


def test_each_language_has_its_own_card(theme_page):
    _plan, _target, card = theme_page
    assert "Måltal 2023" in card()
    english = card("en")
    assert "Target 2023" in english and "Måltal" not in english
    assert "Måltal 2023" in card()


def test_a_changed_template_or_catalogue_in_development_empties_the_drawn_cards():
    cache = caches[CARD_CACHE]
    cache.set("a-drawn-card", "<article>…</article>")
    template = Path(settings.BASE_DIR, "templates", "plans", "_kpi_card.html")
    file_changed.send(sender=None, file_path=template)  # as runserver's reloader does
    assert cache.get("a-drawn-card") is None
