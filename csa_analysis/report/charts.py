"""Charts for the board packs: functions that take the scored tables and return a matplotlib ``Figure``.

One house style: the Okabe-Ito colour-blind-safe palette, titles that name the measure, its unit and the
period, labelled axes, a fixed size and resolution (:data:`DPI`). Figures are built with the object-oriented
API (``matplotlib.figure.Figure``, never ``pyplot``): they are not registered with any backend, so they are
safe to build in threads, never pile up in pyplot's figure list, and are freed as soon as the notebook has
shown them (there is nothing to ``plt.close``). :func:`png` turns a figure into an embedded PNG image that a
notebook displays identically whatever matplotlib backend is active (inline, or ``Agg`` from ``MPLBACKEND``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from csa_analysis.domain.issues import ISSUES
from csa_analysis.method.prevalence import control_limits

#: Series colours: the Okabe-Ito colour-blind-safe hues that reach 3:1 contrast on white (WCAG 2.1 non-text
#: contrast); its orange #E69F00 and sky blue #56B4E9 (2.3:1) darkened in their own hue to 3.5:1, its yellow
#: #F0E442 (1.3:1) dropped. Every chart of the pack draws from these.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue (5.2:1)
    "#D55E00",  # vermillion (3.9:1)
    "#009E73",  # bluish green (3.4:1)
    "#CC79A7",  # reddish purple (3.1:1)
    "#000000",  # black (21:1)
    "#B67E00",  # Okabe-Ito orange darkened to 3.5:1
    "#1B90D2",  # Okabe-Ito sky blue darkened to 3.5:1
    "#666666",  # grey (5.7:1)
)
SERIES_COLOURS = PALETTE
#: Marker shapes, cycled with a period (7) prime to the colours' (8), so every (colour, marker) pair differs.
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X")
#: One (colour, marker) per issue, the same in every chart of the pack (police.uk types first, then any other
#: issue by :func:`issue_style`).
ISSUE_STYLES: dict[str, tuple[str, str]] = {
    issue: (PALETTE[i % len(PALETTE)], MARKERS[i % len(MARKERS)]) for i, issue in enumerate(ISSUES)
}
LEVEL_COLOURS = {"county-wide service": "#D55E00", "county-coordinated": "#0072B2", "district-led": "#009E73"}
#: One marker per delivery level (markers as well as colours).
LEVEL_MARKERS = {"county-wide service": "D", "county-coordinated": "s", "district-led": "o"}


def issue_style(issue: str, i: int = 0) -> tuple[str, str]:
    """The (colour, marker) of an issue: :data:`ISSUE_STYLES`, or for a local issue the ``i``-th pair after them.

    Examples
    --------
    >>> issue_style("Burglary") == ISSUE_STYLES["Burglary"]
    True
    """
    if issue in ISSUE_STYLES:
        return ISSUE_STYLES[issue]
    k = len(ISSUES) + i
    return PALETTE[k % len(PALETTE)], MARKERS[k % len(MARKERS)]


DPI = 110
SIZE = (8.0, 4.5)


def _figure(size: tuple[float, float] = SIZE) -> tuple[Figure, object]:
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _thousands(ax, axis: str = "y") -> None:
    fmt = FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _title(ax, text: str, fontsize: float = 11) -> None:
    """Left-aligned title with every line wrapped to the figure's width (titles are long: measure, unit, period)."""
    import textwrap

    chars = max(40, int((ax.figure.get_figwidth() - 1.2) * 72 / (fontsize * 0.55)))
    lines = [w for line in text.split("\n") for w in (textwrap.wrap(line, chars) or [""])]
    ax.set_title("\n".join(lines), loc="left", fontsize=fontsize)


def _no_data(ax, text: str = "No incidents to show") -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="#555555")


def title_of(fig: Figure) -> str:
    """The chart's title (first axes, left title), one line."""
    return " ".join(fig.axes[0].get_title(loc="left").split()) if fig.axes else ""


