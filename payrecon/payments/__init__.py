"""Payments: what a citizen pays for a dossier, and how we learn that the money arrived.

This domain owns the payment state machine and the payment methods. Its pure cores take plain
values and never touch the database:

- ``states``: PaymentStatus, the allowed moves, refund arithmetic and the late-success rule;
- ``references``: our payment reference (``PR`` + random body + check character) and the
  extractor that finds it in bank remittance text;
- ``vietqr``: the EMVCo/NAPAS 247 QR payload for a bank transfer, built and parsed;
- ``vnpay_protocol``: VNPAY 2.1.0 signing, payment URL, IPN verification and decision, and the
  querydr/refund merchant API messages.

The front door for everything that reads or writes payments is ``payments.service``.
"""
