"""A VNPAY-like gateway inside the project, under /_sim, for the demo and the tests only.

Enabled only when PAYRECON_GATEWAY_SIMULATOR is set (the demo settings and the test config
set it; production never does, and the app logs a warning whenever it is on). It plays VNPAY
for the terminal in PAYRECON_VNPAY_TMN_CODE / _HASH_SECRET:

- GET  /_sim/vnpay/paymentv2/vpcpay.html?<signed payment URL query>: the "bank page", which
  checks our signature like VNPAY does and offers Pay and Cancel;
- POST /_sim/vnpay/pay (the page's form): completes the payment, calls our IPN over real HTTP
  with a correctly signed query, then sends the browser to our return URL;
- POST /_sim/vnpay/merchant_webapi/api/transaction: querydr and refund, signed answers;
- POST /_sim/vnpay/control/complete, /control/ipn, /control/faults: JSON controls for tests
  and demos: complete without delivering the IPN (a lost IPN), repeat an IPN, send one late
  or out of order or with another amount, make the merchant API answer nonsense.

The bank side (``bank_transfer``, under /_sim/bank) plays the bank of a VietQR transfer: it sends
signed credit notifications to /gateway/bank/credit, with retries, duplicates, forgeries and
replays on request.

The IPN goes to PAYRECON_GATEWAY_SIM_IPN_URL if set, else to this app's own
/gateway/vnpay/ipn on the host the request came to; the server must be able to serve that
call while it handles the form (a threaded server, or more than one worker).
"""

from __future__ import annotations

from flask import Flask

from payrecon.gateway_sim.bank import SimBank

BANK_KEY = "payrecon.gateway_sim"


def init_app(app: Flask) -> None:
    if not app.config.get("GATEWAY_SIMULATOR"):
        return
    from payrecon.gateway_sim.bank_transfer import bp as bank_bp
    from payrecon.gateway_sim.views import bp

    app.logger.warning(
        "the VNPAY and bank simulator is enabled at /_sim (PAYRECON_GATEWAY_SIMULATOR): "
        "demo and tests only"
    )
    app.extensions[BANK_KEY] = SimBank()
    app.register_blueprint(bp)
    app.register_blueprint(bank_bp)