def figure_html(fig: Figure, finding: str | None = None, data: pd.DataFrame | None = None) -> str:
    """A chart readable by everyone: the PNG (a data URI at the house resolution) whose alternative text is the
    title and the main finding, the finding as a caption, and the figures behind the chart as a table.

    Parameters
    ----------
    fig : Figure
        The chart.
    finding : str, optional
        The chart's main finding in a sentence or two (:mod:`csa_analysis.report.findings`).
    data : DataFrame, optional
        Exactly the figures drawn, shown as a table under the chart (headings a person reads).

    Returns
    -------
    str
        ``<figure class="csa-chart">`` holding the ``<img>``, a ``<figcaption>`` and, when ``data`` is given, a
        ``<details class="csa-data">`` with the table.
    """
    import base64
    import html

    from csa_analysis.report.formatting import auto_table

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    png_data = base64.b64encode(buf.getvalue()).decode("ascii")
    title = title_of(fig)
    finding = finding.replace('"', "'") if finding else finding  # quotes kept simple for every HTML serialiser
    alt = f"{title}. {finding}" if finding else title
    parts = [f'<figure class="csa-chart"><img src="data:image/png;base64,{png_data}" alt="{html.escape(alt)}" '
             'style="max-width:100%;height:auto">']
    if finding:
        parts.append(f"<figcaption>{html.escape(finding)}</figcaption>")
    if data is not None:
        parts.append('<details class="csa-data"><summary>Figures behind this chart (table)</summary>'
                     + auto_table(data) + "</details>")
    parts.append("</figure>")
    return "".join(parts)


def png(fig: Figure, finding: str | None = None, data: pd.DataFrame | None = None):
    """The figure as an embedded PNG image for a notebook to show (:func:`figure_html` in an
    ``IPython.display.HTML``), so it shows the same whatever matplotlib backend is active and the exported HTML
    needs no further embedding."""
    from IPython.display import HTML

    return HTML(figure_html(fig, finding, data))


def month_span(months: Sequence[str]) -> str:
    """``"October 2018 to February 2019"`` for a list of ``YYYY-MM`` months (blank if none).

    Examples
    --------
    >>> month_span(["2018-12", "2018-10", "2019-02"])
    'October 2018 to February 2019'
    """
    ms = sorted(set(map(str, months)))
    if not ms:
        return ""
    first, last = (pd.Timestamp(m + "-01").strftime("%B %Y") for m in (ms[0], ms[-1]))
    return first if first == last else f"{first} to {last}"


def trend_chart(monthly: pd.DataFrame, issues: Sequence[str], area: str, period: str | None = None,
                district: str | None = None) -> Figure:
    """Monthly incidents of the given issues, for a district or (``district=None``) the whole county.

    Parameters
    ----------
    monthly : DataFrame
        ``district``, ``issue``, ``month`` (``YYYY-MM``), ``count`` (the ``monthly`` table; a blank count, a
        month missing from the data, breaks the line).
    issues : sequence of str
        Issues to draw (the top priorities), at most eight (one palette colour each).
    area : str
        Named in the title.
    period : str, optional
        Named in the title; default the span of months drawn, e.g. ``"October 2018 to February 2019"``.
    district : str, optional
        Restrict to this district; None sums every district (the county).
    """
    m = monthly if district is None else monthly[monthly["district"].astype("str") == district]
    m = m[m["issue"].astype("str").isin(issues)]
    # A blank (missing) month stays NaN, so matplotlib breaks the line there instead of joining across it.
    wide = m.groupby([m["month"].astype("str"), m["issue"].astype("str")])["count"].sum(min_count=1).unstack(
    ).astype("float64")
    period = period or month_span(wide.index)
    fig, ax = _figure()
    for i, issue in enumerate([i for i in issues if i in wide.columns]):
        colour, marker = issue_style(issue, i)
        ax.plot(wide.index, wide[issue], marker=marker, color=colour, label=issue, linewidth=2)
    if wide.empty:
        _no_data(ax)
    _title(ax, f"Incidents per month (count), top priorities: {area}\n{period}", 11)
    ax.set_ylabel("Incidents per month (count)")
    ax.set_xlabel("Month")
    ax.set_ylim(bottom=0)
    _thousands(ax)
    if not wide.empty:
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        if len(wide.index) > 8:
            ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    return fig


