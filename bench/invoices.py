"""How fast payrecon issues invoices end to end, next to what the machine can do at best.

    PYTHONPATH=. python bench/invoices.py [--runs 3] [--invoices 800] [--seconds 2]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each run, on 2 processes at once and in the same run so that the machine's drift cancels out
(both processes first issue a warm-up round of 128 invoices, untimed, as the bare rates below
also warm up before they count):
- issue: `issue_pending_invoices` drains payment.succeeded events for dossiers of 8 agencies
  and, per invoice, builds the XML, validates it with the XSD, signs it with xmlsec, verifies
  the signature again, takes the gapless number and stores the bytes on PostgreSQL (a batch of
  one series per transaction; the two workers claim with SKIP LOCKED and work different series);
- signxml sign: a bare XMLSigner over the same unsigned invoice (the cryptographic ceiling of
  an XML signature in Python);
- RSA-2048 sign: `cryptography` signing 32 bytes, the hard floor of any signature;
- lxml validate: parse + XSD-validate the unsigned invoice.
It prints the rates (min and median over the runs) and issue / signxml sign (target ≥ 50 %).
A scratch database `payrecon_bench_<random>` is created on the server and dropped at the end.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

PROCESSES = 2
AGENCIES = 8
_state: dict = {}


def _sample_xml() -> bytes:
    from payrecon.invoices.xml_build import (
        Buyer,
        InvoiceData,
        InvoiceLine,
        Seller,
        build_invoice_xml,
        rate_totals,
    )
    from payrecon.money import amount_in_words_vi

    lines = (InvoiceLine("Phí cấp phiếu lý lịch tư pháp", "hồ sơ", 1, 200_000, 200_000, "KCT"),)
    return build_invoice_xml(
        InvoiceData(
            template_code="1",
            series="C26TAA",
            number=1,
            issued_on=datetime.now(UTC).date(),
            seller=Seller("Sở Tư pháp", "5700100256", "Hạ Long, Quảng Ninh"),
            buyer=Buyer("Nguyễn Văn An", id_number="022090001234"),
            lines=lines,
            totals_by_rate=rate_totals(lines),
            total_in_words=amount_in_words_vi(200_000),
        )
    )


def _worker_setup(url: str, key_path: str, cert_path: str) -> None:
    """Runs once per worker process: engine, keys and sample document, outside the timings."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    # A spawned worker must know every table invoices refer to, and import the issuing code
    # here, outside the timings.
    import payrecon.invoices.service
    import payrecon.models  # noqa: F401
    from payrecon.db import make_engine
    from payrecon.invoices.keys import load_signing_keys

    _state["engine"] = make_engine(url)
    _state["keys"] = load_signing_keys(key_path, cert_path)
    _state["key"] = load_pem_private_key(Path(key_path).read_bytes(), password=None)
    _state["cert"] = Path(cert_path).read_text()
    _state["xml"] = _sample_xml()


def _issue_until_done(_: int) -> tuple[int, float]:
    """Drain the pending events; returns (invoices issued, CPU seconds this process used)."""
    from sqlalchemy.orm import Session

    from payrecon.invoices.service import issue_pending_invoices

    issued, cpu = 0, time.process_time()
    with Session(_state["engine"]) as session:
        while (summary := issue_pending_invoices(session, keys=_state["keys"])).issued:
            issued += summary.issued
            if summary.issue_failures:
                raise RuntimeError(f"issuing failed: {summary.summary()}")
    return issued, time.process_time() - cpu


def _repeat_for(seconds: float, operation) -> int:
    operation()
    count, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        operation()
        count += 1
    return count


def _signxml_sign(seconds: float) -> int:
    from lxml import etree
    from signxml import CanonicalizationMethod, XMLSigner

    signer = XMLSigner(c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0)
    xml, key, cert = _state["xml"], _state["key"], _state["cert"]
    return _repeat_for(seconds, lambda: signer.sign(etree.fromstring(xml), key=key, cert=cert))


def _rsa_sign(seconds: float) -> int:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15

    key, digest = _state["key"], b"\x5a" * 32
    return _repeat_for(seconds, lambda: key.sign(digest, PKCS1v15(), hashes.SHA256()))


def _lxml_validate(seconds: float) -> int:
    from lxml import etree

    from payrecon.invoices.xsd import load_fast_schema

    schema, xml = load_fast_schema(), _state["xml"]
    return _repeat_for(seconds, lambda: schema.validate(etree.fromstring(xml)))


def _prepare_database(url: str) -> None:
    from sqlalchemy.orm import Session

    from payrecon.catalog.models import Agency, CollectionAccount, Procedure
    from payrecon.db import make_engine, upgrade_to_head

    engine = make_engine(url)
    upgrade_to_head(engine)
    with Session(engine) as session:
        for n in range(1, AGENCIES + 1):
            agency = Agency(
                code=f"BENCH{n}", name=f"Sở {n}", tax_code=f"57001002{n:02d}", address="Hạ Long"
            )
            session.add(agency)
            session.flush()
            session.add(
                CollectionAccount(
                    agency_id=agency.id,
                    bank_bin="970436",
                    account_number=f"01410001{n:05d}",
                    account_name=f"SO {n}",
                )
            )
            session.add(
                Procedure(
                    code=f"B-{n}",
                    name="Cấp phiếu lý lịch tư pháp",
                    agency_id=agency.id,
                    fee_vnd=200_000,
                    fee_kind="fee",
                    vat_rate="KCT",
                )
            )
        session.commit()
    engine.dispose()


