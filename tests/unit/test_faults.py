"""Fault points stay off unless armed, and refuse a name they do not know.

That an armed point kills its process is shown by the fault-injection tests
(tests/hardening/faults), which run real processes.
"""

from __future__ import annotations

import pytest

from payrecon.faults import fault_point


def test_an_unknown_fault_point_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown fault point 'ipn_befor_commit'"):
        fault_point("ipn_befor_commit")


def test_a_point_does_nothing_when_no_fault_or_another_is_set(monkeypatch):
    monkeypatch.delenv("PAYRECON_FAULT", raising=False)
    fault_point("ipn_before_commit")
    monkeypatch.setenv("PAYRECON_FAULT", "reconcile_before_commit")
    fault_point("ipn_before_commit")


def test_a_point_armed_once_does_nothing_after_its_file_is_gone(monkeypatch, tmp_path):
    monkeypatch.setenv("PAYRECON_FAULT", "ipn_before_commit")
    monkeypatch.setenv("PAYRECON_FAULT_ARMED", str(tmp_path / "already-fired"))
    fault_point("ipn_before_commit")
