"""Small-number disclosure control for published outputs (never for the calculations).

No official threshold for police.uk-derived tables was found, so the rule is configurable and off by default
(``[disclosure]`` in county.toml: ``min_count = k``, ``method = "suppress"`` or ``"round"``):

- **suppress**: a count from 1 to k-1 is blanked, together with every figure in the same row derived from it
  (rates, changes, harm, cost, location quotient, scores), so it cannot be worked back;
- **round**: every count is rounded to the nearest multiple of k, and the derived figures of rows whose count
  was below k are blanked.

Zeros are kept: a zero is not disclosive and is information. The rule is applied to the tables just before
they are written (CSV, Excel, HTML); every calculation, ranking and delivery level uses the true counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csa_analysis.config.county import Disclosure

#: Count columns the rule applies to, wherever they appear.
COUNT_COLUMNS = ("count", "count_prev_quarter", "count_last_year", "incidents",
                 # the where-and-when tables (method/where_when.py)
                 "district_issue_count", "crimes", "rolling_total", "min_count", "max_count")
#: Figures derived from a row's count, blanked with it.
DERIVED_COLUMNS = (
    "rate_per_1000", "rate_low_per_1000", "rate_high_per_1000", "change_pct_prev_quarter",
    "change_pct_last_year", "p_value_prev_quarter", "p_value_last_year", "location_quotient", "harm_score",
    "cost_of_crime_gbp", "funding_per_incident_gbp", "incidents_per_1000", "harm_default", "harm_range_low",
    "harm_range_high", "harm_equal_weights", "harm_alternative", "harm_value", "likelihood_value",
    "share", "density_per_km2", "mean_count",
)
SUPPRESSED_NOTE = "counts from 1 to {k} suppressed"


def apply_rule(table: pd.DataFrame, rule: Disclosure) -> pd.DataFrame:
    """The published view of one table under the disclosure rule (a copy; the input is unchanged).

    Parameters
    ----------
    table : DataFrame
        Any scored table.
    rule : Disclosure
        ``min_count`` (0 = off) and ``method``.

    Returns
    -------
    DataFrame
        Count columns as nullable Int64 with small counts blanked (suppress) or rounded (round), and the
        derived figures of affected rows blanked.
    """
    k = rule.min_count
    counts = [c for c in COUNT_COLUMNS if c in table.columns]
    if k <= 1 or not counts:
        return table
    out = table.copy()
    small_row = np.zeros(len(out), dtype=bool)
    for col in counts:
        values = out[col].astype("Int64")
        small = ((values > 0) & (values < k)).fillna(False).to_numpy(dtype=bool)
        small_row |= small
        if rule.method == "suppress":
            out[col] = values.mask(small)
        else:
            out[col] = ((values.astype("Float64") / k).round() * k).astype("Int64")
    derived = [c for c in out.columns if c in DERIVED_COLUMNS or c.startswith("score_") or c == "priority_score"]
    for col in derived:
        out[col] = out[col].mask(small_row)
    return out


def publish(tables: dict[str, pd.DataFrame], rule: Disclosure) -> dict[str, pd.DataFrame]:
    """Every table's published view (see :func:`apply_rule`)."""
    return {name: apply_rule(t, rule) for name, t in tables.items()}
