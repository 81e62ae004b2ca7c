"""Local issues: partner and force data as monthly counts (``DIR/local/*.csv``), on the police.uk grid.

police.uk's 14 crime types cannot show domestic abuse, sexual violence, hate crime or exploitation, which are what
county escalation is usually about. A county declares such issues in ``county.toml`` (``[[issues]]`` with a
``source``; optional ``harm_weight`` and ``unit_cost_gbp``, each with its source; ``illustrative = true`` for
invented figures) and gives their counts in one or more CSV files with the columns

``month``
    ``YYYY-MM``;
``district``
    the district's official name, a declared alias, or its ONS code;
``issue``
    the name of a declared local issue;
``count``
    a whole number of incidents, 0 or more.

:func:`read_local_counts` reads every file with :func:`csa_analysis.config.read_table` (the one strict reader of
user tables) and refuses, naming the file and row: an unknown issue or district, a negative or fractional count,
a month that is not ``YYYY-MM`` or lies outside the months of the police.uk data, and the same month, district and
issue given twice (in one file or across files). It returns the same ``district, issue, month, count`` frame as
:mod:`csa_analysis.ingest.counts`, which :func:`csa_analysis.run.pipeline.score_quarter` adds before scoring,
and the months each issue covers: a quarter is compared only when all its months are covered.

A month that an issue covers (some district has a row for it) but that has no row for a district counts 0 for
that district; how many such district-months there are is reported in the data-quality account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from csa_analysis.config.county import County
from csa_analysis.config.tables import MAX_SETTING, Column, Schema, read_table
from csa_analysis.errors import InputError

#: The columns of a local counts file, checked by :func:`csa_analysis.config.read_table`.
LOCAL_SCHEMA = Schema("local issue counts (month, district, issue, count)", (
    Column("month", expected="a month written YYYY-MM, e.g. 2025-10"),
    Column("district", "district"),
    Column("issue", "issue", expected="a local issue declared in county.toml [[issues]]"),
    Column("count", "integer", minimum=0, maximum=MAX_SETTING, expected="a whole number of incidents"),
))
_MONTH = r"\d{4}-(0[1-9]|1[0-2])"


@dataclass(frozen=True)
class LocalCounts:
    """The local issues' counts and what the data-quality account says about them.

    Attributes
    ----------
    counts : DataFrame
        ``district``, ``issue``, ``month`` (``YYYY-MM``), ``count`` (int64, incidents): one row per row given.
    coverage : dict of str to tuple of str
        Per declared local issue, the months it covers (sorted; empty when no row names the issue).
    rows : dict of str to int
        Rows read per file name.
    missing_district_months : dict of str to int
        Per issue, district-months inside the months it covers with no row (counted as 0).
    """

    counts: pd.DataFrame
    coverage: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    missing_district_months: dict[str, int] = field(default_factory=dict)

    def quality(self) -> dict[str, Any]:
        """The ``local`` entry of the data-quality account (JSON-ready)."""
        return {"files": dict(self.rows),
                "issues": {i: {"months": list(m), "first": m[0] if m else None, "last": m[-1] if m else None,
                               "incidents": int(self.counts.loc[self.counts["issue"] == i, "count"].sum()),
                               "district_months_without_row": int(self.missing_district_months.get(i, 0))}
                           for i, m in self.coverage.items()}}


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"district": pd.Series([], dtype="str"), "issue": pd.Series([], dtype="str"),
                         "month": pd.Series([], dtype="str"), "count": pd.Series([], dtype="int64")})


def read_local_counts(county: County, months_in_data: Sequence[str]) -> LocalCounts:
    """Read and check every ``DIR/local/*.csv`` of the county.

    Parameters
    ----------
    county : County
        Its declared local issues (``[[issues]]`` with a ``source``), districts (names, aliases, ONS codes) and
        ``local_files``.
    months_in_data : sequence of str
        The months of the police.uk data (``YYYY-MM``): a local month outside their span is refused.

    Returns
    -------
    LocalCounts
        Counts per district x issue x month, the months each issue covers and the rows read.

    Raises
    ------
    InputError
        Counts given but no local issue declared; a declared local issue with no row at all; an unknown issue or
        district; a count that is negative, fractional or not a number; a month that is not ``YYYY-MM`` or lies
        outside the police.uk months; a month, district and issue given twice. The message names the file and row.

    Examples
    --------
    >>> import tempfile
    >>> from csa_analysis.config.county import District, IssueSettings
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "sarc.csv").write_text("month,district,issue,count\\n2025-01,E07000129,SARC,3\\n"
    ...                                      "2025-01,Melton,SARC,1\\n")
    >>> county = County("Shire", folder / "county.toml", folder, (District("Blaby", 101526, code="E07000129"),
    ...     District("Melton", 53237)), issues=(IssueSettings("SARC", source="county SARC"),),
    ...     local_files=(folder / "sarc.csv",))
    >>> local = read_local_counts(county, ["2025-01", "2025-02"])
    >>> print(local.counts.to_string(index=False))
    district issue   month  count
       Blaby  SARC 2025-01      3
      Melton  SARC 2025-01      1
    >>> local.coverage
    {'SARC': ('2025-01',)}
    """
    declared = [i.name for i in county.local_issues]
    if not county.local_files:
        if declared:
            raise InputError(f"local issue {declared[0]!r} is declared but no counts are given",
                             file=county.toml_path, where=f"[[issues]] {declared[0]!r}",
                             expected="its monthly counts in local/*.csv beside county.toml (columns month, "
                                      "district, issue, count), or no [[issues]] table with a source")
        return LocalCounts(_empty())
    if not declared:
        raise InputError("local counts are given but county.toml declares no local issue",
                         file=county.local_files[0],
                         expected="an [[issues]] table with name and source for each issue in the files")
    keys = county.district_keys()
    frames, rows = [], {}
    for path in county.local_files:
        table = read_table(path, LOCAL_SCHEMA, districts=keys, issues=declared)
        rows[path.name] = len(table)
        frames.append(table.assign(file=path.name))
    t = pd.concat(frames, ignore_index=True) if frames else _empty()
    _check_months(t, months_in_data, county)
    dup = t.duplicated(["month", "district", "issue"], keep=False)
    if dup.any():
        first = t[dup].groupby(["month", "district", "issue"], sort=False).head(2).iloc[:2]
        (a, b) = first.to_dict("records")
        raise InputError(f"{b['issue']!r} in {b['district']} for {b['month']} is given twice ({a['file']} row "
                         f"{a['source_row']} and {b['file']} row {b['source_row']})",
                         file=_path(county, b["file"]), where=f"row {b['source_row']}",
                         expected="one row per month, district and issue")
    covered = t.groupby("issue")["month"].agg(lambda m: tuple(sorted(set(m))))
    absent = [i for i in declared if i not in covered.index]
    if absent:
        raise InputError(f"local issue {absent[0]!r} is declared but no row of local/*.csv counts it",
                         file=county.toml_path, where=f"[[issues]] {absent[0]!r}",
                         expected="its monthly counts in local/*.csv, or no [[issues]] table for it")
    coverage = {i: covered[i] for i in declared}
    n = len(county.districts)
    given = t.groupby("issue").size()
    missing = {i: int(len(coverage[i]) * n - given.get(i, 0)) for i in declared}
    counts = t[["district", "issue", "month", "count"]].astype({"count": "int64"}).reset_index(drop=True)
    return LocalCounts(counts, coverage, rows, missing)


def _path(county: County, name: str) -> Path:
    return next((p for p in county.local_files if p.name == name), Path(name))


def _check_months(t: pd.DataFrame, months_in_data: Sequence[str], county: County) -> None:
    """Every month is ``YYYY-MM`` within the span of the police.uk months; the first bad row is named."""
    months = t["month"].astype("str")
    bad = ~months.str.fullmatch(_MONTH)
    if bad.any():
        r = t[bad].iloc[0]
        raise InputError(f"month {r['month']!r} is not a month", file=_path(county, r["file"]),
                         where=f"row {r['source_row']}, column 'month'", expected="YYYY-MM, e.g. 2025-10")
    span = sorted(months_in_data)
    if not span:
        return
    outside = (months < span[0]) | (months > span[-1])
    if outside.any():
        r = t[outside].iloc[0]
        raise InputError(f"month {r['month']} lies outside the data ({span[0]} to {span[-1]})",
                         file=_path(county, r["file"]), where=f"row {r['source_row']}, column 'month'",
                         expected="a month within the months of the police.uk data")


def issue_months(local: LocalCounts) -> dict[str, list[str]]:
    """Per local issue, the months it covers (for :func:`csa_analysis.method.score.build_tables_from_counts`)."""
    return {i: list(m) for i, m in local.coverage.items()}


def scored_local_issues(local: LocalCounts, quarter_months: Sequence[str]) -> list[str]:
    """The local issues whose months cover every month of the quarter scored (the others cannot be scored).

    Examples
    --------
    >>> local = LocalCounts(pd.DataFrame(), {"A": ("2025-10", "2025-11", "2025-12"), "B": ("2025-10",)})
    >>> scored_local_issues(local, ["2025-10", "2025-11", "2025-12"])
    ['A']
    """
    need = set(quarter_months)
    return [i for i, m in local.coverage.items() if need <= set(m)]


__all__ = ["LOCAL_SCHEMA", "LocalCounts", "issue_months", "read_local_counts", "scored_local_issues"]
