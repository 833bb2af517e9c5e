"""Every route of the app, tried by every kind of visitor, against an explicit table.

A new route fails `test_every_route_is_classified` until it has a line in ROUTES: say who may
use it, and give a URL to try it with. Officer pages (`Page`) name the roles allowed in
plain words rather than deriving them from auth.roles, so a change to the role table shows
up here as a failing line to look at, not as a silent widening.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.e2e.auth.helpers import bearer_for
from tests.e2e.officer.helpers import ROLES, make_officer, sign_in

VISITORS = ("anonymous", *ROLES)


@dataclass(frozen=True)
class Public:
    """Anyone, signed in or not."""


@dataclass(frozen=True)
class Page:
    """An officer page: anonymous visitors are sent to sign in; other roles get 403."""

    roles: frozenset[str]


@dataclass(frozen=True)
class Token:
    """A JSON API operation: a bearer token with `scope`; an officer's session is no key."""

    scope: str


@dataclass(frozen=True)
class Signed:
    """A webhook authenticated by its HMAC signature: 401 for every visitor without one."""


def page(*roles: str) -> Page:
    return Page(frozenset(roles))


EVERY_OFFICER = page("officer", "supervisor", "auditor", "admin")

ROUTES: dict[tuple[str, str], tuple[str, Public | Page | Token | Signed]] = {
    ("GET", "/static/<path:filename>"): ("/static/css/payrecon.css", Public()),
    ("GET", "/openapi.json"): ("/openapi.json", Public()),
    ("GET", "/healthz"): ("/healthz", Public()),
    ("GET", "/readyz"): ("/readyz", Public()),
    ("POST", "/language"): ("/language", Public()),
    ("GET", "/officer/login"): ("/officer/login", Public()),
    ("POST", "/officer/login"): ("/officer/login", Public()),
    ("POST", "/officer/logout"): ("/officer/logout", Public()),
    ("GET", "/officer/"): ("/officer/", EVERY_OFFICER),
    ("GET", "/officer/audit"): ("/officer/audit", page("supervisor", "auditor", "admin")),
    ("POST", "/officer/audit"): ("/officer/audit", page("supervisor", "auditor", "admin")),
    ("GET", "/officer/users"): ("/officer/users", page("admin")),
    ("POST", "/officer/users"): ("/officer/users", page("admin")),
    ("POST", "/officer/users/disable"): ("/officer/users/disable", page("admin")),
    ("GET", "/officer/search"): ("/officer/search", EVERY_OFFICER),
    ("POST", "/officer/search"): ("/officer/search", EVERY_OFFICER),
    ("GET", "/officer/payments/<int:payment_id>"): ("/officer/payments/1", EVERY_OFFICER),
    ("GET", "/officer/invoices/<int:invoice_id>"): ("/officer/invoices/1", EVERY_OFFICER),
    ("GET", "/officer/statements"): ("/officer/statements", EVERY_OFFICER),
    # uploading adds evidence: the roles that act, not the auditor who only reads
    ("POST", "/officer/statements"): (
        "/officer/statements",
        page("officer", "supervisor", "admin"),
    ),
    ("GET", "/officer/exceptions/<int:exception_id>"): ("/officer/exceptions/1", EVERY_OFFICER),
    ("POST", "/officer/exceptions/<int:exception_id>/confirm"): (
        "/officer/exceptions/1/confirm",
        page("officer", "supervisor"),
    ),
    ("POST", "/officer/exceptions/<int:exception_id>/link"): (
        "/officer/exceptions/1/link",
        page("officer", "supervisor"),
    ),
    ("POST", "/officer/exceptions/<int:exception_id>/refund-due"): (
        "/officer/exceptions/1/refund-due",
        page("officer", "supervisor"),
    ),
    # money leaves the agency: a supervisor's decision
    ("POST", "/officer/exceptions/<int:exception_id>/refund"): (
        "/officer/exceptions/1/refund",
        page("supervisor"),
    ),
    ("POST", "/officer/exceptions/<int:exception_id>/write-off"): (
        "/officer/exceptions/1/write-off",
        page("officer", "supervisor"),
    ),
    # four eyes: only a supervisor approves (and never their own proposal)
    ("POST", "/officer/exceptions/<int:exception_id>/write-off/approve"): (
        "/officer/exceptions/1/write-off/approve",
        page("supervisor"),
    ),
    ("POST", "/officer/exceptions/<int:exception_id>/note"): (
        "/officer/exceptions/1/note",
        page("officer", "supervisor"),
    ),
    ("GET", "/officer/jobs"): ("/officer/jobs", EVERY_OFFICER),
    ("GET", "/officer/jobs/<job_name>"): ("/officer/jobs/no-such-job", EVERY_OFFICER),
    ("GET", "/officer/exceptions"): ("/officer/exceptions", EVERY_OFFICER),
    ("GET", "/officer/reconciliation/runs"): ("/officer/reconciliation/runs", EVERY_OFFICER),
    ("GET", "/officer/reconciliation/runs/<int:run_id>"): (
        "/officer/reconciliation/runs/1",
        EVERY_OFFICER,
    ),
    ("POST", "/officer/reconciliation/runs/<int:run_id>/proposals/<int:proposal_id>/confirm"): (
        "/officer/reconciliation/runs/1/proposals/1/confirm",
        page("officer", "supervisor"),
    ),
    ("GET", "/officer/reconciliation/runs/<int:run_id>/report.<any(xlsx, csv, html):fmt>"): (
        "/officer/reconciliation/runs/1/report.xlsx",
        EVERY_OFFICER,
    ),
    ("GET", "/api/v1/dossiers/<code>"): ("/api/v1/dossiers/HS-NONE", Public()),
    ("PUT", "/api/v1/dossiers/<code>"): ("/api/v1/dossiers/HS-NONE", Token("dossiers:write")),
    ("GET", "/api/v1/invoices/<invoice_id>"): ("/api/v1/invoices/1", Token("invoices:read")),
    ("GET", "/api/v1/invoices/<invoice_id>/xml"): (
        "/api/v1/invoices/1/xml",
        Token("invoices:read"),
    ),
    ("GET", "/api/v1/tax/invoices"): ("/api/v1/tax/invoices", Token("tax:read")),
    ("GET", "/api/v1/reconciliation/runs"): (
        "/api/v1/reconciliation/runs",
        Token("reconciliation:read"),
    ),
    ("GET", "/api/v1/reconciliation/runs/<int:run_id>"): (
        "/api/v1/reconciliation/runs/1",
        Token("reconciliation:read"),
    ),
    ("GET", "/api/v1/reconciliation/runs/<int:run_id>/exceptions"): (
        "/api/v1/reconciliation/runs/1/exceptions",
        Token("reconciliation:read"),
    ),
    ("GET", "/api/v1/tax/invoices/<invoice_id>/xml"): (
        "/api/v1/tax/invoices/1/xml",
        Token("tax:read"),
    ),
    ("POST", "/api/v1/tax/invoices/<invoice_id>/authority-code"): (
        "/api/v1/tax/invoices/1/authority-code",
        Token("tax:write"),
    ),
    ("GET", "/invoices/<lookup_code>"): ("/invoices/NOPE00000000", Public()),
    ("GET", "/invoices/<lookup_code>/xml"): ("/invoices/NOPE00000000/xml", Public()),
    ("GET", "/metrics"): ("/metrics", Public()),
    ("GET", "/pay/static/<path:filename>"): ("/pay/static/none.css", Public()),
    ("GET", "/pay/<dossier_code>"): ("/pay/HS-NONE", Public()),
    ("POST", "/pay/<dossier_code>/start"): ("/pay/HS-NONE/start", Public()),
    ("GET", "/pay/<reference>/qr"): ("/pay/PRNONE00000/qr", Public()),
    ("GET", "/pay/<reference>/qr.svg"): ("/pay/PRNONE00000/qr.svg", Public()),
    ("GET", "/pay/<reference>/status"): ("/pay/PRNONE00000/status", Public()),
    ("GET", "/pay/<reference>/status.json"): ("/pay/PRNONE00000/status.json", Public()),
    ("GET", "/pay/<reference>/receipt"): ("/pay/PRNONE00000/receipt", Public()),
    ("POST", "/api/v1/payments"): ("/api/v1/payments", Token("payments:write")),
    ("GET", "/api/v1/payments/<int:payment_id>"): ("/api/v1/payments/1", Token("payments:write")),
    ("POST", "/api/v1/payments/<int:payment_id>/cancel"): (
        "/api/v1/payments/1/cancel",
        Token("payments:write"),
    ),
    ("POST", "/api/v1/payments/<int:payment_id>/refunds"): (
        "/api/v1/payments/1/refunds",
        Token("payments:refund"),
    ),
    ("POST", "/api/v1/payments/<int:payment_id>/refunds/<int:refund_id>/transferred"): (
        "/api/v1/payments/1/refunds/1/transferred",
        Token("payments:refund"),
    ),
    ("POST", "/api/v1/statements"): ("/api/v1/statements", Token("statements:write")),
    # VNPAY authenticates with its HMAC signature, not with a token or a session.
    ("GET", "/gateway/vnpay/ipn"): ("/gateway/vnpay/ipn", Public()),
    ("GET", "/gateway/vnpay/return"): ("/gateway/vnpay/return", Public()),
    ("POST", "/gateway/bank/credit"): ("/gateway/bank/credit", Signed()),
}


