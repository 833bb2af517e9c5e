from types import SimpleNamespace

import pytest

from payrecon.web.officer.nav import NAV_KEY, entries_for, register_nav


def fake_app():
    return SimpleNamespace(extensions={})


def test_each_role_sees_only_the_entries_its_permissions_allow():
    app = fake_app()
    register_nav(app, endpoint="reports.runs", label="Runs", permission="view_reports")
    register_nav(app, endpoint="audit.log", label="Audit", permission="view_audit_log")
    register_nav(app, endpoint="users.list", label="Users", permission="manage_users")
    entries = app.extensions[NAV_KEY]
    assert [e.endpoint for e in entries_for(entries, "officer")] == ["reports.runs"]
    assert [e.endpoint for e in entries_for(entries, "auditor")] == ["reports.runs", "audit.log"]
    assert [e.endpoint for e in entries_for(entries, "admin")] == [
        "reports.runs",
        "audit.log",
        "users.list",
    ]


def test_an_unknown_permission_is_refused_at_registration():
    with pytest.raises(ValueError, match="unknown permission 'view_everything'"):
        register_nav(fake_app(), endpoint="x.y", label="X", permission="view_everything")


def test_an_endpoint_is_registered_once():
    app = fake_app()
    register_nav(app, endpoint="x.y", label="X", permission="view_reports")
    with pytest.raises(ValueError, match="already in the officer menu"):
        register_nav(app, endpoint="x.y", label="X again", permission="view_reports")
