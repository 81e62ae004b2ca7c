"""Every partnership table of the county's register, under the names the pack writes them as."""

from __future__ import annotations

import pandas as pd

from csa_analysis.partnerships.analysis import (
    admin_share,
    candidate_mergers,
    meeting_load,
    overlap_matrix,
    remit_overlap,
)
from csa_analysis.partnerships.register import register_summary
from csa_analysis.partnerships.scenario import hub_and_spoke_scenario

# --------------------------------------------------------------------------------------------------


def partnership_tables(register: pd.DataFrame, overlap_threshold: float = 0.5,
                       **scenario: object) -> dict[str, pd.DataFrame]:
    """Every partnership table, keyed by the name it is written under (``OUT/tables/<key>.csv``).

    Parameters
    ----------
    register : DataFrame
        From :func:`read_partnerships`.
    overlap_threshold : float, default 0.5
        Passed to :func:`candidate_mergers`.
    **scenario
        Keyword arguments of :func:`hub_and_spoke_scenario` (its defaults otherwise).

    Returns
    -------
    dict of str to DataFrame
        ``partnership_register`` (one row per partnership, lists "; "-joined), ``partnership_overlap``,
        ``partnership_overlap_matrix`` (every pair's remit overlap, long: ``partnership_a``, ``partnership_b``,
        ``jaccard``, in register order, for the heat map), ``partnership_load``, ``partnership_admin``,
        ``partnership_mergers``, ``partnership_scenario``, ``partnership_scenario_load``,
        ``partnership_assumptions``.
    """
    result = hub_and_spoke_scenario(register, **scenario)  # type: ignore[arg-type]
    matrix = overlap_matrix(register)
    pairs = matrix.rename_axis(index="partnership_a", columns="partnership_b").stack(future_stack=True)
    return {
        "partnership_register": register_summary(register),
        "partnership_overlap": remit_overlap(register),
        "partnership_overlap_matrix": pairs.rename("jaccard").reset_index(),
        "partnership_load": meeting_load(register),
        "partnership_admin": admin_share(register),
        "partnership_mergers": candidate_mergers(register, overlap_threshold),
        **result.tables(),
    }
