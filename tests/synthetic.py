"""Synthetic scored tables for the board-pack tests: 7 districts x 14 issues, seeded, every contract column.

Built by hand with plain arithmetic (not by :mod:`csa_analysis.method.score`), so the chart, workbook, notebook and
runner tests neither depend on the scoring library nor break when its numbers change. The district names are
made up; one holds an ampersand and one an apostrophe, to exercise escaping and slugs.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd

from csa_analysis.domain.issues import ASB, ISSUES
from csa_analysis.domain.periods import Quarter
from csa_analysis.method.prevalence import against_county
from csa_analysis.method.rag import rag_table
from csa_analysis.method.score import Scored

QUARTER = Quarter.parse("2024-25Q1")
COUNTY_NAME = "Synthshire"
#: The sections (h2 headings) of a district page and of the county roll-up, in order; the county's optional
#: sections (partnership landscape, local issues, Table C2) appear only when their inputs are given.
DISTRICT_SECTIONS = ["Executive summary", "Top priorities and RAG status", "Priorities", "Trends",
                     "Compared with the county", "Priority matrix", "Where and when", "Outcomes of crimes",
                     "Funding and cost", "Data quality", "Glossary", "Methodology", "Provenance"]
COUNTY_SECTIONS = ["Executive summary", "Top priorities and RAG status", "Delivery levels", "County priorities",
                   "Where issues are concentrated", "Districts against the county", "Priority matrix", "Trends",
                   "Where and when", "Outcomes of crimes", "Funding against need", "Sensitivity of the harm ranking",
                   "Data quality", "Glossary", "Methodology", "Provenance"]
#: name -> (residents, funding in pounds or None)
DISTRICTS: dict[str, tuple[int, float | None]] = {
    "Ashby Vale": (101_526, 22_380.0),
    "Brook & Fenton": (185_851, 36_209.0),
    "Castleford": (93_807, 19_398.0),
    "Dunmore": (113_136, 24_506.0),
    "Eastmere": (51_209, 16_423.0),
    "Fairholt": (103_611, None),  # no funding figure: blanks, never 0
    "St Greyston's": (57_015, 17_071.0),
}
#: Per issue: incidents per 1,000 residents a quarter, harm weight (None = no weight), unit cost in pounds.
ISSUE_FACTS: dict[str, tuple[float, float | None, float | None]] = {
    "Anti-social behaviour": (4.0, None, None),
    "Bicycle theft": (0.3, 2.0, None),
    "Burglary": (1.7, 222.0, 5_930.0),
    "Criminal damage and arson": (1.8, 11.5, 1_350.0),
    "Drugs": (0.5, 20.0, None),
    "Other crime": (0.2, 60.0, None),
    "Other theft": (1.3, 6.0, 844.0),
    "Possession of weapons": (0.1, 273.75, None),
    "Public order": (0.9, 45.0, None),
    "Robbery": (0.1, 365.0, 11_320.0),
    "Shoplifting": (1.2, 2.0, 130.0),
    "Theft from the person": (0.15, 20.0, 1_380.0),
    "Vehicle crime": (1.0, 10.0, 1_060.0),
    "Violence and sexual offences": (4.8, 197.0, None),
}
assert tuple(ISSUE_FACTS) == ISSUES


def h2_headings(page: str) -> list[str]:
    """The h2 headings' text of an HTML page as a browser shows it (tags and character references resolved, no
    anchor ¶): what :data:`DISTRICT_SECTIONS` and :data:`COUNTY_SECTIONS` list."""
    return [html.unescape(re.sub(r"<[^>]+>", "", h)).replace("¶", "").strip()
            for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.S)]


def _months(quarter: Quarter, back: int = 15) -> list[str]:
    end = pd.Period(quarter.months()[-1], freq="M")
    return [str(end - k) for k in range(back - 1, -1, -1)]


def _rank(scores: pd.Series) -> pd.Series:
    return scores.rank(ascending=False, method="first").astype("int64")


def synthetic_tables(seed: int = 7) -> dict[str, pd.DataFrame]:
    """Every table a board pack shows, for :data:`DISTRICTS` x the 14 issues, in :data:`QUARTER`."""
    rng = np.random.default_rng(seed)
    months = _months(QUARTER)
    q_months = QUARTER.months()
    prev_months = QUARTER.previous().months()
    ly_months = QUARTER.last_year().months()

    monthly_rows = []
    for d, (pop, _) in DISTRICTS.items():
        lean = rng.uniform(0.6, 1.5)
        for issue, (rate, _, _) in ISSUE_FACTS.items():
            for m in months:
                monthly_rows.append((d, issue, m, int(rng.poisson(rate * pop / 1000 / 3 * lean))))
    monthly = pd.DataFrame(monthly_rows, columns=["district", "issue", "month", "count"])
    by = monthly.pivot_table(index=["district", "issue"], columns="month", values="count", sort=False)

    s = pd.DataFrame({"district": [d for d in DISTRICTS for _ in ISSUES],
                      "issue": [i for _ in DISTRICTS for i in ISSUES]})
    key = pd.MultiIndex.from_frame(s)
    s["quarter"] = str(QUARTER)
    s["count"] = by.loc[key, q_months].sum(axis=1).to_numpy().astype("int64")
    s["count_prev_quarter"] = pd.array(by.loc[key, prev_months].sum(axis=1).to_numpy(), dtype="Int64")
    s["count_last_year"] = pd.array(by.loc[key, ly_months].sum(axis=1).to_numpy(), dtype="Int64")
    for col, before in (("change_pct_prev_quarter", "count_prev_quarter"),
                        ("change_pct_last_year", "count_last_year")):
        b = s[before].astype("float64")
        s[col] = ((s["count"] - b) / b * 100).where(b > 0)
    diff = s["count"] - s["count_last_year"].astype("float64")
    z = diff / np.sqrt((s["count"] + s["count_last_year"].astype("float64")).clip(lower=1))
    s["change_flag"] = np.where(z > 2, "increase", np.where(z < -2, "decrease", "no change beyond random variation"))
    s["population"] = s["district"].map({d: p for d, (p, _) in DISTRICTS.items()}).astype("int64")
    s["rate_per_1000"] = s["count"] / s["population"] * 1000
    s["rate_low_per_1000"] = np.maximum(s["count"] - 2 * np.sqrt(s["count"]), 0) / s["population"] * 1000
    s["rate_high_per_1000"] = (s["count"] + 2 * np.sqrt(s["count"]) + 1) / s["population"] * 1000
    district_total = s.groupby("district")["count"].transform("sum")
    issue_total = s.groupby("issue")["count"].transform("sum")
    s["location_quotient"] = (s["count"] / district_total) / (issue_total / s["count"].sum())
    weight = s["issue"].map({i: f[1] for i, f in ISSUE_FACTS.items()}).astype("float64")
    unit_cost = s["issue"].map({i: f[2] for i, f in ISSUE_FACTS.items()}).astype("float64")
    s["harm_score"] = s["count"] * weight
    s["cost_of_crime_gbp"] = s["count"] * unit_cost
    grp = s.groupby("district")
    s["score_volume"] = s["count"] / grp["count"].transform("max")
    s["score_trend"] = (0.5 + z.fillna(0).clip(-2, 2) / 4).fillna(0.5)
    s["score_harm"] = (s["harm_score"] / grp["harm_score"].transform("max")).fillna(0)
    s["score_cost"] = (s["cost_of_crime_gbp"] / grp["cost_of_crime_gbp"].transform("max")).fillna(0)
    s["score_prevalence"] = (s["location_quotient"] / 2).clip(0, 1)
    s["priority_score"] = 100 * (0.3 * s["score_volume"] + 0.15 * s["score_trend"] + 0.3 * s["score_harm"]
                                 + 0.1 * s["score_cost"] + 0.15 * s["score_prevalence"])
    s["priority_rank"] = s.groupby("district")["priority_score"].transform(_rank).astype("int64")
    s["change_basis"] = "same quarter last year"
    # No population column: it is not in the contract, so the reports must find it in cost_per_area.
    issue_scores = s.drop(columns="population").sort_values(["district", "priority_rank"], ignore_index=True)

    c = s.groupby("issue", sort=False).agg(count=("count", "sum"), count_last_year=("count_last_year", "sum"),
                                           harm_score=("harm_score", lambda x: x.sum(min_count=1)),
                                           cost_of_crime_gbp=("cost_of_crime_gbp", lambda x: x.sum(min_count=1)),
                                           population=("population", "sum")).reset_index()
    c["rate_per_1000"] = c["count"] / c["population"] * 1000
    county_rate = s["issue"].map(c.set_index("issue")["rate_per_1000"])
    c["districts_above_county_rate"] = c["issue"].map(
        (s["rate_per_1000"] >= county_rate).groupby(s["issue"]).sum()).astype("int64")
    c["prevalence_share"] = c["districts_above_county_rate"] / len(DISTRICTS)
    c["change_pct_last_year"] = (c["count"] - c["count_last_year"]) / c["count_last_year"] * 100
    c["change_flag"] = np.where(c["change_pct_last_year"] > 10, "increase", "no change beyond random variation")
    c["priority_score"] = 100 * (0.4 * c["count"] / c["count"].max()
                                 + 0.4 * (c["harm_score"] / c["harm_score"].max()).fillna(0)
                                 + 0.2 * c["prevalence_share"])
    c["priority_rank"] = _rank(c["priority_score"])
    levels = np.where(c["issue"].isin(["Robbery", "Possession of weapons"]), "county-wide service",
                      np.where(c["priority_rank"] <= 4, "county-coordinated", "district-led"))
    c["delivery_level"] = levels
    c["rationale"] = [f"{lvl}: {n:,} incidents county-wide, {k} of {len(DISTRICTS)} districts at or above the "
                      f"county rate of {r:.2f} per 1,000." for lvl, n, k, r in
                      zip(levels, c["count"], c["districts_above_county_rate"], c["rate_per_1000"], strict=True)]
    c["risk_note"] = np.where(levels == "district-led",
                              "Not escalated. Risk: concentrated in few districts; watch the trend.", None)
    c.loc[c["issue"] == ASB, "risk_note"] = "=Not escalated. Risk: text that looks like a formula."
    first = ["issue", "count", "rate_per_1000", "districts_above_county_rate", "prevalence_share", "harm_score",
             "cost_of_crime_gbp", "priority_score", "priority_rank", "delivery_level", "rationale", "risk_note"]
    county_priorities = c[first + ["count_last_year", "change_pct_last_year", "change_flag"]].sort_values(
        "priority_rank", ignore_index=True)

    cpa = s.groupby("district", sort=False).agg(population=("population", "first"), incidents=("count", "sum"),
                                                cost_of_crime_gbp=("cost_of_crime_gbp", "sum")).reset_index()
    cpa["funding_gbp"] = cpa["district"].map({d: f for d, (_, f) in DISTRICTS.items()}).astype("float64")
    cpa["funding_per_incident_gbp"] = cpa["funding_gbp"] / cpa["incidents"]
    cpa["funding_per_1000_residents_gbp"] = cpa["funding_gbp"] / cpa["population"] * 1000
    cpa["need_share"] = cpa["incidents"] / cpa["incidents"].sum()
    cpa["funding_share"] = cpa["funding_gbp"] / cpa["funding_gbp"].sum()
    cost_per_area = cpa[["district", "population", "funding_gbp", "incidents", "funding_per_incident_gbp",
                         "funding_per_1000_residents_gbp", "cost_of_crime_gbp", "need_share", "funding_share"]]

    pot = float(cpa["funding_gbp"].sum())
    scen = []
    for name, scale in (("current pot", 1.0), ("24.8% cut", 1 - 0.248)):
        for r in cpa.itertuples():
            scen.append((name, pot * scale, r.district, r.need_share, pot * scale * r.need_share, r.funding_gbp,
                         pot * scale * r.need_share - r.funding_gbp))
    funding_scenarios = pd.DataFrame(scen, columns=["scenario", "pot_gbp", "district", "need_share",
                                                    "needs_based_gbp", "funding_gbp", "difference_gbp"])

    h = c[["issue", "count", "harm_score"]].rename(columns={"harm_score": "harm_default"})
    h["rank_default"] = h["harm_default"].rank(ascending=False, method="first", na_option="bottom").astype("int64")
    h["harm_equal_weights"] = h["count"].astype("float64")
    h["rank_equal_weights"] = _rank(h["harm_equal_weights"])
    h["max_rank_change"] = (h["rank_default"] - h["rank_equal_weights"]).abs()
    harm_sensitivity = h.sort_values("rank_default", ignore_index=True)

    return {"issue_scores": issue_scores, "county_priorities": county_priorities, "cost_per_area": cost_per_area,
            "harm_sensitivity": harm_sensitivity, "monthly": monthly, "funding_scenarios": funding_scenarios,
            "rag": rag_table(pd.concat([s, against_county(s)], axis=1), county_priorities)}


def synthetic_quality(tables: dict[str, pd.DataFrame]) -> dict:
    """A data-quality account consistent with the synthetic monthly counts."""
    placed = tables["monthly"].groupby("district", sort=False)["count"].sum()
    return {"county": COUNTY_NAME, "rows_read": int(placed.sum()) + 1_734, "districts": placed.astype(int).to_dict(),
            "unallocated": 512, "out_of_area": 1_222, "duplicates_dropped": 3,
            "months": sorted(tables["monthly"]["month"].unique().tolist()), "repeated_file_rows": 0,
            "coordinates_outside_gb": 0, "out_of_area_by_area": {"Elsewhere": 1_222}}


SYNTHETIC_INPUTS = [{"path": "police_uk/2024-06/2024-06-synthshire-street.csv",
                     "sha256": "0" * 64, "rows": 12_345}]


def synthetic_scored(seed: int = 7) -> Scored:
    """What :func:`csa_analysis.run.pipeline.score_quarter` returns, for the synthetic county."""
    tables = synthetic_tables(seed)
    return Scored(QUARTER, tables, synthetic_quality(tables), SYNTHETIC_INPUTS)


def write_county(folder: Path) -> Path:
    """A data folder holding only ``county.toml`` for :data:`DISTRICTS` (the tables are synthetic)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f'name = "{COUNTY_NAME}"', ""]
    for name, (pop, funding) in DISTRICTS.items():
        lines += ["[[districts]]", f'name = "{name}"', f"population = {pop}"]
        if funding is not None:
            lines.append(f"funding_gbp = {funding}")
        lines.append("")
    (folder / "county.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder


def synthetic_where_when(tables: dict[str, pd.DataFrame], seed: int = 7) -> dict[str, pd.DataFrame]:
    """The record-level tables (:func:`csa_analysis.method.where_when.where_and_when_from_records`) of synthetic
    records that agree with ``tables["monthly"]``: one record per counted incident, in 5 invented LSOAs per
    district, at 12 invented map points each, with invented outcomes (the LSOA codes are in no ONS lookup, so
    there are no wards)."""
    from csa_analysis.method.where_when import where_and_when_from_records

    rng = np.random.default_rng(seed)
    m = tables["monthly"].dropna(subset=["count"])
    rec = m.loc[m.index.repeat(m["count"].astype("int64")), ["district", "issue", "month"]].reset_index(drop=True)
    rec["district"] = pd.Categorical(rec["district"].astype("str"), categories=list(DISTRICTS))
    rec["issue"] = pd.Categorical(rec["issue"].astype("str"), categories=list(ISSUES))
    k = rng.integers(0, 5, len(rec))
    code = rec["district"].cat.codes.to_numpy()
    rec["lsoa_code"] = pd.Series([f"E0199{c:02d}{i:02d}" for c, i in zip(code, k, strict=True)], dtype="str")
    rec["lsoa_name"] = (rec["district"].astype("str") + " 00" + pd.Series(k + 1).astype("str") + "A").astype("str")
    point = rng.integers(0, 12, len(rec))
    rec["location"] = pd.Series([f"On or near Street {p}" for p in point], dtype="str")
    rec["longitude"] = -1.2 + code * 0.1 + k * 0.01 + point * 0.003
    rec["latitude"] = 52.6 + code * 0.05 + k * 0.01 + point * 0.002
    outcomes = np.array(["Investigation complete; no suspect identified", "Local resolution",
                         "Awaiting court outcome", "Unable to prosecute suspect"])
    rec["outcome"] = pd.Series(outcomes[rng.integers(0, 4, len(rec))], dtype="str").where(
        rec["issue"].astype("str") != "Anti-social behaviour")
    months = sorted(m["month"].astype("str").unique())
    return where_and_when_from_records(rec, months, QUARTER, list(DISTRICTS))
