"""Table C2 for a county's districts (tables/recorded_crime.csv), checked against the shipped raw files read
independently here: the CSV with the csv module (thousands separators, trailing spaces), the ONS workbook with
openpyxl. Nothing below is a typed-in result: every expected figure is computed from the raw files."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from csa_analysis.config.county import read_county
from csa_analysis.errors import InputError
from csa_analysis.paths import CURRENT_SAMPLE_DIR, ONS_DATA_DIR, SAMPLE_DATA_DIR
from csa_analysis.sources.benchmarking import RECORDED_CRIME_COLUMNS, county_recorded_crime

C2 = ONS_DATA_DIR / "csp_table_c2_ye_june_2025.csv"
MYE = ONS_DATA_DIR / "mye23tablesew.xlsx"
TOTAL = "Total recorded crime (excluding fraud)"
DISTRICT_TYPES = ("Unitary Authority", "Non-metropolitan District", "Metropolitan District", "London Borough")


def raw_c2(path: Path = C2) -> tuple[list[str], list[list[str]]]:
    """Header (one line per cell) and data rows of the CSV as published."""
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    h = next(i for i, r in enumerate(rows) if r and r[0].startswith("Police Force"))
    return [re.sub(r"\s+", " ", c).strip() for c in rows[h]], rows[h + 1:]


def raw_count(csp_name: str, group: str, path: Path = C2) -> int | None:
    header, rows = raw_c2(path)
    (row,) = [r for r in rows if r[2].strip() and r[3].strip() == csp_name]
    cell = row[header.index(group)].strip()
    return None if cell == "[x]" else int(cell.replace(",", ""))


def raw_populations() -> dict[str, int]:
    """ONS district code -> mid-2023 residents, from the workbook's MYE2 - Persons sheet ('All ages')."""
    ws = openpyxl.load_workbook(MYE, read_only=True)["MYE2 - Persons"]
    out, header = {}, None
    for row in ws.iter_rows(values_only=True):
        if header is None:
            header = row if row and row[0] == "Code" else None
            continue
        if row[2] in DISTRICT_TYPES:
            out[row[0]] = int(row[header.index("All ages")])
    return out


@pytest.fixture(scope="module")
def pops() -> dict[str, int]:
    return raw_populations()


@pytest.fixture(scope="module")
def sample() -> tuple[object, dict[str, pd.DataFrame]]:
    county = read_county(CURRENT_SAMPLE_DIR)
    return county, county_recorded_crime(county)


def row(table: pd.DataFrame, district: str, group: str) -> pd.Series:
    hit = table[(table["district"] == district) & (table["offence_group"] == group)]
    assert len(hit) == 1
    return hit.iloc[0]


class TestTheSampleCounty:
    @pytest.mark.parametrize("district, code", [("Blaby", "E07000129"), ("Charnwood", "E07000130"),
                                                ("Melton", "E07000133"), ("Oadby and Wigston", "E07000135")])
    @pytest.mark.parametrize("group", [TOTAL, "Sexual offences", "Stalking and harassment", "Homicide",
                                       "Violence with injury"])
    def test_counts_and_rates_against_the_raw_files(self, sample, pops, district, code, group):
        _, tables = sample
        r = row(tables["recorded_crime"], district, group)
        count = raw_count(district, group)
        assert r["count"] == count
        assert r["rate_per_1000"] == pytest.approx(count / pops[code] * 1000)
        assert r["period"] == "year ending June 2025" and not r["count_shared"]

    @pytest.mark.parametrize("group", [TOTAL, "Sexual offences", "Homicide"])
    def test_england_and_wales_rate_is_every_csp_over_every_district_and_leaves_unassigned_out(self, sample, pops,
                                                                                                group):
        header, rows = raw_c2()
        i = header.index(group)
        csp = sum(int(r[i].strip().replace(",", "")) for r in rows if r[2].strip())
        unassigned = sum(int(r[i].strip().replace(",", "")) for r in rows
                         if r[3].strip().casefold().startswith("unassigned") and r[i].strip())
        assert unassigned > 0  # the table's Unassigned rows hold crimes, and they are in no area's rate
        rate = row(sample[1]["recorded_crime"], "Blaby", group)["england_wales_rate_per_1000"]
        assert rate == pytest.approx(csp / sum(pops.values()) * 1000)

    def test_standing_and_peers_are_named_and_consistent(self, sample):
        county, tables = sample
        rc, peers = tables["recorded_crime"], tables["recorded_crime_peers"]
        total = rc[rc["offence_group"] == TOTAL].set_index("district")
        assert list(total.index) == county.district_names
        n = total["areas_ranked"]
        # no tied rates among these districts' totals: the percentile is the share of the other areas below
        assert total["percentile_england_wales"].tolist() == pytest.approx(
            (100 * (n - total["rank_england_wales"]) / (n - 1)).tolist())
        for district, group in peers.groupby("district"):
            assert group["peer_rank"].tolist() == [1, 2, 3, 4, 5]
            assert group["distance"].is_monotonic_increasing
            assert district not in set(group["peer_name"])
            assert ";".join(group["peer_name"]) == total.loc[district, "peers"]
        assert set(RECORDED_CRIME_COLUMNS) <= set(rc.columns)


