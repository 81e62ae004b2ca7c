"""Where/when/outcome charts: titles with unit and period, markers, contrast on white, alt text, data drawn."""

from __future__ import annotations

import html
import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure

from csa_analysis.domain.issues import ISSUES
from csa_analysis.domain.periods import Quarter
from csa_analysis.method import outcomes, places, seasonality
from csa_analysis.report import place_charts as pc

from placefactory import ALL_MONTHS, relabel_months, sample_records

Q3 = Quarter.parse("2018-19Q3")
DISTRICT = "Charnwood"


def wcag_contrast_on_white(colour) -> float:
    """WCAG 2.1 contrast against white, computed here (not with the module's own function)."""
    r, g, b, _ = to_rgba(colour)

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return 1.05 / (lum + 0.05)


def data_colours(fig: Figure) -> set[str]:
    """Every colour the figure uses to draw data: lines and markers, bars, meshes and scatters."""
    fig.savefig(io.BytesIO(), format="png")  # resolve mapped colours
    out: set[str] = set()
    for ax in fig.axes:
        for line in ax.lines:
            out.add(to_hex(line.get_color()))
            if line.get_marker() not in (None, "None", "", " "):
                for c in (line.get_markerfacecolor(), line.get_markeredgecolor()):
                    if str(c).lower() != "none":
                        out.add(to_hex(c))
        for patch in ax.patches:
            face = patch.get_facecolor()
            if face[3] > 0:
                out.add(to_hex(face))
        for coll in ax.collections:
            for face in np.atleast_2d(coll.get_facecolors()):
                if len(face) and face[3] > 0:
                    out.add(to_hex(face))
    return out


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return sample_records()


@pytest.fixture(scope="module")
def long_records(records):
    """25 months of real rows (October 2018 to October 2020) with March 2020 missing: a gap."""
    long = relabel_months(records, 5)
    return long[long["month"] != "2020-03"].reset_index(drop=True)


@pytest.fixture(scope="module")
def long_months(long_records):
    return sorted(set(long_records["month"]))


@pytest.fixture(scope="module")
def charts(records, long_records, long_months) -> dict[str, pc.Chart]:
    hot = places.hotspots_table(records, Q3)
    return {
        "hotspot": pc.hotspot_chart(hot, DISTRICT, "Burglary"),
        "locations": pc.hotspot_chart(hot, DISTRICT, "Shoplifting", place_type="location"),
        "density": pc.density_chart(places.density_grid(records, Q3, district=DISTRICT,
                                                        issue="Violence and sexual offences")),
        "month_of_year": pc.month_of_year_chart(
            seasonality.month_of_year(long_records, months_present=long_months), DISTRICT, district=DISTRICT),
        "rolling": pc.rolling_trend_chart(
            seasonality.rolling_total(long_records, months_present=long_months), DISTRICT, district=DISTRICT),
        "outcomes": pc.outcome_chart(outcomes.outcome_shares(records, Q3), DISTRICT, period=Q3.label()),
    }


UNITS = {"hotspot": "(count)", "locations": "(count)", "density": "per km² in the period",
         "month_of_year": "a month on average (count)", "rolling": "(count)", "outcomes": "(%)"}
LONG_PERIOD = "October 2018 to October 2020"
PERIODS = {"hotspot": Q3.label(), "locations": Q3.label(), "density": Q3.label(), "month_of_year": LONG_PERIOD,
           "rolling": LONG_PERIOD, "outcomes": Q3.label()}