def rates_vs_county(issue_scores: pd.DataFrame, county_priorities: pd.DataFrame, district: str,
                    period: str) -> Figure:
    """District rate per 1,000 residents for each issue against the county rate, with 95% intervals."""
    d = issue_scores[issue_scores["district"].astype("str") == district].copy()
    d["issue"] = d["issue"].astype("str")
    c = county_priorities.set_index(county_priorities["issue"].astype("str"))["rate_per_1000"]
    d = d.assign(county_rate=d["issue"].map(c)).sort_values("county_rate")
    fig, ax = _figure((8.0, 5.5))
    y = np.arange(len(d))
    err = None
    if {"rate_low_per_1000", "rate_high_per_1000"} <= set(d.columns):
        err = np.vstack([d["rate_per_1000"] - d["rate_low_per_1000"],
                         d["rate_high_per_1000"] - d["rate_per_1000"]]).clip(min=0)
    ax.barh(y, d["rate_per_1000"], color=PALETTE[0], label=district, xerr=err,
            error_kw={"ecolor": "#555555", "elinewidth": 0.8, "capsize": 2})
    ax.scatter(d["county_rate"], y, color=PALETTE[3], marker="D", zorder=3, label="County rate")
    ax.set_yticks(y, d["issue"], fontsize=8)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("Incidents per 1,000 residents in the quarter (bars: 95% interval)")
    ax.set_ylabel("Issue (police.uk crime type)")
    _title(ax, f"{district} against the county: incidents per 1,000 residents\n{period}", 11)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    return fig


def heatmap(issue_scores: pd.DataFrame, period: str) -> Figure:
    """Issue x district heat map of location quotients (1 = the county's mix; above 1 = over-represented)."""
    s = issue_scores.assign(issue=issue_scores["issue"].astype("str"),
                            district=issue_scores["district"].astype("str"))
    wide = s.pivot_table(index="issue", columns="district", values="location_quotient", sort=False)
    wide = wide.reindex(columns=list(dict.fromkeys(s["district"])))
    fig = Figure(figsize=(8.5, 6.0), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    data = wide.to_numpy(dtype=float)
    vmax = max(2.0, float(np.nanmax(data))) if np.isfinite(data).any() else 2.0
    im = ax.imshow(data, cmap="PuOr_r", vmin=0, vmax=vmax, aspect="auto")
    ax.set_xticks(range(wide.shape[1]), wide.columns, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(wide.shape[0]), wide.index, fontsize=8)
    for (i, j), v in np.ndenumerate(data):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if abs(v - vmax / 2) > vmax * 0.3 else "black")
    fig.colorbar(im, ax=ax, label="Location quotient (ratio; 1 = county mix)")
    ax.set_xlabel("District")
    ax.set_ylabel("Issue (police.uk crime type)")
    _title(ax, f"Where each issue is concentrated: location quotient (ratio, 1 = county mix)\n{period}", 11)
    return fig


