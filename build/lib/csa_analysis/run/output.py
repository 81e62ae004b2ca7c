"""The output folder: what ``OUT`` may be, the lock that keeps runs apart, and the atomic swap into place.

``OUT`` is only ever a folder the workbench made (design.md section 5). :func:`check_out` refuses, before any
work, an ``OUT`` that is, contains or lies inside the data folder, the police.uk downloads or the cache; that is
or contains the current folder, the home folder or the filesystem root; that holds an input file; that is a
file; or that is a non-empty folder which is not a previous pack (recognised by its ``manifest.json``) or,
for ``csa score``, a previous folder of tables. A previous pack that holds files the workbench did not write
(an analyst's notes saved into it) is refused too: replacing it would delete them.

A run builds its output in a staging folder beside ``OUT`` and :func:`replace_dir` swaps it into place at the
end, with SIGINT and SIGTERM held back for the two renames, so an interrupted or killed run never leaves a
half-written pack over a good one. :func:`out_lock` keeps two runs out of one folder, on every platform
(``filelock``).
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import re
import shutil
import signal
import threading
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csa_analysis.errors import EnvironmentFailure, InputError, environment_failure

#: ``manifest.json`` ``generator`` of every pack this workbench writes.
GENERATOR = "csa-workbench"
#: Files a board pack may hold (relative paths; a manifest's own ``files`` list is used when it has one).
PACK_PATTERNS = ("manifest.json", "index.html", "county.html", "county.ipynb", "county.pdf", "board_pack.xlsx",
                 "districts/*.html", "districts/*.ipynb", "districts/*.pdf", "tables/*.csv", "data/*.parquet",
                 "data/*.json")
#: Longest file-name stem a district page gets (characters), before its ``.html``.
MAX_SLUG = 60
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}


@dataclass(frozen=True)
class OutFolder:
    """An output folder that passed :func:`check_out`.

    Attributes
    ----------
    path : Path
        Absolute, symlinks resolved.
    previous : dict or None
        The manifest of the pack already there; None when the folder is new, empty or holds only tables.
    """

    path: Path
    previous: dict[str, Any] | None = None


def _resolve(path: str | Path) -> Path:
    return Path(os.path.abspath(Path(path).expanduser())).resolve()


def _inside(child: Path, parent: Path) -> bool:
    """True when ``child`` is ``parent`` or lies inside it (both resolved)."""
    return child == parent or parent in child.parents


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of the pack in ``folder``, or None when there is no readable workbench manifest.

    A manifest is recognised by ``"generator": "csa-workbench"``, or (packs from before that field) by
    ``package_version``, ``quarter`` and ``reports`` together.
    """
    path = folder / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    if data.get("generator") == GENERATOR or {"package_version", "quarter", "reports"} <= set(data):
        return data
    return None


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def _foreign(files: Iterable[str], allowed: Sequence[str], patterns: Sequence[str]) -> list[str]:
    known = set(allowed)
    return [f for f in files if f not in known and not any(fnmatch.fnmatchcase(f, p) for p in patterns)]


