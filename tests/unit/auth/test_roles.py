import pytest

from payrecon.auth.roles import PERMISSIONS, ROLES, permissions_of, role_allows

# The whole table, written out: a change to who may do what must change this test too.
EXPECTED = {
    #                     officer supervisor auditor admin
    "view_reports": (True, True, True, True),
    "resolve_exception": (True, True, False, False),
    "approve_write_off": (False, True, False, False),
    "start_refund": (False, True, False, False),
    "import_statements": (True, True, False, True),
    "view_audit_log": (False, True, True, True),
    "manage_users": (False, False, False, True),
}
CASES = [
    (role, permission, allowed)
    for permission, row in EXPECTED.items()
    for role, allowed in zip(("officer", "supervisor", "auditor", "admin"), row, strict=True)
]


@pytest.mark.parametrize(("role", "permission", "allowed"), CASES)
def test_role_allows(role, permission, allowed):
    assert role_allows(role, permission) is allowed


def test_the_table_covers_every_permission_and_role():
    assert set(EXPECTED) == set(PERMISSIONS)
    assert ROLES == ("officer", "supervisor", "auditor", "admin")


def test_the_auditor_only_reads():
    assert permissions_of("auditor") == {"view_reports", "view_audit_log"}


def test_nobody_both_manages_users_and_moves_money():
    money = {"resolve_exception", "approve_write_off", "start_refund"}
    for role in ROLES:
        held = permissions_of(role)
        assert not ("manage_users" in held and held & money), role


def test_an_unknown_role_or_permission_is_an_error_not_a_refusal():
    with pytest.raises(ValueError, match="unknown role 'cashier'"):
        role_allows("cashier", "view_reports")
    with pytest.raises(ValueError, match="unknown permission 'view_report'"):
        role_allows("admin", "view_report")
