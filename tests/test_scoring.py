"""Priority score: components in [0, 1], configurable weights, deterministic ranks; the optional MoRiLE matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csa_analysis.config.county import ScoringWeights
from csa_analysis.errors import InputError
from csa_analysis.method.score import build_tables_from_counts
from csa_analysis.method.scoring import COMPONENTS, add_priority, morile_matrix, morile_scales, trend_component
from csa_analysis.method.volume import FLAG_DOWN, FLAG_SAME, FLAG_UP, NO_COMPARISON

from scoringfactory import ALL_MONTHS, Q, make_counts, make_county


def issues_table(**cols) -> pd.DataFrame:
    n = len(cols["issue"])
    base = {"count": [0] * n, "change_flag": pd.Series([None] * n, dtype="str"), "harm_score": [np.nan] * n,
            "cost_of_crime_gbp": [np.nan] * n}
    base.update(cols)
    return pd.DataFrame(base)


NO_PREVALENCE = pd.Series(dtype="float64")


class TestComponents:
    def test_trend_is_one_for_an_increase_zero_for_a_decrease_half_for_no_change_and_unknown_without_comparison(
            self):
        flags = pd.Series([FLAG_UP, FLAG_DOWN, FLAG_SAME, NO_COMPARISON], dtype="str")
        out = trend_component(flags).tolist()
        assert out[:3] == [1.0, 0.0, 0.5] and np.isnan(out[3])

    def test_volume_harm_and_cost_are_shares_of_the_largest_within_each_district(self):
        t = issues_table(district=["A", "A", "B", "B"], issue=["Drugs", "Robbery", "Drugs", "Robbery"],
                         count=[10, 40, 3, 1], harm_score=[36.5, 14600.0, np.nan, 365.0],
                         cost_of_crime_gbp=[np.nan, 45280.0, np.nan, np.nan])
        out = add_priority(t, ScoringWeights(), NO_PREVALENCE, by="district")
        assert out["score_volume"].tolist() == pytest.approx([0.25, 1.0, 1.0, 1 / 3])
        assert out["score_harm"].tolist()[:2] == pytest.approx([36.5 / 14600, 1.0])
        assert np.isnan(out["score_harm"].iloc[2]) and out["score_harm"].iloc[3] == 1.0  # no weight: unknown
        assert out["score_cost"].iloc[1] == 1.0 and out["score_cost"].drop(index=1).isna().all()  # no unit cost

    def test_every_known_component_is_between_zero_and_one_and_visible(self):
        t = issues_table(issue=["Drugs", "Robbery", "Burglary"], count=[0, 0, 0],
                         change_flag=pd.Series([FLAG_SAME] * 3, dtype="str"), harm_score=[0.0, 0.0, 0.0],
                         cost_of_crime_gbp=[0.0, 0.0, 0.0], concern_share=[0.0, 0.0, 0.0])
        out = add_priority(t, ScoringWeights(), pd.Series({"Drugs": 0.5}))
        for c in COMPONENTS:
            assert out[f"score_{c}"].between(0, 1).all(), c
        assert out["score_prevalence"].tolist() == [0.5, 0.0, 0.0]


class TestUnknownComponents:
    def test_an_unknown_component_is_left_out_and_the_others_renormalised(self):
        t = issues_table(issue=["Robbery", "Anti-social behaviour"], count=[10, 10],
                         change_flag=pd.Series([NO_COMPARISON] * 2, dtype="str"), harm_score=[3650.0, np.nan])
        out = add_priority(t, ScoringWeights(volume=1, trend=1, harm=1, cost=1, prevalence=0), NO_PREVALENCE)
        r = out.set_index("issue")
        assert r.loc["Robbery", "score_basis"] == "volume, harm" and r.loc["Robbery", "priority_score"] == 100
        # ASB has no harm weight: scored on volume alone (100), not punished with a harm of 0 (50)
        assert r.loc["Anti-social behaviour", "score_basis"] == "volume"
        assert r.loc["Anti-social behaviour", "priority_score"] == 100

    def test_a_unit_cost_for_one_issue_never_reorders_the_issues_that_have_none(self, tmp_path):
        rows = [(d, issue, "2019-04", n) for d in ("North", "South")
                for issue, n in (("Burglary", 50), ("Vehicle crime", 45), ("Robbery", 8), ("Shoplifting", 60),
                                 ("Criminal damage and arson", 40), ("Other theft", 30), ("Drugs", 20))]
        orders = []
        for costs in ("Robbery,11320,2015/16\n", "Robbery,11320,2015/16\nShoplifting,130,2015/16\n"):
            table = tmp_path / f"costs{len(orders)}.csv"
            table.write_text("issue,unit_cost_gbp,price_year\n" + costs)
            county = make_county(cost_table=table)
            cp = build_tables_from_counts(make_counts(rows), county, Q, ALL_MONTHS)["county_priorities"]
            without = cp[cp["cost_of_crime_gbp"].isna()].sort_values("priority_rank")["issue"].astype(str)
            orders.append([i for i in without if i != "Shoplifting"])
        assert orders[0] == orders[1] and len(orders[0]) >= 8

    def test_a_component_known_for_few_issues_does_not_move_them(self, tmp_path):
        """Unit costs for 2 of 14 issues: the ranking is the one the cost weight at 0 gives (the review found
        criminal damage and arson climbing two places on its full cost points)."""
        rows = [(d, issue, "2019-04", n) for d in ("North", "South")
                for issue, n in (("Burglary", 50), ("Vehicle crime", 45), ("Robbery", 8), ("Shoplifting", 60),
                                 ("Criminal damage and arson", 35), ("Other theft", 30), ("Drugs", 20))]
        table = tmp_path / "costs.csv"
        table.write_text("issue,unit_cost_gbp,price_year\nCriminal damage and arson,1350,2015/16\n"
                         "Robbery,11320,2015/16\n")
        ranks = []
        for w in (ScoringWeights(), ScoringWeights(cost=0)):
            t = build_tables_from_counts(make_counts(rows), make_county(cost_table=table, scoring=w), Q, ALL_MONTHS)
            ranks.append(t["county_priorities"].set_index("issue")["priority_rank"].to_dict())
        assert ranks[0] == ranks[1]
        t = build_tables_from_counts(make_counts(rows), make_county(cost_table=table), Q, ALL_MONTHS)
        assert t["county_priorities"]["cost_of_crime_gbp"].notna().sum() == 2  # still shown


class TestPriorityScore:
    def test_weights_are_normalised_so_only_their_ratios_matter(self):
        t = issues_table(issue=["Drugs", "Robbery", "Burglary"], count=[5, 20, 10],
                         harm_score=[18.0, 7300.0, 2220.0],
                         change_flag=pd.Series([FLAG_UP, FLAG_SAME, FLAG_DOWN], dtype="str"))
        prev = pd.Series({"Drugs": 1.0, "Robbery": 0.2, "Burglary": 0.6})
        small = add_priority(t, ScoringWeights(1, 2, 3, 0, 4), prev)
        large = add_priority(t, ScoringWeights(10, 20, 30, 0, 40), prev)
        pd.testing.assert_frame_equal(small, large)
        # Drugs by hand: (1 x 0.25 + 2 x 1 + 3 x 18/7300 + 4 x 1) / 10 x 100
        assert small["priority_score"].iloc[0] == pytest.approx((0.25 + 2 + 3 * 18 / 7300 + 4) / 10 * 100)

    def test_equal_scores_are_ranked_by_issue_name(self):
        t = issues_table(issue=["Shoplifting", "Drugs", "Robbery"], count=[7, 7, 7])
        out = add_priority(t, ScoringWeights(), NO_PREVALENCE)
        assert out.set_index("issue")["priority_rank"].to_dict() == {"Drugs": 1, "Robbery": 2, "Shoplifting": 3}

    def test_ranks_restart_in_each_district(self):
        t = issues_table(district=["A", "A", "B", "B"], issue=["Drugs", "Robbery"] * 2, count=[1, 9, 9, 1])
        out = add_priority(t, ScoringWeights(volume=1, trend=0, harm=0, cost=0, prevalence=0), NO_PREVALENCE,
                           by="district")
        assert out["priority_rank"].tolist() == [2, 1, 1, 2]


MORILE = {"harm_measure": "harm_weight", "harm_thresholds": [10, 100], "harm_labels": ["low", "medium", "high"],
          "likelihood_measure": "count", "likelihood_thresholds": [50, 500]}


class TestMorile:
    def test_no_scales_configured_means_no_matrix(self):
        county = make_county()
        assert morile_scales(county) is None
        t = build_tables_from_counts(make_counts([("North", "Drugs", "2019-04", 1)]), county, Q, ALL_MONTHS)
        assert "morile_matrix" not in t

    def test_levels_follow_the_configured_band_edges_inclusive_at_each_edge(self):
        scales = morile_scales(make_county(morile=MORILE))
        table = pd.DataFrame({"issue": ["Robbery", "Drugs", "Anti-social behaviour", "Public order"],
                              "harm_weight": [365.0, 10.0, np.nan, 7.5], "count": [54, 49, 1243, 500]})
        m = morile_matrix(table, scales).set_index("issue")
        assert m.loc["Robbery", ["harm_level", "likelihood_level", "risk_score"]].tolist() == [3, 2, 6]
        assert m.loc["Drugs", "harm_level"] == 2 and m.loc["Drugs", "likelihood_level"] == 1  # 10 is an edge
        assert m.loc["Public order", "likelihood_level"] == 3 and m.loc["Public order", "harm_band"] == "low"
        assert m.loc["Robbery", "likelihood_band"] == "2"  # default labels are the level numbers
        assert pd.isna(m.loc["Anti-social behaviour", "harm_level"])  # no weight: no level, not the lowest
        assert pd.isna(m.loc["Anti-social behaviour", "risk_score"])
        assert m.index[0] == "Robbery" and m.index[-1] == "Anti-social behaviour"
        assert m.loc["Robbery", "count"] == 54  # kept so that a disclosure rule sees small counts

    def test_build_tables_adds_the_matrix_when_scales_are_configured(self):
        county = make_county(morile=MORILE)
        t = build_tables_from_counts(make_counts([("North", "Robbery", "2019-04", 60)]), county, Q, ALL_MONTHS)
        m = t["morile_matrix"].set_index("issue")
        assert len(m) == 14 and m.loc["Robbery", "risk_score"] == 6

    @pytest.mark.parametrize("change,match", [
        ({"harm_thresholds": [100, 10]}, "harm_thresholds"),
        ({"harm_thresholds": []}, "harm_thresholds"),
        ({"harm_labels": ["a", "b"]}, "harm_labels"),
        ({"likelihood_measure": "vibes"}, "likelihood_measure"),
        ({"colour": "red"}, "unknown key"),
    ])
    def test_bad_scales_are_refused_naming_the_key(self, change, match):
        with pytest.raises(InputError, match=match):
            morile_scales(make_county(morile={**MORILE, **change}))
