"""Partnership landscape: the register is validated like every input, and every figure is checked by hand.

The small register below is written out in full; each expected number is derived from it in a comment, so a
change of method (another overlap measure, another sort, a blank read as 0) fails a test.
"""

from __future__ import annotations

import csv
import inspect
import io
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from openpyxl import Workbook

from csa_analysis.config.county import read_county
from csa_analysis.errors import InputError
from csa_analysis.partnerships.analysis import (
    admin_share,
    admin_share_context,
    candidate_mergers,
    jaccard,
    meeting_load,
    meeting_load_context,
    overlap_matrix,
    remit_overlap,
)
from csa_analysis.partnerships.register import (
    TOTAL_ROW,
    partnership_districts,
    partnership_members,
    partnership_remit,
    read_partnerships,
)
from csa_analysis.partnerships.scenario import hub_and_spoke_scenario
from csa_analysis.partnerships.tables import partnership_tables
from csa_analysis.report.partnership_charts import COLOURBAR_LABEL, overlap_matrix_figure
from csa_analysis.report.tables import write_tables

from datafactory import COUNTY_TOML, SAMPLE_DIR, make_data_dir

HEADER = "partnership,level,geography,remit,meetings_per_year,members,admin_cost_gbp,delivery_spend_gbp"
# Test County (datafactory.COUNTY_TOML): Charnwood, Blaby, Hinckley and Bosworth (alias "Hinckley & Bosworth").
REGISTER = "\n".join([
    HEADER,
    "Board,county,all,Burglary;drugs;Reducing re-offending,4,police;PCC;council,100,300",
    "Justice Board,force,all,reducing re-offending;Drugs;victims\u2019 services,6,police;PCC;courts,50,",
    "Charnwood CSP,district,Charnwood,burglary;Drugs,6,police;council,20,80",
    "Blaby CSP,district,Blaby,Burglary;Anti-social behaviour,12,police;council;fire,,",
    "Joint Group,district,Blaby;hinckley & bosworth,burglary;anti-social behaviour;Criminal damage and arson,4,"
    "Police;fire,10,30",
]) + "\n"
# Normalised remits (issues in police.uk spelling, themes lower case, curly apostrophe made straight):
#   Board     {Burglary, Drugs, reducing re-offending}
#   Justice   {reducing re-offending, Drugs, victims' services}
#   Charnwood {Burglary, Drugs}
#   Blaby     {Burglary, Anti-social behaviour}
#   Joint     {Burglary, Anti-social behaviour, Criminal damage and arson}
# Geographies: Board = Justice = all three districts (same); Charnwood, Blaby and Joint nest in them; Blaby nests
# in Joint (Blaby; Hinckley and Bosworth); Charnwood is disjoint from Blaby and from Joint (not compared).


def write_data(tmp_path, register: str = REGISTER, name: str = "partnerships.csv"):
    root = make_data_dir(tmp_path / "data", {}, toml=COUNTY_TOML)
    (root / name).write_text(register, encoding="utf-8")
    return root


@pytest.fixture
def register(tmp_path):
    root = write_data(tmp_path)
    county = read_county(root)
    assert county.partnerships_file == root / "partnerships.csv"
    return read_partnerships(county.partnerships_file, county)


