"""The two error types the command line maps to exit codes: bad input (2) and a failing environment (3)."""

from __future__ import annotations

import errno
from pathlib import Path


class InputError(Exception):
    """Bad input: names the file, the place in it and what was expected.

    Parameters
    ----------
    problem : str
        What is wrong, in plain words.
    file : str or Path, optional
        The file at fault.
    where : str, optional
        The row, column, key or sheet at fault, e.g. ``"row 12, column 'Month'"``.
    expected : str, optional
        What the workbench expected to find instead.

    Examples
    --------
    >>> print(InputError("population is -5", file="county.toml", where="[[districts]] 2",
    ...                  expected="a whole number of residents above 0"))
    county.toml: [[districts]] 2: population is -5 (expected a whole number of residents above 0)
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        where: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = str(file) if file is not None else None
        self.where = where
        self.expected = expected
        super().__init__(self._text())

    def _text(self) -> str:
        parts = [p for p in (self.file, self.where) if p]
        text = ": ".join([*parts, self.problem])
        if self.expected:
            text += f" (expected {self.expected})"
        return text


class EnvironmentFailure(Exception):
    """The machine, not the input, stopped the run: disk full, permission denied, a read-only or unusable folder.

    The command line turns it into exit code 3, with one line naming the path and what to do.

    Parameters
    ----------
    problem : str
        What went wrong, in plain words.
    path : str or Path, optional
        The file or folder concerned.
    advice : str, optional
        What the user can do about it.

    Examples
    --------
    >>> print(EnvironmentFailure("no space left on the device", path="/srv/packs/latest",
    ...                          advice="free some space or choose another --out"))
    /srv/packs/latest: no space left on the device (free some space or choose another --out)
    """

    def __init__(self, problem: str, *, path: str | Path | None = None, advice: str | None = None) -> None:
        self.problem = problem
        self.path = str(path) if path is not None else None
        self.advice = advice
        text = f"{self.path}: {problem}" if self.path else problem
        super().__init__(f"{text} ({advice})" if advice else text)


#: errno values meaning "the machine is full or refuses to write", with the words a user reads.
_OS_PROBLEMS = {
    errno.ENOSPC: ("no space left on the device", "free some space, or choose another folder"),
    errno.EDQUOT: ("the disk quota is exceeded", "free some space, or choose another folder"),
    errno.EACCES: ("permission denied", "check the folder's permissions, or choose another folder"),
    errno.EPERM: ("operation not permitted", "check the folder's permissions, or choose another folder"),
    errno.EROFS: ("the file system is read-only", "choose a folder on a writable disk"),
    errno.ENOTDIR: ("a file stands where a folder is needed", "remove the file, or choose another folder"),
    errno.EISDIR: ("a folder stands where a file is needed", "remove the folder, or choose another path"),
    errno.ENAMETOOLONG: ("the path is too long", "choose a shorter path"),
    errno.EMFILE: ("too many open files", "raise the open-file limit (ulimit -n), or use fewer --jobs"),
    errno.ENOMEM: ("out of memory", "close other programs, or use fewer --jobs"),
}


def environment_failure(exc: OSError, what: str = "", advice: str | None = None) -> EnvironmentFailure:
    """An :class:`EnvironmentFailure` describing an ``OSError`` in plain words (path, problem, advice).

    Examples
    --------
    >>> import errno
    >>> print(environment_failure(OSError(errno.ENOSPC, "No space left on device", "/tmp/out/x.csv")))
    /tmp/out/x.csv: no space left on the device (free some space, or choose another folder)
    """
    problem, usual = _OS_PROBLEMS.get(exc.errno, (exc.strerror or str(exc) or type(exc).__name__, None))
    advice = advice or usual
    if what:
        problem = f"{what}: {problem}"
    path = exc.filename if exc.filename is not None else None
    return EnvironmentFailure(problem, path=path, advice=advice)


#: errno values that mean the machine failed (exit code 3) rather than a report.
ENVIRONMENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS,
                                errno.EMFILE, errno.ENOMEM})
