"""Every table a user gives the workbench, read one way: :func:`read_table` with a :class:`Schema`.

District tables (populations, funding), the partnership register, harm-weight and unit-cost tables and the
offence-to-issue mapping all go through :func:`read_table`: ``.csv`` (UTF-8, an Excel byte-order mark
accepted) or ``.xlsx`` (first sheet), read as text, each cell checked by its column's kind, and every fault
named by file, row (spreadsheet numbering, header = row 1), column and what was expected. Numbers are read
strictly (:func:`parse_number`): a decimal comma, ``inf``, ``nan`` or an exponent is refused, never misread.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from csa_analysis.domain.names import normalise_name
from csa_analysis.errors import InputError

#: Largest figure any count-like threshold or setting may take: beyond it a number cannot be meant.
MAX_SETTING = 1_000_000_000
#: Residents of one district: smallest and largest plausible (the Isles of Scilly hold about 2,100; no local
#: authority in England and Wales holds 1.2 million). Outside this range a population is a typo.
MIN_POPULATION, MAX_POPULATION = 1_000, 15_000_000
#: Largest plausible allocation or pot (pounds): a decimal point lost, or digits doubled, is refused.
MAX_GBP = 10_000_000_000

#: A number as people type it in a table: optional sign and pound sign, comma thousands, a decimal point.
_PLAIN_NUMBER = re.compile(r"[-+]?£?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?")
#: A number written with a decimal comma ("22.380,50", "22,5"): refused, never read as something else.
_DECIMAL_COMMA = re.compile(r"[-+]?£?(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d{1,2}|\d+,\d{4,})")


# --------------------------------------------------------------------------------------------------
# Numbers


def bounds_text(above: float | None, minimum: float | None, maximum: float | None) -> str:
    """``"from 0 to 366"``, ``"of 0 or more"``, ``"above 0"``... for messages.

    Examples
    --------
    >>> bounds_text(None, 0, 366), bounds_text(0, None, None), bounds_text(None, 0, None)
    ('from 0 to 366', 'above 0', 'of 0 or more')
    """
    def show(x: float) -> str:
        return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"

    low = f"above {show(above)}" if above is not None else (f"of {show(minimum)} or more"
                                                            if minimum is not None else "")
    if maximum is None:
        return low
    if minimum is not None and above is None:
        return f"from {show(minimum)} to {show(maximum)}"
    return f"{low} and at most {show(maximum)}" if low else f"of at most {show(maximum)}"


def check_number(value: Any, file: Path | str, where: str, *, integer: bool = False, above: float | None = None,
                 minimum: float | None = None, maximum: float | None = None) -> float:
    """A finite number within bounds (a TOML value or a parsed cell); InputError naming ``where`` otherwise.

    Examples
    --------
    >>> check_number(3, "county.toml", "[delivery] priority_top_n", integer=True, minimum=1)
    3
    >>> check_number(float("inf"), "county.toml", "[scoring] harm", minimum=0)
    Traceback (most recent call last):
    ...
    csa_analysis.errors.InputError: county.toml: [scoring] harm: inf is not valid (expected a number of 0 or more)
    """
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok and integer and isinstance(value, float):
        ok = value.is_integer()
    if ok and above is not None and not value > above:
        ok = False
    if ok and minimum is not None and not value >= minimum:
        ok = False
    if ok and maximum is not None and not value <= maximum:
        ok = False
    if not ok:
        kind = "a whole number" if integer else "a number"
        raise InputError(f"{value!r} is not valid", file=file, where=where,
                         expected=f"{kind} {bounds_text(above, minimum, maximum)}".strip())
    return int(value) if integer else float(value)


def is_blank(value: object) -> bool:
    """True for None, NaN, pandas' NA and text that is only spaces."""
    return value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == ""


def parse_number(text: object) -> float:
    """The number in a table cell, strictly: ``22380``, ``22,380``, ``£22,380.50``, ``-5``.

    Raises
    ------
    ValueError
        With the reason a person reads: blank, a decimal comma (``22.380,50`` is not 22.38), not a number,
        or not finite (``inf``, ``nan``, ``1e999``).

    Examples
    --------
    >>> parse_number(" £22,380.50 ")
    22380.5
    >>> parse_number("22.380,50")
    Traceback (most recent call last):
    ...
    ValueError: '22.380,50' uses a decimal comma
    """
    if is_blank(text):
        raise ValueError("is blank")
    raw = str(text).strip()
    if _PLAIN_NUMBER.fullmatch(raw):
        return float(raw.replace(",", "").replace("£", ""))
    if _DECIMAL_COMMA.fullmatch(raw):
        raise ValueError(f"{raw!r} uses a decimal comma")
    raise ValueError(f"{raw!r} is not a number")