class TestReadPartnerships:
    def test_tidy_row_per_partnership_with_reconciled_names_and_normalised_remit(self, register):
        assert register["partnership"].tolist() == ["Board", "Justice Board", "Charnwood CSP", "Blaby CSP",
                                                    "Joint Group"]
        row = register.set_index("partnership")
        # "hinckley & bosworth" is the declared alias in another case: reconciled, listed in county order
        assert row.loc["Joint Group", "districts"] == ("Blaby", "Hinckley and Bosworth")
        assert row.loc["Board", "districts"] == ("Charnwood", "Blaby", "Hinckley and Bosworth")
        assert bool(row.loc["Board", "covers_all"]) and not bool(row.loc["Joint Group", "covers_all"])
        assert row.loc["Board", "remit"] == ("Burglary", "Drugs", "reducing re-offending")
        assert row.loc["Justice Board", "remit"] == ("reducing re-offending", "Drugs", "victims' services")
        # "Police" and "police" are one agency, spelt as first seen
        assert row.loc["Joint Group", "members"] == ("police", "fire")
        assert register["meetings_per_year"].dtype == "int64"
        assert row.loc["Blaby CSP", "source_row"] == 5

    def test_blank_money_stays_blank_never_zero(self, register):
        row = register.set_index("partnership")
        assert np.isnan(row.loc["Justice Board", "delivery_spend_gbp"])
        assert np.isnan(row.loc["Blaby CSP", "admin_cost_gbp"])
        assert row.loc["Board", "admin_cost_gbp"] == 100.0

    def test_long_frames_have_one_row_per_pair(self, register):
        d = partnership_districts(register)
        assert len(d) == 3 + 3 + 1 + 1 + 2
        assert d.loc[d["partnership"] == "Joint Group", "district"].tolist() == ["Blaby", "Hinckley and Bosworth"]
        r = partnership_remit(register)
        assert len(r) == 3 + 3 + 2 + 2 + 3
        kinds = dict(zip(r["remit_item"], r["kind"], strict=True))
        assert kinds["Burglary"] == "issue" and kinds["victims' services"] == "theme"
        m = partnership_members(register)
        assert len(m) == 3 + 3 + 2 + 3 + 2
        assert m.loc[m["partnership"] == "Blaby CSP", "meetings_per_year"].tolist() == [12, 12, 12]

    def test_xlsx_register_reads_numbers_and_counts_rows_like_the_spreadsheet(self, tmp_path):
        root = make_data_dir(tmp_path / "data", {}, toml=COUNTY_TOML)
        wb = Workbook()
        ws = wb.active
        ws.append(HEADER.split(","))
        ws.append(["Board", "county", "all", "Burglary", 4, "police", 100, None])
        ws.append([None] * 8)  # a blank row 3 is skipped but still counted
        ws.append(["Blaby CSP", "district", "Blaby", "Burglary", 6, "police", 10.5, 40])
        wb.save(root / "partnerships.xlsx")
        county = read_county(root)
        assert county.partnerships_file == root / "partnerships.xlsx"
        reg = read_partnerships(county.partnerships_file, county)
        assert reg["meetings_per_year"].tolist() == [4, 6]
        assert reg["admin_cost_gbp"].tolist() == [100.0, 10.5]
        assert np.isnan(reg["delivery_spend_gbp"].iloc[0])
        assert reg["source_row"].tolist() == [2, 4]

        ws.append(["Melton CSP", "district", "Melton", "Burglary", 6, "police", None, None])
        wb.save(root / "partnerships.xlsx")
        with pytest.raises(InputError) as err:
            read_partnerships(county.partnerships_file, county)
        assert "partnerships.xlsx" in str(err.value) and "row 5, column 'geography'" in str(err.value)

    def test_blank_lines_in_a_csv_still_count_as_rows(self, tmp_path):
        body = "\nBoard,county,all,Burglary,4,police,,\n\nX,region,all,Drugs,4,police,,\n"  # X is on line 4
        root = write_data(tmp_path, HEADER + body)
        county = read_county(root)
        with pytest.raises(InputError, match=r"row 4, column 'level'"):
            read_partnerships(county.partnerships_file, county)

    def test_a_utf8_bom_from_excel_is_accepted(self, tmp_path):
        root = write_data(tmp_path, "\ufeff" + REGISTER)
        county = read_county(root)
        assert len(read_partnerships(county.partnerships_file, county)) == 5

    @pytest.mark.parametrize("rows,row,column,fragment", [
        # (data rows under the header, row named, column named, what the message must say)
        (["X,region,all,Drugs,4,police,,"], 2, "level", "'region' is unknown"),
        (["A,county,all,Drugs,4,police,,", "X,district,Leicester,Drugs,4,police,,"], 3, "geography",
         "'Leicester' matches no district or alias"),
        (["X,district,Hinckley,Drugs,4,police,,"], 2, "geography", "'Hinckley' matches no district"),  # no guess
        (["X,district,North West Leics,Drugs,4,police,,"], 2, "geography", "matches no district"),  # not declared
        (["X,county,all;Blaby,Drugs,4,police,,"], 2, "geography", "mixes 'all'"),
        (["X,county,,Drugs,4,police,,"], 2, "geography", "is blank"),
        (["Board,county,all,Drugs,4,police,,", "board ,county,all,Drugs,4,police,,"], 3, "partnership",
         "listed twice (rows 2 and 3)"),
        ([",county,all,Drugs,4,police,,"], 2, "partnership", "has no name"),
        (["X,county,all,Drugs,-1,police,,"], 2, "meetings_per_year", "'-1' is below 0"),
        (["X,county,all,Drugs,monthly,police,,"], 2, "meetings_per_year", "'monthly' is not a number"),
        (["X,county,all,Drugs,2.5,police,,"], 2, "meetings_per_year", "'2.5' is not a whole number"),
        (["X,county,all,Drugs,,police,,"], 2, "meetings_per_year", "is blank"),
        (["X,county,all,Drugs,4,police,lots,"], 2, "admin_cost_gbp", "'lots' is not a number"),
        (["X,county,all,Drugs,4,police,,-5"], 2, "delivery_spend_gbp", "'-5' is below 0"),
        (["X,county,all,,4,police,,"], 2, "remit", "is blank"),
        (["X,county,all,Drugs,4, ; ,,"], 2, "members", "is blank"),
    ])
    def test_bad_rows_are_refused_naming_file_row_and_column(self, tmp_path, rows, row, column, fragment):
        root = write_data(tmp_path, "\n".join([HEADER, *rows]) + "\n")
        county = read_county(root)
        with pytest.raises(InputError) as err:
            read_partnerships(county.partnerships_file, county)
        message = str(err.value)
        assert str(root / "partnerships.csv") in message
        assert f"row {row}, column '{column}'" in message
        assert fragment in message
        assert err.value.expected  # says what was expected

    def test_missing_columns_are_named(self, tmp_path):
        root = write_data(tmp_path, "partnership,level,geography,remit,meetings_per_year\nX,county,all,Drugs,4\n")
        county = read_county(root)
        with pytest.raises(InputError) as err:
            read_partnerships(county.partnerships_file, county)
        message = str(err.value)
        assert "partnerships.csv" in message and "header row" in message
        assert "'members', 'admin_cost_gbp', 'delivery_spend_gbp'" in message

    def test_county_toml_may_name_the_register_and_a_missing_one_is_an_error(self, tmp_path):
        root = write_data(tmp_path, REGISTER, name="boards.csv")
        assert read_county(root).partnerships_file is None  # nothing beside county.toml: optional
        (root / "county.toml").write_text('partnerships = "boards.csv"\n' + COUNTY_TOML, encoding="utf-8")
        assert read_county(root).partnerships_file == root / "boards.csv"
        (root / "county.toml").write_text('partnerships = "nope.csv"\n' + COUNTY_TOML, encoding="utf-8")
        with pytest.raises(InputError, match=r"nope\.csv.*county\.toml partnerships.*file not found"):
            read_county(root)