def priority_matrix(table: pd.DataFrame, area: str, period: str, harm_unit: str = "weighted harm") -> Figure:
    """Volume against harm for each issue (log scales); colour by delivery level where known.

    Issues with no harm weight (blank ``harm_score``, e.g. anti-social behaviour) or no incidents cannot sit
    on log axes: they are named under the title instead of being drawn as zero.

    Parameters
    ----------
    table : DataFrame
        ``issue``, ``count``, ``harm_score`` and optionally ``delivery_level``.
    area, period : str
        Named in the title.
    harm_unit : str
        Unit of the harm weights (e.g. ``"CCHI days"``), shown on the axis.
    """
    t = table.assign(issue=table["issue"].astype("str"), count=table["count"].astype("float64"),
                     harm_score=table["harm_score"].astype("float64"))
    fig, ax = _figure((8.0, 5.5))
    has_harm = (t["harm_score"] > 0) & (t["count"] > 0)
    shown = t[has_harm]
    colours = (shown["delivery_level"].map(LEVEL_COLOURS).fillna(PALETTE[0])
               if "delivery_level" in shown else pd.Series(PALETTE[0], index=shown.index))
    markers = (shown["delivery_level"].map(LEVEL_MARKERS).fillna("o") if "delivery_level" in shown
               else pd.Series("o", index=shown.index))
    for marker in dict.fromkeys(markers):  # one scatter per marker shape (at most three)
        sel = (markers == marker).to_numpy()
        ax.scatter(shown["count"][sel], shown["harm_score"][sel], c=list(colours[sel]), s=60, marker=marker,
                   edgecolor="white", zorder=3)
    for r in shown.itertuples():
        ax.annotate(r.issue, (r.count, r.harm_score), fontsize=7, xytext=(4, 3), textcoords="offset points")
    if shown.empty:
        _no_data(ax, "No issue has both incidents and a harm weight")
    else:
        ax.set_xscale("log")
        ax.set_yscale("log")
        _thousands(ax, "x")  # 1,000 rather than 10^3 for a board
        _thousands(ax, "y")
    ax.set_xlabel("Volume: incidents in the quarter (count, log scale)")
    ax.set_ylabel(f"Harm: count x harm weight ({harm_unit}, log scale)")
    missing = t.loc[~has_harm, "issue"].tolist()
    note = ("\nNot shown (no harm weight or no incidents): " + ", ".join(missing)) if missing else ""
    _title(ax, f"Priority matrix: volume (incidents) against harm ({harm_unit}), {area}\n{period}{note}", 10)
    if "delivery_level" in shown:
        for level, colour in LEVEL_COLOURS.items():
            ax.scatter([], [], c=colour, s=60, marker=LEVEL_MARKERS[level], label=level)
        ax.legend(frameon=False, fontsize=8, loc="lower right")
    return fig


def funding_vs_need(cost_per_area: pd.DataFrame, period: str, basis: str) -> Figure:
    """Each district's share of the county's need against its share of the funding (percent).

    A district with no funding figure shows no funding bar (blank is not zero funding) and is named in the
    title.
    """
    c = cost_per_area.assign(district=cost_per_area["district"].astype("str"))
    fig, ax = _figure((8.0, 4.8))
    x = np.arange(len(c))
    ax.bar(x - 0.2, c["need_share"].fillna(0), width=0.4, color=PALETTE[0], label=f"Share of need ({basis})")
    ax.bar(x + 0.2, c["funding_share"], width=0.4, color=PALETTE[1], hatch="//", edgecolor="white",
           label="Share of funding")
    ax.set_xticks(x, c["district"], rotation=25, ha="right", fontsize=8)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("District")
    ax.set_ylabel("Share of the county total (%)")
    unfunded = c.loc[c["funding_share"].isna(), "district"].tolist()
    note = ("\nNo funding figure for: " + ", ".join(unfunded)) if unfunded else ""
    _title(ax, f"Funding against need by district (share of county total, %)\n{period}{note}", 11)
    ax.legend(frameon=False, fontsize=8)
    return fig


