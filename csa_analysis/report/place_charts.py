"""Charts of where and when incidents happen and what happens to reported crime.

House style of :mod:`csa_analysis.charts` (an object-oriented ``Figure``, never pyplot; its size, resolution,
left-aligned wrapped titles naming the measure, its unit and the period). Each function returns a
:class:`Chart`: the figure, the figures behind it as a tidy frame (exactly what was drawn), and alternative
text stating the chart's main finding, computed from the data by a public ``*_finding`` function.

Readable by everyone
--------------------
* Every colour drawn for data has a contrast of at least 3:1 on white (WCAG 2.1 non-text contrast,
  :func:`contrast_ratio`). Of the Okabe-Ito palette, yellow ``#F0E442`` (1.3:1), orange ``#E69F00`` (2.3:1)
  and sky blue ``#56B4E9`` (2.3:1) fail: yellow is not used at all; orange and sky blue are darkened in their
  own hue (HLS lightness lowered) to ``#B67E00`` and ``#1B90D2`` (3.5:1). See :data:`SERIES_COLOURS`.
* Series differ by marker as well as colour (:data:`ISSUE_STYLES`: one colour and marker per issue in every
  chart of this module), and stacked segments by hatching as well as colour (:data:`OUTCOME_STYLES`).
* The density map uses :data:`DENSITY_CMAP`, the darker part of viridis (every shade at least 3.4:1 on white,
  darker = denser), and leaves suppressed cells white.

This module is imported by notebooks and the pipeline; nothing here reads files or the clock.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import ListedColormap, LogNorm, Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from csa_analysis.domain.periods import Quarter
from csa_analysis.method.outcomes import ASB_NOTE, NOT_MAPPED, OUTCOME_CAVEAT, OUTCOME_GROUPS
from csa_analysis.method.places import ANONYMISATION_NOTE, DensityGrid
from csa_analysis.method.seasonality import MONTH_NAMES, peak_months
from csa_analysis.report.charts import (
    DPI,
    ISSUE_STYLES,
    MARKERS,
    SERIES_COLOURS,
    _figure,
    _no_data,
    _thousands,
    _title,
    issue_style,
    title_of,
)

#: Least contrast on white for any colour that carries data (WCAG 2.1, 1.4.11 non-text contrast).
MIN_CONTRAST = 3.0

#: One (colour, hatch) per outcome group.
OUTCOME_STYLES: dict[str, tuple[str, str]] = {
    "Charged or summonsed": ("#0072B2", ""),
    "Out-of-court (caution, community resolution, penalty)": ("#009E73", "//"),
    "Under investigation": ("#CC79A7", "xx"),
    "Unable to prosecute / evidential difficulties": ("#D55E00", ".."),
    "Not in the public interest": ("#B67E00", "\\\\"),
    "Other / transferred": ("#1B90D2", "++"),
    "No suspect identified": ("#666666", "--"),
    NOT_MAPPED: ("#000000", "oo"),
}

#: Sequential colour map of the density map: viridis from 0.55 (teal, 3.4:1) to 0 (dark purple); darker = denser.
DENSITY_CMAP = ListedColormap(colormaps["viridis"](np.linspace(0.55, 0.0, 256)), name="csa_density")

#: Colour of outlines and scale bars.
INK = "#000000"
OUTLINE = "#595959"


# --------------------------------------------------------------------------------------------------
# Contrast


def relative_luminance(colour: object) -> float:
    """WCAG 2.1 relative luminance of a colour (0 black to 1 white).

    Examples
    --------
    >>> round(relative_luminance("#F0E442"), 3)
    0.744
    """
    rgb = np.asarray(to_rgb(colour), dtype="float64")
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(lin @ np.array([0.2126, 0.7152, 0.0722]))


def contrast_ratio(colour: object, background: object = "#FFFFFF") -> float:
    """WCAG 2.1 contrast ratio between two colours (1 to 21).

    Examples
    --------
    >>> round(contrast_ratio("#F0E442"), 2), round(contrast_ratio("#0072B2"), 2)
    (1.32, 5.19)
    """
    a, b = relative_luminance(colour), relative_luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


# --------------------------------------------------------------------------------------------------
# The chart bundle


@dataclass(frozen=True)
class Chart:
    """A chart with the figures behind it and its alternative text.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The chart (house style; nothing to close).
    data : DataFrame
        Exactly the figures drawn, tidy, for the table beside the chart (and the accessibility annex).
    alt : str
        The chart's main finding in one or two sentences, e.g. "Violence and sexual offences peaked in July
        (412 a month on average)."
    """

    figure: Figure
    data: pd.DataFrame
    alt: str

    @property
    def title(self) -> str:
        """The chart's title on one line."""
        return title_of(self.figure)

    def img_html(self) -> str:
        """An ``<img>`` element: the PNG embedded as a data URI, alt text = title, then the finding."""
        import base64
        import io

        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=DPI)
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        alt = html.escape(f"{self.title}. {self.alt}")
        return f'<img src="data:image/png;base64,{data}" alt="{alt}" style="max-width:100%;height:auto">'

    def _repr_html_(self) -> str:  # a notebook cell ending in a Chart shows the image with its alt text
        return self.img_html()


