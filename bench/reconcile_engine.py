"""Benchmark: the reconciliation engine next to a bare pandas merge, measured in the same run.

    PYTHONPATH=. python bench/reconcile_engine.py [--payments 1000000] [--runs 3] [--seed 42]

Generates N VietQR payments (fees 10,000–50,000,000 VND in steps of 1,000, paid over 30 days),
their dossiers (with applicant names) and invoices, and N bank credits, one per payment,
shuffled: 90 % carry the reference somewhere in noisy transfer text (bank prefixes, lower case,
spaces inside, Vietnamese with and without marks, words glued together), 10 % only the amount
and a booking date 0–2 days after payment. Times `reconcile(...)` (min and median of --runs)
and, as the floor, a bare `merge` of the lines on their pre-extracted references with the
payments plus an amount comparison; prints both, the ratio, and the process's peak RSS. Wall and
CPU seconds are both printed: on a shared machine the CPU figures are the steadier ones.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from datetime import date

import numpy as np
import pandas as pd

from payrecon.payments.references import ALPHABET, PREFIX, check_character
from payrecon.reconciliation.engine import Settings, reconcile
from payrecon.reconciliation.frames import (
    BANK_LINES,
    DOSSIERS,
    INVOICES,
    PAYMENTS,
    REFUNDS,
    SETTLEMENTS,
    empty_frame,
)

BUSINESS_DATE = date(2026, 11, 24)
FAMILY = ["NGUYEN", "TRAN", "LE", "PHAM", "HOANG", "VU", "DANG", "BUI", "DO", "NGO"]
MIDDLE = ["VAN", "THI", "DUC", "MINH", "NGOC", "HUU", "THANH", "QUOC"]
GIVEN = ["AN", "BINH", "CUONG", "DUNG", "GIANG", "HA", "KHANH", "LAN", "MAI", "NAM", "PHUONG"]


def references(count: int, rng: np.random.Generator) -> list[str]:
    """`count` distinct valid references: an odd multiplier spreads 0..count-1 over 40 bits."""
    numbers = (
        np.arange(count, dtype=np.uint64) * np.uint64(0x9E3779B97F)
        + np.uint64(rng.integers(0, 2**39))
    ) % np.uint64(2**40)
    out = []
    for number in numbers.tolist():
        body = "".join(ALPHABET[(number >> (5 * place)) & 31] for place in range(8))
        out.append(PREFIX + body + check_character(PREFIX + body))
    return out


def noisy_text(reference: str, name: str, variant: int, number: int) -> str:
    """The reference somewhere in a memo as Vietnamese banks deliver it."""
    spaced = f"{reference[:2]} {reference[2:6]} {reference[6:]}"
    return (
        f"MBVCB.{number}.{reference}.{name} chuyen tien",
        f"CT nhanh 247 den: {name} {reference.lower()}",
        f"Nộp phí hồ sơ {reference} {name.title()}",
        f"IBFT {spaced} NOP LE PHI",
        f"{name.replace(' ', '')}CHUYENTIEN{reference}",
        f"VCB.CTDK.{number}.{reference}. CT tu 0011000{number} {name} toi 1234567",
    )[variant]


def generate(count: int, seed: int) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Input frames for `reconcile`, and the lines with their references known (for the floor)."""
    rng = np.random.default_rng(seed)
    refs = references(count, rng)
    payment_ids = np.arange(1, count + 1, dtype=np.int64)
    amounts = rng.integers(10, 50_000, count, dtype=np.int64) * 1_000
    days_back = rng.integers(1, 31, count)
    seconds = rng.integers(0, 86_400, count)
    start = pd.Timestamp(BUSINESS_DATE, tz="Asia/Ho_Chi_Minh")
    paid_at = start - pd.to_timedelta(days_back, unit="D") + pd.to_timedelta(seconds, unit="s")
    names = [
        f"{FAMILY[a]} {MIDDLE[b]} {GIVEN[c]}"
        for a, b, c in zip(
            rng.integers(0, len(FAMILY), count),
            rng.integers(0, len(MIDDLE), count),
            rng.integers(0, len(GIVEN), count),
            strict=True,
        )
    ]
    codes = [f"000.00.{n:08d}.H40" for n in range(count)]
    payments = pd.DataFrame(
        {
            "payment_id": payment_ids,
            "reference": pd.Series(refs, dtype="str"),
            "dossier_code": pd.Series(codes, dtype="str"),
            "method": pd.Series(["vietqr"] * count, dtype="str"),
            "status": pd.Series(["succeeded"] * count, dtype="str"),
            "amount_vnd": amounts,
            "refunded_vnd": np.zeros(count, dtype=np.int64),
            "paid_at": paid_at,
            "created_at": paid_at - pd.Timedelta(minutes=5),
            "settlement_batch_id": np.zeros(count, dtype=np.int64),
        }
    )
    dossiers = pd.DataFrame(
        {
            "dossier_code": pd.Series(codes, dtype="str"),
            "status": pd.Series(["processing"] * count, dtype="str"),
            "fee_due_vnd": amounts,
            "marked_paid": np.ones(count, dtype=bool),
            "applicant_name": pd.Series(names, dtype="str"),
        }
    )
    invoices = pd.DataFrame(
        {
            "invoice_id": payment_ids,
            "payment_id": payment_ids,
            "status": pd.Series(["issued"] * count, dtype="str"),
            "total_vnd": amounts,
        }
    )
    order = rng.permutation(count)
    has_reference = rng.random(count) < 0.9
    variants = rng.integers(0, 6, count)
    texts = [
        noisy_text(refs[i], names[i], int(variants[i]), i)
        if has_reference[i]
        else f"{names[i]} nop phi ho so"
        for i in order.tolist()
    ]
    paid_dates = paid_at.tz_localize(None).normalize()
    booking = paid_dates[order] + pd.to_timedelta(rng.integers(0, 3, count), unit="D")
    lines = pd.DataFrame(
        {
            "line_id": np.arange(1, count + 1, dtype=np.int64),
            "account_id": np.ones(count, dtype=np.int64),
            "booking_date": booking.astype("datetime64[ns]"),
            "value_date": booking.astype("datetime64[ns]"),
            "amount_vnd": amounts[order],
            "direction": pd.Series(["C"] * count, dtype="str"),
            "is_reversal": np.zeros(count, dtype=bool),
            "bank_reference": pd.Series([""] * count, dtype="str"),
            "remittance_text": pd.Series(texts, dtype="str"),
            "batch_key": pd.Series([""] * count, dtype="str"),
            "statement_id": np.ones(count, dtype=np.int64),
        }
    )
    known = pd.DataFrame(
        {
            "line_id": lines["line_id"][has_reference[order]].to_numpy(),
            "reference": pd.Series(
                np.array(refs, dtype=object)[order][has_reference[order]], dtype="str"
            ),
            "amount_vnd": lines["amount_vnd"][has_reference[order]].to_numpy(),
        }
    )
    inputs = {
        "payments": payments,
        "bank_lines": lines,
        "settlements": empty_frame(SETTLEMENTS),
        "dossiers": dossiers,
        "invoices": invoices,
        "refunds": empty_frame(REFUNDS),
    }
    for name, contract in (
        ("payments", PAYMENTS),
        ("bank_lines", BANK_LINES),
        ("dossiers", DOSSIERS),
        ("invoices", INVOICES),
    ):
        assert list(inputs[name].columns) == contract.column_names, name
    return inputs, known


