"""The hub-and-spoke scenario (a county chief executives' group, 2012): one strategic board for the force area
takes over strategy, data collection and analysis, priority setting and governance from the force- and
county-level partnerships; district partnerships become local delivery groups. Every assumption is a
parameter and is stated, with its value, in the ``assumptions`` table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csa_analysis.partnerships.analysis import admin_share, meeting_load
from csa_analysis.partnerships.register import BOARD_FUNCTIONS, LEVELS, REGISTER_COLUMNS, STRATEGIC_LEVELS

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
    _check_arguments(register, board_meetings_per_year, delivery_group_meetings_per_year, delivery_group_admin_share,
                     board_admin_cost_gbp, strategic_levels, keep_separate)
    is_absorbed = (register["level"].isin(list(strategic_levels))
                   & ~register["partnership"].isin(list(keep_separate)))
    is_local = (register["level"] == "district") & ~is_absorbed
    absorbed = register[is_absorbed]
    has_admin = absorbed["admin_cost_gbp"].notna().any()
    largest_name = absorbed.loc[absorbed["admin_cost_gbp"].idxmax(), "partnership"] if has_admin else None
    largest = float(absorbed["admin_cost_gbp"].max()) if has_admin else np.nan
    board_admin = float(board_admin_cost_gbp) if board_admin_cost_gbp is not None else largest
    members = (tuple(dict.fromkeys(board_members)) if board_members is not None
               else tuple(dict.fromkeys(m for ms in absorbed["members"] for m in ms)))
    local = register[is_local].copy()
    if delivery_group_meetings_per_year is not None:
        local["meetings_per_year"] = local["meetings_per_year"].clip(upper=delivery_group_meetings_per_year)
    local["admin_cost_gbp"] = local["admin_cost_gbp"] * delivery_group_admin_share
    board = _board(absorbed, board_name, board_meetings_per_year, members, board_admin)
    after = pd.concat([p for p in (board, register[~is_absorbed & ~is_local], local) if len(p)],
                      ignore_index=True)[list(REGISTER_COLUMNS)]
    after = after.astype({"partnership": "str", "level": "str", "meetings_per_year": "int64",
                          "admin_cost_gbp": "float64", "delivery_spend_gbp": "float64"})
    if board_admin_cost_gbp is not None:
        board_admin_text = f"{board_admin_cost_gbp:,.0f}"
    elif largest_name is not None:
        board_admin_text = f"{board_admin:,.0f} (the largest absorbed admin cost, {largest_name})"
    else:
        board_admin_text = "unknown (no absorbed admin cost is known)"
    assumptions = _assumptions(register, absorbed, strategic_levels, keep_separate, board_meetings_per_year,
                               board_admin_text, board_members, members, delivery_group_meetings_per_year,
                               delivery_group_admin_share)
    absorbed_table = absorbed[["partnership", "level", "meetings_per_year", "admin_cost_gbp"]].reset_index(
        drop=True)
    return HubAndSpokeResult(_summary(register, after), absorbed_table, after, _load_change(register, after),
                             _admin_change(register, after), assumptions)


def _check_arguments(register: pd.DataFrame, board_meetings_per_year: int,
                     delivery_group_meetings_per_year: int | None, delivery_group_admin_share: float,
                     board_admin_cost_gbp: float | None, strategic_levels: Sequence[str],
                     keep_separate: Sequence[str]) -> None:
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


def _board(absorbed: pd.DataFrame, name: str, meetings: int, members: tuple[str, ...],
           admin_gbp: float) -> pd.DataFrame:
    """The strategic board's register row (empty when no partnership is absorbed)."""
    if not len(absorbed):
        return absorbed.iloc[0:0]
    return pd.DataFrame([{
        "partnership": name, "level": "force" if "force" in set(absorbed["level"]) else "county",
        "districts": tuple(dict.fromkeys(d for ds in absorbed["districts"] for d in ds)),
        "covers_all": bool(absorbed["covers_all"].any()),
        "remit": tuple(dict.fromkeys(r for rs in absorbed["remit"] for r in rs)),
        "meetings_per_year": meetings, "members": members, "admin_cost_gbp": admin_gbp,
        "delivery_spend_gbp": absorbed["delivery_spend_gbp"].sum(min_count=1), "source_row": -1,
    }])


def _summary(register: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Partnerships, meetings, agency attendances and known administration, before and after."""
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
    return summary[["measure", "before", "after", "change", "unit"]]


def _load_change(register: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Each agency's partnerships and meetings a year, before and after."""
    lb = meeting_load(register).set_index("agency")
    la = meeting_load(after).set_index("agency")
    load = pd.DataFrame({
        "partnerships_before": lb["partnerships"], "partnerships_after": la["partnerships"],
        "meetings_before": lb["meetings_per_year"], "meetings_after": la["meetings_per_year"],
    }).fillna(0).astype("int64")
    load["meetings_change"] = load["meetings_after"] - load["meetings_before"]
    return load.rename_axis("agency").reset_index().sort_values(
        ["meetings_before", "agency"], ascending=[False, True], ignore_index=True, kind="stable")


def _admin_change(register: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The admin share's total row (partnerships with both figures known), before and after."""
    totals = [admin_share(r).iloc[-1] for r in (register, after)]
    return pd.DataFrame({"scenario": ["before", "after"],
                         "admin_cost_gbp": [t["admin_cost_gbp"] for t in totals],
                         "delivery_spend_gbp": [t["delivery_spend_gbp"] for t in totals],
                         "admin_share": [t["admin_share"] for t in totals]}).astype(
        {"scenario": "str", "admin_cost_gbp": "float64", "delivery_spend_gbp": "float64", "admin_share": "float64"})


def _assumptions(register: pd.DataFrame, absorbed: pd.DataFrame, strategic_levels: Sequence[str],
                 keep_separate: Sequence[str], board_meetings_per_year: int, board_admin_text: str,
                 board_members: Sequence[str] | None, members: tuple[str, ...],
                 delivery_group_meetings_per_year: int | None, delivery_group_admin_share: float) -> pd.DataFrame:
    """Every assumption of the scenario, with the parameter that sets it and its value."""
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
    return pd.DataFrame(rows, columns=["assumption", "parameter", "value", "note"], dtype="str")
