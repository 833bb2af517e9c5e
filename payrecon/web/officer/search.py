"""Payment and invoice search (/officer/search), and the payment and invoice detail pages.

The search term is posted and the results are the answer to that POST: a reference, a dossier
code or a citizen's ID number never goes into a URL, the browser history or an access log, and
searches are reads, so they are not audited. The citizen's ID number is shown masked (all but
the last 4 digits) wherever it appears. Detail pages are addressed by the row id, which says
nothing about anyone.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l

from payrecon.db import request_session
from payrecon.errors import InvalidInput
from payrecon.invoices import queries as invoice_queries
from payrecon.payments import queries as payment_queries
from payrecon.web.officer.access import require_permission
from payrecon.web.officer.blueprint import bp
from payrecon.web.officer.forms import SearchForm
from payrecon.web.officer.labels import template_helpers
from payrecon.web.officer.search_terms import SearchTerm, parse_search_term

RESULT_LIMIT = 100
# what a term of each kind looks like, shown (translated) when a term is not one
TERM_HINTS = {
    "reference": _l("A payment reference is PR and 9 letters or digits, like PR7K3MABCDW."),
    "dossier_code": _l("A dossier code has letters, digits, '-', '.' and '/'."),
    "id_number": _l("An ID number has 12 digits (CCCD) or 9 digits (CMND)."),
    "invoice_number": _l("An invoice number is its series and number, like C26TAA-123."),
}


def _payments_for(db, term: SearchTerm):
    if term.kind == "reference":
        return payment_queries.search_payments(db, reference=term.text, limit=RESULT_LIMIT)
    if term.kind == "dossier_code":
        return payment_queries.search_payments(db, dossier_code=term.text, limit=RESULT_LIMIT)
    if term.kind == "id_number":
        return payment_queries.search_payments(
            db, applicant_id_number=term.text, limit=RESULT_LIMIT
        )
    number = term.invoice_number
    invoices = invoice_queries.find_invoices_by_number(
        db, number.series, number.number, number.template_code
    )
    ids = sorted({invoice.payment_id for invoice in invoices})
    return payment_queries.search_payments(db, payment_ids=ids, limit=RESULT_LIMIT)


def _render(form: SearchForm, payments=None, status: int = 200):
    db = request_session()
    invoices = invoice_queries.invoices_by_payment(db, [p.id for p in payments or []])
    return (
        render_template(
            "officer/search.html",
            form=form,
            payments=payments,
            invoices=invoices,
            limit=RESULT_LIMIT,
            **template_helpers(),
        ),
        status,
    )


@bp.get("/search")
@require_permission("view_reports")
def search():
    return _render(SearchForm(formdata=None))


@bp.post("/search")
@require_permission("view_reports")
def search_results():
    form = SearchForm()
    if not form.validate_on_submit():
        return _render(form, status=422)
    try:
        term = parse_search_term(form.kind.data, form.term.data)
    except InvalidInput as exc:
        if exc.where == "kind":
            form.kind.errors = [*form.kind.errors, str(exc)]
        else:
            form.term.errors = [*form.term.errors, TERM_HINTS[form.kind.data]]
        return _render(form, status=422)
    payments = _payments_for(request_session(), term)
    form.term.data = ""  # the page does not show the term back: it may be an ID number
    return _render(form, payments)


@bp.get("/payments/<int:payment_id>")
@require_permission("view_reports")
def payment_detail(payment_id: int):
    db = request_session()
    payment = payment_queries.get_payment(db, payment_id)
    return render_template(
        "officer/payment.html",
        payment=payment,
        events=payment_queries.list_events(db, payment_id),
        refunds=payment_queries.list_refunds(db, payment_id),
        totals=payment_queries.refund_totals(db, payment_id),
        invoices=invoice_queries.invoices_by_payment(db, [payment_id])[payment_id],
        **template_helpers(),
    )


@bp.get("/invoices/<int:invoice_id>")
@require_permission("view_reports")
def invoice_detail(invoice_id: int):
    db = request_session()
    invoice = invoice_queries.get_invoice(db, invoice_id)
    return render_template(
        "officer/invoice.html",
        invoice=invoice,
        payment=payment_queries.get_payment(db, invoice.payment_id),
        corrections=invoice_queries.corrections_of(db, invoice_id),
        decision=invoice_queries.find_authority_decision(db, invoice_id),
        **template_helpers(),
    )
