"""A ``csa score`` re-run with nothing changed copies the CSV tables kept with the scored cache entry into OUT
instead of writing them again (issue 17), and OUT and the cache stay independent of each other."""

from __future__ import annotations

from pathlib import Path

import pytest

from csa_analysis.cli import main
from csa_analysis.method.score import Scored
from csa_analysis.run import pipeline

from datafactory import SAMPLE_DIR, tree_hashes

ARGS = ("--data", str(SAMPLE_DIR), "--quarter", "2018-19Q3", "--quiet")


def score(out: Path, cache: Path) -> None:
    assert main(["score", *ARGS, "--out", str(out), "--cache", str(cache)]) == 0


def entry_of(cache: Path) -> Path:
    (entry,) = [p for p in (cache / "scored").iterdir() if not p.name.startswith(".")]
    return entry


def test_a_cached_rerun_leaves_outs_tables_identical_and_does_not_write_them_again(tmp_path, monkeypatch):
    out, cache = tmp_path / "out", tmp_path / "cache"
    score(out, cache)
    first = tree_hashes(out)
    entry = entry_of(cache)
    assert sorted(p.name for p in (entry / "tables").iterdir()) == sorted(p.name for p in (out / "tables").iterdir())

    def no_writing(*_args, **_kwargs):
        raise AssertionError("the tables were written again")

    def no_reading(*_args, **_kwargs):
        raise AssertionError("the scored tables were read although only copied")

    monkeypatch.setattr(pipeline, "write_tables", no_writing)
    monkeypatch.setattr("pandas.read_parquet", no_reading)
    score(out, cache)
    assert tree_hashes(out) == first


def test_outs_tables_are_copies_so_editing_them_leaves_the_cache_entry_sound(tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    score(out, cache)
    score(out, cache)
    entry = entry_of(cache)
    for csv in (out / "tables").iterdir():
        assert csv.stat().st_nlink == 1
        assert csv.stat().st_ino != (entry / "tables" / csv.name).stat().st_ino
    first = (out / "tables" / "issue_scores.csv").read_bytes()
    with open(out / "tables" / "issue_scores.csv", "r+b") as fh:  # edited in place, as a spreadsheet might
        fh.write(b"edited")
    assert Scored.load(entry, tables=False) is not None
    score(out, cache)
    assert (out / "tables" / "issue_scores.csv").read_bytes() == first


@pytest.mark.parametrize("damage", ["edited", "removed"])
def test_a_damaged_kept_csv_is_noticed_and_the_tables_scored_again(tmp_path, damage):
    out, cache = tmp_path / "out", tmp_path / "cache"
    score(out, cache)
    good = tree_hashes(out)
    victim = entry_of(cache) / "tables" / "rag.csv"
    if damage == "edited":
        victim.write_bytes(victim.read_bytes().replace(b",", b";", 1))
    else:
        victim.unlink()
    assert Scored.load(entry_of(cache), tables=False) is None
    score(out, cache)
    assert tree_hashes(out) == good


def test_an_entry_saved_without_csv_gets_them_on_the_next_csa_score(tmp_path, monkeypatch):
    out, cache = tmp_path / "out", tmp_path / "cache"
    score(out, cache)
    good = tree_hashes(out)
    entry = entry_of(cache)
    saved = Scored.load(entry)
    assert saved is not None
    # as csa assess or a notebook leaves it: the scored tables without their CSVs
    pipeline._store(saved, entry)
    assert not (entry / "tables").exists()
    score(out, cache)  # reused, and its CSVs kept now
    assert tree_hashes(out) == good
    assert (entry / "tables").is_dir()
    monkeypatch.setattr(pipeline, "write_tables", lambda *_a, **_k: pytest.fail("written again"))
    score(out, cache)
    assert tree_hashes(out) == good