def app_routes(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_is_classified(app):
    routes = app_routes(app)
    unclassified = sorted(routes - ROUTES.keys())
    stale = sorted(ROUTES.keys() - routes)
    assert unclassified == [], "add these routes to ROUTES with who may use them"
    assert stale == [], "these routes are gone; remove them from ROUTES"


def is_sign_in_redirect(response) -> bool:
    return response.status_code in (302, 303) and response.headers["Location"].startswith(
        "/officer/login"
    )


def allowed(response) -> bool:
    return response.status_code not in (401, 403) and not is_sign_in_redirect(response)


@pytest.fixture
def visitors(app, db_session):
    """A test client per visitor kind, each officer signed in with its role."""
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own tests; here only the role counts
    app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"] = "1000/minute"
    clients = {"anonymous": app.test_client()}
    for role in ROLES:
        make_officer(db_session, role)
        clients[role] = app.test_client()
        assert sign_in(clients[role], f"{role}.test").status_code == 303
    return clients


def call(client, method: str, url: str, **kwargs):
    return client.open(url, method=method, **kwargs)


def signing_out_last(item) -> tuple[bool, tuple[str, str]]:
    (method, rule), _ = item
    return (rule == "/officer/logout", (method, rule))


def test_each_visitor_gets_what_the_table_says(app, db_session, visitors):
    wrong = []
    for (method, rule), (url, access) in sorted(ROUTES.items(), key=signing_out_last):
        for visitor in VISITORS:
            response = call(visitors[visitor], method, url)
            got = "allowed" if allowed(response) else f"refused ({response.status_code})"
            if isinstance(access, Public):
                if response.status_code in (401, 403):
                    wrong.append(f"{method} {rule} {visitor}: public, but {got}")
                continue
            if isinstance(access, Signed):
                if response.status_code != 401:
                    wrong.append(f"{method} {rule} {visitor}: unsigned, expected 401, got {got}")
                continue
            if isinstance(access, Page):
                expected_ok = visitor in access.roles
                if visitor == "anonymous" and not is_sign_in_redirect(response):
                    wrong.append(f"{method} {rule} anonymous: not sent to sign in ({got})")
                    continue
                if visitor != "anonymous" and not expected_ok and response.status_code != 403:
                    wrong.append(f"{method} {rule} {visitor}: expected 403, got {got}")
                    continue
            else:
                expected_ok = False  # a session or no credentials never opens the API
                if response.status_code != 401:
                    wrong.append(f"{method} {rule} {visitor}: expected 401, got {got}")
                    continue
            if allowed(response) != expected_ok:
                wrong.append(f"{method} {rule} {visitor}: {got}")
    assert wrong == []
    # the table was walked signed in: the officers' sessions held until signing out
    assert visitors["admin"].get("/officer/users").status_code == 303


def test_api_operations_open_to_a_token_with_their_scope_only(app, db_session):
    client = app.test_client()
    for (method, rule), (url, access) in sorted(ROUTES.items()):
        if not isinstance(access, Token):
            continue
        with_scope = call(client, method, url, headers=bearer_for(db_session, access.scope))
        other_scope = "tax:read" if access.scope != "tax:read" else "tax:write"
        without = call(client, method, url, headers=bearer_for(db_session, other_scope))
        assert allowed(with_scope), f"{method} {rule} with {access.scope}: {with_scope.status}"
        assert without.status_code == 403, f"{method} {rule} without {access.scope}"


def test_guarded_officer_views_declare_the_permission_they_check(app):
    endpoints = (
        "officer.home",
        "officer.audit_log",
        "officer.users",
        "officer.create_user",
        "officer.search",
        "officer.search_results",
        "officer.payment_detail",
        "officer.invoice_detail",
        "officer.statements",
        "officer.upload_statement",
        "officer.job_health",
        "officer.job_history",
        "officer.exception_detail",
        "officer.confirm_match",
        "officer.link_exception",
        "officer.mark_refund_due",
        "officer.start_refund",
        "officer.propose_write_off",
        "officer.approve_write_off",
        "officer.add_note",
        "officer.exception_queue",
        "officer.reconciliation_runs",
        "officer.reconciliation_run",
        "officer.confirm_run_proposal",
        "officer.reconciliation_report",
    )
    for endpoint in endpoints:
        view = app.view_functions[endpoint]
        assert getattr(view, "required_permission", None), f"{endpoint} has no guard"