def funnel_plot(issue_scores: pd.DataFrame, county_priorities: pd.DataFrame, issue: str, period: str) -> Figure:
    """District rates of one issue against population, with the 95% and 99.8% control limits used for the
    decisions: widened for the usual variation between districts where the issue's districts vary more than
    chance (``overdispersion_tau`` of :func:`csa_analysis.method.prevalence.against_county`, drawn by the same
    :func:`csa_analysis.method.prevalence.control_limits`), with the Poisson 99.8% limits beside them, fainter."""
    d = issue_scores[issue_scores["issue"].astype("str") == issue]
    rate = float(county_priorities.set_index(county_priorities["issue"].astype("str")).loc[issue,
                                                                                         "rate_per_1000"])
    tau = float(d["overdispersion_tau"].max()) if "overdispersion_tau" in d and len(d) else 0.0
    adjusted = bool(np.nan_to_num(tau) > 0)
    pops = np.linspace(max(1.0, d["population"].min() * 0.8), d["population"].max() * 1.2, 200)
    lim = control_limits(rate, pops, tau if adjusted else 0.0)
    fig, ax = _figure((8.0, 5.0))
    ax.axhline(rate, color="#555555", linewidth=1, label=f"County rate {rate:.2f}")
    basis = ", allowing for the usual variation between districts" if adjusted else " (Poisson)"
    for level, style in (("95", "--"), ("998", ":")):
        ax.plot(pops, lim[f"lower_{level}_per_1000"], style, color=PALETTE[3], linewidth=1)
        ax.plot(pops, lim[f"upper_{level}_per_1000"], style, color=PALETTE[3], linewidth=1,
                label=f"{'95%' if level == '95' else '99.8%'} limits{basis}")
    if adjusted:
        ax.plot(pops, lim["poisson_lower_998_per_1000"], ":", color="#999999", linewidth=0.8)
        ax.plot(pops, lim["poisson_upper_998_per_1000"], ":", color="#999999", linewidth=0.8,
                label="99.8% Poisson limits (chance alone)")
    ax.scatter(d["population"], d["rate_per_1000"], color=PALETTE[0], zorder=3)
    for r in d.itertuples():
        ax.annotate(str(r.district), (r.population, r.rate_per_1000), fontsize=7, xytext=(4, 3),
                    textcoords="offset points")
    _thousands(ax, "x")
    ax.set_xlabel("Residents (count)")
    ax.set_ylabel("Incidents per 1,000 residents in the quarter")
    note = (f"\nLimits widened for the usual variation between districts (SD {tau:.0%} of the county rate)"
            if adjusted else "")
    _title(ax, f"{issue}: incidents per 1,000 residents by district against the county (funnel plot)\n"
                 f"{period}{note}", 11)
    ax.legend(frameon=False, fontsize=8)
    return fig


