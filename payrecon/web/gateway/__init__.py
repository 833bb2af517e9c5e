"""What gateways call (VNPAY's IPN) and where their customers come back (the return page).

Also the two request-time helpers every payments view shares: the payment settings of this
app and the absolute URL VNPAY sends the citizen's browser back to.
"""

from __future__ import annotations

from flask import current_app, url_for

from payrecon.payments.settings import PaymentSettings

SETTINGS_KEY = "payrecon.payment_settings"


def payment_settings() -> PaymentSettings:
    """The app's PaymentSettings, read from its config once."""
    settings = current_app.extensions.get(SETTINGS_KEY)
    if settings is None:
        settings = PaymentSettings.from_config(current_app.config)
        current_app.extensions[SETTINGS_KEY] = settings
    return settings


def vnpay_return_url() -> str:
    return url_for("gateway_vnpay.vnpay_return", _external=True)
