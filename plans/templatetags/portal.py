import markdown as markdown_lib
import nh3
from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def markdown(text):
    """Narratives and cases are Markdown; the HTML is sanitised before it reaches a page."""
    html = markdown_lib.markdown(text or "", extensions=["tables", "sane_lists"])
    return mark_safe(nh3.clean(html))  # noqa: S308 - cleaned by nh3 just above


@register.simple_tag
def accessibility_statement_url():
    """A tag, not a context processor: the 500 page is rendered without a request's context."""
    return settings.ACCESSIBILITY_STATEMENT_URL
