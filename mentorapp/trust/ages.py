"""Ages from dates of birth: plain Python, no Flask, so matching can use it too."""

from __future__ import annotations

from datetime import date

MINIMUM_AGE = 13  # younger people cannot sign up
ADULT_AGE = 18  # younger people need a parent's or guardian's consent
OLDEST_AGE = 120  # a date of birth further back is a typing slip


def age_on(born: date, day: date) -> int:
    """Whole years from `born` to `day`; someone born on 29 February turns a year older
    on 1 March in years without one."""
    had_birthday = (day.month, day.day) >= (born.month, born.day)
    return day.year - born.year - (0 if had_birthday else 1)


def is_minor_on(born: date | None, day: date) -> bool:
    """Under 18 on `day`. Unknown (an account made before sign-up asked) is not a minor:
    that person answers at their next sign-in, before any page but the question."""
    return born is not None and age_on(born, day) < ADULT_AGE


def is_too_young_on(born: date, day: date) -> bool:
    return age_on(born, day) < MINIMUM_AGE