def check_out(out: str | Path, *, tables_only: bool, data_dir: Path, police_uk: Path, cache_dir: Path,
              inputs: Iterable[Path] = ()) -> OutFolder:
    """Refuse an ``OUT`` the workbench must not write into; return it resolved, with any previous manifest.

    Parameters
    ----------
    out : str or Path
        ``--out``.
    tables_only : bool
        True for ``csa score`` (writes ``OUT/tables`` only), False for ``csa assess`` (the whole pack).
    data_dir, police_uk, cache_dir : Path
        The data folder, the police.uk downloads (folder or zip) and the processed-data cache: ``OUT`` may not
        be, contain or lie inside any of them.
    inputs : iterable of Path
        Every other input file read (county.toml, population, funding, register, reference tables): ``OUT``
        may not be or contain one.

    Raises
    ------
    InputError
        With the reason and what to choose instead (the command line's exit code 2).
    """
    path = _resolve(out)
    hint = "an empty or new folder, or a folder holding a previous board pack"

    def refuse(problem: str, expected: str = hint) -> InputError:
        return InputError(problem, file=out, where="--out", expected=expected)

    protected = [(label, _resolve(p)) for label, p in (("the data folder", data_dir),
                                                       ("the police.uk downloads", police_uk),
                                                       ("the processed-data cache", cache_dir))]
    places = [(label, _resolve(p)) for label, p in (("the filesystem root", Path(path.anchor)),
                                                    ("your home folder", Path.home()),
                                                    ("the current folder", Path.cwd()))]
    own = "a folder of its own for the board pack, e.g. reports/2024-25Q1"
    for label, p in protected + places:
        if path == p:
            raise refuse(f"is {label}" + (f" ({p})" if (label, p) in protected else ""),
                         hint if (label, p) in protected else own)
    for label, p in protected:
        if _inside(p, path):
            raise refuse(f"contains {label} ({p}): writing the pack there would replace it")
    for f in inputs:
        p = _resolve(f)
        if _inside(p, path):
            raise refuse(f"contains the input file {p}")
    for label, p in places:
        if _inside(p, path):
            raise refuse(f"contains {label} ({p})", own)
    for label, p in protected:
        if _inside(path, p):
            raise refuse(f"lies inside {label} ({p})", "a folder outside the data folder and the cache")
    if path.exists() and not path.is_dir():
        raise refuse("is a file, not a folder")
    if not path.exists():
        return OutFolder(path)
    try:
        files = _files(path)
    except OSError as exc:
        raise environment_failure(exc, "cannot read the output folder") from None
    if not files and not any(path.iterdir()):
        return OutFolder(path)
    manifest = read_manifest(path)
    if manifest is None:
        if tables_only and files and all(fnmatch.fnmatchcase(f, "tables/*.csv") for f in files):
            return OutFolder(path)  # the tables of an earlier ``csa score``
        shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
        raise refuse(f"is a folder that is not a board pack (it holds {shown or 'empty folders'})",
                     hint + " (recognised by its manifest.json)")
    listed = manifest.get("files")
    foreign = _foreign(files, listed if isinstance(listed, list) else (),
                       () if isinstance(listed, list) else PACK_PATTERNS)
    if tables_only:
        foreign = [f for f in foreign if not fnmatch.fnmatchcase(f, "tables/*.csv")]
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise refuse(f"holds files the workbench did not write ({shown}); replacing the pack would delete them",
                     "move those files out of the pack, or choose another --out")
    return OutFolder(path, manifest)


def check_cache(cache_dir: str | Path, data_dir: Path, police_uk: Path) -> Path:
    """Refuse a processed-data cache that is, lies inside or contains the data folder or the downloads:
    raw data is only ever read, and nothing is written among it. Returns the cache folder resolved."""
    cache = _resolve(cache_dir)
    for label, p in (("the data folder", _resolve(data_dir)), ("the police.uk downloads", _resolve(police_uk))):
        if _inside(cache, p) or _inside(p, cache):
            raise InputError(f"{'is' if cache == p else 'overlaps'} {label} ({p})", file=cache_dir,
                             where="--cache (or $CSA_CACHE_DIR)",
                             expected="a folder of its own, outside the data folder (default data/processed)")
    return cache


# --------------------------------------------------------------------------------------------------
# Lock, staging, swap


