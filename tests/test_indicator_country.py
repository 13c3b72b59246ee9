"""One indicator across the country: the ranking of every municipality for one period, hele
landet and the comparison areas beside it, the chosen municipality's position, its comparable
municipalities highlighted with their average and median; and the page where a municipality's
administrator names them."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kpis import services as kpi_services
from kpis.models import Area, Indicator
from plans import access
from plans.engine.status import mean, middle, ranking
from plans.models import Membership
from plans.presenters.indicators import indicator_country
from tests.builders import make_country, make_indicator, make_municipality, make_plan, record

# -- the pure ranking ---------------------------------------------------------------------------


def ranks(pairs, lower=True):
    return [(r.area, r.rank, r.tied) for r in ranking(pairs, lower_is_better=lower)]


def test_lower_is_better_ranks_the_smallest_first():
    pairs = [("a", Decimal("3")), ("b", Decimal("1")), ("c", Decimal("2"))]
    assert ranks(pairs) == [("b", 1, False), ("c", 2, False), ("a", 3, False)]


def test_higher_is_better_ranks_the_largest_first():
    pairs = [("a", Decimal("3")), ("b", Decimal("1")), ("c", Decimal("2"))]
    assert ranks(pairs, lower=False) == [("a", 1, False), ("c", 2, False), ("b", 3, False)]


def test_ties_share_a_rank_and_the_next_rank_skips():
    pairs = [("a", Decimal("1")), ("b", Decimal("2.0")), ("c", Decimal("2")), ("d", Decimal("3"))]
    assert ranks(pairs) == [("a", 1, False), ("b", 2, True), ("c", 2, True), ("d", 4, False)]
    assert ranks(pairs, lower=False) == [
        ("d", 1, False), ("b", 2, True), ("c", 2, True), ("a", 4, False)
    ]  # fmt: skip


def test_all_equal_all_first():
    pairs = [("a", Decimal("5")), ("b", Decimal("5"))]
    assert ranks(pairs) == [("a", 1, True), ("b", 1, True)]


def test_one_value_and_none():
    assert ranks([("a", Decimal("-2"))]) == [("a", 1, False)]
    assert ranks([]) == []


def test_mean_and_median_are_exact():
    values = [Decimal("12"), Decimal("10"), Decimal("8.5")]
    assert mean(values) == Decimal("30.5") / 3
    assert middle(values) == Decimal("10")
    assert middle(values + [Decimal("5")]) == Decimal("9.25")
    assert mean([]) is None and middle([]) is None
    assert mean([Decimal("0.1")] * 3) == Decimal("0.1")  # no float on the way


# -- the page -----------------------------------------------------------------------------------


@pytest.fixture
def country(db, member):
    """Five municipalities in one region and RAR Sjælland, four of them public; Ringsted is
    private. A share, lower is better, for 2022 and 2023 (years) and one quarter.

    2023: Vordingborg 8,5 · Guldborgsund 10,0 · Næstved 10,0 · Lolland 12,0 · Ringsted 5,0
    (private) · hele landet 9,0 · Region Sjælland 9,5 · RAR Sjælland 9,8.
    Guldborgsund's comparable municipalities: Lolland, Næstved, Vordingborg and Ringsted."""
    region = kpi_services.area_get_or_create(kind=Area.Kind.REGION, name="Region Sjælland")
    codes = {"Guldborgsund": "376", "Vordingborg": "390", "Lolland": "360", "Næstved": "370",
             "Ringsted": "329"}  # fmt: skip
    towns = {}
    for name, code in codes.items():
        towns[name] = make_municipality(name, code)
        kpi_services.area_get_or_create(kind=Area.Kind.MUNICIPALITY, name=name, region=region)
        towns[name].refresh_from_db()
    Area.objects.exclude(name="Ringsted").filter(kind="municipality").update(public_dashboards=True)
    whole = make_country()
    rar = Area.objects.get(name="RAR Sjælland")
    council = Area.objects.get(name="Regionalt beskæftigelsesråd Sjælland")
    indicator = make_indicator("ledighed", unit=Indicator.Unit.PERCENT, decimals=1)
    figures_2023 = {"Vordingborg": "8,5", "Guldborgsund": "10,0", "Næstved": "10,0",
                    "Lolland": "12,0", "Ringsted": "5,0"}  # fmt: skip
    for name, value in figures_2023.items():
        record(indicator, towns[name], "2023", value)
        record(indicator, towns[name], "2022", "11,0" if name == "Guldborgsund" else "7,0")
    record(indicator, towns["Guldborgsund"], "2023Q4", "9,9")
    record(indicator, towns["Lolland"], "2023Q4", "13,1")
    for area, value in ((whole, "9,0"), (region, "9,5"), (rar, "9,8"), (council, "7,7")):
        record(indicator, area, "2023", value)
    record(indicator, whole, "2022", "9,2")
    kpi_services.area_comparables_set(
        municipality=towns["Guldborgsund"],
        comparables=[towns[n] for n in ("Lolland", "Næstved", "Vordingborg", "Ringsted")],
    )
    return {"indicator": indicator, "towns": towns, "region": region, "member": member}


