"""Hostile HTTP requests: huge bodies, wrong content types, odd strings, traversal, forged IPNs.

Each answer must be a deliberate 4xx in problem+json (or VNPAY's 200 + RspCode for the IPN),
never a 500, and nothing may be stored by a refused request.
"""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder, run_wsgi_app

from payrecon.auth.scopes import KNOWN_SCOPES
from payrecon.payments import vnpay_protocol
from payrecon.payments.models import Payment, PaymentEvent
from tests.e2e.auth.helpers import bearer_for
from tests.e2e.payments.conftest import HASH_SECRET, TMN_CODE
from tests.factories import make_dossier, make_procedure

PROBLEM_JSON = "application/problem+json"


@pytest.fixture
def api(roomy_app):
    return roomy_app.test_client()


@pytest.fixture
def auth(db_session):
    return {**bearer_for(db_session, *KNOWN_SCOPES), "Idempotency-Key": "hardening-test-key"}


def assert_problem(response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.get_data()[:300])
    assert response.mimetype == PROBLEM_JSON
    body = response.get_json()
    assert body["status"] == response.status_code
    assert body["detail"]


class CountingStream(io.RawIOBase):
    """A request body of `size` bytes made up as it is read, counting what the app read."""

    def __init__(self, size: int) -> None:
        self.remaining = size
        self.read_so_far = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.remaining)
        buffer[:n] = b"x" * n
        self.remaining -= n
        self.read_so_far += n
        return n


HUNDRED_MB = 100 * 1024 * 1024


def post_stream(app, path: str, stream: CountingStream, headers: dict[str, str], **environ):
    """POST `stream` as the body through the WSGI app itself (the test client would buffer it)."""
    builder = EnvironBuilder(
        path=path,
        method="POST",
        headers=headers,
        content_type="multipart/form-data; boundary=xyz",
    )
    wsgi_environ = builder.get_environ()
    builder.close()
    wsgi_environ.update(environ)
    wsgi_environ["wsgi.input"] = stream
    body, status, response_headers = run_wsgi_app(app, wsgi_environ, buffered=True)
    return int(status.split()[0]), response_headers.get("Content-Type"), b"".join(body)


def test_a_100_mb_upload_is_413_without_reading_the_body(roomy_app, auth):
    stream = CountingStream(HUNDRED_MB)
    status, content_type, _ = post_stream(
        roomy_app,
        "/api/v1/statements",
        stream,
        auth,
        CONTENT_LENGTH=str(HUNDRED_MB),
    )
    assert (status, content_type) == (413, PROBLEM_JSON)
    assert stream.read_so_far == 0


def test_a_100_mb_upload_without_a_length_is_cut_off_at_the_limit(roomy_app, auth):
    """Chunked bodies carry no Content-Length: werkzeug stops reading at MAX_CONTENT_LENGTH."""
    limit = roomy_app.config["MAX_CONTENT_LENGTH"]
    stream = CountingStream(HUNDRED_MB)
    status, content_type, _ = post_stream(
        roomy_app, "/api/v1/statements", stream, auth, **{"wsgi.input_terminated": True}
    )
    assert (status, content_type) == (413, PROBLEM_JSON)
    assert stream.read_so_far <= limit + 1024 * 1024


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/v1/dossiers/HS-000001"),
        ("post", "/api/v1/payments"),
        ("post", "/api/v1/payments/1/refunds"),
        ("post", "/api/v1/tax/invoices/1/authority-code"),
    ],
)
def test_an_oversized_json_body_is_413(roomy_app, api, auth, method, path):
    roomy_app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    body = '{"reason": "' + "a" * 200_000 + '"}'
    response = getattr(api, method)(path, data=body, content_type="application/json", headers=auth)
    assert_problem(response, 413)


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("text/plain", '{"dossier_code": "HS-000001", "method": "vietqr"}'),
        ("application/xml", "<payment><method>vietqr</method></payment>"),
        ("application/x-www-form-urlencoded", "dossier_code=HS-000001&method=vietqr"),
        ("application/json", '{"dossier_code": "HS-000001", '),
        ("application/json", "\xff\xfe not utf-8"),
        ("application/json", '["a", "list"]'),
        ("application/json", "null"),
    ],
)
def test_a_body_that_is_not_the_documented_json_is_refused(
    api, auth, db_session, content_type, data
):
    response = api.post("/api/v1/payments", data=data, content_type=content_type, headers=auth)
    assert_problem(response, 400, 415, 422)
    assert db_session.scalar(select(func.count()).select_from(Payment)) == 0