def _enqueue_payments(url: str, run: int, count: int) -> None:
    from sqlalchemy import insert, select
    from sqlalchemy.orm import Session

    from payrecon import outbox
    from payrecon.catalog.models import Procedure
    from payrecon.db import make_engine
    from payrecon.dossiers.models import Dossier
    from payrecon.payments.models import Payment
    from payrecon.payments.references import new_reference

    engine = make_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as session:
        procedures = session.scalars(select(Procedure.id).order_by(Procedure.id)).all()
        codes = [f"BENCH-{run}-{n:06d}" for n in range(count)]
        session.execute(
            insert(Dossier),
            [
                {
                    "code": code,
                    "procedure_id": procedures[n % len(procedures)],
                    "applicant_name": "Nguyễn Văn An",
                    "applicant_id_number": "022090001234",
                    "received_at": now,
                    "status": "processing",
                    "fee_due_vnd": 200_000,
                    "updated_at": now,
                }
                for n, code in enumerate(codes)
            ],
        )
        dossier_ids = dict(
            session.execute(select(Dossier.code, Dossier.id).where(Dossier.code.in_(codes))).all()
        )
        payment_ids = session.scalars(
            insert(Payment).returning(Payment.id, sort_by_parameter_order=True),
            [
                {
                    "reference": new_reference(),
                    "dossier_id": dossier_ids[code],
                    "amount_vnd": 200_000,
                    "method": "vietqr",
                    "status": "succeeded",
                    "created_at": now,
                    "expires_at": now,
                    "updated_at": now,
                    "paid_at": now,
                    "is_duplicate": False,
                }
                for code in codes
            ],
        ).all()
        for payment_id, code in zip(payment_ids, codes, strict=True):
            payload = {"payment_id": payment_id, "dossier_code": code, "amount_vnd": 200_000}
            outbox.enqueue(session, "payment.succeeded", payment_id, payload)
        session.commit()
    engine.dispose()


WARM_UP_INVOICES = 64 * PROCESSES


def _parallel_rate(pool: ProcessPoolExecutor, function, seconds: float) -> float:
    counts = list(pool.map(function, [seconds] * PROCESSES))
    return sum(counts) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--invoices", type=int, default=800, help="invoices per run")
    parser.add_argument("--seconds", type=float, default=2.0, help="per bare-rate measurement")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()

    from payrecon.db import create_scratch_database, drop_database
    from payrecon.invoices.keys import write_demo_keypair

    url = create_scratch_database(args.postgres_url, prefix="payrecon_bench")
    rates: dict[str, list[float]] = {
        "issue (end to end)": [],
        "signxml sign": [],
        "RSA-2048 sign": [],
        "lxml parse+validate": [],
    }
    cpu_ms: list[float] = []  # issuing processes' CPU per invoice (PostgreSQL's not included)
    try:
        _prepare_database(url)
        with tempfile.TemporaryDirectory() as folder:
            key_path, cert_path = write_demo_keypair(Path(folder), "payrecon bench")
            with ProcessPoolExecutor(
                PROCESSES,
                mp_context=get_context("spawn"),
                initializer=_worker_setup,
                initargs=(url, str(key_path), str(cert_path)),
            ) as pool:
                _parallel_rate(pool, _rsa_sign, 0.2)  # start and warm both workers
                # ... and their issuing: the first batches compile the XSD, load the keys into
                # xmlsec and fill SQLAlchemy's statement cache, which no later invoice pays for
                _enqueue_payments(url, 0, WARM_UP_INVOICES)
                list(pool.map(_issue_until_done, range(PROCESSES)))
                for run in range(1, args.runs + 1):
                    _enqueue_payments(url, run, args.invoices)
                    started = time.perf_counter()
                    done = list(pool.map(_issue_until_done, range(PROCESSES)))
                    elapsed = time.perf_counter() - started
                    issued = sum(count for count, _ in done)
                    cpu_ms.append(1000 * sum(cpu for _, cpu in done) / issued)
                    if issued != args.invoices:
                        raise RuntimeError(f"run {run}: {issued} of {args.invoices} issued")
                    rates["issue (end to end)"].append(issued / elapsed)
                    rates["signxml sign"].append(_parallel_rate(pool, _signxml_sign, args.seconds))
                    rates["RSA-2048 sign"].append(_parallel_rate(pool, _rsa_sign, args.seconds))
                    rates["lxml parse+validate"].append(
                        _parallel_rate(pool, _lxml_validate, args.seconds)
                    )
                    print(
                        f"run {run}: "
                        + ", ".join(f"{k} {v[-1]:,.0f}/s" for k, v in rates.items())
                        + f"; issuing CPU {cpu_ms[-1]:.2f} ms/invoice, busy "
                        f"{sum(cpu for _, cpu in done) / (PROCESSES * elapsed):.0%}",
                        flush=True,
                    )
    finally:
        drop_database(args.postgres_url, url)

    print(f"\n{PROCESSES} processes, {args.runs} runs, {args.invoices} invoices per run")
    print(f"{'operation':<22}{'min /s':>10}{'median /s':>12}")
    for label, values in rates.items():
        print(f"{label:<22}{min(values):>10,.0f}{statistics.median(values):>12,.0f}")
    ratios = [
        i / s for i, s in zip(rates["issue (end to end)"], rates["signxml sign"], strict=True)
    ]
    print(
        f"\nissue / signxml sign: min {min(ratios):.0%}, median {statistics.median(ratios):.0%} "
        "(target ≥ 50 %)"
    )


if __name__ == "__main__":
    main()
