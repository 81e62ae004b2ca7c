"""The board-pack workbook, read back with openpyxl: sheets, header style, number formats, frozen header,
widths, blanks and formula-looking text."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from csa_analysis.config.county import read_county
from csa_analysis.report import excel

from synthetic import QUARTER, synthetic_quality, synthetic_tables, write_county


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    root = tmp_path_factory.mktemp("xlsx")
    tables = synthetic_tables()
    tables["issue_scores"].loc[0, "change_basis"] = "@SUM(A1:A9)"
    tables["extra_table"] = pd.DataFrame({"label": ["+44 20 7946 0000", "-minus", "plain"], "value": [1, 2, 3]})
    path = excel.write_workbook(tables, synthetic_quality(tables), read_county(write_county(root / "data")),
                                QUARTER, root / "board_pack.xlsx")
    return tables, load_workbook(path)


def _header(ws) -> list[str]:
    return [c.value for c in ws[1]]


def _index(ws, name: str) -> int:
    """The position of the table column ``name`` (its CSV name) among the sheet's headings for people."""
    names = {row[2].value: row[1].value for row in ws.parent["Column names"].iter_rows(min_row=2)
             if row[0].value == ws.title}
    heading = names.get(name, excel.human_header(name))
    return _header(ws).index(heading)


def _column(ws, name: str):
    return [row[0] for row in ws.iter_rows(min_row=2, min_col=_index(ws, name) + 1, max_col=_index(ws, name) + 1)]


class TestSheets:
    def test_one_sheet_per_table_in_board_order_then_data_quality(self, workbook):
        _, wb = workbook
        assert wb.sheetnames == ["About", "County priorities", "Issue scores", "Cost per area", "Funding scenarios",
                                 "Harm sensitivity", "Monthly counts", "RAG status", "Extra table", "Data quality",
                                 "Column names"]

    @pytest.mark.parametrize("sheet,key", [("Issue scores", "issue_scores"), ("County priorities",
                                                                               "county_priorities"),
                                           ("Cost per area", "cost_per_area"), ("Monthly counts", "monthly")])
    def test_every_row_and_column_of_the_table_is_there(self, workbook, sheet, key):
        tables, wb = workbook
        ws = wb[sheet]
        assert _header(ws) == excel.sheet_headers(tables[key].columns)
        assert len(set(_header(ws))) == len(_header(ws))
        assert ws.max_row == len(tables[key]) + 1

    def test_headings_are_for_people_and_each_sheet_is_an_excel_table(self, workbook):
        tables, wb = workbook
        ws = wb["Issue scores"]
        assert "Rate per 1,000 residents" in _header(ws) and "rate_per_1000" not in _header(ws)
        (table,) = ws.tables.values()
        assert table.ref == f"A1:{ws.cell(row=1, column=ws.max_column).column_letter}{ws.max_row}"
        assert [c.name for c in table.tableColumns] == _header(ws)
        names = {t.displayName for sheet in wb.worksheets for t in sheet.tables.values()}
        assert len(names) == len(wb.sheetnames) - 1  # every sheet but About

    def test_months_are_dates(self, workbook):
        import datetime

        tables, wb = workbook
        cells = _column(wb["Monthly counts"], "month")
        first = tables["monthly"]["month"].iloc[0]
        assert cells[0].value == datetime.datetime(int(first[:4]), int(first[5:]), 1)
        assert all(c.number_format == excel.MONTH for c in cells)

    def test_about_sheet_names_county_quarter_and_units(self, workbook):
        _, wb = workbook
        about = {r[0].value: r[1].value for r in wb["About"].iter_rows()}
        assert about["County"] == "Synthshire" and about["Quarter"] == "2024-25Q1"
        assert "12.5 = 12.5%" in about["Units"]

    def test_data_quality_sheet(self, workbook):
        tables, wb = workbook
        rows = {r[0].value: r[1].value for r in wb["Data quality"].iter_rows(min_row=2)}
        assert rows["Unallocated: no location, so no district"] == 512
        assert rows["Duplicates dropped (repeated Crime ID)"] == 3
        assert rows["Placed in the county's districts"] == int(tables["monthly"]["count"].sum())
        assert rows["Placed in Eastmere"] == int(tables["monthly"].query("district == 'Eastmere'")["count"].sum())


