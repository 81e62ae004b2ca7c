"""Harm: a weight per issue times its count.

The shipped default (``reference/harm_weights_default.csv``) holds indicative Cambridge Crime Harm Index
figures per police.uk category, from a third-party roll-up of CCHI medians by offence subgroup (secondary:
see the ``source`` and ``basis`` columns). Where the source gives a range, the weight is the midpoint and the
two ends are kept for the sensitivity table. Anti-social behaviour has no sentencing-based weight: its
weight and harm score are blank, never 0.

Users can plug in the official tables instead: :func:`load_ons_css_weights` reads the ONS Crime Severity Score
data tool's "List of weights" sheet, :func:`load_cchi_workbook` the Cambridge Crime Harm Index workbook; both
give offence-level weights that :func:`weights_to_issues` rolls up to police.uk issues through a mapping the
user supplies. The weights' unit travels with them (``unit`` column).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from csa_analysis.config.county import County
from csa_analysis.config.tables import Column, Schema, check_table, read_table
from csa_analysis.domain.issues import ISSUES
from csa_analysis.errors import InputError
from csa_analysis.paths import REFERENCE_DIR

HARM_COLUMNS = ("issue", "weight", "weight_low", "weight_high", "unit", "basis", "status", "source")


def default_harm_weights() -> pd.DataFrame:
    """The shipped indicative weights: one row per police.uk issue (columns :data:`HARM_COLUMNS`)."""
    return read_harm_table(REFERENCE_DIR / "harm_weights_default.csv")


#: A harm-weight table: ``issue`` and ``weight`` (blank where no weight exists); the range, unit, basis, status and
#: source are optional.
HARM_SCHEMA = Schema("harm-weight table", (
    Column("issue", "issue", expected="a police.uk issue"),
    Column("weight", "number", blank=True, expected="a weight per offence (blank where none exists)"),
    Column("weight_low", "number", required=False, blank=True, default=float("nan"),
           expected="the low end of the weight's range"),
    Column("weight_high", "number", required=False, blank=True, default=float("nan"),
           expected="the high end of the weight's range"),
    Column("unit", required=False, blank=True, default="weight units"),
    Column("basis", required=False, blank=True, default=""),
    Column("status", required=False, blank=True, default="user"),
    Column("source", required=False, blank=True),
), key="issue")


def read_harm_table(path: str | Path) -> pd.DataFrame:
    """Read a harm-weight table (``.csv`` or ``.xlsx``): at least ``issue`` and ``weight``; the other columns of
    :data:`HARM_COLUMNS` are optional (``weight_low``/``weight_high`` default to ``weight``, ``source`` to the
    file's name). A blank range end is the weight itself.

    Raises
    ------
    InputError
        Missing columns, an issue that is not a police.uk issue or given twice, a negative or non-numeric
        weight (see :func:`csa_analysis.config.read_table`).
    """
    path = Path(path)
    table = read_table(path, HARM_SCHEMA, issues=ISSUES)
    for col in ("weight_low", "weight_high"):  # a range end not given is the weight itself
        table[col] = table[col].fillna(table["weight"])
    table["source"] = table["source"].fillna(path.name)
    table = table.set_index("issue").reindex(list(ISSUES)).reset_index()
    return table[list(HARM_COLUMNS)]


def harm_weights_for(county: County) -> pd.DataFrame:
    """The county's harm weights: its ``[harm] table`` if configured, else the shipped default; then one row per
    local issue declared in county.toml (:func:`local_harm_weights`)."""
    table = read_harm_table(county.harm_table) if county.harm_table else default_harm_weights()
    if not county.local_issues:
        return table
    unit = table["unit"].dropna()
    return pd.concat([table, local_harm_weights(county, str(unit.iloc[0]) if len(unit) else "weight units")],
                     ignore_index=True)


def local_harm_weights(county: County, unit: str) -> pd.DataFrame:
    """Harm-table rows (:data:`HARM_COLUMNS`) for the county's local issues, from their ``[[issues]]`` tables.

    A local issue's ``harm_weight`` is in the unit of the harm table in use (``unit``) and carries its
    ``harm_source``; without one its weight is blank (unknown, never 0).

    Examples
    --------
    >>> from pathlib import Path
    >>> from csa_analysis.config.county import IssueSettings
    >>> c = County("Shire", Path("county.toml"), Path("p"), (), issues=(IssueSettings("SARC referrals",
    ...     source="SARC", harm_weight=197.0, harm_source="CCHI roll-up"), IssueSettings("Hate", source="x")))
    >>> local_harm_weights(c, "CCHI days")[["issue", "weight", "status", "source"]].to_dict("records")[0]
    {'issue': 'SARC referrals', 'weight': 197.0, 'status': 'county.toml', 'source': 'CCHI roll-up'}
    """
    rows = [{"issue": i.name, "weight": i.harm_weight, "weight_low": i.harm_weight, "weight_high": i.harm_weight,
             "unit": unit, "basis": "declared in county.toml [[issues]]" if i.harm_weight is not None else
             "no harm weight declared for this local issue: left blank",
             "status": "county.toml" if i.harm_weight is not None else "gap",
             "source": i.harm_source or "no harm weight declared"} for i in county.local_issues]
    out = pd.DataFrame(rows, columns=list(HARM_COLUMNS))
    for col in ("weight", "weight_low", "weight_high"):
        out[col] = out[col].astype("float64")
    return out


def add_harm(volume: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """Add ``harm_weight`` and ``harm_score`` (= count x weight, blank where no weight) to a volume table."""
    w = weights.set_index("issue")["weight"]
    out = volume.copy()
    out["harm_weight"] = out["issue"].astype("str").map(w).astype("float64")
    out["harm_score"] = out["count"] * out["harm_weight"]
    return out


# ------------------------------------------------------------------------------------------------
# Official tables


def _sheet(path: Path, sheet: str, header_row: int | None) -> pd.DataFrame:
    """One sheet of an ``.xlsx`` workbook; ``header_row`` in spreadsheet numbering, None for no header."""
    try:
        return pd.read_excel(path, sheet_name=sheet, header=None if header_row is None else header_row - 1,
                             engine="openpyxl")
    except ValueError as exc:
        raise InputError(f"has no sheet {sheet!r} ({exc})", file=path,
                         expected=f"the published workbook with a sheet named {sheet!r}") from None
    except Exception as exc:  # openpyxl raises many types for files that are not workbooks
        raise InputError(f"cannot be read ({type(exc).__name__}: {exc})", file=path,
                         expected="an .xlsx workbook") from None


def load_ons_css_weights(path: str | Path) -> pd.DataFrame:
    """Offence weights from the ONS "Crime Severity Score (Experimental Statistics)" data tool.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` data tool; sheet "List of weights", header on row 7, columns "Offence category" and
        "Weight" (the sentencing-based severity weight of one offence).

    Returns
    -------
    DataFrame
        ``offence`` (str), ``weight`` (float), ``unit`` ("ONS CSS weight"), ``source`` (file name); one row
        per offence with a numeric weight (blank and note rows are skipped).

    Raises
    ------
    InputError
        Not a workbook, no "List of weights" sheet, or no "Offence category" / "Weight" header on row 7.
    """
    path = Path(path)
    raw = _sheet(path, "List of weights", 7)
    raw.columns = [str(c).strip() for c in raw.columns]
    for col in ("Offence category", "Weight"):
        if col not in raw.columns:
            raise InputError(f"has no column {col!r} in sheet 'List of weights'", file=path,
                             where="row 7", expected="columns 'Offence category' and 'Weight'")
    return _offence_table(raw["Offence category"], raw["Weight"], path, "ONS CSS weight").drop(
        columns="_row")


#: How many leading rows of the CCHI sheet are searched for its header row.
CCHI_HEADER_SEARCH_ROWS = 10


def load_cchi_workbook(path: str | Path) -> pd.DataFrame:
    """Offence weights from the Cambridge Crime Harm Index workbook (not redistributed: supply your own).

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` workbook; sheet "CCHI 2021 values sheet" with columns for the Home Office
        classification, the offence title and the CCHI score (days of imprisonment). The header row is the
        first of the sheet's first 10 rows holding a column whose name contains "offence" and "title" and
        one whose name contains "CCHI" and "score" (case-insensitive); another column naming "Home Office" or
        "HO" (and not "title") is read as the classification.

    Returns
    -------
    DataFrame
        ``offence`` (str), ``home_office_code`` (str, blank when the sheet has none), ``weight`` (float,
        CCHI days), ``unit`` ("CCHI days"), ``source`` (file name).

    Raises
    ------
    InputError
        Not a workbook, no such sheet, or no header row with an offence title and a CCHI score.
    """
    path = Path(path)
    grid = _sheet(path, "CCHI 2021 values sheet", None)
    head = grid.head(CCHI_HEADER_SEARCH_ROWS).astype("str").apply(lambda col: col.str.strip().str.lower())
    is_title = head.apply(lambda col: col.str.contains("offence") & col.str.contains("title"))
    is_score = head.apply(lambda col: col.str.contains("cchi") & col.str.contains("score"))
    found = is_title.any(axis=1) & is_score.any(axis=1)
    if not found.any():
        raise InputError(f"has no offence-title and CCHI-score columns in its first {CCHI_HEADER_SEARCH_ROWS} "
                         "rows", file=path, where="sheet 'CCHI 2021 values sheet'",
                         expected="columns such as 'HO Offence Title' and 'CCHI Score'")
    row = int(np.argmax(found.to_numpy()))
    title = int(np.argmax(is_title.iloc[row].to_numpy()))
    score = int(np.argmax(is_score.iloc[row].to_numpy()))
    names = head.iloc[row]
    is_code = (names.str.contains(r"home office|\bho\b", regex=True) & ~names.str.contains("title")).to_numpy(
        dtype=bool, copy=True)
    is_code[[title, score]] = False
    body = grid.iloc[row + 1:].reset_index(drop=True)
    out = _offence_table(body.iloc[:, title], body.iloc[:, score], path, "CCHI days")
    if is_code.any():
        codes = body.iloc[out["_row"], int(np.argmax(is_code))]
        out.insert(1, "home_office_code", codes.map(_code_text).to_numpy())
    else:
        out.insert(1, "home_office_code", "")
    return out.drop(columns="_row")


def _code_text(value: object) -> str:
    """A classification code as text: blank when empty, ``28`` not ``28.0``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _offence_table(offence: pd.Series, weight: pd.Series, path: Path, unit: str) -> pd.DataFrame:
    table = pd.DataFrame({"offence": offence, "weight": pd.to_numeric(weight, errors="coerce")})
    table["_row"] = table.index
    table = table[table["offence"].notna() & table["weight"].notna()].copy()
    if table.empty:
        raise InputError("holds no offence weights", file=path, expected="rows of offence and weight")
    table["offence"] = table["offence"].astype("str").str.strip()
    table["unit"] = unit
    table["source"] = path.name
    return table.reset_index(drop=True)[["offence", "weight", "unit", "source", "_row"]]


#: The user's mapping of offences to police.uk issues; ``share`` (the offence's share of the issue's volume) is
#: optional, but where the column is given every row needs one.
MAPPING_SCHEMA = Schema("offence-to-issue mapping", (
    Column("offence", expected="an offence name exactly as in the weights workbook"),
    Column("issue", "issue", expected="a police.uk issue"),
    Column("share", "number", required=False, default=float("nan"),
           expected="the offence's share of the issue's volume"),
))


def weights_to_issues(offence_weights: pd.DataFrame, mapping: pd.DataFrame | str | Path) -> pd.DataFrame:
    """Roll offence-level weights up to police.uk issues through a user mapping.

    Parameters
    ----------
    offence_weights : DataFrame
        ``offence``, ``weight``, ``unit`` (from :func:`load_ons_css_weights` or :func:`load_cchi_workbook`).
    mapping : DataFrame or path
        ``offence``, ``issue`` and optionally ``share`` (the offence's share of the issue's volume; without
        it, every mapped offence counts equally: a plain mean).

    Returns
    -------
    DataFrame
        A harm table (:data:`HARM_COLUMNS`): the share-weighted mean weight per issue; ``weight_low`` and
        ``weight_high`` the smallest and largest mapped offence weight; issues with no mapped offence blank.

    Raises
    ------
    InputError
        A mapping without ``offence`` and ``issue`` columns, a mapped offence missing from the weights, an
        unknown issue, or a share that is blank, negative or not a number.

    Notes
    -----
    Save the result with ``to_csv(..., index=False)`` and name it in county.toml (``[harm] table`` or
    ``[harm] alternative``) to use it in the scores or the sensitivity table.
    """
    if isinstance(mapping, pd.DataFrame):
        mpath, m = Path("mapping"), check_table(mapping.astype("str").where(mapping.notna()), MAPPING_SCHEMA,
                                                "mapping", issues=ISSUES)
    else:
        mpath = Path(mapping)
        m = read_table(mpath, MAPPING_SCHEMA, issues=ISSUES)
    given_shares = m["share"].notna().any()
    m["share"] = m["share"].fillna(1.0)  # no share column: every mapped offence counts equally
    w = offence_weights.drop_duplicates("offence").set_index("offence")["weight"]
    missing = ~m["offence"].isin(w.index)
    if missing.any():
        raise InputError(f"offence {m['offence'][missing].iloc[0]!r} is not in the weights table", file=mpath,
                         where=f"row {int(np.argmax(missing.to_numpy())) + 2}, column 'offence'",
                         expected="an offence name exactly as in the weights workbook")
    m["weight"] = m["offence"].map(w)
    m["wx"] = m["weight"] * m["share"]
    g = m.groupby("issue")
    out = pd.DataFrame({
        "weight": g["wx"].sum() / g["share"].sum().where(g["share"].sum() > 0),
        "weight_low": g["weight"].min(),
        "weight_high": g["weight"].max(),
    }).reindex(list(ISSUES))
    out.index.name = "issue"
    out = out.reset_index()
    unit = offence_weights["unit"].iloc[0] if "unit" in offence_weights and len(offence_weights) else ""
    out["unit"] = unit
    out["basis"] = "share-weighted mean of mapped offences" if given_shares else "plain mean of mapped offences"
    out["status"] = "user"
    out["source"] = str(offence_weights["source"].iloc[0]) if "source" in offence_weights else ""
    return out[list(HARM_COLUMNS)]


# ------------------------------------------------------------------------------------------------
# Sensitivity


def ranking_sensitivity(county_counts: pd.DataFrame, weights: pd.DataFrame,
                        alternative: pd.DataFrame | None = None,
                        alternative_name: str = "alternative") -> pd.DataFrame:
    """How the county's harm ranking of issues changes under other weightings.

    Parameters
    ----------
    county_counts : DataFrame
        ``issue``, ``count`` (county total for the quarter).
    weights : DataFrame
        The harm table in use (with ``weight``, ``weight_low``, ``weight_high``).
    alternative : DataFrame, optional
        A second harm table (for example the ONS CSS rolled up to issues).

    Returns
    -------
    DataFrame
        One row per issue: ``issue``, ``count``, and for each scheme (``default``, ``range_low``,
        ``range_high``, ``equal_weights`` = count only, and the alternative when given) the harm score and
        rank (1 = most harm); ``max_rank_change`` (largest absolute change from the default rank). Issues
        without a weight in a scheme are ranked last (and their score is blank).
    """
    w = weights.set_index("issue")
    c = county_counts[["issue", "count"]].copy()
    c["issue"] = c["issue"].astype("str")
    schemes = {
        "default": c["issue"].map(w["weight"]),
        "range_low": c["issue"].map(w["weight_low"]),
        "range_high": c["issue"].map(w["weight_high"]),
        "equal_weights": pd.Series(1.0, index=c.index),
    }
    if alternative is not None:
        schemes[alternative_name] = c["issue"].map(alternative.set_index("issue")["weight"])
    out = c.copy()
    for name, weight in schemes.items():
        score = c["count"] * weight.astype("float64")
        out[f"harm_{name}"] = score
        order = pd.DataFrame({"s": score.fillna(-1.0), "issue": c["issue"]}).sort_values(
            ["s", "issue"], ascending=[False, True])
        out[f"rank_{name}"] = pd.Series(np.arange(1, len(c) + 1), index=order.index).reindex(c.index)
    rank_cols = [f"rank_{n}" for n in schemes if n != "default"]
    out["max_rank_change"] = out[rank_cols].sub(out["rank_default"], axis=0).abs().max(axis=1)
    return out.sort_values("rank_default", ignore_index=True)