def url(**query):
    base = reverse("plans:indicator", args=["ledighed"])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def text(html):
    """The page's text, tags removed, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def row_of(html, name):
    """The ranking table's row of a municipality."""
    table = html[html.index('id="table-rangliste"') :]
    match = re.search(r"<tr[^>]*>(?:(?!</tr>).)*<th scope=\"row\">" + name + r"</th>.*?</tr>",
                      table, re.S)  # fmt: skip
    assert match, name
    return match.group(0)


@pytest.mark.django_db
def test_the_ranking_with_position_comparables_and_comparison_areas(client, country):
    analyst = country["member"](country["towns"]["Guldborgsund"], Membership.Role.ANALYST)
    client.force_login(analyst)
    html = client.get(url()).content.decode()
    page = text(html)
    # 2023 by default: the latest of the kind most figures are of (years, not quarters)
    assert "Alle kommuner, 2023" in page
    assert "Guldborgsund ligger nr. 2 af 4, delt med andre (lavere er bedre)" in page
    assert "nr. 1 af 5" not in page  # Ringsted's figure is not counted for an outsider
    assert "Ringsted" not in html.split('id="table-rangliste"')[1].split("</table>")[0]
    assert "5,0 %" not in html
    vordingborg = text(row_of(html, "Vordingborg"))
    assert "1." in vordingborg and "8,5 %" in vordingborg and "−0,5 %-point" in vordingborg
    assert "Sammenlignelig" in vordingborg
    own = row_of(html, "Guldborgsund")
    assert 'class="rank-own"' in own and "Din kommune" in own and "2. (delt)" in own
    assert "+1,0 %-point" in own
    assert "Sammenlignelig" in row_of(html, "Lolland") and "4." in row_of(html, "Lolland")
    # average (12 + 10 + 8,5) / 3 = 10,17 and median 10 of the three it may see
    assert "De sammenlignelige kommuner (3 med tal): gennemsnit 10,2 %, median 10,0 %." in page
    assert "Gennemsnittet afviger fra hele landet med +1,2 %-point." in page
    # hele landet, the region and the RAR area of 2023; not the council (2025–)
    comparison = text(html.split('data-table comparison-areas"')[1].split("</table>")[0])
    assert "Hele landet 9,0 %" in comparison
    assert "Region Sjælland (kommunens region) 9,5 % +0,5 %-point" in comparison
    assert "RAR Sjælland (kommunens RAR-område) 9,8 % +0,8 %-point" in comparison
    assert "beskæftigelsesråd" not in comparison
    # the charts, as data for static/js/charts.js
    assert '<script id="ranking-chart" type="application/json">' in html
    assert '<script id="series-chart" type="application/json">' in html
    assert "Guldborgsund over tid" in page
    # the series chart's caption names what it draws, no more
    caption = text(html.split('id="series-chart-caption">')[1].split("</figcaption>")[0])
    assert caption.startswith("Guldborgsund over tid sammen med Hele landet, ")


@pytest.mark.django_db
def test_the_averages_are_decimal_exact(country):
    superuser_view = indicator_country(
        country["indicator"], Area.objects.all(), municipality_slug="guldborgsund"
    )
    summary = superuser_view.comparables
    assert summary.count == 4
    assert summary.mean == Decimal("35.5") / 4 and summary.median == Decimal("9.25")
    assert summary.mean_text == "8,9 %" and summary.median_text == "9,3 %"
    assert superuser_view.position.rank == 3 and superuser_view.count == 5


