"""What a matching step returns, and the helpers every step uses to build it.

Pure: pandas, numpy and pyarrow. `StepResult` holds a step's match rows, its findings and the
lines and payments it used up; `match_rows` builds match rows with every MATCHES column;
`greedy_pairs` assigns each side at most once, best pair first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from payrecon.reconciliation.classify import Finding
from payrecon.reconciliation.frames import MATCHES, NO_ID

MATCH_COLUMNS = [name for name in MATCHES.column_names if name != "match_no"]


@dataclass
class StepResult:
    """What one rule decided: match rows, findings, and the ids it used up.

    The ids are kept as int64 arrays, not Python sets: a night of a million credits decides
    almost all of them in one step, and sets of a million ints cost seconds to build and test.
    """

    matches: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    _line_ids: list[np.ndarray] = field(default_factory=list, repr=False)
    _payment_ids: list[np.ndarray] = field(default_factory=list, repr=False)

    def decide(self, *, line_ids: object = (), payment_ids: object = ()) -> None:
        """Record lines and payments this step used up (ids, in any iterable or array)."""
        self._line_ids.append(_id_array(line_ids))
        self._payment_ids.append(_id_array(payment_ids))

    @property
    def decided_line_ids(self) -> np.ndarray:
        """The lines this step used up (an id may appear more than once)."""
        self._line_ids[:] = [_joined(self._line_ids)]
        return self._line_ids[0]

    @property
    def decided_payment_ids(self) -> np.ndarray:
        """The payments this step used up (an id may appear more than once)."""
        self._payment_ids[:] = [_joined(self._payment_ids)]
        return self._payment_ids[0]


def _id_array(ids: object) -> np.ndarray:
    if isinstance(ids, pd.Series):
        ids = ids.to_numpy()
    return np.asarray(list(ids) if isinstance(ids, set | frozenset) else ids, dtype=np.int64)


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def match_rows(**columns: object) -> pd.DataFrame:
    """Match rows with every MATCHES column (but match_no); absent ids are 0, absent fees 0."""
    length = max(len(v) for v in columns.values() if isinstance(v, pd.Series | np.ndarray | list))
    defaults: dict[str, object] = {
        "paired_line_id": NO_ID,
        "batch_id": NO_ID,
        "refund_id": NO_ID,
        "payment_id": NO_ID,
        "fee_vnd": 0,
        "confirms_payment": False,
    }
    data = {}
    for name in MATCH_COLUMNS:
        value = columns.get(name, defaults.get(name))
        if isinstance(value, pd.Series):
            value = value.to_numpy()
        if isinstance(value, str):  # one rule for every row: no million Python strings
            data[name] = pd.array(pa.repeat(pa.scalar(value, pa.string()), length), dtype="str")
        else:
            data[name] = np.asarray(value) if not np.isscalar(value) else np.full(length, value)
    frame = pd.DataFrame(data)
    return frame.astype({name: MATCHES_DTYPES[name] for name in MATCH_COLUMNS})


MATCHES_DTYPES = {column.name: column.kind for column in MATCHES.columns}


def empty_matches() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=MATCHES_DTYPES[name]) for name in MATCH_COLUMNS})


def greedy_pairs(pairs: pd.DataFrame, left: str, right: str) -> pd.DataFrame:
    """Walk `pairs` best first and keep each pair whose two sides are both still free."""
    used_left: set[object] = set()
    used_right: set[object] = set()
    keep = np.zeros(len(pairs), dtype=bool)
    for position, (a, b) in enumerate(
        zip(pairs[left].tolist(), pairs[right].tolist(), strict=True)
    ):
        if a not in used_left and b not in used_right:
            used_left.add(a)
            used_right.add(b)
            keep[position] = True
    return pairs[keep]
