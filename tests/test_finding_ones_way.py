"""Finding one's way: the plan's target table links each target with its number and its status
as a badge; the indicator list searches and filters by query string, without JavaScript; a
theme page's "Andre fokusområder" are the others; a download keeps æ, ø and å in its name."""

from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse

from kpis.models import Indicator
from plans import services
from tests.builders import (
    make_country,
    make_indicator,
    make_municipality,
    make_plan,
    make_target,
    record,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(django_capture_on_commit_callbacks):
    guldborgsund = make_municipality()
    guldborgsund.public_dashboards = True
    guldborgsund.save()
    make_country()
    plan = make_plan(guldborgsund)
    plan.approval_state = plan.Approval.APPROVED
    plan.save()
    first = services.focus_area_create(
        plan=plan, key="uddannelse", title="Uddannelsesbyen", order=0
    )
    second = services.focus_area_create(plan=plan, key="erhverv", title="Et godt erhvervsklima",
                                        order=1)  # fmt: skip
    young = make_indicator("unge-offentlig-forsorgelse")
    young.name = "Unge på offentlig forsørgelse"
    young.description = "Antal personer under 30 år på offentlig forsørgelse."
    young.save()
    share = make_indicator("sygefravaer", unit=Indicator.Unit.PERCENT, decimals=1)
    young_target = make_target(plan, young, key="unge")
    young_target.focus_areas.add(first)
    share_target = make_target(plan, share, key="syge", code="3a", target_value=Decimal(6),
                               wording="Maksimalt 6 %")  # fmt: skip
    share_target.focus_areas.add(second)
    with django_capture_on_commit_callbacks(execute=True):
        record(young, guldborgsund, "2023Q1", "969")
    return plan, first, second, young, share


def test_the_target_table_links_numbers_and_badges(client, plan):
    plan, *_ = plan
    page = client.get(reverse("plans:plan", args=[plan.key])).content.decode()
    table = page[
        page.index('id="table-maal"') : page.index("</table>", page.index('id="table-maal"'))
    ]
    assert f'<a href="{reverse("plans:target", args=["unge"])}">' in table
    assert "<td>1</td>" in table and "<td>3a</td>" in table  # the plan's own "3a" kept
    assert (
        '<span class="status-badge status-met"><span aria-hidden="true">✓</span> Opfyldt</span>'
        in table
    )
    no_data = '<span class="status-badge status-no_data"><span aria-hidden="true">–</span>'
    assert no_data + " Ingen data</span>" in table


def test_the_targets_download_keeps_the_danish_letters(client, plan):
    plan, *_ = plan
    plan.title = "Beskæftigelsesplan for Guldborgsund"
    plan.save()
    response = client.get(
        reverse("plans:plan", args=[plan.key]), {"export": "csv", "table": "maal"}
    )
    name = "beskæftigelsesplan-for-guldborgsund-maal.csv"
    assert f"filename*=UTF-8''{quote(name)}" in response["Content-Disposition"]
    assert (
        "1;"
        in response.content.decode("utf-8-sig")
        .splitlines()[1]
        .split("Unge på offentlig forsørgelse;")[1][:2]
    )


def test_the_indicator_list_searches_and_filters_without_javascript(client, plan):
    _plan, first, second, young, share = plan
    url = reverse("plans:indicators")
    everything = client.get(url).content.decode()
    assert "Unge på offentlig forsørgelse" in everything and "Sygefravaer" in everything
    assert 'method="get"' in everything and 'name="q"' in everything

    found = client.get(url, {"q": "under 30 år"}).content.decode()  # the description
    assert "Unge på offentlig forsørgelse" in found and "Sygefravaer" not in found
    assert "1 indikator af 2" in found

    theme = client.get(url, {"tema": second.pk}).content.decode()
    assert "Sygefravaer" in theme and "Unge på offentlig forsørgelse</a>" not in theme

    ringsted = make_municipality("Ringsted", "329")
    ringsted.public_dashboards = True
    ringsted.save()
    ringsted_plan = make_plan(ringsted, key="ringsted")
    ringsted_plan.approval_state = ringsted_plan.Approval.APPROVED
    ringsted_plan.save()
    none = client.get(url, {"kommune": ringsted.slug}).content.decode()
    assert "Ingen indikatorer passer til søgningen." in none
    mine = client.get(url, {"kommune": "guldborgsund"}).content.decode()
    assert "Unge på offentlig forsørgelse" in mine and "Sygefravaer" in mine


def test_a_bad_filter_is_told_in_danish_and_the_list_stays_whole(client, plan):
    page = client.get(reverse("plans:indicators"), {"tema": "x"}).content.decode()
    assert "Marker en gyldig valgmulighed." in page and "Sygefravaer" in page


def test_other_focus_areas_are_the_others(client, plan):
    plan, first, second, *_ = plan
    page = client.get(reverse("plans:theme", args=[plan.key, first.key])).content.decode()
    nav = page[page.index('class="sibling-themes"') :]
    assert "Et godt erhvervsklima" in nav and "Uddannelsesbyen" not in nav


def test_a_theme_without_targets_says_so(client, plan):
    """Vordingborg's "6 Muligheder ved anlæg af ny Storstrømsbro" has no targets: the plan page
    says "Ingen mål endnu", not "0 mål: ✓ 0 opfyldt, ≈ 0 tæt på, …"."""
    plan, *_ = plan
    services.focus_area_create(plan=plan, key="bro", title="Ny Storstrømsbro", order=2)
    page = client.get(reverse("plans:plan", args=[plan.key])).content.decode()
    theme = page[page.index("Ny Storstrømsbro") :]
    summary = theme[: theme.index("</p>")]
    assert "Ingen mål endnu" in summary and "0 mål" not in summary
