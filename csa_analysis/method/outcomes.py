"""What happens to reported crime: police.uk's last outcome of each crime, grouped, as shares.

police.uk gives every crime (not anti-social behaviour) its *Last outcome category*: the latest outcome
known when the month was published. The categories are grouped through the reference table
``csa_analysis/reference/outcome_groups.csv`` (its sources and reasoning are in ``outcome_groups.md`` beside
it). A category the table does not know, or a blank outcome on a crime, is put in the group
:data:`NOT_MAPPED`, counted and reported, never dropped.

Caveats every output using these shares must carry (:data:`OUTCOME_CAVEAT`, :data:`ASB_NOTE`): outcomes are
a snapshot that police.uk revises when it republishes a month, so recent months show more crimes "under
investigation" or "awaiting court outcome" than they will later; and anti-social behaviour has no outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa

from csa_analysis.domain.issues import ASB
from csa_analysis.method._records import Period, group_keys, map_values, period_months, records_frame
from csa_analysis.paths import REFERENCE_DIR

#: The shipped table: police.uk outcome category -> group.
OUTCOME_GROUPS_CSV = REFERENCE_DIR / "outcome_groups.csv"

#: Outcome groups in the order tables and stacked bars show them (from action taken to none).
OUTCOME_GROUPS: tuple[str, ...] = (
    "Charged or summonsed",
    "Out-of-court (caution, community resolution, penalty)",
    "Under investigation",
    "Unable to prosecute / evidential difficulties",
    "Not in the public interest",
    "Other / transferred",
    "No suspect identified",
)
#: The group of a category missing from the table, or of a crime with a blank outcome.
NOT_MAPPED = "Not mapped"
#: How a blank outcome on a crime row is named in :func:`unmapped_outcomes`.
BLANK_OUTCOME = "(blank)"

#: Caveat to print with any outcome figure.
OUTCOME_CAVEAT = (
    "Outcomes are police.uk's latest outcome for each crime when the month was published. police.uk revises "
    "outcomes when it republishes a month, so shares change over time: the most recent months show more crimes "
    "under investigation or awaiting a court result than they will later."
)
#: Why anti-social behaviour is absent from outcome shares.
ASB_NOTE = "Anti-social behaviour incidents have no outcome on police.uk and are excluded from outcome shares."

#: Assumptions and caveats of this module, one sentence each, for the methodology annex.
METHOD_NOTES: tuple[str, ...] = (
    OUTCOME_CAVEAT,
    ASB_NOTE,
    "police.uk outcome categories are grouped by reference/outcome_groups.csv (sources and reasoning in "
    "outcome_groups.md); a category not in the table, or a blank outcome on a crime, is counted as 'Not mapped'.",
    "Crimes are those recorded in the period, each with its latest outcome; court results follow a charge and "
    "are counted as 'Charged or summonsed'.",
)

_GROUP = ["district", "issue"]


def read_outcome_groups(path: str | Path | None = None) -> pd.DataFrame:
    """The outcome-group table: ``outcome``, ``group``, ``api_code``, ``source``, ``note``.

    Parameters
    ----------
    path : str or Path, optional
        A county's own table with at least ``outcome`` and ``group``; default the shipped
        :data:`OUTCOME_GROUPS_CSV`.

    Raises
    ------
    ValueError
        A missing column, an outcome listed twice, or a group not in :data:`OUTCOME_GROUPS`.

    Examples
    --------
    >>> t = read_outcome_groups()
    >>> t.set_index("outcome").loc["Local resolution", "group"]
    'Out-of-court (caution, community resolution, penalty)'
    """
    path = Path(path) if path is not None else OUTCOME_GROUPS_CSV
    table = pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8")
    missing = {"outcome", "group"} - set(table.columns)
    if missing:
        raise ValueError(f"{path.name} lacks column(s) {sorted(missing)}")
    table["outcome"] = table["outcome"].str.strip()
    dup = table.loc[table["outcome"].duplicated(), "outcome"].tolist()
    if dup:
        raise ValueError(f"{path.name} lists outcome(s) {dup} more than once")
    bad = sorted(set(table["group"]) - set(OUTCOME_GROUPS))
    if bad:
        raise ValueError(f"{path.name} uses group(s) {bad}; the groups are {list(OUTCOME_GROUPS)}")
    return table.reset_index(drop=True)


def outcome_group(outcome: pd.Series, mapping: pd.DataFrame | None = None) -> pd.Series:
    """The group of each outcome category (categorical, :data:`OUTCOME_GROUPS` then :data:`NOT_MAPPED`).

    A category missing from the table, and a missing (blank) outcome, give :data:`NOT_MAPPED`. The lookup is
    made once per distinct category.

    Examples
    --------
    >>> outcome_group(pd.Series(["Offender fined", "Suspect teleported", None])).tolist()
    ['Charged or summonsed', 'Not mapped', 'Not mapped']
    """
    table = read_outcome_groups() if mapping is None else mapping
    lookup = table.set_index("outcome")["group"]
    groups = map_values(outcome, lookup).fillna(NOT_MAPPED)
    return pd.Series(pd.Categorical(groups.to_numpy(), categories=[*OUTCOME_GROUPS, NOT_MAPPED]),
                     index=outcome.index)


def _crimes(records: pd.DataFrame | pa.Table, months: Sequence[str], by: Sequence[str]) -> pd.DataFrame:
    cols = list(dict.fromkeys(["month", "issue", *by, "outcome"]))
    df = records_frame(records, cols, months)
    return df[(df["issue"] != ASB).to_numpy()]


def outcome_shares(
    records: pd.DataFrame | pa.Table,
    period: Period,
    *,
    by: Sequence[str] = ("district", "issue"),
    mapping: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Share of the period's crimes in each outcome group, per district x issue (or other ``by`` columns).

    Anti-social behaviour is excluded (no outcome on police.uk; :data:`ASB_NOTE`). Every group, including
    :data:`NOT_MAPPED`, has a row for every ``by`` combination with at least one crime, zeros included, so the
    shares of a combination sum to 1.

    Parameters
    ----------
    records : DataFrame or pyarrow.Table
        ``month``, ``issue``, ``outcome`` and the ``by`` columns.
    period : Quarter, str or sequence of str
        Crimes recorded in these months (with their latest outcome).
    by : sequence of str, default ("district", "issue")
        The grouping: ``("district",)`` gives all crimes of each district, ``("issue",)`` the county per issue.
    mapping : DataFrame, optional
        An outcome-group table (:func:`read_outcome_groups`); default the shipped one.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``outcome_group`` (categorical in :data:`OUTCOME_GROUPS` order, then
        :data:`NOT_MAPPED`), ``count`` (crimes, int), ``crimes`` (all crimes of the combination, int),
        ``share`` (``count / crimes``, in [0, 1]). Ordered by the ``by`` columns, then group.

    Examples
    --------
    >>> recs = pd.DataFrame({"month": ["2018-10"] * 5, "district": ["Melton"] * 5,
    ...     "issue": ["Burglary"] * 3 + ["Drugs", "Anti-social behaviour"],
    ...     "outcome": ["Investigation complete; no suspect identified", "Offender fined", "Unheard of",
    ...                 "Local resolution", None]})
    >>> s = outcome_shares(recs, "2018-10")
    >>> for r in s[s["count"] > 0].itertuples():
    ...     print(r.issue, "|", r.outcome_group, "|", r.count, "of", r.crimes)
    Burglary | Charged or summonsed | 1 of 3
    Burglary | No suspect identified | 1 of 3
    Burglary | Not mapped | 1 of 3
    Drugs | Out-of-court (caution, community resolution, penalty) | 1 of 1
    >>> s.groupby("issue", observed=True)["share"].sum().tolist()
    [1.0, 1.0]
    """
    by = list(by)
    df = _crimes(records, period_months(period), by)
    df["outcome_group"] = outcome_group(df["outcome"], mapping).to_numpy()
    counts = df.groupby([*by, "outcome_group"], observed=True).size()
    present = df.groupby(by, observed=True).size()
    groups = pd.CategoricalIndex([*OUTCOME_GROUPS, NOT_MAPPED], categories=[*OUTCOME_GROUPS, NOT_MAPPED],
                                 name="outcome_group")
    combos = present.index.to_frame(index=False)
    full = combos.merge(groups.to_frame(index=False), how="cross")
    out = full.merge(counts.rename("count").reset_index(), on=[*by, "outcome_group"], how="left")
    out["count"] = out["count"].fillna(0).astype("int64")
    out = out.merge(present.rename("crimes").reset_index(), on=by, how="left")
    out["crimes"] = out["crimes"].astype("int64")
    out["share"] = (out["count"] / out["crimes"]).astype("float64")
    for col, level in zip(by, group_keys(df, by), strict=True):
        if isinstance(level, pd.CategoricalIndex):
            out[col] = pd.Categorical(out[col], categories=level.categories)
    out["outcome_group"] = pd.Categorical(out["outcome_group"], categories=groups.categories)
    return out.sort_values([*by, "outcome_group"], kind="stable").reset_index(drop=True)


