"""The executive summary a board member reads in two minutes, drafted from the scored tables.

Pure functions over the tables of :class:`~csa_analysis.method.score.Scored` (no file, no clock): each returns
:class:`Finding` objects, one sentence each, with the issues (and figures) the sentence names, so that a test can
check every sentence against the tables. Nothing here decides anything: the delivery levels, risk notes and change
flags were computed in the analysis layer (:mod:`csa_analysis.method.delivery`, :mod:`csa_analysis.method.volume`);
the summary only says them in plain English.

The summary has five parts, in this order (:data:`TOPICS`):

* **decide**: the issues proposed for a county-wide service and for county coordination, each with its reason
  (the rationale of ``county_priorities``);
* **districts**: what stays with the districts, and the risk of that (the ``risk_note`` of the highest-ranked
  issues not escalated); on a district page, the district's own top priorities too;
* **changes**: what rose or fell beyond random variation (the ``change_flag`` of the area's rows, against the
  comparison the flag used), or that no comparison is available;
* **where**: where the area's top priority was most concentrated (the ``hotspots`` table), when it is given;
* **limits**: what the data cannot show.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from csa_analysis.report.formatting import fmt

#: The summary's parts, in order, with their headings.
TOPICS: dict[str, str] = {
    "decide": "What the board is asked to decide",
    "districts": "What stays with the districts, and the risk",
    "changes": "What changed beyond random variation",
    "where": "Where",
    "limits": "What the data cannot show",
}

#: Delivery levels of ``county_priorities`` that are proposals for the county (criterion wording of design.md).
PROPOSALS: dict[str, str] = {"county-wide service": "a county-wide service",
                             "county-coordinated": "county coordination (district delivery)"}
DISTRICT_LED = "district-led"

#: What police.uk street-level data cannot show; true of every police.uk file (see design.md section 3).
LIMITS: tuple[str, ...] = (
    "police.uk records carry no domestic abuse, hate crime or exploitation flag, so these cannot be counted from "
    "them; they need partner or force data, declared as local issues in county.toml.",
    "Anti-social behaviour counts are incidents recorded by the police only: reports made to councils and "
    "housing providers are not in them.",
    "Drugs and possession of weapons counts largely follow police activity (stop and search, operations): a rise "
    "can mean more enforcement rather than more offending.",
    "Outcomes are police.uk's latest for each crime and change when police.uk republishes a month.",
)

#: How many issues not escalated have their risk spelt out.
RISKS_SHOWN = 3
#: How many of a district's own priorities are named.
DISTRICT_TOP = 3


@dataclass(frozen=True)
class Finding:
    """One sentence of the executive summary.

    Attributes
    ----------
    topic : str
        A key of :data:`TOPICS`.
    kind : str
        What the sentence states, for tests and styling: ``county-wide service``, ``county-coordinated``,
        ``none proposed``, ``district-led``, ``risk``, ``district priorities``, ``increase``, ``decrease``,
        ``no change``, ``no comparison``, ``hotspot``, ``limit``.
    text : str
        The sentence, plain English, ending in a full stop.
    issues : tuple of str
        The issues the sentence names, in the order named.
    figures : dict
        The figures the sentence states, by name (counts as int, shares in [0, 1]).
    """

    topic: str
    kind: str
    text: str
    issues: tuple[str, ...] = ()
    figures: dict = field(default_factory=dict)


def _names(items: Sequence[str]) -> str:
    """``'A'``, ``'A and B'``, ``'A, B and C'``.

    Examples
    --------
    >>> _names(["Robbery", "Drugs", "Burglary"])
    'Robbery, Drugs and Burglary'
    """
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _reason(rationale: object) -> str:
    """A rationale as a reason: its closing verdict (": district-led.") dropped, no final full stop.

    Examples
    --------
    >>> _reason("Low volume in 6 of 7 districts: one county-wide service, as most have too few cases.")
    'low volume in 6 of 7 districts: one county-wide service, as most have too few cases'
    >>> _reason("High volume in 5 of 7 districts and no county mechanism or funding declared: district-led.")
    'high volume in 5 of 7 districts and no county mechanism or funding declared'
    """
    text = str(rationale or "").strip().rstrip(".")
    text = re.sub(r":\s*(district-led|county-coordinated|county-wide service)$", "", text)
    return text[:1].lower() + text[1:] if text[:2].istitle() else text


def _risk(note: object) -> str:
    """A risk note without its "Not escalated. Risk:" prefix, no final full stop."""
    text = re.sub(r"^\s*Not escalated\.\s*Risk:\s*", "", str(note or "")).strip().rstrip(".")
    return text[:1].upper() + text[1:]


def decisions(county_priorities: pd.DataFrame) -> list[Finding]:
    """The proposals: one sentence per issue proposed for a county-wide service or county coordination, with
    its reason; one sentence saying so when nothing is proposed at a level.

    Parameters
    ----------
    county_priorities : DataFrame
        ``issue``, ``priority_rank``, ``delivery_level``, ``rationale``.

    Examples
    --------
    >>> cp = pd.DataFrame({"issue": ["Robbery", "Burglary"], "priority_rank": [2, 1],
    ...     "delivery_level": ["county-wide service", "district-led"],
    ...     "rationale": ["66 across the county and harm weight 365: county-wide service.", "x: district-led."]})
    >>> [f.text for f in decisions(cp)]  # doctest: +NORMALIZE_WHITESPACE
    ['Propose a county-wide service for Robbery: 66 across the county and harm weight 365.',
     'No issue meets the rules for county coordination (district delivery) this quarter.']
    """
    cp = county_priorities.sort_values("priority_rank", kind="stable")
    out = []
    for level, words in PROPOSALS.items():  # two levels, not rows
        rows = cp[cp["delivery_level"].astype("str") == level]
        if rows.empty:
            out.append(Finding("decide", "none proposed", f"No issue meets the rules for {words} this quarter.",
                               figures={"level": level}))
            continue
        out += [Finding("decide", level, f"Propose {words} for {issue}: {_reason(why)}.", (issue,),
                        {"level": level})
                for issue, why in zip(rows["issue"].astype("str"), rows["rationale"], strict=True)]
    return out


def stays_with_districts(county_priorities: pd.DataFrame, risks: int = RISKS_SHOWN) -> list[Finding]:
    """What stays with the districts (every district-led issue) and the risk of the ``risks`` highest-ranked.

    Examples
    --------
    >>> cp = pd.DataFrame({"issue": ["Burglary", "Drugs"], "priority_rank": [1, 2],
    ...     "delivery_level": ["district-led"] * 2, "risk_note": ["Not escalated. Risk: Charnwood holds 30%.", ""]})
    >>> [f.text for f in stays_with_districts(cp, risks=1)]  # doctest: +NORMALIZE_WHITESPACE
    ['2 issues stay with the districts (district-led): Burglary and Drugs.',
     'Risk of leaving Burglary with the districts: Charnwood holds 30%.']
    """
    cp = county_priorities.sort_values("priority_rank", kind="stable")
    led = cp[cp["delivery_level"].astype("str") == DISTRICT_LED]
    issues = led["issue"].astype("str").tolist()
    if not issues:
        return [Finding("districts", "district-led", "No issue stays with the districts alone this quarter.")]
    n = len(issues)
    out = [Finding("districts", "district-led",
                   f"{n} issue{'s' if n != 1 else ''} stay{'s' if n == 1 else ''} with the districts (district-led): "
                   f"{_names(issues)}.", tuple(issues), {"issues": n})]
    for issue, note in zip(issues[:risks], led["risk_note"].iloc[:risks], strict=True):
        if _risk(note):
            out.append(Finding("districts", "risk", f"Risk of leaving {issue} with the districts: {_risk(note)}.",
                               (issue,)))
    return out


def district_priorities(issue_scores: pd.DataFrame, county_priorities: pd.DataFrame, district: str,
                        top: int = DISTRICT_TOP) -> list[Finding]:
    """A district's own highest priorities with their count, rate and the county rate, and which of them the
    district leads.

    Parameters
    ----------
    issue_scores : DataFrame
        ``district``, ``issue``, ``priority_rank``, ``count``, ``rate_per_1000``.
    county_priorities : DataFrame
        ``issue``, ``rate_per_1000``, ``delivery_level``.
    """
    s = issue_scores[issue_scores["district"].astype("str") == district].sort_values("priority_rank").head(top)
    levels = county_priorities.set_index(county_priorities["issue"].astype("str"))
    parts, issues = [], []
    for issue, count, rate in zip(s["issue"].astype("str"), s["count"], s["rate_per_1000"], strict=True):
        county_rate = levels["rate_per_1000"].get(issue)
        parts.append(f"{issue} ({fmt(count, 'int')} incidents, {fmt(rate, 'rate')} per 1,000 residents against "
                     f"the county's {fmt(county_rate, 'rate')})")
        issues.append(issue)
    if not issues:
        return []
    out = [Finding("districts", "district priorities",
                   f"{district}'s highest priorities this quarter are {_names(parts)}.", tuple(issues))]
    led = [i for i in issues if str(levels["delivery_level"].get(i)) == DISTRICT_LED]
    if led:
        out.append(Finding("districts", "district-led",
                           f"Of these, {district} leads on {_names(led)} (district-led in the county proposal).",
                           tuple(led)))
    return out


_BASIS = {"previous quarter": "the previous quarter", "same quarter last year": "the same quarter last year",
          "last year": "the same quarter last year"}


def changes(rows: pd.DataFrame, area: str) -> list[Finding]:
    """What rose and what fell beyond random variation in the area, against the comparison each flag used.

    Parameters
    ----------
    rows : DataFrame
        The area's rows (``county_priorities``, or one district's ``issue_scores``): ``issue``, ``count``,
        ``count_prev_quarter``, ``count_last_year``, ``change_flag`` and optionally ``change_basis``.
    area : str
        Named in the sentences.

    Examples
    --------
    >>> t = pd.DataFrame({"issue": ["Drugs", "Burglary"], "count": [30, 50], "count_prev_quarter": [20, 52],
    ...     "count_last_year": [None, None], "change_flag": ["increase", "no change beyond random variation"]})
    >>> [f.text for f in changes(t, "Melton")]  # doctest: +NORMALIZE_WHITESPACE
    ['Rose beyond random variation in Melton, against the previous quarter: Drugs (20 to 30, +50%).',
     'Nothing fell beyond random variation in Melton against the previous quarter.']
    """
    flags = rows["change_flag"].astype("str")
    if (flags == "no comparison available").all() or rows.empty:
        return [Finding("changes", "no comparison",
                        f"No comparison available for {area}: neither the previous quarter nor the same quarter "
                        "last year is fully in the data, so no rise or fall can be judged.")]
    blank = pd.Series(pd.NA, index=rows.index, dtype="Float64")
    ly = rows["count_last_year"].astype("Float64") if "count_last_year" in rows else blank
    prev = rows["count_prev_quarter"].astype("Float64") if "count_prev_quarter" in rows else blank
    use_ly = ly.notna().to_numpy()
    before = ly.where(use_ly, prev)
    if "change_basis" in rows:
        basis = rows["change_basis"].astype("str").map(lambda b: _BASIS.get(b, b))
    else:
        basis = pd.Series(["the same quarter last year" if u else "the previous quarter" for u in use_ly],
                          index=rows.index)
    out = []
    for flag, word in (("increase", "Rose"), ("decrease", "fell")):
        hit = (flags == flag).to_numpy()
        if not hit.any():
            what = "rose" if flag == "increase" else "fell"
            common = basis.mode().iloc[0] if len(basis) else "the previous quarter"
            out.append(Finding("changes", "no change", f"Nothing {what} beyond random variation in {area} against "
                                                       f"{common}."))
            continue
        sub = rows[hit]
        against = sorted(set(basis[hit]))
        parts = []
        for issue, b, n in zip(sub["issue"].astype("str"), before[hit], sub["count"], strict=True):
            if pd.isna(b):  # the comparison count is not in the table: name the issue and its count
                parts.append(f"{issue} ({fmt(n, 'int')} incidents)")
                continue
            pct = (float(n) / float(b) - 1) * 100 if float(b) > 0 else float("nan")
            parts.append(f"{issue} ({fmt(b, 'int')} to {fmt(n, 'int')}, {fmt(pct, 'pct')})")
        lead = word if flag == "increase" else "Fell"
        out.append(Finding("changes", flag, f"{lead} beyond random variation in {area}, against "
                                            f"{' or '.join(against)}: {_names(parts)}.",
                           tuple(sub["issue"].astype("str")),
                           {"counts": dict(zip(sub["issue"].astype("str"), sub["count"].astype("int64"),
                                               strict=True))}))
    return out


def where(hotspots: pd.DataFrame | None, issue: str, district: str | None) -> list[Finding]:
    """Where the area's top priority happened most: its LSOA with most incidents (the county: over all
    districts), with the count and the share of the district's incidents of the issue."""
    if hotspots is None or hotspots.empty:
        return []
    h = hotspots[(hotspots["place_type"].astype("str") == "lsoa") & (hotspots["issue"].astype("str") == issue)]
    if district is not None:
        h = h[h["district"].astype("str") == district]
    h = h.dropna(subset=["count"])
    if h.empty:
        return []
    top = h.sort_values(["count", "place_code"], ascending=[False, True], kind="stable").iloc[0]
    d = str(top["district"])
    return [Finding("where", "hotspot",
                    f"The neighbourhood (LSOA) with most {issue} was {top['place_name']} ({d}): "
                    f"{fmt(top['count'], 'int')} of "
                    f"{d}'s {fmt(top['district_issue_count'], 'int')} incidents ({fmt(top['share'], 'share')}); "
                    "the where-and-when section lists the places with most incidents of every issue.",
                    (issue,), {"lsoa": str(top["place_name"]), "district": d, "count": int(top["count"])})]