def number_cell(value: object, file: Path | str, where: str, expected: str, *, integer: bool = False,
                minimum: float | None = 0, maximum: float | None = None, above: float | None = None) -> float:
    """:func:`parse_number` and the bounds of :func:`check_number`, with an InputError naming the cell.

    Examples
    --------
    >>> number_cell("366", "p.csv", "row 2, column 'meetings'", "meetings a year", integer=True, maximum=366)
    366
    >>> number_cell("-5", "p.csv", "row 2, column 'cost'", "pounds")
    Traceback (most recent call last):
    ...
    csa_analysis.errors.InputError: p.csv: row 2, column 'cost': '-5' is below 0 (expected pounds of 0 or more)
    """
    try:
        num = parse_number(value)
    except ValueError as exc:
        raise InputError(str(exc), file=file, where=where, expected=expected) from None
    minimum = None if above is not None else minimum
    try:
        return check_number(int(num) if integer and num.is_integer() else num, file, where, integer=integer,
                            minimum=minimum, maximum=maximum, above=above)
    except InputError:
        raw = str(value).strip()
        if integer and not num.is_integer():
            problem = f"{raw!r} is not a whole number"
        elif maximum is not None and num > maximum:
            problem = f"{raw!r} is above {maximum:,g}" if maximum < 1e6 else f"{raw!r} is too large"
        else:
            problem = f"{raw!r} is below {above if above is not None else minimum:g}"
        raise InputError(problem, file=file, where=where,
                         expected=f"{expected} {bounds_text(above, minimum, maximum)}".strip()) from None


# --------------------------------------------------------------------------------------------------
# Tables


def read_raw_table(path: Path, what: str) -> pd.DataFrame:
    """Read a user's ``.csv`` (UTF-8, an Excel BOM accepted) or ``.xlsx`` table as text, header stripped.

    Blank lines are kept, so a frame row ``i`` is spreadsheet row ``i + 2`` (header = row 1).

    Raises
    ------
    InputError
        Unsupported type, missing file, not UTF-8, or unreadable; ``what`` names the table expected.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError("unsupported file type", file=path, expected=f"a .csv or .xlsx {what}")
    if not path.is_file():
        raise InputError("file not found", file=path, expected=f"a {what}")
    try:
        if suffix == ".xlsx":
            table = pd.read_excel(path, engine="openpyxl", dtype=str)
        else:
            table = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""],
                                skip_blank_lines=False, skipinitialspace=True)
    except UnicodeDecodeError as exc:
        raise InputError(f"is not UTF-8 text ({exc.reason} at byte {exc.start})", file=path,
                         expected="a UTF-8 CSV file") from None
    except Exception as exc:  # pandas/openpyxl raise many types for unreadable files
        raise InputError(f"cannot be read ({type(exc).__name__}: {exc})", file=path,
                         expected=f"a .csv or .xlsx {what} with a header row") from None
    table.columns = [str(c).strip() for c in table.columns]
    return table


@dataclass(frozen=True)
class Column:
    """One column of a user's table and how its cells are checked.

    Attributes
    ----------
    name : str
        The header, exactly (surrounding spaces are ignored).
    kind : str
        ``text`` (stripped), ``number``, ``integer``, ``district`` (an official name or alias, given as the
        official name) or ``issue`` (one of the issues passed to :func:`read_table`).
    required : bool
        The column must be in the header (otherwise it is filled with ``default``).
    blank : bool
        A blank cell is allowed (NaN for numbers, None for text); otherwise it is an error.
    minimum, maximum, above : float, optional
        Bounds of a number (``minimum`` 0 by default: no negative figure means anything here).
    expected : str
        What a cell should hold, for messages ("pounds a year").
    default : object
        The value of every row when an optional column is absent.
    """

    name: str
    kind: str = "text"
    required: bool = True
    blank: bool = False
    minimum: float | None = 0
    maximum: float | None = None
    above: float | None = None
    expected: str = ""
    default: Any = None
    if_blank: str = "is blank"  # the problem a blank cell is reported as ("has no name")


@dataclass(frozen=True)
class Schema:
    """The columns of a user's table, what the table is called in messages, and its unique key column."""

    what: str
    columns: tuple[Column, ...]
    key: str | None = None

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def read_table(path: str | Path, schema: Schema, *, districts: Mapping[str, str] | None = None,
               issues: Sequence[str] = ()) -> pd.DataFrame:
    """Read and check a user's table against ``schema``; blank rows are skipped.

    Parameters
    ----------
    path : str or Path
        ``.csv`` or ``.xlsx``.
    schema : Schema
        The columns, their kinds and bounds.
    districts : mapping, optional
        Normalised official name or alias -> official name (:meth:`csa_analysis.config.County.name_map`),
        for ``district`` columns.
    issues : sequence of str
        The accepted names of ``issue`` columns.

    Returns
    -------
    DataFrame
        One row per non-blank row, the schema's columns typed (numbers float64, integers int64 or Int64 when
        blanks are allowed, text and names as str with None for blanks) and ``source_row`` (the spreadsheet row,
        header = 1).

    Raises
    ------
    InputError
        A missing column, a cell of the wrong kind or out of bounds, an unknown district or issue, a key given
        twice: the message names the file, the row and column, and what was expected.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "funding.csv"
    >>> _ = f.write_text("district,allocation_gbp\\nBlaby,\\"22,380\\"\\n")
    >>> schema = Schema("funding table", (Column("district", "district"), Column("allocation_gbp", "number")),
    ...                 key="district")
    >>> read_table(f, schema, districts={"blaby": "Blaby"}).to_dict("records")
    [{'district': 'Blaby', 'allocation_gbp': 22380.0, 'source_row': 2}]
    """
    path = Path(path)
    return check_table(read_raw_table(path, schema.what), schema, path, districts=districts, issues=issues)


