"""Generate the demo's input files (catalog CSV, dossier feed CSV) from a seeded random source."""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from payrecon.catalog.feed import COLUMNS as CATALOG_COLUMNS
from payrecon.demo.catalog_data import AGENCIES, FAMILY_NAMES, GIVEN_NAMES, MIDDLE_NAMES, PROCEDURES
from payrecon.dossiers.feed import COLUMNS as DOSSIER_COLUMNS

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


def dossiers_csv(count: int, *, now: datetime) -> bytes:
    return _csv(DOSSIER_COLUMNS, dossier_rows(count, now=now))
