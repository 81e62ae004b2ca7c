"""The county description (``county.toml``) and the project's paths: configuration lives here only.

``read_county(data_dir)`` reads ``DIR/county.toml`` strictly (an unknown key is an error that names it),
merges populations and funding given in the TOML with the optional ``population.csv`` and
``funding.csv|.xlsx`` tables, reconciles every district name through the declared aliases (never by
guessing), and returns a frozen :class:`County`.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
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


# --------------------------------------------------------------------------------------------------
# Configuration records


@dataclass(frozen=True)
class District:
    """One district CSP: its official name (as in police.uk LSOA names and ONS tables)."""

    name: str
    population: int
    aliases: tuple[str, ...] = ()
    funding_gbp: float | None = None


@dataclass(frozen=True)
class ScoringWeights:
    """Weights of the priority-score components (any non-negative numbers; they are normalised to sum 1)."""

    volume: float = 0.30
    trend: float = 0.15
    harm: float = 0.30
    cost: float = 0.10
    prevalence: float = 0.15


@dataclass(frozen=True)
class DeliveryRules:
    """Thresholds of the delivery-level rules (design.md section 4).

    Attributes
    ----------
    low_volume_count : int
        A district "has low volume" of an issue when its quarterly count is below this.
    most_districts_share : float
        "Most districts" means at least this share of the county's districts (0-1).
    high_harm_weight : float
        An issue is "high harm" when its harm weight per offence is at least this (weight units).
    meaningful_county_count : int
        A county quarterly total at or above this is "meaningful" even when every district is low.
    priority_top_n : int
        An issue is "a priority" in a district when its district priority rank is at most this.
    """

    low_volume_count: int = 20
    most_districts_share: float = field(default=0.5, metadata={"above": 0, "maximum": 1})
    high_harm_weight: float = 100.0
    meaningful_county_count: int = 200
    priority_top_n: int = field(default=5, metadata={"minimum": 1})


@dataclass(frozen=True)
class Disclosure:
    """Optional small-number rule for published outputs (never for calculations). Off when min_count 0."""

    min_count: int = field(default=0, metadata={"maximum": 1000})
    method: str = "suppress"  # "suppress" or "round"


@dataclass(frozen=True)
class FundingInfo:
    """What the funding figures are and which pot scenarios to show."""

    label: str = "community safety allocation"
    source: str = ""
    pot_gbp: float | None = field(default=None, metadata={"maximum": MAX_GBP})  # pot shared among districts
    cut_scenarios_pct: tuple[float, ...] = field(default=(), metadata={"maximum": 100})
    need_basis: str = "incidents"  # "incidents", "harm" or "cost"


@dataclass(frozen=True)
class County:
    """A county (or force area) and its districts, as read from ``county.toml``.

    Attributes
    ----------
    name : str
        The county named in the reports.
    toml_path : Path
        The ``county.toml`` read.
    police_uk : Path
        Folder or ``.zip`` of police.uk downloads.
    districts : tuple of District
        In the order of the TOML file; populations and funding already merged from any tables.
    funding_file, population_file : Path or None
        The optional district tables that were read.
    harm_table, harm_alternative, cost_table : Path or None
        User reference tables replacing the shipped defaults (see :mod:`csa_analysis.method.harm`).
    morile : dict
        Optional MoRiLE-style scales (``[morile]`` table), passed through unchanged.
    partnerships_file : Path or None
        Optional partnership register (``partnerships = "..."``, or partnerships.csv/.xlsx beside the TOML).
    """

    name: str
    toml_path: Path
    police_uk: Path
    districts: tuple[District, ...]
    population_file: Path | None = None
    funding_file: Path | None = None
    scoring: ScoringWeights = field(default_factory=ScoringWeights)
    delivery: DeliveryRules = field(default_factory=DeliveryRules)
    disclosure: Disclosure = field(default_factory=Disclosure)
    funding_info: FundingInfo = field(default_factory=FundingInfo)
    harm_table: Path | None = None
    harm_alternative: Path | None = None
    cost_table: Path | None = None
    morile: dict[str, Any] = field(default_factory=dict)
    partnerships_file: Path | None = None

    @property
    def data_dir(self) -> Path:
        return self.toml_path.parent

    @property
    def district_names(self) -> list[str]:
        """Official district names in configuration order."""
        return [d.name for d in self.districts]

    def name_map(self) -> dict[str, str]:
        """Normalised official name or alias -> official name."""
        out: dict[str, str] = {}
        for d in self.districts:
            for n in (d.name, *d.aliases):
                out[normalise_name(n)] = d.name
        return out

    def populations(self) -> pd.Series:
        """Residents per district (int64), indexed by official name."""
        return pd.Series(
            {d.name: d.population for d in self.districts}, dtype="int64", name="population"
        ).rename_axis("district")

    def funding(self) -> pd.Series:
        """Funding in pounds per district (float64, NaN where none was given)."""
        return pd.Series(
            {d.name: d.funding_gbp for d in self.districts}, dtype="float64", name="funding_gbp"
        ).rename_axis("district")

    def has_funding(self) -> bool:
        return any(d.funding_gbp is not None for d in self.districts)

    def input_files(self) -> list[Path]:
        """Every file this county description reads besides the police.uk downloads: county.toml first."""
        files = [self.toml_path, self.population_file, self.funding_file, self.partnerships_file,
                 self.harm_table, self.harm_alternative, self.cost_table]
        return [p for p in files if p is not None]


# --------------------------------------------------------------------------------------------------
# Strict TOML reading

_TOP_KEYS = {
    "name", "police_uk", "population", "funding", "districts", "scoring", "delivery", "disclosure",
    "funding_info", "harm", "costs", "morile", "partnerships",
}
_DISTRICT_KEYS = {"name", "population", "aliases", "funding_gbp"}
_HARM_KEYS = {"table", "alternative"}
_COST_KEYS = {"table"}


def _check_keys(table: dict, allowed: set[str], file: Path, where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise InputError(
            f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}",
            file=file,
            where=where,
            expected=f"only {', '.join(sorted(allowed))}",
        )


def _bounds_text(above: float | None, minimum: float | None, maximum: float | None) -> str:
    """``"from 0 to 366"``, ``"of 0 or more"``, ``"above 0"``... for messages."""
    def show(x: float) -> str:
        return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"

    low = f"above {show(above)}" if above is not None else (f"of {show(minimum)} or more"
                                                            if minimum is not None else "")
    if maximum is None:
        return low
    if minimum is not None and above is None:
        return f"from {show(minimum)} to {show(maximum)}"
    return f"{low} and at most {show(maximum)}" if low else f"of at most {show(maximum)}"


def _number(value: Any, file: Path | str, where: str, *, integer: bool = False, above: float | None = None,
            minimum: float | None = None, maximum: float | None = None) -> float:
    """A finite number within bounds from a TOML value or a parsed cell; InputError naming ``where`` otherwise.

    Examples
    --------
    >>> _number(3, "county.toml", "[delivery] priority_top_n", integer=True, minimum=1)
    3
    >>> _number(float("inf"), "county.toml", "[scoring] harm", minimum=0)
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
                         expected=f"{kind} {_bounds_text(above, minimum, maximum)}".strip())
    return int(value) if integer else float(value)


