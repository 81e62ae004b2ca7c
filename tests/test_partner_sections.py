"""The default sample's pack with its partner inputs: the illustrative local issues (bannered), the delivery levels
the rules give them, official recorded crime, benchmarking, community concern and the police.uk cross-check."""

from __future__ import annotations

import pandas as pd
import pytest

from csa_analysis.config.county import read_county
from csa_analysis.method.delivery import COUNTY_WIDE, DISTRICT_LED
from csa_analysis.paths import CURRENT_SAMPLE_DIR
from csa_analysis.report import charts
from csa_analysis.report import sections as report
from csa_analysis.report.excel import illustrative_sheets
from csa_analysis.report.pack import Pack
from csa_analysis.run.pipeline import score_quarter


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    county = read_county(CURRENT_SAMPLE_DIR)
    return county, score_quarter(county, cache_dir=tmp_path_factory.mktemp("cache"))


def pack(scored, district: str | None = None) -> Pack:
    county, s = scored
    return Pack(county, s.quarter, s.tables, s.quality, s.inputs, district)


def html(result) -> str:
    return result.data if hasattr(result, "data") else str(result)


class TestTheSamplesLocalIssues:
    def test_sarc_referrals_are_a_county_wide_service_and_domestic_abuse_stays_with_the_districts(self, scored):
        cp = scored[1].tables["county_priorities"].set_index("issue")
        issues = scored[1].tables["issue_scores"]
        sarc = issues[issues["issue"].astype("str") == "Sexual assault referrals"]
        da = issues[issues["issue"].astype("str") == "Domestic abuse incidents"]
        # the facts the rules read, from the table itself
        assert (sarc["count"] < 20).all() and sarc["count"].sum() >= 20
        assert (da["count"] >= 20).all()
        assert cp.loc["Sexual assault referrals", "delivery_level"] == COUNTY_WIDE
        assert "harm weight 197 CCHI days per offence (at least 100)" in cp.loc["Sexual assault referrals",
                                                                             "rationale"]
        assert cp.loc["Domestic abuse incidents", "delivery_level"] == DISTRICT_LED
        assert cp.loc["Domestic abuse incidents", "rationale"].startswith("High volume in 7 of 7 districts, but no "
                                                                          "pattern shared")

    @pytest.mark.parametrize("district", [None, "Melton"])
    def test_every_page_carries_the_banner_and_shows_the_local_issues(self, scored, district):
        p = pack(scored, district)
        banner = html(report.illustrative_banner(p))
        assert "Sexual assault referrals" in banner and "consultation.csv" in banner
        section = html(report.local_issues_section(p))
        assert "Illustrative data" in section and "county-wide service" in section

    def test_a_chart_showing_an_illustrative_issue_says_so_in_its_title(self, scored):
        p = pack(scored)
        fig = charts.heatmap(p.tables["issue_scores"], p.period)
        assert report.illustrative_chart_issues(p, fig) == list(p.county.illustrative_issues)
        assert "ILLUSTRATIVE DATA" in html(report.heatmap_chart(p))
        assert "ILLUSTRATIVE" not in html(report.funding_chart(p))  # districts only: no issue shown

    @pytest.mark.parametrize("where", ["categories", "legend", "annotation", "nowhere"])
    def test_an_illustrative_issue_is_found_wherever_the_chart_names_it(self, scored, where):
        from matplotlib.figure import Figure

        p = pack(scored)
        issue = p.county.illustrative_issues[0]
        ax = Figure().add_subplot()
        if where == "categories":  # plotted as strings: a category axis, labelled when drawn
            ax.bar(["Burglary", issue], [3, 4])
        else:
            ax.plot([0, 1], [3, 4], label=issue if where == "legend" else "Burglary")
            ax.legend()
            if where == "annotation":
                ax.text(0.5, 3.5, f"{issue}: 4")
        assert report.illustrative_chart_issues(p, ax.figure) == ([] if where == "nowhere" else [issue])

    def test_every_issue_sheet_carries_the_banner(self, scored):
        banners = illustrative_sheets(scored[0])
        assert {"county_priorities", "issue_scores", "monthly", "rag", "concern"} <= set(banners)
        assert "recorded_crime" not in banners  # Table C2 is real


class TestRecordedCrimeSections:
    @pytest.mark.parametrize("district", [None, "Charnwood"])
    def test_sections_show_groups_rates_peers_and_the_cross_check(self, scored, district):
        p = pack(scored, district)
        rc = html(report.recorded_crime_section(p))
        assert "Official recorded crime" in rc and "Stalking and harassment" in rc and "England and Wales" in rc
        bench = html(report.benchmarking_section(p))
        peers = scored[1].tables["recorded_crime_peers"]
        named = peers[peers["district"] == (district or "Blaby")]["peer_name"]
        assert all(name in bench for name in named) and "<img" in bench
        check = html(report.recorded_crime_check(p))
        assert "pro rata: 6 of the table" in check and "police.uk holds" in check

    def test_the_cross_check_compares_like_with_like(self, scored):
        check = scored[1].tables["recorded_crime_check"]
        rc = scored[1].tables["recorded_crime"]
        total = check[(check["district"] == "Charnwood")
                      & (check["offence_group"] == "Total recorded crime (excluding fraud)")].iloc[0]
        c2 = rc[(rc["district"] == "Charnwood") & (rc["offence_group"] == "Total recorded crime (excluding fraud)")]
        assert total["c2_count_for_months"] == pytest.approx(int(c2["count"].iloc[0]) * 6 / 12)
        monthly = scored[1].tables["monthly"]
        crimes = monthly[(monthly["district"].astype("str") == "Charnwood") & monthly["month"].between(
            "2025-01", "2025-06") & ~monthly["issue"].astype("str").isin(
            ["Anti-social behaviour", *scored[0].illustrative_issues])]
        assert total["police_uk_count"] == crimes["count"].sum()


class TestCommunityConcern:
    def test_concern_is_scored_and_disagreements_are_shown(self, scored):
        scores = scored[1].tables["issue_scores"]
        surveyed = scores["score_concern"].notna()
        assert surveyed.sum() == 7 * 10  # ten issues asked about in each district
        assert scores.loc[surveyed, "score_basis"].str.contains("concern").all()
        concern = scored[1].tables["concern"]
        assert set(concern["agreement"]) >= {"high concern, low recorded volume", "low concern, high recorded volume"}
        section = html(report.community_concern_section(pack(scored, "Melton")))
        assert "Illustrative data" in section and "95% interval" in section
        assert pd.Series(concern["concern_low"] <= concern["concern_share"]).all()