@pytest.mark.django_db
def test_a_private_figure_shows_to_its_own_analyst(client, country):
    client.force_login(country["member"](country["towns"]["Ringsted"], Membership.Role.ANALYST))
    html = client.get(url()).content.decode()
    page = text(html)
    assert "Ringsted ligger nr. 1 af 5 (lavere er bedre)" in page
    assert "Din kommune" in row_of(html, "Ringsted")
    assert "Ringsted har ikke valgt sammenlignelige kommuner." in page


@pytest.mark.django_db
def test_anonymous_chooses_a_municipality_with_kommune(client, country):
    page = text(client.get(url()).content.decode())
    assert "4 kommuner har tal for perioden." in page and "ligger nr." not in page
    page = text(client.get(url(kommune="vordingborg")).content.decode())
    assert "Vordingborg ligger nr. 1 af 4 (lavere er bedre)" in page
    assert "Valgt kommune" in page and "Din kommune" not in page
    # a private municipality cannot be chosen by someone who may not see it
    page = text(client.get(url(kommune="ringsted")).content.decode())
    assert "Ringsted ligger" not in page and "4 kommuner har tal" in page


@pytest.mark.django_db
def test_the_period_can_be_chosen_and_bookmarked(client, country):
    page = text(client.get(url(kommune="guldborgsund", periode="2022")).content.decode())
    assert "Alle kommuner, 2022" in page
    assert "Guldborgsund ligger nr. 4 af 4 (lavere er bedre)" in page
    html = client.get(url(kommune="guldborgsund", periodetype="quarter")).content.decode()
    assert "Alle kommuner, 4. kvartal 2023" in text(html)
    assert "Guldborgsund ligger nr. 1 af 2" in text(html)
    assert 'value="quarter" selected' in html
    # an unknown period or kind falls back to the default
    page = text(client.get(url(periodetype="nonsense", periode="1999")).content.decode())
    assert "Alle kommuner, 2023" in page


@pytest.mark.django_db
def test_the_ranking_downloads_as_shown(client, country):
    response = client.get(url(kommune="guldborgsund", export="csv", table="rangliste"))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8").lstrip("\ufeff").splitlines()
    assert lines[0] == "Placering;Kommune;Værdi;Forskel fra hele landet;Markering"
    assert "1;Vordingborg;8,5;-0,5;Sammenlignelig" in lines
    assert "2;Guldborgsund;10,0;1,0;Valgt kommune" in lines
    assert len(lines) == 5 and not any("Ringsted" in line for line in lines)
    xlsx = client.get(url(periode="2022", export="xlsx", table="rangliste"))
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[1][:3] == (1, "Lolland", 7) or rows[1][2] == 7
    assert any(row[1] == "Guldborgsund" and row[2] == 11 for row in rows)
    # the page's download links keep the chosen period and municipality
    html = client.get(url(kommune="guldborgsund", periode="2022")).content.decode()
    assert "?kommune=guldborgsund&amp;periode=2022&amp;export=csv&amp;table=rangliste" in html


# -- naming comparable municipalities -----------------------------------------------------------


def comparables_url(slug="guldborgsund"):
    return reverse("plans:comparables", args=[slug])


@pytest.mark.django_db
def test_an_administrator_names_the_comparable_municipalities(client, country):
    towns = country["towns"]
    client.force_login(country["member"](towns["Guldborgsund"], Membership.Role.ADMIN))
    form = client.get(comparables_url())
    assert form.status_code == 200
    html = form.content.decode()
    assert "<legend>Region Sjælland</legend>" in html
    assert re.search(r'value="lolland"[^>]*checked', html)
    assert 'value="guldborgsund"' not in html  # not itself
    response = client.post(comparables_url(), {"comparables": ["lolland", "ringsted"]},
                           follow=True)  # fmt: skip
    assert "Sammenlignelige kommuner for Guldborgsund er gemt (2)." in response.content.decode()
    assert set(towns["Guldborgsund"].comparables.values_list("name", flat=True)) == {
        "Lolland", "Ringsted"
    }  # fmt: skip
    # and the indicator page links there for those who may
    assert 'href="/municipalities/guldborgsund/comparables/"' in client.get(url()).content.decode()
    make_plan(towns["Guldborgsund"])  # the start page lists municipalities with plans
    assert "Vælg sammenlignelige kommuner for Guldborgsund" in client.get("/").content.decode()


