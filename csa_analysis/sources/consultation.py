"""The views and concerns of local communities: a residents' survey per district and issue (``DIR/consultation.csv``).

The county protocol's first sentence asks that the views and concerns of local communities be escalated to inform
county funding decisions. A consultation or survey result gives, per district and issue, how many people answered
(``respondents``) and how many of them named the issue a concern (``concerned``). :func:`read_consultation` reads
it with :func:`csa_analysis.config.read_table` (districts by name, alias or ONS code; issues among the police.uk
types and the declared local issues) and refuses a ``concerned`` above ``respondents`` and a district and issue
given twice, naming the row.
"""

from __future__ import annotations

import pandas as pd

from csa_analysis.config.county import County
from csa_analysis.config.tables import MAX_SETTING, Column, Schema, read_table
from csa_analysis.domain.issues import ISSUES
from csa_analysis.errors import InputError

CONSULTATION_SCHEMA = Schema("consultation table (district, issue, respondents, concerned)", (
    Column("district", "district"),
    Column("issue", "issue", expected="a police.uk issue or a local issue declared in county.toml"),
    Column("respondents", "integer", above=0, maximum=MAX_SETTING, expected="the number of people who answered"),
    Column("concerned", "integer", minimum=0, maximum=MAX_SETTING,
           expected="how many of them named the issue a concern"),
))


def read_consultation(county: County) -> pd.DataFrame | None:
    """The county's consultation table, checked; None when it gives none.

    Returns
    -------
    DataFrame or None
        ``district`` (official name), ``issue``, ``respondents`` (people, int64 > 0), ``concerned`` (people,
        int64, at most ``respondents``), ``source_row``.

    Raises
    ------
    InputError
        An unknown district or issue, a count that is not a whole number, ``concerned`` above ``respondents``,
        or a district and issue given twice: the file and row are named.
    """
    path = county.consultation_file
    if path is None:
        return None
    issues = list(ISSUES) + [i.name for i in county.local_issues]
    t = read_table(path, CONSULTATION_SCHEMA, districts=county.district_keys(), issues=issues)
    over = t["concerned"] > t["respondents"]
    if over.any():
        r = t[over].iloc[0]
        raise InputError(f"concerned {r['concerned']:,} is more than respondents {r['respondents']:,}",
                         file=path, where=f"row {r['source_row']}, column 'concerned'",
                         expected="at most the number of respondents")
    dup = t.duplicated(["district", "issue"], keep=False)
    if dup.any():
        a, b = t[dup].groupby(["district", "issue"], sort=False).head(2).iloc[:2].to_dict("records")
        raise InputError(f"{b['issue']!r} in {b['district']} is given twice (rows {a['source_row']} and "
                         f"{b['source_row']})", file=path, where=f"row {b['source_row']}",
                         expected="one row per district and issue")
    return t.reset_index(drop=True)


__all__ = ["CONSULTATION_SCHEMA", "read_consultation"]
