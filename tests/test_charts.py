"""Charts: each is a matplotlib Figure in the house style, titled with its unit and period, axes labelled.

(The partnership-landscape chart lives in :mod:`csa_analysis.report.partnership_charts`, tested with the
partnerships.)"""

from __future__ import annotations

import base64
import re
import struct

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from csa_analysis.report import charts

from synthetic import DISTRICTS, QUARTER, synthetic_tables

PERIOD = QUARTER.label()  # "April to June 2024 (2024-25 Q1)"


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    t = synthetic_tables()
    pop = {d: p for d, (p, _) in DISTRICTS.items()}
    t["issue_scores"] = t["issue_scores"].assign(population=t["issue_scores"]["district"].map(pop))
    return t


def _district(t: pd.DataFrame, name: str = "Dunmore") -> pd.DataFrame:
    return t[t["district"] == name]


#: chart name -> (builder, what its title must say about the unit, whether the title names the period)
BUILDERS = {
    "trend": (lambda t: charts.trend_chart(t["monthly"], ["Burglary", "Drugs"], "Dunmore", PERIOD, "Dunmore"),
              "(count)", True),
    "rates": (lambda t: charts.rates_vs_county(t["issue_scores"], t["county_priorities"], "Dunmore", PERIOD),
              "per 1,000 residents", True),
    "heatmap": (lambda t: charts.heatmap(t["issue_scores"], PERIOD), "(ratio, 1 = county mix)", True),
    "matrix": (lambda t: charts.priority_matrix(_district(t["issue_scores"]), "Dunmore", PERIOD, "CCHI days"),
               "harm (CCHI days)", True),
    "funding": (lambda t: charts.funding_vs_need(t["cost_per_area"], PERIOD, "incidents"),
                "(share of county total, %)", True),
    "funnel": (lambda t: charts.funnel_plot(t["issue_scores"], t["county_priorities"], "Burglary", PERIOD),
               "per 1,000 residents", True),
    "sensitivity": (lambda t: charts.sensitivity_chart(t["harm_sensitivity"], PERIOD), "(rank, 1 = most harm)",
                    True),
}


class TestHouseStyle:
    @pytest.mark.parametrize("name", sorted(BUILDERS))
    def test_figure_title_names_unit_and_period_and_axes_are_labelled(self, tables, name):
        build, unit, has_period = BUILDERS[name]
        fig = build(tables)
        assert isinstance(fig, Figure)
        assert fig.dpi == charts.DPI
        title = charts.title_of(fig)
        assert unit in title, title
        if has_period:
            assert PERIOD in title, title
        ax = fig.axes[0]
        assert ax.get_xlabel().strip() and ax.get_ylabel().strip(), (ax.get_xlabel(), ax.get_ylabel())

    def test_charts_are_never_registered_with_pyplot(self, tables):
        plt.close("all")
        for build, _, _ in BUILDERS.values():
            build(tables)
        assert plt.get_fignums() == []  # nothing to close, nothing piles up across a long batch

    def test_lines_use_the_colour_blind_safe_palette(self, tables):
        fig = charts.trend_chart(tables["monthly"], ["Burglary", "Drugs", "Robbery"], "Dunmore", PERIOD, "Dunmore")
        lines = fig.axes[0].get_lines()
        colours = [to_hex(line.get_color()).upper() for line in lines]
        assert colours == [charts.ISSUE_STYLES[i][0].upper() for i in ("Burglary", "Drugs", "Robbery")]
        assert [line.get_marker() for line in lines] == [charts.ISSUE_STYLES[i][1]
                                                          for i in ("Burglary", "Drugs", "Robbery")]

    def test_every_colour_of_the_palette_reaches_3_to_1_on_white_and_each_issue_has_one_style(self):
        from csa_analysis.report.place_charts import contrast_ratio

        assert all(contrast_ratio(c) >= 3.0 for c in charts.PALETTE)
        assert all(contrast_ratio(c) >= 3.0 for c in charts.LEVEL_COLOURS.values())
        assert len(set(charts.ISSUE_STYLES.values())) == len(charts.ISSUE_STYLES)  # colour and marker pairs


