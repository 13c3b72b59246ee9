"""The committee's pages, read as a committee member reads them."""

import io
import re
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from plans.models import Plan, ReportingRound, Target
from plans.services import narrative_write, round_create
from tests.builders import make_theme_with_targets

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def links(html):
    return re.findall(r'href="([^"#?]+)"', html)


def test_three_clicks_from_the_start_page_to_a_theme_with_its_cards(client, demo):
    start = client.get("/").content.decode()
    plan_url = next(u for u in links(start) if "guldborgsund" in u)
    plan_page = client.get(plan_url).content.decode()
    theme_url = next(u for u in links(plan_page) if "godt-erhvervsklima" in u)
    theme = client.get(theme_url).content.decode()
    assert "Et godt erhvervsklima" in theme
    assert "Pejlemærker" in theme and "Business Lolland-Falster" in theme
    assert "Indsatser/cases" in theme and "Partnerskaber med virksomheder om Ungegaranti" in theme
    assert "Unge på offentlig forsørgelse" in theme
    assert "Maksimalt 1.075" in theme
    assert "969" in theme and "\u221232" in theme  # value and Udvikling


def test_start_page_summarises_each_approved_public_plan(client, demo):
    page = client.get("/").content.decode()
    for plan in Plan.objects.filter(approval_state="approved"):
        assert plan.title in page
    assert "Frederikssund" not in page  # its 2024 plan is a proposal: members only
    # Guldborgsund: 8 targets, 2 met and 6 not met (969 ≤ 1.075 and the sick-leave reduction)
    guldborgsund = page[page.index("Guldborgsund") :]
    assert re.search(r"8 mål:.*?2 opfyldt.*?6 ikke opfyldt", guldborgsund, re.S)


def test_a_kpi_card_reads_like_the_report(client, demo):
    target = Target.objects.get(title="Unge fastholdes i uddannelse")
    theme = target.focus_areas.first()
    page = client.get(reverse("plans:theme", args=[target.plan.key, theme.key])).content.decode()
    card = page[page.index('id="card-' + target.key) :]
    card = card[: card.index("</article>")]
    for expected in ["Unge fastholdes i uddannelse", "2023", "58,8 %", "\u221210,0 %-point",
                     "Måltal 2023", "Minimum 70 %", "Andel af uddannelseshjælpsmodtagere",
                     "Ikke opfyldt", "✗"]:  # fmt: skip
        assert expected in card, expected
    assert "Tallet under “Udvikling” viser forskellen fra baseline til aktuel måling." in page


def test_an_indicator_on_several_themes_shows_on_each(client, demo):
    target = Target.objects.get(title="Opkvalificering til lokalt erhvervsliv")
    themes = list(target.focus_areas.all())
    assert len(themes) >= 4
    for theme in themes:
        page = client.get(reverse("plans:theme", args=[target.plan.key, theme.key]))
        assert "Opkvalificering til lokalt erhvervsliv" in page.content.decode()
        assert "11,3 %" in page.content.decode()


def test_target_page_has_chart_table_narratives_and_revisions(client, demo):
    target = Target.objects.get(key="guldborgsund-sygefravaer-2023")
    page = client.get(reverse("plans:target", args=[target.key])).content.decode()
    assert 'data-figure="target-chart"' in page
    assert '<script id="target-chart" type="application/json">' in page
    assert "vendor/plotly.min.js" in page
    assert "7,4 %" in page and "6,6 %" in page  # baseline 2022 and 2023 in the table
    assert "Afrapportering for 2023" in page  # the round's narrative
    assert "Målet er ikke blevet justeret." in page  # no revisions of this one


def test_a_revised_target_shows_its_history(analyst_client):
    plan, _theme = make_theme_with_targets(1)
    client = analyst_client(plan.municipality)
    target = Target.objects.get()
    page = client.get(reverse("plans:target", args=[target.key])).content.decode()
    assert "Oprindeligt" in page
    assert "justeret" in page
    assert "1. juni 2023" in page


