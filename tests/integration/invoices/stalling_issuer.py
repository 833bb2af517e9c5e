"""A real issuing process that stops for good right after taking an invoice number.

Run by test_crash_safety as `python -m tests.integration.invoices.stalling_issuer URL KEY CERT`:
it drains payment events like the scheduler does, but once counter.take_numbers has returned
(the numbers of a batch taken, the series row locked, nothing committed) it prints
"numbered N" with the first of them and sleeps until the test kills it with SIGKILL.
"""

from __future__ import annotations

import sys
import time

from sqlalchemy.orm import Session

from payrecon.db import make_engine
from payrecon.invoices import counter, service
from payrecon.invoices.keys import load_signing_keys

STALL_SECONDS = 600


def main(url: str, key_path: str, cert_path: str) -> None:
    take_numbers = counter.take_numbers

    def take_then_stall(session, series_id, count):
        numbers = take_numbers(session, series_id, count)
        print(f"numbered {numbers[0]}", flush=True)
        time.sleep(STALL_SECONDS)
        return numbers

    counter.take_numbers = take_then_stall
    with Session(make_engine(url)) as session:
        service.issue_pending_invoices(session, keys=load_signing_keys(key_path, cert_path))


if __name__ == "__main__":
    main(*sys.argv[1:4])