def sensitivity_chart(sensitivity: pd.DataFrame, period: str) -> Figure:
    """County harm rank of each issue under each weighting (1 = most harm)."""
    s = sensitivity.assign(issue=sensitivity["issue"].astype("str"))
    schemes = [c.removeprefix("rank_") for c in s.columns if c.startswith("rank_")]
    fig, ax = _figure((8.0, 5.5))
    x = np.arange(len(schemes))
    for i, r in enumerate(s.itertuples(index=False)):
        ranks = [getattr(r, f"rank_{k}") for k in schemes]
        colour, marker = issue_style(r.issue, i)
        ax.plot(x, ranks, marker=marker, color=colour, linewidth=1.2)
        ax.annotate(r.issue, (x[-1], ranks[-1]), fontsize=7, xytext=(5, 0), textcoords="offset points",
                    va="center")
    ax.set_xticks(x, [k.replace("_", " ") for k in schemes], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("Harm weights used")
    ax.set_ylabel("Harm rank in the county (1 = most harm)")
    _title(ax, f"How the harm ranking changes with the weights (rank, 1 = most harm)\n{period}", 11)
    return fig


# --------------------------------------------------------------------------------------------------
# Issue 16: benchmarking with Home Office Table C2

#: Marker shapes, so that a chart reads without its colours.
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
#: Okabe-Ito colours with a contrast of at least 3:1 on white (orange and sky blue darkened in their own hue, yellow
#: left out), as in :data:`csa_analysis.report.place_charts.SERIES_COLOURS`.
CONTRAST_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#B67E00", "#1B90D2")


def benchmark_chart(recorded_crime: pd.DataFrame, district: str, groups: Sequence[str]) -> Figure:
    """A district's recorded-crime rates and its most similar peers' (pooled), as a percentage of the England and
    Wales rate (100 = the national rate), so that offence groups of very different sizes share one axis.

    Parameters
    ----------
    recorded_crime : DataFrame
        The ``recorded_crime`` table: ``district``, ``offence_group``, ``period``, ``rate_per_1000``,
        ``peers_rate_per_1000``, ``england_wales_rate_per_1000`` (crimes in the year per 1,000 residents).
    district : str
        The district drawn.
    groups : sequence of str
        Offence groups, top to bottom.
    """
    t = recorded_crime[(recorded_crime["district"].astype("str") == district)
                       & recorded_crime["offence_group"].isin(groups)].set_index("offence_group")
    t = t.reindex([g for g in groups if g in t.index])
    fig, ax = _figure((8.0, 0.45 * max(len(t), 4) + 1.8))
    y = np.arange(len(t))[::-1]
    national = t["england_wales_rate_per_1000"].astype("float64")
    national = national.where(national > 0)
    series = (("rate_per_1000", district), ("peers_rate_per_1000", "its most similar peers (pooled)"))
    for (col, label), colour, marker in zip(series, CONTRAST_COLOURS, MARKERS, strict=False):
        ax.scatter(100 * t[col].astype("float64") / national, y, color=colour, marker=marker, s=55, label=label,
                   zorder=3)
    ax.axvline(100, color="#555555", linewidth=1, linestyle="--", label="England and Wales (100)")
    ax.set_yticks(y, list(t.index), fontsize=8)
    ax.set_xlim(left=0)
    ax.set_xlabel("Rate per 1,000 residents as % of the England and Wales rate (100 = national rate)")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    period = str(t["period"].dropna().iloc[0]) if t["period"].notna().any() else ""
    _title(ax, f"Recorded crime: {district} and its most similar peers\nagainst England and Wales "
               f"(% of the national rate), Home Office Table C2,\n{period}", 10)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if t.empty:
        _no_data(ax, "No recorded-crime figures to show")
    return fig


def percentile_chart(recorded_crime: pd.DataFrame, districts: Sequence[str], groups: Sequence[str]) -> Figure:
    """Each district's percentile among all CSP areas of England and Wales (0 lowest rate, 100 highest), per
    offence group: one marker shape and colour per district."""
    t = recorded_crime[recorded_crime["offence_group"].isin(groups)]
    order = [g for g in groups if g in set(t["offence_group"])]
    y = {g: k for k, g in enumerate(order[::-1])}
    fig, ax = _figure((8.0, 0.45 * max(len(order), 4) + 1.8))
    for k, district in enumerate(districts):
        d = t[t["district"].astype("str") == district]
        ax.scatter(d["percentile_england_wales"].astype("float64"), d["offence_group"].map(y), s=45,
                   color=CONTRAST_COLOURS[k % len(CONTRAST_COLOURS)], marker=MARKERS[k % len(MARKERS)],
                   label=district, zorder=3)
    ax.set_yticks(list(y.values()), list(y), fontsize=8)
    ax.set_xlim(-2, 102)
    ax.axvline(50, color="#777777", linewidth=0.8, linestyle="--")
    ax.set_xlabel("Percentile of the rate per 1,000 among all CSP areas\nof England and Wales (0 lowest, 100 highest)")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    period = str(t["period"].dropna().iloc[0]) if len(t) else ""
    _title(ax, f"Standing in England and Wales: percentile of each\ndistrict's recorded-crime rate, Home Office "
               f"Table C2,\n{period}", 10)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig
