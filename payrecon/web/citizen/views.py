"""/pay pages: the dossier's fee and the two ways to pay, the QR page, status and receipt."""

from __future__ import annotations

import io
from typing import Any

import segno
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

from payrecon import money
from payrecon.db import request_session
from payrecon.dossiers import queries as dossier_queries
from payrecon.errors import PayreconError
from payrecon.payments import queries, service
from payrecon.payments.banks import bank_name
from payrecon.payments.models import METHODS
from payrecon.web.citizen import receipt_links
from payrecon.web.citizen.texts import COOKIE, LANGUAGES, language, translator
from payrecon.web.gateway import payment_settings, vnpay_return_url
from payrecon.web.problems import status_for

bp = Blueprint(
    "citizen",
    __name__,
    url_prefix="/pay",
    template_folder="../templates",
    static_folder="../static/citizen",
    static_url_path="/static",
)

MONEY_TAKEN = queries.MONEY_TAKEN


@bp.app_template_filter("vnd")
def _vnd(amount: int) -> str:
    return money.format_vnd(amount)


@bp.context_processor
def _language_context() -> dict[str, Any]:
    lang = language()
    other = "en" if lang == "vi" else "vi"
    return {"lang": lang, "t": translator(lang), "other_lang": other}


@bp.after_request
def _remember_language(response: Response) -> Response:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        response.set_cookie(COOKIE, wanted, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def _problem_page(exc: PayreconError):
    return render_template("citizen/error.html", detail=str(exc)), status_for(exc).value


def _payment_page_data(reference: str) -> tuple[Any, dict[str, Any]]:
    session = request_session()
    payment = queries.find_payment_by_reference(session, reference)
    if payment is None:
        abort(404)
    return payment, service.payment_resource(session, payment)


@bp.get("/<dossier_code>")
def dossier_page(dossier_code: str):
    """The procedure, the fee and the two ways to pay."""
    session = request_session()
    dossier = dossier_queries.find_dossier(session, dossier_code)
    if dossier is None:
        abort(404)
    summary = queries.dossier_payments(session, dossier)
    paid = [p for p in summary.payments if p.status in MONEY_TAKEN]
    return render_template(
        "citizen/dossier.html", dossier=dossier, summary=summary, paid_payments=paid
    )


@bp.post("/<dossier_code>/start")
def start_payment(dossier_code: str):
    """Create (or take up again) a payment and send the citizen on to pay it."""
    method = request.form.get("method", "")
    if method not in METHODS:
        abort(400)
    try:
        answer = service.create_payment(
            request_session(),
            dossier_code=dossier_code,
            method=method,
            actor="citizen",
            settings=payment_settings(),
            client_ip=request.remote_addr or "127.0.0.1",
            return_url=vnpay_return_url(),
            locale="en" if language() == "en" else "vn",
        )
    except PayreconError as exc:
        return _problem_page(exc)
    if method == "vnpay":
        return redirect(answer.body["redirect_url"], code=303)
    return redirect(url_for("citizen.qr_page", reference=answer.reference), code=303)


@bp.get("/<reference>/qr")
def qr_page(reference: str):
    """The QR code with the bank, account and transfer content written out."""
    payment, view = _payment_page_data(reference)
    if payment.method != "vietqr" or payment.status != "pending":
        return redirect(url_for("citizen.status_page", reference=reference))
    qr = view["vietqr"]
    return render_template(
        "citizen/qr.html",
        payment=view,
        qr=qr,
        bank=bank_name(qr["bank_bin"]),
        amount_words=money.amount_in_words_vi(payment.amount_vnd),
    )


@bp.get("/<reference>/qr.svg")
def qr_svg(reference: str):
    """The VietQR code as an SVG image."""
    payment, _ = _payment_page_data(reference)
    if not payment.qr_payload:
        abort(404)
    buffer = io.BytesIO()
    segno.make(payment.qr_payload, error="m", micro=False).save(
        buffer, kind="svg", scale=6, border=4, xmldecl=False, title=payment.reference
    )
    response = Response(buffer.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/<reference>/status")
def status_page(reference: str):
    """Where the payment stands; links on to the receipt once paid."""
    _, view = _payment_page_data(reference)
    return render_template("citizen/status.html", payment=view)


@bp.get("/<reference>/status.json")
def status_json(reference: str):
    """For the optional polling script: just the status."""
    _, view = _payment_page_data(reference)
    response = jsonify(reference=view["reference"], status=view["status"])
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<reference>/receipt")
def receipt_page(reference: str):
    """The payment receipt, with the documents other domains attach (receipt_links)."""
    payment, view = _payment_page_data(reference)
    if payment.status not in MONEY_TAKEN:
        return redirect(url_for("citizen.status_page", reference=reference))
    dossier = dossier_queries.find_dossier(request_session(), view["dossier_code"])
    return render_template(
        "citizen/receipt.html",
        payment=view,
        dossier=dossier,
        amount_words=money.amount_in_words_vi(payment.amount_vnd),
        receipt_links=receipt_links(current_app, view),
    )
