"""Cost per area: the estimated cost of crime, funding per incident and per resident, need against funding.

Unit costs come from Home Office Research Report 99 (Heeks et al. 2018, 2015/16 prices), offence by offence,
in ``reference/unit_costs_default.csv``; ``reference/issue_cost_mapping.csv`` says which unit cost, if any,
stands for each police.uk issue and why. Most police.uk categories mix offences whose shares no source gives,
or have no unit cost at all: their cost is blank ("no unit cost"), never 0, and every row carries its
``price_year``. A user's own table (``[costs] table`` in county.toml: ``issue, unit_cost_gbp, price_year,
source``) replaces the default.
"""

from __future__ import annotations

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
    """The county's unit costs: its ``[costs] table`` if configured, else the shipped default; then one row per
    local issue declared in county.toml (``unit_cost_gbp`` with its ``cost_source`` and ``price_year``; blank
    when none is declared, never 0)."""
    table = read_unit_costs(county.cost_table) if county.cost_table else default_unit_costs()
    if not county.local_issues:
        return table
    local = pd.DataFrame({
        "issue": [i.name for i in county.local_issues],
        "offence": [i.name if i.unit_cost_gbp is not None else None for i in county.local_issues],
        "unit_cost_gbp": pd.array([i.unit_cost_gbp for i in county.local_issues], dtype="float64"),
        "price_year": [i.price_year or ("not stated" if i.unit_cost_gbp is not None else table["price_year"].iloc[0])
                       for i in county.local_issues],
        "basis": ["declared in county.toml [[issues]]" if i.unit_cost_gbp is not None else
                  "no unit cost declared for this local issue" for i in county.local_issues],
        "source": [i.cost_source or NO_UNIT_COST for i in county.local_issues],
    })
    return pd.concat([table, local], ignore_index=True)


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
    """Funding, incidents, cost of crime and need per district, like compared with like.

    Allocations cover a period (``[funding] period_months``, or ``period_start`` to ``period_end``; a year when
    not stated) and the incidents one quarter, so both are annualised before they are divided: funding a year
    per incident a year, and funding a year per 1,000 residents.

    Parameters
    ----------
    scores : DataFrame
        District x issue table with ``count``, ``harm_score`` and ``cost_of_crime_gbp``; rows of local issues
        (partner data, not police.uk types) are left out, as they would count police.uk incidents twice.
    county : County
        Populations (residents), funding (pounds for its period, blank where not given), the funding period and
        the need basis (``[funding] need_basis``: incidents, harm or cost).

    Returns
    -------
    DataFrame
        One row per district: ``district``, ``population``, ``funding_gbp`` (the allocation as given, for its
        period; blank when none), ``incidents`` (every record, crimes and ASB, in the quarter),
        ``funding_per_incident_gbp`` (pounds a year per incident a year: the allocation x 12 / its months,
        divided by the quarter's incidents x 4), ``funding_per_1000_residents_gbp`` (pounds a year per 1,000
        residents; both blank when no funding, never 0), ``cost_of_crime_gbp`` (sum over issues with a unit
        cost), ``need_share`` (district share of county need, 0-1), ``funding_share`` (district share of the
        funding given, 0-1, blank when none), ``funding_period`` (in words), ``funding_annual_gbp``,
        ``incidents_annualised`` (the quarter x 4), ``harm_score``, ``incidents_per_1000``, ``need_basis``,
        ``price_year``.
    """
    info = county.funding_info
    # police.uk records only: a local issue (domestic abuse incidents, SARC referrals) counts incidents that
    # police.uk also holds under its own types, so adding them would count one incident twice.
    if "issue" in scores:
        scores = scores[scores["issue"].astype("str").isin(ISSUES)]
    g = scores.groupby("district", observed=True, sort=False)
    out = pd.DataFrame({
        "incidents": g["count"].sum().astype("int64"),
        "cost_of_crime_gbp": g["cost_of_crime_gbp"].sum(min_count=1),
        "harm_score": g["harm_score"].sum(min_count=1),
    }).reindex(county.district_names)
    out.index.name = "district"
    out.insert(0, "population", county.populations())
    funding = county.funding()
    annual = funding * 12 / info.months
    out.insert(1, "funding_gbp", funding)
    out["funding_per_incident_gbp"] = annual / (4 * out["incidents"]).where(out["incidents"] > 0)
    out["funding_per_1000_residents_gbp"] = annual / out["population"] * 1000
    basis = info.need_basis
    need = {"incidents": out["incidents"], "harm": out["harm_score"], "cost": out["cost_of_crime_gbp"]}[basis]
    need = need.astype("float64").fillna(0.0)
    out["need_share"] = need / need.sum() if need.sum() > 0 else np.nan
    total_funding = funding.sum(min_count=1)
    out["funding_share"] = funding / total_funding if pd.notna(total_funding) and total_funding else np.nan
    out["funding_period"] = info.period_text if county.has_funding() else ""
    out["funding_annual_gbp"] = annual
    out["incidents_annualised"] = 4 * out["incidents"]
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


