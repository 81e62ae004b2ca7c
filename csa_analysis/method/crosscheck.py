"""Cross-check: police.uk street-level counts against the Home Office's Table C2 for the same CSP and year.

The two differ by design. police.uk publishes recorded crime **with a location**: a crime the force cannot map
to a point is left out or has no LSOA (the workbench's "unallocated" rows, in no district), figures are fixed when
a month is first published while Table C2 is extracted later, after reclassification and cancellation, and the
two group offences differently (police.uk's "Other crime" is not exactly Table C2's "Miscellaneous crimes against
society"). Table C2, in turn, counts the crimes each force assigned to a Community Safety Partnership, whether or
not they have a map point. The cross-check says by how much they differ, per district and offence group, so the
board knows how far the police.uk figures of the pack can be read as official recorded crime.

When the police.uk data cover only part of Table C2's year, the comparison uses the months they share and scales
the table's year pro rata (``basis`` says so): a seasonal issue then differs for that reason too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from csa_analysis.domain.issues import ASB, ISSUES

TOTAL_GROUP = "Total recorded crime (excluding fraud)"
#: Table C2 offence group -> the police.uk issues counted against it (anti-social behaviour is not a crime).
C2_TO_POLICE_UK: dict[str, tuple[str, ...]] = {
    TOTAL_GROUP: tuple(i for i in ISSUES if i != ASB),
    "Violence against the person + Sexual offences": ("Violence and sexual offences",),
    "Robbery": ("Robbery",),
    "Burglary": ("Burglary",),
    "Vehicle offences": ("Vehicle crime",),
    "Theft from the person": ("Theft from the person",),
    "Bicycle theft": ("Bicycle theft",),
    "Shoplifting": ("Shoplifting",),
    "All other theft offences": ("Other theft",),
    "Criminal damage and arson": ("Criminal damage and arson",),
    "Drug offences": ("Drugs",),
    "Possession of weapons offences": ("Possession of weapons",),
    "Public order offences": ("Public order",),
}
#: Groups whose police.uk counterpart also holds another Table C2 group (added to the table's side).
C2_COMBINED = {"Violence against the person + Sexual offences": ("Violence against the person", "Sexual offences")}
#: At least this many months of the table's year must be in the police.uk data for a comparison.
MIN_MONTHS = 3


def _year_months(period_end: str) -> list[str]:
    end = pd.Period(period_end, freq="M")
    return [str(end - k) for k in range(11, -1, -1)]


def policeuk_vs_c2(counts: pd.DataFrame, recorded_crime: pd.DataFrame, months: Sequence[str],
                   period_end: str) -> pd.DataFrame:
    """police.uk counts against Table C2 per district and offence group, for the table's year (or the months of
    it in the data, pro rata).

    Parameters
    ----------
    counts : DataFrame
        police.uk counts per district x issue x month (``district``, ``issue``, ``month``, ``count``).
    recorded_crime : DataFrame
        The ``recorded_crime`` table (:func:`csa_analysis.sources.benchmarking.county_recorded_crime`):
        ``district``, ``offence_group``, ``period``, ``count``, ``count_shared``.
    months : sequence of str
        The complete months of the police.uk data.
    period_end : str
        The last month of Table C2's year (``YYYY-MM``).

    Returns
    -------
    DataFrame
        One row per district x compared group: ``district``, ``offence_group``, ``police_uk_issues``, ``period``,
        ``months_compared`` (months of the table's year in the police.uk data), ``basis``, ``police_uk_count``,
        ``c2_count`` (the table's year), ``c2_count_for_months`` (pro rata for the months compared),
        ``difference`` (police.uk minus Table C2 for those months) and ``difference_pct`` (percent of the table's
        figure). Empty when fewer than :data:`MIN_MONTHS` months of the table's year are in the data. A district
        in a CSP that covers other districts is left out (its count is the CSP's).

    Examples
    --------
    >>> counts = pd.DataFrame({"district": ["A"] * 2, "issue": ["Robbery", "Robbery"],
    ...                        "month": ["2025-05", "2025-06"], "count": [4, 6]})
    >>> rc = pd.DataFrame({"district": ["A"], "offence_group": ["Robbery"], "period": ["year ending June 2025"],
    ...                    "count": pd.array([60], dtype="Int64"), "count_shared": [False]})
    >>> months = [f"2025-{m:02d}" for m in range(1, 7)]
    >>> out = policeuk_vs_c2(counts, rc, months, "2025-06")
    >>> out[["months_compared", "police_uk_count", "c2_count_for_months", "difference_pct"]].to_dict("records")
    [{'months_compared': 6, 'police_uk_count': 10, 'c2_count_for_months': 30.0, 'difference_pct': -66.66666666666667}]
    """
    year = _year_months(period_end)
    shared_months = sorted(set(year) & set(months))
    n = len(shared_months)
    cols = ["district", "offence_group", "police_uk_issues", "period", "months_compared", "basis",
            "police_uk_count", "c2_count", "c2_count_for_months", "difference", "difference_pct"]
    if n < MIN_MONTHS or recorded_crime.empty:
        return pd.DataFrame(columns=cols)
    rc = recorded_crime[~recorded_crime["count_shared"].astype(bool)]
    rc = rc.assign(district=rc["district"].astype("str"))
    groups = pd.DataFrame([(g, i) for g, issues in C2_TO_POLICE_UK.items() for i in issues],
                          columns=["offence_group", "issue"])
    c = counts[counts["month"].isin(shared_months)].astype({"district": "str", "issue": "str"})
    police = (c.merge(groups, on="issue").groupby(["district", "offence_group"], sort=False)["count"].sum()
              .rename("police_uk_count").reset_index())
    table_side = rc.assign(offence_group=rc["offence_group"].map(
        {g: target for target, gs in C2_COMBINED.items() for g in gs}).fillna(rc["offence_group"]))
    tg = table_side[table_side["offence_group"].isin(C2_TO_POLICE_UK)].groupby(
        ["district", "offence_group", "period"], sort=False)["count"]
    c2 = tg.sum(min_count=1).mask(tg.count() < tg.size()).rename("c2_count").reset_index()
    out = c2.merge(police, on=["district", "offence_group"], how="left")
    out["police_uk_count"] = out["police_uk_count"].fillna(0).astype("int64")
    out["police_uk_issues"] = out["offence_group"].map(
        {g: ", ".join(i) if g != TOTAL_GROUP else "every crime type (not anti-social behaviour)"
         for g, i in C2_TO_POLICE_UK.items()})
    out["months_compared"] = n
    out["basis"] = ("the same 12 months" if n == 12 else
                    f"pro rata: {n} of the table's 12 months ({shared_months[0]} to {shared_months[-1]}) are in the "
                    "police.uk data; the table's year is scaled by " + f"{n}/12")
    out["c2_count"] = out["c2_count"].astype("Int64")
    expected = out["c2_count"].astype("Float64") * n / 12
    out["c2_count_for_months"] = expected.astype("float64")
    out["difference"] = out["police_uk_count"] - out["c2_count_for_months"]
    out["difference_pct"] = (100 * out["difference"] / out["c2_count_for_months"].where(
        out["c2_count_for_months"] > 0)).astype("float64")
    order = {g: k for k, g in enumerate(C2_TO_POLICE_UK)}
    district_order = {d: k for k, d in enumerate(pd.unique(recorded_crime["district"].astype("str")))}
    out = out.assign(_d=out["district"].map(district_order), _g=out["offence_group"].map(order)).sort_values(
        ["_d", "_g"], ignore_index=True)
    return out[cols].replace({np.inf: np.nan})


__all__ = ["C2_TO_POLICE_UK", "policeuk_vs_c2"]
