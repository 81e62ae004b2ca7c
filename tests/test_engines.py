"""The Dask engine counts exactly what the pandas engine counts, on a real LocalCluster."""

from __future__ import annotations

import pandas as pd
import pytest

from csa_analysis.config.county import read_county
from csa_analysis.ingest.counts import dask_monthly_counts, load_dataset, monthly_counts

from datafactory import SAMPLE_DIR, count_with_csv

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as c:
        yield c


def test_dask_counts_on_a_local_cluster_equal_pandas_counts(client):
    county = read_county(SAMPLE_DIR)
    dataset = load_dataset(county)
    expected = monthly_counts(dataset.records, county)
    counts, account, quality = dask_monthly_counts(county)
    pd.testing.assert_frame_equal(counts, expected)
    assert quality == dataset.quality  # one placing of the grouped names, whoever grouped them
    assert account["rows_read"] == 42_855
    assert client.run(lambda: 1)  # the work ran on the cluster's workers


def test_monthly_counts_sum_to_the_rows_placed_in_each_district():
    county = read_county(SAMPLE_DIR)
    counts = monthly_counts(load_dataset(county).records, county)
    per_district = counts.groupby("district", observed=True)["count"].sum().to_dict()
    independent = count_with_csv(SAMPLE_DIR / "police_uk")
    assert per_district == {d: independent[d] for d in county.district_names}


def test_csa_score_on_dask_writes_the_same_tables_as_arrow(tmp_path):
    from csa_analysis.cli import main

    a, b = tmp_path / "arrow", tmp_path / "dask"
    assert main(["score", "--data", str(SAMPLE_DIR), "--out", str(a), "--quiet"]) == 0
    assert main(["score", "--data", str(SAMPLE_DIR), "--out", str(b), "--quiet", "--engine", "dask",
                 "--cache", str(tmp_path / "other-cache")]) == 0
    for name in ("issue_scores", "county_priorities", "cost_per_area", "monthly"):
        assert (a / "tables" / f"{name}.csv").read_text() == (b / "tables" / f"{name}.csv").read_text(), name


def test_csa_assess_runs_reports_as_tasks_on_a_local_dask_cluster(tmp_path, client):
    import json

    from csa_analysis.run.boardpack import assess

    out = tmp_path / "pack"
    assert assess(SAMPLE_DIR, out=out, districts=["Melton"], progress=False, client=client) == 0
    reports = json.loads((out / "manifest.json").read_text())["reports"]
    assert [r["status"] for r in reports] == ["ok", "ok"]
    assert "Strategic assessment: Melton" in (out / "districts" / "melton.html").read_text()


def test_arrow_counts_fold_aliases_and_agree_with_the_pandas_engine_and_the_quality_account(tmp_path):
    from csa_analysis.ingest.counts import arrow_monthly_counts

    from datafactory import county_toml, make_data_dir, pick, sample_lines

    october = sample_lines("2018-10")
    hinckley = pick(october, where=lambda r: r["LSOA name"].startswith("Hinckley and Bosworth "), n=3)
    hinckley[0] = hinckley[0].replace("Hinckley and Bosworth ", "Hinckley & Bosworth ")  # an alias
    leicester = pick(october, where=lambda r: r["LSOA name"].startswith("Leicester "), n=2)  # out of area
    nowhere = pick(october, where=lambda r: r["LSOA name"] == "", n=2)  # unallocated
    charnwood = pick(october, where=lambda r: r["LSOA name"].startswith("Charnwood "), n=4)
    county = read_county(make_data_dir(tmp_path / "data", {"2018-10": hinckley + leicester + nowhere + charnwood},
                                       county_toml("Charnwood", "Hinckley and Bosworth")))
    dataset = load_dataset(county, cache_dir=tmp_path / "cache")
    counts, _account, quality = arrow_monthly_counts(county, cache_dir=tmp_path / "cache")
    pd.testing.assert_frame_equal(counts, monthly_counts(dataset.records, county))
    assert quality == dataset.quality
    assert quality["districts"] == {"Charnwood": 4, "Hinckley and Bosworth": 3}
    assert (quality["unallocated"], quality["out_of_area_by_area"]) == (2, {"Leicester": 2})


# --------------------------------------------------------------------------------------------------------------
# A small national set (generated police.uk files of several forces) on a multi-process LocalCluster


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """Three forces, six real districts of England and Wales, four months: a national run in miniature."""
    from benchmarks.generate import Scale, generate

    return generate(tmp_path_factory.mktemp("national"),
                    Scale(forces=3, districts=6, lsoas_per_district=5, months=4, records_per_month=3_000))


def test_a_small_national_set_on_the_dask_engine_gives_the_default_engines_tables(tmp_path, national, client):
    """Every table of ``csa assess`` on a 2-process LocalCluster (counting as Dask tasks on the workers,
    reports as tasks there too) equals the default engine's, byte for byte; every report is produced."""
    import json

    from distributed import get_task_stream

    from csa_analysis.run.boardpack import assess

    districts = read_county(national).district_names
    chosen = [districts[-1]]  # one district's report and the roll-up (a report costs seconds: not all six)
    arrow, dask = tmp_path / "arrow", tmp_path / "dask"
    assert assess(national, out=arrow, districts=chosen, progress=False, cache_dir=tmp_path / "c1") == 0
    with get_task_stream(client) as tasks:
        assert assess(national, out=dask, districts=chosen, progress=False, cache_dir=tmp_path / "c2",
                      client=client) == 0
    workers = {t["worker"] for t in tasks.data}
    names = {t["key"][0] if isinstance(t["key"], tuple) else t["key"] for t in tasks.data}
    assert len(workers) == 2, "both worker processes took part"
    assert any("read_parquet" in str(n) or "groupby" in str(n) for n in names), names  # the counting
    assert any("_report_task" in str(n) for n in names), names  # the reports
    tables = sorted(p.name for p in (arrow / "tables").glob("*.csv"))
    assert tables == sorted(p.name for p in (dask / "tables").glob("*.csv")) and "issue_scores.csv" in tables
    for name in tables:
        assert (arrow / "tables" / name).read_bytes() == (dask / "tables" / name).read_bytes(), name
    for pack in (arrow, dask):
        reports = json.loads((pack / "manifest.json").read_text())["reports"]
        assert [r["status"] for r in reports] == ["ok"] * 2
    issue_scores = pd.read_csv(dask / "tables" / "issue_scores.csv")
    assert set(issue_scores["district"]) == set(districts) and issue_scores["count"].sum() > 0
