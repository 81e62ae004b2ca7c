"""The county description (county.toml) and every user table, read strictly: one place for configuration."""

from csa_analysis.config.county import (
    County,
    DeliveryRules,
    Disclosure,
    District,
    FundingInfo,
    IssueSettings,
    ScoringWeights,
    read_county,
)
from csa_analysis.config.tables import Column, Schema, number_cell, parse_number, read_district_table, read_table

__all__ = ["Column", "County", "DeliveryRules", "Disclosure", "District", "FundingInfo", "IssueSettings", "Schema",
           "ScoringWeights", "number_cell", "parse_number", "read_county", "read_district_table", "read_table"]