class TestRemitOverlap:
    def test_jaccard_of_same_or_nested_pairs_by_hand(self, register):
        ov = remit_overlap(register)
        expected = {
            ("Board", "Justice Board"): ("same", 2 / 4),       # {Drugs, re-offending} of {+Burglary, victims'}
            ("Board", "Charnwood CSP"): ("nested", 2 / 3),     # {Burglary, Drugs} of 3
            ("Board", "Blaby CSP"): ("nested", 1 / 4),         # {Burglary} of {B, D, re-offending, ASB}
            ("Board", "Joint Group"): ("nested", 1 / 5),       # {Burglary} of 5
            ("Justice Board", "Charnwood CSP"): ("nested", 1 / 4),  # {Drugs} of 4
            ("Justice Board", "Blaby CSP"): ("nested", 0.0),
            ("Justice Board", "Joint Group"): ("nested", 0.0),
            ("Blaby CSP", "Joint Group"): ("nested", 2 / 3),   # {Burglary, ASB} of 3
        }  # Charnwood CSP is disjoint from Blaby CSP and from Joint Group: not compared
        pairs = list(zip(ov["partnership_a"], ov["partnership_b"], strict=True))
        assert sorted(pairs) == sorted(expected)
        assert dict(zip(pairs, ov["geography"], strict=True)) == {k: g for k, (g, _) in expected.items()}
        assert dict(zip(pairs, ov["jaccard"], strict=True)) == pytest.approx({k: j for k, (_, j) in expected.items()})

    def test_sorted_by_overlap_then_name_with_counts_and_shared_items(self, register):
        ov = remit_overlap(register)
        assert list(zip(ov["partnership_a"], ov["partnership_b"], strict=True))[:4] == [
            ("Blaby CSP", "Joint Group"), ("Board", "Charnwood CSP"), ("Board", "Justice Board"),
            ("Board", "Blaby CSP")]
        first = ov.iloc[0]
        assert (first["shared_remit_items"], first["union_remit_items"]) == (2, 3)
        assert first["shared_remit"] == "Anti-social behaviour; Burglary"
        assert first["shared_geography"] == "Blaby"
        assert ov.iloc[2]["shared_geography"] == "all"

    def test_matrix_is_square_symmetric_and_blanks_pairs_not_compared(self, register):
        m = overlap_matrix(register)
        assert m.shape == (5, 5) and np.allclose(m.to_numpy(), m.to_numpy().T)
        assert np.allclose(np.diag(m), 1.0)
        assert m.loc["Charnwood CSP", "Blaby CSP"] == pytest.approx(1 / 3)  # {Burglary} of 3, though not compared
        assert m.loc["Justice Board", "Blaby CSP"] == 0.0  # nothing shared
        assert m.loc["Blaby CSP", "Joint Group"] == pytest.approx(2 / 3)
        g = overlap_matrix(register, shared_geography_only=True)
        assert np.isnan(g.loc["Charnwood CSP", "Blaby CSP"]) and np.isnan(g.loc["Joint Group", "Charnwood CSP"])
        assert g.loc["Board", "Justice Board"] == pytest.approx(0.5)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(st.sets(st.sampled_from("abcde"), min_size=1),
                              st.sets(st.sampled_from("XYZ"), min_size=1)), min_size=2, max_size=7))
    def test_vectorised_overlap_matches_a_pair_by_pair_loop(self, parts):
        reg = pd.DataFrame({"partnership": [f"P{i}" for i in range(len(parts))], "level": "county",
                            "remit": [tuple(sorted(r)) for r, _ in parts],
                            "districts": [tuple(sorted(d)) for _, d in parts],
                            "covers_all": [d == {"X", "Y", "Z"} for _, d in parts]})
        expected = {}
        for (i, (ra, da)), (j, (rb, db)) in combinations(enumerate(parts), 2):
            if da == db or da < db or db < da:
                expected[(f"P{i}", f"P{j}")] = len(ra & rb) / len(ra | rb)
        ov = remit_overlap(reg)
        got = dict(zip(zip(ov["partnership_a"], ov["partnership_b"], strict=True), ov["jaccard"], strict=True))
        assert got == pytest.approx(expected)
        assert jaccard(("a",), ()) == 0.0 and jaccard((), ()) == 0.0


