"""The PDF pack read page by page, as a committee member turns its pages: a cover with the
status summary, contents with the right page numbers, each theme from a new page with its cards
after its heading, no page with nothing but a heading on it, and an annex of every target."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from plans.models import Plan

pytestmark = pytest.mark.django_db

GUIDEPOST_HEADINGS = ["Pejlemærker", "Indsatser/cases"]


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def guldborgsund_plan_report(client):
    plan = Plan.objects.get(key="guldborgsund-beu-2023")
    return plan, None, client.get(reverse("plans:plan_pdf", args=[plan.key]))


def ringsted_round_report(client):
    plan = Plan.objects.get(key="ringsted-beskaeftigelsesplan-2021")
    reporting_round = plan.rounds.get(name="Resultatrevision 2021")
    url = reverse("plans:round_pdf", args=[plan.key, reporting_round.pk])
    return plan, reporting_round, client.get(url)


def flat(text: str) -> str:
    """The page's text on one line: a title wrapped over two lines reads as one."""
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("report", [guldborgsund_plan_report, ringsted_round_report])
def test_the_pdf_pack_page_by_page(client, demo, report):
    plan, reporting_round, response = report(client)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = [flat(page.extract_text()) for page in PdfReader(io.BytesIO(response.content)).pages]
    themes = list(plan.focus_areas.order_by("order", "id"))
    titles = [str(theme) for theme in themes]
    name = f"{reporting_round.name} · {plan.title}" if reporting_round else plan.title

    # The cover: the plan or round, its status in all and per theme.
    cover = pages[0]
    assert plan.title in cover
    assert reporting_round is None or reporting_round.name in cover
    assert re.search(r"\d+ mål: ✓ \d+ opfyldt, ≈ \d+ tæt på, ✗ \d+ ikke opfyldt", cover)
    assert all(title in cover for title in titles) and "Alle mål" in cover

    # Contents, then each theme from a new page in the plan's order, the annex last.
    assert pages[1].startswith("Indhold")
    starts = [next(i for i in range(2, len(pages)) if title in pages[i]) for title in titles]
    annex = next(i for i in range(2, len(pages)) if "Bilag: alle mål og deres status" in pages[i])
    assert starts == sorted(starts) and len(set(starts)) == len(starts) and annex > starts[-1]
    for title, start in zip(
        titles + ["Bilag: alle mål og deres status"], starts + [annex], strict=True
    ):
        # the number printed in the contents is the page the theme begins on
        assert re.search(re.escape(title) + r" ?\.+ ?" + str(start + 1) + r"\b", pages[1]), title
    # Ringsted numbers its themes itself: the contents do not number them again ("1. 1 …").
    assert not re.search(r"\b\d+\. \d+ ", pages[1]), pages[1]

    # Every page has the footer: the round's (or plan's) name and "page / pages".
    for number, text in enumerate(pages, start=1):
        assert name in text and f"{number} / {len(pages)}" in text, number

    # No page holds only a heading: take the footer and every heading away, something is left.
    committee = plan.committee.name if plan.committee else plan.municipality.name
    headings = [committee.upper(), *titles, *GUIDEPOST_HEADINGS]
    for number, text in enumerate(pages[2:annex], start=3):
        rest = text.replace(name, "").replace(f"{number} / {len(pages)}", "")
        for heading in sorted(headings, key=len, reverse=True):
            rest = rest.replace(heading, "")
        assert re.search(r"\w", rest), f"page {number} holds only a heading: {text!r}"

    # A card is printed only in a theme that shows it (never before that theme's heading),
    # and a theme without text begins its cards on the page of its heading.
    ends = starts[1:] + [annex]
    owner = {page: theme for theme, start, end in zip(themes, starts, ends, strict=True)
             for page in range(start, end)}  # fmt: skip
    shown_in = {}
    for theme in themes:
        for target in theme.targets.all():
            shown_in.setdefault(target.title, set()).add(theme)
    for page in range(starts[0], annex):
        for card_title, its_themes in shown_in.items():
            if card_title in pages[page]:
                assert owner[page] in its_themes, f"“{card_title}” on page {page + 1}"
    for theme, start, end in zip(themes, starts, ends, strict=True):
        card_titles = [target.title for target in theme.targets.all()]
        assert all(any(t in pages[p] for p in range(start, end)) for t in card_titles), theme
        if card_titles and not theme.has_text:
            assert any(t in pages[start] for t in card_titles), f"{theme} alone on {start + 1}"
        if card_titles and theme.has_text:
            # The cards begin under a heading of their own ("Mål"), also on a page of their own.
            first = next(p for p in range(start, end) if any(t in pages[p] for t in card_titles))
            at = min(pages[first].find(t) for t in card_titles if t in pages[first])
            assert re.search(r"\bMål\b", pages[first][:at]), f"{theme}: cards without a heading"

    # The annex: every target once with its status.
    annex_text = " ".join(pages[annex:])
    for target in plan.targets.all():
        assert target.title in annex_text, target.title
    assert re.search(r"(Opfyldt|Ikke opfyldt|Tæt på|Ingen data)", annex_text)


def test_with_debug_off_the_pdf_reads_collectstatics_hashed_stylesheets(tmp_path, settings):
    """With DEBUG off {% static %} names the hashed copies ("css/report.e2cb02ab11a2.css")
    that no finder knows: the PDF came out as plain portrait text, without report.css."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    from plans.presenters.pdf import STATIC_PREFIX, StylesheetsOnly

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = staticfiles_storage.stored_name("css/report.css")
    assert hashed != "css/report.css"
    assert b"@page" in StylesheetsOnly().fetch(STATIC_PREFIX + hashed).read()
    with pytest.raises(ValueError):
        StylesheetsOnly().fetch(STATIC_PREFIX + "../settings.py")
