"""Charts built in Python: one function per chart, a DataFrame in, a plotly Figure out.

The page embeds the figure as JSON; static/js/charts.js draws it with the plotly.js served
from static/vendor. Every chart has the same data as a table beside it.
"""

import pandas as pd
import plotly.graph_objects as go
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


def _period_ticks(frame: pd.DataFrame) -> dict:
    """Label the x axis with the periods as the documents write them ("4.kv.22 - 3.kv.23");
    with many periods, years are enough."""
    if frame.empty:
        return {"tickformat": "%Y", "dtick": "M12"}
    periods = frame[["end", "label"]].drop_duplicates("end").sort_values("end")
    if len(periods) <= 8:
        return {"tickvals": list(periods["end"]), "ticktext": list(periods["label"])}
    return {"tickformat": "%Y", "dtick": "M12"}


def _x_range(days) -> list | None:
    """The days a chart spans, so one period (or a baseline alone) is not zoomed to a
    millisecond; None lets plotly fit several."""
    days = sorted({pd.Timestamp(d) for d in days if d is not None})
    if not days:
        return None
    first, last = days[0], days[-1]
    if first == last:
        return [first - LONE_POINT_MARGIN, last + LONE_POINT_MARGIN]
    pad = (last - first) / 30
    return [first - pad, last + pad]


def _layout(figure: go.Figure, y_title: str, ticks: dict, x_range=None) -> go.Figure:
    figure.update_layout(
        separators=",.",  # Danish decimals and thousands in ticks and hovers
        margin={"l": 70, "r": 20, "t": 30, "b": 60},
        height=380,
        legend={"orientation": "h", "y": -0.2},
        yaxis_title=y_title,
        hovermode="x unified",
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        font={"family": "system-ui, Segoe UI, Roboto, Arial, sans-serif", "size": 14},
    )
    figure.update_xaxes(showgrid=False, type="date", hoverformat="%d.%m.%Y", **ticks)
    if x_range:
        figure.update_xaxes(range=x_range)
    # "1.080", not "1080": plotly groups thousands only when asked.
    figure.update_yaxes(gridcolor="#e3e3e3", zeroline=False, separatethousands=True)
    return figure


def _shown(rows: pd.DataFrame) -> list:
    """Each figure as the page writes it ("1.080", "58,8 %"), for the hover."""
    return list(rows["shown"]) if "shown" in rows else [str(v) for v in rows["value"]]


def _area_trace(area: str, rows: pd.DataFrame, colour: str, width: int = 2) -> go.Scatter:
    """One area's figures as a line, hovering with the Danish period label and value."""
    return go.Scatter(
        x=rows["end"],
        y=rows["value"],
        customdata=list(zip(rows["label"], _shown(rows), strict=True)),
        name=area,
        mode="lines+markers",
        line={"color": colour, "width": width},
        hovertemplate="%{customdata[0]}: %{customdata[1]}<extra>" + area + "</extra>",
    )


def _deadline_mark(figure: go.Figure, deadline, label: str) -> None:
    """A vertical line at the deadline, named, so the distance left is seen."""
    figure.add_shape(
        type="line", xref="x", yref="paper", x0=deadline, x1=deadline, y0=0, y1=1,
        line={"color": DEADLINE_COLOUR, "width": 1, "dash": "dot"},
    )  # fmt: skip
    figure.add_annotation(
        x=deadline, y=1, xref="x", yref="paper", text=label, showarrow=False,
        xanchor="right", yanchor="bottom", font={"size": 12, "color": DEADLINE_COLOUR},
    )  # fmt: skip


