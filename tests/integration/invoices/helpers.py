"""Outbox events as the payments domain writes them, for the invoice tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from functools import cache
from itertools import count
from pathlib import Path

import pytest

from payrecon import outbox
from payrecon.invoices.signing import DS_NS, generate_demo_keypair

_ids = count(1001)


@cache
def demo_signing_pem() -> tuple[bytes, bytes]:
    """(key_pem, cert_pem) made once per process, valid from December 2025 so that fixed
    2026 issue times in the tests fall inside its validity."""
    return generate_demo_keypair("PVHCC test", valid_from=datetime(2025, 12, 1, tzinfo=UTC))


def pay(session, dossier, *, amount_vnd: int | None = None, method: str = "vietqr") -> int:
    """Enqueue payment.succeeded for the dossier's fee, as the payments domain does; commits."""
    payment_id = next(_ids)
    outbox.enqueue(
        session,
        "payment.succeeded",
        payment_id,
        {
            "payment_id": payment_id,
            "reference": f"PAY{payment_id:09d}",
            "dossier_code": dossier.code,
            "amount_vnd": dossier.fee_due_vnd if amount_vnd is None else amount_vnd,
            "paid_at": "2026-11-20T09:30:00+07:00",
            "method": method,
        },
    )
    session.commit()
    return payment_id


def refund(session, payment_id: int, amount_vnd: int, *, reason: str = "hồ sơ bị trả lại") -> int:
    refund_id = next(_ids)
    outbox.enqueue(
        session,
        "payment.refunded",
        payment_id,
        {
            "payment_id": payment_id,
            "refund_id": refund_id,
            "amount_vnd": amount_vnd,
            "refunded_at": "2026-11-21T10:00:00+07:00",
            "reason": reason,
        },
    )
    session.commit()
    return refund_id


def xmlsec1_verifies(xml: bytes, cert_pem: bytes, folder: Path) -> bool:
    """The independent check: xmlsec1 (libxmlsec1, not signxml) verifies the seller signature.

    Skips without xmlsec1, except in CI (CI=true), where it fails.
    """
    binary = shutil.which("xmlsec1")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must verify signatures with xmlsec1: apt-get install xmlsec1")
        pytest.skip("xmlsec1 is not installed (apt-get install xmlsec1)")
    (folder / "cert.pem").write_bytes(cert_pem)
    (folder / "invoice.xml").write_bytes(xml)
    result = subprocess.run(
        [
            binary,
            "--verify",
            "--id-attr:Id",
            "DLHDon",
            "--id-attr:Id",
            f"{DS_NS}:Object",
            "--trusted-pem",
            str(folder / "cert.pem"),
            str(folder / "invoice.xml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and "References (ok/all): 2/2" in result.stderr + result.stdout
