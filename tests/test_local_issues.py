"""Local issues from partner and force data (design.md section 3): declared in county.toml, counted in
DIR/local/*.csv, validated like every input, and scored by the same rules as the police.uk types."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csa_analysis.config.county import County, District, IssueSettings, read_county
from csa_analysis.domain.issues import ISSUES
from csa_analysis.domain.periods import Quarter
from csa_analysis.errors import InputError
from csa_analysis.method.delivery import COUNTY_WIDE, DISTRICT_LED
from csa_analysis.method.score import build_tables_from_counts
from csa_analysis.method.volume import NO_COMPARISON
from csa_analysis.run.pipeline import scored_key, with_local_issues
from csa_analysis.sources.local import read_local_counts

DISTRICTS = ("Ashby", "Brook", "Castle", "Dunmore", "Eastmere", "Fairholt", "Grange")
MONTHS = [f"2025-{m:02d}" for m in range(7, 13)]  # 2025-26 Q2 and Q3
Q3 = Quarter.parse("2025-26Q3")
SARC = IssueSettings("Sexual assault referrals", source="county SARC", harm_weight=197.0, harm_source="CCHI roll-up",
                     unit_cost_gbp=39360.0, cost_source="Home Office RR99", price_year="2015/16", illustrative=True)
DA = IssueSettings("Domestic abuse incidents", source="force DA flag")

TOML = """name = "Shire"
police_uk = "police_uk"
[[districts]]
name = "Ashby"
code = "E07000129"
population = 100000
[[districts]]
name = "Hinckley and Bosworth"
aliases = ["Hinckley & Bosworth"]
population = 110000
{extra}
"""
ISSUE = """
[[issues]]
name = "Hate incidents"
source = "force and third-party reporting"
"""


def write_data(tmp_path: Path, rows: str | None, extra: str = ISSUE, name: str = "local.csv") -> County:
    (tmp_path / "county.toml").write_text(TOML.format(extra=extra), encoding="utf-8")
    if rows is not None:
        (tmp_path / "local").mkdir(exist_ok=True)
        (tmp_path / "local" / name).write_text("month,district,issue,count\n" + rows, encoding="utf-8")
    return read_county(tmp_path)


# --------------------------------------------------------------------------------------------------
# county.toml


class TestDeclaringLocalIssues:
    def test_a_local_issue_needs_a_source(self, tmp_path):
        with pytest.raises(InputError, match="no source") as e:
            write_data(tmp_path, None, '[[issues]]\nname = "Hate incidents"\n')
        assert "Hate incidents" in str(e.value)

    def test_unknown_key_is_an_error_naming_it(self, tmp_path):
        with pytest.raises(InputError, match="unknown key 'harm_wieght'"):
            write_data(tmp_path, None, ISSUE + "harm_wieght = 3\n")

    def test_local_keys_are_refused_for_a_police_uk_issue(self, tmp_path):
        with pytest.raises(InputError, match="unknown key 'harm_weight'"):
            write_data(tmp_path, None, '[[issues]]\nname = "Robbery"\nharm_weight = 3\n')

    def test_harm_weight_and_unit_cost_need_their_sources(self, tmp_path):
        with pytest.raises(InputError, match="harm_weight is given without its source"):
            write_data(tmp_path, None, ISSUE + "harm_weight = 50\n")
        with pytest.raises(InputError, match="unit_cost_gbp is given without its source"):
            write_data(tmp_path, None, ISSUE + "unit_cost_gbp = 500\n")
        with pytest.raises(InputError, match="cost_source is given without unit_cost_gbp"):
            write_data(tmp_path, None, ISSUE + 'cost_source = "x"\n')

    def test_a_police_uk_type_spelt_differently_is_not_taken_for_a_new_issue(self, tmp_path):
        with pytest.raises(InputError, match="spelt differently from the police.uk issue 'Drugs'"):
            write_data(tmp_path, None, '[[issues]]\nname = "drugs"\nsource = "x"\n')

    def test_illustrative_must_be_true_or_false(self, tmp_path):
        with pytest.raises(InputError, match="not true or false"):
            write_data(tmp_path, None, ISSUE + 'illustrative = "yes"\n')

    def test_declared_with_weights_and_illustrative(self, tmp_path):
        county = write_data(tmp_path, "2025-01,Ashby,Hate incidents,2\n",
                            ISSUE + 'harm_weight = 12.5\nharm_source = "a study"\nillustrative = true\n')
        (issue,) = county.local_issues
        assert (issue.harm_weight, issue.harm_source, issue.illustrative) == (12.5, "a study", True)
        assert county.illustrative_issues == ("Hate incidents",)
        assert tmp_path / "local" / "local.csv" in county.input_files()


# --------------------------------------------------------------------------------------------------
# DIR/local/*.csv


class TestReadingCounts:
    def test_districts_by_official_name_alias_or_ons_code(self, tmp_path):
        county = write_data(tmp_path, "2025-01,E07000129,Hate incidents,2\n2025-01,Hinckley & Bosworth,Hate "
                                      "incidents,5\n2025-02,hinckley and bosworth,Hate incidents,0\n")
        local = read_local_counts(county, ["2025-01", "2025-02"])
        assert local.counts[["district", "month", "count"]].values.tolist() == [
            ["Ashby", "2025-01", 2], ["Hinckley and Bosworth", "2025-01", 5], ["Hinckley and Bosworth", "2025-02", 0]]
        assert local.coverage == {"Hate incidents": ("2025-01", "2025-02")}
        assert local.missing_district_months == {"Hate incidents": 1}  # Ashby has no row for 2025-02

    def test_a_district_without_a_code_in_county_toml_is_found_by_its_ons_code(self, tmp_path):
        county = write_data(tmp_path, "2025-01,E07000132,Hate incidents,4\n")  # no code given for it in the TOML
        assert read_local_counts(county, ["2025-01"]).counts["district"].tolist() == ["Hinckley and Bosworth"]

    @pytest.mark.parametrize("rows, problem, where", [
        ("2025-01,Ashby,Burglary,2\n", "issue 'Burglary' is not a local issue declared", "row 2, column 'issue'"),
        ("2025-01,Ashby,Hate incidents,2\n2025-01,Blaby,Hate incidents,2\n", "district 'Blaby' matches no district",
         "row 3, column 'district'"),
        ("2025-01,Ashby,Hate incidents,-1\n", "'-1' is below 0", "row 2, column 'count'"),
        ("2025-01,Ashby,Hate incidents,2.5\n", "'2.5' is not a whole number", "row 2, column 'count'"),
        ("2025-01,Ashby,Hate incidents,two\n", "'two' is not a number", "row 2, column 'count'"),
        ("2025-1,Ashby,Hate incidents,2\n", "month '2025-1' is not a month", "row 2, column 'month'"),
        ("2025-01,Ashby,Hate incidents,2\n2024-12,Ashby,Hate incidents,2\n",
         "month 2024-12 lies outside the data (2025-01 to 2025-02)", "row 3, column 'month'"),
        ("2025-01,Ashby,Hate incidents,2\n2025-01,E07000129,Hate incidents,3\n",
         "'Hate incidents' in Ashby for 2025-01 is given twice (local.csv row 2 and local.csv row 3)", "row 3"),
    ])
    def test_bad_rows_are_refused_naming_the_file_and_row(self, tmp_path, rows, problem, where):
        county = write_data(tmp_path, rows)
        with pytest.raises(InputError) as e:
            read_local_counts(county, ["2025-01", "2025-02"])
        message = str(e.value)
        assert problem in message and where in message and "local.csv" in message, message

    def test_a_month_given_twice_across_two_files(self, tmp_path):
        county = write_data(tmp_path, "2025-01,Ashby,Hate incidents,2\n", name="a.csv")
        (tmp_path / "local" / "b.csv").write_text("month,district,issue,count\n2025-02,Ashby,Hate incidents,1\n"
                                                  "2025-01,Ashby,Hate incidents,4\n", encoding="utf-8")
        county = read_county(tmp_path)
        with pytest.raises(InputError, match=r"given twice \(a.csv row 2 and b.csv row 3\)"):
            read_local_counts(county, ["2025-01", "2025-02"])

    def test_declared_issue_without_counts_and_counts_without_declared_issue(self, tmp_path):
        county = write_data(tmp_path, None)
        with pytest.raises(InputError, match="declared but no counts are given"):
            read_local_counts(county, ["2025-01"])
        county = write_data(tmp_path, "2025-01,Ashby,Hate incidents,2\n", extra="")
        with pytest.raises(InputError, match="declares no local issue"):
            read_local_counts(county, ["2025-01"])

    def test_a_changed_local_file_changes_the_scoring_cache_key(self, tmp_path):
        county = write_data(tmp_path, "2025-01,Ashby,Hate incidents,2\n")
        before = scored_key(county, Path("incidents.parquet"), Q3)
        (tmp_path / "local" / "local.csv").write_text("month,district,issue,count\n2025-01,Ashby,Hate incidents,3\n")
        assert scored_key(county, Path("incidents.parquet"), Q3) != before


# --------------------------------------------------------------------------------------------------
# Scoring: the same rules as the police.uk types


def shire(*issues: IssueSettings) -> County:
    return County("Shire", Path("county.toml"), Path("police_uk"),
                  tuple(District(d, 100_000) for d in DISTRICTS), issues=issues)


def local_counts(issue: str, per_month: int, months: list[str]) -> pd.DataFrame:
    return pd.DataFrame([(d, issue, m, per_month) for d in DISTRICTS for m in months],
                        columns=["district", "issue", "month", "count"])


def police_counts() -> pd.DataFrame:
    """Ten of every police.uk type a month in every district (no rise, rates at the county rate)."""
    return pd.DataFrame([(d, i, m, 10) for d in DISTRICTS for i in ISSUES for m in MONTHS],
                        columns=["district", "issue", "month", "count"])


def grid(*frames: pd.DataFrame, issues: list[str]) -> pd.DataFrame:
    out = pd.concat(frames, ignore_index=True)
    out["district"] = pd.Categorical(out["district"], categories=list(DISTRICTS))
    out["issue"] = pd.Categorical(out["issue"], categories=list(ISSUES) + issues)
    return out


@pytest.fixture(scope="module")
def scored() -> dict[str, pd.DataFrame]:
    """SARC-like: 3 a month in each of 7 districts (9 a quarter, 63 in the county), harm weight 197; DA-like: 200 a
    month in each district, level; both covering only the reporting quarter and the one before."""
    counts = grid(police_counts(), local_counts(SARC.name, 3, MONTHS), local_counts(DA.name, 200, MONTHS[3:]),
                  issues=[SARC.name, DA.name])
    return build_tables_from_counts(counts, shire(SARC, DA), Q3, MONTHS,
                                    {SARC.name: MONTHS, DA.name: MONTHS[3:]})


class TestScoringLocalIssues:
    def test_low_volume_high_harm_issue_is_a_county_wide_service_for_the_rules_reasons(self, scored):
        row = scored["county_priorities"].set_index("issue").loc[SARC.name]
        assert row["delivery_level"] == COUNTY_WIDE
        assert row["count"] == 7 * 9
        assert "Low volume in 7 of 7 districts (below 20 a quarter each)" in row["rationale"]
        assert "63 across the county (at least 20 for one service)" in row["rationale"]
        assert "harm weight 197" in row["rationale"]

    def test_high_volume_level_issue_stays_with_the_districts_for_the_rules_reasons(self, scored):
        row = scored["county_priorities"].set_index("issue").loc[DA.name]
        assert row["delivery_level"] == DISTRICT_LED
        assert row["rationale"].startswith("High volume in 7 of 7 districts, but no pattern shared by 2 or more")
        assert "no harm weight" in row["risk_note"]

    def test_harm_and_cost_come_from_county_toml_with_their_sources(self, scored):
        s = scored["issue_scores"].set_index(["district", "issue"]).loc[("Ashby", SARC.name)]
        assert (s["count"], s["harm_score"], s["cost_of_crime_gbp"], s["price_year"]) == (9, 9 * 197.0,
                                                                                          9 * 39360.0, "2015/16")
        da = scored["issue_scores"].set_index(["district", "issue"]).loc[("Ashby", DA.name)]
        assert pd.isna(da["harm_score"]) and pd.isna(da["cost_of_crime_gbp"])  # unknown, never 0

    def test_a_comparison_quarter_the_local_data_do_not_cover_is_no_comparison(self, scored):
        s = scored["issue_scores"]
        issue = s["issue"].astype("str")
        assert (s.loc[issue == DA.name, "change_flag"] == NO_COMPARISON).all()
        assert s.loc[issue == DA.name, "count_prev_quarter"].isna().all()
        assert (s.loc[issue == SARC.name, "count_prev_quarter"] == 9).all()  # its own months cover Q2
        monthly = scored["monthly"]
        da_july = monthly[(monthly["issue"].astype("str") == DA.name) & (monthly["month"] == "2025-07")]
        assert da_july["count"].isna().all()  # outside its months: a gap, never 0

    def test_local_issues_are_on_every_grid_and_left_out_of_incidents(self, scored):
        assert len(scored["issue_scores"]) == 7 * 16
        for key in ("issue_scores", "county_priorities", "monthly", "rag"):  # the CSVs carry the label too
            t = scored[key]
            assert set(t.loc[t["illustrative"], "issue"].astype("str")) == {SARC.name}
        assert set(scored["rag"]["issue"].astype("str")) >= {SARC.name, DA.name}
        cpa = scored["cost_per_area"].set_index("district")
        assert cpa.loc["Ashby", "incidents"] == 14 * 30  # police.uk records only: no double counting

    def test_an_issue_not_covering_the_quarter_is_left_out_and_named(self, tmp_path):
        county = write_data(tmp_path, "2025-10,Ashby,Hate incidents,2\n2025-11,Ashby,Hate incidents,1\n")
        local = read_local_counts(county, MONTHS)
        police = pd.DataFrame({"district": ["Ashby"], "issue": ["Drugs"], "month": ["2025-10"], "count": [4]})
        counts, months, quality = with_local_issues(police, local, county, Q3, {})
        assert list(counts["issue"].cat.categories) == list(ISSUES) and months == {}
        assert quality["local"]["not_scored"] == ["Hate incidents"]


def test_csa_check_refuses_a_bad_local_row_with_exit_2(tmp_path, capsys):
    import shutil

    from csa_analysis.cli import main
    from csa_analysis.paths import SAMPLE_DATA_DIR

    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA_DIR, data)
    with (data / "county.toml").open("a", encoding="utf-8") as fh:
        fh.write(ISSUE)
    (data / "local").mkdir()
    (data / "local" / "hate.csv").write_text("month,district,issue,count\n2018-10,North West Leics,Hate incidents,3\n"
                                            "2018-11,Melton,Hate incidents,-2\n", encoding="utf-8")
    assert main(["check", "--data", str(data), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "hate.csv" in err and "row 3, column 'count'" in err and "Traceback" not in err
    (data / "local" / "hate.csv").write_text("month,district,issue,count\n2018-10,North West Leics,Hate incidents,3\n",
                                            encoding="utf-8")
    assert main(["check", "--data", str(data), "--json", "--quiet"]) == 0
    import json

    quality = json.loads(capsys.readouterr().out)
    assert quality["local"]["files"] == {"hate.csv": 1}
    assert quality["local"]["issues"]["Hate incidents"]["district_months_without_row"] == 6