class TestMeetingLoadAndAdmin:
    def test_meetings_and_partnerships_per_agency_by_hand(self, register):
        load = meeting_load(register)
        assert load.to_dict("list") == {
            "agency": ["police", "council", "fire", "PCC", "courts"],
            "partnerships": [5, 3, 2, 2, 1],
            "meetings_per_year": [4 + 6 + 6 + 12 + 4, 4 + 6 + 12, 12 + 4, 4 + 6, 6],  # 32, 22, 16, 10, 6
        }
        assert "police: 5 partnerships, 32 meetings a year" in meeting_load_context(load, register)
        assert "more than 80 partnerships" in meeting_load_context(load, register)

    def test_admin_share_per_partnership_and_total_of_known_pairs(self, register):
        t = admin_share(register)
        share = dict(zip(t["partnership"], t["admin_share"], strict=True))
        assert share["Board"] == pytest.approx(100 / 400)
        assert share["Charnwood CSP"] == pytest.approx(20 / 100)
        assert share["Joint Group"] == pytest.approx(10 / 40)
        assert np.isnan(share["Justice Board"]) and np.isnan(share["Blaby CSP"])  # blank, never 0
        total = t.iloc[-1]
        assert total["partnership"] == TOTAL_ROW
        # known pairs only: admin 100 + 20 + 10 = 130, delivery 300 + 80 + 30 = 410
        assert (total["admin_cost_gbp"], total["delivery_spend_gbp"]) == (130, 410)
        assert total["admin_share"] == pytest.approx(130 / 540)

    def test_admin_context_states_figures_against_two_thirds(self, register):
        text = admin_share_context(admin_share(register))
        # 130 / 540 = 24.1%; 66.7 - 24.1 = 42.6 -> 43 points below
        assert "3 of 5 partnerships" in text and "£130 of £540 (24%)" in text
        assert "43 percentage points below the 67% reference" in text and "approximately two thirds" in text
        assert "percentage points above the 10% reference" in admin_share_context(admin_share(register), 0.1)


