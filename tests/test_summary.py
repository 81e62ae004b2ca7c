"""The executive summary: every sentence checked against the tables it was drafted from.

On the sample pack (the shipped 2025 Leicestershire sample, quarter 2025-26Q3, scored once) each sentence of the
county's and of every district's summary is matched to its source rows: the issues proposed for a county-wide
service or county coordination are exactly those of ``county_priorities``, each with its rationale; the issues
left with the districts are the rest, with their risk notes; each rise or fall beyond random variation names
exactly the flagged issues with their counts; the hotspot sentence names the LSOA with most incidents. Small
frames test the edges (nothing proposed, no comparison available).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from csa_analysis.config.county import read_county
from csa_analysis.paths import CURRENT_SAMPLE_DIR
from csa_analysis.report import summary
from csa_analysis.report.front_page import front_page
from csa_analysis.run.pipeline import score_quarter


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    county = read_county(CURRENT_SAMPLE_DIR)
    scored = score_quarter(county, cache_dir=tmp_path_factory.mktemp("cache"))
    return county, scored


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _check(found: list[summary.Finding], tables: dict[str, pd.DataFrame], area_rows: pd.DataFrame,
           district: str | None) -> None:
    cp = tables["county_priorities"].assign(issue=lambda t: t["issue"].astype("str")).sort_values("priority_rank")
    assert found and all(f.topic in summary.TOPICS and f.text.endswith(".") for f in found)
    topics = [f.topic for f in found]
    assert topics == sorted(topics, key=list(summary.TOPICS).index)  # the parts in their order

    for level in summary.PROPOSALS:
        proposed = cp[cp["delivery_level"] == level]
        said = [f for f in found if f.kind == level]
        assert [i for f in said for i in f.issues] == proposed["issue"].tolist()
        for f, why in zip(said, proposed["rationale"], strict=True):  # the reason is the rationale's own words
            assert summary._reason(why) in f.text
        none = [f for f in found if f.kind == "none proposed" and f.figures["level"] == level]
        assert len(none) == (1 if proposed.empty else 0)

    led = cp[cp["delivery_level"] == summary.DISTRICT_LED]
    stays = [f for f in found if f.kind == "district-led" and f.text[0].isdigit()]
    assert len(stays) == 1 and list(stays[0].issues) == led["issue"].tolist()
    assert stays[0].text.startswith(f"{len(led)} issue")
    risks = [f for f in found if f.kind == "risk"]
    assert [f.issues[0] for f in risks] == led["issue"].tolist()[: summary.RISKS_SHOWN]
    for f, note in zip(risks, led["risk_note"], strict=False):
        assert summary._risk(note) in f.text

    rows = area_rows.assign(issue=area_rows["issue"].astype("str")).set_index("issue")
    for flag in ("increase", "decrease"):
        flagged = rows.index[rows["change_flag"] == flag].tolist()
        said = [f for f in found if f.kind == flag]
        if not flagged:
            assert not said
            continue
        assert len(said) == 1 and sorted(said[0].issues) == sorted(flagged)
        for issue, before, now in re.findall(r"([A-Z][\w ,-]*?) \(([\d,]+) to ([\d,]+), [+-]\d+%\)",
                                             said[0].text.split(": ", 1)[1]):
            issue = issue.strip().removeprefix("and ").strip(", ")
            assert _int(now) == int(rows.loc[issue, "count"])
            assert _int(before) == int(rows.loc[issue, "count_prev_quarter"])  # the sample's basis
    nothing = [f.text for f in found if f.kind == "no change"]
    assert ("Nothing rose" in " ".join(nothing)) == (rows["change_flag"] != "increase").all()
    assert ("Nothing fell" in " ".join(nothing)) == (rows["change_flag"] != "decrease").all()

    hot = [f for f in found if f.kind == "hotspot"]
    assert len(hot) == 1
    top_issue = str(area_rows.sort_values("priority_rank")["issue"].iloc[0])
    h = tables["hotspots"]
    h = h[(h["place_type"] == "lsoa") & (h["issue"].astype("str") == top_issue)]
    if district:
        h = h[h["district"].astype("str") == district]
    assert hot[0].issues == (top_issue,)
    assert hot[0].figures["count"] == int(h["count"].max())
    assert hot[0].figures["lsoa"] in set(h.loc[h["count"] == h["count"].max(), "place_name"])

    assert [f.text for f in found if f.topic == "limits"] == list(summary.LIMITS)
    assert any("domestic abuse" in t and "hate crime" in t and "exploitation" in t for t in summary.LIMITS)


def test_every_sentence_of_the_county_summary_is_true_of_the_tables(sample):
    county, scored = sample
    found = summary.executive_summary(scored.tables, county.name)
    _check(found, scored.tables, scored.tables["county_priorities"], None)
    # the sample's proposals, as a board would read them
    proposed = {i for f in found if f.kind == "county-wide service" for i in f.issues}
    cp = scored.tables["county_priorities"]
    assert proposed == set(cp.loc[cp["delivery_level"] == "county-wide service", "issue"].astype("str"))
    assert proposed  # the sample proposes at least one county-wide service


@pytest.mark.parametrize("district", ["Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth", "Melton",
                                      "North West Leicestershire", "Oadby and Wigston"])
def test_every_sentence_of_each_district_summary_is_true_of_the_tables(sample, district):
    county, scored = sample
    scores = scored.tables["issue_scores"]
    rows = scores[scores["district"].astype("str") == district]
    found = summary.executive_summary(scored.tables, county.name, district)
    _check(found, scored.tables, rows, district)
    own = [f for f in found if f.kind == "district priorities"]
    top = rows.sort_values("priority_rank").head(summary.DISTRICT_TOP)
    assert len(own) == 1 and list(own[0].issues) == top["issue"].astype("str").tolist()
    for r in top.itertuples():
        assert f"{r.issue} ({r.count:,} incidents" in own[0].text


def test_the_front_page_leads_with_the_county_summary(sample):
    county, scored = sample
    page = front_page(county.name, scored.quarter, [], "2026-01-01 06:00 UTC", sorted(scored.tables),
                      scored.tables, {"status": "skipped", "note": "no PDFs: test", "files": {}})
    body = page.split("<body>", 1)[1]
    assert body.index("Executive summary") < body.index("<h2>Reports</h2>")
    from markupsafe import escape  # Jinja's own escaping

    for f in summary.executive_summary(scored.tables, county.name):
        assert str(escape(f.text)) in page
    assert "RAG key (county level)" in page and "PDF: no PDFs: test" in page


def test_nothing_proposed_and_no_comparison_are_said_as_such():
    cp = pd.DataFrame({"issue": ["Drugs", "Burglary"], "priority_rank": [1, 2], "count": [5, 9],
                       "delivery_level": ["district-led"] * 2, "rationale": ["r: district-led."] * 2,
                       "risk_note": ["Not escalated. Risk: x.", "Not escalated. Risk: y."],
                       "count_prev_quarter": [None, None], "count_last_year": [None, None],
                       "change_flag": ["no comparison available"] * 2})
    found = summary.executive_summary({"county_priorities": cp, "issue_scores": cp.assign(district="A")}, "Shire")
    kinds = [f.kind for f in found]
    assert kinds.count("none proposed") == 2
    assert "no comparison" in kinds and "increase" not in kinds and "no change" not in kinds
    assert not any("no increase" in f.text.lower() for f in found)


def test_a_sentence_naming_an_illustrative_issue_is_labelled_on_the_page_and_the_front_page(sample):
    county, scored = sample
    invented = set(county.illustrative_issues)
    assert invented and summary.illustrative_issues(scored.tables) == invented  # the sample's local issues
    found = summary.executive_summary(scored.tables, county.name)
    naming = [f for f in found if invented & set(f.issues)]
    assert naming  # the sample's summary names at least one invented issue (a proposal or a district-led list)
    html = summary.summary_html(found, illustrative=summary.illustrative_issues(scored.tables))
    items = re.findall(r"<li[^>]*>(.*?)</li>", html)
    assert len(items) == len(found)
    for f, item in zip(found, items, strict=True):
        labelled = "ILLUSTRATIVE DATA (invented counts)" in item
        assert labelled == bool(invented & set(f.issues)), f.text
        for issue in invented & set(f.issues):
            assert issue in item.split("ILLUSTRATIVE DATA", 1)[1]
    page = front_page(county.name, scored.quarter, [], "2026-01-01 06:00 UTC", sorted(scored.tables),
                      scored.tables, {"status": "skipped", "note": "test", "files": {}})
    assert page.count("ILLUSTRATIVE DATA (invented counts)") == len(naming)