@pytest.mark.django_db
def test_others_may_not_name_them(client, country):
    towns = country["towns"]
    assert client.get(comparables_url()).status_code == 302  # to the login page
    for municipality, role in [
        (towns["Ringsted"], Membership.Role.ADMIN),  # of another municipality
        (towns["Guldborgsund"], Membership.Role.ANALYST),
        (towns["Guldborgsund"], Membership.Role.COMMITTEE),
    ]:
        user = country["member"](municipality, role, username=f"{role}-{municipality.slug}-x")
        client.force_login(user)
        assert client.get(comparables_url()).status_code == 403
        assert client.post(comparables_url(), {"comparables": ["lolland"]}).status_code == 403
        page = client.get(url(kommune="guldborgsund")).content.decode()
        assert "/municipalities/guldborgsund/comparables/" not in page
    assert client.get(comparables_url("region-sjaelland")).status_code == 404
    assert towns["Guldborgsund"].comparables.count() == 4


@pytest.mark.django_db
def test_invalid_choices_are_refused_and_kept(client, country):
    towns = country["towns"]
    client.force_login(country["member"](towns["Guldborgsund"], Membership.Role.ADMIN))
    before = set(towns["Guldborgsund"].comparables.all())
    for bad in (["lolland", "guldborgsund"], ["lolland", "region-sjaelland"], ["lolland", "x"]):
        response = client.post(comparables_url(), {"comparables": bad})
        assert response.status_code == 400
        html = response.content.decode()
        assert "Intet blev gemt." in html
        assert re.search(r'value="lolland"[^>]*checked', html)  # what was chosen stays
        assert not re.search(r'value="vordingborg"[^>]*checked', html)
        assert set(towns["Guldborgsund"].comparables.all()) == before
    extra = [
        kpi_services.area_get_or_create(kind="municipality", name=f"Kommune {i}", code=f"9{i:02d}")
        for i in range(21)
    ]
    response = client.post(comparables_url(), {"comparables": [a.slug for a in extra]})
    assert response.status_code == 400
    assert "Højst 20 sammenlignelige kommuner; der blev valgt 21." in response.content.decode()
    assert re.search(r'value="kommune-20"[^>]*checked', response.content.decode())
    assert set(towns["Guldborgsund"].comparables.all()) == before


@pytest.mark.django_db
def test_the_service_refuses_itself_other_areas_and_too_many(country):
    towns, region = country["towns"], country["region"]
    guldborgsund = towns["Guldborgsund"]
    before = set(guldborgsund.comparables.all())
    for comparables in ([guldborgsund], [towns["Lolland"], region]):
        with pytest.raises(ValidationError):
            kpi_services.area_comparables_set(municipality=guldborgsund, comparables=comparables)
    with pytest.raises(ValidationError):
        kpi_services.area_comparables_set(municipality=region, comparables=[guldborgsund])
    assert set(guldborgsund.comparables.all()) == before
    kpi_services.area_comparables_set(municipality=guldborgsund, comparables=[])
    assert not guldborgsund.comparables.exists()


@pytest.mark.django_db
def test_the_api_lists_comparables_as_slugs(client, country):
    areas = client.get("/api/areas/", {"kind": "municipality"}).json()["results"]
    guldborgsund = next(a for a in areas if a["slug"] == "guldborgsund")
    assert sorted(guldborgsund["comparables"]) == ["lolland", "naestved", "ringsted", "vordingborg"]


@pytest.mark.django_db
def test_visible_areas_decide_the_ranking(country):
    """The page reads nothing outside plans.access.visible_areas."""
    from django.contrib.auth.models import AnonymousUser

    view = indicator_country(country["indicator"], access.visible_areas(AnonymousUser()))
    assert [r.area.name for r in view.rows] == ["Vordingborg", "Guldborgsund", "Næstved", "Lolland"]
    assert view.chosen is None and view.comparables is None