def _dataclass_from(cls: type, table: Any, file: Path, where: str) -> Any:
    """A settings dataclass from a TOML table: keys checked, each value typed and bounded by its field's
    ``metadata`` (``above``, ``maximum``; every number is finite and at least 0 unless ``above`` says)."""
    if not isinstance(table, dict):
        raise InputError("is not a table", file=file, where=where, expected=f"a [{where}] table")
    defaults = cls()
    fields = cls.__dataclass_fields__
    _check_keys(table, set(fields), file, f"[{where}]")
    values = {}
    for key, value in table.items():
        default = getattr(defaults, key)
        at = f"[{where}] {key}"
        meta = fields[key].metadata
        bounds = {"maximum": meta.get("maximum", MAX_SETTING)}
        bounds |= {"above": meta["above"]} if "above" in meta else {"minimum": meta.get("minimum", 0)}
        if isinstance(default, str):
            if not isinstance(value, str):
                raise InputError(f"{value!r} is not text", file=file, where=at, expected="a string")
            values[key] = value
        elif isinstance(default, tuple):
            if not isinstance(value, list):
                raise InputError(f"{value!r} is not a list", file=file, where=at,
                                 expected="a list of numbers")
            values[key] = tuple(_number(v, file, at, **bounds) for v in value)
        else:
            values[key] = _number(value, file, at, integer=isinstance(default, int), **bounds)
    return cls(**values)


def _resolve_path(base: Path, value: Any, file: Path, where: str) -> Path:
    if not isinstance(value, str) or not value:
        raise InputError(f"{value!r} is not a path", file=file, where=where,
                         expected="a file or folder path, relative to county.toml")
    p = Path(value)
    return p if p.is_absolute() else base / p


