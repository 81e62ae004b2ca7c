"""Properties of the scored tables on generated record sets (hypothesis)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csa_analysis.config.county import County, District, read_county
from csa_analysis.domain.issues import ISSUES
from csa_analysis.domain.periods import Quarter
from csa_analysis.ingest.counts import load_dataset
from csa_analysis.method.score import build_tables

from datafactory import county_toml, make_data_dir, sample_lines

Q = Quarter.parse("2019-20Q1")
MONTHS = ["2019-01", "2019-02", "2019-03", "2019-04", "2019-05", "2019-06"]
NAMES = ["Alpha", "Beta", "Gamma", "Delta"]


@st.composite
def county_and_records(draw):
    n = draw(st.integers(2, 4))
    pops = draw(st.lists(st.integers(1_000, 300_000), min_size=n, max_size=n))
    funding = draw(st.lists(st.one_of(st.none(), st.integers(0, 50_000)), min_size=n, max_size=n))
    county = County(name="Gen", toml_path=Path("county.toml"), police_uk=Path("p"),
                    districts=tuple(District(NAMES[i], pops[i], (), None if funding[i] is None else
                                             float(funding[i])) for i in range(n)))
    rows = draw(st.lists(st.tuples(st.sampled_from(NAMES[: n - 1] if n > 2 else NAMES[:1]),
                                   st.sampled_from(ISSUES), st.sampled_from(MONTHS)), max_size=300))
    records = pd.DataFrame(rows, columns=["district", "issue", "month"])
    records["district"] = pd.Categorical(records["district"], categories=county.district_names)
    records["issue"] = pd.Categorical(records["issue"], categories=list(ISSUES))
    records["month"] = records["month"].astype("str")
    return county, records


def build(county, records):
    return build_tables(records, county, Q, MONTHS)


SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(county_and_records())
def test_counts_sum_to_the_county_total(data):
    county, records = data
    t = build(county, records)
    in_quarter = int(records["month"].isin(Q.months()).sum())
    assert t["issue_scores"]["count"].sum() == in_quarter
    assert t["county_priorities"]["count"].sum() == in_quarter
    assert t["cost_per_area"]["incidents"].sum() == in_quarter
    assert len(t["issue_scores"]) == len(county.districts) * len(ISSUES)


@SETTINGS
@given(county_and_records())
def test_shares_lie_between_zero_and_one(data):
    county, records = data
    t = build(county, records)
    for table, col in (("county_priorities", "prevalence_share"), ("cost_per_area", "need_share"),
                       ("cost_per_area", "funding_share"), ("county_priorities", "top_district_share")):
        values = t[table][col].dropna()
        assert ((values >= 0) & (values <= 1 + 1e-12)).all(), (table, col)
    assert t["issue_scores"]["priority_score"].between(0, 100).all()


@SETTINGS
@given(county_and_records(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(data, rnd):
    county, records = data
    shuffled = records.sample(frac=1.0, random_state=rnd.randint(0, 2**31)).reset_index(drop=True)
    a, b = build(county, records), build(county, shuffled)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])


@SETTINGS
@given(county_and_records())
def test_a_district_with_no_records_gets_zeros(data):
    county, records = data
    empty = county.district_names[-1]  # the generator never places records in the last district
    s = build(county, records)["issue_scores"]
    mine = s[s["district"] == empty]
    assert len(mine) == len(ISSUES) and (mine["count"] == 0).all()
    assert (mine["rate_per_1000"] == 0).all()


def test_renaming_a_district_through_an_alias_changes_nothing(tmp_path):
    lines = [line for line in sample_lines("2018-10") if ",Hinckley and Bosworth " in line][:60]
    lines += [line for line in sample_lines("2018-10") if ",Blaby " in line][:40]
    toml = county_toml("Hinckley and Bosworth", "Blaby")
    plain = make_data_dir(tmp_path / "plain", {"2018-10": lines}, toml)
    aliased = make_data_dir(tmp_path / "aliased", {"2018-10": [
        line.replace(",Hinckley and Bosworth ", ",Hinckley & Bosworth ") for line in lines]}, toml)
    tables = []
    for root in (plain, aliased):
        county = read_county(root)
        ds = load_dataset(county)
        tables.append(build_tables(ds.records, county, Quarter.parse("2018-19Q3"),
                                   ["2018-10", "2018-11", "2018-12"]))
    for name in tables[0]:
        pd.testing.assert_frame_equal(tables[0][name], tables[1][name])
    assert tables[0]["issue_scores"].query("district == 'Hinckley and Bosworth'")["count"].sum() == 60


@SETTINGS
@given(county_and_records())
def test_ranks_monthly_series_and_delivery_notes_are_complete(data):
    """One build per example, three properties: ranks 1..14 per district and for the county; the monthly
    series holds every record on the full grid; every issue not escalated, and only those, has a risk note."""
    county, records = data
    t = build(county, records)
    ranks = t["issue_scores"].groupby("district", observed=True)["priority_rank"].apply(sorted)
    assert all(r == list(range(1, len(ISSUES) + 1)) for r in ranks)
    assert sorted(t["county_priorities"]["priority_rank"]) == list(range(1, len(ISSUES) + 1))

    m = t["monthly"]
    assert len(m) == len(county.districts) * len(ISSUES) * len(MONTHS)
    per_district = m.groupby("district", observed=True)["count"].sum()
    expected = records["district"].value_counts().reindex(county.district_names, fill_value=0)
    assert per_district.tolist() == expected.tolist()

    cp = t["county_priorities"]
    led = cp["delivery_level"] == "district-led"
    assert set(cp["delivery_level"]) <= {"county-wide service", "county-coordinated", "district-led"}
    assert cp.loc[led, "risk_note"].str.startswith("Not escalated").all()
    assert cp.loc[~led, "risk_note"].isna().all()
    assert cp["rationale"].notna().all()
