"""Named fault points: a process kills itself (SIGKILL) at one, for the fault-injection tests.

Off unless the environment says otherwise, read when a point is reached (never at import):

- ``PAYRECON_FAULT=<point>`` arms one point in every process started with it;
- ``PAYRECON_FAULT_ARMED=<path>`` (optional) makes it fire once across processes: the point
  fires only in the process that manages to delete that file, so a gunicorn worker respawned
  with the same environment, or a re-run of a command, goes past it.

The points, each where a crash would hurt most (everything written, nothing committed):

``ipn_before_commit``
    a VNPAY IPN under the dossier and payment locks, its event and the payment's success
    recorded, before the commit (payments.money_in.handle_vnpay_ipn);
``statement_import_mid_file``
    the first chunk of a statement's lines inserted, the rest of the file not yet
    (statements.store.insert_lines);
``reconcile_before_commit``
    a reconciliation run's matches and exceptions stored, before the commit that marks it
    finished (reconciliation.service.run_reconciliation).
"""

from __future__ import annotations

import os
import signal

POINTS = frozenset({"ipn_before_commit", "statement_import_mid_file", "reconcile_before_commit"})


def fault_point(name: str) -> None:
    """SIGKILL this process here when PAYRECON_FAULT names this point (and the arming file, if
    one is named, was still there to delete)."""
    if name not in POINTS:
        raise ValueError(f"unknown fault point {name!r}")
    if os.environ.get("PAYRECON_FAULT") != name:
        return
    armed = os.environ.get("PAYRECON_FAULT_ARMED")
    if armed:
        try:
            os.unlink(armed)
        except FileNotFoundError:
            return  # fired already, in this or another process
    os.kill(os.getpid(), signal.SIGKILL)
