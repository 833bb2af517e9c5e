"""The finance officers' web app: the shell other officer pages plug into.

What is here: sign-in and sign-out with rate limits and lock-out, the session rules, the
`require_permission` guard, the menu registry (`nav.register_nav`), the home page (the
reconciliation dashboard), the exceptions queue, the exception page with its actions, the
reconciliation runs with their report downloads, the audit log viewer and the account
administration page; and the site-wide language switch.

Another blueprint adds its pages to the shell by extending `officer/layout.html`, guarding its
views with `access.require_permission(...)` and registering a menu entry in its init.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l

from payrecon.web.officer import login_limits
from payrecon.web.officer.nav import register_nav


def init_app(app: Flask) -> None:
    from payrecon.web.officer import (  # noqa: F401
        audit_log,
        exception_queue,
        exceptions,
        health,
        home,
        language,
        login,
        runs,
        search,
        uploads,
        users,
    )
    from payrecon.web.officer.access import session_limits
    from payrecon.web.officer.blueprint import bp

    login_limits.check_settings(app.config)
    with app.app_context():
        limits = session_limits()  # fails here, at start-up, if the settings are not numbers
    app.permanent_session_lifetime = timedelta(seconds=limits.absolute_seconds)
    app.register_blueprint(bp)
    app.register_blueprint(language.bp)
    register_nav(
        app,
        endpoint="officer.home",
        label=_l("Home"),
        permission="view_reports",
        description=_l("What your role lets you do."),
    )
    register_nav(
        app,
        endpoint="officer.exception_queue",
        label=_l("Exceptions"),
        permission="view_reports",
        description=_l("What reconciliation could not match, filtered by kind, agency, date ..."),
    )
    register_nav(
        app,
        endpoint="officer.reconciliation_runs",
        label=_l("Reconciliation runs"),
        permission="view_reports",
        description=_l("Every nightly run with its totals, matches and report downloads."),
    )
    register_nav(
        app,
        endpoint="officer.search",
        label=_l("Search"),
        permission="view_reports",
        description=_l("Find a payment or invoice by reference, dossier, ID number or number."),
    )
    register_nav(
        app,
        endpoint="officer.statements",
        label=_l("Bank statements"),
        permission="view_reports",
        description=_l("Upload statement files; where each collection account's imports stand."),
    )
    register_nav(
        app,
        endpoint="officer.job_health",
        label=_l("Job health"),
        permission="view_reports",
        description=_l("The last run of every job, failures and stuck runs."),
    )
    register_nav(
        app,
        endpoint="officer.audit_log",
        label=_l("Audit log"),
        permission="view_audit_log",
        description=_l("Every recorded change, with filters, and whether the hash chain holds."),
    )
    register_nav(
        app,
        endpoint="officer.users",
        label=_l("Accounts"),
        permission="manage_users",
        description=_l("Create officer accounts with a role, and disable them."),
    )
