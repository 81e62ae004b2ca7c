"""Financial quarters (April to March years): ``2024-25Q1`` is April to June 2024.

Quarters are the reporting periods of every table. A month is written ``YYYY-MM`` as in police.uk files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from csa_analysis.errors import InputError

_QUARTER_RE = re.compile(r"^(\d{4})-(\d{2})Q([1-4])$")
_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True)
class Quarter:
    """A financial quarter.

    Parameters
    ----------
    year : int
        Calendar year in which the financial year starts (2024 for 2024-25).
    q : int
        Quarter number 1-4; Q1 = April-June, Q2 = July-September, Q3 = October-December,
        Q4 = January-March of the following calendar year.

    Examples
    --------
    >>> Quarter.parse("2018-19Q3").months()
    ['2018-10', '2018-11', '2018-12']
    >>> str(Quarter.parse("2018-19Q1").previous())
    '2017-18Q4'
    >>> str(Quarter.from_month("2019-02"))
    '2018-19Q4'
    """

    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Parse ``YYYY-YYQn``; raise :class:`InputError` with the accepted form otherwise."""
        m = _QUARTER_RE.match(str(text).strip())
        if not m:
            raise InputError(
                f"quarter {text!r} is not a financial quarter",
                where="--quarter",
                expected="the form YYYY-YYQn, e.g. 2024-25Q1 for April to June 2024",
            )
        year, yy, q = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if (year + 1) % 100 != yy:
            raise InputError(
                f"quarter {text!r} names the financial year {year}-{yy:02d}, which does not exist",
                where="--quarter",
                expected=f"{year}-{(year + 1) % 100:02d}Q{q}",
            )
        return cls(year, q)

    @classmethod
    def from_month(cls, month: str) -> Quarter:
        """The quarter containing a ``YYYY-MM`` month."""
        y, m = parse_month(month)
        if m >= 4:
            return cls(y, (m - 4) // 3 + 1)
        return cls(y - 1, 4)

    def months(self) -> list[str]:
        """The three ``YYYY-MM`` months of the quarter, in order."""
        first = 4 + 3 * (self.q - 1)
        out = []
        for k in range(3):
            m = first + k
            y = self.year + (m - 1) // 12
            out.append(f"{y:04d}-{(m - 1) % 12 + 1:02d}")
        return out

    def previous(self) -> Quarter:
        """The quarter before."""
        return Quarter(self.year, self.q - 1) if self.q > 1 else Quarter(self.year - 1, 4)

    def last_year(self) -> Quarter:
        """The same quarter a year before."""
        return Quarter(self.year - 1, self.q)

    def label(self) -> str:
        """Human label, e.g. ``'October to December 2018 (2018-19 Q3)'``."""
        ms = self.months()
        first = pd.Timestamp(ms[0] + "-01").strftime("%B")
        last = pd.Timestamp(ms[-1] + "-01").strftime("%B %Y")
        return f"{first} to {last} ({self.year}-{(self.year + 1) % 100:02d} Q{self.q})"

    def __str__(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}Q{self.q}"


def parse_month(month: str) -> tuple[int, int]:
    """Split ``YYYY-MM`` into (year, month); raise :class:`InputError` otherwise."""
    m = _MONTH_RE.match(str(month))
    if not m:
        raise InputError(f"month {month!r} is not a month", expected="YYYY-MM, e.g. 2018-10")
    return int(m.group(1)), int(m.group(2))


def quarter_of_months(months: pd.Series) -> pd.Series:
    """Vectorised: the financial quarter label (``'2018-19Q3'``) of each ``YYYY-MM`` month.

    Parameters
    ----------
    months : Series of str
        ``YYYY-MM`` strings.

    Returns
    -------
    Series of str
        Quarter labels, same index.
    """
    y = months.str.slice(0, 4).astype("int64")
    m = months.str.slice(5, 7).astype("int64")
    fy = y.where(m >= 4, y - 1)
    q = ((m - 4) % 12) // 3 + 1
    return fy.astype(str) + "-" + ((fy + 1) % 100).map("{:02d}".format) + "Q" + q.astype(str)


def complete_quarters(months: Iterable[str]) -> list[Quarter]:
    """The quarters whose three months are all in ``months``, oldest first."""
    have = set(months)
    quarters = {Quarter.from_month(m) for m in have}
    return sorted(q for q in quarters if all(m in have for m in q.months()))


def latest_complete_quarter(months: Iterable[str]) -> Quarter:
    """The latest quarter with all three months present; :class:`InputError` if there is none."""
    months = sorted(set(months))
    done = complete_quarters(months)
    if not done:
        raise InputError(
            "the data hold no complete financial quarter "
            f"(months present: {', '.join(months) or 'none'})",
            where="--quarter",
            expected="three consecutive months April-June, July-September, October-December or "
            "January-March",
        )
    return done[-1]


def check_quarter_in_data(quarter: Quarter, months: Iterable[str]) -> None:
    """Raise :class:`InputError` when some month of ``quarter`` is missing from the data."""
    have = set(months)
    missing = [m for m in quarter.months() if m not in have]
    if missing:
        span = f"{min(have)} to {max(have)}" if have else "no months"
        raise InputError(
            f"quarter {quarter} needs months {', '.join(missing)}, which are not in the data "
            f"(the data cover {span})",
            where="--quarter",
            expected="a quarter whose three months are all in the police.uk files",
        )
