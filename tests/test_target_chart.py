"""The target page's chart shows the target: the line or glide path over the whole window, the
deadline, the forecast dotted to it; Danish numbers and months; a lone figure readable; a
caption that says what is drawn."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from kpis.models import Indicator
from kpis.services import period_get_or_create
from plans.engine import kinds
from plans.engine import status as engine
from tests.builders import (
    make_country,
    make_indicator,
    make_municipality,
    make_plan,
    make_target,
    record,
    rule,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def vordingborg():
    municipality = make_municipality("Vordingborg", "390")
    municipality.public_dashboards = True
    municipality.save()
    make_country()
    return municipality


def _approved(plan):
    plan.approval_state = plan.Approval.APPROVED
    plan.save()
    return plan


def _chart(client, target):
    response = client.get(reverse("plans:target", args=[target.key]))
    figures = response.context["figures"]
    return json.loads(figures.figure_json), figures.label, response.content.decode()


def _trace(figure, name):
    return next(t for t in figure["data"] if t.get("name") == name)


def test_a_glide_path_is_drawn_year_by_year_to_its_deadline(client, vordingborg):
    """Vordingborg 3.3: "fra ca. 25 % i 2016 til højst 20 % i 2025", before any 2017 figure."""
    plan = _approved(make_plan(vordingborg, start_year=2019, end_year=2019))
    share = make_indicator("andel", unit=Indicator.Unit.PERCENT, decimals=1)
    record(share, vordingborg, "2016", "25")
    target = make_target(plan, share, kind="glide_path", bound="at_most",
                         target_value=Decimal(20), deadline=date(2025, 12, 31),
                         measure_from=date(2017, 1, 1), period_kind="year",
                         baseline_value=Decimal(25), baseline_period=period_get_or_create("2016"),
                         wording="Fra ca. 25 % i 2016 til 20 % i 2025")  # fmt: skip
    figure, label, _page = _chart(client, target)
    path = _trace(figure, "Glidebane")
    assert path["x"][0].startswith("2016-12-31") and path["x"][-1].startswith("2025-12-31")
    assert len(path["x"]) == 10  # every year's value, 2016 to 2025
    assert (Decimal(str(path["y"][0])), Decimal(str(path["y"][-1]))) == (25, 20)
    assert Decimal(str(path["y"][1])) == Decimal("24.4444")  # 25 − 5/9
    deadline = [s for s in figure["layout"]["shapes"] if s["x0"].startswith("2025-12-31")]
    assert deadline and "Frist 31. december 2025" in figure["layout"]["annotations"][0]["text"]
    ticks = figure["layout"]["xaxis"]["ticktext"]
    assert ticks[0] == "2016" and ticks[-1] == "2025"
    assert label == "Andel over tid, med målet og fristen"  # no comparison area is drawn


def test_a_lone_figure_gets_a_readable_axis_and_danish_numbers(client, vordingborg):
    plan = _approved(make_plan(vordingborg, start_year=2017, end_year=2017))
    count = make_indicator("kontakter")
    record(count, vordingborg, "2017", "3.500")
    target = make_target(plan, count, kind="threshold", bound="at_least",
                         target_value=Decimal(3600), deadline=date(2017, 12, 31),
                         wording="Mindst 3.600")  # fmt: skip
    figure, _label, page = _chart(client, target)
    start, end = (date.fromisoformat(x[:10]) for x in figure["layout"]["xaxis"]["range"])
    assert (end - start).days > 300  # not plotly's millisecond zoom on one point
    assert figure["layout"]["yaxis"]["separatethousands"] is True
    assert figure["layout"]["separators"] == ",."
    own = _trace(figure, "Vordingborg")
    assert own["customdata"] == [["2017", "3.500"]]  # hover as the page writes it
    assert "vendor/plotly-locale-da.js" in page


def test_the_forecast_is_dotted_to_the_deadline(
    client, vordingborg, django_capture_on_commit_callbacks
):
    """A deadline ahead (the end of next year) and two quarters: the trend, projected."""
    year = date.today().year
    plan = _approved(make_plan(vordingborg, start_year=year, end_year=year + 1))
    count = make_indicator("unge")
    target = make_target(plan, count, deadline=date(year + 1, 12, 31), period_kind="quarter")
    with django_capture_on_commit_callbacks(execute=True):
        record(count, vordingborg, f"{year}Q1", "1.000")
        record(count, vordingborg, f"{year}Q2", "1.040")
    figure, label, _page = _chart(client, target)
    forecast = _trace(figure, "Prognose")
    assert forecast["line"]["dash"] == "dot"
    assert forecast["x"][0].startswith(f"{year}-06-30")
    assert forecast["x"][1].startswith(f"{year + 1}-12-31")
    assert "Prikket: prognosen frem til fristen" in label


def test_the_caption_names_the_comparison_areas_it_draws(client, vordingborg):
    plan = _approved(make_plan(vordingborg, start_year=2023, end_year=2023))
    count = make_indicator("unge")
    country = vordingborg.__class__.objects.get(kind="country")
    record(count, vordingborg, "2023Q1", "969")
    record(count, country, "2023Q1", "50.000")
    target = make_target(plan, count, period_kind="quarter")
    _figure, label, _page = _chart(client, target)
    assert label == "Unge over tid sammen med Hele landet, med målet og fristen"


def test_the_target_path_steps_where_a_revision_takes_effect():
    june = engine.Revision(date(2023, 6, 1), target_value=Decimal(950))
    revised = rule(target_value="1.075", measure_from=date(2023, 1, 1), revisions=(june,))
    path = kinds.target_path(revised, date(2023, 1, 1))  # the kind says how it is drawn
    assert path == [(date(2023, 1, 1), Decimal(1075)), (date(2023, 6, 1), Decimal(950)),
                    (date(2023, 12, 31), Decimal(950))]  # fmt: skip


def test_the_danish_locale_is_served_from_static():
    text = Path(settings.BASE_DIR, "static/vendor/plotly-locale-da.js").read_text()
    assert "name: 'da'" in text and "'Januar'" in text and "Plotly.register" in text
