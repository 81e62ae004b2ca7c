"""Partnership landscape: evidence for streamlining boards (hub and spoke).

From an optional partnership register (``partnerships.csv`` or ``.xlsx`` beside county.toml), this module
measures how much the county's partnerships overlap, how many meetings each agency sits through, what share of
spend goes on administration, which partnerships are candidates to merge, and what a hub-and-spoke redesign
(one strategic board for strategy, data and analysis, priority setting and governance; local delivery groups
for problem solving) would save, with every assumption named.

Register columns: ``partnership`` (unique name), ``level`` (force, county or district), ``geography``
(semicolon-separated district names or aliases, or ``all``), ``remit`` (semicolon-separated issues and themes),
``meetings_per_year``, ``members`` (semicolon-separated agencies), ``admin_cost_gbp`` and
``delivery_spend_gbp`` (pounds a year; blank when unknown, never read as 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

from .config import County, normalise_name
from .errors import InputError

COLUMNS = ("partnership", "level", "geography", "remit", "meetings_per_year", "members", "admin_cost_gbp",
           "delivery_spend_gbp")
LEVELS = ("force", "county", "district")
STRATEGIC_LEVELS = ("force", "county")


def _split(text: object) -> tuple[str, ...]:
    if text is None or (isinstance(text, float) and np.isnan(text)) or pd.isna(text):
        return ()
    return tuple(dict.fromkeys(p.strip() for p in str(text).split(";") if p.strip()))


def read_register(path: str | Path, county: County) -> pd.DataFrame:
    """Read and validate a partnership register.

    Returns
    -------
    DataFrame
        One row per partnership: ``partnership``, ``level``, ``districts`` (tuple of official names),
        ``remit`` (tuple of lower-case items), ``meetings_per_year`` (int), ``members`` (tuple),
        ``admin_cost_gbp``, ``delivery_spend_gbp`` (float, NaN when unknown).

    Raises
    ------
    InputError
        Missing columns, duplicate names, an unknown level, a district matching no district or alias, a
        negative or non-numeric number; each naming the file, the row (header = row 1) and the column.
    """
    path = Path(path)
    try:
        if path.suffix.lower() == ".xlsx":
            raw = pd.read_excel(path, dtype=str, engine="openpyxl")
        else:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot be read ({exc})", file=path, expected="a CSV or .xlsx partnership register") \
            from None
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(f"has no column {', '.join(missing)}", file=path, where="header row",
                         expected="columns " + ", ".join(COLUMNS))
    name_map = county.name_map()
    rows = []
    seen: dict[str, int] = {}
    for i, rec in enumerate(raw.to_dict("records")):
        row = i + 2
        name = str(rec["partnership"] or "").strip()
        if not name:
            raise InputError("has no name", file=path, where=f"row {row}, column 'partnership'",
                             expected="the partnership's name")
        if name.casefold() in seen:
            raise InputError(f"partnership {name!r} is listed twice (rows {seen[name.casefold()]} and {row})",
                             file=path, where=f"row {row}, column 'partnership'", expected="each partnership once")
        seen[name.casefold()] = row
        level = str(rec["level"] or "").strip().casefold()
        if level not in LEVELS:
            raise InputError(f"level {rec['level']!r} is unknown", file=path, where=f"row {row}, column 'level'",
                             expected="force, county or district")
        geo = _split(rec["geography"])
        if [g.casefold() for g in geo] == ["all"]:
            districts = tuple(county.district_names)
        else:
            districts = []
            for g in geo:
                official = name_map.get(normalise_name(g))
                if official is None:
                    raise InputError(f"district {g!r} matches no district or alias in county.toml", file=path,
                                     where=f"row {row}, column 'geography'",
                                     expected="names from county.toml separated by ';', or all")
                districts.append(official)
            districts = tuple(dict.fromkeys(districts))
        if not districts:
            raise InputError("covers no district", file=path, where=f"row {row}, column 'geography'",
                             expected="names from county.toml separated by ';', or all")
        numbers = {}
        for col in ("meetings_per_year", "admin_cost_gbp", "delivery_spend_gbp"):
            text = rec[col]
            if text is None or pd.isna(text) or str(text).strip() == "":
                if col == "meetings_per_year":
                    raise InputError("is blank", file=path, where=f"row {row}, column {col!r}",
                                     expected="meetings a year (0 or more)")
                numbers[col] = np.nan
                continue
            try:
                value = float(str(text).replace(",", "").replace("£", ""))
            except ValueError:
                value = -1.0
            if value < 0 or (col == "meetings_per_year" and not value.is_integer()):
                raise InputError(f"{text!r} is not valid", file=path, where=f"row {row}, column {col!r}",
                                 expected="a whole number of meetings of 0 or more" if col == "meetings_per_year"
                                 else "pounds a year, 0 or more, or blank when unknown")
            numbers[col] = value
        rows.append({
            "partnership": name, "level": level, "districts": districts,
            "remit": tuple(r.casefold() for r in _split(rec["remit"])),
            "meetings_per_year": int(numbers["meetings_per_year"]), "members": _split(rec["members"]),
            "admin_cost_gbp": numbers["admin_cost_gbp"], "delivery_spend_gbp": numbers["delivery_spend_gbp"],
        })
    return pd.DataFrame(rows)


def jaccard(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Jaccard similarity of two sets (|A and B| / |A or B|; 0 when both are empty).

    Examples
    --------
    >>> jaccard(("a", "b"), ("b", "c"))
    0.3333333333333333
    """
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def remit_overlap(register: pd.DataFrame) -> pd.DataFrame:
    """Pairwise remit overlap of partnerships whose geographies are the same or nested.

    Returns
    -------
    DataFrame
        ``partnership_a``, ``partnership_b``, ``geography`` ("same" or "nested"), ``jaccard`` (0-1),
        ``shared_remit`` (items both cover, "; "-separated), sorted by jaccard descending.
    """
    out = []
    for a, b in combinations(register.itertuples(index=False), 2):
        da, db = set(a.districts), set(b.districts)
        if da == db:
            geo = "same"
        elif da < db or db < da:
            geo = "nested"
        else:
            continue
        shared = sorted(set(a.remit) & set(b.remit))
        out.append({"partnership_a": a.partnership, "partnership_b": b.partnership, "geography": geo,
                    "jaccard": jaccard(a.remit, b.remit), "shared_remit": "; ".join(shared)})
    table = pd.DataFrame(out, columns=["partnership_a", "partnership_b", "geography", "jaccard", "shared_remit"])
    return table.sort_values(["jaccard", "partnership_a", "partnership_b"], ascending=[False, True, True],
                             ignore_index=True)


