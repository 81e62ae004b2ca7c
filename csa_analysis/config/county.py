"""The county description (``county.toml``) and the project's paths: configuration lives here only.

``read_county(data_dir)`` reads ``DIR/county.toml`` strictly (an unknown key is an error that names it),
merges populations and funding given in the TOML with the optional ``population.csv`` and
``funding.csv|.xlsx`` tables, reconciles every district name through the declared aliases (never by
guessing), and returns a frozen :class:`County`.

Populations, one rule
---------------------
Each district's residents come from one of:

* ``population = 113136`` in its ``[[districts]]`` table;
* a district table: ``population = "file.csv"`` at the top level, or ``population.csv|.xlsx`` beside the TOML,
  with columns ``district, population`` (names or aliases);
* the **ONS mid-year estimates workbook as published** (``mye23tablesew.xlsx``, or the older ``.xls``
  layout): named by ``[population] ons_workbook = "..."``, or given as the district table above when the file
  turns out to be one (a workbook with a ``MYE2 - Persons`` sheet). A district is found in the workbook's
  district rows by its ``code`` when it gives one, else by its name, else by its aliases; the estimate's year is
  read from the sheet title and kept (:attr:`County.population_year`) for the methodology annex.

A district given a figure in the TOML and in a table or workbook must agree (or it is refused), and two
sources of populations (``[population] ons_workbook`` and a ``population.csv`` beside it) are refused: nothing
is chosen silently.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from csa_analysis.config.population import (
    PERSONS_SHEET,
    district_level,
    is_mid_year_workbook,
    lookup_populations,
    mid_year_estimates,
)
from csa_analysis.config.tables import (
    MAX_GBP,
    MAX_POPULATION,
    MAX_SETTING,
    MIN_POPULATION,
    check_number,
    read_district_table,
)
from csa_analysis.domain.names import normalise_name
from csa_analysis.errors import InputError
from csa_analysis.paths import REFERENCE_DIR

# --------------------------------------------------------------------------------------------------
# Configuration records


@dataclass(frozen=True)
class District:
    """One district CSP.

    Attributes
    ----------
    name : str
        Its official ONS name in some lookup vintage ("Harrogate", "North Yorkshire"), or any name when
        ``code`` is given and that name is one of the code's names.
    population : int
        Residents (ONS mid-year estimate).
    aliases : tuple of str
        Other spellings found in inputs (funding and population tables, LSOA names of the name fallback).
    funding_gbp : float or None
        This period's allocation in pounds.
    code : str or None
        Its ONS district code (``E06000065``), which then decides placement; upper-cased.
    """

    name: str
    population: int
    aliases: tuple[str, ...] = ()
    funding_gbp: float | None = None
    code: str | None = None


@dataclass(frozen=True)
class ScoringWeights:
    """Weights of the priority-score components (any non-negative numbers; they are normalised to sum 1).

    The default weights are a local judgement with no published source, for the county to set in ``[scoring]``.
    ``min_coverage``: a component enters the scores only when it is known for at least this share of the
    issues ranked (0-1, default 0.5); a unit cost known for 2 of 14 issues cannot rank them, so it is shown
    but not scored.
    """

    volume: float = 0.30
    trend: float = 0.15
    harm: float = 0.30
    cost: float = 0.10
    prevalence: float = 0.15
    concern: float = 0.15
    min_coverage: float = field(default=0.5, metadata={"maximum": 1})

    @property
    def components(self) -> dict[str, float]:
        """The six weights by component (``min_coverage`` is not one); ``concern`` (community concern from a
        residents' survey) counts only where ``consultation.csv`` gives it."""
        return {c: getattr(self, c) for c in ("volume", "trend", "harm", "cost", "prevalence", "concern")}


@dataclass(frozen=True)
class WhereWhenSettings:
    """``[where_and_when]``: the hotspot and density-map settings (:mod:`csa_analysis.method.where_when`).
    Every default is a local judgement the county should set; the annex says so.

    Attributes
    ----------
    top : int
        Places kept per district x issue and place type in ``hotspots`` (10).
    cell_km : float
        Side of a density-map cell, km (1 km).
    min_count, min_points : int
        A density cell is shown only with at least ``min_count`` incidents (3) at at least ``min_points``
        distinct map points (2), so no single anonymised map point appears as a hotspot.
    """

    top: int = field(default=10, metadata={"minimum": 1, "maximum": 1000})
    cell_km: float = field(default=1.0, metadata={"above": 0, "maximum": 100})
    min_count: int = field(default=3, metadata={"minimum": 1, "maximum": 1000})
    min_points: int = field(default=2, metadata={"minimum": 1, "maximum": 1000})


@dataclass(frozen=True)
class DeliveryRules:
    """Thresholds of the delivery-level rules (design.md section 4; :mod:`csa_analysis.method.delivery`).

    Every default is a local judgement the county should set in ``[delivery]``, except ``most_districts_share``
    (design.md: "most" is a strict majority) and ``fdr_q`` (the conventional 5% false-discovery rate of
    Benjamini and Hochberg, 1995). The methodology annex says which were set in county.toml.

    Attributes
    ----------
    low_volume_count : int
        A district "has low volume" of an issue when its quarterly count is below this (incidents a quarter).
    most_districts_share : float
        "Most districts" means more than this share of the county's districts (0.5: a strict majority).
    high_harm_weight : float
        An issue is "high harm" when its harm weight per offence is at least this (weight units).
    meaningful_county_count : int
        A county quarterly total at or above this is "meaningful" even when every district is low.
    service_min_count : int
        "Enough cases in the county for one service": a county-wide service needs at least this many incidents
        a quarter across the county.
    concentration_share : float
        An issue is "concentrated" in its top district (and that district's to lead) when the district holds
        more than this share of the county count.
    shared_pattern_districts : int
        "Several districts": a pattern shared by at least this many districts (a rise beyond random variation,
        or a rate beyond the county's upper 99.8% control limit) makes a high-volume issue county-coordinated.
    overdispersion : bool
        Widen the funnel-plot control limits for the usual variation between districts when the districts vary
        more than Poisson chance allows (Spiegelhalter 2005; :func:`csa_analysis.method.prevalence.overdispersion`).
        True by default; false keeps the Poisson limits for every issue.
    fdr_q : float
        The false-discovery rate at which the quarter's change tests are controlled (Benjamini-Hochberg).
    priority_top_n : int
        How many of an area's issues are its "top priorities" on the pages.
    """

    low_volume_count: int = 20
    most_districts_share: float = field(default=0.5, metadata={"minimum": 0, "maximum": 1})
    high_harm_weight: float = 100.0
    meaningful_county_count: int = 200
    service_min_count: int = 20
    concentration_share: float = field(default=0.5, metadata={"above": 0, "maximum": 1})
    shared_pattern_districts: int = field(default=2, metadata={"minimum": 1})
    overdispersion: bool = True
    fdr_q: float = field(default=0.05, metadata={"above": 0, "maximum": 1})
    priority_top_n: int = field(default=5, metadata={"minimum": 1})


@dataclass(frozen=True)
class Disclosure:
    """Optional small-number rule for published outputs (never for calculations). Off when min_count 0."""

    min_count: int = field(default=0, metadata={"maximum": 1000})
    method: str = "suppress"  # "suppress" or "round"


@dataclass(frozen=True)
class FundingInfo:
    """What the funding figures are, the period they cover, and which pot scenarios to show (``[funding]``).

    Attributes
    ----------
    label, source : str
        What the allocations are, and the document they come from.
    period_months : int or None
        Months the allocations cover (6 for April to September); None when not stated, then they are treated
        as a year's, and the pack says so. ``period_start`` and ``period_end`` (``YYYY-MM``) may be given instead.
    period_start, period_end : str
        The first and last month the allocations cover, when given.
    pot_gbp : float or None
        The pot shared among the districts (pounds); default the sum of their allocations.
    county_wide_gbp : float or None
        Funding held at county level in the same period (pounds), shown beside the district shares.
    published_total_gbp : float or None
        The source's own total of the district allocations (reconciled with their sum in the pack).
    cut_pct : float or None
        A cut (percent) the source applied; ``figures_are`` says whether the allocations are "before the cut"
        or "after the cut".
    figures_are : str
        ``"after the cut"``, ``"before the cut"`` or blank (no cut applied).
    cut_scenarios_pct : tuple of float
        Further cuts to model (percent of the pot).
    need_basis : str
        ``incidents`` (every incident counts one), ``harm`` (harm-weighted) or ``cost``.
    """

    label: str = "community safety allocation"
    source: str = ""
    period_months: int | None = field(default=None, metadata={"minimum": 1, "maximum": 120})
    period_start: str = ""
    period_end: str = ""
    pot_gbp: float | None = field(default=None, metadata={"maximum": MAX_GBP})
    county_wide_gbp: float | None = field(default=None, metadata={"maximum": MAX_GBP})
    published_total_gbp: float | None = field(default=None, metadata={"maximum": MAX_GBP})
    cut_pct: float | None = field(default=None, metadata={"maximum": 100})
    figures_are: str = ""
    cut_scenarios_pct: tuple[float, ...] = field(default=(), metadata={"maximum": 100})
    need_basis: str = "incidents"

    def months_between(self) -> int | None:
        """Months from ``period_start`` to ``period_end`` inclusive (None when they are not given)."""
        if not (self.period_start and self.period_end):
            return None
        (y0, m0), (y1, m1) = (map(int, p.split("-")) for p in (self.period_start, self.period_end))
        return (y1 - y0) * 12 + (m1 - m0) + 1

    @property
    def months(self) -> int:
        """Months the allocations cover (12 when not stated)."""
        return self.period_months or self.months_between() or 12

    @property
    def period_stated(self) -> bool:
        return bool(self.period_months or self.months_between())

    @property
    def period_text(self) -> str:
        """The funding period in words, e.g. "April to September 2011 (6 months)"."""
        if self.period_start and self.period_end:
            first = pd.Timestamp(self.period_start + "-01").strftime("%B %Y")
            last = pd.Timestamp(self.period_end + "-01").strftime("%B %Y")
            if first[-4:] == last[-4:]:
                first = first[:-5]
            return f"{first} to {last} ({self.months} months)"
        if self.period_months:
            return f"{self.period_months} months"
        return "a year (no period stated in county.toml)"


@dataclass(frozen=True)
class IssueSettings:
    """What the county declares about one issue (``[[issues]]``): the escalation protocol's criteria (b) and (d).

    Attributes
    ----------
    name : str
        A police.uk issue, or the name of a local issue (partner or force data counted in ``DIR/local/*.csv``).
    county_mechanism : str
        A county-level delivery mechanism that already exists for the issue (criterion b), e.g. a drug action
        team or a substance misuse board, with its source; blank when none.
    county_funding : str
        A county-level funding opportunity for the issue (criterion d), with its source; blank when none.
    source : str
        Local issues only (required for them): where the counts come from ("SARC referrals by home district").
    description : str
        Local issues only: what is counted, in a sentence (optional).
    harm_weight : float or None
        Local issues only: harm per incident, in the unit of the harm table in use (CCHI days by default);
        ``harm_source`` must say where it comes from. None: no weight (harm unknown, never 0).
    unit_cost_gbp : float or None
        Local issues only: pounds per incident, with ``cost_source`` (required) and ``price_year``.
    illustrative : bool
        Local issues only: the counts are invented or illustrative; every page, chart and sheet that shows the
        issue carries a visible banner.
    """

    name: str
    county_mechanism: str = ""
    county_funding: str = ""
    source: str = ""
    description: str = ""
    harm_weight: float | None = None
    harm_source: str = ""
    unit_cost_gbp: float | None = None
    cost_source: str = ""
    price_year: str = ""
    illustrative: bool = False

    @property
    def local(self) -> bool:
        """A local issue (partner or force data, ``DIR/local/*.csv``), not one of the 14 police.uk types."""
        from csa_analysis.domain.issues import ISSUES

        return self.name not in ISSUES


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
        Optional partnership register (``partnerships = "..."`` or ``[partnerships] table = "..."``, or
        partnerships.csv/.xlsx beside the TOML).
    partnerships_illustrative : bool
        The register is invented or illustrative (``[partnerships] illustrative = true``): every page, chart
        and sheet that uses it carries a visible banner.
    issues : tuple of IssueSettings
        What ``[[issues]]`` declares per issue (county mechanisms and funding opportunities).
    settings_given : frozenset of str
        The settings sections set in county.toml (``scoring``, ``delivery``, ...): the others are built-in
        defaults, and the annex says so.
    population_year : int or None
        The mid-year of the estimates when populations were read from an ONS workbook (``population_file``).
    population_sheet : str or None
        The workbook sheet they were read from (``MYE2 - Persons``); None for a district table or the TOML.
    local_files : tuple of Path
        ``DIR/local/*.csv`` (or the folder named by ``local = "..."``): monthly counts of the local issues.
    consultation_file : Path or None
        ``DIR/consultation.csv`` (or ``consultation = "..."``): a residents' survey per district and issue.
    consultation_illustrative : bool
        The survey is invented or illustrative (``[consultation] illustrative = true``): banners as above.
    recorded_crime_files : tuple of Path
        The editions of Home Office Table C2 in ``DIR/recorded_crime/`` (or ``[recorded_crime] folder``).
    recorded_crime_population : Path or None
        The ONS mid-year estimates workbook for every district of England and Wales, used for the national
        rates and the peers (``[recorded_crime] ons_workbook``; default the ``[population]`` workbook, else the
        shipped mid-2023 workbook).
    peers_k : int
        How many most similar peers each district is compared with (``[recorded_crime] peers``).
    peer_list : Path or None
        The county's own peers (``[recorded_crime] peer_list``: a table ``district, peer``), replacing the
        computed nearest neighbours, e.g. a most similar group the county holds.
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
    where_and_when: WhereWhenSettings = field(default_factory=WhereWhenSettings)
    harm_table: Path | None = None
    harm_alternative: Path | None = None
    cost_table: Path | None = None
    morile: dict[str, Any] = field(default_factory=dict)
    partnerships_file: Path | None = None
    partnerships_illustrative: bool = False
    issues: tuple[IssueSettings, ...] = ()
    settings_given: frozenset[str] = frozenset()
    population_year: int | None = None
    population_sheet: str | None = None
    local_files: tuple[Path, ...] = ()
    consultation_file: Path | None = None
    consultation_illustrative: bool = False
    recorded_crime_files: tuple[Path, ...] = ()
    recorded_crime_population: Path | None = None
    peers_k: int = 5
    peer_list: Path | None = None

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

    @property
    def local_issues(self) -> tuple[IssueSettings, ...]:
        """The local issues declared in ``[[issues]]`` (partner and force data), in declaration order."""
        return tuple(i for i in self.issues if i.local)

    @property
    def illustrative_issues(self) -> tuple[str, ...]:
        """Names of the local issues marked ``illustrative = true``."""
        return tuple(i.name for i in self.local_issues if i.illustrative)

    def district_keys(self) -> dict[str, str]:
        """Normalised official name, alias or ONS code -> official name (how partner tables name districts).

        A district given without its code in county.toml is also found by the code(s) the packaged ONS lookups
        give its name (any vintage), so a partner table may use codes either way.
        """
        out = self.name_map()
        by_name: dict[str, list[str]] = {}
        for code, name in _district_names().items():
            by_name.setdefault(normalise_name(name), []).append(code)
        for d in self.districts:
            codes = [d.code] if d.code else by_name.get(normalise_name(d.name), [])
            out |= {normalise_name(c): d.name for c in codes}
        return out

    def issue_settings(self, issue: str) -> IssueSettings:
        """What county.toml declares about ``issue`` (empty settings when nothing)."""
        return next((i for i in self.issues if i.name == issue), IssueSettings(issue))
    @property
    def population_source(self) -> str:
        """Where the populations come from, in one phrase for the methodology annex.

        Examples
        --------
        >>> County("Shire", Path("county.toml"), Path("police_uk"), (), population_file=Path("mye23tablesew.xlsx"),
        ...        population_year=2023, population_sheet="MYE2 - Persons").population_source
        "the ONS mid-2023 population estimates, read from mye23tablesew.xlsx (sheet 'MYE2 - Persons')"
        """
        if self.population_sheet is not None and self.population_file is not None:
            year = f"mid-{self.population_year} " if self.population_year else "mid-year "
            return (f"the ONS {year}population estimates, read from {self.population_file.name} "
                    f"(sheet '{self.population_sheet}')")
        if self.population_file is not None:
            return f"the population table {self.population_file.name}"
        return f"the populations given in {self.toml_path.name}"

    def input_files(self) -> list[Path]:
        """Every file this county description reads besides the police.uk downloads: county.toml first."""
        files = [self.toml_path, self.population_file, self.funding_file, self.partnerships_file,
                 self.harm_table, self.harm_alternative, self.cost_table, *self.local_files,
                 self.consultation_file, *self.recorded_crime_files, self.peer_list]
        if self.recorded_crime_files and self.recorded_crime_population not in files:
            files.append(self.recorded_crime_population)
        return [p for p in files if p is not None]


# --------------------------------------------------------------------------------------------------
# Strict TOML reading

_TOP_KEYS = {
    "name", "police_uk", "population", "funding", "districts", "scoring", "delivery", "disclosure",
    "funding_info", "harm", "costs", "morile", "partnerships", "issues", "local", "consultation",
    "recorded_crime", "where_and_when",
}
_RECORDED_CRIME_KEYS = {"folder", "ons_workbook", "peers", "peer_list"}
_DISTRICT_KEYS = {"name", "code", "population", "aliases", "funding_gbp"}
_POPULATION_KEYS = {"ons_workbook"}
#: An ONS district code: a letter and eight digits (E06000065, W06000015).
_DISTRICT_CODE = re.compile(r"^[EW]\d{8}$")
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
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise InputError(f"{value!r} is not true or false", file=file, where=at,
                                 expected="true or false")
            values[key] = value
        elif isinstance(default, str):
            if not isinstance(value, str):
                raise InputError(f"{value!r} is not text", file=file, where=at, expected="a string")
            values[key] = value
        elif isinstance(default, tuple):
            if not isinstance(value, list):
                raise InputError(f"{value!r} is not a list", file=file, where=at,
                                 expected="a list of numbers")
            values[key] = tuple(check_number(v, file, at, **bounds) for v in value)
        else:
            values[key] = check_number(value, file, at, integer=isinstance(default, int), **bounds)
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
        Unknown keys, a district listed twice, an alias that collides with another district, a population
        outside 1,000 to 15,000,000, a population or funding row naming no district, funding given twice, a
        setting that is not a finite number within its bounds: the file and key are named.
    """
    data_dir = Path(data_dir)
    toml_path = data_dir if data_dir.suffix == ".toml" else data_dir / "county.toml"
    raw = _read_toml(toml_path)
    base = toml_path.parent
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError("the county has no name", file=toml_path, where="name",
                         expected='name = "<county or force area>"')
    districts = _read_districts(raw.get("districts"), toml_path)
    name_map = {normalise_name(n): d["name"] for d in districts for n in (d["name"], *d["aliases"])}
    pop_file, pop_year, pop_sheet = _merge_populations(districts, _population_source(raw, base, toml_path),
                                                       name_map, toml_path)
    funding_table, funding_settings = _split_table_setting(raw, "funding", toml_path)
    fund_file = _merge_funding(districts, _optional_table(base, funding_table, "funding", toml_path),
                               name_map, toml_path)
    partnerships_table, partnerships_settings = _split_table_setting(raw, "partnerships", toml_path)
    illustrative = _illustrative_setting(partnerships_settings, "partnerships", toml_path)
    harm = _subtable(raw, "harm", _HARM_KEYS, toml_path)
    costs = _subtable(raw, "costs", _COST_KEYS, toml_path)
    morile = raw.get("morile", {})
    if not isinstance(morile, dict):
        raise InputError("is not a table", file=toml_path, where="morile", expected="[morile]")
    return County(
        name=name.strip(),
        toml_path=toml_path,
        police_uk=_resolve_path(base, raw.get("police_uk", "police_uk"), toml_path, "police_uk"),
        districts=tuple(District(**d) for d in districts),
        population_file=pop_file,
        population_year=pop_year,
        population_sheet=pop_sheet,
        funding_file=fund_file,
        **_settings(raw, funding_settings, toml_path),
        harm_table=_reference(harm, "table", "[harm] table", toml_path),
        harm_alternative=_reference(harm, "alternative", "[harm] alternative", toml_path),
        cost_table=_reference(costs, "table", "[costs] table", toml_path),
        morile=dict(morile),
        partnerships_file=_optional_table(base, partnerships_table, "partnerships", toml_path),
        partnerships_illustrative=illustrative,
        issues=_read_issues(raw.get("issues", []), toml_path),
        **_partner_inputs(raw, base, toml_path, pop_file if pop_sheet is not None else None),
        settings_given=frozenset(k for k in ("scoring", "delivery", "disclosure", "funding_info", "harm", "costs",
                                             "where_and_when") if k in raw)
        | ({"funding_info"} if funding_settings else frozenset()),
    )


def _illustrative_setting(settings: dict[str, Any], section: str, toml_path: Path) -> bool:
    """``[section] illustrative = true|false`` (false when absent); any other key in ``settings`` is refused."""
    _check_keys(settings, {"illustrative"}, toml_path, f"[{section}]")
    value = settings.get("illustrative", False)
    if not isinstance(value, bool):
        raise InputError(f"{value!r} is not true or false", file=toml_path, where=f"[{section}] illustrative",
                         expected="true or false")
    return value


def _split_table_setting(raw: dict[str, Any], key: str, toml_path: Path) -> tuple[Any, dict[str, Any]]:
    """``key = "file"`` or ``[key] table = "file"`` plus settings: the file (or None) and the other settings."""
    value = raw.get(key)
    if isinstance(value, dict):
        settings = dict(value)
        return settings.pop("table", None), settings
    return value, {}


def _partner_inputs(raw: dict[str, Any], base: Path, toml_path: Path, workbook: Path | None) -> dict[str, Any]:
    """The optional partner inputs: ``DIR/local/*.csv``, ``DIR/consultation.csv`` and the Table C2 editions in
    ``DIR/recorded_crime/`` with the ONS workbook their national rates use (see :class:`County`)."""
    local_dir = _resolve_path(base, raw.get("local", "local"), toml_path, "local")
    if "local" in raw and not local_dir.is_dir():
        raise InputError("folder not found", file=local_dir, where=f"{toml_path.name} local",
                         expected="a folder of monthly counts (month, district, issue, count) as .csv files")
    local_files = tuple(sorted(p for p in local_dir.glob("*.csv") if not p.name.startswith((".", "~$")))
                        ) if local_dir.is_dir() else ()
    consultation_table, consultation_settings = _split_table_setting(raw, "consultation", toml_path)
    consultation_illustrative = _illustrative_setting(consultation_settings, "consultation", toml_path)
    consultation = _optional_table(base, consultation_table, "consultation", toml_path)
    rc = _subtable(raw, "recorded_crime", _RECORDED_CRIME_KEYS, toml_path)
    folder = _resolve_path(base, rc.get("folder", "recorded_crime"), toml_path, "[recorded_crime] folder")
    if "folder" in rc and not folder.is_dir():
        raise InputError("folder not found", file=folder, where=f"{toml_path.name} [recorded_crime] folder",
                         expected="a folder holding Home Office Table C2 (.csv or .xlsx) as published")
    files = tuple(sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".xlsx")
                         and not p.name.startswith((".", "~$")))) if folder.is_dir() else ()
    population = _reference(rc, "ons_workbook", "[recorded_crime] ons_workbook", toml_path)
    if population is None and files:
        from csa_analysis.paths import ONS_DATA_DIR

        shipped = ONS_DATA_DIR / "mye23tablesew.xlsx"
        population = workbook or (shipped if shipped.is_file() else None)
        if population is None:
            raise InputError("Table C2 is given but no ONS population workbook for England and Wales",
                             file=toml_path, where="[recorded_crime]",
                             expected='ons_workbook = "mye23tablesew.xlsx" (the ONS mid-year estimates as published)')
    k = check_number(rc.get("peers", 5), toml_path, "[recorded_crime] peers", integer=True, minimum=1, maximum=50)
    peer_list = _reference(rc, "peer_list", "[recorded_crime] peer_list", toml_path)
    return {"local_files": local_files, "consultation_file": consultation, "peer_list": peer_list,
            "consultation_illustrative": consultation_illustrative, "recorded_crime_files": files,
            "recorded_crime_population": population, "peers_k": k}


#: The keys ``[[issues]]`` accepts for a police.uk issue; a local issue also takes :data:`_LOCAL_ISSUE_KEYS`.
_ISSUE_KEYS = {"name", "county_mechanism", "county_funding"}
_LOCAL_ISSUE_KEYS = {"source", "description", "harm_weight", "harm_source", "unit_cost_gbp", "cost_source",
                     "price_year", "illustrative"}


def _read_issues(issues_raw: Any, toml_path: Path) -> tuple[IssueSettings, ...]:
    """``[[issues]]``: per police.uk issue, an existing county-level delivery mechanism and a county-level
    funding opportunity (the escalation protocol's criteria b and d)."""
    if not isinstance(issues_raw, list):
        raise InputError("is not a list of tables", file=toml_path, where="issues",
                         expected="[[issues]] tables, one per issue")
    from csa_analysis.domain.issues import ISSUES

    out: list[IssueSettings] = []
    for i, t in enumerate(issues_raw, start=1):
        where = f"[[issues]] number {i}"
        if not isinstance(t, dict):
            raise InputError("is not a table", file=toml_path, where=where, expected='name = "Drugs", ...')
        name = t.get("name")
        if isinstance(name, str) and name.strip():
            where = f"[[issues]] {name.strip()!r}"
        if not isinstance(name, str) or not name.strip():
            raise InputError("has no name", file=toml_path, where=where,
                             expected='name = "Drugs" (a police.uk issue) or the name of a local issue')
        name = " ".join(name.split())
        local = name not in ISSUES
        _check_keys(t, _ISSUE_KEYS | (_LOCAL_ISSUE_KEYS if local else set()), toml_path, where)
        near = [i for i in ISSUES if normalise_name(i) == normalise_name(name)]
        if local and near:
            raise InputError(f"name {name!r} is spelt differently from the police.uk issue {near[0]!r}",
                             file=toml_path, where=where, expected=f'name = "{near[0]}" exactly')
        if any(normalise_name(o.name) == normalise_name(name) for o in out):
            raise InputError(f"issue {name!r} is declared twice", file=toml_path, where=where,
                             expected="one [[issues]] table per issue")
        texts = {}
        for key in ("county_mechanism", "county_funding", *(
                ("source", "description", "harm_source", "cost_source", "price_year") if local else ())):
            value = t.get(key, "")
            if not isinstance(value, str):
                raise InputError(f"{value!r} is not text", file=toml_path, where=f"{where} {key}",
                                 expected="its name and source, e.g. \"County substance misuse board (agreement 6.5)\"")
            texts[key] = " ".join(value.split())
        extra: dict[str, Any] = {}
        if local:
            if not texts["source"]:
                raise InputError("a local issue has no source", file=toml_path, where=where,
                                 expected='source = "where the counts come from", e.g. "SARC referrals by home '
                                          'district (county SARC)" (police.uk issues are spelt exactly as '
                                          "police.uk: " + ", ".join(ISSUES) + ")")
            for key, src, label in (("harm_weight", "harm_source", "harm per incident"),
                                    ("unit_cost_gbp", "cost_source", "pounds per incident")):
                if key in t:
                    extra[key] = check_number(t[key], toml_path, f"{where} {key}", minimum=0,
                                              maximum=MAX_SETTING if key == "harm_weight" else MAX_GBP)
                    if not texts[src]:
                        raise InputError(f"{key} is given without its source", file=toml_path, where=where,
                                         expected=f'{src} = "..." naming where the {label} comes from')
                elif texts[src]:
                    raise InputError(f"{src} is given without {key}", file=toml_path, where=where,
                                     expected=f"{key} = <{label}> with its {src}, or neither")
            if texts["price_year"] and "unit_cost_gbp" not in t:
                raise InputError("price_year is given without unit_cost_gbp", file=toml_path, where=where,
                                 expected="unit_cost_gbp, cost_source and price_year together")
            illustrative = t.get("illustrative", False)
            if not isinstance(illustrative, bool):
                raise InputError(f"{illustrative!r} is not true or false", file=toml_path,
                                 where=f"{where} illustrative", expected="true or false")
            extra["illustrative"] = illustrative
        out.append(IssueSettings(name, **texts, **extra))
    return tuple(out)


def _read_toml(toml_path: Path) -> dict[str, Any]:
    """The parsed TOML (a byte-order mark is fine), its top-level keys checked."""
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
    return raw


def _read_districts(districts_raw: Any, toml_path: Path) -> list[dict[str, Any]]:
    """The ``[[districts]]`` tables as dicts (name, population or None, aliases, funding_gbp or None), with
    every name and alias standing for one district only."""
    if not isinstance(districts_raw, list) or not districts_raw:
        raise InputError("no districts are listed", file=toml_path, where="[[districts]]",
                         expected="one [[districts]] table per district CSP")
    seen: dict[str, str] = {}
    codes: dict[str, str] = {}
    out = []
    for i, d in enumerate(districts_raw, start=1):
        where = f"[[districts]] number {i}"
        if not isinstance(d, dict):
            raise InputError("is not a table", file=toml_path, where=where, expected="name = ..., population = ...")
        dname = d.get("name")
        if isinstance(dname, str) and dname.strip():
            where = f"[[districts]] {dname.strip()!r}"
        _check_keys(d, _DISTRICT_KEYS, toml_path, where)
        if dname is None and isinstance(d.get("code"), str):
            dname = _official_name(d["code"], toml_path, where)
        if not isinstance(dname, str) or not dname.strip():
            raise InputError("has no name", file=toml_path, where=where,
                             expected="the official district name, e.g. name = \"Charnwood\", or its ONS code, "
                                      "e.g. code = \"E07000130\"")
        dname = re.sub(r"\s+", " ", dname).strip()
        where = f"[[districts]] {dname!r}"
        aliases = d.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise InputError(f"aliases {aliases!r} are not a list of names", file=toml_path,
                             where=where, expected='aliases = ["Other spelling", ...]')
        for n in (dname, *aliases):
            key = normalise_name(n)
            if key in seen:
                what = "listed twice" if seen[key] == dname or n == dname else "used twice"
                raise InputError(f"the name {n!r} is {what}: it already stands for district {seen[key]!r}",
                                 file=toml_path, where=where,
                                 expected="each district once, and every alias naming one district only")
            seen[key] = dname
        code = d.get("code")
        if code is not None:
            if not isinstance(code, str) or not _DISTRICT_CODE.fullmatch(code.strip().upper()):
                raise InputError(f"code {code!r} is not an ONS district code", file=toml_path, where=f"{where} code",
                                 expected='code = "E07000132" (a letter E or W and eight digits), or no code')
            code = code.strip().upper()
            if code in codes:
                raise InputError(f"the code {code} is listed twice: it already stands for district {codes[code]!r}",
                                 file=toml_path, where=where, expected="each district once")
            codes[code] = dname
        pop, fund = d.get("population"), d.get("funding_gbp")
        out.append({
            "name": dname, "aliases": tuple(aliases), "code": code,
            "population": None if pop is None else check_number(
                pop, toml_path, f"{where} population", integer=True, minimum=MIN_POPULATION,
                maximum=MAX_POPULATION),
            "funding_gbp": None if fund is None else check_number(
                fund, toml_path, f"{where} funding_gbp", minimum=0, maximum=MAX_GBP),
        })
    return out


def _population_source(raw: dict[str, Any], base: Path, toml_path: Path) -> tuple[Path | None, bool]:
    """The population file and whether it is an ONS workbook: ``[population] ons_workbook``, a
    ``population = "file"`` table, or ``population.csv|.xlsx`` beside the TOML (see the module notes)."""
    value = raw.get("population")
    if isinstance(value, dict):
        _check_keys(value, _POPULATION_KEYS, toml_path, "[population]")
        if "ons_workbook" not in value:
            raise InputError("names no workbook", file=toml_path, where="[population]",
                             expected='ons_workbook = "mye23tablesew.xlsx" (the ONS mid-year estimates as published)')
        path = _resolve_path(base, value["ons_workbook"], toml_path, "[population] ons_workbook")
        if not path.is_file():
            raise InputError("file not found", file=path, where=f"{toml_path.name} [population] ons_workbook",
                             expected="the ONS mid-year population estimates workbook (.xlsx or .xls)")
        beside = [base / f"population{ext}" for ext in (".csv", ".xlsx") if (base / f"population{ext}").is_file()]
        beside = [p for p in beside if p.resolve() != path.resolve()]
        if beside:
            raise InputError(f"populations are given twice: [population] ons_workbook names {path.name}, and "
                             f"{beside[0].name} lies beside {toml_path.name}", file=beside[0],
                             expected="one source of populations: remove the table or the [population] setting")
        if not is_mid_year_workbook(path):
            raise InputError(f"is not an ONS mid-year estimates workbook (no sheet '{PERSONS_SHEET}')", file=path,
                             where=f"{toml_path.name} [population] ons_workbook",
                             expected="the ONS workbook as published, e.g. mye23tablesew.xlsx; a two-column "
                                      'table of district, population goes in population = "..."')
        return path, True
    path = _optional_table(base, value, "population", toml_path)
    return path, path is not None and is_mid_year_workbook(path)


def _read_workbook_populations(path: Path, districts: list[dict[str, Any]], toml_path: Path
                               ) -> tuple[dict[str, int], int | None, str]:
    """Residents per district from the ONS workbook's district rows: by code, else name, else alias."""
    pop = district_level(mid_year_estimates(path))
    year, sheet = pop["year"].dropna(), pop.attrs.get("sheet", PERSONS_SHEET)
    year = int(year.iloc[0]) if len(year) else None
    keys = set(pop["code"].str.upper()) | set(pop["name"].map(normalise_name))
    wanted = []
    for d in districts:
        if d["code"] is not None:
            wanted.append(d["code"])
            continue
        hit = next((n for n in (d["name"], *d["aliases"]) if normalise_name(n) in keys), d["name"])
        wanted.append(hit)
    try:
        rows = lookup_populations(pop, wanted, file=path)
    except InputError as exc:
        what = f"mid-{year} " if year else ""
        raise InputError(f"{exc.problem} (a {what}workbook holds the districts of that year: give a district's "
                         "code, or an alias with its name in the workbook, or its population in county.toml)",
                         file=path, where=exc.where, expected=exc.expected) from None
    out = {d["name"]: int(n) for d, n in zip(districts, rows["population"], strict=True)}
    return out, year, str(sheet)


@functools.cache
def _district_names() -> dict[str, str]:
    """ONS district code -> its name in the newest packaged lookup holding it (LAD 2023, 2022, 2018)."""
    path = REFERENCE_DIR / "geography" / "lads.parquet"
    lads = pd.read_parquet(path, columns=["vintage", "code", "name"]) if path.is_file() else pd.DataFrame(
        {"vintage": [], "code": [], "name": []})
    return dict(lads.sort_values("vintage", kind="stable")[["code", "name"]].itertuples(index=False, name=None))


def _official_name(code: str, toml_path: Path, where: str) -> str:
    """The name of a district given by its code only (the reports name it so)."""
    name = _district_names().get(code.strip().upper())
    if name is None:
        raise InputError(f"code {code!r} is not a district in the ONS lookups (LAD 2018, 2022 or 2023)",
                         file=toml_path, where=f"{where} code",
                         expected="a local authority district code such as E06000065, or its official name")
    return name


def _merge_populations(districts: list[dict[str, Any]], source: tuple[Path | None, bool], name_map: dict[str, str],
                       toml_path: Path) -> tuple[Path | None, int | None, str | None]:
    """Fill ``population`` from the population table or ONS workbook (which must agree with the TOML); every
    district needs one. Returns the file read, and the estimates' year and sheet for a workbook."""
    pop_file, workbook = source
    year = sheet = None
    if pop_file is not None:
        if workbook:
            pops, year, sheet = _read_workbook_populations(pop_file, districts, toml_path)
        else:
            pops = read_district_table(pop_file, "population", name_map, integer=True, minimum=MIN_POPULATION,
                                       maximum=MAX_POPULATION, expected="a whole number of residents")
        for d in districts:
            if d["name"] not in pops:
                continue
            if d["population"] is not None and d["population"] != pops[d["name"]]:
                raise InputError(
                    f"population of {d['name']!r} is {d['population']:,} in {toml_path.name} "
                    f"but {pops[d['name']]:,} in {pop_file.name}", file=pop_file, where=f"district {d['name']!r}",
                    expected="the population given in one place only, or the same in both")
            d["population"] = pops[d["name"]]
    missing = [d["name"] for d in districts if d["population"] is None]
    if missing:
        raise InputError(f"no population for {', '.join(missing)}", file=toml_path, where="[[districts]]",
                         expected="population = <residents> for every district, a population.csv with "
                         'columns district, population, or [population] ons_workbook = "mye23tablesew.xlsx"')
    return pop_file, year, sheet


def _merge_funding(districts: list[dict[str, Any]], fund_file: Path | None, name_map: dict[str, str],
                   toml_path: Path) -> Path | None:
    """Fill ``funding_gbp`` from the funding table; funding given both there and in the TOML is refused."""
    if fund_file is None:
        return None
    in_toml = [d["name"] for d in districts if d["funding_gbp"] is not None]
    if in_toml:
        raise InputError(f"funding is given both in {toml_path.name} (funding_gbp for {', '.join(in_toml)}) "
                         f"and in {fund_file.name}", file=fund_file, expected="funding in one place only")
    funds = read_district_table(fund_file, "allocation_gbp", name_map, maximum=MAX_GBP,
                               expected="pounds, e.g. 22380 or 22,380.50")
    for d in districts:
        d["funding_gbp"] = funds.get(d["name"])
    return fund_file


#: Allowed values of the text settings, checked after their sections are read.
_CHOICES = {("disclosure", "method"): ("suppress", "round"),
            ("funding_info", "need_basis"): ("incidents", "harm", "cost"),
            ("funding_info", "figures_are"): ("", "after the cut", "before the cut")}


def _settings(raw: dict[str, Any], funding: dict[str, Any], toml_path: Path) -> dict[str, Any]:
    """The ``[scoring]``, ``[delivery]``, ``[disclosure]`` and ``[funding]`` sections (defaults where absent).

    The funding settings may also come from ``[funding_info]`` (the earlier name), but not from both.
    """
    if funding and "funding_info" in raw:
        raise InputError("funding settings are given both in [funding] and in [funding_info]", file=toml_path,
                         where="[funding_info]", expected="the settings in [funding] only")
    raw = dict(raw)
    if funding:
        raw["funding_info"] = funding
    sections = {"scoring": ScoringWeights, "delivery": DeliveryRules, "disclosure": Disclosure,
                "funding_info": FundingInfo, "where_and_when": WhereWhenSettings}
    out = {key: _dataclass_from(cls, raw[key], toml_path, "funding" if funding and key == "funding_info" else key)
           if key in raw else cls() for key, cls in sections.items()}
    info = out["funding_info"]
    for key in ("period_start", "period_end"):
        value = getattr(info, key)
        if value and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise InputError(f"{key} {value!r} is not a month", file=toml_path, where=f"[funding] {key}",
                             expected="YYYY-MM, e.g. 2011-04")
    if bool(info.period_start) != bool(info.period_end) or (info.period_start and info.period_start > info.period_end):
        raise InputError("the funding period is incomplete or reversed", file=toml_path, where="[funding] period_start",
                         expected="period_start and period_end both, the start first (or period_months)")
    if info.period_months and info.period_start and info.period_months != info.months_between():
        raise InputError(f"period_months {info.period_months} disagrees with {info.period_start} to {info.period_end}",
                         file=toml_path, where="[funding] period_months", expected="one of the two, or both agreeing")
    for (section, key), allowed in _CHOICES.items():
        value = getattr(out[section], key)
        if value not in allowed:
            raise InputError(f"{key} {value!r} is unknown", file=toml_path, where=f"[{section}] {key}",
                             expected=" or ".join(f'"{a}"' for a in allowed))
    if sum(out["scoring"].components.values()) <= 0:
        raise InputError("all scoring weights are 0", file=toml_path, where="[scoring]",
                         expected="at least one weight above 0")
    return out


def _subtable(raw: dict[str, Any], key: str, allowed: set[str], toml_path: Path) -> dict[str, Any]:
    table = raw.get(key, {})
    if not isinstance(table, dict):
        raise InputError("is not a table", file=toml_path, where=key, expected=f"[{key}]")
    _check_keys(table, allowed, toml_path, f"[{key}]")
    return table


def _reference(table: dict[str, Any], key: str, where: str, toml_path: Path) -> Path | None:
    """A user reference table named in ``[harm]`` or ``[costs]`` (it must exist)."""
    if key not in table:
        return None
    p = _resolve_path(toml_path.parent, table[key], toml_path, where)
    if not p.is_file():
        raise InputError("file not found", file=p, where=f"{toml_path.name} {where}",
                         expected="an existing reference table")
    return p


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