def test_reporting_round_shows_the_plan_as_at_its_cut_off(client, demo):
    reporting_round = ReportingRound.objects.get(name="Resultatrevision 2021")
    url = reverse("plans:round", args=[reporting_round.plan.key, reporting_round.pk])
    page = client.get(url).content.decode()
    assert "Resultatrevision 2021" in page
    assert "Målet er nået" in page  # the review's own narrative
    assert "Tæt på" in page  # the "Målet er nært" target
    assert "Opfyldt" in page and "Ikke opfyldt" in page


def test_a_round_before_the_figures_has_no_data(analyst_client):
    plan, _theme = make_theme_with_targets(2)
    client = analyst_client(plan.municipality)
    early = round_create(plan=plan, name="Status januar 2023", cut_off=date(2023, 1, 15))
    narrative_write(
        target=Target.objects.first(), reporting_round=early, text="**Ingen tal endnu**"
    )
    page = client.get(reverse("plans:round", args=[plan.key, early.pk])).content.decode()
    assert page.count("Ingen data") >= 2
    assert "<strong>Ingen tal endnu</strong>" in page


def test_indicator_page_compares_municipalities_and_the_country(client, demo):
    page = client.get(reverse("plans:indicator", args=["unge-offentlig-forsorgelse"]))
    html = page.content.decode()
    assert "Guldborgsund" in html
    assert 'data-figure="ranking-chart"' in html
    listing = client.get(reverse("plans:indicators")).content.decode()
    assert "Unge på offentlig forsørgelse" in listing
    names = re.findall(r'<th scope="row"><a href="/indicators/[^"]+/">([^<]+)</a>', listing)
    initials = [name[0].casefold() for name in names]  # database collations differ past that
    assert len(names) > 100 and initials == sorted(initials)


