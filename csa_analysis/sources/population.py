"""ONS mid-year population estimates (the reader lives in :mod:`csa_analysis.config.population`).

``county.toml`` may take its districts' populations straight from the ONS workbook, and configuration sits
below the data sources in the layers, so the reader is a configuration module; this module keeps the name
under which the other sources (peers, recorded crime) and analysts' notebooks import it.
"""

from csa_analysis.config.population import (
    AGE_BANDS,
    DENSITY_SHEET,
    DISTRICT_GEOGRAPHIES,
    MEDIAN_AGE_SHEET,
    PERSONS_SHEET,
    aggregate_areas,
    district_level,
    is_mid_year_workbook,
    lookup_populations,
    nearest_names,
    read_mid_year_estimates,
)

__all__ = ["AGE_BANDS", "DENSITY_SHEET", "DISTRICT_GEOGRAPHIES", "MEDIAN_AGE_SHEET", "PERSONS_SHEET",
           "aggregate_areas", "district_level", "is_mid_year_workbook", "lookup_populations", "nearest_names",
           "read_mid_year_estimates"]
