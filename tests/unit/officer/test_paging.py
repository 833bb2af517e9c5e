import pytest

from payrecon.web.officer.paging import Page, page_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, 1), ("", 1), ("abc", 1), ("-2", 1), ("0", 1), ("3", 3), ("99999999", 10**6)],
)
def test_page_numbers_from_query_strings(raw, expected):
    assert page_number(raw) == expected


def test_a_middle_page():
    page = Page(number=2, size=50, total=120)
    assert (page.offset, page.last, page.first_item, page.last_item) == (50, 3, 51, 100)
    assert page.has_previous
    assert page.has_next


def test_the_last_partial_page():
    page = Page(number=3, size=50, total=120)
    assert (page.first_item, page.last_item, page.has_next) == (101, 120, False)


def test_an_empty_list_has_one_empty_page():
    page = Page(number=1, size=50, total=0)
    assert (page.last, page.first_item, page.last_item) == (1, 0, 0)
    assert not page.has_previous
    assert not page.has_next
