"""A realistic little world for load runs, and the request mix that visits it.

Shared by bench/load.py (wrk, timed) and tests/hardening/test_load.py (a bounded run in the
suite). seed_world() fills a migrated PostgreSQL database through the services where it
matters (paid payments and issued, signed invoices) and with Core inserts where volume
matters (dossiers, pending card payments); request_mix() returns the requests of one run.

The mix, by weight: dossier lookups 35, payment creations 20 (a unique Idempotency-Key each;
repeats on a dossier answer with its live pending payment), VNPAY IPNs 15 (signed; the first
one for a payment confirms it, later ones are 02), invoice fetches 15 (JSON 10, signed XML 5),
tax feed pages 15. Every one of them should answer 2xx.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from payrecon.auth import service as auth_service
from payrecon.auth.scopes import KNOWN_SCOPES
from payrecon.catalog.models import Agency, CollectionAccount, Procedure
from payrecon.db import make_engine, upgrade_to_head
from payrecon.dossiers.models import Dossier
from payrecon.invoices.keys import keys_from_pem
from payrecon.invoices.models import Invoice
from payrecon.invoices.service import issue_pending_invoices
from payrecon.invoices.signing import generate_demo_keypair
from payrecon.payments import service as payment_service
from payrecon.payments import vnpay_protocol
from payrecon.payments.models import Payment
from payrecon.payments.references import new_reference
from payrecon.payments.settings import PaymentSettings, VnpayTerminal

TMN_CODE = "LOADTMN1"
FEE_VND = 200_000
WEIGHTS = {"dossier": 35, "create": 20, "ipn": 15, "invoice": 10, "invoice_xml": 5, "feed": 15}


@dataclass(frozen=True)
class World:
    token: str
    dossier_codes: list[str]
    payable_codes: list[str]  # neither paid nor holding a pending card payment
    ipn_queries: list[str]
    invoice_ids: list[int]


@dataclass(frozen=True)
class MixRequest:
    kind: str
    method: str
    path: str
    authorised: bool
    body: str | None = None


def app_environment(url: str, secret: str, tmn_code: str = TMN_CODE) -> dict[str, str]:
    """PAYRECON_* for the app under load: this database, the VNPAY terminal the IPNs name."""
    return {
        "PAYRECON_DATABASE_URL": url,
        "PAYRECON_SECRET_KEY": secret,
        "PAYRECON_VNPAY_TMN_CODE": tmn_code,
        "PAYRECON_VNPAY_HASH_SECRET": secret,
        "PAYRECON_VNPAY_PAY_URL": "https://sandbox.example/paymentv2/vpcpay.html",
        "PAYRECON_API_RATE_LIMIT": "1000000/second",
    }


def _catalog_and_dossiers(connection, count: int, now: datetime) -> list[str]:
    agency_id = connection.execute(
        insert(Agency)
        .values(
            code="LOAD", name="Sở Thử tải", tax_code="5700100256", address="Hạ Long, Quảng Ninh"
        )
        .returning(Agency.id)
    ).scalar_one()
    connection.execute(
        insert(CollectionAccount).values(
            agency_id=agency_id,
            bank_bin="970436",
            account_number="0141000888888",
            account_name="SO THU TAI",
        )
    )
    procedure_id = connection.execute(
        insert(Procedure)
        .values(
            code="LOAD-TTHC",
            name="Thủ tục thử tải",
            agency_id=agency_id,
            fee_vnd=FEE_VND,
            fee_kind="fee",
            vat_rate="KCT",
        )
        .returning(Procedure.id)
    ).scalar_one()
    codes = [f"LOAD-{n:07d}" for n in range(1, count + 1)]
    connection.execute(
        insert(Dossier),
        [
            {
                "code": code,
                "procedure_id": procedure_id,
                "applicant_name": "Nguyễn Văn A",
                "applicant_id_number": "022090001234",
                "received_at": now,
                "status": "received",
                "fee_due_vnd": FEE_VND,
                "updated_at": now,
            }
            for code in codes
        ],
    )
    return codes


def _signed_ipn(reference: str, number: int, secret: str) -> str:
    params = {
        "vnp_Amount": str(FEE_VND * 100),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": "Nop phi",
        "vnp_PayDate": "20261126093000",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": TMN_CODE,
        "vnp_TransactionNo": str(16_000_000 + number),
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": reference,
    }
    signature = vnpay_protocol.sign(params, secret)
    return f"{vnpay_protocol.signed_query(params)}&vnp_SecureHash={signature}"


def seed_world(url: str, *, dossiers: int, card_payments: int, invoices: int, secret: str) -> World:
    """Migrate `url` and fill it; dossiers ≥ card_payments + invoices."""
    engine = make_engine(url)
    upgrade_to_head(engine)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        codes = _catalog_and_dossiers(connection, dossiers, now)
        card_ids = (
            connection.execute(select(Dossier.id).order_by(Dossier.id.desc()).limit(card_payments))
            .scalars()
            .all()
        )
        pending = [
            {
                "reference": new_reference(),
                "dossier_id": dossier_id,
                "amount_vnd": FEE_VND,
                "method": "vnpay",
                "status": "pending",
                "created_at": now,
                "expires_at": now + timedelta(days=1),
                "updated_at": now,
                "is_duplicate": False,
            }
            for dossier_id in card_ids
        ]
        if pending:
            connection.execute(insert(Payment), pending)
    settings = PaymentSettings(
        expiry_vnpay=timedelta(minutes=15),
        expiry_vietqr=timedelta(hours=24),
        querydr_after=timedelta(minutes=15),
        vnpay=VnpayTerminal(TMN_CODE, secret, "https://sandbox.example/pay", None, 5.0),
    )
    with Session(engine) as session:
        for number, code in enumerate(codes[:invoices]):
            answer = payment_service.create_payment(
                session,
                dossier_code=code,
                method="vietqr",
                actor="load",
                settings=settings,
                client_ip="203.0.113.7",
                return_url="https://payrecon.example/gateway/vnpay/return",
            )
            payment_service.record_money_received(
                session,
                reference=answer.body["reference"],
                amount_vnd=FEE_VND,
                provider_transaction_id=f"FT{26_000_000 + number}",
                paid_at=now,
                actor="bank:load",
                source="bank credit",
            )
        if invoices:
            issued = issue_pending_invoices(
                session, keys=keys_from_pem(*generate_demo_keypair("load"))
            )
            if issued.issue_failures or issued.issued != invoices:
                raise RuntimeError(f"seeding invoices: {issued}")
        invoice_ids = list(session.scalars(select(Invoice.id).order_by(Invoice.id)))
        token = auth_service.create_token(
            session, name="load", scopes=list(KNOWN_SCOPES), actor="load"
        ).text
        session.execute(text("ANALYZE"))
        session.commit()
    engine.dispose()
    queries = [_signed_ipn(row["reference"], n, secret) for n, row in enumerate(pending)]
    payable = codes[invoices : len(codes) - card_payments]
    return World(token, codes, payable, queries, invoice_ids)


def request_mix(world: World, count: int, seed: int = 7) -> list[MixRequest]:
    """`count` requests drawn by WEIGHTS (a fixed seed: the same mix every run)."""
    rng = random.Random(seed)
    kinds = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()), k=count)
    mix = []
    for kind in kinds:
        if kind == "dossier":
            mix.append(
                MixRequest(
                    kind, "GET", f"/api/v1/dossiers/{rng.choice(world.dossier_codes)}", False
                )
            )
        elif kind == "create":
            code = rng.choice(world.payable_codes)
            body = f'{{"dossier_code": "{code}", "method": "vietqr"}}'
            mix.append(MixRequest(kind, "POST", "/api/v1/payments", True, body))
        elif kind == "ipn":
            mix.append(
                MixRequest(
                    kind, "GET", f"/gateway/vnpay/ipn?{rng.choice(world.ipn_queries)}", False
                )
            )
        elif kind == "invoice":
            mix.append(
                MixRequest(kind, "GET", f"/api/v1/invoices/{rng.choice(world.invoice_ids)}", True)
            )
        elif kind == "invoice_xml":
            invoice_id = rng.choice(world.invoice_ids)
            mix.append(MixRequest(kind, "GET", f"/api/v1/invoices/{invoice_id}/xml", True))
        else:
            mix.append(MixRequest(kind, "GET", "/api/v1/tax/invoices?limit=50", True))
    return mix