def read_county(data_dir: str | Path) -> County:
    """Read ``DIR/county.toml`` and the optional district tables beside it.

    Parameters
    ----------
    data_dir : str or Path
        The data folder (``--data DIR``) holding ``county.toml``; or the path of a TOML file itself.

    Returns
    -------
    County
        Validated configuration with populations (residents) and funding (pounds) merged.

    Raises
    ------
    InputError
        Unknown keys, a district listed twice, an alias that collides with another district, a
        non-positive population, a population or funding row naming no district, funding given twice.
    """
    data_dir = Path(data_dir)
    toml_path = data_dir if data_dir.suffix == ".toml" else data_dir / "county.toml"
    base = toml_path.parent
    if not toml_path.is_file():
        raise InputError("no county description found", file=toml_path,
                         expected="a county.toml naming the county and its districts "
                         "(see data/raw/leicestershire/county.toml)")
    try:
        raw = tomllib.loads(toml_path.read_text(encoding="utf-8-sig"))  # a BOM from Windows Notepad is fine
    except UnicodeDecodeError as exc:
        raise InputError(f"is not UTF-8 text ({exc.reason} at byte {exc.start})",
                         file=toml_path, expected="a UTF-8 TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"is not valid TOML: {exc}", file=toml_path,
                         expected="TOML syntax, e.g. name = \"Leicestershire\"") from None
    _check_keys(raw, _TOP_KEYS, toml_path, "top level")

    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError("the county has no name", file=toml_path, where="name",
                         expected='name = "<county or force area>"')
    police_uk = _resolve_path(base, raw.get("police_uk", "police_uk"), toml_path, "police_uk")

    districts_raw = raw.get("districts")
    if not isinstance(districts_raw, list) or not districts_raw:
        raise InputError("no districts are listed", file=toml_path, where="[[districts]]",
                         expected="one [[districts]] table per district CSP")

    seen: dict[str, str] = {}
    partial: list[dict[str, Any]] = []
    for i, d in enumerate(districts_raw, start=1):
        where = f"[[districts]] number {i}"
        if not isinstance(d, dict):
            raise InputError("is not a table", file=toml_path, where=where,
                             expected="name = ..., population = ...")
        dname = d.get("name")
        if isinstance(dname, str) and dname.strip():
            where = f"[[districts]] {dname.strip()!r}"
        _check_keys(d, _DISTRICT_KEYS, toml_path, where)
        if not isinstance(dname, str) or not dname.strip():
            raise InputError("has no name", file=toml_path, where=where,
                             expected="the official district name, e.g. name = \"Charnwood\"")
        dname = re.sub(r"\s+", " ", dname).strip()
        where = f"[[districts]] {dname!r}"
        aliases = d.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip()
                                                    for a in aliases):
            raise InputError(f"aliases {aliases!r} are not a list of names", file=toml_path,
                             where=where, expected='aliases = ["Other spelling", ...]')
        for n in (dname, *aliases):
            key = normalise_name(n)
            if key in seen:
                what = "listed twice" if seen[key] == dname or n == dname else "used twice"
                raise InputError(
                    f"the name {n!r} is {what}: it already stands for district {seen[key]!r}",
                    file=toml_path, where=where,
                    expected="each district once, and every alias naming one district only",
                )
            seen[key] = dname
        pop = d.get("population")
        if pop is not None:
            pop = _number(pop, toml_path, f"{where} population", integer=True, minimum=MIN_POPULATION,
                          maximum=MAX_POPULATION)
        fund = d.get("funding_gbp")
        if fund is not None:
            fund = _number(fund, toml_path, f"{where} funding_gbp", minimum=0, maximum=MAX_GBP)
        partial.append({"name": dname, "population": pop, "aliases": tuple(aliases),
                        "funding_gbp": fund})

    name_map = {k: v for k, v in seen.items()}

    # Population table: explicit path, or population.csv beside the TOML.
    pop_file = _optional_table(base, raw.get("population"), "population", toml_path)
    if pop_file is not None:
        pops = read_district_table(pop_file, "population", name_map, integer=True, minimum=MIN_POPULATION,
                                   maximum=MAX_POPULATION, expected="a whole number of residents")
        for d in partial:
            if d["name"] in pops:
                if d["population"] is not None and d["population"] != pops[d["name"]]:
                    raise InputError(
                        f"population of {d['name']!r} is {d['population']:,} in {toml_path.name} "
                        f"but {pops[d['name']]:,} in {pop_file.name}",
                        file=pop_file, where=f"district {d['name']!r}",
                        expected="the population given in one place only, or the same in both",
                    )
                d["population"] = pops[d["name"]]
    missing = [d["name"] for d in partial if d["population"] is None]
    if missing:
        raise InputError(
            f"no population for {', '.join(missing)}", file=toml_path, where="[[districts]]",
            expected="population = <residents> for every district, or a population.csv with "
            "columns district, population",
        )

    fund_file = _optional_table(base, raw.get("funding"), "funding", toml_path)
    if fund_file is not None:
        in_toml = [d["name"] for d in partial if d["funding_gbp"] is not None]
        if in_toml:
            raise InputError(
                f"funding is given both in {toml_path.name} (funding_gbp for "
                f"{', '.join(in_toml)}) and in {fund_file.name}",
                file=fund_file, expected="funding in one place only",
            )
        funds = read_district_table(fund_file, "allocation_gbp", name_map, maximum=MAX_GBP,
                                   expected="pounds, e.g. 22380 or 22,380.50")
        for d in partial:
            d["funding_gbp"] = funds.get(d["name"])

    def section(key: str, cls: type) -> Any:
        return _dataclass_from(cls, raw[key], toml_path, key) if key in raw else cls()

    disclosure = section("disclosure", Disclosure)
    if disclosure.method not in ("suppress", "round"):
        raise InputError(f"method {disclosure.method!r} is unknown", file=toml_path,
                         where="[disclosure] method", expected='"suppress" or "round"')
    funding_info = section("funding_info", FundingInfo)
    if funding_info.need_basis not in ("incidents", "harm", "cost"):
        raise InputError(f"need_basis {funding_info.need_basis!r} is unknown", file=toml_path,
                         where="[funding_info] need_basis", expected='"incidents", "harm" or "cost"')
    delivery = section("delivery", DeliveryRules)
    if not 0 < delivery.most_districts_share <= 1:
        raise InputError(f"most_districts_share {delivery.most_districts_share} is out of range",
                         file=toml_path, where="[delivery] most_districts_share",
                         expected="a share above 0 and at most 1")
    scoring = section("scoring", ScoringWeights)
    if sum(vars(scoring).values()) <= 0:
        raise InputError("all scoring weights are 0", file=toml_path, where="[scoring]",
                         expected="at least one weight above 0")

    harm = raw.get("harm", {})
    if not isinstance(harm, dict):
        raise InputError("is not a table", file=toml_path, where="harm", expected="[harm]")
    _check_keys(harm, _HARM_KEYS, toml_path, "[harm]")
    costs = raw.get("costs", {})
    if not isinstance(costs, dict):
        raise InputError("is not a table", file=toml_path, where="costs", expected="[costs]")
    _check_keys(costs, _COST_KEYS, toml_path, "[costs]")
    morile = raw.get("morile", {})
    if not isinstance(morile, dict):
        raise InputError("is not a table", file=toml_path, where="morile", expected="[morile]")

    def ref_path(table: dict, key: str, where: str) -> Path | None:
        if key not in table:
            return None
        p = _resolve_path(base, table[key], toml_path, where)
        if not p.is_file():
            raise InputError("file not found", file=p, where=f"{toml_path.name} {where}",
                             expected="an existing reference table")
        return p

    return County(
        name=name.strip(),
        toml_path=toml_path,
        police_uk=police_uk,
        districts=tuple(District(**d) for d in partial),
        population_file=pop_file,
        funding_file=fund_file,
        scoring=scoring,
        delivery=delivery,
        disclosure=disclosure,
        funding_info=funding_info,
        harm_table=ref_path(harm, "table", "[harm] table"),
        harm_alternative=ref_path(harm, "alternative", "[harm] alternative"),
        cost_table=ref_path(costs, "table", "[costs] table"),
        morile=dict(morile),
        partnerships_file=_optional_table(base, raw.get("partnerships"), "partnerships", toml_path),
    )


