"""De-duplicating police.uk Crime IDs at national scale, month by month, exactly.

A national year holds over four million Crime IDs (64 hexadecimal characters each). Hashing every ID
seen so far again for every new month, as a naive ``is_in`` does, costs more than parsing the files. Here
each ID is reduced once to a 64-bit key (:func:`id_keys`, vectorised over the Arrow buffers); the keys
seen so far stay sorted, so a month is probed with one binary search. Keys only *propose* repeats: every
proposed repeat is confirmed by comparing the full ID strings, so a key collision can never drop a crime.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio: spreads bits under multiplication


def id_keys(ids: pa.Array) -> np.ndarray:
    """A 64-bit key for each string of ``ids`` (equal strings get equal keys).

    Parameters
    ----------
    ids : pyarrow.Array
        ``string`` or ``large_string`` values (the keys of null slots are meaningless).

    Returns
    -------
    numpy.ndarray
        ``uint64``, one per value. Different strings *usually* get different keys; callers confirm equality
        on the strings themselves.
    """
    n = len(ids)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    offset_type = np.int64 if pa.types.is_large_string(ids.type) else np.int32
    offsets = np.frombuffer(ids.buffers()[1], dtype=offset_type)[ids.offset: ids.offset + n + 1].astype(np.int64)
    data = np.frombuffer(ids.buffers()[2], dtype=np.uint8) if ids.buffers()[2] is not None else np.zeros(0, np.uint8)
    lengths = np.diff(offsets)
    width = int(lengths.max())
    padded = -(-max(width, 1) // 8) * 8
    filled = lengths > 0
    if width == padded and (lengths[filled] == width).all():
        # The usual case (64-character IDs, empty where missing): the bytes of the non-empty values lie
        # back to back, so they already form a matrix with one row per value.
        words = data[offsets[0]: offsets[-1]].reshape(-1, width).view(np.uint64)
        key = np.zeros(n, dtype=np.uint64)
        key[filled] = _mix(words, np.full(len(words), width, dtype=np.uint64))
        return key
    matrix = np.zeros((n, padded), dtype=np.uint8)
    rows = np.repeat(np.arange(n), lengths)
    cols = np.arange(int(lengths.sum())) - np.repeat(offsets[:-1] - offsets[0], lengths)
    matrix[rows, cols] = data[offsets[0]: offsets[-1]]
    return _mix(matrix.view(np.uint64), lengths.astype(np.uint64))


def _mix(words: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Fold each row's 64-bit words, up to its own length in bytes, and that length into one key.

    A row's key never depends on the other rows (how wide the matrix is padded).
    """
    key = lengths * _MULTIPLIER
    for j in range(words.shape[1]):
        mixed = (key ^ words[:, j]) * _MULTIPLIER
        mixed ^= mixed >> np.uint64(29)
        if j * 8 < lengths.min():
            key = mixed
        else:
            key = np.where(lengths > j * 8, mixed, key)
    return key


def _runs(sorted_keys: np.ndarray) -> np.ndarray:
    """Mask of the positions of ``sorted_keys`` whose key occurs more than once."""
    same = sorted_keys[1:] == sorted_keys[:-1]
    mask = np.zeros(len(sorted_keys), dtype=bool)
    mask[1:] |= same
    mask[:-1] |= same
    return mask


class CrimeIdIndex:
    """The Crime IDs kept so far, and the test of each new month's IDs against them.

    Parameters
    ----------
    key : callable, optional
        Maps a string array to ``uint64`` keys; default :func:`id_keys`. Tests pass a coarse key to force
        collisions and check that equality is always confirmed on the strings.
    """

    def __init__(self, key: Callable[[pa.Array], np.ndarray] = id_keys) -> None:
        self._key = key
        self._keys = np.zeros(0, dtype=np.uint64)  # keys of every kept ID, sorted: "seen before?"
        self._months: list[tuple[np.ndarray, np.ndarray]] = []  # per call: sorted keys, positions in _store
        self._store: list[pa.Array] = []  # every chunk given, in order
        self._stored = 0

    def __len__(self) -> int:
        """Number of distinct Crime IDs held."""
        return len(self._keys)

    def keep(self, ids: pa.Array | pa.ChunkedArray) -> np.ndarray:
        """Which rows of a month's Crime IDs to keep, remembering the kept IDs for later months.

        Parameters
        ----------
        ids : pyarrow.Array or pyarrow.ChunkedArray
            The month's ``crime_id`` values in row order (string; null where a row has none).

        Returns
        -------
        numpy.ndarray
            bool, one per row: True for a row with no Crime ID, and for the first row of each Crime ID
            that no earlier call kept; False for every repeat.
        """
        chunks = ids.chunks if isinstance(ids, pa.ChunkedArray) else [ids]
        ids = pa.chunked_array(chunks, type=ids.type)
        n = len(ids)
        keep = np.ones(n, dtype=bool)
        if n == 0 or ids.null_count == n:
            return keep
        rows = np.flatnonzero(ids.is_valid().to_numpy()) if ids.null_count else np.arange(n)
        keys = np.concatenate([self._key(chunk) for chunk in chunks])[rows]
        order = np.argsort(keys)  # order among equal keys does not matter: the strings decide
        keys = keys[order]
        ok = np.ones(len(rows), dtype=bool)  # per row with an ID, in key order
        crowded = _runs(keys)
        if crowded.any():
            # Keys shared within the month: keep the first row of each distinct *string*.
            at = np.flatnonzero(crowded)
            candidates = pa.table({"id": ids.take(pa.array(rows[order[at]])), "row": pa.array(order[at])})
            first = candidates.group_by("id", use_threads=False).aggregate([("row", "min")])["row_min"]
            first_at = np.zeros(len(rows), dtype=bool)
            first_at[first.to_numpy()] = True
            ok[at] = first_at[order[at]]
        at = np.searchsorted(self._keys, keys)
        if len(self._keys):
            hit = np.flatnonzero(self._keys[np.minimum(at, len(self._keys) - 1)] == keys)
            if len(hit):
                # Keys kept in earlier months: compare the strings with every earlier ID of the same key.
                same = pc.is_in(ids.take(pa.array(rows[order[hit]])), value_set=self._earlier(keys[hit]))
                ok[hit[same.to_numpy(zero_copy_only=False)]] = False
        keep[rows[order]] = ok
        self._keys = np.insert(self._keys, at[ok], keys[ok])
        self._months.append((keys[ok], rows[order[ok]] + self._stored))
        self._store.extend(chunks)
        self._stored += n
        return keep

    def _earlier(self, keys: np.ndarray) -> pa.Array:
        """Every kept ID whose key is one of ``keys`` (sorted)."""
        where = []
        for month_keys, positions in self._months:
            lo = np.searchsorted(month_keys, keys, side="left")
            span = np.searchsorted(month_keys, keys, side="right") - lo
            where.append(positions[np.repeat(lo - np.cumsum(span) + span, span) + np.arange(int(span.sum()))])
        return pa.chunked_array(self._store).take(pa.array(np.concatenate(where))).combine_chunks()
