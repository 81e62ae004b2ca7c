"""Partnership landscape: evidence for streamlining boards (hub and spoke).

From an optional partnership register (``partnerships.csv`` or ``.xlsx``, found through
``County.partnerships_file``) this module measures how much the county's partnerships overlap, how many
meetings each agency sits through, what share of known spend goes on administration, which partnerships are
candidates to merge, and what a hub-and-spoke redesign would change, with every assumption named.

The source documents behind it: a 2012 proposal for York and North Yorkshire (one strategic board doing
strategy formulation, data collection and analysis, priority setting and governance for the force area, with
local delivery groups doing problem solving; "approximately two thirds of all grant" spent on those
administrative functions; the Safer Communities Forum and the Criminal Justice Board co-terminous with
"significant overlap" of remit), and the APCC's finding that one PCC was involved with more than 80
partnerships.

Register columns (header row 1, one partnership per row; other columns are ignored):

``partnership``
    Unique name (compared case- and space-insensitively).
``level``
    ``force``, ``county`` or ``district``.
``geography``
    The districts covered: official names or aliases from ``county.toml`` separated by ``;``, or ``all``.
``remit``
    Issues and themes separated by ``;``: police.uk issues (:data:`csa_analysis.domain.issues.ISSUES`, any case,
    returned in their official spelling) and themes such as ``reducing re-offending`` or ``hate crime``
    (returned lower case, curly apostrophes made straight).
``meetings_per_year``
    Whole number, 0 or more.
``members``
    Member agencies separated by ``;`` (spellings differing only in case or spacing are one agency).
``admin_cost_gbp``, ``delivery_spend_gbp``
    Pounds a year, 0 or more; blank when unknown (a blank stays blank: never read as 0).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from csa_analysis.config.county import County
from csa_analysis.config.tables import MAX_GBP, Column, Schema, is_blank, read_table
from csa_analysis.domain.issues import ISSUES
from csa_analysis.domain.names import normalise_name
from csa_analysis.errors import InputError

COLUMNS: tuple[str, ...] = ("partnership", "level", "geography", "remit", "meetings_per_year", "members",
                            "admin_cost_gbp", "delivery_spend_gbp")
LEVELS: tuple[str, ...] = ("force", "county", "district")
STRATEGIC_LEVELS: tuple[str, ...] = ("force", "county")
#: Themes the source documents name (any other non-issue remit item is accepted as a theme too).
THEMES: tuple[str, ...] = ("reducing re-offending", "domestic abuse", "substance misuse", "serious violence",
                           "hate crime", "victims' services")
#: The functions a hub-and-spoke strategic board takes over (source 003, para 3.3).
BOARD_FUNCTIONS: tuple[str, ...] = ("strategy formulation", "data collection and analysis", "priority setting",
                                    "governance (performance against target, spend against budget)")
#: "approximately two thirds of all grant" went on those administrative functions (source 003, para 3.4).
REFERENCE_ADMIN_SHARE: float = 2 / 3
REFERENCE_ADMIN_TEXT: str = (
    "a 2012 proposal for York and North Yorkshire put the share of all community safety grant spent on "
    "administrative functions (strategy, data collection and analysis, priority setting, governance) at "
    "approximately two thirds"
)
TOTAL_ROW: str = "All partnerships with both figures"
REGISTER_COLUMNS: tuple[str, ...] = ("partnership", "level", "districts", "covers_all", "remit",
                                     "meetings_per_year", "members", "admin_cost_gbp", "delivery_spend_gbp",
                                     "source_row")

_ISSUE_KEYS = {i.casefold(): i for i in ISSUES}


# --------------------------------------------------------------------------------------------------
# Reading and validating the register


def _items(value: object) -> list[str]:
    """Semicolon-separated items, stripped, blanks dropped (order kept, duplicates kept)."""
    if is_blank(value):
        return []
    return [p.strip() for p in str(value).split(";") if p.strip()]


def normalise_remit_item(item: str) -> str:
    """One remit item in canonical form: a police.uk issue in its official spelling, else a lower-case theme.

    Matching is case- and space-insensitive, with curly apostrophes made straight; nothing else is guessed
    ("reoffending" is not "re-offending").

    Examples
    --------
    >>> normalise_remit_item("  anti-social   BEHAVIOUR ")
    'Anti-social behaviour'
    >>> normalise_remit_item("Victims\u2019 Services")
    "victims' services"
    """
    key = normalise_name(str(item).replace("\u2019", "'").replace("\u2018", "'"))
    return _ISSUE_KEYS.get(key, key)


#: Most meetings a partnership can hold in a year (one a day): more is a typo, not a calendar.
MAX_MEETINGS_PER_YEAR = 366
#: The register's columns as :func:`csa_analysis.config.read_table` checks them; lists are split afterwards.
REGISTER_SCHEMA = Schema("partnership register", (
    Column("partnership", if_blank="has no name", expected="the partnership's name"),
    Column("level", expected="force, county or district"),
    Column("geography", expected="district names separated by ';', or all"),
    Column("remit", expected="police.uk issues and themes separated by ';'"),
    Column("meetings_per_year", "integer", maximum=MAX_MEETINGS_PER_YEAR, expected="a whole number of meetings a year"),
    Column("members", expected="the member agencies separated by ';'"),
    Column("admin_cost_gbp", "number", blank=True, maximum=MAX_GBP, expected="pounds a year (blank when unknown)"),
    Column("delivery_spend_gbp", "number", blank=True, maximum=MAX_GBP, expected="pounds a year (blank when unknown)"),
))


def read_partnerships(path: str | Path, county: County) -> pd.DataFrame:
    """Read and validate a partnership register against the county's districts.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (UTF-8) or ``.xlsx`` (first sheet, read with openpyxl) with the columns in :data:`COLUMNS`
        (see the module docstring); usually ``county.partnerships_file``.
    county : County
        Its districts and aliases reconcile the ``geography`` column (never by guessing).

    Returns
    -------
    DataFrame
        One row per partnership, in file order: ``partnership`` (str), ``level`` (force, county or district),
        ``districts`` (tuple of official district names, in county order), ``covers_all`` (bool: geography
        ``all``), ``remit`` (tuple of normalised items, see :func:`normalise_remit_item`), ``meetings_per_year``
        (int64), ``members`` (tuple of agencies), ``admin_cost_gbp`` and ``delivery_spend_gbp`` (float64,
        pounds a year, NaN when unknown), ``source_row`` (row in the file, header = 1).

    Raises
    ------
    InputError
        Naming the file, the row (spreadsheet numbering, header = row 1), the column and what was expected:
        a missing column; a blank or duplicate partnership name; an unknown level; a geography naming no
        district or alias (or mixing ``all`` with names); a blank remit or member list; a blank, negative,
        non-numeric or fractional ``meetings_per_year``; a negative or non-numeric cost.

    Examples
    --------
    >>> from csa_analysis.config import read_county
    >>> from csa_analysis.paths import SAMPLE_DATA_DIR
    >>> county = read_county(SAMPLE_DATA_DIR)
    >>> register = read_partnerships(county.partnerships_file, county)
    >>> register.loc[register["partnership"].str.startswith("Blaby and"), "districts"].item()
    ('Blaby', 'Hinckley and Bosworth')
    """
    path = Path(path)
    table = read_table(path, REGISTER_SCHEMA)
    name_map = county.name_map()
    order = {d: i for i, d in enumerate(county.district_names)}
    known = ", ".join(county.district_names)
    seen: dict[str, int] = {}
    agency_spelling: dict[str, str] = {}
    rows: list[dict] = []
    for rec in table.to_dict("records"):
        row = rec["source_row"]

        def where(col: str, row: int = row) -> str:
            return f"row {row}, column {col!r}"

        name = rec["partnership"]
        key = normalise_name(name)
        if key in seen:
            raise InputError(f"partnership {name!r} is listed twice (rows {seen[key]} and {row})", file=path,
                             where=where("partnership"), expected="each partnership once")
        seen[key] = row
        level = rec["level"].casefold()
        if level not in LEVELS:
            raise InputError(f"level {rec['level']!r} is unknown", file=path, where=where("level"),
                             expected="force, county or district")
        geo = _items(rec["geography"])
        covers_all = [g.casefold() for g in geo] == ["all"]
        if covers_all:
            districts = tuple(county.district_names)
        else:
            if not geo:
                raise InputError("is blank", file=path, where=where("geography"),
                                 expected=f"district names separated by ';' (from: {known}), or all")
            if any(g.casefold() == "all" for g in geo):
                raise InputError(f"{rec['geography']!r} mixes 'all' with district names", file=path,
                                 where=where("geography"), expected="either all, or district names")
            found = set()
            for g in geo:
                official = name_map.get(normalise_name(g))
                if official is None:
                    raise InputError(f"district {g!r} matches no district or alias in county.toml", file=path,
                                     where=where("geography"),
                                     expected=f"one of {known}, an alias declared for one of them, or all")
                found.add(official)
            districts = tuple(sorted(found, key=order.__getitem__))
        remit = tuple(dict.fromkeys(normalise_remit_item(r) for r in _items(rec["remit"])))
        if not remit:
            raise InputError("is blank", file=path, where=where("remit"),
                             expected="police.uk issues and themes separated by ';'")
        members = tuple(dict.fromkeys(agency_spelling.setdefault(normalise_name(m), re.sub(r"\s+", " ", m))
                                      for m in _items(rec["members"])))
        if not members:
            raise InputError("is blank", file=path, where=where("members"),
                             expected="the member agencies separated by ';'")
        rows.append({
            "partnership": name, "level": level, "districts": districts, "covers_all": covers_all, "remit": remit,
            "meetings_per_year": rec["meetings_per_year"], "members": members,
            "admin_cost_gbp": rec["admin_cost_gbp"], "delivery_spend_gbp": rec["delivery_spend_gbp"],
            "source_row": row,
        })
    if not rows:
        raise InputError("lists no partnerships", file=path, where="row 2",
                         expected="one row per partnership under the header row")
    out = pd.DataFrame(rows, columns=list(REGISTER_COLUMNS))
    return out.astype({"partnership": "str", "level": "str", "covers_all": "bool", "meetings_per_year": "int64",
                       "admin_cost_gbp": "float64", "delivery_spend_gbp": "float64", "source_row": "int64"})


def register_summary(register: pd.DataFrame) -> pd.DataFrame:
    """The register as a flat table for people: ``partnership``, ``level``, ``geography`` (district names
    "; "-joined, or "all"), ``remit``, ``members`` ("; "-joined), ``meetings_per_year``, ``admin_cost_gbp``,
    ``delivery_spend_gbp`` (pounds a year, blank when unknown)."""
    def joined(values: pd.Series) -> pd.Series:
        return values.map("; ".join).astype("str")

    return pd.DataFrame({
        "partnership": register["partnership"],
        "level": register["level"],
        "geography": joined(register["districts"]).where(~register["covers_all"], "all"),
        "remit": joined(register["remit"]),
        "members": joined(register["members"]),
        "meetings_per_year": register["meetings_per_year"],
        "admin_cost_gbp": register["admin_cost_gbp"],
        "delivery_spend_gbp": register["delivery_spend_gbp"],
    })


#: Earlier name of :func:`read_partnerships` (the board pack and the county report call it).
read_register = read_partnerships


# --------------------------------------------------------------------------------------------------
# Long (tidy) forms of the list-like columns


def _long(register: pd.DataFrame, column: str, name: str) -> pd.DataFrame:
    lengths = register[column].map(len).to_numpy()
    return pd.DataFrame({
        "partnership": np.repeat(register["partnership"].to_numpy(dtype=object), lengths),
        "level": np.repeat(register["level"].to_numpy(dtype=object), lengths),
        name: [x for items in register[column] for x in items],
    }).astype({"partnership": "str", "level": "str", name: "str"})


def partnership_districts(register: pd.DataFrame) -> pd.DataFrame:
    """One row per partnership x district covered: ``partnership``, ``level``, ``district`` (official name)."""
    return _long(register, "districts", "district")


def partnership_remit(register: pd.DataFrame) -> pd.DataFrame:
    """One row per partnership x remit item: ``partnership``, ``level``, ``remit_item``, ``kind``.

    ``kind`` is ``issue`` for a police.uk issue (official spelling, so it joins ``issue`` in the scored
    tables) and ``theme`` otherwise.
    """
    long = _long(register, "remit", "remit_item")
    long["kind"] = np.where(long["remit_item"].isin(ISSUES), "issue", "theme")
    return long.astype({"kind": "str"})


def partnership_members(register: pd.DataFrame) -> pd.DataFrame:
    """One row per partnership x member agency: ``partnership``, ``level``, ``agency``, ``meetings_per_year``."""
    long = _long(register, "members", "agency")
    long["meetings_per_year"] = np.repeat(register["meetings_per_year"].to_numpy(dtype="int64"),
                                          register["members"].map(len).to_numpy())
    return long


# --------------------------------------------------------------------------------------------------
# Overlap


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """Jaccard similarity of two sets: size of the intersection over size of the union (0 when both empty).

    Examples
    --------
    >>> round(jaccard(("a", "b"), ("b", "c")), 4)
    0.3333
    """
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def _incidence(register: pd.DataFrame, column: str) -> np.ndarray:
    """0/1 matrix: partnerships x distinct items of a tuple-valued column."""
    items = pd.Index(sorted({x for t in register[column] for x in t}))
    m = np.zeros((len(register), len(items)), dtype=np.int64)
    rows = np.repeat(np.arange(len(register)), register[column].map(len).to_numpy())
    m[rows, items.get_indexer([x for t in register[column] for x in t])] = 1
    return m


def _pairwise(register: pd.DataFrame) -> dict[str, np.ndarray]:
    """Square arrays: remit intersection, union, Jaccard, and the geography relation of every pair."""
    r = _incidence(register, "remit")
    inter = r @ r.T
    size = r.sum(axis=1)
    union = size[:, None] + size[None, :] - inter
    jac = np.divide(inter, union, out=np.zeros(inter.shape, dtype=float), where=union > 0)
    d = _incidence(register, "districts")
    dint = d @ d.T
    dsize = d.sum(axis=1)
    same = (dint == dsize[:, None]) & (dint == dsize[None, :])
    nested = ~same & (dint == np.minimum(dsize[:, None], dsize[None, :])) & (dint > 0)
    partial = ~same & ~nested & (dint > 0)
    relation = np.select([same, nested, partial], ["same", "nested", "partial"], default="")
    return {"inter": inter, "union": union, "jaccard": jac, "relation": relation}


def remit_overlap(register: pd.DataFrame, *, include_partial: bool = False) -> pd.DataFrame:
    """Pairwise remit overlap (Jaccard) of partnerships whose geographies are the same or nested.

    Parameters
    ----------
    register : DataFrame
        From :func:`read_partnerships`.
    include_partial : bool, default False
        Also compare pairs that share some districts without one containing the other.

    Returns
    -------
    DataFrame
        One row per pair (``partnership_a`` before ``partnership_b`` in register order): ``partnership_a``,
        ``partnership_b``, ``level_a``, ``level_b``, ``geography`` (``same``, ``nested`` or ``partial``),
        ``shared_geography`` (``all`` when both cover every district, else the shared official names
        separated by "; "), ``shared_remit_items`` and ``union_remit_items`` (counts), ``jaccard``
        (shared / union, 0-1) and ``shared_remit`` (the shared items, "; "-separated). Sorted by ``jaccard``
        descending, then by name.

    Examples
    --------
    >>> reg = pd.DataFrame({"partnership": ["A", "B"], "level": ["county", "district"],
    ...                     "districts": [("X", "Y"), ("X",)], "covers_all": [True, False],
    ...                     "remit": [("Burglary", "hate crime"), ("Burglary",)]})
    >>> remit_overlap(reg)[["geography", "shared_geography", "jaccard"]].to_dict("records")
    [{'geography': 'nested', 'shared_geography': 'X', 'jaccard': 0.5}]
    """
    columns = ["partnership_a", "partnership_b", "level_a", "level_b", "geography", "shared_geography",
               "shared_remit_items", "union_remit_items", "jaccard", "shared_remit"]
    if len(register) < 2:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c.endswith("_items") else
                                          "float64" if c == "jaccard" else "str") for c in columns})
    p = _pairwise(register)
    keep = np.isin(p["relation"], ["same", "nested", "partial"] if include_partial else ["same", "nested"])
    ia, ib = np.nonzero(np.triu(keep, k=1))
    names = register["partnership"].to_numpy(dtype=object)
    levels = register["level"].to_numpy(dtype=object)
    remits = register["remit"].to_numpy(dtype=object)
    districts = register["districts"].to_numpy(dtype=object)
    all_ = (register["covers_all"].to_numpy(dtype=bool) if "covers_all" in register
            else np.zeros(len(names), dtype=bool))

    def shared_geo(a: int, b: int) -> str:
        if all_[a] and all_[b]:
            return "all"
        common = set(districts[b])
        return "; ".join(x for x in districts[a] if x in common)

    def shared_remit(a: int, b: int) -> str:
        common = set(remits[b])
        return "; ".join(sorted((x for x in remits[a] if x in common), key=str.casefold))

    table = pd.DataFrame({
        "partnership_a": names[ia], "partnership_b": names[ib], "level_a": levels[ia], "level_b": levels[ib],
        "geography": p["relation"][ia, ib],
        "shared_geography": [shared_geo(a, b) for a, b in zip(ia, ib, strict=True)],
        "shared_remit_items": p["inter"][ia, ib].astype("int64"),
        "union_remit_items": p["union"][ia, ib].astype("int64"),
        "jaccard": p["jaccard"][ia, ib].astype("float64"),
        "shared_remit": [shared_remit(a, b) for a, b in zip(ia, ib, strict=True)],
    }, columns=columns)
    table = table.astype({c: "str" for c in ("partnership_a", "partnership_b", "level_a", "level_b",
                                             "geography", "shared_geography", "shared_remit")})
    return table.sort_values(["jaccard", "partnership_a", "partnership_b"], ascending=[False, True, True],
                             ignore_index=True, kind="stable")


def overlap_matrix(register: pd.DataFrame, *, shared_geography_only: bool = False) -> pd.DataFrame:
    """Square matrix of remit overlap (Jaccard, 0-1) between every pair of partnerships, for a heat map.

    Parameters
    ----------
    register : DataFrame
        From :func:`read_partnerships`.
    shared_geography_only : bool, default False
        Blank (NaN) the pairs whose geographies are neither the same nor nested, which
        :func:`remit_overlap` does not compare.

    Returns
    -------
    DataFrame
        Index and columns are the partnership names in register order; 1 on the diagonal.
    """
    names = pd.Index(register["partnership"].tolist(), name="partnership")
    if not len(names):
        return pd.DataFrame(np.zeros((0, 0)), index=names, columns=names)
    p = _pairwise(register)
    m = p["jaccard"].copy()
    if shared_geography_only:
        m[~np.isin(p["relation"], ["same", "nested"])] = np.nan
    np.fill_diagonal(m, 1.0)
    return pd.DataFrame(m, index=names, columns=names.copy())


# --------------------------------------------------------------------------------------------------
# Meeting load and administration


def meeting_load(register: pd.DataFrame) -> pd.DataFrame:
    """Meetings a year and number of partnerships per member agency, heaviest first.

    Parameters
    ----------
    register : DataFrame
        From :func:`read_partnerships` (uses ``partnership``, ``level``, ``members``, ``meetings_per_year``).

    Returns
    -------
    DataFrame
        ``agency``, ``partnerships`` (how many partnerships it is a member of), ``meetings_per_year`` (the
        sum of those partnerships' meetings a year), sorted by meetings, then partnerships (both descending),
        then agency.
    """
    long = partnership_members(register)
    g = long.groupby("agency", sort=True)
    out = pd.DataFrame({"partnerships": g["partnership"].nunique().astype("int64"),
                        "meetings_per_year": g["meetings_per_year"].sum().astype("int64")})
    out = out.rename_axis("agency").reset_index()
    return out.sort_values(["meetings_per_year", "partnerships", "agency"], ascending=[False, False, True],
                           ignore_index=True, kind="stable")


def meeting_load_context(load: pd.DataFrame, register: pd.DataFrame) -> str:
    """One paragraph putting the heaviest meeting load beside the APCC's "more than 80 partnerships".

    States figures only; draws no conclusion.
    """
    if load.empty:
        return "The register lists no member agencies."
    top = load.iloc[0]
    return (
        f"The register lists {len(register)} partnerships holding {int(register['meetings_per_year'].sum())} "
        f"meetings a year. The heaviest load falls on {top['agency']}: {int(top['partnerships'])} partnerships, "
        f"{int(top['meetings_per_year'])} meetings a year. For context, the Association of Police and Crime "
        "Commissioners reported one police and crime commissioner involved with more than 80 partnerships, "
        "most meeting several times a year."
    )


def admin_share(register: pd.DataFrame) -> pd.DataFrame:
    """Administration as a share of known spend, per partnership and in total.

    ``admin_share = admin_cost_gbp / (admin_cost_gbp + delivery_spend_gbp)``, blank (NaN) when either figure
    is unknown or both are 0; an unknown figure is never read as 0.

    Returns
    -------
    DataFrame
        ``partnership``, ``level``, ``admin_cost_gbp``, ``delivery_spend_gbp`` (pounds a year),
        ``admin_share`` (0-1): one row per partnership in register order, then a final row
        ``All partnerships with both figures`` (level blank) summing only the partnerships whose two figures
        are both known.
    """
    t = register[["partnership", "level", "admin_cost_gbp", "delivery_spend_gbp"]].reset_index(drop=True)
    known = t["admin_cost_gbp"].notna() & t["delivery_spend_gbp"].notna()
    spend = t["admin_cost_gbp"] + t["delivery_spend_gbp"]
    t["admin_share"] = (t["admin_cost_gbp"] / spend).where(known & (spend > 0))
    a = float(t.loc[known, "admin_cost_gbp"].sum()) if known.any() else np.nan
    d = float(t.loc[known, "delivery_spend_gbp"].sum()) if known.any() else np.nan
    total = pd.DataFrame({"partnership": [TOTAL_ROW], "level": [np.nan], "admin_cost_gbp": [a],
                          "delivery_spend_gbp": [d], "admin_share": [a / (a + d) if a + d > 0 else np.nan]})
    out = pd.concat([t, total], ignore_index=True)
    return out.astype({"partnership": "str", "level": "str", "admin_cost_gbp": "float64",
                       "delivery_spend_gbp": "float64", "admin_share": "float64"})


def admin_share_context(table: pd.DataFrame, reference_share: float = REFERENCE_ADMIN_SHARE,
                        reference_text: str = REFERENCE_ADMIN_TEXT) -> str:
    """A sentence comparing the register's total admin share with the source document's figure.

    Parameters
    ----------
    table : DataFrame
        From :func:`admin_share` (its last row is the total).
    reference_share : float, default 2/3
        The comparison figure (0-1); by default "approximately two thirds" (source 003, para 3.4).
    reference_text : str
        Where the comparison figure comes from, in words.

    Returns
    -------
    str
        The figures and the difference in percentage points, no conclusion: the register and the source
        measure different partnerships, years and definitions of administration.
    """
    per = table[table["partnership"] != TOTAL_ROW]
    total = table[table["partnership"] == TOTAL_ROW].iloc[0]
    n_known = int((per["admin_cost_gbp"].notna() & per["delivery_spend_gbp"].notna()).sum())
    if pd.isna(total["admin_share"]):
        return (f"Administration cost and delivery spend are both known for {n_known} of {len(per)} "
                f"partnerships: no administration share can be given. For context, {reference_text}.")
    share = float(total["admin_share"])
    points = (share - reference_share) * 100
    gap = (f"{abs(points):.0f} percentage points {'above' if points > 0 else 'below'}"
           if round(abs(points)) else "about equal to")
    admin = float(total["admin_cost_gbp"])
    spend = admin + float(total["delivery_spend_gbp"])
    return (
        f"Across the {n_known} of {len(per)} partnerships whose administration cost and delivery spend are both "
        f"known, administration is £{admin:,.0f} of £{spend:,.0f} ({share:.0%}), {gap} the "
        f"{reference_share:.0%} reference: {reference_text}. The two figures cover different partnerships, "
        "years and definitions of administration."
    )


# --------------------------------------------------------------------------------------------------
# Candidate mergers


def candidate_mergers(register: pd.DataFrame, overlap_threshold: float = 0.5) -> pd.DataFrame:
    """Pairs with the same or nested geography whose remit overlap is at or above a threshold.

    The test the 2012 York and North Yorkshire proposal applied to its Safer Communities Forum and Criminal
    Justice Board: co-terminous geography, significant overlap of functional remit, members in common.

    Parameters
    ----------
    register : DataFrame
        From :func:`read_partnerships`.
    overlap_threshold : float, default 0.5
        Minimum Jaccard similarity of the two remits (0-1), inclusive.

    Returns
    -------
    DataFrame
        The qualifying rows of :func:`remit_overlap`, plus ``shared_members`` ("; "-separated),
        ``shared_member_count``, ``meetings_a`` and ``meetings_b`` (a year), ``meetings_saved_per_year`` (the
        fewer of the two: a merged body is assumed to meet as often as the busier one) and a one-sentence
        ``reason`` naming the figures. Same sort order as :func:`remit_overlap`.
    """
    if not 0 <= overlap_threshold <= 1:
        raise ValueError(f"overlap_threshold {overlap_threshold!r} is not between 0 and 1")
    ov = remit_overlap(register)
    ov = ov[ov["jaccard"] >= overlap_threshold].reset_index(drop=True)
    by_name = register.set_index("partnership")
    members = by_name["members"]
    meetings = by_name["meetings_per_year"]
    shared = [[m for m in members[a] if m in set(members[b])]
              for a, b in zip(ov["partnership_a"], ov["partnership_b"], strict=True)]
    ov["shared_members"] = pd.Series(["; ".join(s) for s in shared], dtype="str")
    ov["shared_member_count"] = pd.Series([len(s) for s in shared], dtype="int64")
    ov["meetings_a"] = meetings.reindex(ov["partnership_a"]).to_numpy(dtype="int64")
    ov["meetings_b"] = meetings.reindex(ov["partnership_b"]).to_numpy(dtype="int64")
    ov["meetings_saved_per_year"] = np.minimum(ov["meetings_a"], ov["meetings_b"]).astype("int64")

    def reason(r) -> str:
        if r.geography == "same":
            geo = ("cover the same geography (every district)" if r.shared_geography == "all"
                   else "cover the same geography")
        else:
            geo = f"have nested geographies (shared: {r.shared_geography})"
        levels = "" if r.level_a == r.level_b else f" ({r.level_a} and {r.level_b} level)"
        return (f"{r.partnership_a} and {r.partnership_b}{levels} {geo}, share {r.shared_remit_items} of "
                f"{r.union_remit_items} remit items (Jaccard {r.jaccard:.2f}: {r.shared_remit}) and "
                f"{r.shared_member_count} member agencies; one body meeting as often as the busier would hold "
                f"{r.meetings_saved_per_year} fewer meetings a year ({r.meetings_a} + {r.meetings_b} now).")

    ov["reason"] = pd.Series([reason(r) for r in ov.itertuples(index=False)], dtype="str")
    return ov


# --------------------------------------------------------------------------------------------------
# Hub-and-spoke scenario


@dataclass(frozen=True)
class HubAndSpokeResult:
    """The hub-and-spoke scenario's tables.

    Attributes
    ----------
    summary : DataFrame
        ``measure``, ``before``, ``after``, ``change`` (nullable integers), ``unit``: partnerships; meetings a
        year; agency attendances a year (meetings x member agencies); administration in pounds a year,
        rounded (partnerships with a known admin cost only).
    absorbed : DataFrame
        The partnerships whose strategic functions move to the board: ``partnership``, ``level``,
        ``meetings_per_year``, ``admin_cost_gbp``.
    after : DataFrame
        The register after the change (columns of :func:`read_partnerships`; the board first, with
        ``source_row`` -1).
    load : DataFrame
        Per agency: ``agency``, ``partnerships_before``, ``partnerships_after``, ``meetings_before``,
        ``meetings_after``, ``meetings_change`` (meetings a year), sorted by ``meetings_before`` descending.
    admin : DataFrame
        ``scenario`` (before, after), ``admin_cost_gbp``, ``delivery_spend_gbp``, ``admin_share``: the total
        row of :func:`admin_share` before and after (partnerships whose two figures are both known).
    assumptions : DataFrame
        ``assumption``, ``parameter`` (the function argument; blank when fixed), ``value``, ``note``.
    """

    summary: pd.DataFrame
    absorbed: pd.DataFrame
    after: pd.DataFrame
    load: pd.DataFrame
    admin: pd.DataFrame
    assumptions: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables under their ``OUT/tables`` names."""
        return {"partnership_scenario": self.summary, "partnership_scenario_load": self.load,
                "partnership_assumptions": self.assumptions}


def hub_and_spoke_scenario(
    register: pd.DataFrame,
    *,
    strategic_levels: Sequence[str] = STRATEGIC_LEVELS,
    keep_separate: Sequence[str] = (),
    board_name: str = "Strategic community safety and criminal justice board",
    board_meetings_per_year: int = 4,
    board_admin_cost_gbp: float | None = None,
    board_members: Sequence[str] | None = None,
    delivery_group_meetings_per_year: int | None = None,
    delivery_group_admin_share: float = 1.0,
) -> HubAndSpokeResult:
    """One strategic board takes over the force- and county-level partnerships; district ones deliver locally.

    The 2012 York and North Yorkshire "hub and spoke" proposal: a single strategic board for the force area
    does strategy formulation, data collection and analysis, priority setting and governance (performance
    against target, spend against budget) on behalf of all partners; local delivery groups, relieved of those
    administrative functions, do multi-agency problem solving and tasking. Every assumption is a parameter and
    is stated, with its value, in the ``assumptions`` table.

    Parameters
    ----------
    register : DataFrame
        From :func:`read_partnerships`.
    strategic_levels : sequence of str, default ("force", "county")
        Partnerships at these levels are absorbed into the board.
    keep_separate : sequence of str, default ()
        Names of strategic-level partnerships that stay as they are (e.g. a statutory board).
    board_name : str
        Name of the new board in the ``after`` register.
    board_meetings_per_year : int, default 4
        Meetings a year of the strategic board.
    board_admin_cost_gbp : float or None, default None
        The board's administration cost (pounds a year); None: that of the absorbed partnership with the
        largest known admin cost (the merged boards' administration reduced to one board's).
    board_members : sequence of str or None, default None
        The board's member agencies; None: every agency that sat on an absorbed partnership.
    delivery_group_meetings_per_year : int or None, default None
        If given, district-level partnerships (now local delivery groups) meet at most this often a year;
        None: their meetings are unchanged.
    delivery_group_admin_share : float, default 1.0
        Each delivery group's admin cost after, as a share of its admin cost before (0-1); 1 = unchanged.

    Returns
    -------
    HubAndSpokeResult
        Summary, absorbed partnerships, the register after, per-agency meeting load and admin share before
        and after, and the assumptions table.

    Raises
    ------
    ValueError
        A negative meeting count or cost, a share outside 0-1, an unknown level, or a ``keep_separate`` name
        that is not in the register.
    """
    if board_meetings_per_year < 0:
        raise ValueError(f"board_meetings_per_year {board_meetings_per_year!r} is below 0")
    if delivery_group_meetings_per_year is not None and delivery_group_meetings_per_year < 0:
        raise ValueError(f"delivery_group_meetings_per_year {delivery_group_meetings_per_year!r} is below 0")
    if not 0 <= delivery_group_admin_share <= 1:
        raise ValueError(f"delivery_group_admin_share {delivery_group_admin_share!r} is not between 0 and 1")
    if board_admin_cost_gbp is not None and not board_admin_cost_gbp >= 0:
        raise ValueError(f"board_admin_cost_gbp {board_admin_cost_gbp!r} is not 0 or more")
    unknown_levels = sorted(set(strategic_levels) - set(LEVELS))
    if unknown_levels:
        raise ValueError(f"strategic_levels {unknown_levels} are not among {LEVELS}")
    not_found = [n for n in keep_separate if n not in set(register["partnership"])]
    if not_found:
        raise ValueError(f"keep_separate names no partnership in the register: {not_found}")

    is_absorbed = (register["level"].isin(list(strategic_levels))
                   & ~register["partnership"].isin(list(keep_separate)))
    is_local = (register["level"] == "district") & ~is_absorbed
    absorbed = register[is_absorbed]
    kept = register[~is_absorbed & ~is_local]
    local = register[is_local].copy()

    has_admin = absorbed["admin_cost_gbp"].notna().any()
    largest_name = absorbed.loc[absorbed["admin_cost_gbp"].idxmax(), "partnership"] if has_admin else None
    largest = float(absorbed["admin_cost_gbp"].max()) if has_admin else np.nan
    board_admin = float(board_admin_cost_gbp) if board_admin_cost_gbp is not None else largest
    members = (tuple(dict.fromkeys(board_members)) if board_members is not None
               else tuple(dict.fromkeys(m for ms in absorbed["members"] for m in ms)))
    if delivery_group_meetings_per_year is not None:
        local["meetings_per_year"] = local["meetings_per_year"].clip(upper=delivery_group_meetings_per_year)
    local["admin_cost_gbp"] = local["admin_cost_gbp"] * delivery_group_admin_share

    parts = [kept, local]
    if len(absorbed):
        parts.insert(0, pd.DataFrame([{
            "partnership": board_name, "level": "force" if "force" in set(absorbed["level"]) else "county",
            "districts": tuple(dict.fromkeys(d for ds in absorbed["districts"] for d in ds)),
            "covers_all": bool(absorbed["covers_all"].any()),
            "remit": tuple(dict.fromkeys(r for rs in absorbed["remit"] for r in rs)),
            "meetings_per_year": board_meetings_per_year, "members": members, "admin_cost_gbp": board_admin,
            "delivery_spend_gbp": absorbed["delivery_spend_gbp"].sum(min_count=1), "source_row": -1,
        }]))
    after = pd.concat([p for p in parts if len(p)], ignore_index=True)[list(REGISTER_COLUMNS)]
    after = after.astype({"partnership": "str", "level": "str", "meetings_per_year": "int64",
                          "admin_cost_gbp": "float64", "delivery_spend_gbp": "float64"})

    def attendances(reg: pd.DataFrame) -> int:
        return int((reg["meetings_per_year"] * reg["members"].map(len)).sum())

    def known_admin(reg: pd.DataFrame) -> object:
        total = reg["admin_cost_gbp"].sum(min_count=1)
        return pd.NA if pd.isna(total) else round(float(total))

    summary = pd.DataFrame({
        "measure": ["partnerships", "meetings a year", "agency attendances a year",
                    "administration (known costs), pounds a year, rounded"],
        "before": [len(register), int(register["meetings_per_year"].sum()), attendances(register),
                   known_admin(register)],
        "after": [len(after), int(after["meetings_per_year"].sum()), attendances(after), known_admin(after)],
        "unit": ["partnerships", "meetings", "agency-meetings", "pounds"],
    }).astype({"measure": "str", "before": "Int64", "after": "Int64", "unit": "str"})
    summary["change"] = summary["after"] - summary["before"]
    summary = summary[["measure", "before", "after", "change", "unit"]]

    lb = meeting_load(register).set_index("agency")
    la = meeting_load(after).set_index("agency")
    load = pd.DataFrame({
        "partnerships_before": lb["partnerships"], "partnerships_after": la["partnerships"],
        "meetings_before": lb["meetings_per_year"], "meetings_after": la["meetings_per_year"],
    }).fillna(0).astype("int64")
    load["meetings_change"] = load["meetings_after"] - load["meetings_before"]
    load = load.rename_axis("agency").reset_index().sort_values(
        ["meetings_before", "agency"], ascending=[False, True], ignore_index=True, kind="stable")

    totals = [admin_share(r).iloc[-1] for r in (register, after)]
    admin = pd.DataFrame({"scenario": ["before", "after"],
                          "admin_cost_gbp": [t["admin_cost_gbp"] for t in totals],
                          "delivery_spend_gbp": [t["delivery_spend_gbp"] for t in totals],
                          "admin_share": [t["admin_share"] for t in totals]}).astype(
        {"scenario": "str", "admin_cost_gbp": "float64", "delivery_spend_gbp": "float64",
         "admin_share": "float64"})

    if board_admin_cost_gbp is not None:
        board_admin_text = f"{board_admin_cost_gbp:,.0f}"
    elif largest_name is not None:
        board_admin_text = f"{board_admin:,.0f} (the largest absorbed admin cost, {largest_name})"
    else:
        board_admin_text = "unknown (no absorbed admin cost is known)"
    unknown_admin = register.loc[register["admin_cost_gbp"].isna(), "partnership"].tolist()
    rows = [
        ("Partnerships absorbed into the strategic board", "strategic_levels",
         "; ".join(strategic_levels) + " level",
         f"{len(absorbed)} partnerships; their " + ", ".join(BOARD_FUNCTIONS) + " move to the board"),
        ("Strategic-level partnerships kept separate", "keep_separate",
         "; ".join(keep_separate) if keep_separate else "none", ""),
        ("Strategic board meetings a year", "board_meetings_per_year", f"{board_meetings_per_year}", ""),
        ("Strategic board administration cost, pounds a year", "board_admin_cost_gbp", board_admin_text,
         "the absorbed partnerships' administration reduced to one board's"),
        ("Strategic board members", "board_members",
         "; ".join(board_members) if board_members is not None else "every agency on an absorbed partnership",
         f"{len(members)} agencies"),
        ("Local delivery group meetings a year", "delivery_group_meetings_per_year",
         "unchanged" if delivery_group_meetings_per_year is None
         else f"at most {delivery_group_meetings_per_year}",
         "district-level partnerships become local delivery groups (problem solving and tasking)"),
        ("Local delivery group administration, share of before", "delivery_group_admin_share",
         f"{delivery_group_admin_share:g}", "1 = unchanged"),
        ("Delivery spend", "", "unchanged", "the absorbed partnerships' delivery spend continues under the board"),
        ("Unknown administration costs", "", "left out of both totals",
         "; ".join(unknown_admin) if unknown_admin else "none unknown"),
    ]
    assumptions = pd.DataFrame(rows, columns=["assumption", "parameter", "value", "note"], dtype="str")
    absorbed_table = absorbed[["partnership", "level", "meetings_per_year", "admin_cost_gbp"]].reset_index(
        drop=True)
    return HubAndSpokeResult(summary, absorbed_table, after, load, admin, assumptions)


# --------------------------------------------------------------------------------------------------
# All tables, and writing them


def partnership_tables(register: pd.DataFrame, overlap_threshold: float = 0.5,
                       **scenario: object) -> dict[str, pd.DataFrame]:
    """Every partnership table, keyed by the name it is written under (``OUT/tables/<key>.csv``).

    Parameters
    ----------
    register : DataFrame
        From :func:`read_partnerships`.
    overlap_threshold : float, default 0.5
        Passed to :func:`candidate_mergers`.
    **scenario
        Keyword arguments of :func:`hub_and_spoke_scenario` (its defaults otherwise).

    Returns
    -------
    dict of str to DataFrame
        ``partnership_register`` (one row per partnership, lists "; "-joined), ``partnership_overlap``,
        ``partnership_overlap_matrix`` (every pair's remit overlap, long: ``partnership_a``, ``partnership_b``,
        ``jaccard``, in register order, for the heat map), ``partnership_load``, ``partnership_admin``,
        ``partnership_mergers``, ``partnership_scenario``, ``partnership_scenario_load``,
        ``partnership_assumptions``.
    """
    result = hub_and_spoke_scenario(register, **scenario)  # type: ignore[arg-type]
    matrix = overlap_matrix(register)
    pairs = matrix.rename_axis(index="partnership_a", columns="partnership_b").stack(future_stack=True)
    return {
        "partnership_register": register_summary(register),
        "partnership_overlap": remit_overlap(register),
        "partnership_overlap_matrix": pairs.rename("jaccard").reset_index(),
        "partnership_load": meeting_load(register),
        "partnership_admin": admin_share(register),
        "partnership_mergers": candidate_mergers(register, overlap_threshold),
        **result.tables(),
    }


__all__ = [
    "BOARD_FUNCTIONS", "COLUMNS", "LEVELS", "REFERENCE_ADMIN_SHARE", "THEMES", "HubAndSpokeResult",
    "admin_share", "admin_share_context", "candidate_mergers", "hub_and_spoke_scenario", "jaccard",
    "meeting_load", "meeting_load_context", "normalise_remit_item", "overlap_matrix", "partnership_districts",
    "partnership_members", "partnership_remit", "partnership_tables", "read_partnerships", "read_register",
    "register_summary", "remit_overlap",
]
