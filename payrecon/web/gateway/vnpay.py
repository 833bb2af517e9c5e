"""VNPAY's two URLs: the server-to-server IPN (it decides) and the browser's return (it shows).

The IPN is verified on the raw query string exactly as received (request.query_string), never
on a parsed dict, and always answered with HTTP 200 and {"RspCode", "Message"}: 97 for a
signature that does not verify (nothing is stored, a log line is written), 99 for anything
unexpected on our side (VNPAY then retries).
"""

from __future__ import annotations

import logging

from flask import render_template, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from payrecon.db import is_database_unavailable, request_session
from payrecon.payments import queries, service
from payrecon.payments.vnpay_protocol import BadSignature, IpnAnswer, RspCode, verify_query
from payrecon.web.citizen.texts import language, translator
from payrecon.web.gateway import payment_settings

log = logging.getLogger("payrecon.web.gateway")

blp = Blueprint(
    "gateway_vnpay",
    __name__,
    url_prefix="/gateway/vnpay",
    description="Called by VNPAY (IPN) and by the citizen's browser coming back from VNPAY",
)

VNP_QUERY_DOC = {
    "parameters": [
        {
            "in": "query",
            "name": name,
            "required": required,
            "schema": {"type": "string"},
            "description": description,
        }
        for name, required, description in (
            ("vnp_TxnRef", True, "our payment reference"),
            ("vnp_Amount", True, "amount in VND × 100"),
            ("vnp_ResponseCode", True, "00 = approved"),
            ("vnp_TransactionStatus", True, "00 = success"),
            ("vnp_TransactionNo", False, "VNPAY's transaction id"),
            ("vnp_PayDate", False, "yyyyMMddHHmmss, GMT+7"),
            ("vnp_SecureHash", True, "HMAC-SHA512 of the other vnp_* parameters"),
        )
    ]
}


class IpnAnswerOut(Schema):
    RspCode = fields.String(
        required=True, validate=validate.OneOf([code.value for code in RspCode])
    )
    Message = fields.String(required=True)


def _raw_query() -> str:
    return request.query_string.decode("ascii")


@blp.get("/ipn")
@blp.doc(**VNP_QUERY_DOC)
@blp.response(200, IpnAnswerOut, description="always 200; RspCode says what we did")
def ipn():
    """VNPAY's IPN: verify, act once, answer 00/01/02/04/97/99 as VNPAY expects."""
    try:
        raw_query = _raw_query()
    except UnicodeDecodeError:
        log.warning("VNPAY IPN refused: the query string is not ASCII")
        return IpnAnswer(RspCode.INVALID_SIGNATURE).as_json()
    try:
        answer = service.handle_vnpay_ipn(
            request_session(), raw_query=raw_query, terminal=payment_settings().require_vnpay()
        )
    except Exception as exc:  # VNPAY must get an answer; 99 makes it retry later
        if is_database_unavailable(exc):
            log.warning("VNPAY IPN answered 99: database unavailable (%s)", type(exc).__name__)
        else:
            log.exception("VNPAY IPN failed on our side")
        answer = IpnAnswer(RspCode.UNKNOWN_ERROR)
    return answer.as_json()


@blp.get("/return")
@blp.doc(
    **VNP_QUERY_DOC,
    responses={
        "200": {"description": "an HTML page", "content": {"text/html": {}}},
        "400": {
            "description": "the query does not verify: an HTML page saying so",
            "content": {"text/html": {}},
        },
    },
)
def vnpay_return():
    """The citizen's browser back from VNPAY: shows what we recorded, changes nothing."""
    lang = language()
    context = {"lang": lang, "t": translator(lang), "other_lang": "en" if lang == "vi" else "vi"}
    settings = payment_settings()
    try:
        if settings.vnpay is None:
            raise BadSignature("VNPAY is not configured", where="vnp_SecureHash")
        values = verify_query(_raw_query(), settings.vnpay.hash_secret)
    except (BadSignature, UnicodeDecodeError):
        return render_template("citizen/vnpay_return.html", payment=None, **context), 400
    session = request_session()
    payment = queries.find_payment_by_reference(session, values.get("vnp_TxnRef", ""))
    view = service.payment_resource(session, payment) if payment is not None else None
    return render_template("citizen/vnpay_return.html", payment=view, **context)