def _optional_table(base: Path, value: Any, stem: str, toml_path: Path) -> Path | None:
    """An explicitly named table (must exist), else ``<stem>.csv`` or ``.xlsx`` beside the TOML."""
    if value is not None:
        p = _resolve_path(base, value, toml_path, stem)
        if not p.is_file():
            raise InputError("file not found", file=p, where=f"{toml_path.name} {stem}",
                             expected=f"the {stem} table named in county.toml")
        return p
    found = [base / f"{stem}{ext}" for ext in (".csv", ".xlsx") if (base / f"{stem}{ext}").is_file()]
    if len(found) > 1:
        raise InputError(f"both {found[0].name} and {found[1].name} exist", file=base,
                         expected=f"one {stem} table")
    return found[0] if found else None


def read_input_table(path: Path, what: str) -> pd.DataFrame:
    """Read a user's ``.csv`` (UTF-8, an Excel BOM accepted) or ``.xlsx`` table as text, header stripped.

    Blank lines are kept, so a frame row ``i`` is spreadsheet row ``i + 2`` (header = row 1).

    Raises
    ------
    InputError
        Unsupported type, missing file, not UTF-8, or unreadable; ``what`` names the table expected.
    """
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


#: A number as people type it in a table: optional sign and pound sign, comma thousands, a decimal point.
_PLAIN_NUMBER = re.compile(r"[-+]?£?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?")
#: A number written with a decimal comma ("22.380,50", "22,5"): refused, never read as something else.
_DECIMAL_COMMA = re.compile(r"[-+]?£?(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d{1,2}|\d+,\d{4,})")


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
    if text is None or (not isinstance(text, str) and pd.isna(text)) or not str(text).strip():
        raise ValueError("is blank")
    raw = str(text).strip()
    if _PLAIN_NUMBER.fullmatch(raw):
        return float(raw.replace(",", "").replace("£", ""))
    if _DECIMAL_COMMA.fullmatch(raw):
        raise ValueError(f"{raw!r} uses a decimal comma")
    raise ValueError(f"{raw!r} is not a number")