def target_chart(
    series: pd.DataFrame,
    *,
    own_area: str,
    required: pd.DataFrame,
    baseline: dict | None,
    y_title: str,
    path: pd.DataFrame | None = None,
    glide: bool = False,
    deadline: dict | None = None,
    forecast: dict | None = None,
) -> go.Figure:
    """The target's whole series with the comparison areas, the target and the baseline.

    series: columns area, end, label, value (and shown, the value as written), a row a figure.
    required: columns end, value: what each figure was held against (a relative target's
      line, which follows the comparison area).
    path: columns end, value: the target over its whole window (a threshold, a change, a
      glide path year by year); drawn instead of `required` where given.
    baseline: {"end", "value", "label", "shown"} or None.
    deadline: {"end", "label"}: the deadline, marked by a vertical line.
    forecast: {"start", "start_value", "end", "value", "shown"}: the projection from the
      latest figure to the deadline, dotted.
    """
    figure = go.Figure()
    others = [a for a in series["area"].unique() if a != own_area] if len(series) else []
    for area, colour in [(own_area, OWN_COLOUR)] + list(
        zip(others, COMPARISON_COLOURS * 3, strict=False)
    ):
        rows = series[series["area"] == area].sort_values("end")
        if not rows.empty:
            figure.add_trace(_area_trace(area, rows, colour, width=3 if area == own_area else 2))
    line = path if path is not None and len(path) else required
    if len(line):
        rows = line.sort_values("end")
        figure.add_trace(
            go.Scatter(
                x=rows["end"],
                y=rows["value"],
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
        figure.add_trace(
            go.Scatter(
                x=[baseline["end"]],
                y=[baseline["value"]],
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
        figure.add_trace(
            go.Scatter(
                x=[forecast["start"], forecast["end"]],
                y=[forecast["start_value"], forecast["value"]],
                name=_("Forecast"),
                mode="lines+markers",
                marker={"symbol": ["circle-open", "circle-open"], "size": [1, 9]},
                line={"color": FORECAST_COLOUR, "dash": "dot", "width": 2},
                customdata=["", forecast["shown"]],
                hovertemplate="%{customdata}<extra>" + _("Forecast") + "</extra>",
            )
        )
    days = list(series["end"]) + list(line["end"]) if len(series) or len(line) else []
    if baseline:
        days.append(baseline["end"])
    if deadline:
        days.append(deadline["end"])
        _deadline_mark(figure, deadline["end"], deadline["label"])
    ticks = _period_ticks(series)
    if _spans_years(days):
        ticks = _year_ticks(days)  # the window is years long: the periods' labels would crowd
    return _layout(figure, y_title, ticks, _x_range(days))


def _spans_years(days) -> bool:
    years = {pd.Timestamp(d).year for d in days}
    return bool(years) and max(years) - min(years) >= 2


def _year_ticks(days) -> dict:
    """A tick at each year's end, named by the year: a year's figure, which ends on 31
    December, sits on its own year ("2016"), not on the next one's first of January."""
    years = sorted({pd.Timestamp(d).year for d in days})
    ends = [pd.Timestamp(year, 12, 31) for year in range(years[0], years[-1] + 1)]
    step = max(1, len(ends) // 10)
    ends = ends[::step]
    return {"tickvals": ends, "ticktext": [str(d.year) for d in ends]}


COMPARABLE_COLOUR = "#8a5a00"
OTHER_COLOUR = "#7a8893"  # 3,5:1 against white: the bars stay visible, the chosen stand out


def ranking_chart(ranking: pd.DataFrame, *, y_title: str, country: float | None) -> go.Figure:
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
    figure = go.Figure()
    for role in ("other", "comparable", "own"):
        rows = ranking[ranking["role"] == role]
        if rows.empty:
            continue
        colour, pattern = styles[role]
        figure.add_trace(
            go.Bar(
                x=rows["area"],
                y=rows["value"],
                customdata=rows["rank"],
                name=names[role],
                marker={"color": colour, "pattern": {"shape": pattern}},
                hovertemplate="%{x}: %{y} (nr. %{customdata})<extra>" + names[role] + "</extra>",
            )
        )
    if country is not None:
        figure.add_hline(
            y=country,
            line={"color": "#1b1b1b", "dash": "dash", "width": 2},
            annotation_text=_("Whole country"),
            annotation_position="top left",
        )
    figure.update_layout(
        separators=",.",
        margin={"l": 60, "r": 20, "t": 30, "b": 130},
        height=460,
        legend={"orientation": "h", "y": 1.08},
        yaxis_title=y_title,
        barmode="overlay",
        bargap=0.15,
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        font={"family": "system-ui, Segoe UI, Roboto, Arial, sans-serif", "size": 13},
    )
    # One category per municipality, in rank order, whichever trace it is in.
    figure.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=list(ranking["area"]),
        tickangle=-60,
        tickfont={"size": 10},
    )
    figure.update_yaxes(gridcolor="#e3e3e3", zeroline=False, separatethousands=True)
    return figure


def comparison_series_chart(series: pd.DataFrame, *, own_area: str, y_title: str) -> go.Figure:
    """A municipality's series over time against hele landet and the average of its comparable
    municipalities.

    series: columns area, end, label, value; one row per area and period.
    """
    figure = go.Figure()
    others = [a for a in series["area"].unique() if a != own_area] if len(series) else []
    # Told apart by the line's pattern as well as its colour.
    styles = [(OWN_COLOUR, "solid"), ("#1b1b1b", "dash"), (COMPARABLE_COLOUR, "dot")]
    for area, (colour, dash) in zip([own_area, *others], styles, strict=False):
        rows = series[series["area"] == area].sort_values("end")
        if not rows.empty:
            trace = _area_trace(area, rows, colour, width=3 if area == own_area else 2)
            trace.line.dash = dash
            figure.add_trace(trace)
    return _layout(figure, y_title, _period_ticks(series), _x_range(series["end"]))
