import threading

import markdown as markdown_lib
import nh3
from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

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
    html = _converter().convert(text or "")
    return mark_safe(nh3.clean(html))  # noqa: S308 - cleaned by nh3 just above


@register.simple_tag
def accessibility_statement_url():
    """A tag, not a context processor: the 500 page is rendered without a request's context."""
    return settings.ACCESSIBILITY_STATEMENT_URL