def test_tables_download_as_csv_and_excel(client, demo):
    plan = Plan.objects.get(key="guldborgsund-beu-2023")
    url = reverse("plans:plan", args=[plan.key])
    csv = client.get(url, {"export": "csv", "table": "maal"})
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8")
    assert text.startswith("\ufeff")
    # The Nr. is the target's place in the plan where the document gives none; the Måltal is
    # the definition's, the document's own words follow last.
    assert "Unge fastholdes i uddannelse;2;2023;58,8;-10,0;Minimum 70 %;Ikke opfyldt" in text
    xlsx = client.get(url, {"export": "xlsx", "table": "maal"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Mål"
    assert any(row[0] == "Unge på offentlig forsørgelse" and row[3] == 969 for row in rows)


def test_a_wording_that_looks_like_a_formula_is_exported_as_text(analyst_client):
    plan, _theme = make_theme_with_targets(1)
    client = analyst_client(plan.municipality)
    Target.objects.update(wording='=HYPERLINK("http://evil.example","klik")')
    url = reverse("plans:plan", args=[plan.key])
    csv = client.get(url, {"export": "csv"}).content.decode("utf-8")
    assert "'=HYPERLINK" in csv
    xlsx = client.get(url, {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cell = sheet.cell(row=2, column=9)  # "Målets ordlyd"
    assert cell.value.startswith("'=HYPERLINK") and cell.data_type == "s"


def test_pdf_report_has_a_cover_and_a_page_per_theme(client, demo):
    plan = Plan.objects.get(key="guldborgsund-beu-2023")
    reporting_round = plan.rounds.get(name="Afrapportering for 2023")
    response = client.get(reverse("plans:round_pdf", args=[plan.key, reporting_round.pk]))
    assert response["Content-Type"] == "application/pdf"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
    assert "Afrapportering for 2023" in pages[0]
    assert "Et godt erhvervsklima" in pages[0]  # the cover lists the themes
    themes = list(plan.focus_areas.order_by("order"))
    starts = [
        next(i for i, text in enumerate(pages) if i > 0 and fa.title in text[:200]) for fa in themes
    ]
    assert starts == sorted(starts) and len(set(starts)) == len(themes)  # a page of its own each
    second_theme = "".join(pages[starts[1] : starts[2]])  # a long theme runs over pages
    assert "Unge på offentlig forsørgelse" in second_theme and "Maksimalt 1.075" in second_theme
    assert "Pejlemærker" in second_theme and "Business Lolland-Falster" in second_theme


def test_the_pdf_loads_nothing_but_the_portals_stylesheets():
    from plans.presenters.pdf import StylesheetsOnly

    fetcher = StylesheetsOnly()
    assert b"kpi-card" in fetcher.fetch("file:///static/css/portal.css").read()
    for url in [
        "file:///etc/passwd",
        "file:///static/../../etc/passwd",
        "http://example.com/x.css",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_danish_by_default_english_on_request(client, demo):
    danish = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="da">' in danish and "Beskæftigelsesplaner" in danish
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    assert '<html lang="en">' in english
    assert "Employment plans and committee strategies" in english


@pytest.mark.parametrize("page", ["plan", "theme", "target", "round", "indicator", "start"])
def test_query_count_does_not_grow_with_cards_or_figures(client, member, page):
    """Each page's queries are a fixed set, whatever the number of targets and figures."""

    def url_for(plan, theme):
        target = plan.targets.first()
        reporting_round = plan.rounds.first() or round_create(
            plan=plan, name="Afrapportering", cut_off=date(2024, 3, 31)
        )
        return {
            "start": "/",
            "plan": reverse("plans:plan", args=[plan.key]),
            "theme": reverse("plans:theme", args=[plan.key, theme.key]),
            "target": reverse("plans:target", args=[target.key]),
            "round": reverse("plans:round", args=[plan.key, reporting_round.pk]),
            "indicator": reverse("plans:indicator", args=[target.indicator.key]),
        }[page]

    def count(plan, theme):
        client.force_login(member(plan.municipality, username=f"analyst-{plan.key}"))
        url = url_for(plan, theme)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count(*make_theme_with_targets(2, n_periods=2, key="small"))
    large = count(*make_theme_with_targets(8, n_periods=6, key="large"))
    assert small == large
    assert large <= 15  # incl. session, user and memberships of the logged-in analyst


def test_the_indicator_across_the_country_reads_a_fixed_set_of_queries(client, member):
    """Every municipality ranked, the comparison areas, the comparable municipalities and the
    series: the same queries for 3 municipalities with 2 years as for 12 with 6. They are
    1 the session, 2 the user, 3 the user's memberships (plans.access.roles), 4 the indicator,
    5 the periods with figures and how many, 6 the areas the user may see, 7 their figures for
    the period, 8 the chosen municipality's comparable municipalities, 9 its RAR area or
    council on the period's last day, 10 the series of it, hele landet and its comparables,
    11 every area's figures for the latest-figure table, 12 the targets on the indicator."""
    from kpis import services as kpi_services
    from kpis.models import Area, Indicator
    from tests.builders import make_country, make_indicator, make_municipality, record

    country = make_country()

    def count(key, n_municipalities, n_years):
        indicator = make_indicator(key, unit=Indicator.Unit.PERCENT, decimals=1)
        towns = [
            make_municipality(f"{key} kommune {i}", f"{key[0]}{i:02d}")
            for i in range(n_municipalities)
        ]
        for year in range(2024 - n_years, 2024):
            record(indicator, country, str(year), "9,0")
            for i, town in enumerate(towns):
                record(indicator, town, str(year), f"{i},5")
        kpi_services.area_comparables_set(municipality=towns[0], comparables=towns[1:])
        Area.objects.filter(pk__in=[t.pk for t in towns]).update(public_dashboards=True)
        client.force_login(member(towns[0], username=f"analyst-{key}"))
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("plans:indicator", args=[key]))
        assert page.status_code == 200
        assert f"ligger nr. 1 af {n_municipalities}" in page.content.decode()
        return len(queries)

    small, large = count("small", 3, 2), count("large", 12, 6)
    assert small == large == 12