def check_table(raw: pd.DataFrame, schema: Schema, path: str | Path, *, districts: Mapping[str, str] | None = None,
                issues: Sequence[str] = ()) -> pd.DataFrame:
    """:func:`read_table` on a table already in memory (text cells; row ``i`` is spreadsheet row ``i + 2``);
    ``path`` names it in messages."""
    raw = raw.reset_index(drop=True)
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c.name for c in schema.columns if c.required and c.name not in raw.columns]
    if missing:
        raise InputError(f"has no column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
                         f"(columns found: {', '.join(raw.columns)})", file=path, where="header row",
                         expected="columns " + ", ".join(c.name for c in schema.columns if c.required))
    present = [c for c in schema.columns if c.name in raw.columns]
    rows = raw[[c.name for c in present]]
    keep = ~rows.map(is_blank).all(axis=1).to_numpy() if len(present) else []
    rows = rows.loc[keep]
    source_row = rows.index.to_numpy() + 2
    out: dict[str, Any] = {}
    for col in schema.columns:
        if col.name not in raw.columns:
            out[col.name] = [col.default] * len(rows)
            continue
        out[col.name] = [_cell(v, col, path, int(r), districts, issues) for v, r in zip(rows[col.name], source_row,
                                                                                        strict=True)]
    table = pd.DataFrame(out, columns=[c.name for c in schema.columns])
    table["source_row"] = pd.array(source_row, dtype="int64")
    for col in schema.columns:
        if col.kind == "number":
            table[col.name] = pd.to_numeric(table[col.name]).astype("float64")
        elif col.kind == "integer":
            table[col.name] = table[col.name].astype("Int64" if col.blank else "int64")
    if schema.key is not None and len(table):
        dup = table[schema.key].duplicated(keep=False) & table[schema.key].notna()
        if dup.any():
            first, second = table.loc[dup, "source_row"].iloc[:2].tolist()
            value = table.loc[dup, schema.key].iloc[0]
            raise InputError(f"{schema.key} {value!r} is given twice (rows {first} and {second})", file=path,
                             where=f"row {second}", expected=f"one row per {schema.key}")
    return table


def _cell(value: object, col: Column, path: Path, row: int, districts: Mapping[str, str] | None,
          issues: Sequence[str]) -> Any:
    where = f"row {row}, column {col.name!r}"
    if is_blank(value):
        if col.blank:
            return float("nan") if col.kind == "number" else None
        what = col.expected or {"district": "a district name", "issue": "an issue"}.get(col.kind, "a value")
        raise InputError(f"{col.name} is blank" if col.kind in ("district", "issue") else col.if_blank, file=path,
                         where=where, expected=what)
    if col.kind in ("number", "integer"):
        return number_cell(value, path, where, col.expected or "a number", integer=col.kind == "integer",
                           minimum=col.minimum, maximum=col.maximum, above=col.above)
    text = re.sub(r"\s+", " ", str(value)).strip()
    if col.kind == "district":
        official = (districts or {}).get(normalise_name(text))
        if official is None:
            known = ", ".join(sorted(set((districts or {}).values())))
            raise InputError(f"district {text!r} matches no district or alias in county.toml", file=path,
                             where=where, expected=f"one of {known}, or an alias declared for one of them")
        return official
    if col.kind == "issue" and text not in issues:
        raise InputError(f"issue {text!r} is not {col.expected or 'a known issue'}", file=path, where=where,
                         expected="one of " + ", ".join(issues))
    return text


def read_district_table(path: Path, value_column: str, name_map: Mapping[str, str], *, integer: bool = False,
                        minimum: float = 0, maximum: float | None = None, expected: str = "a number",
                        ) -> dict[str, float]:
    """Read a two-column district table (``district`` and ``value_column``) and reconcile its names.

    Parameters
    ----------
    path : Path
        ``.csv`` or ``.xlsx`` with a header row holding ``district`` and ``value_column``.
    value_column : str
        ``population`` (residents) or ``allocation_gbp`` (pounds).
    name_map : mapping
        Normalised official name or alias -> official name.
    integer, minimum, maximum : optional
        Whether values must be whole numbers, and their bounds (see :func:`number_cell`).
    expected : str
        What a value should look like, for messages ("a whole number of residents").

    Returns
    -------
    dict
        Official district name -> value.
    """
    schema = Schema(f"{value_column} table", (
        Column("district", "district"),
        Column(value_column, "integer" if integer else "number", minimum=minimum, maximum=maximum,
               expected=expected),
    ), key="district")
    table = read_table(path, schema, districts=name_map)
    return dict(zip(table["district"], table[value_column].tolist(), strict=True))
