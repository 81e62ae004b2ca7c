"""What one report shows: the :class:`Pack` (a scored quarter, seen from the county or from one district)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from csa_analysis.config.county import County
from csa_analysis.domain.periods import Quarter


@dataclass
class Pack:
    """Everything one report shows.

    Attributes
    ----------
    county : County
    quarter : Quarter
    tables : dict of DataFrame
        The published tables of :class:`csa_analysis.method.score.Scored`.
    quality : dict
        The data-quality account (``csa check --json``).
    inputs : list of dict
        Files read, with sha256 and rows.
    district : str or None
        The district of a district assessment; None for the county roll-up.
    generated_at : str
        When the run started (given by the runner; blank in an interactive session).
    """

    county: County
    quarter: Quarter
    tables: dict[str, pd.DataFrame]
    quality: dict[str, Any]
    inputs: list[dict[str, Any]]
    district: str | None = None
    generated_at: str = ""

    @property
    def area(self) -> str:
        return self.district or self.county.name

    @property
    def period(self) -> str:
        return self.quarter.label()

    @cached_property
    def harm_unit(self) -> str:
        """Unit of the harm weights in use (e.g. ``"CCHI days"``), read from the county's harm table (once a
        pack: several sections show it)."""
        from csa_analysis.method.harm import harm_weights_for

        units = harm_weights_for(self.county)["unit"].dropna().astype("str")
        return units.iloc[0] if len(units) else "weighted harm"


def illustrative_inputs(county: County, *, county_page: bool = True) -> list[str]:
    """The inputs marked illustrative (invented) that a page uses: a plain description of each.

    Parameters
    ----------
    county : County
        What county.toml marks illustrative.
    county_page : bool
        The county roll-up (which shows the partnership register) rather than a district page.
    """
    out = []
    if county_page and county.partnerships_illustrative and county.partnerships_file is not None:
        out.append(f"the partnership register {county.partnerships_file.name}")
    if county.illustrative_issues:
        out.append("the counts of the local issues " + ", ".join(county.illustrative_issues) + " (local/*.csv)")
    if county.consultation_illustrative and county.consultation_file is not None:
        out.append(f"the residents' survey {county.consultation_file.name}")
    return out