def unmapped_outcomes(records: pd.DataFrame | pa.Table, period: Period, *,
                      mapping: pd.DataFrame | None = None) -> pd.DataFrame:
    """The outcome categories of the period's crimes that fell in :data:`NOT_MAPPED`, with their counts.

    Returns
    -------
    DataFrame
        ``outcome`` (the category as written; :data:`BLANK_OUTCOME` for a crime with no outcome), ``count``
        (crimes, int); most first, then alphabetical. Empty when every category is mapped.

    Examples
    --------
    >>> recs = pd.DataFrame({"month": ["2018-10"] * 3, "issue": ["Drugs"] * 3,
    ...                      "outcome": ["Suspect teleported", None, "Local resolution"]})
    >>> unmapped_outcomes(recs, "2018-10").to_dict("records")
    [{'outcome': '(blank)', 'count': 1}, {'outcome': 'Suspect teleported', 'count': 1}]
    """
    df = _crimes(records, period_months(period), [])
    lost = (outcome_group(df["outcome"], mapping) == NOT_MAPPED).to_numpy()
    names = df.loc[lost, "outcome"].astype("str").fillna(BLANK_OUTCOME)
    out = names.value_counts().rename_axis("outcome").rename("count").reset_index()
    out["outcome"] = out["outcome"].astype("str")
    out["count"] = out["count"].astype("int64")
    return out.sort_values(["count", "outcome"], ascending=[False, True], kind="stable").reset_index(drop=True)