def executive_summary(tables: Mapping[str, pd.DataFrame], county_name: str,
                      district: str | None = None) -> list[Finding]:
    """Every sentence of the executive summary of the county roll-up (``district`` None) or of a district page.

    Parameters
    ----------
    tables : mapping of DataFrame
        The scored tables: ``county_priorities``, ``issue_scores`` and optionally ``hotspots``.
    county_name : str
        The county, named in the county's sentences.
    district : str, optional
        The district of a district page.

    Returns
    -------
    list of Finding
        In the order of :data:`TOPICS`.
    """
    cp = tables["county_priorities"]
    out = decisions(cp)
    if district is None:
        out += stays_with_districts(cp)
        area_rows = cp
        top_issue = str(cp.sort_values("priority_rank")["issue"].iloc[0]) if len(cp) else None
    else:
        scores = tables["issue_scores"]
        out += district_priorities(scores, cp, district)
        out += stays_with_districts(cp)
        area_rows = scores[scores["district"].astype("str") == district]
        top_issue = str(area_rows.sort_values("priority_rank")["issue"].iloc[0]) if len(area_rows) else None
    out += changes(area_rows, district or county_name)
    if top_issue is not None:
        out += where(tables.get("hotspots"), top_issue, district)
    out += [Finding("limits", "limit", text) for text in LIMITS]
    return out


