"""The police.uk crime types ("issues") that every table is built on."""

from __future__ import annotations

#: The 14 current police.uk street-level categories, in the order tables list them.
ISSUES: tuple[str, ...] = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)

#: Categories police.uk used in older files and no longer publishes.
RETIRED_ISSUES: tuple[str, ...] = ("Public disorder and weapons",)

#: Incidents that are not notifiable crimes (no Crime ID, no outcome).
ASB = "Anti-social behaviour"
