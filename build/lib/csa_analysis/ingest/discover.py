"""Finding police.uk street files: a folder laid out as the site's download, the downloaded ``.zip``, or both.

:func:`discover_street_files` finds ``YYYY-MM/YYYY-MM-<force>-street.csv`` files for any number of forces,
following folder symlinks but never round a loop; :class:`StreetFile` reads one file's bytes, turning an
unreadable zip member (encrypted, Deflate64, damaged) into a message that names it.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from csa_analysis.errors import InputError, environment_failure

_STREET_NAME = re.compile(r"(?:^|/)(\d{4}-(?:0[1-9]|1[0-2]))-([a-z0-9-]+)-street\.csv$")
_OTHER_POLICE_UK = re.compile(r"-(outcomes|stop-and-search)\.csv$")


@dataclass(frozen=True)
class StreetFile:
    """One police.uk street file found on disk or in a zip.

    Attributes
    ----------
    label : str
        How messages name the file: a path, or ``archive.zip:member/path.csv``.
    month : str
        ``YYYY-MM`` from the file name.
    force : str
        Force slug from the file name, e.g. ``leicestershire``.
    path : Path
        The file on disk (the zip archive for members).
    member : str or None
        Member name inside a zip.
    """

    label: str
    month: str
    force: str
    path: Path
    member: str | None = None

    def read_bytes(self) -> bytes:
        """The file's bytes; a zip member that cannot be read (encrypted, an unsupported compression such as
        Deflate64, corrupt) is an :class:`InputError` naming it, an unreadable disk file an environment
        failure (exit code 3)."""
        try:
            if self.member is None:
                return self.path.read_bytes()
            with zipfile.ZipFile(self.path) as zf:
                return zf.read(self.member)
        except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required for extraction"
            raise InputError(f"cannot be read: the zip member is encrypted ({exc})", file=self.label,
                             expected="an unencrypted zip, as data.police.uk serves it") from None
        except NotImplementedError as exc:  # e.g. Deflate64, which Windows Explorer writes for large zips
            raise InputError(f"cannot be read: {exc} (the zip uses a compression method Python cannot read)",
                             file=self.label, expected="a zip stored or deflated, as data.police.uk serves it; "
                             "re-zip it with standard Deflate or unzip it into police_uk/") from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise InputError(f"cannot be read: the zip is damaged ({type(exc).__name__}: {exc})", file=self.label,
                             expected="a complete zip; download it again") from None
        except OSError as exc:
            if self.member is not None and exc.errno is None:
                raise InputError(f"cannot be read: the zip is damaged ({exc})", file=self.label,
                                 expected="a complete zip; download it again") from None
            raise environment_failure(exc, "cannot read this police.uk file") from None


# --------------------------------------------------------------------------------------------------
# Finding files


def discover_street_files(source: str | Path) -> list[StreetFile]:
    """Find the police.uk street files under a folder, in a ``.zip``, or both.

    Parameters
    ----------
    source : str or Path
        A folder laid out as the site's download (``YYYY-MM/YYYY-MM-<force>-street.csv``; zips inside it are
        opened too) or a downloaded ``.zip``.

    Returns
    -------
    list of StreetFile
        Sorted by month, then force, then label.

    Raises
    ------
    InputError
        The source does not exist, a zip cannot be opened, a ``.csv`` file is not named like a police.uk
        file, or no street file is found at all.
    """
    source = Path(source)
    found: list[StreetFile] = []
    if source.is_dir():
        for p in sorted(_walk(source)):
            if not p.is_file() or p.name.startswith("."):
                continue
            rel = p.relative_to(source).as_posix()
            if p.suffix.lower() == ".zip":
                found.extend(_zip_members(p, f"{source.name}/{rel}"))
            elif p.suffix.lower() == ".csv":
                m = _STREET_NAME.search(p.name)
                if m:
                    found.append(StreetFile(f"{source.name}/{rel}", m.group(1), m.group(2), p))
                elif not _OTHER_POLICE_UK.search(p.name):
                    raise InputError(
                        "is not named like a police.uk file", file=p,
                        expected="YYYY-MM-<force>-street.csv, as data.police.uk names its downloads",
                    )
    elif source.is_file() and source.suffix.lower() == ".zip":
        found.extend(_zip_members(source, source.name))
    elif source.exists():
        raise InputError("is neither a folder nor a .zip", file=source,
                         expected="the folder or .zip of police.uk downloads")
    else:
        raise InputError("not found", file=source,
                         expected="a folder or .zip of police.uk street files (police_uk in county.toml)")
    if not found:
        raise InputError(
            "holds no police.uk street files", file=source,
            expected="files named YYYY-MM/YYYY-MM-<force>-street.csv, or the download .zip holding them",
        )
    return sorted(found, key=lambda f: (f.month, f.force, f.label))


def _walk(source: Path) -> list[Path]:
    """Every file under ``source``, following folder symlinks but never into a folder already seen (a
    symlink loop, or two links to one month, is walked once)."""
    seen: set[tuple[int, int]] = set()
    found: list[Path] = []
    for folder, dirs, names in os.walk(source, followlinks=True):
        try:
            st = os.stat(folder)
        except OSError:
            dirs[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        found.extend(Path(folder) / n for n in names)
    return found


def _zip_members(path: Path, label: str) -> list[StreetFile]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"cannot be opened as a zip ({exc})", file=path,
                         expected="a .zip downloaded from data.police.uk") from None
    out = []
    for name in sorted(names):
        m = _STREET_NAME.search(name)
        if m:
            out.append(StreetFile(f"{label}:{name}", m.group(1), m.group(2), path, name))
    if not out:
        raise InputError("holds no police.uk street files", file=path,
                         expected="members named YYYY-MM/YYYY-MM-<force>-street.csv")
    return out