# --------------------------------------------------------------------------------------------------
# Helpers


def _fmt(value: float) -> str:
    """A count or mean for a sentence: whole numbers with thousands separators, small means to one decimal.

    Examples
    --------
    >>> _fmt(412.4), _fmt(2.25), _fmt(1234.0)
    ('412', '2.2', '1,234')
    """
    value = float(value)
    if abs(value) >= 10 or value == round(value):
        return f"{value:,.0f}"
    return f"{value:.1f}"


def _pct(share: float) -> str:
    """A share as a whole percentage ("5%"), or to one decimal below 10% ("5.1%")."""
    pct = float(share) * 100
    return f"{pct:.0f}%" if pct >= 10 or pct == 0 else f"{pct:.1f}%"


def period_label(code: str) -> str:
    """A period code of the method tables (``'2018-19Q3'``, ``'2018-10 to 2018-12'``) for a title.

    Examples
    --------
    >>> period_label("2018-19Q3")
    'October to December 2018 (2018-19 Q3)'
    >>> period_label("2018-10 to 2019-02")
    'October 2018 to February 2019'
    """
    code = str(code)
    if re.fullmatch(r"\d{4}-\d{2}Q[1-4]", code):
        return Quarter.parse(code).label()
    months = re.findall(r"\d{4}-\d{2}", code)
    if months:
        first, last = (pd.Timestamp(m + "-01").strftime("%B %Y") for m in (months[0], months[-1]))
        return first if first == last else f"{first} to {last}"
    return code


def _month_span(months: Sequence[str]) -> str:
    ms = sorted(set(map(str, months)))
    return period_label(f"{ms[0]} to {ms[-1]}") if ms else ""


def _style(issue: str, i: int = 0) -> tuple[str, str]:
    return issue_style(issue, i)


def _fitted_title(ax, text: str, chars: int, fontsize: float = 11) -> None:
    """The house title (left-aligned, every line wrapped), wrapped to ``chars`` characters: for axes pushed
    right by long tick labels, where the house width (the whole figure's) would run off the edge."""
    lines = [w for line in text.split("\n") for w in (textwrap.wrap(line, chars) or [""])]
    ax.set_title("\n".join(lines), loc="left", fontsize=fontsize)


def _note(ax, text: str, width: int = 110) -> None:
    """A wrapped note under the x axis label (part of the axes, so constrained layout keeps room for it)."""
    label = ax.get_xlabel()
    wrapped = "\n".join(textwrap.wrap(text, width))
    ax.set_xlabel(f"{label}\n{wrapped}" if label else wrapped, fontsize=8)


def _select(frame: pd.DataFrame, **equal: object) -> pd.DataFrame:
    mask = np.ones(len(frame), dtype=bool)
    for col, value in equal.items():
        if value is not None and col in frame.columns:
            mask &= (frame[col].astype("str") == str(value)).to_numpy()
    return frame[mask]


# --------------------------------------------------------------------------------------------------
# Hotspots

_PLACE_WORDS = {"lsoa": ("LSOA", "LSOAs"), "ward": ("ward", "wards"),
                "location": ("police.uk map point", "police.uk map points")}