def overlap_matrix(register: pd.DataFrame) -> pd.DataFrame:
    """Square matrix of remit Jaccard similarity between every pair of partnerships (1 on the diagonal)."""
    names = register["partnership"].tolist()
    remits = register["remit"].tolist()
    m = np.array([[jaccard(x, y) for y in remits] for x in remits]) if names else np.zeros((0, 0))
    return pd.DataFrame(m, index=names, columns=names)


def meeting_load(register: pd.DataFrame) -> pd.DataFrame:
    """Meetings a year and partnerships per member agency, heaviest first.

    Returns
    -------
    DataFrame
        ``agency``, ``partnerships`` (count), ``meetings_per_year`` (sum over its partnerships).
    """
    long = register[["partnership", "members", "meetings_per_year"]].explode("members").dropna(
        subset=["members"]).rename(columns={"members": "agency"})
    g = long.groupby("agency")
    out = pd.DataFrame({"partnerships": g["partnership"].nunique(), "meetings_per_year": g["meetings_per_year"].sum()})
    return out.reset_index().sort_values(["meetings_per_year", "agency"], ascending=[False, True],
                                         ignore_index=True)


def admin_share(register: pd.DataFrame) -> pd.DataFrame:
    """Administration as a share of known spend, per partnership and in total (blank where unknown).

    Returns
    -------
    DataFrame
        ``partnership``, ``admin_cost_gbp``, ``delivery_spend_gbp``, ``admin_share`` (0-1), plus a final
        ``All partnerships with both figures`` row.
    """
    t = register[["partnership", "admin_cost_gbp", "delivery_spend_gbp"]].copy()
    known = t["admin_cost_gbp"].notna() & t["delivery_spend_gbp"].notna()
    total = t["admin_cost_gbp"] + t["delivery_spend_gbp"]
    t["admin_share"] = (t["admin_cost_gbp"] / total).where(known & (total > 0))
    a, d = t.loc[known, "admin_cost_gbp"].sum(), t.loc[known, "delivery_spend_gbp"].sum()
    t.loc[len(t)] = ["All partnerships with both figures", a, d, a / (a + d) if a + d > 0 else np.nan]
    return t


def candidate_mergers(register: pd.DataFrame, overlap_threshold: float = 0.5) -> pd.DataFrame:
    """Pairs with the same or nested geography and a remit overlap at or above the threshold.

    Returns
    -------
    DataFrame
        The rows of :func:`remit_overlap` that qualify, with ``meetings_saved_per_year`` (the smaller of the
        two partnerships' meetings, if they merged) and a one-sentence ``reason`` naming the figures.
    """
    ov = remit_overlap(register)
    ov = ov[ov["jaccard"] >= overlap_threshold].copy()
    meetings = register.set_index("partnership")["meetings_per_year"]
    ov["meetings_saved_per_year"] = [int(min(meetings[a], meetings[b]))
                                     for a, b in zip(ov["partnership_a"], ov["partnership_b"], strict=True)]
    ov["reason"] = [
        f"{a} and {b} cover {'the same' if g == 'same' else 'nested'} geography and share {j:.0%} of their "
        f"remit ({s}); merging would save about {m} meetings a year."
        for a, b, g, j, s, m in zip(ov["partnership_a"], ov["partnership_b"], ov["geography"], ov["jaccard"],
                                    ov["shared_remit"], ov["meetings_saved_per_year"], strict=True)]
    return ov.reset_index(drop=True)


