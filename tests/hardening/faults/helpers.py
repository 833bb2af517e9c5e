"""What the fault-injection tests share: arming a fault point for the processes they start."""

from __future__ import annotations

from pathlib import Path

from payrecon.faults import POINTS


def armed_fault(point: str, folder: Path) -> dict[str, str]:
    """The environment that makes the first process reaching `point` SIGKILL itself (once)."""
    assert point in POINTS
    flag = folder / f"fault-{point}"
    flag.touch()
    return {"PAYRECON_FAULT": point, "PAYRECON_FAULT_ARMED": str(flag)}


def fired(environment: dict[str, str]) -> bool:
    """Whether the armed fault has fired (its arming file is gone)."""
    return not Path(environment["PAYRECON_FAULT_ARMED"]).exists()
