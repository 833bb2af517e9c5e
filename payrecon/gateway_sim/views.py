"""The simulator's routes: the bank page, the IPN sender, the merchant API and test controls."""

from __future__ import annotations

from typing import Any

import requests
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from payrecon.db import utcnow
from payrecon.gateway_sim import BANK_KEY
from payrecon.gateway_sim.bank import (
    SimBank,
    SimTransaction,
    querydr_answer,
    refund_answer,
    result_params,
    signed_result_query,
)
from payrecon.payments import vnpay_merchant_api, vnpay_protocol

bp = Blueprint("gateway_sim", __name__, url_prefix="/_sim/vnpay", template_folder="templates")

FAULTS = ("garbage", "bad_signature", "http_500")


def _bank() -> SimBank:
    return current_app.extensions[BANK_KEY]


def _terminal() -> tuple[str, str]:
    tmn_code = current_app.config.get("VNPAY_TMN_CODE")
    secret = current_app.config.get("VNPAY_HASH_SECRET")
    if not tmn_code or not secret:
        abort(503, "the simulator needs PAYRECON_VNPAY_TMN_CODE and PAYRECON_VNPAY_HASH_SECRET")
    return str(tmn_code), str(secret)


def _ipn_url() -> str:
    return current_app.config.get("GATEWAY_SIM_IPN_URL") or url_for(
        "gateway_vnpay.ipn", _external=True
    )


def _register_from_query(raw_query: str) -> SimTransaction:
    """Check a payment URL's query as VNPAY would, and remember its transaction."""
    tmn_code, secret = _terminal()
    try:
        values = vnpay_protocol.verify_query(raw_query, secret)
    except vnpay_protocol.BadSignature as exc:
        abort(400, f"payment URL refused: {exc}")
    if values.get("vnp_TmnCode") != tmn_code or values.get("vnp_Command") != "pay":
        abort(400, "payment URL refused: unknown terminal or command")
    return _bank().register(values)


def send_ipn(
    txn: SimTransaction, *, outcome: str | None = None, amount_vnd: int | None = None
) -> dict[str, Any]:
    """Call the merchant's IPN URL once over HTTP; returns its answer (or the failure)."""
    tmn_code, secret = _terminal()
    params = result_params(txn, tmn_code=tmn_code, outcome=outcome, amount_vnd=amount_vnd)
    try:
        response = requests.get(f"{_ipn_url()}?{signed_result_query(params, secret)}", timeout=15)
        answer = response.json() if response.status_code == 200 else {}
    except (requests.RequestException, ValueError) as exc:
        answer = {"error": type(exc).__name__}
    txn.ipn_answers.append(answer)
    return answer


def _return_url(txn: SimTransaction) -> str:
    tmn_code, secret = _terminal()
    query = signed_result_query(result_params(txn, tmn_code=tmn_code), secret)
    return f"{txn.return_url}?{query}"


@bp.get("/paymentv2/vpcpay.html")
def bank_page():
    """The page the citizen pays on."""
    txn = _register_from_query(request.query_string.decode("ascii", errors="replace"))
    return render_template("gateway_sim/bank.html", txn=txn, amount_vnd=int(txn.amount_x100) // 100)


@bp.post("/pay")
def pay():
    """The bank page's Pay / Cancel buttons: IPN first (server to server), then the browser."""
    txn = _bank().find(request.form.get("txn_ref", ""))
    if txn is None:
        abort(404)
    outcome = "success" if request.form.get("action") == "pay" else "cancel"
    _bank().complete(txn, outcome, utcnow())
    send_ipn(txn)
    return redirect(_return_url(txn), code=303)


@bp.post("/control/complete")
def control_complete():
    """{"payment_url", "outcome": "success"|"cancel", "deliver_ipn": true, "times": 1,
    "amount_vnd": null}: finish a payment as its customer would, IPN delivered or lost."""
    body = request.get_json(force=True)
    payment_url = str(body.get("payment_url", ""))
    txn = _register_from_query(payment_url.partition("?")[2])
    _bank().complete(txn, body.get("outcome", "success"), utcnow())
    answers = []
    if body.get("deliver_ipn", True):
        answers = [
            send_ipn(txn, amount_vnd=body.get("amount_vnd"))
            for _ in range(int(body.get("times", 1)))
        ]
    return jsonify(
        txn_ref=txn.txn_ref,
        status=txn.status,
        transaction_no=txn.transaction_no,
        ipn_answers=answers,
        return_url=_return_url(txn),
    )


@bp.post("/control/ipn")
def control_ipn():
    """{"txn_ref", "times": 1, "outcome": null, "amount_vnd": null}: send IPNs again, late,
    out of order (an outcome other than the transaction's) or with another amount."""
    body = request.get_json(force=True)
    txn = _bank().find(str(body.get("txn_ref", "")))
    if txn is None:
        abort(404)
    answers = [
        send_ipn(txn, outcome=body.get("outcome"), amount_vnd=body.get("amount_vnd"))
        for _ in range(int(body.get("times", 1)))
    ]
    return jsonify(txn_ref=txn.txn_ref, ipn_answers=answers)


@bp.post("/control/faults")
def control_faults():
    """{"api": "garbage"|"bad_signature"|"http_500"|null}: how the merchant API misbehaves."""
    fault = request.get_json(force=True).get("api")
    if fault is not None and fault not in FAULTS:
        abort(400, f"api fault must be one of {', '.join(FAULTS)} or null")
    _bank().api_fault = fault
    return jsonify(api=fault)


@bp.get("/transactions")
def transactions():
    """What the simulator knows, for people looking at the demo."""
    return jsonify(
        [
            {
                "txn_ref": txn.txn_ref,
                "status": txn.status,
                "amount_vnd": int(txn.amount_x100) // 100,
                "transaction_no": txn.transaction_no,
                "refunded_vnd": txn.refunded_x100 // 100,
                "ipn_answers": txn.ipn_answers,
            }
            for txn in list(_bank().transactions.values())
        ]
    )


@bp.post("/merchant_webapi/api/transaction")
def merchant_api():
    """querydr and refund, as VNPAY's merchant API answers them (signed)."""
    tmn_code, secret = _terminal()
    bank = _bank()
    if bank.api_fault == "http_500":
        return Response("internal error", status=500)
    if bank.api_fault == "garbage":
        return Response("<html>maintenance</html>", status=200, mimetype="text/html")
    body = request.get_json(force=True, silent=True) or {}
    try:
        fields = vnpay_merchant_api.verify_api_request(body, secret)
    except vnpay_protocol.BadSignature:
        answer = {
            "vnp_ResponseId": "0",
            "vnp_Command": str(body.get("vnp_Command", "querydr")),
            "vnp_ResponseCode": "97",
            "vnp_Message": "Invalid Checksum",
        }
        if answer["vnp_Command"] not in ("querydr", "refund"):
            answer["vnp_Command"] = "querydr"
        return jsonify(vnpay_merchant_api.sign_api_response(answer, secret))
    txn = bank.find(fields.get("vnp_TxnRef", ""))
    if fields["vnp_Command"] == "querydr":
        answer = querydr_answer(txn, fields, tmn_code=tmn_code)
    else:
        answer = refund_answer(bank, txn, fields, tmn_code=tmn_code)
    signed = vnpay_merchant_api.sign_api_response(answer, secret)
    if bank.api_fault == "bad_signature":
        signed["vnp_SecureHash"] = "0" * 128
    return jsonify(signed)