def funding_scenarios(cost_per_area: pd.DataFrame, county: County) -> pd.DataFrame:
    """A needs-based allocation of the district pot, as allocated and under each cut, each saying whether it is
    before or after a cut.

    Parameters
    ----------
    cost_per_area : DataFrame
        :func:`cost_per_area` (``district``, ``need_share``, ``funding_gbp``).
    county : County
        ``[funding]``: the pot (default the districts' allocations summed), a cut the source already applied
        (``cut_pct`` with ``figures_are``: the allocations are "after the cut" or "before the cut") and further
        cuts to model (``cut_scenarios_pct``).

    Returns
    -------
    DataFrame
        One row per district x scenario: ``scenario`` (e.g. "as allocated (after the 24.8% cut)", "before the
        24.8% cut (reconstructed)", "a further 10% cut"), ``relative_to_cut`` ("before" or "after" the cut the
        source applied, blank when none), ``pot_gbp`` (pounds for the funding period), ``district``,
        ``need_share``, ``needs_based_gbp`` (pot x need share), ``funding_gbp`` (as allocated),
        ``difference_gbp`` (needs-based minus as allocated; blank where no allocation). Empty without funding.

    Examples
    --------
    >>> from csa_analysis.config import County, District, FundingInfo
    >>> from pathlib import Path
    >>> c = County("C", Path("c.toml"), Path("p"), (District("A", 2000, funding_gbp=752.0),),
    ...            funding_info=FundingInfo(cut_pct=24.8, figures_are="after the cut"))
    >>> cpa = pd.DataFrame({"district": ["A"], "need_share": [1.0], "funding_gbp": [752.0]})
    >>> funding_scenarios(cpa, c)[["scenario", "relative_to_cut", "pot_gbp"]].values.tolist()
    [['as allocated (after the 24.8% cut)', 'after', 752.0], ['before the 24.8% cut (reconstructed)', 'before', 1000.0]]
    """
    columns = ["scenario", "relative_to_cut", "pot_gbp", "district", "need_share", "needs_based_gbp", "funding_gbp",
               "difference_gbp"]
    info = county.funding_info
    current_total = cost_per_area["funding_gbp"].sum(min_count=1)
    pot = info.pot_gbp if info.pot_gbp is not None else current_total
    if pot is None or pd.isna(pot):
        return pd.DataFrame(columns=columns)
    scenarios: list[tuple[str, str, float]] = []
    cut = info.cut_pct
    if cut and info.figures_are == "after the cut":
        scenarios += [(f"as allocated (after the {cut:g}% cut)", "after", pot),
                      (f"before the {cut:g}% cut (reconstructed)", "before", pot / (1 - cut / 100))]
    elif cut and info.figures_are == "before the cut":
        scenarios += [(f"as allocated (before the {cut:g}% cut)", "before", pot),
                      (f"after the {cut:g}% cut", "after", pot * (1 - cut / 100))]
    else:
        scenarios.append(("as allocated", "", pot))
    further = "a further " if cut else ""
    scenarios += [(f"{further}{c:g}% cut", "after" if cut else "", pot * (1 - c / 100))
                  for c in info.cut_scenarios_pct if not (cut and c == cut)]
    rows = []
    for label, relative, amount in scenarios:
        frame = cost_per_area[["district", "need_share", "funding_gbp"]].copy()
        frame.insert(0, "pot_gbp", float(amount))
        frame.insert(0, "relative_to_cut", relative)
        frame.insert(0, "scenario", label)
        frame["needs_based_gbp"] = needs_based_allocation(amount, frame["need_share"])
        frame["difference_gbp"] = frame["needs_based_gbp"] - frame["funding_gbp"]
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)[columns]


def funding_summary(cost_per_area: pd.DataFrame, county: County) -> pd.DataFrame:
    """The funding in one table: the districts' allocations, the source's own total (reconciled), the county-wide
    pot beside them, and each a year.

    Returns
    -------
    DataFrame
        ``item``, ``amount_gbp`` (pounds for the funding period), ``annual_gbp`` (a year), ``note``. Empty without
        funding.

    Examples
    --------
    >>> from csa_analysis.config import County, District, FundingInfo
    >>> from pathlib import Path
    >>> c = County("C", Path("c.toml"), Path("p"), (District("A", 2000, funding_gbp=22380.0),
    ...            District("B", 2000, funding_gbp=36209.0)),
    ...            funding_info=FundingInfo(period_months=6, published_total_gbp=58590, county_wide_gbp=1000))
    >>> t = funding_summary(pd.DataFrame({"funding_gbp": [22380.0, 36209.0]}), c)
    >>> t["item"].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['District allocations (sum of the rows)', 'District allocations (published total)',
     'County-wide allocation', 'Total']
    >>> print(t["note"].iloc[1])  # doctest: +ELLIPSIS
    the published total is £1 more than the sum of the rows: each row was rounded to the nearest pound and the ...
    """
    info = county.funding_info
    total = cost_per_area["funding_gbp"].sum(min_count=1)
    if pd.isna(total):
        return pd.DataFrame(columns=["item", "amount_gbp", "annual_gbp", "note"])
    factor = 12 / info.months
    rows = [("District allocations (sum of the rows)", float(total), f"{info.period_text}; {info.label}")]
    if info.published_total_gbp is not None:
        diff = info.published_total_gbp - float(total)
        if abs(diff) < 0.005:
            note = "equals the sum of the rows"
        elif abs(diff) <= len(cost_per_area):
            note = (f"the published total is £{abs(diff):,.0f} {'more' if diff > 0 else 'less'} than the sum of the "
                    "rows: each row was rounded to the nearest pound and the total rounded once")
        else:
            note = f"differs from the sum of the rows by £{diff:,.2f}: check the figures"
        rows.append(("District allocations (published total)", float(info.published_total_gbp), note))
    if info.county_wide_gbp is not None:
        rows.append(("County-wide allocation", float(info.county_wide_gbp), "held at county level, not shared among "
                     "the districts"))
        district = info.published_total_gbp if info.published_total_gbp is not None else float(total)
        rows.append(("Total", district + float(info.county_wide_gbp), "districts (published total) and county-wide"
                     if info.published_total_gbp is not None else "districts and county-wide"))
    out = pd.DataFrame(rows, columns=["item", "amount_gbp", "note"])
    out.insert(2, "annual_gbp", out["amount_gbp"] * factor)
    return out
