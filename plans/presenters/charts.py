"""Charts built in Python: one function per chart, rows in (plain dicts, or a DataFrame where
a page has one), a figure out as the plain dict plotly.js draws ({"data": [...], "layout":
{...}}), written as JSON by to_json.

Plain dicts, not plotly.graph_objects: a go.Figure validates every property as it is set, which
was a quarter of the target page's time at national scale (issue 17). The JSON is the one
go.Figure.to_json() wrote (plotly's default template, the same properties and values), so
static/js/charts.js draws the same; tests/test_charts_json.py holds it to plotly's own.

The page embeds the JSON; static/js/charts.js draws it with the plotly.js served from
static/vendor. Every chart has the same data as a table beside it.
"""

import json
from decimal import Decimal
from functools import cache

import pandas as pd
from django.utils.translation import gettext as _

# The municipality stands out; comparison areas are quieter. Colours pass 3:1 against white.
OWN_COLOUR = "#00466e"
COMPARISON_COLOURS = ["#6b6b6b", "#8a5a00", "#5b3f8c", "#1a6b2f"]
REQUIRED_COLOUR = "#b00020"


DEADLINE_COLOUR = "#1b1b1b"
FORECAST_COLOUR = "#00466e"
# A lone period still gets a readable axis: this much either side of it, not plotly's
# millisecond zoom ("23:59:59.999 Dec 30, 2016").
LONE_POINT_MARGIN = pd.Timedelta(days=183)
FONT_FAMILY = "system-ui, Segoe UI, Roboto, Arial, sans-serif"


# -- the figure as plotly.js takes it ----------------------------------------------------------


@cache
def _template() -> dict:
    """plotly's default template (colours, grid, hover), which go.Figure put in every figure:
    read once per process and shared by every figure, so nothing may change it (the figures
    are written to JSON as they are built). plotly is imported here only, and only for it."""
    import plotly.io as pio

    return pio.templates[pio.templates.default].to_plotly_json()


def _figure(data: list[dict], layout: dict) -> dict:
    return {"data": data, "layout": {"template": _template(), **layout}}


def _values(column) -> list:
    """A column as plain values (Python's, not numpy's), as plotly.js reads an array."""
    return column.tolist() if hasattr(column, "tolist") else list(column)


def _plain(value):
    """What json cannot write itself, as plotly wrote it: an exact figure as a number, a day
    (or a pandas Timestamp) as its ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # a numpy number
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _strict(constant):
    return None  # NaN and ±Infinity are not JSON: plotly.js reads null as a gap


# As plotly.io.to_json wrote them: no "</script>" inside the JSON can end the page's script.
_UNSAFE = (("<", "\\u003c"), (">", "\\u003e"), ("/", "\\u002f"))


def to_json(figure: dict) -> str:
    """The figure as the page embeds it: compact JSON, the same as go.Figure.to_json()."""
    text = json.dumps(figure, default=_plain, separators=(",", ":"))
    if "NaN" in text or "Infinity" in text:  # rare; a text may merely contain the word
        text = json.dumps(json.loads(text, parse_constant=_strict), separators=(",", ":"))
    for unsafe, safe in _UNSAFE:
        text = text.replace(unsafe, safe)
    return text


# -- the pieces ---------------------------------------------------------------------------------


def _period_ticks(rows: list[dict]) -> dict:
    """Label the x axis with the periods as the documents write them ("4.kv.22 - 3.kv.23");
    with many periods, years are enough."""
    labels = {}
    for row in rows:
        labels.setdefault(row["end"], row["label"])  # the first row's label of each end
    if not labels or len(labels) > 8:
        return {"tickformat": "%Y", "dtick": "M12"}
    ends = sorted(labels)
    return {"tickvals": ends, "ticktext": [labels[end] for end in ends]}


def _x_range(days) -> list | None:
    """The days a chart spans, so one period (or a baseline alone) is not zoomed to a
    millisecond; None lets plotly fit several."""
    days = {d for d in days if d is not None}
    if not days:
        return None
    first, last = pd.Timestamp(min(days)), pd.Timestamp(max(days))
    if first == last:
        return [first - LONE_POINT_MARGIN, last + LONE_POINT_MARGIN]
    pad = (last - first) / 30
    return [first - pad, last + pad]


def _y_axis(y_title: str) -> dict:
    # "1.080", not "1080": plotly groups thousands only when asked.
    return {"title": {"text": y_title}, "gridcolor": "#e3e3e3", "zeroline": False,
            "separatethousands": True}  # fmt: skip


def _layout(data: list[dict], y_title: str, ticks: dict, x_range=None, **extra) -> dict:
    """A chart over time: Danish separators, the legend below, one hover for all lines."""
    x_axis = {"showgrid": False, "type": "date", "hoverformat": "%d.%m.%Y", **ticks}
    if x_range:
        x_axis["range"] = x_range
    layout = {
        **extra,
        "separators": ",.",  # Danish decimals and thousands in ticks and hovers
        "margin": {"l": 70, "r": 20, "t": 30, "b": 60},
        "height": 380,
        "legend": {"orientation": "h", "y": -0.2},
        "yaxis": _y_axis(y_title),
        "hovermode": "x unified",
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "font": {"family": FONT_FAMILY, "size": 14},
        "xaxis": x_axis,
    }
    return _figure(data, layout)


def _shown(rows: list[dict]) -> list:
    """Each figure as the page writes it ("1.080", "58,8 %"), for the hover."""
    return [row["shown"] if "shown" in row else str(row["value"]) for row in rows]


def _scatter(x: list, y: list, **properties) -> dict:
    return {**properties, "x": x, "y": y, "type": "scatter"}


def _column(rows: list[dict], name: str) -> list:
    return [row[name] for row in rows]


def _by_end(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda row: row["end"])


def _area_trace(area: str, rows: list[dict], colour: str, width: int = 2, dash=None) -> dict:
    """One area's figures as a line, hovering with the Danish period label and value."""
    line = {"color": colour, "width": width}
    if dash:
        line["dash"] = dash
    return _scatter(
        _column(rows, "end"),
        _column(rows, "value"),
        customdata=[[row["label"], shown] for row, shown in zip(rows, _shown(rows), strict=True)],
        name=area,
        mode="lines+markers",
        line=line,
        hovertemplate="%{customdata[0]}: %{customdata[1]}<extra>" + area + "</extra>",
    )


