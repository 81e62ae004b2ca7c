"""Crime-ID de-duplication at scale: 64-bit keys propose repeats, the strings decide."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from csa_analysis.ingest.crime_ids import CrimeIdIndex, id_keys


def police_id(i: int) -> str:
    """A Crime ID shaped like police.uk's (64 hexadecimal characters)."""
    return hashlib.sha256(str(i).encode()).hexdigest()


def reference_keep(months: list[list[str | None]]) -> np.ndarray:
    """The rule, stated plainly: a row is kept if it has no ID or is the first row with its ID."""
    flat = pd.Series([i for month in months for i in month], dtype="object")
    return (flat.isna() | ~flat.duplicated(keep="first")).to_numpy()


def run(months: list[list[str | None]], **kwargs) -> np.ndarray:
    index = CrimeIdIndex(**kwargs)
    return np.concatenate([index.keep(pa.array(m, pa.string())) for m in months]) if months else np.zeros(0, bool)


def test_equal_ids_get_equal_keys_whatever_the_array_offset_or_length():
    ids = [police_id(i) for i in range(50)] + ["short", "x" * 70, "short"]
    whole = id_keys(pa.array(ids))
    sliced = id_keys(pa.array(ids)[10:])
    assert (whole[10:] == sliced).all()
    assert whole[-1] == whole[-3]
    assert len(set(whole.tolist())) == len(set(ids))


def test_keys_are_computed_for_rows_with_an_id_when_others_are_missing():
    ids = pa.array([police_id(1), None, police_id(2), None, police_id(1)])
    keys = id_keys(ids)
    assert keys[0] == keys[4] and keys[0] != keys[2]


def test_a_repeat_within_a_month_and_in_a_later_month_is_dropped_and_blanks_are_kept():
    a, b, c = police_id(1), police_id(2), police_id(3)
    keep = run([[a, None, a, b, None], [c, b, None, a], [a]])
    assert keep.tolist() == [True, True, False, True, True, True, False, True, False, False]


def test_index_holds_each_distinct_id_once():
    index = CrimeIdIndex()
    index.keep(pa.array([police_id(i % 7) for i in range(30)]))
    index.keep(pa.array([police_id(i) for i in range(5, 12)]))
    assert len(index) == 12


def test_chunked_months_give_the_same_answer_as_whole_ones():
    ids = [police_id(i % 40) if i % 3 else None for i in range(200)]
    whole = CrimeIdIndex().keep(pa.array(ids, pa.string()))
    chunked = CrimeIdIndex().keep(pa.chunked_array([pa.array(ids[:77], pa.string()),
                                                    pa.array(ids[77:], pa.string())]))
    assert (whole == chunked).all()


def _colliding(ids: pa.Array) -> np.ndarray:
    """A deliberately terrible key: every ID collides with every other of its first character."""
    return np.array([ord(s[0]) if s else 0 for s in ids.to_pylist()], dtype=np.uint64)


months_strategy = st.lists(
    st.lists(st.one_of(st.none(), st.sampled_from(["a1", "a2", "b1", "b2", "c", "a1a1a1a1a1", police_id(0)])),
             max_size=25),
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(months=months_strategy)
def test_deduplication_matches_the_plain_rule_even_when_every_key_collides(months):
    expected = reference_keep(months)
    assert (run(months) == expected).all()
    assert (run(months, key=_colliding) == expected).all()
    assert (run(months, key=lambda ids: np.zeros(len(ids), np.uint64)) == expected).all()


def test_a_national_sized_month_keeps_every_distinct_id():
    ids = [police_id(i) for i in range(60_000)]
    index = CrimeIdIndex()
    first = index.keep(pa.array(ids[:40_000]))
    second = index.keep(pa.array(ids[30_000:] + [None] * 10))
    assert first.all()
    assert (~second[:10_000]).all() and second[10_000:].all()
    assert len(index) == 60_000
