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


def _period_ticks(frame: pd.DataFrame) -> dict:
    """Label the x axis with the periods as the documents write them ("4.kv.22 - 3.kv.23");
    with many periods, years are enough."""
    if frame.empty:
        return {}
    periods = frame[["end", "label"]].drop_duplicates("end").sort_values("end")
    if len(periods) <= 8:
        return {"tickvals": list(periods["end"]), "ticktext": list(periods["label"])}
    return {"tickformat": "%Y", "dtick": "M12"}


def _layout(figure: go.Figure, y_title: str, ticks: dict) -> go.Figure:
    figure.update_layout(
        separators=",.",  # Danish decimals and thousands in ticks and hovers
        margin={"l": 60, "r": 20, "t": 30, "b": 60},
        height=380,
        legend={"orientation": "h", "y": -0.2},
        yaxis_title=y_title,
        hovermode="x unified",
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        font={"family": "system-ui, Segoe UI, Roboto, Arial, sans-serif", "size": 14},
    )
    figure.update_xaxes(showgrid=False, type="date", **ticks)
    figure.update_yaxes(gridcolor="#e3e3e3", zeroline=False)
    return figure


def _area_trace(area: str, rows: pd.DataFrame, colour: str, width: int = 2) -> go.Scatter:
    """One area's figures as a line, hovering with the Danish period label."""
    return go.Scatter(
        x=rows["end"],
        y=rows["value"],
        customdata=rows["label"],
        name=area,
        mode="lines+markers",
        line={"color": colour, "width": width},
        hovertemplate="%{customdata}: %{y}<extra>" + area + "</extra>",
    )


def target_chart(
    series: pd.DataFrame,
    *,
    own_area: str,
    required: pd.DataFrame,
    baseline: dict | None,
    y_title: str,
) -> go.Figure:
    """The target's whole series with the comparison areas, the requirement and the baseline.

    series: columns area, end, label, value (one row per figure).
    required: columns end, value (the value each period was held against).
    baseline: {"end", "value", "label"} or None.
    """
    figure = go.Figure()
    others = [a for a in series["area"].unique() if a != own_area] if len(series) else []
    for area, colour in [(own_area, OWN_COLOUR)] + list(
        zip(others, COMPARISON_COLOURS * 3, strict=False)
    ):
        rows = series[series["area"] == area].sort_values("end")
        if not rows.empty:
            figure.add_trace(_area_trace(area, rows, colour, width=3 if area == own_area else 2))
    if len(required):
        rows = required.sort_values("end")
        figure.add_trace(
            go.Scatter(
                x=rows["end"],
                y=rows["value"],
                name=_("Target"),
                mode="lines",
                line={"color": REQUIRED_COLOUR, "dash": "dash", "width": 2},
                hovertemplate="%{y}<extra>" + _("Target") + "</extra>",
            )
        )
    if baseline:
        figure.add_trace(
            go.Scatter(
                x=[baseline["end"]],
                y=[baseline["value"]],
                name=_("Baseline"),
                mode="markers",
                marker={"symbol": "diamond", "size": 12, "color": "#1b1b1b"},
                customdata=[baseline["label"]],
                hovertemplate="%{customdata}: %{y}<extra>" + _("Baseline") + "</extra>",
            )
        )
    return _layout(figure, y_title, _period_ticks(series))


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
    figure.update_yaxes(gridcolor="#e3e3e3", zeroline=False)
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
    return _layout(figure, y_title, _period_ticks(series))
