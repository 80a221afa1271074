"""One page of a long list, as the templates' pagination reads it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

from mentorapp.parsing import whole_number

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    # A capped count: more than `total` match, and the pages stop at `total`.
    more: bool = False

    def how_many(self, one: str, many: str) -> str:
        """'1 place', '12 places', or 'More than 1,000 places' for a capped count."""
        if self.more:
            return f"More than {self.total:,} {many}"
        return f"{self.total:,} {one if self.total == 1 else many}"

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    # What templates/_macros/pagination.html reads (named as Flask-SQLAlchemy's pages).
    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def capped(counted: int, cap: int) -> tuple[int, bool]:
    """The total to show for a count made with a LIMIT of cap + 1, and whether more
    than that matched."""
    return (cap, True) if counted > cap else (counted, False)


def page_number(raw: str | None, limit: int = 10_000) -> int:
    """A page number from a query string: anything odd is page 1."""
    return whole_number(raw, below=limit) or 1