class TestCandidateMergers:
    def test_pairs_at_or_above_threshold_with_reason_naming_figures(self, register):
        m = candidate_mergers(register, overlap_threshold=0.6)
        assert list(zip(m["partnership_a"], m["partnership_b"], strict=True)) == [
            ("Blaby CSP", "Joint Group"), ("Board", "Charnwood CSP")]  # both 2/3; Board-Justice 0.5 is below
        first = m.iloc[0]
        assert first["shared_members"] == "police; fire" and first["shared_member_count"] == 2
        assert first["meetings_saved_per_year"] == 4  # min(12, 4)
        assert first["reason"] == (
            "Blaby CSP and Joint Group have nested geographies (shared: Blaby), share 2 of 3 remit items "
            "(Jaccard 0.67: Anti-social behaviour; Burglary) and 2 member agencies; one body meeting as often "
            "as the busier would hold 4 fewer meetings a year (12 + 4 now).")
        assert "(county and district level)" in m.iloc[1]["reason"]

    def test_threshold_is_inclusive_and_validated(self, register):
        m = candidate_mergers(register, 0.5)
        assert len(m) == 3  # adds Board-Justice at exactly 0.5
        assert "cover the same geography (every district)" in m.iloc[2]["reason"]
        with pytest.raises(ValueError):
            candidate_mergers(register, 1.5)


class TestHubAndSpoke:
    def test_default_scenario_by_hand(self, register):
        r = hub_and_spoke_scenario(register)
        assert r.absorbed["partnership"].tolist() == ["Board", "Justice Board"]  # county and force level
        s = r.summary.set_index("measure")
        # before: 5 partnerships; meetings 4+6+6+12+4 = 32; attendances 4x3+6x3+6x2+12x3+4x2 = 86;
        #         known admin 100+50+20+10 = 180
        # after:  board (4 meetings; members police, PCC, council, courts; admin = largest absorbed = 100)
        #         + districts unchanged: 4 partnerships; meetings 4+6+12+4 = 26;
        #         attendances 4x4+12+36+8 = 72; admin 100+20+10 = 130
        assert s.loc["partnerships", ["before", "after", "change"]].tolist() == [5, 4, -1]
        assert s.loc["meetings a year", ["before", "after", "change"]].tolist() == [32, 26, -6]
        assert s.loc["agency attendances a year", ["before", "after", "change"]].tolist() == [86, 72, -14]
        admin = s.loc["administration (known costs), pounds a year, rounded", ["before", "after", "change"]]
        assert admin.tolist() == [180, 130, -50]
        load = r.load.set_index("agency")
        assert load.loc["police", ["meetings_before", "meetings_after"]].tolist() == [32, 26]
        assert load.loc["PCC", ["meetings_before", "meetings_after", "meetings_change"]].tolist() == [10, 4, -6]
        assert load.loc["council", ["meetings_before", "meetings_after"]].tolist() == [22, 22]
        assert load.loc["courts", ["partnerships_before", "partnerships_after"]].tolist() == [1, 1]
        board = r.after.iloc[0]
        assert board["members"] == ("police", "PCC", "council", "courts")
        assert board["remit"] == ("Burglary", "Drugs", "reducing re-offending", "victims' services")

    def test_every_assumption_is_a_parameter_stated_with_its_default(self, register):
        r = hub_and_spoke_scenario(register)
        a = r.assumptions.set_index("parameter")
        params = [p for p in inspect.signature(hub_and_spoke_scenario).parameters
                  if p not in ("register", "board_name")]
        assert set(params) <= set(a.index)
        assert a.loc["board_meetings_per_year", "value"] == "4"
        assert a.loc["delivery_group_meetings_per_year", "value"] == "unchanged"
        assert a.loc["board_admin_cost_gbp", "value"] == "100 (the largest absorbed admin cost, Board)"
        assert a.loc["strategic_levels", "value"] == "force; county level"
        assert "Blaby CSP" in r.assumptions.set_index("assumption").loc["Unknown administration costs", "note"]

    def test_changed_assumptions_change_the_figures_by_hand(self, register):
        r = hub_and_spoke_scenario(register, board_meetings_per_year=6, board_admin_cost_gbp=120,
                                   delivery_group_meetings_per_year=6, delivery_group_admin_share=0.5)
        s = r.summary.set_index("measure")
        # meetings: board 6 + Charnwood 6 + Blaby min(12, 6) + Joint 4 = 22
        assert s.loc["meetings a year", "after"] == 22
        # admin: board 120 + Charnwood 20 x 0.5 + Joint 10 x 0.5 (Blaby unknown) = 135
        assert s.loc["administration (known costs), pounds a year, rounded", "after"] == 135
        # police: 6 + 6 + 6 + 4 = 22
        assert r.load.set_index("agency").loc["police", "meetings_after"] == 22
        a = r.assumptions.set_index("parameter")["value"]
        assert (a["board_admin_cost_gbp"], a["delivery_group_meetings_per_year"]) == ("120", "at most 6")
        # admin share over known pairs: before 130/540; after board 120/(120+300), Charnwood 10/90, Joint 5/35
        admin = r.admin.set_index("scenario")["admin_share"]
        assert admin["before"] == pytest.approx(130 / 540)
        assert admin["after"] == pytest.approx((120 + 10 + 5) / (120 + 10 + 5 + 300 + 80 + 30))

    def test_a_partnership_kept_separate_is_not_absorbed(self, register):
        r = hub_and_spoke_scenario(register, keep_separate=["Justice Board"])
        assert r.absorbed["partnership"].tolist() == ["Board"]
        assert "Justice Board" in r.after["partnership"].tolist()
        assert r.summary.set_index("measure").loc["partnerships", "after"] == 5
        with pytest.raises(ValueError, match="Nobody"):
            hub_and_spoke_scenario(register, keep_separate=["Nobody"])


