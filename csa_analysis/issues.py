"""The police.uk crime types ("issues") that every table is built on."""

from __future__ import annotations

from collections.abc import Iterable

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


def issue_categories(present: Iterable[str] = ()) -> list[str]:
    """The issue list for tables: the 14 police.uk issues, plus any retired category in ``present``.

    Examples
    --------
    >>> issue_categories(["Burglary"])[-1]
    'Violence and sexual offences'
    >>> issue_categories(["Public disorder and weapons"])[-1]
    'Public disorder and weapons'
    """
    seen = set(present)
    return [*ISSUES, *[r for r in RETIRED_ISSUES if r in seen]]