def write_county(tmp_path: Path, districts: str, c2: Path = C2) -> Path:
    (tmp_path / "recorded_crime").mkdir()
    shutil.copy(c2, tmp_path / "recorded_crime" / c2.name)
    (tmp_path / "county.toml").write_text(f'name = "Test"\n{districts}\n[recorded_crime]\nons_workbook = "{MYE}"\n',
                                          encoding="utf-8")
    return tmp_path


class TestEdgeRows:
    def test_a_district_in_a_combined_csp_shows_the_csps_count_and_rate(self, tmp_path, pops):
        folder = write_county(tmp_path, '[[districts]]\nname = "North Devon"\ncode = "E07000043"\npopulation = 99000\n'
                                        '[[districts]]\nname = "Torridge"\ncode = "E07000046"\npopulation = 69000\n')
        rc = county_recorded_crime(read_county(folder))["recorded_crime"]
        count = raw_count("North Devon", TOTAL)  # the CSP row says "Combined Local Authorities"
        for district in ("North Devon", "Torridge"):
            r = row(rc, district, TOTAL)
            assert r["count"] == count and r["count_shared"]
            area = pops["E07000043"] + pops["E07000046"]
            assert r["population"] == area and r["rate_per_1000"] == pytest.approx(count / area * 1000)
            assert "CSP area" in r["population_basis"]

    def test_x_stays_blank_never_zero(self, tmp_path):
        header, _ = raw_c2()
        text = C2.read_text(encoding="utf-8-sig")
        lines = text.split("\n")
        k = next(i for i, ln in enumerate(lines) if ",Blaby,E07000129,Blaby," in ln)
        cells = next(csv.reader([lines[k]]))
        cells[header.index("Homicide")] = "[x]"
        out = tmp_path / "c2.csv"
        lines[k] = ",".join(f'"{c}"' if "," in c else c for c in cells)
        out.write_text("\n".join(lines), encoding="utf-8")
        (tmp_path / "d").mkdir()
        folder = write_county(tmp_path / "d", '[[districts]]\nname = "Blaby"\ncode = "E07000129"\n'
                                              'population = 105278\n', c2=out)
        rc = county_recorded_crime(read_county(folder))["recorded_crime"]
        r = row(rc, "Blaby", "Homicide")
        assert pd.isna(r["count"]) and pd.isna(r["rate_per_1000"]) and pd.isna(r["percentile_england_wales"])
        other = row(rc, "Blaby", TOTAL)
        assert r["areas_ranked"] == other["areas_ranked"] - 1  # left out of the ranking, not ranked as 0

    def test_an_edition_a_year_earlier_gives_the_change(self, tmp_path):
        header, rows = raw_c2()
        text = C2.read_text(encoding="utf-8-sig")
        earlier = text.replace("year ending June 2025", "year ending June 2024", 1)
        blaby = raw_count("Blaby", TOTAL)
        old = f'"{blaby:,} "'
        assert earlier.count(old) == 1
        earlier = earlier.replace(old, '"6,000 "')
        folder = write_county(tmp_path, '[[districts]]\nname = "Blaby"\ncode = "E07000129"\npopulation = 105278\n')
        (folder / "recorded_crime" / "c2_2024.csv").write_text(earlier, encoding="utf-8")
        r = row(county_recorded_crime(read_county(folder))["recorded_crime"], "Blaby", TOTAL)
        assert (r["previous_period"], r["count_previous"]) == ("year ending June 2024", 6000)
        assert r["change_pct_previous_year"] == pytest.approx((blaby - 6000) / 6000 * 100)


