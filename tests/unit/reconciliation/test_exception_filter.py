from datetime import date

import pytest

from payrecon.errors import InvalidInput
from payrecon.reconciliation.exception_filter import ExceptionFilter


@pytest.mark.parametrize(
    ("values", "where"),
    [
        ({"kind": "no_such_kind"}, "kind"),
        ({"status": "closed"}, "status"),
        ({"min_vnd": -1}, "min_vnd"),
        ({"max_vnd": 1.5}, "max_vnd"),
        ({"min_vnd": True}, "min_vnd"),
        ({"min_vnd": 200_000, "max_vnd": 100_000}, "max_vnd"),
        ({"date_from": date(2026, 11, 24), "date_to": date(2026, 11, 23)}, "date_to"),
    ],
)
def test_a_filter_that_contradicts_itself_is_refused_naming_the_field(values, where):
    with pytest.raises(InvalidInput) as refused:
        ExceptionFilter(**values)
    assert refused.value.where == where


def test_equal_bounds_are_a_filter_not_a_contradiction():
    same_day = date(2026, 11, 24)
    wanted = ExceptionFilter(min_vnd=50_000, max_vnd=50_000, date_from=same_day, date_to=same_day)
    assert wanted.narrows


def test_status_alone_does_not_narrow():
    assert not ExceptionFilter(status="open").narrows
    assert ExceptionFilter(status="open", kind="missing_credit").narrows
