"""The citizen's payment pages under /pay: server-rendered, no JavaScript needed.

`receipt_links` is the hook for documents shown on the receipt page: another domain (the
invoices, once they land) registers a provider with `register_receipt_links(app, provider)`;
each provider takes the payment resource (payments.present.payment_view) and returns a list
of ReceiptLink. With no provider registered the receipt page says the document will follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

RECEIPT_LINKS_KEY = "payrecon.receipt_links"


@dataclass(frozen=True)
class ReceiptLink:
    label_vi: str
    label_en: str
    url: str


ReceiptLinkProvider = Callable[[dict[str, Any]], list[ReceiptLink]]


def register_receipt_links(app: Flask, provider: ReceiptLinkProvider) -> None:
    app.extensions.setdefault(RECEIPT_LINKS_KEY, []).append(provider)


def receipt_links(app: Flask, payment: dict[str, Any]) -> list[ReceiptLink]:
    links: list[ReceiptLink] = []
    for provider in app.extensions.get(RECEIPT_LINKS_KEY, []):
        links.extend(provider(payment))
    return links
