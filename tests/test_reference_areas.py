"""Denmark's areas as reference data: the 98 municipalities, regions, hele landet, the RAR
areas of 2015–2024 and the regional employment councils from 2025, with dated memberships."""

import io
from datetime import date
from decimal import Decimal

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpis.models import Area, AreaMembership
from kpis.reference.areas import DATA
from kpis.selectors import groups_of
from plans import services
from plans.engine import status as engine
from tests.builders import make_indicator, make_plan, make_target, record

pytestmark = pytest.mark.django_db


def load():
    call_command("load_reference", stdout=io.StringIO())


def counts():
    return {kind: Area.objects.filter(kind=kind).count() for kind in Area.Kind.values}


def test_loading_makes_the_whole_country_with_dated_memberships():
    load()
    assert counts() == {"municipality": 98, "country": 1, "rar": 8, "council": 5, "region": 5}
    codes = list(Area.objects.filter(kind="municipality").values_list("code", flat=True))
    assert len(set(codes)) == 98 and all(len(code) == 3 and code.isdigit() for code in codes)
    guldborgsund = Area.objects.get(code="376")
    assert (guldborgsund.name, guldborgsund.region.name) == ("Guldborgsund", "Region Sjælland")
    # Every municipality belongs to one RAR area for 2015–2024 and one council from 2025.
    for kind, valid_from, valid_to in (
        ("rar", date(2015, 1, 1), date(2024, 12, 31)),
        ("council", date(2025, 1, 1), None),
    ):
        links = AreaMembership.objects.filter(group__kind=kind)
        assert links.count() == 98
        assert set(links.values_list("valid_from", "valid_to")) == {(valid_from, valid_to)}
        assert links.values("member").distinct().count() == 98
    # Bornholm had a RAR area of its own; from 2025 it is in the Hovedstaden council.
    bornholm = Area.objects.get(code="400")
    assert [
        g.name for g in groups_of(bornholm, start=date(2024, 1, 1), end=date(2025, 12, 31))
    ] == [
        "RAR Bornholm",
        "Regionalt beskæftigelsesråd Hovedstaden",
    ]


def test_the_councils_are_the_regions_municipalities():
    """§ 28 of the law as amended in 2024: one council per region, covering its
    municipalities; the data file says so for each of them."""
    load()
    for link in AreaMembership.objects.filter(group__kind="council").select_related(
        "member__region", "group"
    ):
        assert link.group.name.split()[-1] == link.member.region.name.split()[-1]


def test_loading_twice_changes_nothing_and_keeps_a_seed_municipality_with_its_plan():
    ringsted = Area.objects.create(kind="municipality", name="Ringsted", slug="ringsted")
    plan = make_plan(ringsted, key="ringsted-plan")
    load()
    ids = dict(Area.objects.values_list("name", "pk"))
    memberships = list(AreaMembership.objects.order_by("pk").values_list())
    load()
    assert dict(Area.objects.values_list("name", "pk")) == ids
    assert list(AreaMembership.objects.order_by("pk").values_list()) == memberships
    ringsted.refresh_from_db()
    assert (ringsted.pk, ringsted.code, ringsted.region.name) == (
        ids["Ringsted"],
        "329",
        "Region Sjælland",
    )
    assert plan.municipality_id == ringsted.pk


def test_slugs_keep_the_danish_letters():
    load()
    assert Area.objects.get(name="RAR Sjælland").slug == "rar-sjaelland"
    assert Area.objects.get(name="Ærø").slug == "aeroe"
    assert Area.objects.get(name="Tårnby").slug == "taarnby"


def test_the_data_file_cites_its_sources():
    text = DATA.read_text(encoding="utf-8")
    assert "Danmarks Statistik" in text and "§ 28" in text and "lov nr. 1656" in text
    assert yaml.safe_load(text)["country"]["name"] == "Hele landet"


def relative_target(plan, indicator, area, deadline, key):
    return make_target(
        plan, indicator, key=key, kind=engine.RELATIVE, bound=engine.AT_MOST,
        comparison_area=area, margin=Decimal(0), target_value=None,
        wording="Højst på niveau med RAR", deadline=deadline,
    )  # fmt: skip


def test_a_target_for_2025_compares_with_the_council_not_the_ended_rar_area():
    load()
    guldborgsund = Area.objects.get(code="376")
    plan = make_plan(guldborgsund, start_year=2024, end_year=2025)
    indicator = make_indicator(unit="percent", decimals=1)
    rar = Area.objects.get(name="RAR Sjælland")
    council = Area.objects.get(name="Regionalt beskæftigelsesråd Sjælland")
    relative_target(plan, indicator, rar, date(2024, 12, 31), "for-2024")
    with pytest.raises(ValidationError) as refused:
        relative_target(plan, indicator, rar, date(2025, 12, 31), "for-2025")
    message = refused.value.message_dict["comparison_area"][0]
    assert "Regionalt beskæftigelsesråd Sjælland" in message and "RAR Sjælland" in message
    relative_target(plan, indicator, council, date(2025, 12, 31), "for-2025")


def test_the_target_page_shows_the_comparison_group_of_its_years(client):
    load()
    guldborgsund = Area.objects.get(code="376")
    guldborgsund.public_dashboards = True
    guldborgsund.save()
    indicator = make_indicator(unit="percent", decimals=1)
    rar = Area.objects.get(name="RAR Sjælland")
    council = Area.objects.get(name="Regionalt beskæftigelsesråd Sjælland")
    for area, value in ((guldborgsund, "4,1"), (rar, "3,9"), (council, "3,7")):
        record(indicator, area, "2024", value)
        record(indicator, area, "2025", value)
    pages = {}
    for year in (2024, 2025):
        plan = services.plan_create(
            municipality=guldborgsund, key=f"plan-{year}", title="Plan", kind="employment_plan",
            start_year=year, end_year=year, approval_state="approved",
        )  # fmt: skip
        make_target(plan, indicator, key=f"target-{year}", deadline=date(year, 12, 31),
                    wording="Maksimalt 5 %", target_value=Decimal(5))  # fmt: skip
        pages[year] = client.get(reverse("plans:target", args=[f"target-{year}"])).content.decode()
    assert "RAR Sjælland" in pages[2024] and council.name not in pages[2024]
    assert council.name in pages[2025] and "RAR Sjælland" not in pages[2025]


def test_the_municipalities_page_lists_the_whole_country_in_constant_queries(client):
    load()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("plans:municipalities"))
    assert page.status_code == 200
    body = page.content.decode()
    for name in ("Læsø", "Guldborgsund", "RAR Bornholm", "Regionalt beskæftigelsesråd Sjælland"):
        assert name in body
    table = page.context["table"]
    assert len(table.rows) == 98
    row = next(r for r in table.rows if r[0] == "Guldborgsund")
    assert row[1:5] == ["376", "Region Sjælland", "RAR Sjælland",
                        "Regionalt beskæftigelsesråd Sjælland"]  # fmt: skip
    # session-less anonymous request: municipalities with their plan counts, their
    # memberships, the comparison areas
    assert len(queries) == 3
    csv = client.get(reverse("plans:municipalities"), {"export": "csv", "table": "kommuner"})
    assert "Læsø;825;Region Nordjylland;RAR Nordjylland" in csv.content.decode("utf-8-sig")
