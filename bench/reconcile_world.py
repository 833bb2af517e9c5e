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
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import psycopg

from bench.reconcile_engine import FAMILY, GIVEN, MIDDLE, noisy_text, references

BUSINESS_DATE = date(2026, 11, 24)
DAYS = 7
AGENCIES = 3
PROCEDURES = 30
BATCH_SIZE = 500
FEE_PER_MILLE = 11
VIETNAM = timedelta(hours=7)


@dataclass(frozen=True)
class Seeded:
    payments: int
    bank_lines: int
    dossiers: int
    invoices: int
    batches: int


def _copy(connection: psycopg.Connection, table: str, columns: list[str], rows) -> int:
    count = 0
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _names(rng: np.random.Generator, count: int) -> list[str]:
    family = np.array(FAMILY, dtype=object)[rng.integers(0, len(FAMILY), count)]
    middle = np.array(MIDDLE, dtype=object)[rng.integers(0, len(MIDDLE), count)]
    given = np.array(GIVEN, dtype=object)[rng.integers(0, len(GIVEN), count)]
    return (family + " " + middle + " " + given).tolist()


def seed(url: str, *, payments: int, seed: int, say=print) -> Seeded:
    """Fill the migrated database at `url` (a SQLAlchemy psycopg URL); see the module doc."""
    rng = np.random.default_rng(seed)
    count = payments
    now = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as connection:
        _copy(
            connection,
            "agencies",
            ["id", "code", "name"],
            [(a, f"AG{a:02d}", f"Sở ban ngành {a}") for a in range(1, AGENCIES + 1)],
        )
        _copy(
            connection,
            "collection_accounts",
            ["id", "agency_id", "bank_bin", "account_number", "account_name"],
            [(a, a, "970436", f"00110000{a:05d}", f"SO BAN NGANH {a}") for a in range(1, 4)],
        )
        procedure_agency = np.arange(PROCEDURES) % AGENCIES + 1
        _copy(
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
        names = _names(rng, count)
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
        _copy(
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
        _copy(
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

        lines = _bank_lines(rng, refs, names, amounts, paid_date, is_vnpay)
        batches, batch_credits = _seed_settlements(
            connection, rng, refs, amounts, paid_date, is_vnpay
        )
        lines = pd.concat([lines, batch_credits], ignore_index=True)
        line_count = _seed_statements(connection, lines, now, say)
        connection.commit()
        for table in ("dossiers", "payments", "invoices", "statement_lines", "settlement_lines"):
            connection.execute(f"ANALYZE {table}")
        connection.commit()
    return Seeded(count, line_count, count, invoices, batches)


def _seed_invoices(connection, ids, agency, amounts, names, paid_at, no_invoice, say) -> int:
    year = BUSINESS_DATE.year
    _copy(
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
    return _copy(connection, "invoices", columns, rows())


def _bank_lines(rng, refs, names, amounts, paid_date, is_vnpay) -> pd.DataFrame:
    """Credits for the VietQR payments, the duplicates and the strangers; see the module doc."""
    count = len(refs)
    vietqr = np.flatnonzero(~is_vnpay)
    fate = rng.random(len(vietqr))
    credited = vietqr[fate >= 0.005]
    booking = paid_date[credited] + pd.to_timedelta(
        (rng.random(len(credited)) < 0.3).astype(int), unit="D"
    )
    amount = amounts[credited].copy()
    off = rng.random(len(credited)) < 0.003
    amount[off] += rng.choice([-1, 1], int(off.sum())) * rng.integers(1, 50, int(off.sum())) * 1000
    amount = np.maximum(amount, 1_000)
    twice = rng.random(len(credited)) < 0.002
    with_reference = rng.random(len(credited)) < 0.9
    variant = rng.integers(0, 6, len(credited))
    texts = [
        noisy_text(refs[p], names[p], v, p) if has else f"{names[p]} nop phi ho so"
        for p, v, has in zip(
            credited.tolist(), variant.tolist(), with_reference.tolist(), strict=True
        )
    ]
    lines = pd.DataFrame({"booking_date": booking, "amount_vnd": amount, "text": texts})
    repeats = lines[twice].assign(booking_date=lambda f: f["booking_date"] + pd.Timedelta(days=1))
    strangers = int(count * 0.003)
    stranger_days = rng.integers(0, DAYS, strangers)
    unknown = pd.DataFrame(
        {
            "booking_date": pd.Timestamp(BUSINESS_DATE) - pd.to_timedelta(stranger_days, unit="D"),
            "amount_vnd": rng.integers(10, 50_000, strangers) * 1_000 + 500,
            "text": [f"{n} CHUYEN KHOAN" for n in _names(rng, strangers)],
        }
    )
    return pd.concat([lines, repeats, unknown], ignore_index=True)


def _seed_settlements(connection, rng, refs, amounts, paid_date, is_vnpay):
    """VNPAY batches per day; returns their count and their bank credits."""
    vnpay = np.flatnonzero(is_vnpay)
    frame = pd.DataFrame({"payment": vnpay, "day": paid_date[vnpay]}).sort_values(
        ["day", "payment"], kind="stable"
    )
    frame["batch"] = frame.groupby("day").cumcount() // BATCH_SIZE
    frame["batch_id"] = frame.groupby(["day", "batch"], sort=True).ngroup() + 1
    frame["gross"] = amounts[frame["payment"]]
    frame["fee"] = frame["gross"] * FEE_PER_MILLE // 1000
    frame["net"] = frame["gross"] - frame["fee"]
    batches = frame.groupby("batch_id").agg(
        day=("day", "first"),
        gross=("gross", "sum"),
        fee=("fee", "sum"),
        net=("net", "sum"),
        rows=("payment", "size"),
    )
    batches["settlement_date"] = batches["day"] + pd.Timedelta(days=1)
    batches = batches[batches["settlement_date"] <= pd.Timestamp(BUSINESS_DATE)]
    frame = frame[frame["batch_id"].isin(batches.index)]
    batches["code"] = [
        f"VNP{d:%Y%m%d}{b:04d}" for d, b in zip(batches["day"], batches.index, strict=True)
    ]
    imported = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)
    _copy(
        connection,
        "settlement_batches",
        [
            "id",
            "batch_reference",
            "settlement_date",
            "gross_vnd",
            "fee_vnd",
            "net_vnd",
            "line_count",
            "source_sha256",
            "source_filename",
            "imported_at",
            "imported_by",
        ],
        (
            (
                int(b),
                row.code,
                row.settlement_date.date(),
                int(row.gross),
                int(row.fee),
                int(row.net),
                int(row.rows),
                hashlib.sha256(row.code.encode()).hexdigest(),
                f"{row.code}.csv",
                imported,
                "bench",
            )
            for b, row in zip(batches.index, batches.itertuples(index=False), strict=True)
        ),
    )
    _copy(
        connection,
        "settlement_lines",
        [
            "batch_id",
            "reference",
            "gateway_transaction_no",
            "pay_date",
            "gross_vnd",
            "fee_vnd",
            "net_vnd",
            "line_number",
            "raw",
        ],
        (
            (b, refs[p], f"VNP{14_000_000 + p}", d.date(), g, f, n, k + 2, f"{refs[p]},{g}")
            for k, (b, p, d, g, f, n) in enumerate(
                zip(
                    frame["batch_id"].tolist(),
                    frame["payment"].tolist(),
                    frame["day"],
                    frame["gross"].tolist(),
                    frame["fee"].tolist(),
                    frame["net"].tolist(),
                    strict=True,
                )
            )
        ),
    )
    named = rng.random(len(batches)) < 0.8
    short = (np.arange(len(batches)) % 50) == 49
    credit_day = batches["settlement_date"] + pd.to_timedelta(
        rng.integers(0, 2, len(batches)), unit="D"
    )
    keep = credit_day <= pd.Timestamp(BUSINESS_DATE)
    credits = pd.DataFrame(
        {
            "booking_date": credit_day,
            "amount_vnd": batches["net"] - np.where(short, 10_000, 0),
            "text": np.where(named, "VNPAY TT " + batches["code"], "VNPAY CHUYEN TIEN TT"),
        }
    )[keep.to_numpy()]
    return len(batches), credits


def _seed_statements(connection, lines: pd.DataFrame, now: datetime, say) -> int:
    """One statement per account and day; lines spread over the accounts."""
    lines = lines[lines["booking_date"] <= pd.Timestamp(BUSINESS_DATE)].sort_values(
        "booking_date", kind="stable", ignore_index=True
    )
    say(f"  seeding {len(lines):,} bank lines")
    account = (np.arange(len(lines)) % AGENCIES) + 1
    days = sorted(lines["booking_date"].unique())
    statement_of = {
        (d, a): n + 1
        for n, (d, a) in enumerate((d, a) for d in days for a in range(1, AGENCIES + 1))
    }
    _copy(
        connection,
        "bank_statements",
        [
            "id",
            "account_id",
            "format",
            "statement_ref",
            "period_start",
            "period_end",
            "source_sha256",
            "source_filename",
            "position_in_file",
            "location",
            "lines_stored",
            "duplicates_skipped",
            "findings",
            "imported_at",
            "imported_by",
        ],
        (
            (
                n,
                a,
                "csv",
                f"ST{pd.Timestamp(d):%Y%m%d}{a}",
                pd.Timestamp(d).date(),
                pd.Timestamp(d).date(),
                hashlib.sha256(f"{d}{a}".encode()).hexdigest(),
                f"statement-{pd.Timestamp(d):%Y%m%d}-{a}.csv",
                1,
                "file",
                0,
                0,
                "[]",
                now,
                "bench",
            )
            for (d, a), n in statement_of.items()
        ),
    )
    statement = [
        statement_of[(d, a)]
        for d, a in zip(lines["booking_date"].to_numpy(), account.tolist(), strict=True)
    ]
    booking = lines["booking_date"].dt.date.tolist()
    return _copy(
        connection,
        "statement_lines",
        [
            "statement_id",
            "account_id",
            "position",
            "kind",
            "booking_date",
            "value_date",
            "amount_vnd",
            "direction",
            "is_reversal",
            "status",
            "bank_reference",
            "remittance_text",
            "location",
            "raw",
        ],
        (
            (
                s,
                a,
                n + 2,
                "entry",
                b,
                b,
                amount,
                "C",
                False,
                "BOOK",
                f"FT{n:012d}",
                text,
                f"line {n + 2}",
                f"{b},{amount},C,FT{n:012d},{text}",
            )
            for n, (s, a, b, amount, text) in enumerate(
                zip(
                    statement,
                    account.tolist(),
                    booking,
                    lines["amount_vnd"].tolist(),
                    lines["text"].tolist(),
                    strict=True,
                )
            )
        ),
    )
