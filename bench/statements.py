"""Statement import throughput: lines per second to parse, and to parse and store on PostgreSQL.

Generates one camt.053 and one MT940 statement of --lines lines (default 1,000,000) for one VND
collection account, then for each format runs the whole import service (parse, checks, bulk
insert, commit) --runs times on an empty table, and the parser alone as many times, and prints
min and median lines per second of both and their ratio (how much storing costs on top of
parsing), all measured in this one run.

    PAYRECON_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python bench/statements.py --lines 100000 --runs 3

A scratch database is created on that server and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from payrecon.catalog.models import Agency, CollectionAccount
from payrecon.db import create_scratch_database, drop_database, make_engine, upgrade_to_head
from payrecon.statements import service
from payrecon.statements.detect import parse_statement_file

ACCOUNT = "0011000000001"
DAY = date(2026, 11, 2)
AMOUNTS = (50_000, 200_000, 1_284_000, 35_000, 150_000, 7_500)
NO_LIMIT = 4 * 1024**3


def generate_camt053(lines: int) -> bytes:
    """One camt.053.001.08 statement of ``lines`` booked entries whose balances tie."""
    entries = []
    closing = 0
    for n in range(lines):
        amount = AMOUNTS[n % len(AMOUNTS)]
        credit = n % 7 != 3
        closing += amount if credit else -amount
        entries.append(
            f'<Ntry><Amt Ccy="VND">{amount}</Amt>'
            f"<CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
            f"<BookgDt><Dt>{DAY}</Dt></BookgDt><ValDt><Dt>{DAY}</Dt></ValDt>"
            f"<AcctSvcrRef>FT{n:011d}</AcctSvcrRef>"
            "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd>"
            "</Fmly></Domn></BkTxCd><NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId>"
            f"</Refs><RmtInf><Ustrd>PR{n:08X} nop phi ho so HS{n:06d}</Ustrd></RmtInf>"
            "</TxDtls></NtryDtls></Ntry>\n"
        )
    opening = 10_000_000_000
    balance = (
        '<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="VND">{amount}</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>"
    )
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2026-11-03T01:00:00+07:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>BENCH-{DAY}</Id><Acct><Id><Othr><Id>{ACCOUNT}</Id></Othr></Id>"
        "<Ccy>VND</Ccy></Acct>"
        + balance.format(code="OPBD", amount=opening, day=DAY)
        + balance.format(code="CLBD", amount=opening + closing, day=DAY)
        + "\n"
    )
    return (head + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>\n").encode()


def generate_mt940(lines: int) -> bytes:
    """One MT940 statement of ``lines`` :61: lines whose balances tie."""
    yymmdd = DAY.strftime("%y%m%d")
    body = []
    closing = 0
    for n in range(lines):
        amount = AMOUNTS[n % len(AMOUNTS)]
        credit = n % 7 != 3
        closing += amount if credit else -amount
        body.append(
            f":61:{yymmdd}{yymmdd[2:]}{'C' if credit else 'D'}{amount},NTRFNONREF//FT{n:011d}\n"
            f":86:PR{n:08X} nop phi ho so HS{n:06d}\n"
        )
    opening = 10_000_000_000
    return (
        f":20:BENCH{yymmdd}\n:25:{ACCOUNT}\n:28C:00001/00001\n:60F:C{yymmdd}VND{opening},\n"
        + "".join(body)
        + f":62F:C{yymmdd}VND{opening + closing},\n-\n"
    ).encode()


def empty_statement_tables(engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("TRUNCATE statement_lines, bank_statements, imported_files RESTART IDENTITY")
        )


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def report(label: str, lines: int, seconds: list[float]) -> float:
    rates = [lines / s for s in seconds]
    best, median = max(rates), statistics.median(rates)
    print(
        f"  {label:<16} min {min(seconds):8.2f} s  median {statistics.median(seconds):8.2f} s"
        f"  ->  best {best:12,.0f} lines/s  median {median:12,.0f} lines/s"
    )
    return median


def bench_format(engine, name: str, data: bytes, lines: int, runs: int) -> None:
    print(f"{name}: {lines:,} lines, {len(data) / 1024**2:,.1f} MiB")
    parse_times = [
        timed(lambda: parse_statement_file(data, f"bench.{name}", max_bytes=NO_LIMIT))
        for _ in range(runs)
    ]
    store_times = []
    for _ in range(runs):
        empty_statement_tables(engine)
        with Session(engine) as session:
            store_times.append(
                timed(
                    lambda session=session: service.import_statement_file(
                        session,
                        data,
                        filename=f"bench.{name}",
                        actor="bench",
                        max_bytes=NO_LIMIT,
                    )
                )
            )
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM statement_lines")).scalar()
        assert stored == lines, f"{stored} lines stored, {lines} expected"
    parse_rate = report("parse", lines, parse_times)
    import_rate = report("parse + store", lines, store_times)
    print(f"  storing costs {parse_rate / import_rate:.2f}x the parse alone (median rates)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="camt053,mt940")
    args = parser.parse_args()
    base_url = os.environ.get("PAYRECON_BENCH_POSTGRES_URL") or os.environ.get(
        "PAYRECON_TEST_POSTGRES_URL"
    )
    if not base_url:
        print("set PAYRECON_TEST_POSTGRES_URL (a PostgreSQL server to bench on)", file=sys.stderr)
        return 2
    url = create_scratch_database(base_url, prefix="payrecon_bench")
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
        with Session(engine) as session:
            agency = Agency(code="BENCH", name="Bench")
            session.add(agency)
            session.flush()
            session.add(
                CollectionAccount(
                    agency_id=agency.id,
                    bank_bin="970436",
                    account_number=ACCOUNT,
                    account_name="BENCH",
                )
            )
            session.commit()
        generators = {"camt053": generate_camt053, "mt940": generate_mt940}
        for name in args.formats.split(","):
            bench_format(engine, name, generators[name](args.lines), args.lines, args.runs)
    finally:
        engine.dispose()
        drop_database(base_url, url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
