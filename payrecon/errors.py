"""Errors payrecon raises on purpose.

PayreconError
├── InvalidInput            input from outside is wrong; `where` names the field, line or element
│   ├── InvalidInvoiceXml
│   ├── StatementFormatError
│   ├── ImportRejected          a file with bad lines; `problems` lists every one
│   └── IdempotencyKeyReused    same key, different body (HTTP 422 by contract)
├── NotFound                the thing asked for does not exist
├── Conflict                valid request, but the current state forbids it
├── Unauthorized            no or bad credentials (HTTP 401)
├── Forbidden               credentials fine, permission missing (HTTP 403)
├── RateLimited             too many requests (HTTP 429); `retry_after` seconds
└── UpstreamFailure         a bank, gateway or tax system failed us

Raise the most specific class; catch the most general one you can handle.
Only web/problems.py and cli translate these into responses.

Messages officers read can be translated: raise with the message marked `N_("... %(x)s ...")`
and its values in `params`. str(exc) is the English text (the API and the CLI); the officer
pages look the marked message up in the catalogs (`template`) and fill in `params`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


def N_(message: str) -> str:
    """Mark `message` for the translation catalogs; it is translated where it is shown."""
    return message


class PayreconError(Exception):
    """Base of every error payrecon raises deliberately."""

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        self.template = message  # the message as marked, before its values are filled in
        self.params = dict(params or {})
        super().__init__(message % self.params if self.params else message)
        self.where = where  # e.g. "body.dossier_code", "line 17", "/HDon/DLHDon/NDHDon"

    @property
    def message(self) -> str:
        return str(self)


class InvalidInput(PayreconError):
    """Something from outside (HTTP, file, XML) is malformed or inconsistent."""


class InvalidInvoiceXml(InvalidInput):
    """An invoice XML document breaks the schema, a business rule or its signature."""


class StatementFormatError(InvalidInput):
    """A bank statement or settlement file cannot be read."""


class IdempotencyKeyReused(InvalidInput):
    """An Idempotency-Key came back with a different request body."""


@dataclass(frozen=True)
class Problem:
    """One located problem in an input: `where` is e.g. 'line 7, column fee_vnd'."""

    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.detail}"


class ImportRejected(InvalidInput):
    """A file was checked whole and has bad lines; nothing was written."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        count = len(problems)
        super().__init__(
            f"{source}: {count} problem{'s' if count != 1 else ''}; nothing was imported",
            where=problems[0].where if problems else None,
        )
        self.source = source
        self.problems = problems


class NotFound(PayreconError):
    """The requested record does not exist."""


class Conflict(PayreconError):
    """The request is well-formed but the record's current state forbids it."""


class Unauthorized(PayreconError):
    """No credentials, or credentials we do not accept."""


class Forbidden(PayreconError):
    """Valid credentials without the permission the operation needs."""


class RateLimited(PayreconError):
    """The caller sent too many requests; `retry_after` says when to try again (seconds)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamFailure(PayreconError):
    """An external system (bank, gateway, tax authority) failed or answered nonsense."""
