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

#: Categories police.uk used before May 2013 and no longer publishes. They cannot be mapped to today's types
#: ("Public disorder and weapons" split into "Public order" and "Possession of weapons"; "Violent crime"
#: became "Violence and sexual offences" once sexual offences moved out of "Other crime"), so files that hold
#: them are refused with one message (:data:`RETIRED_MESSAGE`).
RETIRED_ISSUES: tuple[str, ...] = ("Violent crime", "Public disorder and weapons")
#: The month police.uk's current categories start.
CURRENT_TYPES_FROM = "2013-05"
RETIRED_MESSAGE = (
    "is a crime type police.uk retired in May 2013; it cannot be compared with today's types "
    "(it was split or redefined)"
)

#: Incidents that are not notifiable crimes (no Crime ID, no outcome).
ASB = "Anti-social behaviour"


def issue_categories(present: Iterable[str] = ()) -> list[str]:
    """The issue list for tables: the 14 police.uk issues (``present`` is accepted for callers that pass the
    issues found in the data; a retired type never reaches a table: the loader refuses it).

    Examples
    --------
    >>> issue_categories(["Burglary"])[-1]
    'Violence and sexual offences'
    >>> len(issue_categories())
    14
    """
    return list(ISSUES)
