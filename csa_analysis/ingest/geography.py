"""Placing police.uk records in districts by LSOA **code**, across lookup vintages and reorganisations.

police.uk gives each record an LSOA code and the LSOA's ONS name ("Harrogate 015E"). The name keeps the
district as it stood when the LSOAs were named, so since the 2019-2023 mergers it often names a district that
no longer exists. This module places records by code through the ONS lookups packaged in
``csa_analysis/reference/geography/`` (see its ``README.md``):

========  ==================  ================================================
lookup    LSOA vintage        districts
========  ==================  ================================================
LAD18     2011 (34,753)       348 districts, December 2018 (wards 2018)
LAD22     2021 (35,672)       331 districts, May 2022 (wards 2022)
LAD23     2021 (35,672)       318 districts, May 2023 (wards 2023)
========  ==================  ================================================

Rules
-----
Naming a district
    A ``county.toml`` district gives an official ONS name of any lookup (English or Welsh) and optionally its
    ONS code, which then decides (a name that is not one of that code's names is an error). Names match with
    :func:`csa_analysis.domain.names.normalise_name` only: case and spaces, nothing else ("&" is not "and"); other
    spellings belong in the district's ``aliases``. An unknown name or code is an :class:`InputError` that
    suggests the nearest official names.
Reorganisations (derived, never typed)
    An LSOA code present in two lookups is the same area. Where a district of an older lookup is absent from
    the next one, the districts that its LSOAs lie in there are its successors (:attr:`Geography.reorganisations`):
    LAD18 -> LAD22 through the LSOA codes that persist from 2011 to 2021, LAD22 -> LAD23 on the same 2021 codes.
    This gives, for example, Suffolk Coastal + Waveney -> East Suffolk and Forest Heath + St Edmundsbury -> West
    Suffolk (2019), Harrogate, Craven, ... -> North Yorkshire and Carlisle, Allerdale, Copeland -> Cumberland (2023).
Each file is read in its own LSOA vintage
    A file (or any set of codes) is a 2011 or a 2021 file by its evidence: the distinct codes found in only one
    vintage's lookup, plus the distinct (code, name) pairs whose name is that vintage's ONS name for the code and
    not the other's (2,162 persisting codes were renamed, e.g. "Suffolk Coastal 004A" -> "East Suffolk 019A").
    The vintage with more evidence wins; **a tie (no evidence, e.g. a file whose codes all exist in both
    vintages and carry no names) is read as 2021**, the current vintage. Every code the chosen vintage knows is
    read in it; a code only the other vintage knows is read in that one; a code in no lookup goes to the name
    fallback. This matters where a best-fit lookup moves an unchanged LSOA: E01027833-5 ("Scarborough 014E-G")
    lie in Scarborough in 2018 but best-fit to Ryedale in 2022.
Where a district's records come from, per vintage
    * 2021 files: the district's LSOAs in LAD23 if it is there, else in LAD22 (so Harrogate, abolished in 2023,
      still gets its former area from 2025 files through the LAD22 lookup).
    * 2011 files: the district's LSOAs in LAD18 if it is there (its own boundaries of the time); otherwise it is a
      successor and receives, per LSOA, every persisting 2011 code that lies in it in its own lookup (LAD23, else
      LAD22), plus the 2011 codes that did not persist (1,106 split or merged LSOAs) of every LAD18 district whose
      persisting codes went *entirely* to it. (Non-persisting codes of a district split between successors stay
      out of area; the packaged lookups have none such for any successor.) A successor's time series therefore
      runs across its reorganisation.
Abolished before 2022 (in LAD18 only)
    Such a district (e.g. Waveney, Aylesbury Vale) cannot be placed with 2021 codes: :meth:`DistrictSet.placement`
    refuses a file of the 2021 vintage with an :class:`InputError` that names the successor ("name East Suffolk").
    Placing only its persisting codes would silently under-count. The rule is one: a district is placed in a file
    only through a lookup of the file's LSOA vintage that holds it or all of its predecessors.
Overlaps
    Two districts of one county whose areas share an LSOA in any vintage (North Yorkshire and Harrogate; East
    Suffolk and Waveney) are an :class:`InputError`.
Name fallback
    Only a code in no lookup (or a blank code with a name) is placed by its LSOA name: the name less its ``NNNX``
    suffix, matched to a district's official names in every lookup, the names of districts it wholly replaced,
    its aliases, and the LSOA-name prefixes that the lookups use for its LSOAs only ("Kingston upon Hull" for
    "Kingston upon Hull, City of"). Rows placed this way are counted apart (``method == "name"``).

Examples
--------
>>> geo = Geography.load()
>>> county = geo.resolve_districts(["North Yorkshire", "East Suffolk"])
>>> placed = county.placement(["E01027678", "E01035154", "E01000001", None],
...                           ["Harrogate 015E", "East Suffolk 014C", "City of London 001A", None])
>>> placed.table[["lsoa_code", "district", "method", "area"]]
   lsoa_code  district   method             area
0  E01027678         0     code  North Yorkshire
1  E01035154         1     code     East Suffolk
2  E01000001        -1     code   City of London
3        NaN        -1  no_lsoa              NaN
>>> placed.vintage.vintage
'2021'
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from csa_analysis.domain.names import normalise_name
from csa_analysis.errors import InputError
from csa_analysis.paths import REFERENCE_DIR

#: Where the packaged lookups live.
GEOGRAPHY_DIR = REFERENCE_DIR / "geography"
#: LSOA vintages, oldest first.
VINTAGES: tuple[str, ...] = ("2011", "2021")
#: District lookups, oldest first, and the LSOA vintage each is keyed by.
LOOKUPS: dict[str, str] = {"LAD18": "2011", "LAD22": "2021", "LAD23": "2021"}
#: How a record was placed (categories of ``method``).
METHODS: tuple[str, ...] = ("code", "name", "no_lsoa")
#: Ward lookup of each district lookup.
WARD_YEARS: dict[str, str] = {"LAD18": "2018", "LAD22": "2022", "LAD23": "2023"}

_LSOA_SUFFIX = r"^(.*\S)\s+[0-9]{3}[A-Z]$"  # the same rule as csa_analysis.load.local_authority
_NEWEST = {"2011": "LAD18", "2021": "LAD23"}


def _strings(values: Any) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values.cast(pa.string())
    return pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)


def _normalised(values: Any) -> np.ndarray:
    """:func:`normalise_name` over an array of names, vectorised (missing stays missing).

    Printable-ASCII names go through Arrow (spaces collapsed and trimmed, lower-cased: for them exactly what
    :func:`normalise_name` does); the few others (Welsh names, tabs) through :func:`normalise_name` itself, so a
    key always equals ``normalise_name(name)``.
    """
    arr = _strings(values)
    out = pc.ascii_lower(pc.utf8_trim(pc.replace_substring_regex(arr, r" +", " "), characters=" "))
    out = np.array(out.to_numpy(zero_copy_only=False), dtype=object, copy=True)
    other = ~pc.fill_null(pc.match_substring_regex(arr, r"^[ -~]*$"), True).to_numpy(zero_copy_only=False)
    if other.any():
        raw = arr.to_numpy(zero_copy_only=False)[other]
        out[other] = [normalise_name(v) for v in raw]  # distinct non-ASCII names only
    return out


def _prefix(values: Any) -> np.ndarray:
    """The district part of LSOA names ("Harrogate 015E" -> "Harrogate"); a name without suffix stays whole."""
    out = pc.replace_substring_regex(_strings(values), pattern=_LSOA_SUFFIX, replacement=r"\1")
    return np.array(out.to_numpy(zero_copy_only=False), dtype=object, copy=True)


def _present(values: Any) -> np.ndarray:
    """True where a value is neither missing nor blank."""
    blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(_strings(values)), ""), True)
    return ~blank.to_numpy(zero_copy_only=False)


def _codes(values: Any) -> np.ndarray:
    """LSOA or district codes as given, trimmed and upper-cased; blanks become missing."""
    arr = pc.utf8_upper(pc.utf8_trim_whitespace(_strings(values)))
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return np.array(arr.to_numpy(zero_copy_only=False), dtype=object, copy=True)


def _ext(arr: np.ndarray, fill: Any = -1) -> np.ndarray:
    """``arr`` with a trailing ``fill``, so that indexing it with -1 (missing) gives ``fill``."""
    return np.append(arr, np.array([fill], dtype=arr.dtype))


def _join(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --------------------------------------------------------------------------------------------------
# Records returned


@dataclass(frozen=True)
class ResolvedDistrict:
    """A ``county.toml`` district identified in the ONS lookups.

    Attributes
    ----------
    name : str
        The name the county uses (as given; the official name when only a code was given).
    code : str
        The ONS district code that decides placement.
    official_name : str
        The code's name in the newest lookup holding it.
    lookups : tuple of str
        The district lookups holding the code, from ``("LAD18", "LAD22", "LAD23")``.
    predecessors : tuple of str
        Codes of abolished districts whose area, in whole or part, it took (derived from the lookups).
    successors : tuple of str
        Codes of the districts that took its area when it was abolished (empty while it exists).
    aliases : tuple of str
        Other spellings, used by the name fallback only.
    """

    name: str
    code: str
    official_name: str
    lookups: tuple[str, ...]
    predecessors: tuple[str, ...] = ()
    successors: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def current(self) -> bool:
        """True when the district is in the newest lookup (LAD23)."""
        return "LAD23" in self.lookups

    @property
    def label(self) -> str:
        """``"Name (code)"`` for messages."""
        return f"{self.name} ({self.code})"


@dataclass(frozen=True)
class VintageChoice:
    """The LSOA vintage a set of codes is read in, and the evidence for it.

    Attributes
    ----------
    vintage : str
        ``"2011"`` or ``"2021"``.
    evidence_2011, evidence_2021 : int
        Distinct codes found in that vintage's lookup only, plus distinct (code, name) pairs whose name is that
        vintage's ONS name for the code and not the other's.
    decided_by : str
        ``"evidence"``, ``"tie"`` (no more evidence for either: read as 2021) or ``"given"``.
    """

    vintage: str
    evidence_2011: int
    evidence_2021: int
    decided_by: str


@dataclass(frozen=True)
class Placement:
    """Where each of a set of LSOA codes goes (:meth:`DistrictSet.placement`).

    Attributes
    ----------
    table : DataFrame
        One row per input code, in input order: ``lsoa_code``, ``lsoa_name`` (str, missing allowed),
        ``district`` (int64: position in the county's districts, -1 out of area or no LSOA), ``district_name``
        (str, missing when -1), ``method`` (categorical :data:`METHODS`: ``code`` through a lookup, ``name`` by the
        name fallback, ``no_lsoa`` when code and name are blank), ``no_lsoa`` (bool), ``vintage`` (the LSOA
        vintage the code was read in, missing when no lookup has it), ``area`` (the district the LSOA lies in,
        named as in the newest lookup of that vintage, or the LSOA-name prefix for the name fallback).
    vintage : VintageChoice
        The vintage of the set of codes.
    """

    table: pd.DataFrame
    vintage: VintageChoice

    def take(self, indices: Any) -> np.ndarray:
        """District position (int64, -1 out of area or no LSOA) for dictionary indices into the codes placed.

        ``indices`` may be a NumPy array (-1 for missing) or an Arrow integer array (null for missing).
        """
        if isinstance(indices, pa.Array | pa.ChunkedArray):
            indices = indices.fill_null(-1).to_numpy()
        return _ext(self.table["district"].to_numpy(dtype=np.int64))[np.asarray(indices)]


@dataclass(frozen=True)
class RowPlacement:
    """Per-row placement of a table (:meth:`DistrictSet.place_rows`).

    Attributes
    ----------
    district : ndarray of int32
        Position in the county's districts per row; -1 out of area or no LSOA.
    method : Categorical
        :data:`METHODS` per row.
    area : Categorical
        The district each row's LSOA lies in (newest name of its lookup vintage) or, for the name fallback, the
        LSOA-name prefix; missing for rows with no LSOA. Use it to name out-of-area rows.
    groups : DataFrame
        One row per group (file): ``group``, ``vintage``, ``evidence_2011``, ``evidence_2021``, ``decided_by``.
    """

    district: np.ndarray
    method: pd.Categorical
    area: pd.Categorical
    groups: pd.DataFrame

    def counts(self, names: Sequence[str]) -> pd.DataFrame:
        """Rows per district (index ``names``): ``by_code``, ``by_name`` and ``total`` (int64)."""
        n = len(names)
        placed = self.district >= 0
        by_name = placed & (np.asarray(self.method.codes) == METHODS.index("name"))
        total = np.bincount(self.district[placed], minlength=n)
        named = np.bincount(self.district[by_name], minlength=n)
        out = pd.DataFrame({"by_code": total - named, "by_name": named, "total": total},
                           index=pd.Index(list(names), name="district"))
        return out.astype("int64")


# --------------------------------------------------------------------------------------------------
# The lookups


class Geography:
    """The packaged ONS lookups and what is derived from them (reorganisations, areas, names).

    Build it with :meth:`load`; it is read-only.

    Attributes
    ----------
    districts : DataFrame
        One row per district code of any lookup, index ``code``: ``name`` (newest English name), ``names``
        (tuple of every English and Welsh name it had), ``LAD18``, ``LAD22``, ``LAD23`` (bool: in that lookup).
    reorganisations : DataFrame
        Derived predecessor -> successor steps: ``predecessor``, ``predecessor_name``, ``from_lookup``,
        ``successor``, ``successor_name``, ``to_lookup``, ``lsoas`` (LSOAs the two share), ``share`` (of the
        predecessor's shared LSOAs that went to this successor, 0-1).

    Examples
    --------
    >>> geo = Geography.load()
    >>> steps = geo.reorganisations
    >>> sorted(steps.loc[steps["successor_name"] == "East Suffolk", "predecessor_name"])
    ['Suffolk Coastal', 'Waveney']
    >>> [geo.districts.at[c, "name"] for c in geo.resolve_district("Cumberland").predecessors]
    ['Allerdale', 'Carlisle', 'Copeland']
    """

    def __init__(self, lsoa11: pd.DataFrame, lsoa21: pd.DataFrame, lads: pd.DataFrame,
                 lad_pfa: pd.DataFrame) -> None:
        self._lsoa = {"2011": lsoa11.reset_index(drop=True), "2021": lsoa21.reset_index(drop=True)}
        self._lad_pfa = lad_pfa
        self._index = {v: pd.Index(t["lsoa"].to_numpy(dtype=object)) for v, t in self._lsoa.items()}
        self._lsoa_name_norm = {v: _normalised(t["lsoa_name"]) for v, t in self._lsoa.items()}
        self._lsoa_prefix = {v: _normalised(_prefix(t["lsoa_name"])) for v, t in self._lsoa.items()}

        # District catalogue: every code of any lookup, with its names.
        lads = lads.assign(vintage=lads["vintage"].astype(str))
        order = pd.Series(range(len(LOOKUPS)), index=list(LOOKUPS))
        lads = lads.assign(rank=lads["vintage"].map(order)).sort_values(["code", "rank"])
        newest = lads.drop_duplicates("code", keep="last").set_index("code")
        in_lookup = pd.crosstab(lads["code"], lads["vintage"]).reindex(columns=list(LOOKUPS), fill_value=0) > 0
        every = pd.concat([lads[["code", "name"]], lads[["code", "name_welsh"]].rename(columns={"name_welsh": "name"})])
        every = every.dropna().drop_duplicates()
        names = every.groupby("code")["name"].agg(tuple)
        self.districts = pd.DataFrame({"name": newest["name"], "names": names}).join(in_lookup)
        self.districts.index.name = "code"
        self._lad_index = pd.Index(self.districts.index.to_numpy(dtype=object))

        # Name -> codes (English and Welsh names of every lookup).
        keyed = every.assign(key=_normalised(every["name"]))
        self._by_name: dict[str, tuple[str, ...]] = keyed.groupby("key")["code"].agg(
            lambda s: tuple(sorted(set(s)))).to_dict()
        self._display: dict[str, str] = dict(zip(keyed["key"], keyed["name"], strict=True))

        # District id of each LSOA in each lookup.
        self._lad_of = {
            lookup: self._lad_index.get_indexer(self._lsoa[v][lookup.lower()].to_numpy(dtype=object)).astype(np.int32)
            for lookup, v in LOOKUPS.items()
        }
        # LSOA codes present in both vintages (the same area): index in the other vintage, -1 if none.
        self._persist = {
            "2011": self._index["2021"].get_indexer(self._index["2011"]),
            "2021": self._index["2011"].get_indexer(self._index["2021"]),
        }
        # Every code of either vintage once, with its position in each (-1 where absent): one hash lookup finds a
        # file's codes in both vintages (:meth:`_positions`).
        self._either = self._index["2011"].append(self._index["2021"][self._persist["2021"] < 0])
        self._either_pos = {v: self._index[v].get_indexer(self._either).astype(np.int64) for v in VINTAGES}
        # 2021 LSOAs whose code persists from 2011 under another ONS name (vintage evidence from names).
        p21 = self._persist["2021"]
        self._renamed = (p21 >= 0) & (self._lsoa_name_norm["2021"] != _ext(self._lsoa_name_norm["2011"], None)[p21])
        self._whole = {lookup: self._whole_map(lookup) for lookup in ("LAD22", "LAD23")}
        self.reorganisations = self._reorganisations()
        # Plain-Python views for resolving hundreds of districts quickly (no pandas indexing per district).
        self._cell_cache: dict[str, Any] = {}
        self._name_of: dict[str, str] = dict(zip(self.districts.index, self.districts["name"].tolist(), strict=True))
        self._names_of: dict[str, tuple[str, ...]] = dict(zip(self.districts.index, self.districts["names"].tolist(),
                                                              strict=True))
        self._in = {lk: dict(zip(self.districts.index, self.districts[lk].to_numpy(dtype=bool).tolist(), strict=True))
                    for lk in LOOKUPS}
        self._steps: dict[tuple[bool, bool], dict[str, list[str]]] = {}
        for whole_only in (False, True):
            steps = self.reorganisations
            if whole_only:
                steps = steps[steps["share"] >= 1.0]
            for forward in (False, True):
                src, dst = ("predecessor", "successor") if forward else ("successor", "predecessor")
                adjacency: dict[str, list[str]] = {}
                for a, b in zip(steps[src].tolist(), steps[dst].tolist(), strict=True):
                    adjacency.setdefault(a, []).append(b)
                self._steps[(forward, whole_only)] = adjacency

    # -- construction ------------------------------------------------------------------------------

    @classmethod
    def load(cls, directory: str | Path | None = None) -> Geography:
        """The packaged lookups (read once per process and cached).

        Parameters
        ----------
        directory : str or Path, optional
            A folder of Parquet files built by ``tools/build_geography.py``; default :data:`GEOGRAPHY_DIR`.

        Examples
        --------
        >>> Geography.load() is Geography.load()
        True
        """
        return _load(str(Path(directory) if directory is not None else GEOGRAPHY_DIR))

    def _whole_map(self, lookup: str) -> np.ndarray:
        """Per district id: the ``lookup`` district that every persisting LAD18 LSOA of it went to, else -1."""
        p = self._persist["2011"]
        keep = p >= 0
        pairs = pd.DataFrame({"old": self._lad_of["LAD18"][keep], "new": self._lad_of[lookup][p[keep]]})
        g = pairs.groupby("old")["new"].agg(["min", "max"])
        out = np.full(len(self._lad_index), -1, dtype=np.int32)
        single = g[g["min"] == g["max"]]
        out[single.index.to_numpy()] = single["min"].to_numpy()
        return out

    def _reorganisations(self) -> pd.DataFrame:
        p = self._persist["2011"]
        keep = p >= 0
        steps = [
            ("LAD18", "LAD22", self._lad_of["LAD18"][keep], self._lad_of["LAD22"][p[keep]]),
            ("LAD22", "LAD23", self._lad_of["LAD22"], self._lad_of["LAD23"]),
        ]
        frames = []
        codes = self._lad_index.to_numpy(dtype=object)
        for old_lookup, new_lookup, old, new in steps:
            pairs = pd.DataFrame({"old": old, "new": new}).value_counts().rename("lsoas").reset_index()
            gone = ~self.districts[new_lookup].to_numpy()[pairs["old"].to_numpy()]
            pairs = pairs[gone].copy()
            pairs["share"] = pairs["lsoas"] / pairs.groupby("old")["lsoas"].transform("sum")
            frames.append(pd.DataFrame({
                "predecessor": codes[pairs["old"]], "predecessor_name": self.districts["name"].to_numpy()[pairs["old"]],
                "from_lookup": old_lookup,
                "successor": codes[pairs["new"]], "successor_name": self.districts["name"].to_numpy()[pairs["new"]],
                "to_lookup": new_lookup, "lsoas": pairs["lsoas"].astype("int64"), "share": pairs["share"],
            }))
        out = pd.concat(frames, ignore_index=True)
        return out.sort_values(["to_lookup", "successor", "predecessor"], ignore_index=True)

    # -- districts ---------------------------------------------------------------------------------

    def lookups_of(self, code: str) -> tuple[str, ...]:
        """The district lookups holding ``code`` (empty if none)."""
        if code not in self._in["LAD23"]:
            return ()
        return tuple(lk for lk in LOOKUPS if self._in[lk][code])

    def _closure(self, code: str, *, forward: bool, whole_only: bool = False) -> tuple[str, ...]:
        """Successors (``forward``) or predecessors of ``code``, transitively."""
        adjacency = self._steps[(forward, whole_only)]
        found: list[str] = []
        frontier = {code}
        while frontier:  # at most two steps (LAD18 -> LAD22 -> LAD23)
            nxt = {b for a in frontier for b in adjacency.get(a, ())} - set(found) - {code}
            found.extend(sorted(nxt))
            frontier = nxt
        return tuple(found)

    def _nearest(self, name: str, n: int = 3) -> list[str]:
        keys = difflib.get_close_matches(normalise_name(name), list(self._display), n=n, cutoff=0.6)
        return [self._display[k] for k in keys]

    def resolve_district(self, name: str | None, code: str | None = None, *, aliases: Iterable[str] = (),
                         file: str | Path | None = None, where: str | None = None) -> ResolvedDistrict:
        """Identify a district from its official name (any lookup) and/or its ONS code.

        Parameters
        ----------
        name : str or None
            Official ONS name in any lookup, English or Welsh ("Harrogate", "North Yorkshire", "Caerdydd").
        code : str, optional
            ONS district code ("E06000065"); when given it decides, and ``name`` must be one of its names.
        aliases : iterable of str
            Other spellings (kept for the name fallback; not checked against the lookups).
        file, where : optional
            Where the district was declared, for error messages (``county.toml``, ``[[districts]] 3``).

        Returns
        -------
        ResolvedDistrict

        Raises
        ------
        InputError
            Neither name nor code; a name or code in no lookup (the message suggests the nearest official
            names); a name and code that disagree; a name shared by several codes without a code.

        Examples
        --------
        >>> geo = Geography.load()
        >>> d = geo.resolve_district("harrogate")
        >>> d.code, d.official_name, d.lookups, d.successors
        ('E07000165', 'Harrogate', ('LAD18', 'LAD22'), ('E06000065',))
        >>> geo.resolve_district(None, "E06000065").name
        'North Yorkshire'
        >>> geo.resolve_district("Hinckley & Bosworth")  # doctest: +NORMALIZE_WHITESPACE
        Traceback (most recent call last):
        ...
        csa_analysis.errors.InputError: 'Hinckley & Bosworth' is not a district in the ONS lookups (LAD 2018,
        2022 or 2023) (expected an official ONS district name, such as 'Hinckley and Bosworth'; other spellings
        go in aliases)
        """
        aliases = tuple(aliases)
        if name is None and code is None:
            raise InputError("a district has neither a name nor a code", file=file, where=where,
                             expected="name = an official ONS district name, and optionally code = its ONS code")
        if code is not None:
            key = str(code).strip().upper()
            if key not in self._name_of:
                hint = ""
                if name is not None and normalise_name(name) in self._by_name:
                    hint = f"; {name} is {_join(self._by_name[normalise_name(name)])}"
                raise InputError(
                    f"ONS code {code!r} is not a district in the ONS lookups (LAD 2018, 2022 or 2023){hint}",
                    file=file, where=where, expected="a local authority district code such as E06000065")
            official = self._names_of[key]
            if name is not None and normalise_name(name) not in {normalise_name(n) for n in official}:
                other = self._by_name.get(normalise_name(name))
                extra = f", while {name} is {_join(other)}" if other else ""
                raise InputError(
                    f"name {name!r} and code {key} disagree: {key} is {_join(official)}{extra}",
                    file=file, where=where,
                    expected=f"the name of {key} in some lookup ({_join(official)}), or no code; "
                             "other spellings go in aliases")
        else:
            assert name is not None
            codes = self._by_name.get(normalise_name(name))
            if not codes:
                raise InputError(self._unknown_name(name), file=file, where=where,
                                 expected=self._unknown_expected(name))
            if len(codes) > 1:
                raise InputError(f"{name!r} names several districts ({_join(codes)})", file=file, where=where,
                                 expected="the district's ONS code as code = \"...\"")
            key = codes[0]
        return ResolvedDistrict(
            name=name if name is not None else str(self._name_of[key]),
            code=key,
            official_name=str(self._name_of[key]),
            lookups=self.lookups_of(key),
            predecessors=self._closure(key, forward=False),
            successors=self._closure(key, forward=True),
            aliases=aliases,
        )

    def _unknown_name(self, name: str) -> str:
        text = f"{name!r} is not a district in the ONS lookups (LAD 2018, 2022 or 2023)"
        pfa = self._lad_pfa[_normalised(self._lad_pfa["pfa_name"]) == normalise_name(name)]
        if len(pfa):
            latest = pfa[pfa["vintage"] == pfa["vintage"].max()]
            text += (f": it is a police force area, whose districts in {latest['vintage'].iloc[0]} were "
                     f"{_join(sorted(set(latest['lad_name'])))}")
        return text

    def _unknown_expected(self, name: str) -> str:
        near = self._nearest(name)
        such = f", such as {' or '.join(repr(n) for n in near)}" if near else ""
        return f"an official ONS district name{such}; other spellings go in aliases"

    def resolve_districts(self, districts: Iterable[Any], *, file: str | Path | None = None) -> DistrictSet:
        """Resolve a county's districts and check that they do not overlap.

        Parameters
        ----------
        districts : iterable
            Each a name (str), a mapping with ``name`` and optional ``code`` and ``aliases``, or an object with
            those attributes (``csa_analysis.config.District``; ``code`` is optional there).
        file : str or Path, optional
            The ``county.toml`` read, for messages (each district is ``[[districts]] N``).

        Returns
        -------
        DistrictSet

        Raises
        ------
        InputError
            See :meth:`resolve_district`; also a district listed twice, two districts whose areas overlap in
            some vintage (a successor with one of its predecessors), or an alias that is another district's name.

        Examples
        --------
        >>> geo = Geography.load()
        >>> geo.resolve_districts(["North Yorkshire", "Harrogate"])  # doctest: +NORMALIZE_WHITESPACE
        Traceback (most recent call last):
        ...
        csa_analysis.errors.InputError: [[districts]] 2: Harrogate (E07000165) and North Yorkshire (E06000065)
        overlap: 104 LSOAs in 2011 lie in both (Harrogate became part of North Yorkshire) (expected districts
        that do not overlap: list a successor authority or the districts it replaced, not both)
        """
        resolved: list[ResolvedDistrict] = []
        for i, d in enumerate(districts):
            if isinstance(d, str):
                name, code, aliases = d, None, ()
            elif isinstance(d, Mapping):
                name, code, aliases = d.get("name"), d.get("code"), tuple(d.get("aliases", ()))
            else:
                name, code, aliases = getattr(d, "name", None), getattr(d, "code", None), tuple(
                    getattr(d, "aliases", ()))
            resolved.append(self.resolve_district(name, code, aliases=aliases, file=file,
                                                  where=f"[[districts]] {i + 1}"))
        return DistrictSet(self, tuple(resolved), file=file)

    # -- areas -------------------------------------------------------------------------------------

    def members(self, code: str, vintage: str) -> np.ndarray | None:
        """Which LSOAs of ``vintage`` a district receives (bool mask over that vintage's lookup rows).

        ``None`` when the district cannot be placed with codes of that vintage (see the module rules).
        """
        row = {lk: self._in[lk][code] for lk in LOOKUPS}
        cid = self._lad_index.get_loc(code)
        if vintage == "2021":
            for lookup in ("LAD23", "LAD22"):
                if row[lookup]:
                    return self._lad_of[lookup] == cid
            return None
        if vintage != "2011":
            raise ValueError(f"vintage must be one of {VINTAGES}, not {vintage!r}")
        if row["LAD18"]:
            return self._lad_of["LAD18"] == cid
        target = "LAD23" if row["LAD23"] else "LAD22"
        p = self._persist["2011"]
        persisting = p >= 0
        mask = np.zeros(len(p), dtype=bool)
        mask[persisting] = self._lad_of[target][p[persisting]] == cid
        mask |= ~persisting & (self._whole[target][self._lad_of["LAD18"]] == cid)
        return mask if mask.any() else None

    def lsoas(self, code: str, vintage: str) -> np.ndarray:
        """LSOA codes of ``vintage`` that district ``code`` receives (empty when it cannot be placed).

        Examples
        --------
        >>> geo = Geography.load()
        >>> len(geo.lsoas("E06000065", "2011")), len(geo.lsoas("E06000065", "2021"))
        (373, 379)
        """
        mask = self.members(code, vintage)
        codes = self._lsoa[vintage]["lsoa"].to_numpy(dtype=object)
        return codes[mask] if mask is not None else codes[:0]

    def police_force_areas(self, code: str) -> pd.DataFrame:
        """Police force area(s) of a district: ``pfa``, ``pfa_name``, ``derived`` (bool).

        From the LAD 2019 (else 2018) -> CSP -> PFA lookups; for districts created since (North Yorkshire,
        Cumberland, ...) derived through the force areas of the 2018 districts their LSOAs lay in.

        Examples
        --------
        >>> Geography.load().police_force_areas("E06000063")
            pfa_code pfa_name  derived
        0  E23000002  Cumbria     True
        """
        rows = self._lad_pfa[self._lad_pfa["lad"] == code]
        derived = rows.empty
        if derived:
            members = self.members(code, "2011")
            olds = set(self._lad_index[self._lad_of["LAD18"][members]]) if members is not None else set()
            rows = self._lad_pfa[self._lad_pfa["lad"].isin(olds) & (self._lad_pfa["vintage"] == "2018")]
        else:
            rows = rows[rows["vintage"] == rows["vintage"].max()]
        out = rows[["pfa", "pfa_name"]].drop_duplicates().sort_values("pfa", ignore_index=True)
        return out.rename(columns={"pfa": "pfa_code"}).assign(derived=derived)

    # -- vintages ----------------------------------------------------------------------------------

    def _positions(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Position of each code in the 2011 and in the 2021 LSOA lookup (int64, -1 where absent)."""
        at = self._either.get_indexer(codes)
        return _ext(self._either_pos["2011"])[at], _ext(self._either_pos["2021"])[at]

    def _evidence(self, code_idx: np.ndarray, name_idx: np.ndarray, group_idx: np.ndarray, n_groups: int,
                  i11: np.ndarray, i21: np.ndarray, name_norm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Vintage evidence per group (see :class:`VintageChoice`), from the few rows that can carry any.

        Only a code known to one vintage, or a code known to both whose ONS name changed between them, can tell
        the vintages apart; the rows holding one are de-duplicated to distinct (group, code) and (group, code,
        name) and counted.
        """
        a, b = i11 >= 0, i21 >= 0
        renamed = a & b
        renamed[renamed] = self._renamed[i21[renamed]]
        nc, nn = len(i11) + 1, len(name_norm) + 1
        g64 = group_idx.astype(np.int64)
        s11 = np.zeros(n_groups, dtype=np.int64)
        s21 = np.zeros(n_groups, dtype=np.int64)
        # distinct codes known to one vintage only
        rows = np.flatnonzero(_ext(a ^ b, False)[code_idx])
        if rows.size:
            key = pd.unique(g64[rows] * nc + code_idx[rows])
            g, c = key // nc, key % nc
            s11 += np.bincount(g[a[c]], minlength=n_groups)
            s21 += np.bincount(g[b[c]], minlength=n_groups)
        # distinct (code, name) pairs whose name is one vintage's name for the code only
        rows = np.flatnonzero(_ext(renamed, False)[code_idx] & (name_idx >= 0))
        if rows.size:
            key = pd.unique((g64[rows] * nc + code_idx[rows]) * nn + name_idx[rows])
            n, c, g = key % nn, (key // nn) % nc, key // nn // nc
            given = name_norm[n]
            m11 = given == self._lsoa_name_norm["2011"][i11[c]]
            m21 = given == self._lsoa_name_norm["2021"][i21[c]]
            s11 += np.bincount(g[m11 & ~m21], minlength=n_groups)
            s21 += np.bincount(g[m21 & ~m11], minlength=n_groups)
        return s11, s21

    def file_vintage(self, codes: Sequence[str | None] | np.ndarray | pa.Array | pa.ChunkedArray,
                     names: Sequence[str | None] | np.ndarray | pa.Array | pa.ChunkedArray | None = None
                     ) -> VintageChoice:
        """The LSOA vintage of a set of codes (and their names), by the rule in the module notes.

        Examples
        --------
        >>> geo = Geography.load()
        >>> geo.file_vintage(["E01027678", "E01035154"]).vintage      # E01035154 is a 2021 code
        '2021'
        >>> geo.file_vintage(["E01030152"], ["Suffolk Coastal 004A"])  # a 2011 name of a persisting code
        VintageChoice(vintage='2011', evidence_2011=1, evidence_2021=0, decided_by='evidence')
        >>> geo.file_vintage(["E01027833"]).decided_by                  # in both, no name: a tie
        'tie'
        """
        code_arr = _codes(codes)
        idx = np.arange(len(code_arr))
        valid = pd.notna(code_arr)
        code_idx = np.where(valid, idx, -1)
        if names is None:
            name_norm = np.array([], dtype=object)
            name_idx = np.full(len(code_arr), -1)
        else:
            name_norm = _normalised(names)
            name_idx = np.where(pd.notna(name_norm), idx, -1)
        i11, i21 = self._positions(code_arr)
        s11, s21 = self._evidence(code_idx, name_idx, np.zeros(len(code_arr), np.int64), 1, i11, i21, name_norm)
        return _choice(int(s11[0]), int(s21[0]))

    def column_vintage(self, lsoa_code: pa.Array | pa.ChunkedArray,
                       lsoa_name: pa.Array | pa.ChunkedArray | None = None) -> VintageChoice:
        """:meth:`file_vintage` of a whole file's Arrow columns, worked out on their dictionaries.

        Each distinct code and name is trimmed, looked up and normalised once; the rows only index them, and
        the distinct codes and (code, name) pairs are found among those indices. This is how :meth:`place_rows`
        weighs the evidence of each file, so ingest and every engine choose the same vintage.

        Parameters
        ----------
        lsoa_code, lsoa_name : Arrow arrays
            One file's ``lsoa_code`` and ``lsoa_name`` columns (dictionary-encoded or plain; nulls allowed).

        Examples
        --------
        >>> import pyarrow as pa
        >>> geo = Geography.load()
        >>> codes = pa.array(["E01030152", "E01030152", None]).dictionary_encode()
        >>> geo.column_vintage(codes, pa.array(["Suffolk Coastal 004A", "Suffolk Coastal 004A", None]))
        VintageChoice(vintage='2011', evidence_2011=1, evidence_2021=0, decided_by='evidence')
        """
        code_dict, code_idx, name_dict, name_idx = _lsoa_parts(lsoa_code, lsoa_name)
        i11, i21 = self._positions(code_dict)
        s11, s21 = self._evidence(code_idx, name_idx, np.zeros(len(code_idx), np.int64), 1, i11, i21,
                                  _normalised(name_dict))
        return _choice(int(s11[0]), int(s21[0]))

    # -- placement keys (fixed at ingest) ---------------------------------------------------------

    def _cells(self, vintage: str) -> tuple[np.ndarray, dict[str, int]]:
        """Placement cell of every LSOA of ``vintage``, and the first LSOA of each cell (cached).

        A cell is the read vintage and the district codes that decide where any county puts an LSOA of it: for
        2021 codes ``"2021|LAD22|LAD23"``, for 2011 codes ``"2011|LAD18|LAD22|LAD23"`` (the last two those of the
        persisting 2021 code, ``-`` when it did not persist). :meth:`members` reads nothing else, so every LSOA
        of a cell lies in the same county district (or none) for every county, and in the same area.
        """
        if vintage not in self._cell_cache:
            codes = _ext(self._lad_index.to_numpy(dtype=object), "-")
            if vintage == "2021":
                parts = [codes[self._lad_of["LAD22"]], codes[self._lad_of["LAD23"]]]
            else:
                p = self._persist["2011"]
                parts = [codes[self._lad_of["LAD18"]], _ext(codes[self._lad_of["LAD22"]], "-")[p],
                         _ext(codes[self._lad_of["LAD23"]], "-")[p]]
            cells = np.full(len(parts[0]), vintage, dtype=object)
            for part in parts:
                cells = cells + "|" + part
            first = pd.Series(np.arange(len(cells)), index=cells)
            self._cell_cache[vintage] = (cells, first[~first.index.duplicated()].to_dict())
        return self._cell_cache[vintage]

    def _cell_ids(self) -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, pa.Array]]:
        """Per vintage, each lookup row's cell as a number; every cell's name; each vintage's codes (Arrow), cached."""
        if "ids" not in self._cell_cache:
            names = np.concatenate([self._cells(v)[0] for v in VINTAGES])
            ids, uniques = pd.factorize(pd.Series(names, dtype=object))
            ids = ids.astype(np.int32)
            n11 = len(self._cells("2011")[0])
            self._cell_cache["ids"] = ({"2011": ids[:n11], "2021": ids[n11:]}, uniques.to_numpy(dtype=object),
                                       {v: pa.array(self._lsoa[v]["lsoa"].to_numpy(dtype=object), pa.string())
                                        for v in VINTAGES})
        return self._cell_cache["ids"]

    def place_keys(self, lsoa_code: pa.Array | pa.ChunkedArray, lsoa_name: pa.Array | pa.ChunkedArray,
                   vintage: str) -> pa.DictionaryArray:
        """Each row's placement key, fixed when a file is cached: where it goes, for any county, in a few hundred
        values (:meth:`DistrictSet.place_keys` maps them to a county's districts).

        Computed on the columns' dictionaries (the file's distinct codes and names), not per row. A key is
        ``"<file vintage>|<cell>"`` for a code some lookup knows, read in ``vintage`` if that vintage's lookup
        has it, else in the other (the cell: :meth:`_cells`); ``"<file vintage>|name|<LSOA-name prefix>"`` for
        a code in no lookup, or a blank code, with a name (the name fallback); ``"<file vintage>|code|<code>"``
        for a code in no lookup without a name; ``"<file vintage>|none"`` when both are blank. The file vintage
        is kept so that a county district that cannot be placed with a vintage present is refused.

        Parameters
        ----------
        lsoa_code, lsoa_name : Arrow arrays
            One file's ``lsoa_code`` and ``lsoa_name`` columns (dictionary-encoded or plain; nulls allowed).
        vintage : {"2011", "2021"}
            The file's LSOA vintage (:meth:`file_vintage`).

        Returns
        -------
        pyarrow.DictionaryArray
            int32 indices into the file's distinct keys (str); never null.

        Examples
        --------
        >>> import pyarrow as pa
        >>> geo = Geography.load()
        >>> keys = geo.place_keys(pa.array(["E01027678", "X", None, None]),
        ...                       pa.array(["Harrogate 015E", None, "Narnia 001A", None]), "2021")
        >>> keys.to_pylist()  # doctest: +NORMALIZE_WHITESPACE
        ['2021|2021|E07000165|E06000065', '2021|code|X', '2021|name|Narnia', '2021|none']
        """
        if vintage not in VINTAGES:
            raise ValueError(f"vintage must be one of {VINTAGES}, not {vintage!r}")
        other = "2011" if vintage == "2021" else "2021"
        # The dictionaries stay in Arrow and the cells are numbers: no Python object per distinct code.
        code_dict, code_idx = _arrow_parts(lsoa_code)
        name_dict, name_idx = _arrow_parts(lsoa_name)
        cell_of, cell_names, lookup = self._cell_ids()
        codes = pc.utf8_upper(pc.utf8_trim_whitespace(code_dict))
        codes = pc.if_else(pc.equal(codes, ""), pa.scalar(None, pa.string()), codes)
        own = pc.index_in(codes, value_set=lookup[vintage]).fill_null(-1).to_numpy(zero_copy_only=False)
        alt = pc.index_in(codes, value_set=lookup[other]).fill_null(-1).to_numpy(zero_copy_only=False)
        cell = np.where(own >= 0, _ext(cell_of[vintage])[own], np.where(alt >= 0, _ext(cell_of[other])[alt], -1))
        used = np.flatnonzero(np.bincount(cell[cell >= 0], minlength=len(cell_names)))
        local = np.full(len(cell_names), -1, dtype=np.int32)
        local[used] = np.arange(len(used), dtype=np.int32)
        prefix = vintage + "|"
        # Rows whose code a lookup knows (nearly all) take their code's cell: one gather. Only the others are
        # looked at further: their names (the regex runs on those few), else their code, else "none".
        row = _ext(np.where(cell >= 0, local[cell], -1).astype(np.int32))[code_idx]
        rest = np.flatnonzero(row < 0)
        ci, ni = code_idx[rest], name_idx[rest]
        rest_codes = np.asarray(codes.take(pa.array(ci, mask=ci < 0)).to_pylist(), dtype=object)
        rest_names = np.asarray(name_dict.take(pa.array(ni, mask=ni < 0)).to_pylist(), dtype=object)
        has_name = _present(rest_names) if len(rest) else np.zeros(0, dtype=bool)
        has_code = pd.notna(rest_codes).astype(bool)
        fallback = np.full(len(rest), prefix + "none", dtype=object)
        if has_name.any():
            fallback[has_name] = prefix + "name|" + _prefix(rest_names[has_name]).astype(object)
        by_code = ~has_name & has_code
        fallback[by_code] = prefix + "code|" + rest_codes[by_code].astype(object)
        fallback_id, fallbacks = pd.factorize(pd.Series(fallback, dtype=object))
        row[rest] = len(used) + fallback_id
        keys = np.concatenate([prefix + cell_names[used], fallbacks.to_numpy(dtype=object)])
        return pa.DictionaryArray.from_arrays(pa.array(row, pa.int32()), pa.array(keys, type=pa.string()))

    # -- wards -------------------------------------------------------------------------------------

    def wards(self, codes: Sequence[str | None] | np.ndarray, vintage: str | None = None,
              lookup: str | None = None) -> pd.DataFrame:
        """Electoral ward and district of each LSOA code, in the codes' own vintage.

        Parameters
        ----------
        codes : sequence of str
            LSOA codes (e.g. the distinct codes of a file).
        vintage : {"2011", "2021"}, optional
            Their LSOA vintage; default chosen by :meth:`file_vintage`. A code only the other vintage knows is
            read in that one.
        lookup : {"LAD22", "LAD23"}, optional
            For 2021 codes, the wards and districts of May 2022 or (default) May 2023. 2011 codes use 2018.

        Returns
        -------
        DataFrame
            One row per input code: ``lsoa_code``, ``vintage``, ``ward_code``, ``ward_name``, ``ward_name_welsh``,
            ``district_code``, ``district_name``, ``lookup`` (``LAD18``/``LAD22``/``LAD23``); missing where the
            code is in no lookup.

        Examples
        --------
        >>> Geography.load().wards(["E01027678", "E01029876"])[["lsoa_code", "ward_name", "district_name"]]
           lsoa_code                           ward_name    district_name
        0  E01027678  Valley Gardens & Central Harrogate  North Yorkshire
        1  E01029876                  North West Cosford          Babergh
        """
        code_arr = _codes(codes)
        if vintage is None:
            vintage = self.file_vintage(code_arr).vintage
        lookup21 = lookup or "LAD23"
        if lookup21 not in ("LAD22", "LAD23"):
            raise ValueError(f"lookup must be 'LAD22' or 'LAD23', not {lookup!r}")
        out = pd.DataFrame({"lsoa_code": code_arr})
        cols = ["vintage", "ward_code", "ward_name", "ward_name_welsh", "district_code", "district_name", "lookup"]
        for col in cols:
            out[col] = pd.Series([None] * len(out), dtype=object)
        other = "2011" if vintage == "2021" else "2021"
        taken = np.zeros(len(out), dtype=bool)
        for v in (vintage, other):
            pos = self._index[v].get_indexer(code_arr)
            use = (pos >= 0) & ~taken
            taken |= use
            lk = "LAD18" if v == "2011" else lookup21
            year = WARD_YEARS[lk][2:]
            t = self._lsoa[v].iloc[pos[use]]
            lad = t[lk.lower()].to_numpy(dtype=object)
            values = {
                "vintage": v, "ward_code": t[f"ward{year}"].to_numpy(dtype=object),
                "ward_name": t[f"ward{year}_name"].to_numpy(dtype=object),
                "ward_name_welsh": t[f"ward{year}_name_welsh"].to_numpy(dtype=object),
                "district_code": lad,
                "district_name": self.districts["name"].reindex(lad).to_numpy(dtype=object), "lookup": lk,
            }
            for col, val in values.items():
                out.loc[use, col] = val
        return out


@cache
def lookups_fingerprint(directory: str | Path | None = None) -> str:
    """sha256 of the packaged lookup files (part of the processed cache's key: placement keys depend on them)."""
    folder = Path(directory) if directory is not None else GEOGRAPHY_DIR
    h = hashlib.sha256()
    for name in ("lsoa11.parquet", "lsoa21.parquet", "lads.parquet"):
        path = folder / name
        h.update(name.encode())
        h.update(path.read_bytes() if path.is_file() else b"missing")
    return h.hexdigest()


@cache
def _load(directory: str) -> Geography:
    folder = Path(directory)
    dict_cols = {
        "lsoa11.parquet": ["ward18", "ward18_name", "ward18_name_welsh", "lad18"],
        "lsoa21.parquet": ["ward22", "ward22_name", "ward22_name_welsh", "lad22",
                           "ward23", "ward23_name", "ward23_name_welsh", "lad23"],
    }
    tables = {}
    for name in ("lsoa11.parquet", "lsoa21.parquet", "lads.parquet", "lad_pfa.parquet"):
        path = folder / name
        if not path.is_file():
            raise InputError("is missing", file=path,
                             expected="the packaged geography lookups (rebuild with tools/build_geography.py)")
        tables[name] = pq.read_table(path, read_dictionary=dict_cols.get(name)).to_pandas()
    lad_pfa = tables["lad_pfa.parquet"].astype({"vintage": str})
    return Geography(tables["lsoa11.parquet"], tables["lsoa21.parquet"], tables["lads.parquet"], lad_pfa)


def _choice(s11: int, s21: int, given: str | None = None) -> VintageChoice:
    if given is not None:
        if given not in VINTAGES:
            raise ValueError(f"vintage must be one of {VINTAGES}, not {given!r}")
        return VintageChoice(given, s11, s21, "given")
    if s11 == s21:
        return VintageChoice("2021", s11, s21, "tie")
    return VintageChoice("2011" if s11 > s21 else "2021", s11, s21, "evidence")


# --------------------------------------------------------------------------------------------------
# A county's districts


@dataclass(frozen=True)
class DistrictSet:
    """A county's resolved districts, ready to place LSOA codes (build with :meth:`Geography.resolve_districts`).

    Attributes
    ----------
    geography : Geography
    districts : tuple of ResolvedDistrict
        In county order: ``district`` positions index this.
    file : str or Path or None
        The ``county.toml``, for messages.
    """

    geography: Geography
    districts: tuple[ResolvedDistrict, ...]
    file: str | Path | None = None
    _owner: dict[str, np.ndarray] = field(init=False, repr=False, compare=False)
    _unplaceable: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)
    _name_map: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        geo = self.geography
        seen: dict[str, int] = {}
        for pos, d in enumerate(self.districts):
            if d.code in seen:
                first = self.districts[seen[d.code]]
                raise InputError(
                    f"{d.label} is listed twice (also as {first.name!r}, [[districts]] {seen[d.code] + 1})",
                    file=self.file, where=f"[[districts]] {pos + 1}", expected="each district once")
            seen[d.code] = pos
        owner: dict[str, np.ndarray] = {}
        unplaceable: dict[str, tuple[int, ...]] = {}
        for v in VINTAGES:
            own = np.full(len(geo._index[v]), -1, dtype=np.int32)
            missing = []
            for pos, d in enumerate(self.districts):
                mask = geo.members(d.code, v)
                if mask is None:
                    missing.append(pos)
                    continue
                clash = own[mask]
                clash = clash[clash >= 0]
                if clash.size:
                    raise self._overlap(self.districts[int(clash[0])], d, pos, v, int(clash.size))
                own[mask] = pos
            owner[v] = own
            unplaceable[v] = tuple(missing)
        object.__setattr__(self, "_owner", owner)
        object.__setattr__(self, "_unplaceable", unplaceable)
        object.__setattr__(self, "_name_map", self._names())

    def _overlap(self, first: ResolvedDistrict, second: ResolvedDistrict, pos: int, vintage: str,
                 count: int) -> InputError:
        how = ""
        for old, new in ((first, second), (second, first)):
            if new.code in old.successors:
                how = f" ({old.name} became part of {new.name})"
        return InputError(
            f"{second.label} and {first.label} overlap: {count} LSOAs in {vintage} lie in both{how}",
            file=self.file, where=f"[[districts]] {pos + 1}",
            expected="districts that do not overlap: list a successor authority or the districts it replaced, "
                     "not both")

    def _names(self) -> dict[str, int]:
        """Normalised name -> district position, for the name fallback."""
        geo = self.geography
        out: dict[str, int] = {}
        source: dict[str, str] = {}

        def add(name: str, pos: int, what: str) -> None:
            key = normalise_name(name)
            if key in out and out[key] != pos:
                other = self.districts[out[key]]
                raise InputError(
                    f"{what} {name!r} of {self.districts[pos].name} is also {source[key]} of {other.name}",
                    file=self.file, where=f"[[districts]] {pos + 1}",
                    expected="names and aliases that identify one district each")
            out[key], source[key] = pos, what

        for pos, d in enumerate(self.districts):
            for n in geo._names_of[d.code]:
                add(n, pos, "the official name")
            for code in geo._closure(d.code, forward=False, whole_only=True):
                for n in geo._names_of[code]:
                    add(n, pos, "the name of a district it replaced")
        for pos, d in enumerate(self.districts):
            for alias in d.aliases:
                add(alias, pos, "the alias")
        # LSOA-name prefixes that the lookups use only for one district's LSOAs (in every vintage).
        frames = [pd.DataFrame({"prefix": geo._lsoa_prefix[v], "pos": self._owner[v]}) for v in VINTAGES]
        span = pd.concat(frames).groupby("prefix")["pos"].agg(["min", "max"])
        exclusive = span[(span["min"] == span["max"]) & (span["min"] >= 0)]
        for prefix, pos in exclusive["min"].items():
            out.setdefault(str(prefix), int(pos))
        return out

    # -- public ------------------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        """District names in county order."""
        return [d.name for d in self.districts]

    @property
    def fallback_names(self) -> dict[str, int]:
        """Normalised names -> position used by the name fallback (a copy)."""
        return dict(self._name_map)

    def placeable(self, vintage: str) -> list[str]:
        """Names of the districts that codes of ``vintage`` can be placed in."""
        return [d.name for i, d in enumerate(self.districts) if i not in self._unplaceable[vintage]]

    def placement(self, codes: Sequence[str | None] | np.ndarray | pa.Array,
                  names: Sequence[str | None] | np.ndarray | pa.Array | None = None, *,
                  file: str | Path | None = None, vintage: str | None = None) -> Placement:
        """Place a set of LSOA codes (typically the distinct codes of one file) in the county's districts.

        Parameters
        ----------
        codes : sequence of str
            LSOA codes; missing or blank allowed.
        names : sequence of str, optional
            Their LSOA names, aligned with ``codes`` (for the vintage evidence and the name fallback).
        file : str or Path, optional
            The file the codes come from, for messages.
        vintage : {"2011", "2021"}, optional
            Force the vintage instead of choosing it from the evidence.

        Returns
        -------
        Placement

        Raises
        ------
        InputError
            A county district cannot be placed with codes of the chosen vintage (abolished before 2022 and the
            codes are 2021 ones): the message names the district that replaced it.

        Examples
        --------
        >>> geo = Geography.load()
        >>> county = geo.resolve_districts(["Scarborough", "Ryedale"])
        >>> codes = ["E01027833", "E01027827"]         # Scarborough 014E and 014A
        >>> county.placement(codes, ["Scarborough 014E", "Scarborough 014A"]).table["district"].tolist()
        [1, 0]
        >>> county.placement(codes, vintage="2011").table["district"].tolist()
        [0, 0]
        """
        code_arr = _codes(_to_numpy(codes))
        n = len(code_arr)
        name_arr = np.full(n, None, dtype=object) if names is None else np.asarray(_to_numpy(names), dtype=object)
        if len(name_arr) != n:
            raise ValueError(f"{len(name_arr)} names for {n} codes")
        idx = np.arange(n)
        code_idx = np.where(pd.notna(code_arr), idx, -1)
        name_idx = np.where(_present(name_arr), idx, -1)
        label = [str(file)] if file is not None else ["the codes given"]
        res, read = self._place(code_arr, code_idx, name_arr, name_idx, np.zeros(n, dtype=np.int64), label,
                                vintage)
        district = res.district.astype(np.int64)
        names_list = np.array([*self.names, None], dtype=object)
        table = pd.DataFrame({
            "lsoa_code": code_arr, "lsoa_name": name_arr, "district": district,
            "district_name": names_list[district], "method": res.method, "no_lsoa": res.method == "no_lsoa",
            "vintage": _ext(read[res.groups.at[0, "vintage"]], None)[code_idx], "area": res.area,
        })
        g = res.groups.iloc[0]
        choice = VintageChoice(str(g["vintage"]), int(g["evidence_2011"]), int(g["evidence_2021"]),
                               str(g["decided_by"]))
        return Placement(table, choice)

    def place_rows(self, lsoa_code: pa.Array | pa.ChunkedArray, lsoa_name: pa.Array | pa.ChunkedArray | None = None,
                   group: pa.Array | pa.ChunkedArray | None = None, *,
                   vintage: str | Mapping[str, str] | None = None) -> RowPlacement:
        """Place every row of an Arrow table, working on dictionary indices (cheap at national scale).

        Parameters
        ----------
        lsoa_code, lsoa_name : Arrow arrays
            The ``lsoa_code`` and ``lsoa_name`` columns (dictionary-encoded or plain; nulls allowed).
        group : Arrow array, optional
            The file of each row (e.g. the ``source`` column of :func:`csa_analysis.load.combine`): the vintage is
            chosen per group. Default: one group.
        vintage : {"2011", "2021"} or mapping, optional
            Force the vintage of every group, or of the groups named in a mapping ``{group label: vintage}``
            (e.g. each file's :meth:`Geography.file_vintage` recorded when the whole file was read, for when the
            rows at hand are only part of a file, as in a Dask partition). Other groups use their evidence.

        Returns
        -------
        RowPlacement

        Raises
        ------
        InputError
            As :meth:`placement`, naming the first file of the refused vintage.

        Examples
        --------
        >>> import pyarrow as pa
        >>> county = Geography.load().resolve_districts(["East Suffolk"])
        >>> codes = pa.array(["E01030152", "E01030152", None]).dictionary_encode()
        >>> names = pa.array(["Suffolk Coastal 004A", "East Suffolk 019A", None])
        >>> files = pa.array(["2018-10-suffolk", "2025-01-suffolk", "2025-01-suffolk"])
        >>> rows = county.place_rows(codes, names, files)
        >>> rows.district.tolist(), list(rows.method), rows.groups["vintage"].tolist()
        ([0, 0, -1], ['code', 'code', 'no_lsoa'], ['2011', '2021'])
        """
        code_dict, code_idx, name_dict, name_idx = _lsoa_parts(lsoa_code, lsoa_name)
        n = len(code_idx)
        if group is None:
            labels, group_idx = ["all rows"], np.zeros(n, dtype=np.int64)
        else:
            gd, group_idx = _dict_parts(group)
            labels = [str(x) for x in gd]
            group_idx = np.where(group_idx >= 0, group_idx, len(labels))
            labels.append("rows without a file")
        return self._place(code_dict, code_idx, name_dict, name_idx, group_idx, labels, vintage)[0]

    def _place(self, code_dict: np.ndarray, code_idx: np.ndarray, name_dict: np.ndarray, name_idx: np.ndarray,
               group_idx: np.ndarray, labels: list[str], vintage: str | Mapping[str, str] | None
               ) -> tuple[RowPlacement, dict[str, np.ndarray]]:
        """Rows placed, and per distinct code the vintage it is read in when its file is of each vintage."""
        geo = self.geography
        n_groups = len(labels)
        i11, i21 = geo._positions(code_dict)
        name_norm = _normalised(name_dict)
        s11, s21 = geo._evidence(code_idx, name_idx, group_idx, n_groups, i11, i21, name_norm)
        given = vintage if isinstance(vintage, Mapping) else dict.fromkeys(labels, vintage)
        choices = [_choice(int(a), int(b), given.get(label)) for label, a, b in zip(labels, s11, s21, strict=True)]
        present = np.bincount(group_idx, minlength=n_groups) > 0
        choice_arr = np.array([VINTAGES.index(c.vintage) for c in choices], dtype=np.int8)
        for v in VINTAGES:
            files = [labels[g] for g in range(n_groups) if present[g] and choices[g].vintage == v]
            if files and self._unplaceable[v]:
                raise self._refusal(self._unplaceable[v][0], v, files[0])

        # Per distinct code, for each vintage of reading: district position, lookup read in, area id.
        lad_names = geo.districts["name"].to_numpy(dtype=object)
        per_vintage = {}
        idx = {"2011": i11, "2021": i21}
        for v in VINTAGES:
            other = "2011" if v == "2021" else "2021"
            own, alt = idx[v], idx[other]
            use_own, use_alt = own >= 0, (own < 0) & (alt >= 0)
            district = np.full(len(code_dict), -1, dtype=np.int32)
            district[use_own] = self._owner[v][own[use_own]]
            district[use_alt] = self._owner[other][alt[use_alt]]
            area = np.full(len(code_dict), -1, dtype=np.int64)
            area[use_own] = geo._lad_of[_NEWEST[v]][own[use_own]]
            area[use_alt] = geo._lad_of[_NEWEST[other]][alt[use_alt]]
            read = np.full(len(code_dict), None, dtype=object)
            read[use_own], read[use_alt] = v, other
            per_vintage[v] = (district, area, read)

        # Name fallback per distinct name.
        prefixes = _prefix(name_dict)
        fallback = pd.Series(_normalised(prefixes), dtype=object).map(self._name_map)
        fallback = fallback.fillna(-1).to_numpy(dtype=np.int32)

        row_v = choice_arr[group_idx]
        known_code = _ext((i11 >= 0) | (i21 >= 0), False)[code_idx]
        d11, d21 = (_ext(per_vintage[v][0]) for v in VINTAGES)
        district = np.where(row_v == 0, d11[code_idx], d21[code_idx])
        district = np.where(known_code, district, _ext(fallback)[name_idx]).astype(np.int32)
        no_lsoa = (code_idx < 0) & (name_idx < 0)
        method = np.where(known_code, 0, np.where(no_lsoa, 2, 1)).astype(np.int8)

        # Area per row: district names (ids 0..K-1), then name prefixes, then unknown codes.
        k, nn = len(lad_names), len(name_dict)
        a11, a21 = (_ext(per_vintage[v][1]) for v in VINTAGES)
        area_id = np.where(row_v == 0, a11[code_idx], a21[code_idx])
        area_id = np.where(known_code, area_id,
                           np.where(name_idx >= 0, k + name_idx, np.where(code_idx >= 0, k + nn + code_idx, -1)))
        raw = np.concatenate([lad_names, prefixes, code_dict.astype(object)])
        ids, uniques = pd.factorize(pd.Series(raw, dtype=object))
        area = pd.Categorical.from_codes(np.where(area_id >= 0, _ext(ids)[area_id], -1), categories=uniques)

        groups = pd.DataFrame({
            "group": labels, "vintage": [c.vintage for c in choices],
            "evidence_2011": [c.evidence_2011 for c in choices], "evidence_2021": [c.evidence_2021 for c in choices],
            "decided_by": [c.decided_by for c in choices],
        })[present].reset_index(drop=True)
        rows = RowPlacement(district, pd.Categorical.from_codes(method, categories=list(METHODS)), area, groups)
        return rows, {v: per_vintage[v][2] for v in VINTAGES}

    def place_keys(self, keys: Sequence[str] | np.ndarray) -> pd.DataFrame:
        """Where the rows of each placement key go (the keys of :meth:`Geography.place_keys`, fixed at ingest).

        The same rules as :meth:`place_rows` on the rows' codes, names and file vintages (each cell is placed by
        its first LSOA: every LSOA of a cell goes to the same district), on a few hundred keys instead of the rows.

        Parameters
        ----------
        keys : sequence of str
            Distinct placement keys.

        Returns
        -------
        DataFrame
            One row per key, in order: ``district`` (int64: position in the county's districts, -1 out of area
            or no LSOA), ``method`` (int8 index into :data:`METHODS`), ``area`` (as :attr:`RowPlacement.area`:
            the district the LSOA lies in, newest name of its lookup vintage, the LSOA-name prefix for the name
            fallback, the code for an unknown code without a name; missing for no LSOA) and ``vintage`` (the
            file's LSOA vintage).

        Raises
        ------
        ValueError
            A key that is not a placement key of these lookups (a cache built with other lookups).

        Examples
        --------
        >>> county = Geography.load().resolve_districts(["North Yorkshire"])
        >>> county.place_keys(["2021|2021|E07000165|E06000065", "2021|name|Harrogate", "2011|none"])
           district  method             area vintage
        0         0       0  North Yorkshire    2021
        1         0       1        Harrogate    2021
        2        -1       2              NaN    2011
        """
        geo = self.geography
        parts = pd.Series(np.asarray(keys, dtype=object), dtype=object).str.split("|", n=2, expand=True)
        parts = parts.reindex(columns=range(3))
        file_vintage = parts[0].to_numpy(dtype=object)
        kind = parts[1].to_numpy(dtype=object)
        rest = parts[2].to_numpy(dtype=object)
        n = len(file_vintage)
        district = np.full(n, -1, dtype=np.int64)
        method = np.full(n, METHODS.index("name"), dtype=np.int8)
        area = np.full(n, None, dtype=object)
        lad_names = _ext(geo.districts["name"].to_numpy(dtype=object), None)
        for v in VINTAGES:  # two vintages, not rows
            use = kind == v
            if not use.any():
                continue
            first = pd.Series(v + "|" + rest[use], dtype=object).map(geo._cells(v)[1])
            if first.isna().any():
                raise ValueError(f"placement keys of no lookup cell: {list(np.asarray(keys)[use][first.isna()][:3])}"
                                 " (a cache built with other lookups: rebuild it)")
            lsoa = first.to_numpy(dtype=np.int64)
            district[use] = self._owner[v][lsoa]
            method[use] = METHODS.index("code")
            area[use] = lad_names[geo._lad_of[_NEWEST[v]][lsoa]]
        named = kind == "name"
        if named.any():
            district[named] = pd.Series(_normalised(rest[named]), dtype=object).map(self._name_map).fillna(-1)
            area[named] = rest[named]
        area[kind == "code"] = rest[kind == "code"]
        method[kind == "none"] = METHODS.index("no_lsoa")
        unknown = ~np.isin(kind, [*VINTAGES, "name", "code", "none"])
        if unknown.any():
            raise ValueError(f"not placement keys: {list(np.asarray(keys)[unknown][:3])}")
        return pd.DataFrame({"district": district, "method": method, "area": area, "vintage": file_vintage})

    def check_vintages(self, files: Mapping[str, str]) -> None:
        """Refuse (:class:`InputError`) a district that cannot be placed with the LSOA vintage of some file.

        ``files`` maps each file holding rows, in order, to its vintage; the message names the first file of
        the refused vintage (as :meth:`place_rows` does).
        """
        for v in VINTAGES:
            named = [f for f, fv in files.items() if fv == v]
            if named and self._unplaceable[v]:
                raise self._refusal(self._unplaceable[v][0], v, named[0])

    def _refusal(self, pos: int, vintage: str, file: str) -> InputError:
        d = self.districts[pos]
        geo = self.geography
        held = _join([{"LAD18": "2018", "LAD22": "2022", "LAD23": "2023"}[lk] for lk in d.lookups])
        if vintage == "2021":
            later = [c for c in d.successors if geo.members(c, "2021") is not None]
            names = [f"{geo.districts.at[c, 'name']} ({c})" for c in later]
            problem = (f"{d.label} cannot be placed with 2021 LSOA codes: it is in the {held} district lookup "
                       f"only, and the 2022 and 2023 lookups place its former area in {_join(names)}")
            successor = _join([str(geo.districts.at[c, "name"]) for c in later])
            expected = (f"a district of these files' lookups: name {successor}"
                        f" in county.toml in place of {d.name} (it also receives {d.name}'s records from older files)")
        else:
            problem = f"{d.label} cannot be placed with 2011 LSOA codes: no 2011 LSOA lies in it"
            expected = "a district of the 2018 lookup, or one whose predecessors are in it"
        return InputError(problem, file=file, where=f"district {d.name!r}", expected=expected)

    def why_no_records(self, district: int | str, *, codes_seen: Iterable[str] = (),
                       forces_seen: Iterable[str] = (), source: str = "police_uk/") -> str:
        """Explain why a district received no record (for the pipeline's "district with no records" error).

        Parameters
        ----------
        district : int or str
            Position in the county or its name.
        codes_seen : iterable of str
            Every distinct LSOA code in the files read.
        forces_seen : iterable of str
            The forces of those files (``Falls within``), e.g. ``["Leicestershire Police"]``.
        source : str
            How to name the files in the message.

        Examples
        --------
        >>> county = Geography.load().resolve_districts(["Melton", "Rutland"])
        >>> text = county.why_no_records("Rutland", codes_seen=["E01029876"], forces_seen=["Suffolk Constabulary"])
        >>> print(text)  # doctest: +NORMALIZE_WHITESPACE
        Rutland received no records: no file in police_uk/ holds an LSOA in Rutland (E06000017); Rutland is in
        the Leicestershire police force area (E23000021), and the files come from Suffolk Constabulary only
        """
        pos = district if isinstance(district, int) else self.names.index(district)
        d = self.districts[pos]
        geo = self.geography
        seen = pd.Index(_codes(list(codes_seen))).dropna().unique()
        area = np.concatenate([geo.lsoas(d.code, v) for v in VINTAGES])
        hits = int(pd.Index(area).unique().isin(seen).sum())
        if hits:
            text = (f"{d.name} received no records although the files hold {hits} LSOA codes that lie in {d.label} "
                    "in some lookup vintage: read in the files' own vintage they lie elsewhere")
        else:
            text = f"{d.name} received no records: no file in {source} holds an LSOA in {d.label}"
        pfa = geo.police_force_areas(d.code)
        if len(pfa):
            areas = _join([f"{r.pfa_name} police force area ({r.pfa_code})" for r in pfa.itertuples()])
            text += f"; {d.name} is in the {areas}"
            forces = sorted({str(f) for f in forces_seen})
            wanted = [normalise_name(n) for n in pfa["pfa_name"]]
            if forces and not any(w in normalise_name(f) for w in wanted for f in forces):
                text += f", and the files come from {_join(forces)} only"
        if d.successors:
            names = [f"{geo.districts.at[c, 'name']} ({c})" for c in d.successors]
            text += f"; {d.name} was abolished and its area is now in {_join(names)}"
        return text


def _to_numpy(values: Any) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray | pa.Array):
        values = values.to_pylist()
    return np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=object)


def _arrow_parts(arr: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """Dictionary (an Arrow string array) and indices (int64, -1 for null) of an Arrow column, without turning the
    dictionary into Python objects; chunks that already share one dictionary are not unified again."""
    if isinstance(arr, pa.ChunkedArray):
        if not pa.types.is_dictionary(arr.type):
            arr = arr.combine_chunks()
        elif arr.num_chunks == 0:
            return pa.array([], pa.string()), np.zeros(0, dtype=np.int64)
        else:
            chunks = arr.chunks
            if not all(c.dictionary.equals(chunks[0].dictionary) for c in chunks[1:]):
                chunks = arr.unify_dictionaries().chunks
            indices = np.concatenate([c.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
                                      for c in chunks])
            return chunks[0].dictionary.cast(pa.string()), indices
    if not pa.types.is_dictionary(arr.type):
        arr = arr.cast(pa.string()).dictionary_encode()
    return arr.dictionary.cast(pa.string()), arr.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _lsoa_parts(lsoa_code: pa.Array | pa.ChunkedArray, lsoa_name: pa.Array | pa.ChunkedArray | None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct codes (trimmed, upper-cased; missing where blank) and distinct names of LSOA columns, and each
    row's index into them (int64; -1 where the code is blank, or the name blank or not given)."""
    code_dict, code_idx = _dict_parts(lsoa_code)
    if lsoa_name is None:
        name_dict, name_idx = np.array([], dtype=object), np.full(len(code_idx), -1, dtype=np.int64)
    else:
        name_dict, name_idx = _dict_parts(lsoa_name)
    code_dict = _codes(code_dict)
    code_idx = np.where(_ext(pd.notna(code_dict).astype(bool), False)[code_idx], code_idx, -1)
    name_idx = np.where(_ext(_present(name_dict), False)[name_idx], name_idx, -1)
    return code_dict, code_idx, name_dict, name_idx


def _dict_parts(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Dictionary values (object array) and indices (int64, -1 for null) of an Arrow column."""
    if isinstance(arr, pa.ChunkedArray) and pa.types.is_dictionary(arr.type) and arr.num_chunks:
        chunks = arr.chunks
        if not all(c.dictionary.equals(chunks[0].dictionary) for c in chunks[1:]):  # else already one dictionary
            chunks = arr.unify_dictionaries().chunks
        indices = np.concatenate([c.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
                                  for c in chunks])
        return np.asarray(chunks[0].dictionary.to_pylist(), dtype=object), indices
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.unify_dictionaries().combine_chunks() if pa.types.is_dictionary(arr.type) else arr.combine_chunks()
    if not pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_encode()
    indices = arr.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return np.asarray(arr.dictionary.to_pylist(), dtype=object), indices


# --------------------------------------------------------------------------------------------------
# Module-level shortcuts on the packaged lookups


def resolve_district(name: str | None, code: str | None = None, *, aliases: Iterable[str] = ()) -> ResolvedDistrict:
    """:meth:`Geography.resolve_district` on the packaged lookups.

    Examples
    --------
    >>> resolve_district("Suffolk Coastal").successors
    ('E07000244',)
    """
    return Geography.load().resolve_district(name, code, aliases=aliases)


def resolve_districts(districts: Iterable[Any], *, file: str | Path | None = None) -> DistrictSet:
    """:meth:`Geography.resolve_districts` on the packaged lookups.

    Examples
    --------
    >>> resolve_districts(["Babergh", {"name": "Ipswich", "code": "E07000202"}]).names
    ['Babergh', 'Ipswich']
    """
    return Geography.load().resolve_districts(districts, file=file)


def placement(codes: Sequence[str | None] | np.ndarray | pa.Array,
              names: Sequence[str | None] | np.ndarray | pa.Array | None, districts: DistrictSet, *,
              file: str | Path | None = None, vintage: str | None = None) -> Placement:
    """:meth:`DistrictSet.placement` (the county's districts come from :func:`resolve_districts`).

    Examples
    --------
    >>> county = resolve_districts(["North Yorkshire"])
    >>> placement(["E01027678"], ["Harrogate 015E"], county).table["district_name"].tolist()
    ['North Yorkshire']
    """
    return districts.placement(codes, names, file=file, vintage=vintage)


def ward_lookup(codes: Sequence[str | None] | np.ndarray, vintage: str | None = None,
                lookup: str | None = None) -> pd.DataFrame:
    """:meth:`Geography.wards` on the packaged lookups (ward code and name per LSOA code)."""
    return Geography.load().wards(codes, vintage, lookup)
