"""Liveness and readiness for load balancers and monitors."""

from __future__ import annotations

from flask import Blueprint, jsonify

from payrecon.db import current_revision, get_engine, head_revision

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up and serving."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """The database answers and its schema is at the migrations' head."""
    head = head_revision()
    try:
        current = current_revision(get_engine())
    except Exception as exc:  # any database failure means "not ready"
        return jsonify(
            status="unavailable", reason=f"database unreachable: {type(exc).__name__}"
        ), 503
    if current != head:
        return jsonify(status="unavailable", reason=f"schema at {current}, head is {head}"), 503
    return jsonify(status="ok", revision=current)
