import ipaddress

import pytest

from payrecon.observability.access import (
    DEFAULT_METRICS_ALLOW,
    forwarded_addresses,
    is_allowed,
    parse_address,
    parse_allow_list,
)

DEFAULT = parse_allow_list(DEFAULT_METRICS_ALLOW)


def test_default_allow_list_is_loopback_only():
    loopback = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
    assert loopback == DEFAULT


def test_allow_list_tolerates_spaces_hosts_and_empty_entries():
    assert parse_allow_list(" 10.0.0.0/8 , 192.168.1.7,,2001:db8::/32 ") == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.168.1.7/32"),
        ipaddress.ip_network("2001:db8::/32"),
    )


def test_a_bad_entry_is_named_with_its_position():
    with pytest.raises(ValueError, match=r"entry 2 '10\.0\.0\.300/8'"):
        parse_allow_list("127.0.0.1,10.0.0.300/8")


def test_empty_allow_list_allows_nobody():
    assert parse_allow_list("") == ()
    assert not is_allowed(["127.0.0.1"], ())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("203.0.113.7:5120", "203.0.113.7"),
        ("::1", "::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ('"[2001:db8::1]"', "2001:db8::1"),
        ("::ffff:127.0.0.1", "127.0.0.1"),
        (" 10.0.0.1 ", "10.0.0.1"),
    ],
)
def test_addresses_are_read_with_ports_brackets_and_quotes(text, expected):
    assert parse_address(text) == ipaddress.ip_address(expected)


@pytest.mark.parametrize("text", ["", "unknown", "_hidden", "999.1.1.1", "localhost"])
def test_unreadable_addresses_are_none(text):
    assert parse_address(text) is None


@pytest.mark.parametrize(
    ("addresses", "allowed"),
    [
        (["127.0.0.1"], True),
        (["127.9.9.9"], True),
        (["::1"], True),
        (["::ffff:127.0.0.1"], True),
        (["203.0.113.7"], False),
        (["2001:db8::1"], False),
        ([None], False),
        ([""], False),
        ([], False),
        (["127.0.0.1", "203.0.113.7"], False),  # a local proxy forwarding an outsider
        (["127.0.0.1", "127.0.0.1"], True),
        (["127.0.0.1", "garbage"], False),
    ],
)
def test_every_address_must_be_allowed(addresses, allowed):
    assert is_allowed(addresses, DEFAULT) is allowed


def test_forwarded_addresses_come_from_all_three_headers():
    headers = {
        "X-Forwarded-For": "203.0.113.7, 10.0.0.2",
        "X-Real-IP": "198.51.100.4",
        "Forwarded": 'for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711"',
    }
    found = [parse_address(a) for a in forwarded_addresses(headers)]
    assert found == [
        ipaddress.ip_address("203.0.113.7"),
        ipaddress.ip_address("10.0.0.2"),
        ipaddress.ip_address("198.51.100.4"),
        ipaddress.ip_address("192.0.2.60"),
        ipaddress.ip_address("2001:db8:cafe::17"),
    ]


def test_no_forwarding_headers_no_addresses():
    assert forwarded_addresses({"Accept": "text/plain"}) == []
