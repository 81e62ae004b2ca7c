"""The main finding of each chart of the pack, and the figures behind it, from the scored tables.

Every chart on a page carries alternative text that states its main finding (not only its title) and the
figures it draws as a table (:func:`csa_analysis.report.charts.figure_html`). Each function here takes the same
table the chart draws and returns ``(finding, data)``: one or two plain-English sentences computed from the
data, and the tidy frame of exactly what was drawn. Pure functions: no file, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from csa_analysis.report.formatting import fmt


def _str(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    return frame.assign(**{c: frame[c].astype("str") for c in cols if c in frame})


def trend(monthly: pd.DataFrame, issues: Sequence[str], area: str,
          district: str | None = None) -> tuple[str, pd.DataFrame]:
    """Monthly incidents of the top issues: which had most in the latest month, and its change on the first.

    Returns
    -------
    finding : str
    data : DataFrame
        ``month``, ``issue``, ``count`` (blank where the month is missing from the data).

    Examples
    --------
    >>> m = pd.DataFrame({"district": "A", "issue": ["Drugs", "Drugs", "Burglary", "Burglary"],
    ...                   "month": ["2024-04", "2024-05"] * 2, "count": [3, 5, 10, 8]})
    >>> trend(m, ["Burglary", "Drugs"], "A")[0]
    'In 2024-05, Burglary had most incidents of the top priorities in A (8, against 10 in 2024-04).'
    """
    m = _str(monthly, "district", "issue", "month")
    if district is not None:
        m = m[m["district"] == district]
    m = m[m["issue"].isin(list(issues))]
    data = m.groupby(["month", "issue"], sort=True)["count"].sum(min_count=1).reset_index()
    valid = data.dropna(subset=["count"])
    if valid.empty:
        return f"No incidents of the top priorities in {area}.", data
    last = valid["month"].max()
    first = valid["month"].min()
    top = valid[valid["month"] == last].sort_values(["count", "issue"], ascending=[False, True]).iloc[0]
    start = valid[(valid["month"] == first) & (valid["issue"] == top["issue"])]["count"]
    text = f"In {last}, {top['issue']} had most incidents of the top priorities in {area} ({fmt(top['count'], 'int')}"
    if first != last and len(start):
        text += f", against {fmt(start.iloc[0], 'int')} in {first}"
    return text + ").", data


def rates(issue_scores: pd.DataFrame, county_priorities: pd.DataFrame, district: str) -> tuple[str, pd.DataFrame]:
    """District against county rates: how many issues are above the county rate, and the largest ratio.

    Returns
    -------
    finding : str
    data : DataFrame
        ``issue``, ``rate_per_1000`` (the district's), ``county_rate_per_1000``, ``rate_low_per_1000``,
        ``rate_high_per_1000`` when present.
    """
    d = _str(issue_scores, "district", "issue")
    d = d[d["district"] == district]
    c = county_priorities.set_index(county_priorities["issue"].astype("str"))["rate_per_1000"]
    cols = [x for x in ("issue", "rate_per_1000", "rate_low_per_1000", "rate_high_per_1000") if x in d]
    data = d[cols].assign(county_rate_per_1000=d["issue"].map(c).astype("float64")).reset_index(drop=True)
    above = data[data["rate_per_1000"] > data["county_rate_per_1000"]]
    if data.empty:
        return f"No rates for {district}.", data
    ratio = (data["rate_per_1000"] / data["county_rate_per_1000"].where(data["county_rate_per_1000"] > 0))
    text = f"{district} is above the county rate for {len(above)} of {len(data)} issues"
    if ratio.notna().any():
        i = ratio.idxmax()
        r = data.loc[i]
        text += (f"; the highest against the county is {r['issue']} ({fmt(r['rate_per_1000'], 'rate')} against "
                 f"{fmt(r['county_rate_per_1000'], 'rate')} per 1,000 residents)")
    return text + ".", data


def heatmap(issue_scores: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """The issue x district location quotients: the highest one.

    Returns
    -------
    finding : str
    data : DataFrame
        ``issue``, ``district``, ``location_quotient``.
    """
    data = _str(issue_scores, "district", "issue")[["issue", "district", "location_quotient"]].reset_index(drop=True)
    valid = data.dropna(subset=["location_quotient"])
    if valid.empty:
        return "No location quotient can be computed.", data
    top = valid.sort_values(["location_quotient", "issue"], ascending=[False, True]).iloc[0]
    n = int((valid["location_quotient"] >= 1.5).sum())
    return (f"The highest location quotient is {top['issue']} in {top['district']} "
            f"({fmt(top['location_quotient'], 'rate')}: a larger part of the district's incidents than of the "
            f"county's); {n} district-issue pair{'s are' if n != 1 else ' is'} at 1.5 or above."), data


def matrix(table: pd.DataFrame, harm_unit: str) -> tuple[str, pd.DataFrame]:
    """Volume against harm: the issue with most harm and the one with most incidents.

    Returns
    -------
    finding : str
    data : DataFrame
        ``issue``, ``count``, ``harm_score``, ``delivery_level`` when present.
    """
    cols = [c for c in ("issue", "count", "harm_score", "delivery_level") if c in table]
    data = _str(table, "issue", "delivery_level")[cols].reset_index(drop=True)
    if data.empty:
        return "No issue to show.", data
    most = data.sort_values(["count", "issue"], ascending=[False, True]).iloc[0]
    text = f"{most['issue']} has the most incidents ({fmt(most['count'], 'int')})"
    harm = data.dropna(subset=["harm_score"])
    if len(harm):
        h = harm.sort_values(["harm_score", "issue"], ascending=[False, True]).iloc[0]
        text += f" and {h['issue']} the most harm ({fmt(h['harm_score'], 'int')} {harm_unit})"
    return text + ".", data


def funnel(issue_scores: pd.DataFrame, county_priorities: pd.DataFrame, issue: str) -> tuple[str, pd.DataFrame]:
    """The funnel plot of one issue: the districts beyond the county's 99.8% upper limit.

    Returns
    -------
    finding : str
    data : DataFrame
        ``district``, ``population``, ``rate_per_1000``, ``upper_998_per_1000`` (when present),
        ``county_rate_per_1000``.
    """
    d = _str(issue_scores, "district", "issue")
    d = d[d["issue"] == issue]
    rate = float(county_priorities.set_index(county_priorities["issue"].astype("str")).loc[issue, "rate_per_1000"])
    cols = [c for c in ("district", "population", "rate_per_1000", "upper_998_per_1000") if c in d]
    data = d[cols].assign(county_rate_per_1000=rate).reset_index(drop=True)
    if "upper_998_per_1000" in data:
        above = data.loc[data["rate_per_1000"] > data["upper_998_per_1000"], "district"].tolist()
    else:
        above = []
    tau = float(d["overdispersion_tau"].max()) if "overdispersion_tau" in d and len(d) else 0.0
    limit = ("the county's 99.8% upper limit (allowing for the usual variation between districts)"
             if np.nan_to_num(tau) > 0 else "the county's 99.8% upper limit")
    if above:
        names = ", ".join(above)
        return (f"{issue}: {len(above)} district{'s' if len(above) != 1 else ''} above {limit} ({names}); the "
                f"county rate is {fmt(rate, 'rate')} per 1,000 residents."), data
    return (f"{issue}: no district is above {limit}; the county rate is {fmt(rate, 'rate')} per 1,000 "
            "residents."), data


def funding(cost_per_area: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """Funding against need: the district whose share of funding is furthest below its share of need.

    Returns
    -------
    finding : str
    data : DataFrame
        ``district``, ``need_share``, ``funding_share``.
    """
    data = _str(cost_per_area, "district")[["district", "need_share", "funding_share"]].reset_index(drop=True)
    gap = (data["funding_share"] - data["need_share"]).astype("float64")
    if gap.notna().sum() == 0:
        return "No funding was given, so funding cannot be compared with need.", data
    i = gap.idxmin()
    r = data.loc[i]
    return (f"{r['district']} has the largest shortfall of funding against need: {fmt(r['funding_share'], 'share')} "
            f"of the funding for {fmt(r['need_share'], 'share')} of the need."), data


def sensitivity(table: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """How much the harm ranking moves with the weights: the largest rank change.

    Returns
    -------
    finding : str
    data : DataFrame
        ``issue`` and every ``rank_*`` column, ``max_rank_change``.
    """
    cols = ["issue", *[c for c in table.columns if c.startswith("rank_")]]
    cols += ["max_rank_change"] if "max_rank_change" in table else []
    data = _str(table, "issue")[cols].reset_index(drop=True)
    if "max_rank_change" not in data or data["max_rank_change"].isna().all():
        return "The harm ranking has one weighting only.", data
    top = data.sort_values(["max_rank_change", "issue"], ascending=[False, True]).iloc[0]
    moved = int(np.nan_to_num(top["max_rank_change"]))
    if moved == 0:
        return "The harm ranking is the same under every weighting.", data
    return (f"The ranking depends on the weights: {top['issue']} moves by up to {moved} place"
            f"{'s' if moved != 1 else ''} between weightings."), data


__all__ = ["funding", "funnel", "heatmap", "matrix", "rates", "sensitivity", "trend"]


def benchmark(recorded_crime: pd.DataFrame, district: str, groups: Sequence[str]) -> tuple[str, pd.DataFrame]:
    """A district's Table C2 rates and its peers' as a percentage of the England and Wales rate: the offence
    groups highest and lowest against the national rate.

    Returns
    -------
    finding : str
    data : DataFrame
        ``offence_group``, ``rate_per_1000``, ``peers_rate_per_1000``, ``england_wales_rate_per_1000`` (crimes in
        the year per 1,000 residents) and ``pct_of_england_wales`` (the district's rate as % of the national).

    Examples
    --------
    >>> rc = pd.DataFrame({"district": "A", "offence_group": ["Robbery", "Homicide"],
    ...                    "rate_per_1000": [0.6, 0.01], "peers_rate_per_1000": [0.5, 0.01],
    ...                    "england_wales_rate_per_1000": [1.2, 0.01]})
    >>> print(benchmark(rc, "A", ["Robbery", "Homicide"])[0])  # doctest: +NORMALIZE_WHITESPACE
    Against the England and Wales rate, A is highest for Homicide (100% of the national rate)
    and lowest for Robbery (50%).
    """
    t = _str(recorded_crime, "district", "offence_group")
    t = t[(t["district"] == district) & t["offence_group"].isin(list(groups))]
    data = t[["offence_group", "rate_per_1000", "peers_rate_per_1000", "england_wales_rate_per_1000"]].assign(
        pct_of_england_wales=lambda d: 100 * d["rate_per_1000"].astype("float64")
        / d["england_wales_rate_per_1000"].astype("float64")).reset_index(drop=True)
    valid = data.dropna(subset=["pct_of_england_wales"]).sort_values(
        ["pct_of_england_wales", "offence_group"], ascending=[False, True])
    if valid.empty:
        return f"No Table C2 rate is available for {district}.", data
    top, low = valid.iloc[0], valid.iloc[-1]
    text = (f"Against the England and Wales rate, {district} is highest for {top['offence_group']} "
            f"({top['pct_of_england_wales']:.0f}% of the national rate)")
    if len(valid) > 1:
        text += f" and lowest for {low['offence_group']} ({low['pct_of_england_wales']:.0f}%)"
    return text + ".", data


def percentiles(recorded_crime: pd.DataFrame, districts: Sequence[str],
                groups: Sequence[str]) -> tuple[str, pd.DataFrame]:
    """Each district's percentile among all CSP areas per offence group: the highest standing.

    Returns
    -------
    finding : str
    data : DataFrame
        ``district``, ``offence_group``, ``percentile_england_wales`` (0 lowest rate, 100 highest).

    Examples
    --------
    >>> rc = pd.DataFrame({"district": ["A", "B"], "offence_group": "Robbery",
    ...                    "percentile_england_wales": [40.0, 75.5]})
    >>> percentiles(rc, ["A", "B"], ["Robbery"])[0]
    'The highest standing is B for Robbery, at the 76th percentile of CSP areas in England and Wales.'
    """
    t = _str(recorded_crime, "district", "offence_group")
    data = t[t["district"].isin(list(districts)) & t["offence_group"].isin(list(groups))][
        ["district", "offence_group", "percentile_england_wales"]].reset_index(drop=True)
    valid = data.dropna(subset=["percentile_england_wales"]).sort_values(
        ["percentile_england_wales", "district", "offence_group"], ascending=[False, True, True])
    if valid.empty:
        return "No district has a Table C2 percentile.", data
    top = valid.iloc[0]
    return (f"The highest standing is {top['district']} for {top['offence_group']}, at the "
            f"{_ordinal(round(top['percentile_england_wales']))} percentile of CSP areas in England and Wales.", data)


def _ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``76th``.

    >>> [_ordinal(k) for k in (1, 2, 3, 11, 12, 13, 21, 76, 100)]
    ['1st', '2nd', '3rd', '11th', '12th', '13th', '21st', '76th', '100th']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
