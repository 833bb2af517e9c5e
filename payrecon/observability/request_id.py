"""The request id: accepted from `X-Request-Id` when it is safe, generated otherwise.

It lives in a context variable, so every log record emitted while a request (or a job run)
is handled can carry it without anyone passing it along: logs.RequestIdFilter reads it.

Pure: stdlib only.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

REQUEST_ID_HEADER = "X-Request-Id"
MAX_LENGTH = 64

_SAFE_REQUEST_ID = re.compile(rf"[A-Za-z0-9._-]{{1,{MAX_LENGTH}}}")
_current: ContextVar[str | None] = ContextVar("payrecon_request_id", default=None)


def is_acceptable(value: str | None) -> bool:
    """True for 1 to 64 characters of [A-Za-z0-9._-]: nothing that could forge a log line."""
    return value is not None and _SAFE_REQUEST_ID.fullmatch(value) is not None


def new_request_id() -> str:
    """A fresh id: 32 lowercase hex digits (uuid4)."""
    return uuid.uuid4().hex


def accept_or_new(incoming: str | None) -> str:
    """The caller's id when acceptable, else a new one (never an error: ids are a courtesy)."""
    return incoming if incoming is not None and is_acceptable(incoming) else new_request_id()


def current_request_id() -> str | None:
    """The id bound in this context, or None outside a request or job run."""
    return _current.get()


def bind_request_id(value: str) -> Token[str | None]:
    """Bind `value` for this context; give the token back to `unbind_request_id`."""
    return _current.set(value)


def unbind_request_id(token: Token[str | None]) -> None:
    try:
        _current.reset(token)
    except ValueError:  # the token belongs to another context; forget the id all the same
        _current.set(None)


@contextmanager
def request_id_scope(value: str | None = None) -> Iterator[str]:
    """Bind an id (a new one by default) for a block of work outside HTTP, e.g. a job run.

    with request_id_scope() as run_id:
        log.info("reconciliation started")   # carries request_id == run_id
    """
    bound = value if value is not None else new_request_id()
    token = bind_request_id(bound)
    try:
        yield bound
    finally:
        unbind_request_id(token)