@dataclass(frozen=True)
class HubAndSpoke:
    """Assumptions of the hub-and-spoke scenario, each stated in the output."""

    board_meetings_per_year: int = 4
    delivery_group_meetings_per_year: int = 6
    board_admin_share_kept: float = 1.0  # the board's admin = the largest absorbed board's admin x this


@dataclass
class ScenarioResult:
    """The scenario's tables."""

    summary: pd.DataFrame
    absorbed: pd.DataFrame
    load_before_after: pd.DataFrame
    assumptions: pd.DataFrame = field(default_factory=pd.DataFrame)


def hub_and_spoke(register: pd.DataFrame, assumptions: HubAndSpoke = HubAndSpoke()) -> ScenarioResult:
    """One strategic board absorbs every force- and county-level partnership (strategy, data and analysis,
    priority setting, governance); district partnerships become local delivery groups.

    Returns
    -------
    ScenarioResult
        ``summary`` (measure, before, after, change: partnerships, meetings a year, known admin cost),
        ``absorbed`` (the partnerships that move into the board), ``load_before_after`` (meetings a year per
        agency before and after), ``assumptions`` (each assumption with its value).
    """
    a = assumptions
    strategic = register[register["level"].isin(STRATEGIC_LEVELS)]
    local = register[register["level"] == "district"]
    board_members = tuple(sorted({m for ms in strategic["members"] for m in ms}))
    after = pd.DataFrame(
        [{"partnership": "Strategic board", "level": "county", "members": board_members,
          "meetings_per_year": a.board_meetings_per_year,
          "admin_cost_gbp": strategic["admin_cost_gbp"].max() * a.board_admin_share_kept
          if strategic["admin_cost_gbp"].notna().any() else np.nan}]
        + [{"partnership": p, "level": "district", "members": m,
            "meetings_per_year": min(n, a.delivery_group_meetings_per_year), "admin_cost_gbp": c}
           for p, m, n, c in zip(local["partnership"], local["members"], local["meetings_per_year"],
                                 local["admin_cost_gbp"], strict=True)])
    before_admin = register["admin_cost_gbp"].sum(min_count=1)
    after_admin = after["admin_cost_gbp"].sum(min_count=1)
    summary = pd.DataFrame({
        "measure": ["partnerships", "meetings a year", "administration (known, pounds a year)"],
        "before": [len(register), int(register["meetings_per_year"].sum()), before_admin],
        "after": [len(after), int(after["meetings_per_year"].sum()), after_admin],
    })
    summary["change"] = summary["after"] - summary["before"]
    lb = meeting_load(register).set_index("agency")["meetings_per_year"].rename("before")
    la = meeting_load(after.assign(partnership=after["partnership"])).set_index("agency")["meetings_per_year"]
    load = pd.concat([lb, la.rename("after")], axis=1).fillna(0).astype("int64")
    load["change"] = load["after"] - load["before"]
    load = load.reset_index().rename(columns={"index": "agency"}).sort_values("before", ascending=False,
                                                                             ignore_index=True)
    assumptions_table = pd.DataFrame({
        "assumption": ["strategic board meetings a year", "local delivery group meetings a year (at most)",
                       "board administration as a share of the largest absorbed board's",
                       "partnerships absorbed into the board"],
        "value": [str(a.board_meetings_per_year), str(a.delivery_group_meetings_per_year),
                  f"{a.board_admin_share_kept:g}", "every force- and county-level partnership"],
    })
    return ScenarioResult(summary, strategic[["partnership", "level", "meetings_per_year", "admin_cost_gbp"]]
                          .reset_index(drop=True), load, assumptions_table)


def partnership_tables(register: pd.DataFrame, overlap_threshold: float = 0.5) -> dict[str, pd.DataFrame]:
    """Every partnership table, keyed by the file name it is written under (``OUT/tables/<key>.csv``)."""
    scenario = hub_and_spoke(register)
    return {
        "partnership_overlap": remit_overlap(register),
        "partnership_load": meeting_load(register),
        "partnership_admin": admin_share(register),
        "partnership_mergers": candidate_mergers(register, overlap_threshold),
        "partnership_scenario": scenario.summary,
        "partnership_scenario_load": scenario.load_before_after,
        "partnership_assumptions": scenario.assumptions,
    }
