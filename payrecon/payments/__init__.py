"""Payments: what a citizen pays for a dossier, and how we learn that the money arrived.

This domain owns the payment state machine and the payment methods. Its pure cores take plain
values and never touch the database:

- ``states``: PaymentStatus, the allowed moves, refund arithmetic and the late-success rule;
- ``references``: our payment reference (``PR`` + random body + check character) and the
  extractor that finds it in bank remittance text;
- ``vietqr``: the EMVCo/NAPAS 247 QR payload for a bank transfer, built and parsed;
- ``vnpay_protocol``: VNPAY 2.1.0 signing, payment URL, IPN verification and decision, and the
  querydr/refund merchant API messages;
- ``bank_credit``: the bank's signed credit notification and the rule a bank credit settles a
  VietQR payment by (exact, under, over, already paid, refund due).

Around them: ``models`` (payments, payment_events, refunds, idempotency_keys, bank_credits,
bank_notifications), ``service`` (the
front door: create_payment, cancel_payment, payment_resource, and re-exported from
``money_in``, ``refunds``, ``mopup`` and ``idempotency``: record_money_received,
handle_vnpay_ipn, request_refund, complete_refund_transfer, expire_pending_payments,
settle_stale_vnpay_payments, purge_idempotency_keys; from ``bank_in``:
receive_credit_notification, settle_statement_credits), ``queries`` (reads), ``present`` (the
JSON shape, pure), ``gateway_client`` (VNPAY's merchant API over HTTP), ``settings``.
"""
