"""Refuse API input text that no database column can hold, before any view sees it.

Two things parse as perfectly good Python strings yet cannot be stored: the NUL character
(PostgreSQL text refuses it: "cannot contain NUL (0x00) bytes") and a lone UTF-16 surrogate
such as the JSON escape "\\ud800" (not encodable as UTF-8). Both reached the database from
ordinary JSON fields and path parameters and came back as a 500. They are never meaningful in
this domain, so every /api/ request is checked here once: path, query, form fields and JSON
body, and refused with 422 naming the place (e.g. `body.applicant_name`, `query.after`).

The /gateway/ callbacks are left alone: VNPAY's IPN must always get HTTP 200 with an RspCode,
and it verifies its raw query (a NUL there can only fail the signature check: 97).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from payrecon.errors import InvalidInput

CHECKED_PREFIXES = ("/api/",)


def unstorable_reason(text: str) -> str | None:
    """Why `text` cannot be stored as text, or None when it can."""
    if "\x00" in text:
        return "must not contain the NUL character (U+0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text (it holds a lone surrogate)"
    return None


def find_unstorable(value: Any, where: str) -> tuple[str, str] | None:
    """(where, why) of the first unstorable string in a decoded JSON value, keys included."""
    if isinstance(value, str):
        reason = unstorable_reason(value)
        return (where, reason) if reason else None
    if isinstance(value, dict):
        for key, item in value.items():
            key_text = str(key)
            reason = unstorable_reason(key_text)
            if reason:
                return (where, f"has a key that {reason}")
            found = find_unstorable(item, f"{where}.{key_text}")
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = find_unstorable(item, f"{where}[{index}]")
            if found:
                return found
    return None


def _check_request() -> None:
    if not request.path.startswith(CHECKED_PREFIXES):
        return
    checks: list[tuple[Any, str]] = [(request.path, "path")]
    checks += [(dict(request.args.lists()), "query")]
    if request.mimetype == "multipart/form-data" or request.mimetype.endswith("form-urlencoded"):
        checks.append((dict(request.form.lists()), "form"))
    if request.is_json:
        body = request.get_json(silent=True)  # malformed JSON is the view's 400 to give
        if body is not None:
            checks.append((body, "body"))
    for value, where in checks:
        found = find_unstorable(value, where)
        if found:
            raise InvalidInput(f"{found[0]} {found[1]}", where=found[0])


def init_app(app: Flask) -> None:
    app.before_request(_check_request)
