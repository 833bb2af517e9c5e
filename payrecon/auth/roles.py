"""Officer roles and what each may do. Pure: one table, read by `role_allows`.

Separation of duties shapes the table: the people who move money (officers resolve exceptions,
supervisors start refunds and approve write-offs) are not the people who manage accounts
(admins), and auditors only read. Nobody both manages users and touches money, so a single
stolen admin account cannot grant itself a refund.
"""

from __future__ import annotations

ROLES: tuple[str, ...] = ("officer", "supervisor", "auditor", "admin")

PERMISSIONS: dict[str, frozenset[str]] = {
    # the nightly reconciliation report, exports and dashboards
    "view_reports": frozenset({"officer", "supervisor", "auditor", "admin"}),
    # mark a reconciliation exception as explained, with a note
    "resolve_exception": frozenset({"officer", "supervisor"}),
    # accept that money will not be recovered; a decision above the clerk's
    "approve_write_off": frozenset({"supervisor"}),
    # open a refund for a citizen's payment: money leaves the agency, a supervisor decides
    "start_refund": frozenset({"supervisor"}),
    # upload a bank statement file (it only adds evidence; matching it is reconciliation's job)
    "import_statements": frozenset({"officer", "supervisor", "admin"}),
    # read the hash-chained audit log
    "view_audit_log": frozenset({"supervisor", "auditor", "admin"}),
    # create and disable officer accounts, issue API tokens
    "manage_users": frozenset({"admin"}),
}


def role_allows(role: str, permission: str) -> bool:
    """Whether `role` holds `permission`.

    An unknown role or permission is a programming error, not a refusal: a typo must
    fail loudly instead of silently denying (or, worse, being mistaken for a grant).
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    try:
        allowed = PERMISSIONS[permission]
    except KeyError:
        raise ValueError(
            f"unknown permission {permission!r}; permissions: {', '.join(PERMISSIONS)}"
        ) from None
    return role in allowed


def permissions_of(role: str) -> frozenset[str]:
    return frozenset(p for p in PERMISSIONS if role_allows(role, p))
