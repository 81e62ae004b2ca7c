"""Cost per area: the estimated cost of crime, funding per incident and per resident, need against funding.

Unit costs come from Home Office Research Report 99 (Heeks et al. 2018, 2015/16 prices), offence by offence,
in ``reference/unit_costs_default.csv``; ``reference/issue_cost_mapping.csv`` says which unit cost, if any,
stands for each police.uk issue and why. Most police.uk categories mix offences whose shares no source gives,
or have no unit cost at all: their cost is blank ("no unit cost"), never 0, and every row carries its
``price_year``. A user's own table (``[costs] table`` in county.toml: ``issue, unit_cost_gbp, price_year,
source``) replaces the default.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from csa_analysis.config.county import County
from csa_analysis.config.tables import Column, Schema, read_table
from csa_analysis.domain.issues import ISSUES
from csa_analysis.paths import REFERENCE_DIR

NO_UNIT_COST = "no unit cost"


def default_unit_costs() -> pd.DataFrame:
    """Unit cost per police.uk issue from the shipped offence table and mapping.

    Returns
    -------
    DataFrame
        One row per issue: ``issue``, ``offence`` (the unit cost used, blank when none), ``unit_cost_gbp``
        (pounds per offence, NaN when none), ``price_year``, ``basis`` (why), ``source``.
    """
    offences = pd.read_csv(REFERENCE_DIR / "unit_costs_default.csv", dtype={"price_year": "str"})
    mapping = pd.read_csv(REFERENCE_DIR / "issue_cost_mapping.csv", dtype="str", keep_default_na=False,
                          na_values=[""])
    out = mapping.merge(offences, on="offence", how="left")
    out["price_year"] = out["price_year"].fillna(offences["price_year"].iloc[0])
    out["source"] = out["source"].fillna(NO_UNIT_COST)
    return out[["issue", "offence", "unit_cost_gbp", "price_year", "basis", "source"]]


#: A user's unit-cost table: one row per issue, pounds per offence (blank where none exists) and the price year.
COST_SCHEMA = Schema("unit-cost table", (
    Column("issue", "issue", expected="a police.uk issue"),
    Column("unit_cost_gbp", "number", blank=True, maximum=1e9,
           expected="pounds per offence (blank where no unit cost exists)"),
    Column("price_year", expected="the prices' year, e.g. 2015/16"),
    Column("basis", required=False, blank=True, default="user table"),
    Column("source", required=False, blank=True),
), key="issue")


def read_unit_costs(path: str | Path) -> pd.DataFrame:
    """A user's unit-cost table per issue: ``issue, unit_cost_gbp, price_year`` (and optional ``basis``,
    ``source``), ``.csv`` or ``.xlsx``.

    Raises
    ------
    InputError
        Missing columns, an unknown issue or one given twice, a cost that is not a number of 0 or more.
    """
    path = Path(path)
    table = read_table(path, COST_SCHEMA, issues=ISSUES)
    table["source"] = table["source"].fillna(path.name)
    table.insert(1, "offence", table["issue"])
    out = table[["issue", "offence", "unit_cost_gbp", "price_year", "basis", "source"]]
    return out.set_index("issue").reindex(list(ISSUES)).reset_index()


def unit_costs_for(county: County) -> pd.DataFrame:
    """The county's unit costs: its ``[costs] table`` if configured, else the shipped default."""
    return read_unit_costs(county.cost_table) if county.cost_table else default_unit_costs()


def add_cost(volume: pd.DataFrame, unit_costs: pd.DataFrame) -> pd.DataFrame:
    """Add ``unit_cost_gbp``, ``cost_of_crime_gbp`` (count x unit cost, blank where none) and
    ``price_year`` to a district x issue table."""
    u = unit_costs.set_index("issue")
    out = volume.copy()
    issue = out["issue"].astype("str")
    out["unit_cost_gbp"] = issue.map(u["unit_cost_gbp"]).astype("float64")
    out["cost_of_crime_gbp"] = out["count"] * out["unit_cost_gbp"]
    out["price_year"] = issue.map(u["price_year"]).astype("str")
    return out


