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
        self._last_month = ""
        self._by_key: dict[tuple[str, str], tuple[str, str]] = {}
        self._ids = CrimeIdIndex()

    def add_month(self, files: Sequence[StreetFile], tables: Sequence[pa.Table],
                  hashes: Sequence[str]) -> pa.Table | None:
        """Add one month's files (same month, any forces); return the rows kept (None when none)."""
        kept = []
        for f, t, h in zip(files, tables, hashes, strict=True):
            if f.month < self._last_month:
                raise ValueError("months must be added in order")  # discover_street_files guarantees it
            self._last_month = f.month
            self._months.add(f.month)
            self._force_months.setdefault(f.force, set()).add(f.month)
            self.rows_read += t.num_rows
            self.inputs.append({"path": f.label, "sha256": h, "rows": int(t.num_rows)})
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
        ``force_months`` (force -> its months: completeness is per force) and ``inputs``."""
        return {
            "rows_read": int(self.rows_read),
            "repeated_file_rows": int(self.repeated_rows),
            "repeated_files": list(self.repeated),
            "duplicates_dropped": int(self.duplicates_dropped),
            "coordinates_outside_gb": int(self.outside_gb),
            "months": sorted(self._months),
            "force_months": {force: sorted(m) for force, m in sorted(self._force_months.items())},
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