class TestOutputs:
    def test_tables_written_as_csv_with_blanks_as_empty_cells(self, register, tmp_path):
        tables = partnership_tables(register) | {"partnership_register_in": register}
        written = write_tables(tables, tmp_path / "out")
        assert {"partnership_overlap.csv", "partnership_load.csv", "partnership_scenario.csv",
                "partnership_register.csv", "partnership_register_in.csv"} <= {p.name for p in written}
        folder = tmp_path / "out" / "tables"
        assert len(pd.read_csv(folder / "partnership_overlap.csv")) == 8
        admin = list(csv.DictReader(io.StringIO((folder / "partnership_admin.csv").read_text(encoding="utf-8"))))
        assert admin[1]["partnership"] == "Justice Board" and admin[1]["admin_share"] == ""
        reg = list(csv.DictReader(io.StringIO((folder / "partnership_register_in.csv").read_text(encoding="utf-8"))))
        assert reg[4]["districts"] == "Blaby; Hinckley and Bosworth"

    def test_overlap_heat_map_is_a_labelled_cividis_figure_outside_pyplot(self, register):
        import matplotlib.pyplot as plt

        open_before = plt.get_fignums()
        fig = overlap_matrix_figure(overlap_matrix(register, shared_geography_only=True),
                                    "Remit overlap between partnerships, Test County")
        assert isinstance(fig, Figure) and plt.get_fignums() == open_before
        ax, cbar = fig.axes
        assert "Test County" in ax.get_title(loc="left")
        assert cbar.get_ylabel() == COLOURBAR_LABEL
        assert ax.images[0].get_cmap().name.startswith("cividis")
        assert [t.get_text() for t in ax.get_yticklabels()][0] == "Board"
        assert "0.67" in [t.get_text() for t in ax.texts]
        fig.savefig(io.BytesIO(), format="png", dpi=40)


class TestShippedExample:
    def test_the_illustrative_register_loads_for_the_sample_county(self):
        county = read_county(SAMPLE_DIR)
        assert county.partnerships_file == SAMPLE_DIR / "partnerships.csv"
        reg = read_partnerships(county.partnerships_file, county)
        assert 12 <= len(reg) <= 16
        assert set(reg["level"]) == {"force", "county", "district"}
        assert reg.loc[reg["level"] != "district", "covers_all"].all()  # force and county: geography all
        single = reg[(reg["level"] == "district") & (reg["districts"].map(len) == 1)]
        assert sorted(d for (d,) in single["districts"]) == sorted(county.district_names)  # the seven CSPs
        tables = partnership_tables(reg)
        assert len(tables["partnership_overlap"]) > 0 and len(tables["partnership_mergers"]) > 0
        note = (SAMPLE_DIR / "partnerships.README.md").read_text(encoding="utf-8").lower()
        assert "illustrative" in note and "not real" in note