def _deadline_mark(deadline, label: str) -> dict:
    """A vertical line at the deadline, named, so the distance left is seen."""
    return {
        "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": deadline, "x1": deadline,
                    "y0": 0, "y1": 1,
                    "line": {"color": DEADLINE_COLOUR, "width": 1, "dash": "dot"}}],
        "annotations": [{"x": deadline, "y": 1, "xref": "x", "yref": "paper", "text": label,
                         "showarrow": False, "xanchor": "right", "yanchor": "bottom",
                         "font": {"size": 12, "color": DEADLINE_COLOUR}}],
    }  # fmt: skip


# -- the charts ---------------------------------------------------------------------------------


def target_chart(
    series: list[dict],
    *,
    own_area: str,
    required: list[dict],
    baseline: dict | None,
    y_title: str,
    path: list[dict] | None = None,
    glide: bool = False,
    deadline: dict | None = None,
    forecast: dict | None = None,
) -> dict:
    """The target's whole series with the comparison areas, the target and the baseline.

    series: rows with area, end, label, value (and shown, the value as written), a figure each.
    required: rows with end, value (and shown): what each figure was held against (a relative
      target's line, which follows the comparison area).
    path: rows with end, value (and shown): the target over its whole window (a threshold, a
      change, a glide path year by year); drawn instead of `required` where given.
    baseline: {"end", "value", "label", "shown"} or None.
    deadline: {"end", "label"}: the deadline, marked by a vertical line.
    forecast: {"start", "start_value", "end", "value", "shown"}: the projection from the
      latest figure to the deadline, dotted.
    """
    data = []
    by_area = _by_area(series)
    others = [a for a in by_area if a != own_area]
    for area, colour in [(own_area, OWN_COLOUR)] + list(
        zip(others, COMPARISON_COLOURS * 3, strict=False)
    ):
        if by_area.get(area):
            width = 3 if area == own_area else 2
            data.append(_area_trace(area, _by_end(by_area[area]), colour, width=width))
    line = path if path else required
    if line:
        rows = _by_end(line)
        data.append(
            _scatter(
                _column(rows, "end"),
                _column(rows, "value"),
                customdata=_shown(rows),
                name=_("Glide path") if glide else _("Target"),
                mode="lines" if len(rows) > 1 else "lines+markers",  # one point: still seen
                line={
                    "color": REQUIRED_COLOUR,
                    "dash": "dash",
                    "width": 2,
                    "shape": "linear" if glide or line is required else "hv",
                },
                hovertemplate="%{customdata}<extra>" + _("Target") + "</extra>",
            )  # fmt: skip
        )
    if baseline:
        data.append(
            _scatter(
                [baseline["end"]],
                [baseline["value"]],
                name=_("Baseline"),
                mode="markers",
                marker={"symbol": "diamond", "size": 12, "color": "#1b1b1b"},
                customdata=[[baseline["label"], baseline.get("shown", baseline["value"])]],
                hovertemplate="%{customdata[0]}: %{customdata[1]}<extra>"
                + _("Baseline")
                + "</extra>",
            )
        )
    if forecast:
        data.append(
            _scatter(
                [forecast["start"], forecast["end"]],
                [forecast["start_value"], forecast["value"]],
                name=_("Forecast"),
                mode="lines+markers",
                marker={"symbol": ["circle-open", "circle-open"], "size": [1, 9]},
                line={"color": FORECAST_COLOUR, "dash": "dot", "width": 2},
                customdata=["", forecast["shown"]],
                hovertemplate="%{customdata}<extra>" + _("Forecast") + "</extra>",
            )
        )
    days = _column(series, "end") + _column(line, "end")
    if baseline:
        days.append(baseline["end"])
    marks = {}
    if deadline:
        days.append(deadline["end"])
        marks = _deadline_mark(deadline["end"], deadline["label"])
    ticks = _period_ticks(series)
    if _spans_years(days):
        ticks = _year_ticks(days)  # the window is years long: the periods' labels would crowd
    return _layout(data, y_title, ticks, _x_range(days), **marks)


