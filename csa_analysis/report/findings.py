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
    if above:
        names = ", ".join(above)
        return (f"{issue}: {len(above)} district{'s' if len(above) != 1 else ''} above the county's 99.8% upper "
                f"limit ({names}); the county rate is {fmt(rate, 'rate')} per 1,000 residents."), data
    return (f"{issue}: no district is above the county's 99.8% upper limit; the county rate is "
            f"{fmt(rate, 'rate')} per 1,000 residents."), data


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
