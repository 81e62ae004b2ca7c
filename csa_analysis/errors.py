"""The one error type that means "your input is wrong": the CLI turns it into exit code 2."""

from __future__ import annotations

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