def test_csa_score_writes_recorded_crime_csv(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA_DIR, data)
    (data / "recorded_crime").mkdir()
    shutil.copy(C2, data / "recorded_crime" / C2.name)
    out = tmp_path / "out"
    csa = Path(sys.executable).parent / "csa"
    done = subprocess.run([str(csa), "score", "--data", str(data), "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    rc = pd.read_csv(out / "tables" / "recorded_crime.csv")
    assert list(rc.columns[:6]) == ["district", "offence_group", "period", "count", "rate_per_1000",
                                    "england_wales_rate_per_1000"]
    assert len(rc) == 7 * 23
    charnwood = rc[(rc["district"] == "Charnwood") & (rc["offence_group"] == TOTAL)].iloc[0]
    assert charnwood["count"] == raw_count("Charnwood", TOTAL)
    assert charnwood["rate_per_1000"] == pytest.approx(raw_count("Charnwood", TOTAL) / 185851 * 1000)  # county.toml
    check = pd.read_csv(out / "tables" / "recorded_crime_check.csv")
    assert check.empty  # police.uk 2018-19 and the year ending June 2025 share no month: no comparison


class TestAPeerListOfTheCountysOwn:
    def test_a_declared_peer_list_replaces_the_computed_peers(self, tmp_path):
        folder = write_county(tmp_path, '[[districts]]\nname = "Blaby"\ncode = "E07000129"\npopulation = 105278\n'
                                        '[[districts]]\nname = "Melton"\npopulation = 53237\n')
        (folder / "peers.csv").write_text("district,peer\nBlaby,Charnwood\nBlaby,E07000131\nMelton,Rutland\n",
                                          encoding="utf-8")
        toml = (folder / "county.toml").read_text(encoding="utf-8")
        (folder / "county.toml").write_text(toml + 'peer_list = "peers.csv"\n', encoding="utf-8")
        county = read_county(folder)
        tables = county_recorded_crime(county)
        peers = tables["recorded_crime_peers"]
        assert peers[["district", "peer_rank", "peer_name"]].values.tolist() == [
            ["Blaby", 1, "Charnwood"], ["Blaby", 2, "Harborough"], ["Melton", 1, "Rutland"]]
        assert set(peers["method"]) == {"user-supplied"}
        blaby = row(tables["recorded_crime"], "Blaby", TOTAL)
        pooled = (raw_count("Charnwood", TOTAL) + raw_count("Harborough", TOTAL)) / (
            raw_populations()["E07000130"] + raw_populations()["E07000131"]) * 1000
        assert blaby["peers_rate_per_1000"] == pytest.approx(pooled)
        assert county.peer_list in county.input_files()

    def test_a_district_without_peers_is_refused(self, tmp_path):
        folder = write_county(tmp_path, '[[districts]]\nname = "Blaby"\ncode = "E07000129"\npopulation = 105278\n'
                                        '[[districts]]\nname = "Melton"\npopulation = 53237\n')
        (folder / "peers.csv").write_text("district,peer\nBlaby,Charnwood\n", encoding="utf-8")
        toml = (folder / "county.toml").read_text(encoding="utf-8")
        (folder / "county.toml").write_text(toml + 'peer_list = "peers.csv"\n', encoding="utf-8")
        with pytest.raises(InputError, match="no peer is listed for Melton"):
            county_recorded_crime(read_county(folder))
