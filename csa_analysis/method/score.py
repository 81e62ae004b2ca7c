"""The scored tables of one quarter: ``issue_scores``, ``county_priorities``, ``cost_per_area`` and extras.

:func:`build_tables` is the whole analysis in one call; every step is a function of its own module
(:mod:`volume`, :mod:`prevalence`, :mod:`harm`, :mod:`costs`, :mod:`scoring`, :mod:`delivery`). The first
columns of the three contract tables are exactly those of design.md section 5, in that order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csa_analysis.config.county import County
from csa_analysis.domain.periods import Quarter, check_quarter_in_data
from csa_analysis.ingest.counts import monthly_counts
from csa_analysis.method.concern import add_concern, concern_vs_recorded, county_concern, district_concern
from csa_analysis.method.costs import add_cost, cost_per_area, funding_scenarios, funding_summary, unit_costs_for
from csa_analysis.method.delivery import delivery_levels
from csa_analysis.method.harm import add_harm, harm_weights_for, ranking_sensitivity, read_harm_table
from csa_analysis.method.prevalence import against_county, county_volume, location_quotients
from csa_analysis.method.rag import rag_table
from csa_analysis.method.scoring import COMPONENTS, add_priority, morile_matrix, morile_scales
from csa_analysis.method.volume import (
    bh_adjust,
    change_flag,
    monthly_series,
    pct_change,
    poisson_change_p,
    volume_table,
)

ISSUE_SCORES_COLUMNS = (
    "district", "issue", "quarter", "count", "count_prev_quarter", "count_last_year",
    "change_pct_prev_quarter", "change_pct_last_year", "change_flag", "rate_per_1000", "location_quotient",
    "harm_score", "cost_of_crime_gbp", "priority_score", "priority_rank",
)
COUNTY_PRIORITIES_COLUMNS = (
    "issue", "count", "rate_per_1000", "districts_above_county_rate", "prevalence_share", "harm_score",
    "cost_of_crime_gbp", "priority_score", "priority_rank", "delivery_level", "rationale",
)
COST_PER_AREA_COLUMNS = (
    "district", "population", "funding_gbp", "incidents", "funding_per_incident_gbp",
    "funding_per_1000_residents_gbp", "cost_of_crime_gbp", "need_share", "funding_share",
)


@dataclass
class Scored:
    """One quarter scored: what ``csa score`` writes, the board pack shows and a notebook opens.

    Attributes
    ----------
    quarter : Quarter
        The quarter scored.
    tables : dict of DataFrame
        Every table by name, as published (any disclosure rule applied): the scored tables of
        :func:`build_tables_from_counts` (the ``rag`` status among them, computed before disclosure) and the
        partnership tables when the county gives a register.
    quality : dict
        The data-quality account (``csa check --json``).
    inputs : list of dict
        The files read: ``path``, ``sha256``, ``rows``.
    """

    quarter: Quarter
    tables: dict[str, pd.DataFrame]
    quality: dict[str, Any]
    inputs: list[dict[str, Any]] = field(default_factory=list)
    #: The saved folder this was read from or saved to (None until then); not part of the value.
    folder: Path | None = field(default=None, compare=False, repr=False)

    #: The file, written last, that lists a saved folder's files with their sha256.
    LISTING = "entry.json"

    def save(self, folder: str | Path) -> None:
        """Write the tables as Parquet and the rest as JSON into ``folder``, the listing of every file last.

        Files already in ``folder`` (in subfolders too, e.g. the tables as CSV that ``csa score`` keeps with the
        entry) are listed with them, so :meth:`load` checks them as well.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, table in self.tables.items():
            table.to_parquet(folder / f"{name}.parquet", index=False)
        (folder / "quality.json").write_text(json.dumps(self.quality, indent=1), encoding="utf-8")
        (folder / "inputs.json").write_text(json.dumps(self.inputs, indent=1), encoding="utf-8")
        (folder / "quarter.json").write_text(json.dumps({"quarter": str(self.quarter)}), encoding="utf-8")
        listing = {name: _sha256(folder / name) for name in _files(folder) if name != self.LISTING}
        (folder / self.LISTING).write_text(json.dumps(listing, indent=0), encoding="utf-8")
        self.folder = folder

    @classmethod
    def load(cls, folder: str | Path, *, tables: bool = True) -> Scored | None:
        """What :meth:`save` wrote into ``folder``; None when it is missing, incomplete or changed since
        (every file listed is checked against its sha256, and no other file may be there).

        With ``tables=False`` the tables are checked but not read (``tables`` is then empty), for a caller that
        only copies files kept with the entry.
        """
        folder = Path(folder)
        try:
            listing = json.loads((folder / cls.LISTING).read_text(encoding="utf-8"))
            files = set(_files(folder)) - {cls.LISTING}
            if not isinstance(listing, dict) or files != set(listing):
                return None
            if any(_sha256(folder / name) != digest for name, digest in listing.items()):
                return None
            read = {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))} if tables else {}
            quality = json.loads((folder / "quality.json").read_text(encoding="utf-8"))
            inputs = json.loads((folder / "inputs.json").read_text(encoding="utf-8"))
            quarter = Quarter.parse(json.loads((folder / "quarter.json").read_text(encoding="utf-8"))["quarter"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return cls(quarter, read, quality, inputs, folder=folder)


def _files(folder: Path) -> list[str]:
    """Every file under ``folder``, as sorted POSIX paths relative to it."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _order(df: pd.DataFrame, first: Sequence[str]) -> pd.DataFrame:
    return df[list(first) + [c for c in df.columns if c not in first]]


def county_changes(county_table: pd.DataFrame, fdr_q: float = 0.05) -> pd.DataFrame:
    """Add the county-level change columns (percentages, p-values, flag) to a table of county counts; the
    issues' tests are controlled together for the false-discovery rate ``fdr_q``."""
    t = county_table.copy()
    now, prev, ly = t["count"], t["count_prev_quarter"], t["count_last_year"]
    t["change_pct_prev_quarter"] = pct_change(now, prev)
    t["change_pct_last_year"] = pct_change(now, ly)
    p_prev, p_ly = poisson_change_p(now, prev), poisson_change_p(now, ly)
    use_ly = ~np.isnan(p_ly)
    t["p_value_prev_quarter"], t["p_value_last_year"] = p_prev, p_ly
    t["p_value_adjusted"] = bh_adjust(np.where(use_ly, p_ly, p_prev))  # the county's issues, tested together
    t["change_flag"] = change_flag(t["p_value_adjusted"].to_numpy(), now, ly.where(use_ly, prev), fdr_q)
    return t


def build_tables(records: pd.DataFrame, county: County, quarter: Quarter | str,
                 months: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Score one quarter from placed records (see :func:`build_tables_from_counts`).

    Parameters
    ----------
    records : DataFrame
        One row per incident placed in a district (:attr:`csa_analysis.ingest.place.Dataset.records`): ``month``
        (``YYYY-MM``), ``district`` (categorical, the county's official names) and ``issue`` (categorical).
    county, quarter, months
        As for :func:`build_tables_from_counts`.
    """
    return build_tables_from_counts(monthly_counts(records, county), county, quarter, months)


def build_tables_from_counts(counts: pd.DataFrame, county: County, quarter: Quarter | str,
                             months: Sequence[str], issue_months: Mapping[str, Sequence[str]] | None = None,
                             consultation: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Every scored table of one quarter from counts per district x issue x month.

    Parameters
    ----------
    counts : DataFrame
        ``district``, ``issue``, ``month``, ``count`` (:mod:`csa_analysis.ingest.counts`).
    county : County
        Districts, populations, funding, weights and thresholds.
    quarter : Quarter or str
        The reporting quarter (all three months in ``months``), e.g. ``"2018-19Q3"``.
    months : sequence of str
        Months present in the data (decides which comparisons exist).
    issue_months : mapping, optional
        Months covered per local issue (partner data, :mod:`csa_analysis.sources.local`): each must cover the
        quarter; a comparison quarter it does not cover is "no comparison available" for that issue.
    consultation : DataFrame, optional
        A residents' survey (:mod:`csa_analysis.sources.consultation`): the community-concern component, and the
        ``concern`` table of where concern and recorded volume disagree.

    Returns
    -------
    dict of DataFrame
        ``issue_scores`` (district x issue, full grid, sorted by district then rank),
        ``county_priorities`` (issue, by rank), ``cost_per_area`` (district), ``harm_sensitivity``
        (issue), ``monthly`` (district x issue x month counts), ``funding_scenarios``
        (scenario x district), ``morile_matrix`` (issue) only when county.toml has a ``[morile]`` table, and
        ``concern`` (district x surveyed issue) only with a consultation.

    Raises
    ------
    InputError
        The quarter is not fully in ``months``, or a user reference table or ``[morile]`` is invalid.
    """
    quarter = Quarter.parse(quarter) if isinstance(quarter, str) else quarter
    check_quarter_in_data(quarter, months)
    scales = morile_scales(county)  # a bad [morile] table fails before any work
    weights = harm_weights_for(county)
    unit = str(weights["unit"].dropna().iloc[0]) if weights["unit"].notna().any() else "weight units"
    vol = volume_table(counts, county, quarter, months, issue_months)
    vol = add_cost(add_harm(vol, weights), unit_costs_for(county))
    vol = add_concern(vol, None if consultation is None else district_concern(consultation), by="district")
    vol["location_quotient"] = location_quotients(vol)
    vol = pd.concat([vol, against_county(vol, county.delivery.overdispersion)], axis=1)

    cv = county_changes(county_volume(vol), county.delivery.fdr_q)
    w = weights.set_index("issue")
    cv["harm_weight"] = cv["issue"].astype("str").map(w["weight"]).astype("float64")
    cv["harm_score"] = cv["count"] * cv["harm_weight"]
    per_issue = vol.groupby("issue", observed=True)
    cv["cost_of_crime_gbp"] = cv["issue"].map(per_issue["cost_of_crime_gbp"].sum(min_count=1)).astype(
        "float64")
    cv["unit_cost_gbp"] = cv["issue"].map(per_issue["unit_cost_gbp"].first()).astype("float64")
    cv["price_year"] = cv["issue"].map(per_issue["price_year"].first()).astype("str")

    cv = add_concern(cv, None if consultation is None else county_concern(consultation))
    prevalence = cv.set_index(cv["issue"].astype("str"))["significant_share"]
    scores = add_priority(vol, county.scoring, prevalence, by="district")
    county_scores = add_priority(cv, county.scoring, prevalence)
    priorities = delivery_levels(county_scores, scores, county.delivery, {i.name: i for i in county.issues},
                                 harm_unit=unit)

    score_cols = [f"score_{c}" for c in COMPONENTS]
    issue_scores = _order(scores, ISSUE_SCORES_COLUMNS).sort_values(
        ["district", "priority_rank"], ignore_index=True)
    issue_scores = issue_scores[[c for c in issue_scores.columns if c not in score_cols] + score_cols]
    county_priorities = _order(priorities, COUNTY_PRIORITIES_COLUMNS + ("risk_note",)).sort_values(
        "priority_rank", ignore_index=True)
    cpa = cost_per_area(scores, county)
    alternative = read_harm_table(county.harm_alternative) if county.harm_alternative else None
    sensitivity = ranking_sensitivity(cv[["issue", "count"]], weights, alternative,
                                      alternative_name="alternative")
    tables = {
        "issue_scores": issue_scores,
        "county_priorities": county_priorities,
        "cost_per_area": cpa,
        "harm_sensitivity": sensitivity,
        "monthly": monthly_series(counts, county, months, issue_months),
        "funding_scenarios": funding_scenarios(cpa, county),
        "funding_summary": funding_summary(cpa, county),
    }
    if scales is not None:
        tables["morile_matrix"] = morile_matrix(county_priorities, scales)
    tables["rag"] = rag_table(issue_scores, county_priorities)
    if consultation is not None:
        tables["concern"] = concern_vs_recorded(issue_scores)
    return mark_illustrative(tables, county)


def mark_illustrative(tables: dict[str, pd.DataFrame], county: County) -> dict[str, pd.DataFrame]:
    """Label the rows built from invented inputs, so that the CSV tables carry the label too: an ``illustrative``
    column (bool) on every table with an ``issue`` column, true for the local issues county.toml marks
    ``illustrative = true`` (and every row of ``concern`` when the consultation is marked so). Tables are
    unchanged when nothing is illustrative."""
    names = set(county.illustrative_issues)
    survey = county.consultation_illustrative and county.consultation_file is not None
    if not names and not survey:
        return tables
    out = dict(tables)
    for key, table in tables.items():
        if "issue" in table.columns:
            flag = table["issue"].astype("str").isin(names)
            out[key] = table.assign(illustrative=flag | survey if key == "concern" else flag)
    return out


__all__ = ["Scored", "build_tables", "build_tables_from_counts"]