def number_cell(value: object, file: Path | str, where: str, expected: str, *, integer: bool = False,
                minimum: float | None = 0, maximum: float | None = None, above: float | None = None) -> float:
    """:func:`parse_number` and the bounds of :func:`_number`, with an InputError naming the cell."""
    try:
        num = parse_number(value)
    except ValueError as exc:
        raise InputError(str(exc), file=file, where=where, expected=expected) from None
    minimum = None if above is not None else minimum
    try:
        return _number(int(num) if integer and num.is_integer() else num, file, where, integer=integer,
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
                         expected=f"{expected} {_bounds_text(above, minimum, maximum)}".strip()) from None


def read_district_table(
    path: Path,
    value_column: str,
    name_map: dict[str, str],
    *,
    integer: bool = False,
    minimum: float = 0,
    maximum: float | None = None,
    expected: str = "a number",
) -> dict[str, float]:
    """Read a two-column district table (``.csv`` or ``.xlsx``) and reconcile its names.

    Parameters
    ----------
    path : Path
        ``.csv`` (UTF-8) or ``.xlsx`` (first sheet, read with openpyxl) with a header row holding
        ``district`` and ``value_column``.
    value_column : str
        ``population`` (residents) or ``allocation_gbp`` (pounds).
    name_map : dict
        Normalised official name or alias -> official name.
    integer, minimum, maximum : optional
        Whether values must be whole numbers, and their bounds (see :func:`number_cell`).
    expected : str
        What a value should look like, for messages ("a whole number of residents").

    Returns
    -------
    dict
        Official district name -> value.

    Raises
    ------
    InputError
        Missing columns, a value that is not a valid number, a name that matches no district or alias,
        or a district given twice. Messages give the file, the row (spreadsheet numbering, header = 1)
        and what was expected.
    """
    table = read_input_table(path, "table")
    for col in ("district", value_column):
        if col not in table.columns:
            raise InputError(f"has no column {col!r} (columns found: {', '.join(table.columns)})",
                             file=path, where="header row",
                             expected=f"columns district, {value_column}")
    out: dict[str, float] = {}
    row_of: dict[str, int] = {}
    known = sorted(set(name_map.values()))
    for i, (dname, value) in enumerate(zip(table["district"], table[value_column], strict=True)):
        row = i + 2
        if pd.isna(dname) and pd.isna(value):
            continue
        if pd.isna(dname):
            raise InputError("district is blank", file=path, where=f"row {row}, column 'district'",
                             expected=f"one of {', '.join(known)}, or an alias declared for one of them")
        official = name_map.get(normalise_name(dname))
        if official is None:
            raise InputError(
                f"district {dname!r} matches no district or alias in county.toml",
                file=path, where=f"row {row}, column 'district'",
                expected=f"one of {', '.join(known)}, or an alias declared for one of them",
            )
        if official in out:
            raise InputError(
                f"district {official!r} is given twice (rows {row_of[official]} and {row})",
                file=path, where=f"row {row}", expected="one row per district",
            )
        out[official] = number_cell(value, path, f"row {row}, column {value_column!r}", expected, integer=integer,
                                    minimum=minimum, maximum=maximum)
        row_of[official] = row
    return out
