"""Benchmarking: E&W percentiles, nearest-neighbour peers, peer comparison (csa_analysis.sources.peers)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csa_analysis.errors import InputError
from csa_analysis.sources.peers import (
    DEFAULT_VARIABLES,
    area_profiles,
    methodology_markdown,
    nearest_neighbours,
    peer_comparison,
    percentile_standing,
    recorded_crime_table,
    user_peers,
)
from csa_analysis.sources.population import read_mid_year_estimates
from csa_analysis.sources.recorded_crime import TOTAL_GROUP, csp_areas, read_table_c2

ONS = Path(__file__).resolve().parents[1] / "data" / "raw" / "ons"
LEICESTERSHIRE = ["Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth", "Melton",
                  "North West Leicestershire", "Oadby and Wigston"]


@pytest.fixture(scope="module")
def c2() -> pd.DataFrame:
    return read_table_c2(ONS / "csp_table_c2_ye_june_2025.csv")


@pytest.fixture(scope="module")
def pop23() -> pd.DataFrame:
    return read_mid_year_estimates(ONS / "mye23tablesew.xlsx")


@pytest.fixture(scope="module")
def areas(c2) -> pd.DataFrame:
    return csp_areas(c2)


@pytest.fixture(scope="module")
def profiles(areas, pop23) -> pd.DataFrame:
    return area_profiles(areas, pop23)


@pytest.fixture(scope="module")
def neighbours(profiles) -> pd.DataFrame:
    return nearest_neighbours(profiles)


class TestPercentileStanding:
    def test_hand_worked_frame(self):
        rates = pd.DataFrame({
            "area_code": ["A", "B", "C", "D", "E", "A", "B", "C"],
            "offence_group": ["Robbery"] * 5 + ["Homicide"] * 3,
            "period": "p",
            "rate_per_1000": [0.5, 3.0, 1.0, 3.0, 2.0, 0.1, None, 0.3],
        })
        out = percentile_standing(rates)
        robbery = out[out["offence_group"] == "Robbery"].set_index("area_code")
        # Robbery, 5 areas in ascending order A 0.5, C 1.0, E 2.0, B = D 3.0: average ranks 1, 2, 3, 4.5, 4.5;
        # percentile = 100 x (rank - 1) / 4 -> A 0, C 25, E 50, B and D 87.5 (a tie shares the percentile).
        assert robbery["percentile"].to_dict() == {"A": 0.0, "B": 87.5, "C": 25.0, "D": 87.5, "E": 50.0}
        assert robbery["rank_highest"].tolist() == [5, 1, 4, 1, 3]  # B and D tie for the highest rate
        assert set(robbery["areas_ranked"]) == {5}
        homicide = out[out["offence_group"] == "Homicide"].set_index("area_code")
        # B has no rate ([x]): left out, so A and C are ranked among two: 0 and 100.
        assert homicide["areas_ranked"].tolist() == [2, 2, 2]
        assert homicide.loc["A", "percentile"] == 0.0 and homicide.loc["C", "percentile"] == 100.0
        assert pd.isna(homicide.loc["B", "percentile"]) and pd.isna(homicide.loc["B", "rank_highest"])

    def test_single_area_has_no_percentile(self):
        out = percentile_standing(pd.DataFrame({"area_code": ["A"], "offence_group": "x", "period": "p",
                                                "rate_per_1000": [1.0]}))
        assert pd.isna(out["percentile"].iloc[0]) and out["rank_highest"].iloc[0] == 1


class TestNearestNeighboursHandWorked:
    # x = 1, 2, 5, 8: mean 4, deviations -3, -2, 1, 4, variance 30/4 = 7.5, so z_x = (-3, -2, 1, 4) / sqrt(7.5).
    # y = 10, 10, 30, 30: mean 20, sd 10, so z_y = (-1, -1, 1, 1).
    # A-B = 1/sqrt(7.5) = 0.365148;  A-C = sqrt(16/7.5 + 4) = 2.476557;  A-D = sqrt(49/7.5 + 4) = 3.245510
    # B-C = sqrt(9/7.5 + 4) = 2.280351;  B-D = sqrt(36/7.5 + 4) = 2.966479;  C-D = 3/sqrt(7.5) = 1.095445
    POINTS = pd.DataFrame({"area_code": ["A", "B", "C", "D"], "area_name": ["Ay", "Bee", "Sea", "Dee"],
                           "x": [1.0, 2.0, 5.0, 8.0], "y": [10.0, 10.0, 30.0, 30.0]})

    def test_distances_checked_by_hand(self):
        out = nearest_neighbours(self.POINTS, variables=["x", "y"], k=3)
        got = {(a, p): d for a, p, d in zip(out["area_code"], out["peer_code"], out["distance"], strict=True)}
        assert got[("A", "B")] == pytest.approx(0.365148, abs=1e-6)
        assert got[("A", "C")] == pytest.approx(2.476557, abs=1e-6)
        assert got[("A", "D")] == pytest.approx(3.245510, abs=1e-6)
        assert got[("B", "C")] == pytest.approx(2.280351, abs=1e-6)
        assert got[("B", "D")] == pytest.approx(2.966479, abs=1e-6)
        assert got[("C", "D")] == pytest.approx(1.095445, abs=1e-6)
        assert out.loc[out["area_code"] == "B", "peer_code"].tolist() == ["A", "C", "D"]
        assert out.loc[out["area_code"] == "C", "peer_name"].tolist() == ["Dee", "Bee", "Ay"]
        assert (out["area_code"] != out["peer_code"]).all()

    def test_weights_and_ties(self):
        # With y weighted 0, C is 3/sqrt(7.5) from both B and D: the tie is ordered by area code.
        out = nearest_neighbours(self.POINTS, variables=["x", "y"], weights={"y": 0.0}, k=2, targets=["C"])
        assert out["peer_code"].tolist() == ["B", "D"]
        assert out["distance"].tolist() == pytest.approx([3 / math.sqrt(7.5)] * 2)

    def test_k_larger_than_the_pool_and_unknown_target(self):
        assert len(nearest_neighbours(self.POINTS, variables=["x", "y"], k=10, targets=["A"])) == 3
        with pytest.raises(ValueError, match="not in the pool"):
            nearest_neighbours(self.POINTS, variables=["x", "y"], targets=["Z"])


class TestNearestNeighboursRealData:
    def test_every_area_has_five_other_areas(self, neighbours, profiles):
        assert len(profiles) == 300 and len(neighbours) == 300 * 5
        assert (neighbours["area_code"] != neighbours["peer_code"]).all()
        assert (neighbours.groupby("area_code")["peer_code"].nunique() == 5).all()
        assert (neighbours.groupby("area_code")["distance"].diff().dropna() >= 0).all()

    def test_similar_small_rural_districts_find_each_other(self, neighbours, profiles):
        # Checked by hand in mye23tablesew.xlsx: Melton (row 103) 53,237 residents, 481.4 sq km (110.6 per sq km),
        # 24.1% aged 65+, 8.0% aged 16-24; Rutland (row 87) 40,643 residents, 381.8 sq km (106.4 per sq km),
        # 26.3% aged 65+, 9.7% aged 16-24: both small, rural and old for England and Wales.
        code = profiles.set_index("area_name")["area_code"]
        rutland = neighbours[neighbours["area_code"] == code["Rutland"]]
        assert rutland["peer_name"].iloc[0] == "Melton"
        assert "Rutland" in set(neighbours.loc[neighbours["area_code"] == code["Melton"], "peer_name"])

    def test_charnwood_finds_university_districts(self, neighbours, profiles):
        # Charnwood (Loughborough University) has 15.8% of residents aged 16-24 (row 100: 29,629 of 188,010),
        # against a median of 9.1% over the 300 areas: its peers should be other young, student districts.
        code = profiles.set_index("area_name")["area_code"]
        peers = neighbours[neighbours["area_code"] == code["Charnwood"]]
        assert "Charnwood" not in set(peers["peer_name"])
        shares = profiles.set_index("area_code").loc[peers["peer_code"], "share_16_24"]
        assert (shares > 0.13).all()
        assert peers["peer_name"].iloc[0] == "Guildford"

    def test_distance_recomputed_from_the_profiles(self, neighbours, profiles):
        x = profiles[list(DEFAULT_VARIABLES)]
        z = ((x - x.mean()) / x.std(ddof=0)).set_index(profiles["area_code"])
        first = neighbours.iloc[0]
        expected = np.sqrt(((z.loc[first["area_code"]] - z.loc[first["peer_code"]]) ** 2).sum())
        assert first["distance"] == pytest.approx(expected)

    def test_multi_district_areas_are_summed(self, profiles, pop23):
        western = profiles.set_index("area_name").loc["Western Suffolk"]
        # Babergh 95,872 + Mid Suffolk 108,029 + West Suffolk 186,063 (mye23tablesew.xlsx rows 203, 206, 207)
        assert western["population"] == 95872 + 108029 + 186063
        parts = pop23[pop23["name"].isin(["Babergh", "Mid Suffolk", "West Suffolk"])]
        assert western["share_65_plus"] == pytest.approx(parts["aged_65_plus"].sum() / parts["population"].sum())
        assert western["density_per_sq_km"] == pytest.approx(western["population"] / parts["area_sq_km"].sum())


class TestUserPeers:
    def test_names_resolved_and_distances_given(self, areas, profiles, neighbours):
        out = user_peers({"Charnwood": ["Guildford", "E07000240"]}, areas, profiles)  # E07000240 = St Albans
        assert out["peer_name"].tolist() == ["Guildford", "St Albans"]
        assert out["peer_rank"].tolist() == [1, 2] and set(out["method"]) == {"user-supplied"}
        computed = neighbours[(neighbours["area_name"] == "Charnwood") & (neighbours["peer_name"] == "Guildford")]
        assert out["distance"].iloc[0] == pytest.approx(computed["distance"].iloc[0])

    def test_peer_inside_the_same_csp_is_refused(self, areas):
        with pytest.raises(InputError, match=r"peers.csv: row 2: peer 'Mid Devon' of 'East Devon' is in the same"):
            user_peers(pd.DataFrame({"area": ["East Devon"], "peer": ["Mid Devon"]}), areas, file="peers.csv")

    def test_unknown_peer_names_the_nearest(self, areas):
        with pytest.raises(InputError, match=r"column 'peer': district 'Gildford'.*nearest names: Guildford"):
            user_peers({"Charnwood": ["Gildford"]}, areas, file="peers.csv")


class TestPeerComparison:
    def test_pooled_rate_rank_and_missing_peer(self):
        rates = pd.DataFrame({"area_code": ["T", "P1", "P2", "P3"], "offence_group": "g", "period": "p",
                              "count": pd.array([10, 30, 5, None], dtype="Int64"),
                              "population": [1000, 2000, 1000, 500],
                              "rate_per_1000": [10.0, 15.0, 5.0, None]})
        peers = pd.DataFrame({"area_code": "T", "peer_rank": [1, 2, 3], "peer_code": ["P1", "P2", "P3"],
                              "peer_name": ["One", "Two", "Three"]})
        out = peer_comparison(rates, peers).iloc[0]
        # P3 has no rate ([x]): out. Pooled (30 + 5) / (2000 + 1000) x 1000 = 11.667; median of 15 and 5 = 10;
        # T (10) is below P1 only: second of three.
        assert out["peers_rate_per_1000"] == pytest.approx(35 / 3)
        assert out["peers_median_rate_per_1000"] == 10.0
        assert (out["peers_with_rate"], out["rank_among_peers"], out["peer_group_size"]) == (2, 2, 3)
        assert out["peers"] == "One;Two;Three"


class TestRecordedCrimeTable:
    def test_leicestershire(self, c2, pop23):
        table = recorded_crime_table(LEICESTERSHIRE, c2, pop23)
        assert len(table) == 7 * 23
        assert table["district"].drop_duplicates().tolist() == LEICESTERSHIRE
        row = table[(table["district"] == "Charnwood") & (table["offence_group"] == TOTAL_GROUP)].iloc[0]
        assert (row["count"], row["population"], row["count_shared"]) == (12859, 188010, False)
        assert row["rate_per_1000"] == pytest.approx(12859 / 188010 * 1000)
        # No other area has Charnwood's rate, so percentile = 100 x (n - rank) / (n - 1)
        n, rank = row["areas_ranked"], row["rank_england_wales"]
        assert row["percentile_england_wales"] == pytest.approx(100 * (n - rank) / (n - 1))
        assert row["england_wales_rate_per_1000"] > row["rate_per_1000"]
        assert len(row["peers"].split(";")) == 5 and "Charnwood" not in row["peers"].split(";")

    def test_districts_of_a_combined_csp_share_its_count_and_rate(self, c2, pop23):
        table = recorded_crime_table(["Babergh", "Ipswich", "Mid Suffolk"], c2, pop23)
        total = table[table["offence_group"] == TOTAL_GROUP].set_index("district")
        # line 333 of the C2 CSV: Western Suffolk, Combined Local Authorities, "18,236 "
        assert total.loc["Babergh", "count"] == total.loc["Mid Suffolk", "count"] == 18236
        assert total.loc["Babergh", "population"] == 95872 + 108029 + 186063
        assert total.loc["Babergh", "rate_per_1000"] == pytest.approx(18236 / 389964 * 1000)
        assert total.loc["Babergh", "count_shared"] and not total.loc["Ipswich", "count_shared"]
        assert total.loc["Mid Suffolk", "area_district_names"] == "Babergh;Mid Suffolk;West Suffolk"

    def test_user_peers_replace_the_computed_ones(self, c2, pop23, areas):
        peers = user_peers({"Charnwood": ["Guildford", "Lancaster"]}, areas)
        table = recorded_crime_table(["Charnwood"], c2, pop23, peers=peers)
        assert set(table["peers"]) == {"Guildford;Lancaster"} and set(table["peer_method"]) == {"user-supplied"}


def test_methodology_text():
    text = methodology_markdown(population_year=2023, period="year ending June 2025")
    assert "Most Similar Groups" in text and "CIPFA" in text and "z-score" in text
    assert "mid-2023" in text and "year ending June 2025" in text and "share aged 16-24" in text
    user = methodology_markdown(user_supplied=True)
    assert "supplied by the partnership" in user and "nearest neighbours, after" not in user
