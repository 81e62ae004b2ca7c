"""Small-number disclosure control: applied to every published output, never to the calculations."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from csa_analysis.cli import main
from csa_analysis.config.county import Disclosure
from csa_analysis.method.disclosure import apply_rule

from datafactory import SAMPLE_DIR


def test_suppression_blanks_small_counts_and_what_is_derived_from_them():
    t = pd.DataFrame({"issue": ["A", "B", "C"], "count": [3, 0, 12], "rate_per_1000": [0.3, 0.0, 1.2],
                      "harm_score": [30.0, 0.0, 120.0], "priority_rank": [3, 2, 1]})
    out = apply_rule(t, Disclosure(min_count=5, method="suppress"))
    assert out["count"].isna().tolist() == [True, False, False]
    assert out["count"].tolist()[1:] == [0, 12]  # zeros and large counts kept
    assert pd.isna(out.loc[0, "rate_per_1000"]) and pd.isna(out.loc[0, "harm_score"])
    assert out.loc[2, "rate_per_1000"] == 1.2
    assert t.loc[0, "count"] == 3  # the calculation's table is untouched


def test_rounding_rounds_every_count_to_the_base():
    t = pd.DataFrame({"count": [3, 7, 12, 0]})
    out = apply_rule(t, Disclosure(min_count=5, method="round"))
    assert out["count"].tolist() == [5, 5, 10, 0]


def test_off_by_default():
    t = pd.DataFrame({"count": [1, 2]})
    assert apply_rule(t, Disclosure()) is t


@pytest.fixture(scope="module")
def suppressed_pack(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    for p in SAMPLE_DIR.iterdir():
        target = data / p.name
        if p.name == "county.toml":
            target.write_text(p.read_text() + '\n[disclosure]\nmin_count = 10\nmethod = "suppress"\n')
        else:
            target.symlink_to(p)
    out = tmp_path_factory.mktemp("out") / "pack"
    code = main(["assess", "--data", str(data), "--out", str(out), "--districts", "Blaby", "--quiet",
                 "--cache", str(tmp_path_factory.mktemp("cache"))])
    assert code == 0
    return out


def test_csv_excel_and_html_show_no_count_below_the_threshold(suppressed_pack):
    out = suppressed_pack
    scores = pd.read_csv(out / "tables" / "issue_scores.csv")
    blaby = scores[scores["district"] == "Blaby"].set_index("issue")
    assert pd.isna(blaby.loc["Robbery", "count"])  # Blaby had 5 robberies in 2018-19 Q3
    assert pd.isna(blaby.loc["Robbery", "rate_per_1000"])
    counts = scores["count"].dropna()
    assert not ((counts > 0) & (counts < 10)).any()
    # the ranking still used the true counts: every issue keeps its rank
    assert blaby["priority_rank"].notna().all()
    ws = load_workbook(out / "board_pack.xlsx")["Issue scores"]
    header = [c.value for c in ws[1]]
    col = header.index("Incidents")  # the workbook's heading of the count column
    excel_counts = [row[col] for row in ws.iter_rows(min_row=2, values_only=True) if row[col] is not None]
    assert excel_counts and not any(0 < v < 10 for v in excel_counts)
    page = (out / "districts" / "blaby.html").read_text()
    priorities = next(part for part in page.split("<h2") if part.split(">", 1)[1].startswith("Priorities"))
    robbery_row = re.search(r"<td[^>]*>Robbery</td>(.*?)</tr>", priorities, re.S)
    assert robbery_row and "n/a" in robbery_row.group(1) and ">5<" not in robbery_row.group(1)
    assert "Counts below 10 are suppressed" in page
    hot = pd.read_csv(out / "tables" / "hotspots.csv")  # the where-and-when tables follow the same rule
    assert not ((hot["count"] > 0) & (hot["count"] < 10)).any() and hot.loc[hot["count"].isna(), "share"].isna().all()
