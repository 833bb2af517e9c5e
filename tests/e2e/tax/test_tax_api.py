"""/api/v1/tax over HTTP: the feed, the XML with ETag, posting codes, the token guard, OpenAPI."""

from __future__ import annotations

import hashlib

import pytest

from payrecon.auth import service as auth_service
from payrecon.invoices.feed import encode_cursor
from payrecon.web.api.tax import FeedPageOut, TaxInvoiceOut
from tests.e2e.auth.helpers import bearer, bearer_for, issue_token
from tests.integration.tax.helpers import issue_invoices

CODE = "00A1B2C3D4E5F60718293A4B5C6D7E8F90"
FEED = "/api/v1/tax/invoices"


@pytest.fixture
def reader(db_session):
    return bearer_for(db_session, "tax:read", name="tax-reader")


@pytest.fixture
def writer(db_session):
    return bearer_for(db_session, "tax:write", name="tax-writer")


@pytest.fixture
def invoices(db_session, signing_keys):
    return issue_invoices(db_session, signing_keys, 5)


def pull_all(client, headers, *, limit: int, cursor: str | None = None):
    items = []
    while True:
        query = {"limit": limit} | ({"after": cursor} if cursor else {})
        response = client.get(FEED, query_string=query, headers=headers)
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        assert FeedPageOut().validate(page) == {}  # the answer is what OpenAPI says
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items, cursor


def assert_problem(response, status: int, *secrets: str):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    text = response.get_data(as_text=True)
    for secret in secrets:
        assert secret not in text
    return response.get_json()


def test_paging_through_the_feed_gives_every_change_once(client, reader, invoices):
    items, cursor = pull_all(client, reader, limit=2)

    assert [i["invoice_id"] for i in items] == [invoice.id for invoice in invoices]
    assert len({i["change_id"] for i in items}) == 5
    first, invoice = items[0], invoices[0]
    assert first["change_kind"] == "issue"
    assert (first["series"], first["number"], first["template_code"]) == (
        invoice.series,
        invoice.number,
        "1",
    )
    assert first["issued_on"] == invoice.issued_on.isoformat()
    assert first["seller_tax_code"] == invoice.seller_tax_code
    assert first["buyer"] == {
        "name": "Nguyễn Văn An",
        "tax_code": None,
        "id_number": "022090001234",
    }
    assert first["totals"] == {
        "before_tax_vnd": 200_000,
        "tax_vnd": 0,
        "payable_vnd": 200_000,
        "currency": "VND",
    }
    assert (first["status"], first["related_invoice"]) == ("issued", None)
    assert first["authority"] == {"status": "awaiting_code", "code": None, "rejection_reason": None}
    assert first["xml_sha256"] == invoice.xml_sha256
    assert first["xml_url"] == f"/api/v1/tax/invoices/{invoice.id}/xml"
    # at the end, the cursor stays put until something new happens
    again = client.get(FEED, query_string={"after": cursor}, headers=reader).get_json()
    assert again == {"items": [], "next_cursor": cursor, "has_more": False}


def test_an_empty_feed_hands_back_the_start_cursor(client, reader):
    page = client.get(FEED, headers=reader).get_json()
    assert page == {"items": [], "next_cursor": encode_cursor(0), "has_more": False}


@pytest.mark.parametrize(
    "after", ["garbage!", "djE6LTE", "djI6Mw", "eHl6", "djE6MDAz", "A" * 41, "djE6Mw=="]
)
def test_a_cursor_the_feed_did_not_give_is_422(client, reader, after):
    problem = assert_problem(client.get(FEED, query_string={"after": after}, headers=reader), 422)
    assert problem["errors"][0]["where"] == "query.after"


@pytest.mark.parametrize("limit", ["0", "-3", "ten", "1.5"])
def test_a_bad_limit_is_422(client, reader, limit):
    problem = assert_problem(client.get(FEED, query_string={"limit": limit}, headers=reader), 422)
    assert problem["errors"][0]["where"] == "query.limit"


def test_a_large_limit_is_capped_not_refused(client, reader, invoices):
    page = client.get(FEED, query_string={"limit": 100_000}, headers=reader).get_json()
    assert len(page["items"]) == 5


def test_the_xml_comes_with_its_hash_as_etag_and_304_when_unchanged(client, reader, invoices):
    invoice = invoices[0]
    url = f"/api/v1/tax/invoices/{invoice.id}/xml"
    response = client.get(url, headers=reader)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.data == invoice.xml
    assert response.headers["ETag"] == f'"{hashlib.sha256(invoice.xml).hexdigest()}"'

    same = client.get(url, headers=reader | {"If-None-Match": response.headers["ETag"]})
    assert (same.status_code, same.data) == (304, b"")
    assert same.headers["ETag"] == response.headers["ETag"]
    other = client.get(url, headers=reader | {"If-None-Match": '"' + "0" * 64 + '"'})
    assert (other.status_code, other.data) == (200, invoice.xml)


