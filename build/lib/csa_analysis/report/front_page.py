"""The board pack's front page (``index.html``), rendered from a Jinja template with autoescaping.

Every name from the inputs is HTML-escaped; the page has no script and fetches nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from csa_analysis import __version__
from csa_analysis.domain.periods import Quarter
from csa_analysis.paths import TEMPLATE_DIR

#: The contract tables first on the front page, then the others alphabetically.
FIRST_TABLES = ("county_priorities", "issue_scores", "cost_per_area")


def front_page(county: str, quarter: Quarter, reports: Sequence[Mapping[str, Any]], stamp: str,
               table_names: Sequence[str] = ()) -> str:
    """The pack's front page: links to every report, table and the workbook; failures named.

    Parameters
    ----------
    county : str
        The county's name.
    quarter : Quarter
        The quarter of the pack.
    reports : sequence of mapping
        One per report: ``name``, ``kind`` ("county" or "district"), ``html`` (its page), ``audit`` (its
        executed notebook or None), ``ok`` (bool), ``seconds``, ``error``.
    stamp : str
        When the run started, as shown.
    table_names : sequence of str
        The tables written under ``tables/``.
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR / "front"), autoescape=select_autoescape(["j2"]),
                      keep_trailing_newline=True)
    names = [n for n in FIRST_TABLES if n in table_names] + sorted(n for n in table_names if n not in FIRST_TABLES)
    return env.get_template("index.html.j2").render(
        county=county, quarter=str(quarter), period=quarter.label(), stamp=stamp, version=__version__,
        reports=reports, tables=names)
