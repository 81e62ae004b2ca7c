"""Combining parsed files month by month: repeated downloads, Crime-ID de-duplication, completeness per force.

An identical re-downloaded month counts once and two differing copies of a month are refused; a non-blank
Crime ID counts once, in the earliest month it appears; anti-social behaviour rows (no Crime ID) are never
de-duplicated: identical ASB rows are separate incidents at one anonymised map point. A quarter is complete
only when every force in the data has all three of its months.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from csa_analysis.domain.periods import Quarter, check_quarter_in_data
from csa_analysis.errors import InputError
from csa_analysis.ingest.crime_ids import CrimeIdIndex
from csa_analysis.ingest.discover import StreetFile


class Combiner:
    """Stacks parsed files month by month, resolving repeated months and de-duplicating Crime IDs.

    Feed it each month's files in order (:meth:`add_month`); it returns that month's kept rows, so a caller can
    write them out and let them go. Only the Crime IDs seen so far are held (to drop a repeated ID in a later
    month), which keeps a national year's ingest within memory. :meth:`account` gives the totals.
    """

    def __init__(self) -> None:
        self.rows_read = 0
        self.repeated: list[str] = []
        self.repeated_rows = 0
        self.duplicates_dropped = 0
        self.outside_gb = 0
        self.inputs: list[dict[str, Any]] = []
        self._months: set[str] = set()
        self._force_months: dict[str, set[str]] = {}
        self._force_month_rows: dict[str, dict[str, int]] = {}
        self._last_month = ""
        self._by_key: dict[tuple[str, str], tuple[str, str]] = {}
        self._ids = CrimeIdIndex()

    def add_month(self, files: Sequence[StreetFile], tables: Sequence[pa.Table],
                  hashes: Sequence[str], details: Sequence[dict[str, Any]] | None = None) -> pa.Table | None:
        """Add one month's files (same month, any forces); return the rows kept (None when none).

        ``details`` adds entries to each file's record in the account's ``inputs`` (e.g. its LSOA vintage).
        """
        kept = []
        details = details if details is not None else [{} for _ in files]
        for f, t, h, extra in zip(files, tables, hashes, details, strict=True):
            if f.month < self._last_month:
                raise ValueError("months must be added in order")  # discover_street_files guarantees it
            self._last_month = f.month
            self._months.add(f.month)
            self._force_months.setdefault(f.force, set()).add(f.month)
            self.rows_read += t.num_rows
            self.inputs.append({"path": f.label, "sha256": h, "rows": int(t.num_rows), **extra})
            key = (f.month, f.force)
            if key in self._by_key:
                label, first_hash = self._by_key[key]
                if first_hash != h:
                    raise InputError(
                        f"month {f.month} of force '{f.force}' is given twice with different contents "
                        f"(also in {label})", file=f.label, expected="each month once; remove the older download")
                self.repeated.append(f.label)
                self.repeated_rows += t.num_rows
                continue
            self._by_key[key] = (f.label, h)
            by_month = self._force_month_rows.setdefault(f.force, {})
            by_month[f.month] = by_month.get(f.month, 0) + int(t.num_rows)
            kept.append(t.append_column("source", pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(t.num_rows, np.int32)), pa.array([f.label]))))
        if not kept:
            return None
        table = pa.concat_tables(kept).unify_dictionaries()
        # A Crime ID counts once, in its first row: the first within this month, and only if no earlier
        # month had it. Rows without one (anti-social behaviour) are all kept.
        keep = self._ids.keep(table["crime_id"])
        dropped = int(len(keep) - keep.sum())
        if dropped:
            self.duplicates_dropped += dropped
            table = table.filter(pa.array(keep))
        self.outside_gb += int(pc.sum(table["outside_gb"]).as_py() or 0)
        return table

    def account(self) -> dict[str, Any]:
        """``rows_read`` (every data row of every file, repeats included), ``repeated_file_rows`` (rows of
        identical re-downloads, counted once), ``repeated_files``, ``duplicates_dropped`` (repeated Crime IDs
        after their earliest appearance), ``coordinates_outside_gb``, ``months`` (every month any file holds),
        ``force_months`` (force -> its months: completeness is per force), ``force_month_rows`` (force -> month
        -> rows read for it, re-downloads not counted twice) and ``inputs`` (``path``, ``sha256``, ``rows`` and any
        ``details`` given)."""
        return {
            "rows_read": int(self.rows_read),
            "repeated_file_rows": int(self.repeated_rows),
            "repeated_files": list(self.repeated),
            "duplicates_dropped": int(self.duplicates_dropped),
            "coordinates_outside_gb": int(self.outside_gb),
            "months": sorted(self._months),
            "force_months": {force: sorted(m) for force, m in sorted(self._force_months.items())},
            "force_month_rows": {force: dict(sorted(m.items())) for force, m in sorted(self._force_month_rows.items())},
            "inputs": list(self.inputs),
        }


def complete_months(account: dict[str, Any]) -> list[str]:
    """The months every force in the data has a file for: a month one force lacks is not complete.

    Examples
    --------
    >>> complete_months({"months": ["2025-01", "2025-02"],
    ...                  "force_months": {"a": ["2025-01", "2025-02"], "b": ["2025-02"]}})
    ['2025-02']
    """
    by_force = account.get("force_months") or {}
    if not by_force:
        return sorted(account.get("months", []))
    return sorted(set.intersection(*(set(m) for m in by_force.values())))


def missing_force_months(account: dict[str, Any]) -> dict[str, list[str]]:
    """Force -> the months within the data's span that it has no file for (empty when complete)."""
    months = sorted(account.get("months", []))
    if not months:
        return {}
    span = [str(p) for p in pd.period_range(months[0], months[-1], freq="M")]
    by_force = account.get("force_months") or {"": months}
    return {force: [m for m in span if m not in set(have)] for force, have in by_force.items()
            if set(span) - set(have)}


