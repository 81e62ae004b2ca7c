"""Partnership landscape: overlaps, meeting loads, admin share and the hub-and-spoke scenario by hand."""

from __future__ import annotations

import numpy as np
import pytest

from csa_analysis.config import read_county
from csa_analysis.errors import InputError
from csa_analysis.partnerships import (
    admin_share,
    candidate_mergers,
    hub_and_spoke,
    jaccard,
    meeting_load,
    read_register,
    remit_overlap,
)

from datafactory import COUNTY_TOML, SAMPLE_DIR, make_data_dir

HEADER = "partnership,level,geography,remit,meetings_per_year,members,admin_cost_gbp,delivery_spend_gbp\n"
REGISTER = HEADER + (
    "Board,county,all,strategy;burglary;drugs,4,police;council,100,300\n"
    "Justice Board,county,all,strategy;drugs;courts,6,police;courts,50,\n"
    "Charnwood CSP,district,Charnwood,burglary;drugs,6,police;council,20,80\n"
    "Blaby CSP,district,Blaby,burglary,12,police;council;fire,,\n"
)


@pytest.fixture
def register(tmp_path):
    root = make_data_dir(tmp_path / "data", {}, toml=COUNTY_TOML)
    (root / "partnerships.csv").write_text(REGISTER)
    county = read_county(root)
    assert county.partnerships_file == root / "partnerships.csv"
    return read_register(county.partnerships_file, county)


def test_remit_overlap_is_jaccard_over_same_or_nested_geographies(register):
    ov = remit_overlap(register).set_index(["partnership_a", "partnership_b"])
    # Board {strategy, burglary, drugs} vs Justice Board {strategy, drugs, courts}: 2 shared of 4 -> 0.5
    assert ov.loc[("Board", "Justice Board"), "jaccard"] == pytest.approx(0.5)
    assert ov.loc[("Board", "Justice Board"), "geography"] == "same"
    # Board vs Charnwood CSP {burglary, drugs}: 2 of 3, nested geography
    assert ov.loc[("Board", "Charnwood CSP"), "jaccard"] == pytest.approx(2 / 3)
    assert ov.loc[("Board", "Charnwood CSP"), "geography"] == "nested"
    # Charnwood and Blaby CSPs cover different districts: not compared
    assert ("Charnwood CSP", "Blaby CSP") not in ov.index
    assert jaccard((), ()) == 0.0


def test_meeting_load_sums_meetings_per_agency(register):
    load = meeting_load(register).set_index("agency")
    assert load.loc["police", "meetings_per_year"] == 4 + 6 + 6 + 12
    assert load.loc["police", "partnerships"] == 4
    assert load.loc["council", "meetings_per_year"] == 4 + 6 + 12
    assert load.loc["fire", "meetings_per_year"] == 12
    assert load.index[0] == "police"


def test_admin_share_uses_only_known_figures(register):
    t = admin_share(register).set_index("partnership")
    assert t.loc["Board", "admin_share"] == pytest.approx(100 / 400)
    assert np.isnan(t.loc["Justice Board", "admin_share"])  # delivery spend unknown: blank, not 0
    assert t.loc["All partnerships with both figures", "admin_share"] == pytest.approx(120 / 500)


def test_candidate_mergers_name_the_figures(register):
    m = candidate_mergers(register, overlap_threshold=0.6)
    # only Board and Charnwood CSP share at least 60% (2 of 3); Board and Blaby CSP share 1 of 3
    assert list(zip(m["partnership_a"], m["partnership_b"], strict=True)) == [("Board", "Charnwood CSP")]
    first = m.iloc[0]
    assert "67%" in first["reason"] and "save about 4 meetings a year" in first["reason"]


def test_hub_and_spoke_savings_by_hand(register):
    result = hub_and_spoke(register)
    s = result.summary.set_index("measure")
    # before: 4 partnerships, 4+6+6+12 = 28 meetings, admin 100+50+20 = 170
    # after: board (4 meetings, admin = largest absorbed 100) + Charnwood (6) + Blaby (12 capped at 6)
    assert (s.loc["partnerships", "before"], s.loc["partnerships", "after"]) == (4, 3)
    assert (s.loc["meetings a year", "before"], s.loc["meetings a year", "after"]) == (28, 16)
    assert s.loc["administration (known, pounds a year)", "after"] == 100 + 20
    load = result.load_before_after.set_index("agency")
    assert (load.loc["police", "before"], load.loc["police", "after"]) == (28, 16)
    assert set(result.absorbed["partnership"]) == {"Board", "Justice Board"}
    assert "strategic board meetings a year" in result.assumptions["assumption"].tolist()


@pytest.mark.parametrize("row,fragments", [
    ("X,region,all,drugs,4,police,,", ["row 2, column 'level'", "force, county or district"]),
    ("X,district,Leicester,drugs,4,police,,", ["row 2, column 'geography'", "'Leicester' matches no district"]),
    ("X,county,all,drugs,-1,police,,", ["row 2, column 'meetings_per_year'"]),
    ("X,county,all,drugs,4,police,lots,", ["row 2, column 'admin_cost_gbp'", "'lots' is not valid"]),
    ("Board,county,all,drugs,4,police,,\nBoard,county,all,drugs,4,police,,", ["listed twice (rows 2 and 3)"]),
])
def test_bad_registers_are_refused_naming_file_row_and_column(tmp_path, row, fragments):
    root = make_data_dir(tmp_path / "data", {}, toml=COUNTY_TOML)
    (root / "partnerships.csv").write_text(HEADER + row + "\n")
    county = read_county(root)
    with pytest.raises(InputError) as err:
        read_register(county.partnerships_file, county)
    assert "partnerships.csv" in str(err.value)
    for fragment in fragments:
        assert fragment in str(err.value)


def test_the_shipped_illustrative_register_loads_for_the_sample_county():
    county = read_county(SAMPLE_DIR)
    reg = read_register(county.partnerships_file, county)
    assert len(reg) == 15
    joint = reg.set_index("partnership").loc["Blaby and Hinckley Joint Delivery Group", "districts"]
    assert joint == ("Blaby", "Hinckley and Bosworth")
