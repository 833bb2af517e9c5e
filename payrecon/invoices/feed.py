"""The tax feed's cursor and page rules, from plain values (no database, no web).

A cursor is opaque to clients: base64url (no padding) of "v1:<position>", where position is
the feed position of the last change the client has seen (sequence.py says how positions are
given). "after" absent means the start. A page of up to `limit` changes comes back with the
cursor to ask with next; an empty page gives back the cursor it was asked with, so a client can
store it and poll.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Generic, Protocol, TypeVar

from payrecon.errors import InvalidInput

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
CURSOR_VERSION = "v1"
_CURSOR_TEXT = re.compile(r"v1:(0|[1-9][0-9]{0,18})")
_MAX_CURSOR_CHARS = 40
_MAX_POSITION = 2**63 - 1
CURSOR_WHERE = "query.after"


class Positioned(Protocol):
    @property
    def position(self) -> int: ...


Row = TypeVar("Row", bound=Positioned)


@dataclass(frozen=True)
class RelatedRef:
    id: int
    template_code: str
    series: str
    number: int


@dataclass(frozen=True)
class TaxInvoice:
    """An invoice as the tax integrations see it: what it is now, not at the time of a change."""

    id: int
    kind: str  # original | replacement | adjustment
    template_code: str
    series: str
    number: int
    issued_on: date
    issued_at: datetime
    seller_tax_code: str | None
    buyer_name: str
    buyer_tax_code: str | None
    buyer_id_number: str | None
    total_before_tax_vnd: int | None
    total_tax_vnd: int | None
    total_vnd: int
    status: str  # issued | cancelled | replaced | adjusted
    related: RelatedRef | None
    authority_status: str  # see authority_status()
    authority_code: str | None
    authority_rejection_reason: str | None
    xml_sha256: str  # of the current stored version (the coded one once there is a code)


@dataclass(frozen=True)
class FeedEntry:
    """One change of the feed: its position, what happened, and the invoice it happened to."""

    position: int
    change_id: int
    change_kind: str
    changed_at: datetime
    invoice: TaxInvoice


@dataclass(frozen=True)
class FeedPage(Generic[Row]):
    items: list[Row]
    next_cursor: str
    has_more: bool  # True when more changes were already waiting after this page


def encode_cursor(position: int) -> str:
    if not 0 <= position <= _MAX_POSITION:
        raise ValueError(f"feed position {position} is out of range")
    raw = f"{CURSOR_VERSION}:{position}".encode("ascii")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str | None) -> int:
    """The position a cursor stands for; None or "" is the start (0).

    Anything this feed did not hand out is refused with InvalidInput (HTTP 422) naming
    query.after, never read as some other position.
    """
    if cursor is None or cursor == "":
        return 0
    bad = InvalidInput(
        "after is not a cursor of this feed: pass the next_cursor of a page, or nothing "
        "to start from the beginning",
        where=CURSOR_WHERE,
    )
    if len(cursor) > _MAX_CURSOR_CHARS or not re.fullmatch(r"[A-Za-z0-9_-]+", cursor):
        raise bad
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        match = _CURSOR_TEXT.fullmatch(raw.decode("ascii"))
    except (binascii.Error, UnicodeDecodeError):
        raise bad from None
    if match is None or int(match[1]) > _MAX_POSITION:
        raise bad
    # Only the canonical spelling: no second cursor text for the same position.
    if encode_cursor(int(match[1])) != cursor:
        raise bad
    return int(match[1])


def page_limit(requested: int | None) -> int:
    """How many changes a page holds: DEFAULT_LIMIT when not asked, at most MAX_LIMIT."""
    if requested is None:
        return DEFAULT_LIMIT
    if requested < 1:
        raise InvalidInput(f"limit must be at least 1, got {requested}", where="query.limit")
    return min(requested, MAX_LIMIT)


def make_page(rows: Sequence[Row], *, after: int, limit: int) -> FeedPage[Row]:
    """A page from up to limit + 1 rows read in position order after `after`.

    The extra row, if there is one, only says that more is waiting; it is not handed out.
    """
    items = list(rows[:limit])
    positions = [after, *(row.position for row in items)]
    if any(earlier >= later for earlier, later in pairwise(positions)):
        raise ValueError("feed rows must come in increasing position order after the cursor")
    last = items[-1].position if items else after
    return FeedPage(items=items, next_cursor=encode_cursor(last), has_more=len(rows) > limit)


def authority_status(series: str, outcome: str | None) -> str:
    """What the tax authority has said about an invoice.

    coded / rejected once it has answered; awaiting_code for an invoice of a coded (C) series
    that has no answer yet; not_applicable for a series without codes (K).
    """
    if outcome is not None:
        return outcome
    return "awaiting_code" if series.startswith("C") else "not_applicable"