def hotspot_finding(data: pd.DataFrame, district: str, issue: str, place_type: str, period: str) -> str:
    """The main finding of a hotspot chart: the place(s) with most incidents, count and share.

    Parameters
    ----------
    data : DataFrame
        The chart's data: ``place`` (label), ``count``, ``share``, ``rank_shared``, ``district_issue_count``.

    Examples
    --------
    >>> d = pd.DataFrame({"place": ["Melton 003A", "Melton 003B"], "count": [14, 9], "share": [0.1, 0.064],
    ...                   "rank_shared": [1, 2], "district_issue_count": [140, 140]})
    >>> print(hotspot_finding(d, "Melton", "Burglary", "lsoa", "October to December 2018"))
    ... # doctest: +NORMALIZE_WHITESPACE
    In Melton, the LSOA with most Burglary in October to December 2018 was Melton 003A: 14 incidents,
    10% of the district's 140.
    """
    one, many = _PLACE_WORDS[place_type]
    if data.empty:
        return f"No {issue} incidents were placed in any {one} of {district} in {period}."
    top = data[data["rank_shared"] == 1]
    n, share, total = int(top["count"].iloc[0]), float(top["share"].iloc[0]), int(
        top["district_issue_count"].iloc[0])
    if len(top) == 1:
        return (f"In {district}, the {one} with most {issue} in {period} was {top['place'].iloc[0]}: "
                f"{_fmt(n)} incident{'s' if n != 1 else ''}, {_pct(share)} of the district's {_fmt(total)}.")
    names = ", ".join(top["place"].iloc[:-1]) + " and " + top["place"].iloc[-1]
    return (f"In {district}, {len(top)} {many} shared the most {issue} in {period}: {names}, with "
            f"{_fmt(n)} incident{'s' if n != 1 else ''} each ({_pct(share)} of the district's {_fmt(total)}).")


def hotspot_chart(hotspots: pd.DataFrame, district: str, issue: str, *, place_type: str = "lsoa",
                  top: int = 10) -> Chart:
    """Bar chart of the places with most incidents of one issue in one district.

    Parameters
    ----------
    hotspots : DataFrame
        :func:`csa_analysis.method.places.hotspots_table` (or :func:`~csa_analysis.method.places.hotspots`).
    district, issue : str
        The district and issue drawn.
    place_type : {"lsoa", "ward", "location"}
        Which places; locations are labelled as police.uk map points ("on or near ..., in <LSOA>") with the
        anonymisation note under the chart.
    top : int
        Bars drawn (by rank).

    Returns
    -------
    Chart
        ``data``: ``rank``, ``rank_shared``, ``place`` (the bar's label), ``count``, ``share``,
        ``district_issue_count``, ``rate_per_1000``, one row per bar, top bar first.
    """
    h = _select(hotspots, district=district, issue=issue, place_type=place_type)
    h = h[h["rank"] <= top].sort_values("rank")
    period = period_label(h["period"].iloc[0]) if len(h) else ""
    label = h["place_name"].astype("str")
    if place_type == "location":
        label = label + np.where(h["lsoa_name"].notna(), " (" + h["lsoa_name"].astype("str") + ")", "")
    data = pd.DataFrame({
        "rank": h["rank"].to_numpy(), "rank_shared": h["rank_shared"].to_numpy(), "place": label.to_numpy(),
        "count": h["count"].to_numpy(), "share": h["share"].to_numpy(),
        "district_issue_count": h["district_issue_count"].to_numpy(),
        "rate_per_1000": h["rate_per_1000"].to_numpy(),
    })
    one, many = _PLACE_WORDS[place_type]
    fig, ax = _figure((8.0, 2.0 + 0.45 * max(len(data), 3)))
    colour, _marker = _style(issue)
    y = np.arange(len(data))[::-1]
    ax.barh(y, data["count"], color=colour, height=0.65)
    for yi, c, s in zip(y, data["count"], data["share"], strict=True):
        ax.annotate(f"{c:,} ({_pct(s)})", (c, yi), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize=8)
    ax.set_yticks(y, ["\n".join(textwrap.wrap(p, 34, max_lines=2, placeholder="...")) for p in data["place"]],
                  fontsize=8)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_xlabel("Incidents in the period (count; in brackets, share of the district's incidents of the issue)")
    ax.set_ylabel(one[0].upper() + one[1:] if place_type != "location" else "Map point (on or near)")
    _thousands(ax, "x")
    if data.empty:
        _no_data(ax)
    else:
        ax.set_xlim(0, float(data["count"].max()) * 1.25)
    _fitted_title(ax, f"{issue}: the {many} with most incidents (count), {district}\n{period}", 62)
    if place_type == "location":
        _note(ax, ANONYMISATION_NOTE, 80)
    return Chart(fig, data, hotspot_finding(data, district, issue, place_type, period or "the period"))