def _by_area(rows: list[dict]) -> dict[str, list[dict]]:
    """The rows of each area, the areas in the order they first come."""
    by_area = {}
    for row in rows:
        by_area.setdefault(row["area"], []).append(row)
    return by_area


def _spans_years(days) -> bool:
    years = {d.year for d in days}
    return bool(years) and max(years) - min(years) >= 2


def _year_ticks(days) -> dict:
    """A tick at each year's end, named by the year: a year's figure, which ends on 31
    December, sits on its own year ("2016"), not on the next one's first of January."""
    years = sorted({d.year for d in days})
    ends = [pd.Timestamp(year, 12, 31) for year in range(years[0], years[-1] + 1)]
    step = max(1, len(ends) // 10)
    ends = ends[::step]
    return {"tickvals": ends, "ticktext": [str(d.year) for d in ends]}


COMPARABLE_COLOUR = "#8a5a00"
OTHER_COLOUR = "#7a8893"  # 3,5:1 against white: the bars stay visible, the chosen stand out


def _country_line(country: float) -> dict:
    """Hele landet as a dashed line across every bar, named at its left end."""
    return {
        "shapes": [{"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1,
                    "y0": country, "y1": country,
                    "line": {"color": "#1b1b1b", "dash": "dash", "width": 2}}],
        "annotations": [{"text": _("Whole country"), "showarrow": False, "x": 0,
                         "xanchor": "left", "xref": "x domain", "y": country,
                         "yanchor": "bottom", "yref": "y"}],
    }  # fmt: skip


def ranking_chart(ranking: pd.DataFrame, *, y_title: str, country: float | None) -> dict:
    """Every municipality's figure for one period as bars, best first; the chosen municipality
    and its comparable municipalities coloured and, so not by colour alone, hatched or named
    in the hover; hele landet as a line across.

    ranking: columns area, value, rank, role ("own", "comparable" or "other"), best first.
    """
    styles = {
        "own": (OWN_COLOUR, ""),
        "comparable": (COMPARABLE_COLOUR, "/"),
        "other": (OTHER_COLOUR, ""),
    }
    names = {"own": _("Chosen municipality"), "comparable": _("Comparable municipality"),
             "other": _("Other municipalities")}  # fmt: skip
    data = []
    for role in ("other", "comparable", "own"):
        rows = ranking[ranking["role"] == role]
        if rows.empty:
            continue
        colour, pattern = styles[role]
        data.append(
            {
                "customdata": _values(rows["rank"]),
                "hovertemplate": "%{x}: %{y} (nr. %{customdata})<extra>" + names[role]
                + "</extra>",
                "marker": {"color": colour, "pattern": {"shape": pattern}},
                "name": names[role],
                "x": _values(rows["area"]),
                "y": _values(rows["value"]),
                "type": "bar",
            }
        )  # fmt: skip
    layout = {
        **(_country_line(country) if country is not None else {}),
        "margin": {"l": 60, "r": 20, "t": 30, "b": 130},
        "legend": {"orientation": "h", "y": 1.08},
        "font": {"family": FONT_FAMILY, "size": 13},
        "separators": ",.",
        "height": 460,
        "yaxis": _y_axis(y_title),
        "barmode": "overlay",
        "bargap": 0.15,
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        # One category per municipality, in rank order, whichever trace it is in.
        "xaxis": {"tickfont": {"size": 10}, "type": "category", "categoryorder": "array",
                  "categoryarray": _values(ranking["area"]), "tickangle": -60},
    }  # fmt: skip
    return _figure(data, layout)


def comparison_series_chart(series: pd.DataFrame, *, own_area: str, y_title: str) -> dict:
    """A municipality's series over time against hele landet and the average of its comparable
    municipalities.

    series: columns area, end, label, value; one row per area and period.
    """
    data = []
    rows = series.to_dict("records")
    by_area = _by_area(rows)
    others = [a for a in by_area if a != own_area]
    # Told apart by the line's pattern as well as its colour.
    styles = [(OWN_COLOUR, "solid"), ("#1b1b1b", "dash"), (COMPARABLE_COLOUR, "dot")]
    for area, (colour, dash) in zip([own_area, *others], styles, strict=False):
        if by_area.get(area):
            width = 3 if area == own_area else 2
            data.append(_area_trace(area, _by_end(by_area[area]), colour, width=width, dash=dash))
    return _layout(data, y_title, _period_ticks(rows), _x_range(_column(rows, "end")))
