import pytest

from payrecon.auth.scopes import KNOWN_SCOPES, join_scopes, require_known_scopes, split_scopes
from payrecon.errors import InvalidInput


def test_the_known_scopes():
    assert set(KNOWN_SCOPES) == {
        "dossiers:write",
        "invoices:read",
        "payments:write",
        "payments:refund",
        "statements:write",
        "tax:read",
        "tax:write",
        "reconciliation:read",
    }


def test_scopes_are_sorted_and_deduplicated():
    assert require_known_scopes(["tax:write", "tax:read", "tax:write"]) == ("tax:read", "tax:write")


def test_an_unknown_scope_is_refused_by_name():
    with pytest.raises(InvalidInput, match="unknown scope 'tax:delete'") as caught:
        require_known_scopes(["tax:read", "tax:delete"])
    assert caught.value.where == "scope"
    assert "reconciliation:read" in str(caught.value)


def test_no_scope_at_all_is_refused():
    with pytest.raises(InvalidInput, match="at least one scope"):
        require_known_scopes([])


def test_stored_form_round_trips():
    stored = join_scopes(["tax:write", "tax:read"])
    assert stored == "tax:read tax:write"
    assert split_scopes(stored) == {"tax:read", "tax:write"}