@contextlib.contextmanager
def out_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``OUT`` for the run; refuse (InputError) while another run holds it.

    The lock file ``.<name>.lock`` sits beside ``OUT``; :mod:`filelock` makes it work on Windows too.
    """
    from filelock import FileLock, Timeout

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise environment_failure(exc, "cannot create the folder for the output") from None
    lock = FileLock(str(out.parent / f".{out.name}.lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise InputError("another csa run is writing this folder", file=out,
                         expected="one run at a time per output folder; wait for it to finish") from None
    except OSError as exc:
        raise environment_failure(exc, "cannot lock the output folder") from None
    try:
        yield
    finally:
        lock.release()


def remove_stale(out: Path) -> None:
    """Remove staging and old folders a killed run left beside ``OUT`` (call only while holding the lock)."""
    for pattern in (f".{out.name}.tmp-*", f".{out.name}.old-*"):
        for leftover in out.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back (POSIX, main thread) until the block ends; they are delivered after it."""
    blockable = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    if blockable:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        if blockable:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


def replace_dir(new: Path, target: Path) -> None:
    """Put the finished ``new`` folder at ``target``; the old one is removed only after the swap.

    The two renames happen with SIGINT and SIGTERM held back, so ``target`` is never left missing.
    """
    old = None
    with signals_held():
        if target.exists():
            old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
            target.rename(old)
        new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def check_writable(folder: Path) -> None:
    """Raise :class:`EnvironmentFailure` when ``folder`` cannot be created or written (before any work)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".csa-write-test-{uuid.uuid4().hex[:8]}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise environment_failure(exc, "cannot write here") from None


# --------------------------------------------------------------------------------------------------
# File names of district pages


def slug(name: str) -> str:
    """A readable file-name stem for a district: lower case, accents dropped, words joined by ``-``.

    Letters of any script are kept (``"Ynys Môn"`` -> ``"ynys-mon"``, not ``"ynys-m-n"``); the stem is at
    most :data:`MAX_SLUG` characters, cut between words. Uniqueness across a county is
    :func:`district_slugs`'s job.

    Examples
    --------
    >>> slug("Hinckley and Bosworth")
    'hinckley-and-bosworth'
    >>> slug("Ynys Môn")
    'ynys-mon'
    >>> slug("Brook & Fenton"), slug("St Greyston's")
    ('brook-fenton', 'st-greyston-s')
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[\W_]+", "-", text).strip("-")
    if len(text) > MAX_SLUG:
        cut = text[:MAX_SLUG]
        text = (cut.rsplit("-", 1)[0] if "-" in cut else cut).strip("-")
    if not text:
        return "district"
    return text + "-district" if text in _WINDOWS_RESERVED else text


def district_slugs(names: Sequence[str]) -> dict[str, str]:
    """A unique, bounded, readable file-name stem per district name.

    Names whose :func:`slug` collides with another's (``"Craven"`` and ``"Craven."``), or was cut to
    :data:`MAX_SLUG`, get a short hash of the full name appended, so every page has its own file and the
    same name always gets the same file.

    Examples
    --------
    >>> s = district_slugs(["Craven", "Craven.", "Melton"])
    >>> s["Melton"], s["Craven"] != s["Craven."], s["Craven"].startswith("craven-")
    ('melton', True, True)
    """
    first = {n: slug(n) for n in names}
    counts: dict[str, int] = {}
    for s in first.values():
        counts[s] = counts.get(s, 0) + 1
    out = {}
    for n, s in first.items():
        long = len(re.sub(r"[\W_]+", "-", unicodedata.normalize("NFKD", n).casefold()).strip("-")) > MAX_SLUG
        if counts[s] > 1 or long:
            s = f"{s[:MAX_SLUG]}-{hashlib.blake2s(n.encode('utf-8'), digest_size=3).hexdigest()}"
        out[n] = s
    if len(set(out.values())) != len(out):  # two names differing only in what a slug drops, hashing alike
        raise InputError("two district names give the same file name", where="county.toml [[districts]]",
                         expected="district names that differ in more than punctuation")
    return out


__all__ = ["GENERATOR", "OutFolder", "check_cache", "check_out", "check_writable", "district_slugs", "out_lock",
           "read_manifest", "remove_stale", "replace_dir", "signals_held", "slug", "EnvironmentFailure"]