def bare_merge(known: pd.DataFrame, payments: pd.DataFrame) -> int:
    """The floor: join lines to payments on a reference already extracted, compare amounts."""
    joined = known.merge(
        payments[["reference", "payment_id", "amount_vnd"]],
        on="reference",
        suffixes=("", "_payment"),
    )
    return int((joined["amount_vnd"] == joined["amount_vnd_payment"]).sum())


def timed(function, runs: int) -> tuple[list[float], list[float], object]:
    """Wall seconds and CPU seconds of this process for each run, and the last result.

    CPU time is printed beside wall time because the machine is shared: when other work
    takes the cores, wall time grows and CPU time much less.
    """
    seconds = []
    cpu_seconds = []
    result = None
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = function()
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu_started)
    return seconds, cpu_seconds, result


def print_ratio(label: str, engine: list[float], merge: list[float]) -> None:
    engine_min, engine_median = min(engine), statistics.median(engine)
    merge_min, merge_median = min(merge), statistics.median(merge)
    print(f"{label}: engine      min {engine_min:7.3f} s   median {engine_median:7.3f} s")
    print(f"{label}: bare merge  min {merge_min:7.3f} s   median {merge_median:7.3f} s")
    print(
        f"{label}: ratio engine / bare merge: min {engine_min / merge_min:.2f}x, "
        f"median {engine_median / merge_median:.2f}x (target <= 3x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    started = time.perf_counter()
    inputs, known = generate(args.payments, args.seed)
    elapsed = time.perf_counter() - started
    print(f"generated {args.payments:,} payments and lines in {elapsed:.1f} s")
    settings = Settings(business_date=BUSINESS_DATE)

    engine_seconds, engine_cpu, result = timed(
        lambda: reconcile(**inputs, settings=settings), args.runs
    )
    merge_seconds, merge_cpu, merged = timed(
        lambda: bare_merge(known, inputs["payments"]), args.runs
    )

    by_rule = result.matches.groupby("rule")["match_no"].nunique().to_dict()
    kinds = result.exceptions["kind"].value_counts().sort_index().to_dict()
    print(
        f"engine: matches by rule {by_rule}; rank-1 proposals "
        f"{int((result.proposals['rank'] == 1).sum()):,}; exceptions {kinds}"
    )
    print(f"bare merge: {merged:,} lines with an equal amount")
    print_ratio("wall", engine_seconds, merge_seconds)
    print_ratio("cpu ", engine_cpu, merge_cpu)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS {peak_kib / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
