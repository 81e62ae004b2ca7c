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


def summary_parts(tables: Mapping[str, Any] | None, county: str) -> list[dict[str, Any]]:
    """The county's executive summary (:func:`csa_analysis.report.summary.executive_summary`) as
    ``{"heading", "sentences"}`` per topic (each sentence ``{"text", "tag"}``, the tag labelling a sentence that
    names an illustrative issue), for the template; empty when the tables are not given."""
    if not tables or "county_priorities" not in tables:
        return []
    from csa_analysis.report.summary import TOPICS, executive_summary, illustrative_issues, illustrative_tag

    found, marked = executive_summary(tables, county), illustrative_issues(tables)
    return [{"heading": heading, "sentences": [{"text": f.text, "tag": illustrative_tag(f, marked)}
                                               for f in found if f.topic == topic]}
            for topic, heading in TOPICS.items() if any(f.topic == topic for f in found)]


def front_page(county: str, quarter: Quarter, reports: Sequence[Mapping[str, Any]], stamp: str,
               table_names: Sequence[str] = (), tables: Mapping[str, Any] | None = None,
               pdf: Mapping[str, Any] | None = None, illustrative: Sequence[str] = ()) -> str:
    """The pack's front page: the county's executive summary first, then links to every report (and its PDF),
    table and the workbook; failures named.

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
    tables : mapping of DataFrame, optional
        The scored tables: the front page then leads with the county's executive summary and RAG key.
    pdf : mapping, optional
        What :func:`csa_analysis.run.pdf.print_pages` did: ``status`` ("printed" or "skipped"), ``note``,
        ``files`` (page -> PDF, relative to the pack).
    illustrative : sequence of str
        The invented inputs the pack uses (:func:`csa_analysis.report.pack.illustrative_inputs`): named in a
        banner at the top of the page.
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from csa_analysis.method.rag import RAG_KEY

    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR / "front"), autoescape=select_autoescape(["j2"]),
                      keep_trailing_newline=True)
    names = [n for n in FIRST_TABLES if n in table_names] + sorted(n for n in table_names if n not in FIRST_TABLES)
    return env.get_template("index.html.j2").render(
        county=county, quarter=str(quarter), period=quarter.label(), stamp=stamp, version=__version__,
        reports=reports, tables=names, summary=summary_parts(tables, county),
        rag_key=RAG_KEY["county"] if tables else {}, pdf=pdf or {}, illustrative=list(illustrative))
