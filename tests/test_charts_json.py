"""The charts are plain dicts (plans.presenters.charts), not plotly figures: what the pages embed
must still be what plotly itself writes for the same figure, every property valid, so that
static/js/charts.js draws what it drew."""

import json
from datetime import date
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go

from plans.presenters import charts


def _plotly_json(figure: dict) -> dict:
    """plotly's own JSON of the figure, validated property by property (an unknown or
    misspelt property raises)."""
    return json.loads(go.Figure(figure).to_json())


def _series(area, values, *, start=2016, kind="year"):
    rows = []
    for i, value in enumerate(values):
        end = date(start + i, 12, 31) if kind == "year" else date(start, 3 * (i + 1), 28)
        rows.append(
            {
                "area": area,
                "end": end,
                "label": f"{end:%b %Y}",
                "value": Decimal(value),
                "shown": f"{value} %",
            }
        )
    return rows


def test_the_target_chart_is_plotlys_own_json():
    series = (
        _series("Vordingborg", ["25.1", "24.0", "23.5", "22.25"])
        + _series("Hele landet", ["20.0", "20.5", "21.0", "21.5"])
        + _series("RAR Sjælland", ["22.0", "22.1", "22.3", "22.8"])
    )
    path = [
        {"end": date(2016, 12, 31), "value": Decimal(25), "shown": "25 %"},
        {"end": date(2020, 12, 31), "value": Decimal(20), "shown": "20 %"},
    ]
    figure = charts.target_chart(
        series,
        own_area="Vordingborg",
        required=[],
        path=path,
        glide=True,
        baseline={
            "end": date(2015, 12, 31),
            "value": Decimal("25.5"),
            "label": "2015",
            "shown": "25,5 %",
        },
        deadline={"end": date(2020, 12, 31), "label": "Frist 31. december 2020"},
        forecast={
            "start": date(2019, 12, 31),
            "start_value": Decimal("22.25"),
            "end": date(2020, 12, 31),
            "value": Decimal("21.123"),
            "shown": "21,1 %",
        },
        y_title="procent",
    )
    embedded = json.loads(charts.to_json(figure))
    assert embedded == _plotly_json(figure)
    names = [trace["name"] for trace in embedded["data"]]
    # the three areas, the glide path, the baseline and the forecast
    assert names[:3] == ["Vordingborg", "Hele landet", "RAR Sjælland"] and len(names) == 6
    assert embedded["layout"]["xaxis"]["range"][0].startswith("2015-")
    assert embedded["data"][-1]["y"] == [22.25, 21.123]  # exact figures as plotly's numbers


def test_a_lone_figure_and_few_periods_are_plotlys_own_json():
    series = _series("Guldborgsund", ["969"], kind="quarter")
    figure = charts.target_chart(
        series,
        own_area="Guldborgsund",
        required=[{"end": date(2016, 3, 28), "value": Decimal(1075), "shown": "1.075"}],
        baseline=None,
        y_title="antal",
    )
    embedded = json.loads(charts.to_json(figure))
    assert embedded == _plotly_json(figure)
    assert embedded["layout"]["xaxis"]["ticktext"] == ["Mar 2016"]


def test_the_ranking_and_the_series_charts_are_plotlys_own_json():
    ranking = pd.DataFrame(
        {
            "area": ["Ringsted", "Næstved", "Guldborgsund"],
            "value": [Decimal("8.5"), 10, 10.5],
            "rank": ["1.", "2.", "3."],
            "role": ["other", "comparable", "own"],
        }
    )
    for country in (Decimal("9.1"), None):
        figure = charts.ranking_chart(ranking, y_title="procent", country=country)
        assert json.loads(charts.to_json(figure)) == _plotly_json(figure)
    series = pd.DataFrame(
        _series("Guldborgsund", ["10", "11"]) + _series("Hele landet", ["9", "9.5"])
    ).drop(columns="shown")
    figure = charts.comparison_series_chart(series, own_area="Guldborgsund", y_title="procent")
    assert json.loads(charts.to_json(figure)) == _plotly_json(figure)


def test_no_script_can_be_closed_from_inside_the_json():
    series = _series("</script><script>alert(1)</script>", ["1"])
    text = charts.to_json(
        charts.target_chart(
            series,
            own_area="x",
            required=[],
            baseline=None,
            y_title="antal",
        )
    )
    assert "<" not in text and ">" not in text and "\\u003c\\u002fscript\\u003e" in text