def illustrative_issues(tables: Mapping[str, pd.DataFrame]) -> frozenset[str]:
    """The issues whose counts are invented (the ``illustrative`` column of ``county_priorities``, set from
    county.toml's ``illustrative = true``): a sentence naming one is marked as such wherever it is shown.

    Examples
    --------
    >>> cp = pd.DataFrame({"issue": ["Drugs", "Hate incidents"], "illustrative": [False, True]})
    >>> sorted(illustrative_issues({"county_priorities": cp}))
    ['Hate incidents']
    """
    cp = tables.get("county_priorities")
    if cp is None or "illustrative" not in cp:
        return frozenset()
    return frozenset(cp.loc[cp["illustrative"].astype(bool), "issue"].astype("str"))


def illustrative_tag(finding: Finding, illustrative: frozenset[str]) -> str:
    """The label a sentence carries when it names an illustrative issue ('' when it names none).

    >>> f = Finding("decide", "county-wide service", "Propose X.", ("X",))
    >>> illustrative_tag(f, frozenset({"X"}))
    'ILLUSTRATIVE DATA (invented counts): X'
    """
    named = [i for i in finding.issues if i in illustrative]
    return "ILLUSTRATIVE DATA (invented counts): " + ", ".join(named) if named else ""


def summary_html(findings: Sequence[Finding], heading_level: int = 3,
                 illustrative: frozenset[str] = frozenset()) -> str:
    """The findings as HTML: one heading per topic (``<h3>`` by default) and a list of its sentences; a sentence
    naming an issue in ``illustrative`` carries a visible label (:func:`illustrative_tag`)."""
    h = f"h{heading_level}"
    parts = ["<div class='csa-exec'>"]
    for topic, heading in TOPICS.items():
        items = [f for f in findings if f.topic == topic]
        if not items:
            continue
        parts.append(f"<{h}>{html.escape(heading)}</{h}><ul>")
        parts += [f"<li class='csa-finding csa-{f.kind.replace(' ', '-')}'>{html.escape(f.text)}"
                  + (f" <strong class='csa-illustrative-tag'>[{html.escape(tag)}]</strong>"
                     if (tag := illustrative_tag(f, illustrative)) else "") + "</li>"
                  for f in items]
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


__all__ = ["LIMITS", "PROPOSALS", "TOPICS", "Finding", "changes", "decisions", "district_priorities",
           "executive_summary", "illustrative_issues", "illustrative_tag", "stays_with_districts", "summary_html",
           "where"]