class TestEveryChart:
    @pytest.mark.parametrize("name", sorted(UNITS))
    def test_a_figure_titled_with_unit_and_period(self, charts, name):
        chart = charts[name]
        assert isinstance(chart, pc.Chart) and isinstance(chart.figure, Figure)
        assert UNITS[name] in chart.title and PERIODS[name] in chart.title
        assert DISTRICT in chart.title
        ax = chart.figure.axes[0]
        assert ax.get_xlabel() and ax.get_ylabel()

    @pytest.mark.parametrize("name", sorted(UNITS))
    def test_no_data_colour_below_three_to_one_on_white(self, charts, name):
        colours = data_colours(charts[name].figure)
        assert colours
        low = {c: round(wcag_contrast_on_white(c), 2) for c in colours if wcag_contrast_on_white(c) < 3.0}
        assert not low

    @pytest.mark.parametrize("name", sorted(UNITS))
    def test_alt_text_is_a_sentence_and_the_image_carries_it(self, charts, name):
        chart = charts[name]
        assert chart.alt.endswith(".") and len(chart.alt) > 30
        img = chart.img_html()
        assert img.startswith('<img src="data:image/png;base64,')
        alt = html.unescape(img.split(' alt="', 1)[1].split('"', 1)[0])
        assert alt == f"{chart.title}. {chart.alt}"
        assert chart._repr_html_().split("base64,")[0] == img.split("base64,")[0]

    def test_the_palettes_themselves_pass_and_yellow_would_not(self):
        assert wcag_contrast_on_white("#F0E442") < 3.0 and wcag_contrast_on_white("#E69F00") < 3.0
        assert "#F0E442" not in pc.SERIES_COLOURS
        for colour in [*pc.SERIES_COLOURS, *(c for c, _ in pc.OUTCOME_STYLES.values()),
                       *(c for c, _ in pc.ISSUE_STYLES.values())]:
            assert wcag_contrast_on_white(colour) >= 3.0, colour
        ramp = pc.DENSITY_CMAP(np.linspace(0, 1, 256))
        assert min(wcag_contrast_on_white(c) for c in ramp) >= 3.0
        assert pc.contrast_ratio("#F0E442") == pytest.approx(wcag_contrast_on_white("#F0E442"))

    def test_every_issue_has_its_own_colour_and_marker_pair(self):
        pairs = list(pc.ISSUE_STYLES.values())
        assert len(set(pairs)) == len(pairs) == len(ISSUES)
        assert len({h for _, h in pc.OUTCOME_STYLES.values()}) == len(pc.OUTCOME_STYLES)


class TestHotspotChart:
    def test_bars_are_the_data(self, charts, records):
        chart = charts["hotspot"]
        ax = chart.figure.axes[0]
        top_down = sorted(ax.patches, key=lambda p: -p.get_y())
        assert [p.get_width() for p in top_down] == chart.data["count"].tolist()  # top bar = rank 1
        ticks = sorted(zip(ax.get_yticks(), ax.get_yticklabels(), strict=True), key=lambda t: -t[0])
        assert [t.get_text().replace("\n", " ") for _, t in ticks] == chart.data["place"].tolist()
        expected = places.hotspots(records, Q3)
        expected = expected[(expected["district"] == DISTRICT) & (expected["issue"] == "Burglary")]
        assert chart.data["count"].tolist() == expected["count"].tolist()

    def test_alt_names_the_top_place_and_its_count(self, charts):
        chart = charts["hotspot"]
        top = chart.data.iloc[0]
        assert top["place"] in chart.alt and f"{top['count']} incidents" in chart.alt

    def test_locations_are_called_map_points_never_addresses(self, charts):
        chart = charts["locations"]
        assert "map point" in chart.title and "map point" in chart.alt
        assert "never an exact address" in " ".join(chart.figure.axes[0].get_xlabel().split())
        assert chart.data["place"].str.startswith("On or near").all()


class TestDensityChart:
    def test_the_mesh_is_the_shown_cells(self, charts, records):
        chart = charts["density"]
        mesh = chart.figure.axes[0].collections[0]
        drawn = np.ma.masked_invalid(mesh.get_array()).compressed()
        assert sorted(drawn) == sorted(chart.data["density_per_km2"])
        grid = places.density_grid(records, Q3, district=DISTRICT, issue="Violence and sexual offences")
        assert len(chart.data) == len(grid.shown) and chart.data["count"].sum() == grid.shown["count"].sum()

    def test_alt_gives_the_densest_cell(self, charts):
        chart = charts["density"]
        assert f"{chart.data['density_per_km2'].max():,.0f} incidents per km²" in chart.alt
        assert "not shown" in chart.alt

    def test_scale_bar_north_arrow_and_colour_bar(self, charts):
        fig = charts["density"].figure
        ax = fig.axes[0]
        texts = [t.get_text() for t in ax.texts]
        assert "N" in texts and any(t.endswith(" km") for t in texts)
        assert len(fig.axes) == 2 and "per km²" in fig.axes[1].get_ylabel()
        assert "projection" in ax.get_xlabel() and "north is up" in ax.get_xlabel()