def test_posting_a_code_is_idempotent_and_changes_xml_etag_and_feed(
    client, reader, writer, invoices
):
    invoice = invoices[0]
    url = f"/api/v1/tax/invoices/{invoice.id}/authority-code"
    _, cursor = pull_all(client, reader, limit=10)
    old_etag = client.get(f"/api/v1/tax/invoices/{invoice.id}/xml", headers=reader).headers["ETag"]

    first = client.post(url, json={"code": CODE}, headers=writer)
    assert first.status_code == 201
    assert first.mimetype == "application/json"
    assert TaxInvoiceOut().validate(first.get_json()) == {}
    assert first.get_json()["authority"] == {
        "status": "coded",
        "code": CODE,
        "rejection_reason": None,
    }
    repeat = client.post(url, json={"code": CODE}, headers=writer)
    assert (repeat.status_code, repeat.get_json()) == (200, first.get_json())
    different = client.post(url, json={"code": "9" * 34}, headers=writer)
    assert_problem(different, 409, CODE, invoice.buyer_name, invoice.series)

    xml = client.get(
        f"/api/v1/tax/invoices/{invoice.id}/xml", headers=reader | {"If-None-Match": old_etag}
    )
    assert xml.status_code == 200
    assert f"<MCCQT>{CODE}</MCCQT><DSCKS>".encode() in xml.data
    assert xml.headers["ETag"] == f'"{hashlib.sha256(xml.data).hexdigest()}"' != old_etag
    new_items, _ = pull_all(client, reader, limit=10, cursor=cursor)
    assert [(i["change_kind"], i["invoice_id"]) for i in new_items] == [
        ("authority_code", invoice.id)
    ]
    assert new_items[0]["xml_sha256"] == xml.headers["ETag"].strip('"')


def test_posting_a_rejection(client, writer, invoices):
    url = f"/api/v1/tax/invoices/{invoices[1].id}/authority-code"
    response = client.post(
        url, json={"rejection_reason": "Sai thông tin người bán"}, headers=writer
    )
    assert response.status_code == 201
    assert response.get_json()["authority"]["status"] == "rejected"


@pytest.mark.parametrize(
    "body",
    [{"code": CODE[:33]}, {"code": CODE[:33] + "!"}, {}, {"code": CODE, "rejection_reason": "x"}],
)
def test_a_malformed_answer_is_422(client, writer, invoices, body):
    url = f"/api/v1/tax/invoices/{invoices[0].id}/authority-code"
    assert_problem(client.post(url, json=body, headers=writer), 422)


def test_unknown_invoices_are_404(client, reader, writer):
    assert_problem(client.get("/api/v1/tax/invoices/424242/xml", headers=reader), 404)
    assert_problem(client.get("/api/v1/tax/invoices/abc/xml", headers=reader), 404)
    response = client.post(
        "/api/v1/tax/invoices/424242/authority-code", json={"code": CODE}, headers=writer
    )
    assert_problem(response, 404)


GUARDED = [
    ("GET", FEED, None, "tax:read"),
    ("GET", "/api/v1/tax/invoices/{id}/xml", None, "tax:read"),
    ("POST", "/api/v1/tax/invoices/{id}/authority-code", {"code": CODE}, "tax:write"),
]


@pytest.mark.parametrize(("method", "path", "body", "scope"), GUARDED)
def test_the_guard_refuses_missing_bad_revoked_and_wrong_scope_tokens(
    client, db_session, invoices, method, path, body, scope
):
    invoice = invoices[0]
    url = path.format(id=invoice.id)
    secrets = (invoice.buyer_name, invoice.series, invoice.xml_sha256)

    def call(headers):
        return client.open(url, method=method, json=body, headers=headers)

    missing = assert_problem(call({}), 401, *secrets)
    assert "Bearer" in missing["detail"]
    assert_problem(
        call({"Authorization": "Bearer prt_0123456789abcdef_" + "A" * 43}), 401, *secrets
    )
    revoked_text = issue_token(db_session, scope, name="revoked")
    auth_service.revoke_token(db_session, public_id=revoked_text.split("_")[1], actor="test")
    assert_problem(call(bearer(revoked_text)), 401, *secrets)
    other = "tax:write" if scope == "tax:read" else "tax:read"
    assert_problem(call(bearer_for(db_session, other, "invoices:read")), 403, *secrets)
    assert call(bearer_for(db_session, scope)).status_code in (200, 201)


def test_too_many_requests_is_429_with_retry_after(app, client, reader):
    app.config["API_RATE_LIMIT"] = "2/minute"
    assert client.get(FEED, headers=reader).status_code == 200
    assert client.get(FEED, headers=reader).status_code == 200
    limited = client.get(FEED, headers=reader)
    assert_problem(limited, 429)
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


def test_openapi_documents_the_feed_and_its_security(client):
    spec = client.get("/openapi.json").get_json()
    feed = spec["paths"]["/api/v1/tax/invoices"]["get"]
    assert feed["security"] == [{"bearerAuth": ["tax:read"]}]
    assert {p["name"] for p in feed["parameters"] if p["in"] == "query"} == {"after", "limit"}
    assert {"200", "401", "403", "422", "429"} <= set(feed["responses"])
    page_schema = feed["responses"]["200"]["content"]["application/json"]["schema"]
    assert page_schema["$ref"].endswith("/FeedPageOut")
    assert {"items", "next_cursor", "has_more"} <= set(
        spec["components"]["schemas"]["FeedPageOut"]["properties"]
    )
    xml = spec["paths"]["/api/v1/tax/invoices/{invoice_id}/xml"]["get"]
    assert {"200", "304"} <= set(xml["responses"])
    assert "ETag" in xml["responses"]["200"]["headers"]
    post = spec["paths"]["/api/v1/tax/invoices/{invoice_id}/authority-code"]["post"]
    assert post["security"] == [{"bearerAuth": ["tax:write"]}]
    assert {"200", "201", "409"} <= set(post["responses"])
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