class TestContent:
    def test_trend_title_defaults_to_the_months_drawn(self, tables):
        fig = charts.trend_chart(tables["monthly"], ["Burglary"], "Synthshire")
        assert "April 2023 to June 2024" in charts.title_of(fig)
        assert len(fig.axes[0].get_lines()[0].get_xdata()) == 15

    def test_trend_of_one_district_sums_only_that_district(self, tables):
        fig = charts.trend_chart(tables["monthly"], ["Burglary"], "Eastmere", PERIOD, "Eastmere")
        m = tables["monthly"]
        expected = m[(m["district"] == "Eastmere") & (m["issue"] == "Burglary")]["count"].to_numpy()
        np.testing.assert_array_equal(fig.axes[0].get_lines()[0].get_ydata(), expected)

    def test_matrix_names_issues_without_harm_instead_of_drawing_them_as_zero(self, tables):
        fig = charts.priority_matrix(_district(tables["issue_scores"]), "Dunmore", PERIOD, "CCHI days")
        assert "Not shown (no harm weight or no incidents): Anti-social behaviour" in charts.title_of(fig)
        points = fig.axes[0].collections[0].get_offsets()
        assert len(points) == 13
        assert fig.axes[0].get_xscale() == "log"

    def test_matrix_with_no_harm_at_all_still_draws(self, tables):
        t = _district(tables["issue_scores"]).assign(harm_score=np.nan)
        fig = charts.priority_matrix(t, "Dunmore", PERIOD)
        assert any("No issue has both" in text.get_text() for text in fig.axes[0].texts)

    def test_funding_chart_leaves_a_district_without_funding_blank_and_names_it(self, tables):
        fig = charts.funding_vs_need(tables["cost_per_area"], PERIOD, "incidents")
        assert "No funding figure for: Fairholt" in charts.title_of(fig)
        funding_bars = fig.axes[0].containers[1]
        heights = [bar.get_height() for bar in funding_bars]
        assert np.isnan(heights[list(DISTRICTS).index("Fairholt")])
        assert sum(h for h in heights if not np.isnan(h)) == pytest.approx(1.0)

    def test_heatmap_cells_are_location_quotients_issue_by_district(self, tables):
        fig = charts.heatmap(tables["issue_scores"], PERIOD)
        data = fig.axes[0].get_images()[0].get_array()
        assert data.shape == (14, 7)
        s = tables["issue_scores"]
        lq = s[(s["district"] == "Castleford") & (s["issue"] == "Drugs")]["location_quotient"].iloc[0]
        labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert data[rows.index("Drugs"), labels.index("Castleford")] == pytest.approx(lq)

    def test_month_span(self):
        assert charts.month_span(["2018-12", "2018-10", "2019-02"]) == "October 2018 to February 2019"
        assert charts.month_span(["2018-10"]) == "October 2018"
        assert charts.month_span([]) == ""


class TestPng:
    def test_png_embeds_the_image_at_house_resolution_with_the_title_as_alt_text(self, tables):
        fig = charts.heatmap(tables["issue_scores"], PERIOD)
        tag = charts.png(fig).data
        m = re.fullmatch(r'<figure class="csa-chart"><img src="data:image/png;base64,([A-Za-z0-9+/=]+)" '
                         r'alt="([^"]*)" [^>]*></figure>', tag)
        assert m, tag[:120]
        raw = base64.b64decode(m.group(1))
        assert raw[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", raw[16:24])
        assert (width, height) == (round(8.5 * charts.DPI), round(6.0 * charts.DPI))
        assert m.group(2).startswith("Where each issue is concentrated")

    def test_a_chart_with_its_finding_and_data_has_both_as_alt_text_caption_and_table(self, tables):
        from csa_analysis.report import findings

        finding, data = findings.heatmap(tables["issue_scores"])
        tag = charts.png(charts.heatmap(tables["issue_scores"], PERIOD), finding, data).data
        alt = re.search(r'alt="([^"]*)"', tag).group(1)
        assert alt.endswith(finding.replace("'", "&#x27;")) and "location quotient" in finding
        assert f"<figcaption>{finding.replace(chr(39), '&#x27;')}</figcaption>" in tag
        top = data.sort_values("location_quotient", ascending=False).iloc[0]
        assert f"{top['issue']} in {top['district']}" in finding
        assert tag.count("<tr>") == len(data) + 1  # header and one row per cell drawn

    def test_alt_text_is_escaped(self):
        fig = Figure()
        fig.add_subplot().set_title('<b>"Evil" & co</b>', loc="left")
        assert 'alt="&lt;b&gt;&quot;Evil&quot; &amp; co&lt;/b&gt;"' in charts.png(fig).data
