"""Shared pieces of the bank credit tests: a pending VietQR payment, notifications, statements."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from payrecon.catalog.models import CollectionAccount
from payrecon.payments import service
from payrecon.payments.bank_credit import GMT7, parse_notification
from payrecon.statements.service import import_statement_file
from tests.integration.payments.helpers import create, make_settings

WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=GMT7)
CSV_HEADER = (
    "booking_date,value_date,amount,direction,bank_reference,description,counterparty_name,"
    "counterparty_account\n"
)


def pending_vietqr(session, dossier) -> tuple[str, str]:
    """A new pending VietQR payment of the dossier's fee: (reference, collection account)."""
    answer = create(session, make_settings(), dossier)
    account = session.scalars(
        select(CollectionAccount.account_number).where(
            CollectionAccount.agency_id == dossier.procedure.agency_id
        )
    ).one()
    return answer.reference, account


def notification_body(
    account: str,
    amount_vnd: int,
    content: str,
    bank_transaction_id: str,
    *,
    when: datetime = WHEN,
    transfer_type: str = "in",
) -> bytes:
    return json.dumps(
        {
            "gateway": "Vietcombank",
            "transaction_date": when.strftime("%Y-%m-%d %H:%M:%S"),
            "account_number": account,
            "content": content,
            "transfer_type": transfer_type,
            "amount": amount_vnd,
            "reference_code": bank_transaction_id,
        }
    ).encode()


def notify(session, account, amount_vnd, content, bank_transaction_id, **kwargs):
    """Deliver a (verified) credit notification to the service."""
    body = notification_body(account, amount_vnd, content, bank_transaction_id, **kwargs)
    return service.receive_credit_notification(
        session, body=body, signed_at=WHEN, notification=parse_notification(body)
    )


def import_credits(session, account, *lines, filename="statement.csv"):
    """Import a generic CSV statement of credit lines: (amount, bank ref, text[, date])."""
    rows = []
    for line in lines:
        amount, bank_ref, text, *rest = line
        day = rest[0] if rest else "2026-11-20"
        rows.append(f'{day},{day},{amount},C,{bank_ref},"{text}",NGUYEN VAN A,0071000123456\n')
    data = (CSV_HEADER + "".join(rows)).encode()
    return import_statement_file(
        session, data, filename=filename, actor="officer:test", account_number=account
    )
