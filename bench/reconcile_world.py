"""A week of a province's payments and bank lines in PostgreSQL, for the end-to-end benchmark.

`seed(url, payments=N, seed=S)` fills a migrated database with COPY: three agencies with a
collection account each, thirty procedures, N dossiers and N payments paid over the seven days
up to the business date (97 % VietQR, 3 % VNPAY), an issued invoice for each succeeded payment,
the bank statements of the week and the gateway's settlement batches. The mix, per payment:

- VietQR credit, booked the payment's day (70 %) or the next (30 %; a payment of the business
  date itself then waits, as it would); 90 % name the reference in noisy transfer text, 10 %
  only the amount and a name;
- 0.5 % of VietQR payments never get a credit (missing credit), 0.3 % arrive with another
  amount (amount mismatch), 0.2 % arrive twice (duplicate payment);
- unmatched credits: 0.3 % of N extra credits naming no payment, at amounts no payment has;
- VNPAY payments are settled in batches of up to 500 per day, net of a 1.1 % fee, the next day;
  80 % of the batch credits name the batch, the rest only carry its net total; one batch in
  fifty is credited 10,000 VND short (settlement mismatch);
- 0.1 % of payments still pending (a credit naming one confirms it), 0.1 % of dossiers with a fee
  that differs from the payment, 0.05 % cancelled, 0.1 % of succeeded payments without invoice.

Invoice rows carry a short XML stand-in: reconciliation reads only their ids, status and total.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import psycopg

from bench.reconcile_bank import (
    AGENCIES,
    BUSINESS_DATE,
    DAYS,
    bank_lines,
    copy_rows,
    random_names,
    seed_settlements,
    seed_statements,
)
from bench.reconcile_engine import references

PROCEDURES = 30
VIETNAM = timedelta(hours=7)


@dataclass(frozen=True)
class Seeded:
    payments: int
    bank_lines: int
    dossiers: int
    invoices: int
    batches: int


def seed(url: str, *, payments: int, seed: int, say=print) -> Seeded:
    """Fill the migrated database at `url` (a SQLAlchemy psycopg URL); see the module doc."""
    rng = np.random.default_rng(seed)
    count = payments
    now = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as connection:
        copy_rows(
            connection,
            "agencies",
            ["id", "code", "name"],
            [(a, f"AG{a:02d}", f"Sở ban ngành {a}") for a in range(1, AGENCIES + 1)],
        )
        copy_rows(
            connection,
            "collection_accounts",
            ["id", "agency_id", "bank_bin", "account_number", "account_name"],
            [(a, a, "970436", f"00110000{a:05d}", f"SO BAN NGANH {a}") for a in range(1, 4)],
        )
        procedure_agency = np.arange(PROCEDURES) % AGENCIES + 1
        copy_rows(
            connection,
            "procedures",
            ["id", "code", "name", "agency_id", "fee_vnd", "fee_kind", "vat_rate"],
            [
                (p + 1, f"1.{p:06d}", f"Thủ tục {p + 1}", int(procedure_agency[p]), 0, "fee", "KCT")
                for p in range(PROCEDURES)
            ],
        )
        connection.commit()

        ids = np.arange(1, count + 1, dtype=np.int64)
        refs = references(count, rng)
        names = random_names(rng, count)
        amounts = rng.integers(10, 50_000, count, dtype=np.int64) * 1_000
        procedure = rng.integers(1, PROCEDURES + 1, count)
        agency = procedure_agency[procedure - 1]
        day = rng.integers(0, DAYS, count)  # days before the business date
        paid_local = (
            pd.Timestamp(BUSINESS_DATE)
            - pd.to_timedelta(day, unit="D")
            + pd.to_timedelta(rng.integers(0, 86_400, count), unit="s")
        )
        paid_at = (paid_local - VIETNAM).tz_localize("UTC").to_pydatetime()
        paid_date = paid_local.normalize()
        is_vnpay = rng.random(count) < 0.03
        pending = (rng.random(count) < 0.001) & ~is_vnpay
        fee_off = rng.random(count) < 0.001
        cancelled = rng.random(count) < 0.0005
        no_invoice = (rng.random(count) < 0.001) | pending

        say(f"  seeding {count:,} dossiers")
        codes = [f"H40.{n:08d}.{(n * 7) % 100:02d}" for n in range(count)]
        statuses = np.where(cancelled, "cancelled", np.where(day > 3, "done", "processing"))
        fees = np.where(fee_off, amounts + 5_000, amounts)
        copy_rows(
            connection,
            "dossiers",
            [
                "id",
                "code",
                "procedure_id",
                "applicant_name",
                "applicant_id_number",
                "received_at",
                "status",
                "fee_due_vnd",
                "updated_at",
            ],
            zip(
                ids.tolist(),
                codes,
                procedure.tolist(),
                names,
                [f"{22_000_000_000 + n:012d}" for n in range(count)],
                paid_at,
                statuses.tolist(),
                fees.tolist(),
                paid_at,
                strict=True,
            ),
        )
        say(f"  seeding {count:,} payments")
        method = np.where(is_vnpay, "vnpay", "vietqr")
        status = np.where(pending, "pending", "succeeded")
        copy_rows(
            connection,
            "payments",
            [
                "id",
                "reference",
                "dossier_id",
                "amount_vnd",
                "method",
                "status",
                "created_at",
                "expires_at",
                "updated_at",
                "paid_at",
                "is_duplicate",
            ],
            (
                (
                    i,
                    r,
                    i,
                    a,
                    m,
                    s,
                    t - timedelta(minutes=3),
                    t + timedelta(minutes=12),
                    t,
                    None if s == "pending" else t,
                    False,
                )
                for i, r, a, m, s, t in zip(
                    ids.tolist(),
                    refs,
                    amounts.tolist(),
                    method.tolist(),
                    status.tolist(),
                    paid_at,
                    strict=True,
                )
            ),
        )
        invoices = _seed_invoices(connection, ids, agency, amounts, names, paid_at, no_invoice, say)
        connection.commit()

        lines = bank_lines(rng, refs, names, amounts, paid_date, is_vnpay)
        batches, batch_credits = seed_settlements(
            connection, rng, refs, amounts, paid_date, is_vnpay
        )
        lines = pd.concat([lines, batch_credits], ignore_index=True)
        line_count = seed_statements(connection, lines, now, say)
        connection.commit()
        for table in ("dossiers", "payments", "invoices", "statement_lines", "settlement_lines"):
            connection.execute(f"ANALYZE {table}")
        connection.commit()
    return Seeded(count, line_count, count, invoices, batches)


def _seed_invoices(connection, ids, agency, amounts, names, paid_at, no_invoice, say) -> int:
    year = BUSINESS_DATE.year
    copy_rows(
        connection,
        "invoice_series",
        ["id", "agency_id", "year", "template_code", "series", "last_number", "created_at"],
        [(a, a, year, "1", "C26TAA", 0, datetime(year, 1, 1, tzinfo=UTC)) for a in range(1, 4)],
    )
    keep = ~no_invoice
    say(f"  seeding {int(keep.sum()):,} invoices")
    series_number = np.zeros(len(ids), dtype=np.int64)
    for a in range(1, AGENCIES + 1):
        mine = keep & (agency == a)
        series_number[mine] = np.arange(1, int(mine.sum()) + 1)

    def rows():
        for i, a, n, total, name, at in zip(
            ids[keep].tolist(),
            agency[keep].tolist(),
            series_number[keep].tolist(),
            amounts[keep].tolist(),
            np.array(names, dtype=object)[keep].tolist(),
            np.array(paid_at, dtype=object)[keep].tolist(),
            strict=True,
        ):
            xml = f"<HDon><So>{n}</So><TongTien>{total}</TongTien></HDon>".encode()
            issued = at + timedelta(minutes=1)
            yield (
                i,
                a,
                "1",
                "C26TAA",
                n,
                "original",
                "issued",
                a,
                i,
                i,
                issued,
                (issued + VIETNAM).date(),
                name,
                total,
                f"LK{i:014d}",
                xml,
                hashlib.sha256(xml).hexdigest(),
            )

    columns = [
        "id",
        "series_id",
        "template_code",
        "series",
        "number",
        "kind",
        "status",
        "agency_id",
        "dossier_id",
        "payment_id",
        "issued_at",
        "issued_on",
        "buyer_name",
        "total_vnd",
        "lookup_code",
        "xml",
        "xml_sha256",
    ]
    return copy_rows(connection, "invoices", columns, rows())
