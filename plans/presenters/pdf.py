"""The committee report as PDF, rendered by WeasyPrint from the same partials as the pages."""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_PREFIX = "file:///" + settings.STATIC_URL.strip("/") + "/"


class StylesheetsOnly(URLFetcher):
    """Reads the portal's own stylesheets from disk and nothing else: a request back to this
    server could wait on itself, and a URL in a narrative must not pull a local file into a PDF."""

    def fetch(self, url, headers=None):
        try:
            path = (
                stylesheet_path(url[len(STATIC_PREFIX) :])
                if url.startswith(STATIC_PREFIX)
                else None
            )
        except SuspiciousFileOperation:  # ../ out of the static folders
            path = None
        if not path or not str(path).endswith(".css"):
            raise ValueError(f"The PDF report loads only the portal's stylesheets, not {url}")
        with open(path, "rb") as stylesheet:
            body = stylesheet.read()
        return URLFetcherResponse(url, body, {"Content-Type": "text/css; charset=utf-8"})


def stylesheet_path(name: str):
    """The file behind a static name: the source file, or with DEBUG off the hashed copy
    collectstatic wrote ("css/report.e2cb02ab11a2.css", the name {% static %} then gives), which
    no finder knows: without it every PDF in production came out without its stylesheets."""
    path = finders.find(name)
    if path:
        return path
    if staticfiles_storage.exists(name):
        return staticfiles_storage.path(name)
    return None


def render_pdf(html: str) -> bytes:
    return HTML(string=html, base_url="file:///", url_fetcher=StylesheetsOnly()).write_pdf()
