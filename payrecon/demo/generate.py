"""Generate the demo's input files (catalog CSV, dossier feed CSV) from a seeded random source."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from payrecon.catalog.feed import COLUMNS as CATALOG_COLUMNS
from payrecon.demo.catalog_data import AGENCIES, FAMILY_NAMES, GIVEN_NAMES, MIDDLE_NAMES, PROCEDURES
from payrecon.dossiers.feed import COLUMNS as DOSSIER_COLUMNS
from payrecon.dossiers.feed import OPTIONAL_COLUMNS

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _csv(columns, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def catalog_csv() -> bytes:
    agency_names = {code: name for code, name, *_ in AGENCIES}
    return _csv(
        CATALOG_COLUMNS,
        [
            (code, name, agency, agency_names[agency], fee, kind, vat)
            for code, name, agency, fee, kind, vat in PROCEDURES
        ],
    )


def dossier_rows(count: int, *, now: datetime, seed: int = 20261126) -> list[tuple]:
    """`count` dossiers received over the 30 days before `now`, mostly in office hours."""
    rng = random.Random(seed)
    rows = []
    for serial in range(1, count + 1):
        code, _name, _agency, fee, _kind, _vat = rng.choice(PROCEDURES)
        day = now.astimezone(LOCAL).date() - timedelta(days=rng.randint(0, 29))
        received = datetime(
            day.year,
            day.month,
            day.day,
            rng.randint(7, 16),
            rng.randint(0, 59),
            rng.randint(0, 59),
            tzinfo=LOCAL,
        )
        status = rng.choices(
            ["received", "processing", "done", "returned", "cancelled"], weights=[20, 30, 42, 4, 4]
        )[0]
        person = f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
        # CCCD: 3-digit province of birth, century/sex digit, 2-digit birth year, 6-digit serial
        province, century_sex = rng.randint(1, 96), rng.randint(0, 3)
        birth_year, serial_no = rng.randint(40, 99), rng.randrange(10**6)
        id_number = f"0{province:02d}{century_sex}{birth_year}{serial_no:06d}"
        tax_code = f"57{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.15 else ""
        rows.append(
            (
                f"000.00.{day:%y%m%d}.H40-{serial:06d}",
                code,
                person,
                id_number,
                tax_code,
                received.isoformat(),
                status,
                fee,
            )
        )
    return rows


def paid_at_counter_row(serial: int, day: date) -> tuple:
    """A dossier received on `day` whose fee was paid at the counter that morning: the dossier
    system marks it paid (paid_at) and no payment of ours exists (paid_without_payment)."""
    code, _name, _agency, fee, _kind, _vat = next(p for p in PROCEDURES if p[3] > 0)
    received = datetime.combine(day, time(8, 15), tzinfo=LOCAL)
    paid = datetime.combine(day, time(8, 40), tzinfo=LOCAL)
    return (
        f"000.00.{day:%y%m%d}.H40-{serial:06d}",
        code,
        "Phạm Thị Thu",
        "022185004417",
        "",
        received.isoformat(),
        "processing",
        fee,
        paid.isoformat(),
    )


def dossiers_csv(count: int, *, now: datetime, paid_at_counter_on: date | None = None) -> bytes:
    """The feed of `count` dossiers; with `paid_at_counter_on`, its optional paid_at column
    too (empty: not paid there), the last dossier being one paid at the counter that day."""
    if paid_at_counter_on is None or count < 1:
        return _csv(DOSSIER_COLUMNS, dossier_rows(count, now=now))
    with_paid_at = [(*row, "") for row in dossier_rows(count - 1, now=now)]
    with_paid_at.append(paid_at_counter_row(count, paid_at_counter_on))
    return _csv((*DOSSIER_COLUMNS, *OPTIONAL_COLUMNS), with_paid_at)
