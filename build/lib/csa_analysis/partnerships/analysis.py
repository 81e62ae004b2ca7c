"""Measuring the partnership landscape: remit overlap, each agency's meeting load, the share of known spend on
administration, and the pairs of partnerships that are candidates to merge. Every function takes the register of
:func:`csa_analysis.partnerships.register.read_partnerships` and returns a tidy table or one plain sentence of
context that states figures and draws no conclusion.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from csa_analysis.partnerships.register import (
    REFERENCE_ADMIN_SHARE,
    REFERENCE_ADMIN_TEXT,
    TOTAL_ROW,
    partnership_members,
)

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