HOSTILE_STRINGS = [
    "' OR '1'='1' --",
    "'; DROP TABLE dossiers; --",
    '" UNION SELECT password_hash FROM officers --',
    "\x00",
    "Nguyễn\x00Văn A",
    "\ud800",  # a lone surrogate: not encodable as UTF-8
    "A" * 100_000,
    "Ｎｇｕｙễｎ 🧾 \u202eA\u202c",
    "../../../../etc/passwd",
    "%00%0d%0a",
    "",
    " ",
]


def dossier_body(**changes) -> dict:
    body = {
        "procedure_code": "TTHC-HOSTILE",
        "applicant_name": "Nguyễn Văn A",
        "applicant_id": "001099012345",
        "applicant_tax_code": None,
        "received_at": "2026-11-20T09:00:00+07:00",
        "status": "received",
        "fee_due_vnd": 150_000,
    }
    body.update(changes)
    return body


def assert_handled(response) -> None:
    """A 2xx, or a 4xx in problem+json; never a 5xx."""
    assert response.status_code < 500, response.get_data()[:500]
    if response.status_code >= 400:
        assert response.mimetype == PROBLEM_JSON


@pytest.mark.parametrize(
    "field",
    [
        "procedure_code",
        "applicant_name",
        "applicant_id",
        "applicant_tax_code",
        "received_at",
        "status",
    ],
)
def test_hostile_text_in_every_dossier_field(api, auth, db_session, field):
    make_procedure(db_session, code="TTHC-HOSTILE")
    db_session.commit()
    for hostile in HOSTILE_STRINGS:
        body = dossier_body(**{field: hostile})
        assert_handled(api.put("/api/v1/dossiers/HS-000001", json=body, headers=auth))
        assert_handled(
            api.put(
                f"/api/v1/dossiers/{quote(hostile, safe='', errors='surrogatepass')}",
                json=dossier_body(),
                headers=auth,
            )
        )


@pytest.mark.parametrize("hostile", HOSTILE_STRINGS)
def test_hostile_text_in_the_payment_fields_and_key(api, auth, db_session, hostile):
    for body, headers in (
        ({"dossier_code": hostile, "method": "vietqr"}, auth),
        ({"dossier_code": "HS-000001", "method": hostile}, auth),
        ({"dossier_code": "HS-000002", "method": "vietqr"}, {**auth, "Idempotency-Key": hostile}),
    ):
        try:
            response = api.post("/api/v1/payments", json=body, headers=headers)
        except ValueError:  # werkzeug refuses to send a header holding NUL or newlines itself
            assert any(c in hostile for c in "\x00\r\n")
            continue
        assert_handled(response)


@pytest.mark.parametrize("hostile", HOSTILE_STRINGS)
def test_hostile_text_in_refund_and_authority_fields(api, auth, db_session, hostile):
    dossier = make_dossier(db_session, fee_due_vnd=150_000)
    db_session.commit()
    created = api.post(
        "/api/v1/payments", json={"dossier_code": dossier.code, "method": "vietqr"}, headers=auth
    )
    assert created.status_code == 201, created.get_json()
    payment_id = created.get_json()["id"]
    for path, body in (
        (f"/api/v1/payments/{payment_id}/refunds", {"amount_vnd": 1, "reason": hostile}),
        (f"/api/v1/payments/{payment_id}/refunds/1/transferred", {"note": hostile}),
        ("/api/v1/tax/invoices/1/authority-code", {"code": hostile}),
        ("/api/v1/tax/invoices/1/authority-code", {"rejection_reason": hostile}),
    ):
        assert_handled(api.post(path, json=body, headers=auth))
    # quoted by hand: a lone surrogate goes on the wire as the bytes ED A0 80
    after = quote(hostile, errors="surrogatepass")
    assert_handled(api.get(f"/api/v1/tax/invoices?after={after}", headers=auth))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/dossiers/..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/v1/dossiers/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/api/v1/dossiers/..\\..\\windows\\win.ini",
        "/api/v1/dossiers/%00",
        "/api/v1/dossiers/" + "%C3%A9" * 5000,
        "/api/v1/invoices/..%2F..%2Fetc%2Fpasswd/xml",
        "/api/v1/invoices/%2e%2e/xml",
        "/api/v1/tax/invoices/..%2F..%2Fpyproject.toml/xml",
        "/api/v1/payments/..%2F1",
        "/api/v1/payments/-1",
        "/api/v1/payments/0",
        "/api/v1/payments/1e3",
        "/api/v1/payments/99999999999999999999999999",
        "/api/v1/payments/9223372036854775808/cancel",
        "/api/v1/payments/1/refunds/9223372036854775808/transferred",
        "/gateway/vnpay/../../pyproject.toml",
    ],
)
def test_path_traversal_and_odd_ids_are_404_never_a_file(api, auth, path):
    method = api.post if path.endswith(("/cancel", "/transferred")) else api.get
    response = method(path, headers=auth)
    assert_problem(response, 404, 405, 422)
    assert b"[project]" not in response.get_data()
    assert b"root:" not in response.get_data()