class TestFormatting:
    @pytest.mark.parametrize("sheet", ["Issue scores", "Cost per area", "Data quality"])
    def test_header_is_bold_filled_frozen_filtered_and_repeats_when_printed(self, workbook, sheet):
        ws = workbook[1][sheet]
        assert all(c.font.bold and c.fill.fgColor.rgb.endswith("0B3D6E") for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref is None or ws.auto_filter.ref.startswith("A1:")  # a table filters itself
        assert all(t.ref.startswith("A1:") and t.autoFilter.ref == t.ref for t in ws.tables.values())
        assert ws.print_title_rows == "$1:$1"
        assert ws.page_setup.orientation == "landscape"

    @pytest.mark.parametrize("sheet,column,fmt", [
        ("Cost per area", "funding_gbp", '"£"#,##0.00'),
        ("Cost per area", "need_share", "0.0%"),
        ("Cost per area", "population", "#,##0"),
        ("Cost per area", "incidents", "#,##0"),
        ("Issue scores", "count", "#,##0"),
        ("Issue scores", "count_last_year", "#,##0"),
        ("Issue scores", "change_pct_last_year", '0.0"%"'),
        ("Issue scores", "rate_per_1000", "#,##0.00"),
        ("County priorities", "prevalence_share", "0.0%"),
        ("County priorities", "cost_of_crime_gbp", '"£"#,##0.00'),
    ])
    def test_number_formats(self, workbook, sheet, column, fmt):
        cells = [c for c in _column(workbook[1][sheet], column) if c.value is not None]
        assert cells and all(c.number_format == fmt for c in cells)

    def test_values_are_the_table_values_not_rounded_text(self, workbook):
        tables, wb = workbook
        cells = _column(wb["Cost per area"], "funding_gbp")
        assert cells[0].value == tables["cost_per_area"]["funding_gbp"].iloc[0]
        assert isinstance(_column(wb["Issue scores"], "count")[0].value, int)

    def test_blanks_stay_blank_never_zero(self, workbook):
        _, wb = workbook
        ws = wb["Cost per area"]
        fairholt = [c.row for c in _column(ws, "district") if c.value == "Fairholt"][0]
        for col in ("funding_gbp", "funding_per_incident_gbp", "funding_share"):
            assert ws.cell(row=fairholt, column=_index(ws, col) + 1).value is None
        asb = [c for c in _column(wb["County priorities"], "harm_score")]
        assert any(c.value is None for c in asb)  # anti-social behaviour has no harm weight

    def test_column_widths_fit_the_content_within_limits(self, workbook):
        ws = workbook[1]["County priorities"]
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
        assert all(10 <= w <= excel.MAX_WIDTH for w in widths)
        assert widths[_index(ws, "rationale")] == excel.MAX_WIDTH
        assert widths[_index(ws, "issue")] >= len("Violence and sexual offences")


class TestFormulaInjection:
    @pytest.mark.parametrize("sheet,text", [
        ("County priorities", "=Not escalated. Risk: text that looks like a formula."),
        ("Issue scores", "@SUM(A1:A9)"),
        ("Extra table", "+44 20 7946 0000"),
        ("Extra table", "-minus"),
    ])
    def test_text_that_looks_like_a_formula_is_stored_as_quoted_text(self, workbook, sheet, text):
        found = [c for row in workbook[1][sheet].iter_rows() for c in row if c.value == text]
        assert found, text
        assert all(c.data_type == "s" and c.quotePrefix for c in found)

    def test_no_cell_anywhere_is_a_formula(self, workbook):
        for ws in workbook[1].worksheets:
            for row in ws.iter_rows():
                assert all(c.data_type != "f" for c in row), ws.title


@pytest.mark.parametrize("column,dtype,expected", [
    ("funding_gbp", "float64", excel.GBP), ("funding_share", "float64", excel.SHARE),
    ("change_pct_prev_quarter", "float64", excel.PERCENT_POINTS), ("p_value_last_year", "float64", excel.P_VALUE),
    ("count_prev_quarter", "Int64", excel.COUNT), ("count_prev_quarter", "float64", excel.COUNT),
    ("priority_rank", "int64", excel.COUNT), ("location_quotient", "float64", excel.DECIMAL),
    ("issue", "str", None), ("flag", "bool", None),
])
def test_number_format_from_name_and_type(column, dtype, expected):
    assert excel.number_format(column, pd.Series([], dtype=dtype).dtype) == expected


def test_an_interrupted_workbook_closes_its_streams_without_a_traceback(tmp_path, monkeypatch, capfd):
    """Ctrl-C or SIGTERM while the workbook is written (csa assess writes it while the kernels run): the
    half-written sheets are closed at once, so nothing is printed when they are collected."""
    import gc

    calls = []
    real = excel.write_sheet

    def interrupted(ws, df, *args, **kw):
        real(ws, df, *args, **kw)
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(excel, "write_sheet", interrupted)
    tables = synthetic_tables()
    with pytest.raises(KeyboardInterrupt):
        excel.write_workbook(tables, synthetic_quality(tables), read_county(write_county(tmp_path / "data")),
                             QUARTER, tmp_path / "board_pack.xlsx")
    gc.collect()
    assert "Traceback" not in capfd.readouterr().err