# --------------------------------------------------------------------------------------------------
# Density map


def density_finding(grid: DensityGrid) -> str:
    """The main finding of a density map: the densest cell, where it is, and what was suppressed.

    Examples
    --------
    >>> from csa_analysis.method.places import density_grid
    >>> recs = pd.DataFrame({"month": ["2018-10"] * 4, "district": ["Melton"] * 4, "issue": ["Drugs"] * 4,
    ...     "longitude": [-0.886, -0.887, -0.886, -0.80], "latitude": [52.766, 52.7665, 52.766, 52.78],
    ...     "lsoa_name": ["Melton 007A"] * 4})
    >>> print(density_finding(density_grid(recs, "2018-10", district="Melton", issue="Drugs")))
    ... # doctest: +NORMALIZE_WHITESPACE
    The densest 1 km cell for Drugs in Melton in October 2018 had 3 incidents per km², mostly in Melton 007A;
    1 incident in 1 cell with too few incidents or map points is not shown.
    """
    shown = grid.shown
    area = f"{grid.issue if grid.issue != 'All issues' else 'all incidents'} in {grid.district}"
    if shown.empty:
        text = (f"No {grid.cell_km:g} km cell for {area} in {grid.period} had enough incidents to be shown "
                f"({grid.rule()}).")
    else:
        top = shown.iloc[0]
        where = f", mostly in {top['main_lsoa']}" if pd.notna(top["main_lsoa"]) else ""
        text = (f"The densest {grid.cell_km:g} km cell for {area} in {grid.period} had "
                f"{_fmt(top['density_per_km2'])} incidents per km²{where}")
        text += ";" if grid.suppressed_cells else "."
    if grid.suppressed_cells:
        s, c = grid.suppressed_incidents, grid.suppressed_cells
        text += (f" {_fmt(s)} incident{'s' if s != 1 else ''} in {_fmt(c)} cell{'s' if c != 1 else ''} with too "
                 f"few incidents or map points {'are' if s != 1 else 'is'} not shown.")
    return text


def _scale_length(width_km: float) -> float:
    """A round scale-bar length about a fifth of the map's width."""
    for length in (0.5, 1, 2, 5, 10, 20, 50, 100, 200):
        if length >= width_km / 5:
            return float(length)
    return 500.0