class TestLineCharts:
    @pytest.mark.parametrize("name", ["month_of_year", "rolling"])
    def test_every_line_has_markers(self, charts, name):
        lines = charts[name].figure.axes[0].lines
        assert lines and all(line.get_marker() not in (None, "None", "", " ") for line in lines)
        assert len({(line.get_color(), line.get_marker()) for line in lines}) == len(lines)

    def test_month_of_year_lines_are_the_data_and_alt_gives_the_peak(self, charts):
        chart = charts["month_of_year"]
        for line in chart.figure.axes[0].lines:
            d = chart.data[chart.data["issue"] == line.get_label()].sort_values("calendar_month")
            assert np.allclose(line.get_ydata(), d["mean_count"]) and len(d) == 12
        first = chart.data["issue"].iloc[0]
        d = chart.data[chart.data["issue"] == first]
        peak = d.sort_values(["mean_count", "calendar_month"], ascending=[False, True]).iloc[0]
        assert f"{first} peaked in {peak['month_name']} ({peak['mean_count']:,.0f} a month on average)" in chart.alt

    def test_a_single_year_is_called_one_years_pattern(self, records):
        one_year = relabel_months(records, 3)  # October 2018 to February 2020: several months seen once
        year = one_year[one_year["month"].between("2019-01", "2019-12")]
        chart = pc.month_of_year_chart(seasonality.month_of_year(year), DISTRICT, district=DISTRICT)
        assert "single year" in chart.alt
        two = seasonality.month_of_year(one_year)
        assert "single year" not in pc.month_of_year_chart(two, DISTRICT, district=DISTRICT).alt

    def test_rolling_line_breaks_at_the_gap(self, charts):
        chart = charts["rolling"]
        ax = chart.figure.axes[0]
        for line in ax.lines:
            d = chart.data[chart.data["issue"] == line.get_label()].sort_values("month")
            y = np.asarray(line.get_ydata(), dtype=float)
            assert np.array_equal(np.isnan(y), d["rolling_total"].isna().to_numpy())
            assert np.allclose(y[~np.isnan(y)], d["rolling_total"].dropna())
            gap = d["month"].tolist().index("2020-03")
            assert np.isnan(y[gap]) and not np.isnan(y[gap - 1])  # drawn up to the gap, then broken
        assert "2020-03" in chart.alt

    def test_alt_gives_the_latest_total(self, charts):
        chart = charts["rolling"]
        first = chart.data["issue"].iloc[0]
        last = chart.data[(chart.data["issue"] == first)].dropna(subset=["rolling_total"]).iloc[-1]
        assert f"{first}: {last['rolling_total']:,.0f} incidents in the 12 months to" in chart.alt

    def test_too_few_months_give_a_chart_that_says_why(self, records):
        pattern = seasonality.month_of_year(records, months_present=ALL_MONTHS)
        chart = pc.month_of_year_chart(pattern, DISTRICT, district=DISTRICT)
        assert chart.data.empty and chart.alt == pattern.attrs["reason"]
        assert any("calendar month" in t.get_text() for t in chart.figure.axes[0].texts)
        trend = seasonality.rolling_total(records, months_present=ALL_MONTHS)
        chart = pc.rolling_trend_chart(trend, DISTRICT, district=DISTRICT)
        assert chart.data.empty and chart.alt == trend.attrs["reason"]


class TestOutcomeChart:
    def test_segments_are_the_data(self, charts):
        chart = charts["outcomes"]
        ax = chart.figure.axes[0]
        bars = list(dict.fromkeys(chart.data["issue"]))
        assert bars[0] == pc.ALL_CRIMES
        groups = [*outcomes.OUTCOME_GROUPS, outcomes.NOT_MAPPED]
        widths = np.array([p.get_width() for p in ax.patches]).reshape(len(groups), len(bars))
        wide = chart.data.pivot_table(index="issue", columns="outcome_group", values="share", sort=False)
        assert np.allclose(widths, wide.reindex(index=bars, columns=groups).fillna(0).to_numpy().T)
        assert np.allclose(widths.sum(axis=0), 1.0)
        hatches = {p.get_hatch() for p in ax.patches}
        assert len(hatches) == len(groups)  # each group has its own pattern as well as its colour

    def test_alt_gives_the_commonest_outcome_and_caveat_is_shown(self, charts):
        chart = charts["outcomes"]
        allc = chart.data[chart.data["issue"] == pc.ALL_CRIMES]
        top = allc.sort_values("share", ascending=False).iloc[0]
        assert f"{top['share'] * 100:.0f}%" in chart.alt and top["outcome_group"] in chart.alt
        assert f"{int(top['crimes']):,} crimes" in chart.alt
        note = " ".join(chart.figure.axes[0].get_xlabel().split())
        assert "republishes" in note and "Anti-social behaviour" in note
        assert "Anti-social behaviour" not in set(chart.data["issue"])


@pytest.mark.parametrize("module", "csa_analysis.report.place_charts".split(","))
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
