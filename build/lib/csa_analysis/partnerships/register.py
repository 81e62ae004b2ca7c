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