def density_chart(grid: DensityGrid) -> Chart:
    """Density map of a :class:`~csa_analysis.method.places.DensityGrid`: shaded km cells, no tiles.

    The map is drawn in km east and north of the projection centre (local equirectangular, north up), with
    the convex hull of the district's map points as its outline, a scale bar in km, a north arrow, a colour
    bar in incidents per km² in the period (logarithmic when the densest cell is ten or more times the
    least shown density, so that one very dense cell does not flatten the rest), and a note of the
    suppression rule and what it hid. No tiles or external files are used.

    Returns
    -------
    Chart
        ``data``: the shown cells (``cell_x``, ``cell_y``, ``x_km``, ``y_km``, ``longitude``, ``latitude``,
        ``count``, ``points``, ``main_lsoa``, ``density_per_km2``), densest first.
    """
    data = grid.shown.drop(columns="shown")
    x0, x1, y0, y1 = grid.extent_km
    nx = max(int(round((x1 - x0) / grid.cell_km)), 1)
    ny = max(int(round((y1 - y0) / grid.cell_km)), 1)
    ix0, iy0 = int(round(x0 / grid.cell_km)), int(round(y0 / grid.cell_km))
    values = np.full((ny, nx), np.nan)
    values[data["cell_y"].to_numpy() - iy0, data["cell_x"].to_numpy() - ix0] = data["density_per_km2"].to_numpy()
    fig = Figure(figsize=(8.0, 7.0), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.set_facecolor("white")
    xs = x0 + np.arange(nx + 1) * grid.cell_km
    ys = y0 + np.arange(ny + 1) * grid.cell_km
    vmax = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    vmin = min(grid.min_count / grid.cell_km**2, vmax)
    norm = LogNorm(vmin=vmin, vmax=vmax) if vmax >= 10 * vmin else Normalize(vmin=vmin, vmax=vmax)
    mesh = ax.pcolormesh(xs, ys, np.ma.masked_invalid(values), cmap=DENSITY_CMAP, norm=norm, shading="flat")
    bar = fig.colorbar(mesh, ax=ax, shrink=0.75,
                       label=f"Incidents per km² in the period ({grid.cell_km:g} km cells)")
    if isinstance(norm, LogNorm):
        ticks = [t for t in (1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000) if vmin <= t <= vmax]
        bar.set_ticks(sorted({vmin, *ticks, vmax}))
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
        bar.ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _pos: ""))
    if len(grid.outline_km):
        ax.plot(grid.outline_km[:, 0], grid.outline_km[:, 1], color=OUTLINE, linewidth=1.0)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    # Scale bar (km) in the lower right, north arrow in the upper right.
    length = _scale_length(x1 - x0)
    sx1, sy = x1 - 0.05 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    ax.plot([sx1 - length, sx1], [sy, sy], color=INK, linewidth=3, solid_capstyle="butt")
    ax.text(sx1 - length / 2, sy + 0.015 * (y1 - y0), f"{length:g} km", ha="center", va="bottom", fontsize=8)
    ax.annotate("N", xy=(0.95, 0.97), xytext=(0.95, 0.86), xycoords="axes fraction", textcoords="axes fraction",
                ha="center", va="center", fontsize=10, fontweight="bold",
                arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": 1.5})
    ax.set_xlabel("km east of the map centre")
    ax.set_ylabel("km north of the map centre")
    ax.grid(False)
    if data.empty:
        _no_data(ax, "No cell has enough incidents to be shown")
    ns = "N" if grid.centre_lat >= 0 else "S"
    ew = "E" if grid.centre_lon >= 0 else "W"
    _note(ax, f"Grey outline: the extent of the district's police.uk map points (convex hull, not the boundary). "
              f"Local equirectangular projection centred on {abs(grid.centre_lat):.3f}°{ns} "
              f"{abs(grid.centre_lon):.3f}°{ew}; north is up. Shown: {grid.rule()}; "
              f"{grid.suppressed_incidents:,} incidents in {grid.suppressed_cells:,} cells are not shown and "
              f"{grid.without_coordinates:,} have no map point. {ANONYMISATION_NOTE}", 100)
    issue = grid.issue if grid.issue != "All issues" else "All incidents"
    _fitted_title(ax, f"{issue}: incident density (incidents per km² in the period), {grid.district}\n"
                      f"{grid.period}", 52)
    return Chart(fig, data, density_finding(grid))


# --------------------------------------------------------------------------------------------------
# Month of year


def peak_finding(pattern: pd.DataFrame, issues: Sequence[str] | None = None) -> str:
    """The main finding of a month-of-year chart: the peak month of each issue drawn.

    Examples
    --------
    >>> t = pd.DataFrame({"issue": ["Violence and sexual offences"] * 2, "calendar_month": [6, 7],
    ...                   "month_name": ["June", "July"], "mean_count": [390.0, 412.2]})
    >>> peak_finding(t)
    'Violence and sexual offences peaked in July (412 a month on average).'
    """
    if pattern.empty:
        return str(pattern.attrs.get("reason") or "No month-of-year pattern: not enough months of data.")
    peaks = peak_months(pattern, ["issue"])
    if issues is not None:
        peaks = peaks.set_index(peaks["issue"].astype("str")).reindex(list(issues)).dropna(
            subset=["mean_count"]).reset_index(drop=True)
    parts = [f"{r.issue} peaked in {r.month_name} ({_fmt(r.mean_count)} a month on average)"
             for r in peaks.itertuples()]
    text = "; ".join(parts) + "."
    if "years" in pattern.columns and len(pattern) and int(pattern["years"].max()) == 1:
        text += " Each calendar month comes from a single year, so this is one year's pattern, not an average."
    return text


def _top_issues(frame: pd.DataFrame, value: str, limit: int) -> list[str]:
    totals = frame.groupby(frame["issue"].astype("str"))[value].sum().sort_values(ascending=False, kind="stable")
    return totals.index[:limit].tolist()


def month_of_year_chart(pattern: pd.DataFrame, area: str, *, issues: Sequence[str] | None = None,
                        district: str | None = None, period: str | None = None, limit: int = 5) -> Chart:
    """Line chart of the month-of-year pattern (mean incidents per calendar month) of some issues.

    Parameters
    ----------
    pattern : DataFrame
        :func:`csa_analysis.method.seasonality.month_of_year` (by district and issue, or by issue).
    area : str
        Named in the title (the district, or the county).
    issues : sequence of str, optional
        Issues drawn; default the ``limit`` issues with most incidents.
    district : str, optional
        Rows of this district (when ``pattern`` has a ``district`` column).
    period : str, optional
        Named in the title; default the span of ``pattern.attrs["months"]`` when set.

    Returns
    -------
    Chart
        ``data``: ``issue``, ``calendar_month``, ``month_name``, ``mean_count``, ``years``: one row per point.
        When the pattern is empty (too few months), an empty frame and the reason as the alt text.
    """
    p = _select(pattern, district=district)
    if issues is None:
        issues = _top_issues(p, "mean_count", limit) if len(p) else []
    p = p[p["issue"].astype("str").isin(list(issues))]
    data = pd.DataFrame({"issue": p["issue"].astype("str").to_numpy(),
                         "calendar_month": p["calendar_month"].to_numpy(),
                         "month_name": p["month_name"].astype("str").to_numpy(),
                         "mean_count": p["mean_count"].to_numpy(), "years": p["years"].to_numpy()})
    data.attrs["reason"] = pattern.attrs.get("reason")
    period = period or _month_span(pattern.attrs.get("months", []))
    fig, ax = _figure()
    for i, issue in enumerate(issues):
        d = data[data["issue"] == issue].sort_values("calendar_month")
        colour, marker = _style(issue, i)
        ax.plot(d["calendar_month"], d["mean_count"], color=colour, marker=marker, linewidth=2, label=issue)
    ax.set_xticks(range(1, 13), [m[:3] for m in MONTH_NAMES])
    ax.set_xlim(0.5, 12.5)
    ax.set_ylim(bottom=0)
    _thousands(ax)
    ax.set_xlabel("Calendar month")
    ax.set_ylabel("Incidents a month on average (count)")
    if data.empty:
        _no_data(ax, "\n".join(textwrap.wrap(str(pattern.attrs.get("reason") or "No data"), 70)))
        ax.set_yticks([])
    else:
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _title(ax, f"Month-of-year pattern: incidents a month on average (count), {area}\n{period}".rstrip(), 11)
    return Chart(fig, data, peak_finding(pattern if data.empty else data, issues))


# --------------------------------------------------------------------------------------------------
# Rolling trend


def trend_finding(trend: pd.DataFrame, issues: Sequence[str] | None = None) -> str:
    """The main finding of a rolling-total chart: the latest 12-month total against a year before, and gaps.

    Examples
    --------
    >>> months = [f"2018-{m:02d}" for m in range(1, 13)] + [f"2019-{m:02d}" for m in range(1, 13)]
    >>> t = pd.DataFrame({"issue": "Burglary", "month": months, "rolling_total": [np.nan] * 11 + [500.0] * 12
    ...                   + [550.0], "count": 40.0})
    >>> print(trend_finding(t))  # doctest: +NORMALIZE_WHITESPACE
    Burglary: 550 incidents in the 12 months to December 2019, 10% more than in the 12 months to
    December 2018 (500).
    """
    if trend.empty:
        return str(trend.attrs.get("reason") or "No rolling total: not enough consecutive months of data.")
    issues = list(issues) if issues is not None else list(dict.fromkeys(trend["issue"].astype("str")))
    parts = []
    for issue in issues:  # a handful of series, not rows
        d = trend[trend["issue"].astype("str") == issue].sort_values("month")
        valid = d[d["rolling_total"].notna()]
        if valid.empty:
            continue
        last = valid.iloc[-1]
        when = pd.Timestamp(last["month"] + "-01")
        year_before = (when - pd.DateOffset(years=1)).strftime("%Y-%m")
        prev = d.loc[d["month"] == year_before, "rolling_total"]
        text = f"{issue}: {_fmt(last['rolling_total'])} incidents in the 12 months to {when.strftime('%B %Y')}"
        if len(prev) and pd.notna(prev.iloc[0]) and prev.iloc[0] > 0:
            change = last["rolling_total"] / prev.iloc[0] - 1
            word = "more" if change > 0 else "fewer"
            text += (f", {_pct(abs(change))} {word} than in the 12 months to "
                     f"{pd.Timestamp(year_before + '-01').strftime('%B %Y')} ({_fmt(prev.iloc[0])})"
                     if change != 0 else ", the same as a year before")
        else:
            text += " (no comparison a year before)"
        parts.append(text)
    gaps = sorted(set(trend.loc[trend["count"].isna(), "month"])) if "count" in trend else []
    out = "; ".join(parts) + "." if parts else "No complete 12-month window in the data."
    if gaps:
        out += (f" The line breaks at {len(gaps)} month{'s' if len(gaps) != 1 else ''} missing from the data "
                f"({', '.join(gaps)}).")
    return out


def rolling_trend_chart(trend: pd.DataFrame, area: str, *, issues: Sequence[str] | None = None,
                        district: str | None = None, period: str | None = None, limit: int = 5) -> Chart:
    """Line chart of the 12-month rolling total of some issues; the line breaks at missing months.

    Parameters
    ----------
    trend : DataFrame
        :func:`csa_analysis.method.seasonality.rolling_total`.
    area, issues, district, period, limit
        As for :func:`month_of_year_chart`.

    Returns
    -------
    Chart
        ``data``: ``issue``, ``month``, ``count``, ``rolling_total`` (NaN where the window is incomplete or
        touches a gap: no point is drawn there), one row per month and issue.
    """
    t = _select(trend, district=district)
    if issues is None:
        issues = _top_issues(t.dropna(subset=["rolling_total"]), "rolling_total", limit) if len(t) else []
    t = t[t["issue"].astype("str").isin(list(issues))]
    data = pd.DataFrame({"issue": t["issue"].astype("str").to_numpy(), "month": t["month"].astype("str").to_numpy(),
                         "count": t["count"].to_numpy(dtype="float64"),
                         "rolling_total": t["rolling_total"].to_numpy(dtype="float64")})
    months = sorted(data["month"].unique())
    pos = {m: i for i, m in enumerate(months)}
    period = period or _month_span(months)
    fig, ax = _figure()
    for i, issue in enumerate(issues):
        d = data[data["issue"] == issue].sort_values("month")
        colour, marker = _style(issue, i)
        ax.plot(d["month"].map(pos).to_numpy(), d["rolling_total"].to_numpy(), color=colour, marker=marker,
                markersize=4, linewidth=2, label=issue)
    step = max(1, len(months) // 12)
    ax.set_xticks(range(0, len(months), step), [months[k] for k in range(0, len(months), step)], rotation=45,
                  fontsize=8)
    ax.set_ylim(bottom=0)
    _thousands(ax)
    ax.set_xlabel("Month (the last month of each 12-month window)")
    ax.set_ylabel("Incidents in the 12 months to the month (count)")
    if data.empty:
        _no_data(ax, "\n".join(textwrap.wrap(str(trend.attrs.get("reason") or "No data"), 70)))
        ax.set_yticks([])
    else:
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _title(ax, f"12-month rolling total of incidents (count), {area}\n{period}".rstrip(), 11)
    return Chart(fig, data, trend_finding(trend if data.empty else data, issues))


# --------------------------------------------------------------------------------------------------
# Outcomes

ALL_CRIMES = "All crimes"


def outcome_finding(data: pd.DataFrame, area: str, period: str) -> str:
    """The main finding of an outcome chart: the commonest outcome of all crimes, the charged share, and the
    issue with the highest charged share.

    Examples
    --------
    >>> d = pd.DataFrame({"issue": ["All crimes"] * 2 + ["Drugs"] * 2 + ["Burglary"] * 2,
    ...     "outcome_group": ["Charged or summonsed", "No suspect identified"] * 3,
    ...     "count": [30, 70, 20, 5, 10, 65], "crimes": [100, 100, 25, 25, 75, 75],
    ...     "share": [0.3, 0.7, 0.8, 0.2, 10 / 75, 65 / 75]})
    >>> print(outcome_finding(d, "Melton", "October 2018"))  # doctest: +NORMALIZE_WHITESPACE
    Of 100 crimes recorded in Melton in October 2018, 70% had the outcome "No suspect identified" and 30%
    were charged or summonsed; Drugs had the highest charged share (80%).
    """
    if data.empty:
        return f"No crimes with outcomes were recorded in {area} in {period}."
    allc = data[data["issue"] == ALL_CRIMES]
    top = allc.sort_values(["share", "outcome_group"], ascending=[False, True], kind="stable").iloc[0]
    charged = allc.loc[allc["outcome_group"] == "Charged or summonsed", "share"]
    text = (f"Of {_fmt(top['crimes'])} crimes recorded in {area} in {period}, {_pct(top['share'])} had the "
            f'outcome "{top["outcome_group"]}"')
    if top["outcome_group"] != "Charged or summonsed" and len(charged):
        text += f" and {_pct(charged.iloc[0])} were charged or summonsed"
    per_issue = data[(data["issue"] != ALL_CRIMES) & (data["outcome_group"] == "Charged or summonsed")]
    if len(per_issue) > 1:
        best = per_issue.sort_values(["share", "issue"], ascending=[False, True], kind="stable").iloc[0]
        text += f"; {best['issue']} had the highest charged share ({_pct(best['share'])})"
    return text + "."


def outcome_chart(shares: pd.DataFrame, district: str | None, *, period: str, area: str | None = None) -> Chart:
    """Stacked bars: the share of crimes in each outcome group, all crimes and each issue, for one district.

    Parameters
    ----------
    shares : DataFrame
        :func:`csa_analysis.method.outcomes.outcome_shares` with ``by=("district", "issue")`` (or
        ``("issue",)`` with ``district=None`` for the county).
    district : str or None
        The district drawn.
    period : str
        Named in the title, e.g. ``Quarter.label()``.
    area : str, optional
        Named in the title and finding; default the district.

    Returns
    -------
    Chart
        ``data``: ``issue`` (``"All crimes"`` first, then each issue with crimes), ``outcome_group``,
        ``count``, ``crimes``, ``share``: one row per segment (zero segments included).
    """
    s = _select(shares, district=district)
    area = area or district or "the county"
    s = s.assign(issue=s["issue"].astype("str"), outcome_group=s["outcome_group"].astype("str"))
    groups = [*OUTCOME_GROUPS, NOT_MAPPED]
    total = s.groupby("outcome_group", sort=False)["count"].sum().reindex(groups, fill_value=0)
    crimes = int(total.sum())
    allc = pd.DataFrame({"issue": ALL_CRIMES, "outcome_group": groups, "count": total.to_numpy().astype("int64"),
                         "crimes": crimes, "share": total.to_numpy() / crimes if crimes else np.nan})
    data = pd.concat([allc, s[["issue", "outcome_group", "count", "crimes", "share"]]], ignore_index=True)
    data = data[data["crimes"] > 0].reset_index(drop=True)
    bars = list(dict.fromkeys(data["issue"]))
    fig, ax = _figure((10.0, 2.2 + 0.42 * max(len(bars), 4)))
    y = np.arange(len(bars))[::-1]
    left = np.zeros(len(bars))
    wide = data.pivot_table(index="issue", columns="outcome_group", values="share", sort=False).reindex(
        index=bars, columns=groups).fillna(0.0)
    for g in groups:
        colour, hatch = OUTCOME_STYLES[g]
        width = wide[g].to_numpy()
        ax.barh(y, width, left=left, color=colour, hatch=hatch, edgecolor="white", linewidth=0.6, height=0.7,
                label=g)
        for yi, lft, w in zip(y, left, width, strict=True):
            if w >= 0.08:
                ax.text(lft + w / 2, yi, _pct(w), ha="center", va="center", fontsize=7, color="white",
                        fontweight="bold", bbox={"boxstyle": "round,pad=0.1", "facecolor": "black",
                                                 "edgecolor": "none", "alpha": 0.55})
        left = left + width
    ax.set_yticks(y, [f"{b} ({int(data.loc[data['issue'] == b, 'crimes'].iloc[0]):,})" for b in bars], fontsize=8)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("Share of crimes recorded in the period (%); in brackets, crimes")
    ax.set_ylabel("Issue (police.uk crime type)")
    ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if data.empty:
        _no_data(ax, "No crimes with outcomes")
    _note(ax, f"{OUTCOME_CAVEAT} {ASB_NOTE}", 90)
    _fitted_title(ax, f"Outcomes of crimes: share of crimes by police.uk last outcome (%), {area}\n{period}", 70)
    return Chart(fig, data, outcome_finding(data, area, period))


__all__ = [
    "ALL_CRIMES", "DENSITY_CMAP", "ISSUE_STYLES", "MARKERS", "MIN_CONTRAST", "OUTCOME_STYLES", "SERIES_COLOURS",
    "Chart", "contrast_ratio", "density_chart", "density_finding", "hotspot_chart", "hotspot_finding",
    "month_of_year_chart", "outcome_chart", "outcome_finding", "peak_finding", "period_label",
    "relative_luminance", "rolling_trend_chart", "trend_finding",
]
