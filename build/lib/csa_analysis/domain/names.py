"""Place names as people write them: one normalised key, and nothing guessed."""

from __future__ import annotations

import re


def normalise_name(name: str) -> str:
    """Case- and space-insensitive key for a place name (no other guessing: '&' is not 'and').

    Examples
    --------
    >>> normalise_name("  North West   LEICESTERSHIRE ")
    'north west leicestershire'
    >>> normalise_name("Hinckley & Bosworth") == normalise_name("Hinckley and Bosworth")
    False
    """
    return re.sub(r"\s+", " ", str(name)).strip().casefold()
