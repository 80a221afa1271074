"""Whole numbers from text a person, a link or a tampered form sent.

`str.isdigit()` is true for "²" and "٣", which `int()` then refuses or reads as another
number: only ASCII digits count here."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,19}")


def whole_number(raw: object, below: int = 2**31) -> int | None:
    """`raw` as a number from 0 up to `below` (a PostgreSQL integer by default), or None."""
    text = str(raw) if isinstance(raw, int | str) else ""
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number < below else None
