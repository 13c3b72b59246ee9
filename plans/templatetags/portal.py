import functools
import threading

import markdown as markdown_lib
import nh3
from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from plans.presenters.cards import card_html

register = template.Library()

_converters = threading.local()


def _converter() -> markdown_lib.Markdown:
    """A Markdown converter of this thread's, reset for each text: building one (its extensions
    and processors) cost more than converting a theme's intro, and a theme page converts six
    or more texts. A converter keeps state while it converts, so threads do not share one."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = markdown_lib.Markdown(extensions=["tables", "sane_lists"])
        _converters.markdown = converter
    return converter.reset()


@register.filter
def markdown(text):
    """Narratives and cases are Markdown; the HTML is sanitised before it reaches a page."""
    return mark_safe(_html(text or ""))  # noqa: S308 - cleaned by nh3 in _html


@functools.lru_cache(maxsize=2048)
def _html(text: str) -> str:
    """The sanitised HTML of a text, converted once: a theme's intro, guideposts and cases
    are the same for every visitor, and converting them took a tenth of the page."""
    return nh3.clean(_converter().convert(text))


@register.simple_tag
def kpi_card(card, link=False, id_suffix=""):
    """A KPI card (plans/_kpi_card.html), drawn once for what it shows (card_html)."""
    return mark_safe(card_html(card, link=link, id_suffix=id_suffix))  # noqa: S308 - a template's output


@register.simple_tag
def accessibility_statement_url():
    """A tag, not a context processor: the 500 page is rendered without a request's context."""
    return settings.ACCESSIBILITY_STATEMENT_URL