def cost_per_area(scores: pd.DataFrame, county: County) -> pd.DataFrame:
    """Funding, incidents, cost of crime and need per district.

    Parameters
    ----------
    scores : DataFrame
        District x issue table with ``count``, ``harm_score`` and ``cost_of_crime_gbp``.
    county : County
        Populations (residents), funding (pounds, blank where not given) and the need basis
        (``[funding_info] need_basis``: incidents, harm or cost).

    Returns
    -------
    DataFrame
        One row per district: ``district``, ``population``, ``funding_gbp`` (blank when none),
        ``incidents`` (every record, crimes and ASB, in the quarter), ``funding_per_incident_gbp``,
        ``funding_per_1000_residents_gbp`` (blank when no funding, never 0), ``cost_of_crime_gbp`` (sum
        over issues with a unit cost), ``need_share`` (district share of county need, 0-1),
        ``funding_share`` (district share of the funding given, 0-1, blank when none), ``harm_score``,
        ``incidents_per_1000``, ``need_basis``, ``price_year``.
    """
    g = scores.groupby("district", observed=True, sort=False)
    out = pd.DataFrame({
        "incidents": g["count"].sum().astype("int64"),
        "cost_of_crime_gbp": g["cost_of_crime_gbp"].sum(min_count=1),
        "harm_score": g["harm_score"].sum(min_count=1),
    }).reindex(county.district_names)
    out.index.name = "district"
    out.insert(0, "population", county.populations())
    funding = county.funding()
    out.insert(1, "funding_gbp", funding)
    out["funding_per_incident_gbp"] = funding / out["incidents"].where(out["incidents"] > 0)
    out["funding_per_1000_residents_gbp"] = funding / out["population"] * 1000
    basis = county.funding_info.need_basis
    need = {"incidents": out["incidents"], "harm": out["harm_score"], "cost": out["cost_of_crime_gbp"]}[basis]
    need = need.astype("float64").fillna(0.0)
    out["need_share"] = need / need.sum() if need.sum() > 0 else np.nan
    total_funding = funding.sum(min_count=1)
    out["funding_share"] = funding / total_funding if pd.notna(total_funding) and total_funding else np.nan
    out["incidents_per_1000"] = out["incidents"] / out["population"] * 1000
    out["need_basis"] = basis
    out["price_year"] = price_years(scores)
    out = out.reset_index()
    first = ["district", "population", "funding_gbp", "incidents", "funding_per_incident_gbp",
             "funding_per_1000_residents_gbp", "cost_of_crime_gbp", "need_share", "funding_share"]
    return out[first + [c for c in out.columns if c not in first]]


def price_years(table: pd.DataFrame) -> str:
    """The price year(s) of the unit costs behind a table's ``cost_of_crime_gbp`` ("2015/16"; several joined
    with "; " when a user table mixes them; blank when no row has a cost)."""
    if "price_year" not in table or "cost_of_crime_gbp" not in table:
        return ""
    years = table.loc[table["cost_of_crime_gbp"].notna(), "price_year"].dropna().astype("str")
    return "; ".join(sorted(set(years) - {"", "nan"}))


def needs_based_allocation(pot_gbp: float, need_share: pd.Series) -> pd.Series:
    """Share a funding pot in proportion to need.

    Parameters
    ----------
    pot_gbp : float
        The pot to share (pounds).
    need_share : Series
        Each district's share of county need (0-1, summing to 1; NaN when no need was measured).

    Returns
    -------
    Series of float
        ``pot_gbp x need_share`` per district (pounds), aligned with ``need_share``.

    Examples
    --------
    >>> needs_based_allocation(1000.0, pd.Series([0.25, 0.75], index=["A", "B"])).tolist()
    [250.0, 750.0]
    """
    return (float(pot_gbp) * need_share.astype("float64")).rename("needs_based_gbp")


def funding_scenarios(cost_per_area: pd.DataFrame, pot_gbp: float | None,
                      cuts_pct: Sequence[float] = ()) -> pd.DataFrame:
    """A needs-based allocation of a funding pot, as it stands and after each cut.

    Parameters
    ----------
    cost_per_area : DataFrame
        :func:`cost_per_area` (``district``, ``need_share``, ``funding_gbp``).
    pot_gbp : float or None
        The pot to share (pounds). When None, the sum of the districts' funding is used; when there is no
        funding at all, the result is empty.
    cuts_pct : sequence of float
        Cuts to model, in percent (24.8 = the pot falls by 24.8%).

    Returns
    -------
    DataFrame
        One row per district x scenario: ``scenario`` ("current pot" or "cut 24.8%"), ``pot_gbp``,
        ``district``, ``need_share``, ``needs_based_gbp`` (pot x need share), ``funding_gbp`` (current),
        ``difference_gbp`` (needs-based minus current; blank where no current funding).
    """
    current_total = cost_per_area["funding_gbp"].sum(min_count=1)
    pot = pot_gbp if pot_gbp is not None else current_total
    if pot is None or pd.isna(pot):
        return pd.DataFrame(columns=["scenario", "pot_gbp", "district", "need_share", "needs_based_gbp",
                                     "funding_gbp", "difference_gbp"])
    rows = []
    for label, factor in [("current pot", 1.0), *[(f"cut {c:g}%", 1 - c / 100) for c in cuts_pct]]:
        frame = cost_per_area[["district", "need_share", "funding_gbp"]].copy()
        frame.insert(0, "pot_gbp", pot * factor)
        frame.insert(0, "scenario", label)
        frame["needs_based_gbp"] = needs_based_allocation(pot * factor, frame["need_share"])
        frame["difference_gbp"] = frame["needs_based_gbp"] - frame["funding_gbp"]
        rows.append(frame)
    out = pd.concat(rows, ignore_index=True)
    return out[["scenario", "pot_gbp", "district", "need_share", "needs_based_gbp", "funding_gbp",
                "difference_gbp"]]
