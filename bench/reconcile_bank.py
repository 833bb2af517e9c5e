"""The bank's side of the end-to-end benchmark's week: credits, statements, settlement batches.

Used by bench/reconcile_world.py, whose docstring gives the mix. Rows go in by COPY.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import psycopg

from bench.reconcile_engine import FAMILY, GIVEN, MIDDLE, noisy_text

BUSINESS_DATE = date(2026, 11, 24)
DAYS = 7
AGENCIES = 3
BATCH_SIZE = 500
FEE_PER_MILLE = 11


def copy_rows(connection: psycopg.Connection, table: str, columns: list[str], rows) -> int:
    count = 0
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def random_names(rng: np.random.Generator, count: int) -> list[str]:
    family = np.array(FAMILY, dtype=object)[rng.integers(0, len(FAMILY), count)]
    middle = np.array(MIDDLE, dtype=object)[rng.integers(0, len(MIDDLE), count)]
    given = np.array(GIVEN, dtype=object)[rng.integers(0, len(GIVEN), count)]
    return (family + " " + middle + " " + given).tolist()


def bank_lines(rng, refs, names, amounts, paid_date, is_vnpay) -> pd.DataFrame:
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
            "text": [f"{n} CHUYEN KHOAN" for n in random_names(rng, strangers)],
        }
    )
    return pd.concat([lines, repeats, unknown], ignore_index=True)


def seed_settlements(connection, rng, refs, amounts, paid_date, is_vnpay):
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
    copy_rows(
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
    copy_rows(
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


def seed_statements(connection, lines: pd.DataFrame, now: datetime, say) -> int:
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
    copy_rows(
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
    return copy_rows(
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