def test_the_largest_database_id_is_an_ordinary_not_found(api, auth):
    response = api.get(f"/api/v1/payments/{2**63 - 1}", headers=auth)
    assert_problem(response, 404)


def sign_ipn(reference: str, amount_vnd: int, *, secret: str = HASH_SECRET) -> str:
    params = {
        "vnp_Amount": str(amount_vnd * 100),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": f"Nop phi {reference}",
        "vnp_PayDate": "20261120093000",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": TMN_CODE,
        "vnp_TransactionNo": "14422574",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": reference,
    }
    signature = vnpay_protocol.sign(params, secret)
    return f"{vnpay_protocol.signed_query(params)}&vnp_SecureHash={signature}"


def payment_row(session, payment_id: int) -> dict:
    session.rollback()
    payment = session.get(Payment, payment_id)
    return {
        "status": payment.status,
        "paid_at": payment.paid_at,
        "provider_transaction_id": payment.provider_transaction_id,
        "is_duplicate": payment.is_duplicate,
        "amount_vnd": payment.amount_vnd,
    }


def event_count(session, payment_id: int) -> int:
    session.rollback()
    return session.scalar(
        select(func.count()).select_from(PaymentEvent).where(PaymentEvent.payment_id == payment_id)
    )


def test_forged_and_replayed_ipns_over_http_change_nothing(api, auth, db_session):
    dossier = make_dossier(db_session, fee_due_vnd=150_000)
    db_session.commit()
    created = api.post(
        "/api/v1/payments", json={"dossier_code": dossier.code, "method": "vnpay"}, headers=auth
    )
    assert created.status_code == 201, created.get_json()
    payment = created.get_json()
    before = payment_row(db_session, payment["id"])
    events_before = event_count(db_session, payment["id"])

    forgeries = [
        sign_ipn(payment["reference"], 150_000, secret="not-the-terminal-secret"),
        sign_ipn(payment["reference"], 150_000).replace("vnp_Amount=15000000", "vnp_Amount=100"),
        sign_ipn(payment["reference"], 150_000).replace(
            "vnp_ResponseCode=00", "vnp_ResponseCode=24"
        ),
        sign_ipn(payment["reference"], 150_000).split("&vnp_SecureHash=")[0],
        sign_ipn(payment["reference"], 150_000) + "&vnp_Amount=1",
        "vnp_TxnRef=" + payment["reference"] + "&vnp_SecureHash=" + "0" * 128,
    ]
    for forged in forgeries:
        answer = api.get(f"/gateway/vnpay/ipn?{forged}")
        assert answer.status_code == 200
        assert answer.get_json()["RspCode"] == "97", forged
    assert payment_row(db_session, payment["id"]) == before
    assert event_count(db_session, payment["id"]) == events_before  # forgeries store nothing

    genuine = sign_ipn(payment["reference"], 150_000)
    assert api.get(f"/gateway/vnpay/ipn?{genuine}").get_json()["RspCode"] == "00"
    after_success = payment_row(db_session, payment["id"])
    assert after_success["status"] == "succeeded"
    for _ in range(3):
        replay = api.get(f"/gateway/vnpay/ipn?{genuine}")
        assert replay.get_json() == {"RspCode": "02", "Message": "Order already confirmed"}
    assert payment_row(db_session, payment["id"]) == after_success


def test_a_misspelt_feed_parameter_is_refused_not_ignored(api, auth):
    response = api.get("/api/v1/tax/invoices?afer=djE6MA", headers=auth)
    assert_problem(response, 422)
    assert response.get_json()["errors"] == [{"where": "query.afer", "detail": "Unknown field."}]


def test_nul_and_lone_surrogates_are_named_where_they_are(api, auth, db_session):
    make_procedure(db_session, code="TTHC-HOSTILE")
    db_session.commit()
    response = api.put(
        "/api/v1/dossiers/HS-000001",
        data='{"applicant_name": "Nguy\\u1ec5n\\ud800", "status": "received"}',
        content_type="application/json",
        headers=auth,
    )
    assert_problem(response, 422)
    assert response.get_json()["errors"][0]["where"] == "body.applicant_name"
    response = api.put(
        "/api/v1/dossiers/HS-000001", json=dossier_body(applicant_id="0\x00"), headers=auth
    )
    assert_problem(response, 422)
    assert "NUL" in response.get_json()["detail"]
