"""`one_transaction`: a service function either commits its whole operation or nothing."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.orm import Session

P = ParamSpec("P")
R = TypeVar("R")


def one_transaction(service: Callable[P, R]) -> Callable[P, R]:
    """Roll the session back if the service raises, so the caller's session is clean again.

    The service commits itself when its work is complete; this only guarantees that a
    failure half-way leaves nothing pending in the session (its first argument).
    """

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session = args[0]
        assert isinstance(session, Session)
        try:
            return service(*args, **kwargs)
        except BaseException:
            session.rollback()
            raise

    return wrapper