def outcome_account(records: pd.DataFrame | pa.Table, period: Period, *,
                    mapping: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per district: crimes counted in outcome shares, anti-social behaviour excluded, crimes not mapped.

    Returns
    -------
    DataFrame
        ``district``, ``crimes`` (int, the denominator of the district's shares), ``asb_excluded`` (int),
        ``not_mapped`` (int, crimes in :data:`NOT_MAPPED`), ``blank_outcome`` (int, crimes with no outcome, a
        part of ``not_mapped``). One row per district category, zeros included.

    Examples
    --------
    >>> recs = pd.DataFrame({"month": ["2018-10"] * 3, "district": ["Melton"] * 3,
    ...     "issue": ["Drugs", "Anti-social behaviour", "Drugs"], "outcome": ["Local resolution", None, None]})
    >>> outcome_account(recs, "2018-10").to_dict("records")
    [{'district': 'Melton', 'crimes': 2, 'asb_excluded': 1, 'not_mapped': 1, 'blank_outcome': 1}]
    """
    df = records_frame(records, ["month", "district", "issue", "outcome"], period_months(period))
    asb = (df["issue"] == ASB).to_numpy()
    not_mapped = (outcome_group(df["outcome"], mapping) == NOT_MAPPED).to_numpy() & ~asb
    frame = pd.DataFrame({"district": df["district"].to_numpy(), "crimes": ~asb, "asb_excluded": asb,
                          "not_mapped": not_mapped, "blank_outcome": df["outcome"].isna().to_numpy() & ~asb})
    out = frame.groupby("district", observed=False, sort=True).sum()
    return out.astype("int64").reset_index()


__all__ = [
    "ASB_NOTE", "BLANK_OUTCOME", "METHOD_NOTES", "NOT_MAPPED", "OUTCOME_CAVEAT", "OUTCOME_GROUPS", "OUTCOME_GROUPS_CSV",
    "outcome_account", "outcome_group", "outcome_shares", "read_outcome_groups", "unmapped_outcomes",
]

