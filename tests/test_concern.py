"""Community concern (DIR/consultation.csv): read strictly, a priority-score component with its sampling
uncertainty, and where residents' concern and the recorded picture disagree."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csa_analysis.config.county import ScoringWeights, read_county
from csa_analysis.errors import InputError
from csa_analysis.method.concern import (
    AGREE,
    HIGH_CONCERN_LOW_VOLUME,
    LOW_CONCERN_HIGH_VOLUME,
    add_concern,
    concern_vs_recorded,
    county_concern,
    district_concern,
    wilson_interval,
)
from csa_analysis.method.scoring import add_priority
from csa_analysis.sources.consultation import read_consultation

TOML = """name = "Shire"
[[districts]]
name = "Blaby"
code = "E07000129"
population = 100000
[[districts]]
name = "Oadby and Wigston"
aliases = ["Oadby & Wigston"]
population = 60000
[[issues]]
name = "Hate incidents"
source = "force"
"""


def consultation(tmp_path: Path, rows: str) -> pd.DataFrame | None:
    (tmp_path / "county.toml").write_text(TOML, encoding="utf-8")
    (tmp_path / "consultation.csv").write_text("district,issue,respondents,concerned\n" + rows, encoding="utf-8")
    return read_consultation(read_county(tmp_path))


class TestReading:
    def test_names_aliases_codes_and_local_issues(self, tmp_path):
        t = consultation(tmp_path, "E07000129,Drugs,400,120\nOadby & Wigston,Hate incidents,200,9\n")
        assert t[["district", "issue", "respondents", "concerned"]].values.tolist() == [
            ["Blaby", "Drugs", 400, 120], ["Oadby and Wigston", "Hate incidents", 200, 9]]

    @pytest.mark.parametrize("rows, message", [
        ("Blaby,Drugs,100,120\n", "row 2, column 'concerned': concerned 120 is more than respondents 100"),
        ("Blaby,Drugs,100,20\nblaby,Drugs,90,10\n", "row 3: 'Drugs' in Blaby is given twice (rows 2 and 3)"),
        ("Blaby,Knife crime,100,20\n", "row 2, column 'issue': issue 'Knife crime' is not"),
        ("Blaby,Drugs,0,0\n", "row 2, column 'respondents'"),
        ("Blaby,Drugs,100,2.5\n", "'2.5' is not a whole number"),
    ])
    def test_bad_rows_name_the_file_and_row(self, tmp_path, rows, message):
        with pytest.raises(InputError) as e:
            consultation(tmp_path, rows)
        assert message in str(e.value) and "consultation.csv" in str(e.value), str(e.value)


class TestUncertainty:
    def test_wilson_interval_by_hand(self):
        # k = 30, n = 100, z = 1.96: centre (0.3 + z^2/200) / (1 + z^2/100); half-width z/(1 + z^2/100) x
        # sqrt(0.3 x 0.7 / 100 + z^2 / 40000)
        z = 1.959963984540054
        centre = (0.3 + z * z / 200) / (1 + z * z / 100)
        half = z / (1 + z * z / 100) * np.sqrt(0.21 / 100 + z * z / 40000)
        lo, hi = wilson_interval([30], [100])
        assert (lo[0], hi[0]) == pytest.approx((centre - half, centre + half))

    def test_fewer_respondents_give_a_wider_interval(self):
        lo, hi = wilson_interval([10, 100], [50, 500])
        assert hi[0] - lo[0] > hi[1] - lo[1]

    def test_the_county_pools_the_districts_respondents(self):
        c = pd.DataFrame({"district": ["A", "B"], "issue": ["Drugs", "Drugs"], "respondents": [100, 300],
                          "concerned": [50, 30]})
        row = county_concern(c).iloc[0]
        assert (row["respondents"], row["concerned"], row["concern_share"]) == (400, 80, 0.2)


def scores_with_concern() -> pd.DataFrame:
    """One district, four issues: counts and survey answers chosen to give each kind of (dis)agreement."""
    t = pd.DataFrame({"district": ["A"] * 4, "issue": ["Drugs", "Shoplifting", "Burglary", "Robbery"],
                      "count": [20, 900, 300, 10], "rate_per_1000": [0.2, 9.0, 3.0, 0.1],
                      "change_flag": ["no comparison available"] * 4, "harm_score": [np.nan] * 4,
                      "cost_of_crime_gbp": [np.nan] * 4})
    c = pd.DataFrame({"district": ["A"] * 4, "issue": ["Drugs", "Shoplifting", "Burglary", "Robbery"],
                      "respondents": [500] * 4, "concerned": [200, 10, 100, 60]})
    return add_concern(t, district_concern(c), by="district")


class TestDisagreement:
    def test_high_concern_low_volume_and_the_reverse(self):
        out = concern_vs_recorded(scores_with_concern()).set_index("issue")["agreement"]
        # median concern 0.16; Drugs 0.40 (interval wholly above) with the 2nd lowest count of four
        assert out["Drugs"] == HIGH_CONCERN_LOW_VOLUME
        # Shoplifting 0.02 (wholly below) with the most incidents
        assert out["Shoplifting"] == LOW_CONCERN_HIGH_VOLUME
        # Burglary 0.20: above the median and the second highest count: concern and volume agree
        assert out["Burglary"] == AGREE and out["Robbery"] == AGREE

    def test_concern_not_clearly_above_typical_is_not_flagged(self):
        t = scores_with_concern()
        t.loc[t["issue"] == "Drugs", ["respondents", "concerned"]] = [5, 2]  # 40% of 5 people: too uncertain
        lo, hi = wilson_interval(t["concerned"], t["respondents"])
        t["concern_share"], t["concern_low"], t["concern_high"] = t["concerned"] / t["respondents"], lo, hi
        assert concern_vs_recorded(t).set_index("issue").loc["Drugs", "agreement"] == AGREE


class TestPriorityComponent:
    def test_concern_is_a_share_of_the_largest_and_counts_only_where_surveyed(self):
        t = scores_with_concern()
        t.loc[t["issue"] == "Robbery", ["concern_share", "concern_low", "concern_high"]] = np.nan  # not surveyed
        out = add_priority(t, ScoringWeights(volume=1, trend=0, harm=0, cost=0, prevalence=0, concern=1),
                           pd.Series(dtype="float64"), by="district").set_index("issue")
        assert out.loc["Drugs", "score_concern"] == 1.0
        assert out.loc["Burglary", "score_concern"] == pytest.approx(0.5)
        assert np.isnan(out.loc["Robbery", "score_concern"])  # unknown, never 0
        assert out.loc["Burglary", "priority_score"] == pytest.approx(100 * (300 / 900 + 0.5) / 2)
        assert out.loc["Robbery", "score_basis"] == "volume"
        assert out.loc["Robbery", "priority_score"] == pytest.approx(100 * 10 / 900)

    def test_without_a_survey_the_scores_are_unchanged(self):
        t = scores_with_concern().drop(columns=["concern_share", "concern_low", "concern_high"])
        with_weight = add_priority(t, ScoringWeights(concern=5), pd.Series(dtype="float64"), by="district")
        without = add_priority(t, ScoringWeights(concern=0), pd.Series(dtype="float64"), by="district")
        assert with_weight["priority_score"].tolist() == without["priority_score"].tolist()
