"""The glossary every page carries: the terms a board member may not know, each explained in plain English.

:data:`TERMS` is the one list: the pages show it (:func:`glossary_html`), and the README points to it.
"""

from __future__ import annotations

import html

#: Term -> explanation, in alphabetical order of the term.
TERMS: dict[str, str] = {
    "Anti-social behaviour (ASB)": "Incidents of nuisance, disorder or harassment reported to the police; police.uk "
    "has no crime reference or outcome for them, and reports made to councils or housing providers are not "
    "included.",
    "Beyond random variation": "A change between two periods larger than the natural ups and downs of counts "
    "(an exact test of two Poisson counts at 5%, controlled for the many tests of a quarter). Recorded crime is a "
    "full count, not a sample, so this is not a 'statistically significant sample change'.",
    "County-coordinated": "Delivered by each district, with county-wide coordination for economies of scale (an "
    "issue of high volume across several districts sharing a pattern).",
    "County-wide service": "One service for the whole county, because most districts have too few cases to "
    "justify their own but the county has enough, and the issue is serious or has a county mechanism or funding.",
    "Cost of crime": "Incidents times the Home Office unit cost of that crime (price year stated); blank where no "
    "unit cost exists, never zero.",
    "Density map": "A map of where incidents cluster, counted in 1 km squares from police.uk's anonymised map "
    "points; squares with too few incidents or map points are left blank so no single point stands out.",
    "District-led": "The district community safety partnership leads, with a risk note saying what would make "
    "the county take it up.",
    "False-discovery rate": "The expected share of 'beyond random variation' flags that are chance; the pack keeps "
    "it at 5% across all the tests of a quarter (Benjamini-Hochberg).",
    "Funnel plot": "A chart of each district's rate against its population with control limits that narrow as "
    "population grows: a district outside the limits differs from the county by more than chance.",
    "Harm index (harm score)": "Incidents weighted by how serious each crime is (for example the Cambridge Crime "
    "Harm Index: days of imprisonment a first offence would attract), so a robbery counts for more than a "
    "shoplifting; anti-social behaviour has no weight.",
    "Location quotient": "The share an issue takes of a district's incidents divided by its share of the county's: "
    "1 is the county mix, 2 means twice as large a part of the district's incidents.",
    "LSOA": "Lower layer Super Output Area: an ONS neighbourhood of about 1,500 residents (400 to 1,200 "
    "households), named after its district, e.g. 'Charnwood 012B'.",
    "Month-of-year pattern": "The average count of each calendar month over the years in the data, shown only "
    "when every month of the year is present.",
    "Outcome": "police.uk's latest outcome of a crime (for example no suspect identified, charged), grouped; "
    "police.uk revises outcomes when it republishes a month.",
    "Prevalence": "How widespread an issue is: the share of districts at or above the county rate.",
    "Priority score": "A 0 to 100 combination of volume, trend, harm, cost and prevalence, with the weights set "
    "in county.toml; each component is shown beside it.",
    "RAG (Red, Amber, Green)": "A status per issue computed from the figures (a rise beyond random variation, "
    "escalation, or neither); the RAG key on each page says exactly what decides each colour at that level.",
    "Rate per 1,000 residents": "Incidents in the quarter divided by the area's residents (ONS mid-year estimate), "
    "times 1,000, so areas of different size can be compared.",
    "Repeat location": "A police.uk map point (named 'On or near ...') with several incidents; a map point stands "
    "for at least eight addresses, never one exact address.",
    "Rolling 12-month total": "The incidents in the 12 months up to each month, which smooths out the seasons; "
    "shown only where 12 consecutive months are in the data.",
    "Ward": "An electoral ward (ONS lookup of the data's LSOAs); a ward holds several LSOAs.",
    "99.8% limit": "The upper control limit of a funnel plot: a rate above it would happen by chance about once in "
    "500 districts.",
}


def glossary_html(terms: dict[str, str] | None = None) -> str:
    """The glossary as an HTML definition list (terms in bold).

    Examples
    --------
    >>> "<dt>Location quotient</dt>" in glossary_html()
    True
    """
    terms = TERMS if terms is None else terms
    items = "".join(f"<dt>{html.escape(t)}</dt><dd>{html.escape(d)}</dd>" for t, d in terms.items())
    return f"<dl class='csa-glossary'>{items}</dl>"


__all__ = ["TERMS", "glossary_html"]
