"""Page numbers for long lists. Pure."""

from __future__ import annotations

from dataclasses import dataclass


def page_number(raw: str | None) -> int:
    """The page asked for in a query string; anything that is not a positive number is 1."""
    if raw is None or not raw.isdigit():
        return 1
    return max(1, min(int(raw), 10**6))


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    total: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.last

    @property
    def first_item(self) -> int:
        """1-based position of the first row shown; 0 when the list is empty."""
        return 0 if self.total == 0 else min(self.offset + 1, self.total)

    @property
    def last_item(self) -> int:
        return min(self.offset + self.size, self.total)
