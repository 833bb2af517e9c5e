import re

import pytest

from payrecon.observability.request_id import (
    accept_or_new,
    bind_request_id,
    current_request_id,
    is_acceptable,
    new_request_id,
    request_id_scope,
    unbind_request_id,
)

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize(
    "value", ["abc", "A-Z.a_z-09", "x" * 64, "8f14e45fceea167a5a36dedd4bea2543", "req.2026-11-26"]
)
def test_safe_ids_are_kept(value):
    assert is_acceptable(value)
    assert accept_or_new(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "x" * 65,
        "has space",
        "line\nbreak",
        'quote"',
        "semi;colon",
        "slash/path",
        "mã-hồ-sơ",
        "tab\t",
    ],
)
def test_unsafe_ids_are_replaced_by_a_new_uuid4_hex(value):
    assert not is_acceptable(value)
    replaced = accept_or_new(value)
    assert HEX32.fullmatch(replaced)
    assert replaced != value


def test_new_ids_differ():
    assert new_request_id() != new_request_id()


def test_nothing_is_bound_outside_a_request():
    assert current_request_id() is None


def test_scope_binds_and_restores_even_when_nested():
    with request_id_scope("outer") as outer:
        assert outer == "outer"
        assert current_request_id() == "outer"
        with request_id_scope() as inner:
            assert HEX32.fullmatch(inner)
            assert current_request_id() == inner
        assert current_request_id() == "outer"
    assert current_request_id() is None


def test_scope_restores_after_an_exception():
    with pytest.raises(RuntimeError), request_id_scope("job-1"):
        raise RuntimeError("boom")
    assert current_request_id() is None


def test_bind_and_unbind():
    token = bind_request_id("r1")
    assert current_request_id() == "r1"
    unbind_request_id(token)
    assert current_request_id() is None