#: A force-month is "unusually low" when it has fewer rows than this share of the force's median month. A local
#: judgement (police.uk months of one force rarely differ by more than a third; a month at under half the usual
#: volume is most likely a partial or failed upload), stated in the data-quality section.
LOW_MONTH_SHARE = 0.5
#: The fewest months a force needs before a month of it can be judged low (a median of one or two months is no
#: "usual volume").
LOW_MONTH_MIN_MONTHS = 3


def incomplete_force_months(account: dict[str, Any], *, low_share: float = LOW_MONTH_SHARE) -> list[dict[str, Any]]:
    """Force-months that are missing, or unusually low, within the span of the data's months.

    A force-month is *missing* when the force has no file for a month between the data's first and last
    month, and *low* when its rows (``account["force_month_rows"]``) are below ``low_share`` of that force's
    median rows per month (judged only for a force with at least :data:`LOW_MONTH_MIN_MONTHS` months).

    Parameters
    ----------
    account : dict
        The cache account (``months``, ``force_months``, ``force_month_rows``).
    low_share : float
        The threshold as a share of the force's median month (0-1).

    Returns
    -------
    list of dict
        Sorted by force and month: ``force``, ``month`` (``YYYY-MM``), ``status`` (``"missing"`` or ``"low"``),
        ``rows`` (int, rows read for that force-month; 0 when missing) and ``usual_rows`` (int, the force's
        median rows per month, rounded; None when it has no row counts).

    Examples
    --------
    >>> account = {"months": ["2025-01", "2025-02", "2025-03", "2025-04"],
    ...            "force_months": {"a": ["2025-01", "2025-02", "2025-03", "2025-04"], "b": ["2025-01", "2025-03"]},
    ...            "force_month_rows": {"a": {"2025-01": 900, "2025-02": 1000, "2025-03": 300, "2025-04": 1100},
    ...                                 "b": {"2025-01": 50, "2025-03": 60}}}
    >>> [(r["force"], r["month"], r["status"], r["rows"], r["usual_rows"]) for r in incomplete_force_months(account)]
    [('a', '2025-03', 'low', 300, 950), ('b', '2025-02', 'missing', 0, 55), ('b', '2025-04', 'missing', 0, 55)]
    """
    rows_by_force = account.get("force_month_rows") or {}
    out = []
    for force, missing in missing_force_months(account).items():
        usual = _median(rows_by_force.get(force, {}))
        out += [{"force": force, "month": m, "status": "missing", "rows": 0, "usual_rows": usual} for m in missing]
    for force, by_month in rows_by_force.items():
        if len(by_month) < LOW_MONTH_MIN_MONTHS:
            continue
        usual = _median(by_month)
        out += [{"force": force, "month": m, "status": "low", "rows": int(n), "usual_rows": usual}
                for m, n in by_month.items() if usual is not None and n < low_share * usual]
    return sorted(out, key=lambda r: (r["force"], r["month"]))


def _median(by_month: dict[str, int]) -> int | None:
    return int(round(float(np.median(list(by_month.values()))))) if by_month else None


def check_quarter_complete(quarter: Quarter, account: dict[str, Any]) -> None:
    """Raise :class:`InputError` naming the force and months when ``quarter`` is not complete for every force."""
    by_force = account.get("force_months") or {"": account.get("months", [])}
    gaps = {force: [m for m in quarter.months() if m not in set(have)] for force, have in by_force.items()}
    gaps = {f: g for f, g in gaps.items() if g}
    if not gaps:
        return
    if len(gaps) == len(by_force) or len(by_force) == 1:
        check_quarter_in_data(quarter, account.get("months", []))
        return
    force, missing = sorted(gaps.items())[0]
    raise InputError(
        f"quarter {quarter} is not complete: force '{force}' has no file for {', '.join(missing)}, although "
        "other forces do (a quarter is complete only when every force in the data has all three months)",
        where="--quarter",
        expected=f"the missing {force} download(s) in police_uk/, or a quarter every force covers")


def month_groups(files: Sequence[StreetFile]) -> list[list[int]]:
    """Indices of ``files`` (in :func:`discover_street_files` order) grouped by month."""
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(files):
        groups.setdefault(f.month, []).append(i)
    return [groups[m] for m in sorted(groups)]
