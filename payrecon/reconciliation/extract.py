"""Payment references in remittance text, for a million lines at a time.

Pure: pandas and numpy. The answer is exactly `payments.references.extract_references` for every
row; most rows get it from a vectorised pass and only the hard ones call that function.

Why the fast pass is exact: `extract_references` folds the text (diacritics, case), keeps only
ASCII letters and digits, and reads a reference from every place the prefix ("PR") starts. With
no prefix in that compact text there is nothing to find; with exactly one there is exactly one
reading, reported if its check character is right (rivals, and so word boundaries, only matter
when readings overlap, which needs a second prefix). So a row whose text is ASCII (or becomes
ASCII once Vietnamese marks are folded away) and holds at most one prefix is settled by a regex
and a vectorised check; everything else (two or more prefixes, characters the fold cannot make
ASCII) goes to `extract_references` itself.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from payrecon.payments.references import (
    ALPHABET,
    PREFIX,
    REFERENCE_LENGTH,
    check_character,
    extract_references,
    is_valid_reference,
)

_SEPARATORS = "[^a-z0-9]*"
_PREFIX_PATTERN = _SEPARATORS.join(re.escape(char.lower()) for char in PREFIX)
# One regex match per prefix in the compact text, as long as the prefix cannot overlap itself.
_PREFIX_COUNT = f"(?i){_PREFIX_PATTERN}"
_READING = f"(?i)({_PREFIX_PATTERN}(?:{_SEPARATORS}[a-z0-9]){{{REFERENCE_LENGTH - len(PREFIX)}}})"
_VIETNAMESE_MARKS = "[\u0300-\u036f]"
_PREFIX_CANNOT_OVERLAP = all(
    not PREFIX.endswith(PREFIX[:size]) for size in range(1, len(PREFIX))
) and len(set(PREFIX)) == len(PREFIX)

RESULT_COLUMNS = ("key", "reference", "order")


def find_references(texts: pd.Series) -> pd.DataFrame:
    """Every reference in each text: columns key (the text's index label), reference, order.

    `order` counts references within one text from 0, in order of appearance. Rows are sorted
    by the position of their text in `texts`, then by order; texts without a reference have
    no row.
    """
    texts = texts.astype("str").fillna("")
    position = pd.Series(np.arange(len(texts)), index=texts.index)
    is_ascii = texts.str.isascii()
    folded = _fold_marks(texts[~is_ascii])
    foldable = folded.str.isascii()
    prepared = pd.concat([texts[is_ascii], folded[foldable]])
    needs_exact = [texts.index[~is_ascii][~foldable.to_numpy()]]

    prefix_count = prepared.str.count(_PREFIX_COUNT)
    if _PREFIX_CANNOT_OVERLAP:
        single = prepared[prefix_count == 1]
        needs_exact.append(prefix_count.index[prefix_count >= 2])
    else:  # pragma: no cover - the prefix is "PR"; kept exact if it ever changes
        single = prepared.iloc[:0]
        needs_exact.append(prefix_count.index[prefix_count >= 1])

    readings = single.str.extract(_READING, expand=False).dropna()
    candidates = readings.str.replace("[^A-Za-z0-9]", "", regex=True).str.upper()
    found = candidates[are_valid_references(candidates)]
    fast = pd.DataFrame({"key": found.index, "reference": found.to_numpy(), "order": 0})

    exact_rows: list[tuple[object, str, int]] = []
    for key in pd.Index([]).append(needs_exact):
        for order, reference in enumerate(extract_references(texts.loc[key])):
            exact_rows.append((key, reference, order))
    exact = pd.DataFrame(exact_rows, columns=list(RESULT_COLUMNS))

    result = pd.concat([fast, exact], ignore_index=True)
    result["reference"] = result["reference"].astype("str")
    result["order"] = result["order"].astype("int64")
    sort_position = position.loc[result["key"]].to_numpy()
    result = result.iloc[np.lexsort((result["order"].to_numpy(), sort_position))]
    return result.reset_index(drop=True)


def _fold_marks(texts: pd.Series) -> pd.Series:
    """Vietnamese text with its marks removed: what fold_to_ascii does for Vietnamese."""
    return (
        texts.str.replace("đ", "d", regex=False)
        .str.replace("Đ", "D", regex=False)
        .str.normalize("NFKD")
        .str.replace(_VIETNAMESE_MARKS, "", regex=True)
    )


def _check_tables() -> np.ndarray | None:
    """Per payload position and symbol, its share of the check character's value.

    The check character of a payload is x·P(payload) over GF(32), where P is linear in the
    symbol values and the first symbol of the alphabet is 0; so it is the XOR of each
    position's share, read off `check_character` with every other position at that zero
    symbol. Verified against `check_character` on sample payloads; None (use the scalar
    function) if the scheme ever stops being linear.
    """
    payload_length = REFERENCE_LENGTH - 1
    zero = ALPHABET[0]
    tables = np.zeros((payload_length, len(ALPHABET)), dtype=np.int64)
    for place in range(payload_length):
        for value, symbol in enumerate(ALPHABET):
            payload = zero * place + symbol + zero * (payload_length - place - 1)
            tables[place, value] = ALPHABET.index(check_character(payload))
    rng = np.random.default_rng(20261124)
    for _ in range(64):
        values = rng.integers(0, len(ALPHABET), payload_length)
        payload = "".join(ALPHABET[v] for v in values)
        combined = np.bitwise_xor.reduce(tables[np.arange(payload_length), values])
        if ALPHABET[combined] != check_character(payload):
            return None
    return tables


_TABLES = _check_tables()
_SYMBOL_VALUE = np.full(256, -1, dtype=np.int64)
for _value, _symbol in enumerate(ALPHABET):
    _SYMBOL_VALUE[ord(_symbol)] = _value


def are_valid_references(candidates: pd.Series) -> np.ndarray:
    """Vectorised `is_valid_reference` for upper-case ASCII strings of any length."""
    if len(candidates) == 0:
        return np.zeros(0, dtype=bool)
    texts = candidates.astype("str")
    right_length = (texts.str.len() == REFERENCE_LENGTH).to_numpy() & (
        texts.str.startswith(PREFIX).to_numpy()
    )
    result = np.zeros(len(texts), dtype=bool)
    if _TABLES is None:  # pragma: no cover - only if the check scheme changes
        return np.array([is_valid_reference(text) for text in texts], dtype=bool)
    chosen = texts[right_length]
    if not chosen.str.isascii().all():
        return np.array([is_valid_reference(text) for text in texts], dtype=bool)
    raw = np.frombuffer("".join(chosen).encode("ascii"), dtype=np.uint8)
    values = _SYMBOL_VALUE[raw].reshape(-1, REFERENCE_LENGTH)
    in_alphabet = (values >= 0).all(axis=1)
    payload = np.where(values[:, :-1] >= 0, values[:, :-1], 0)
    shares = _TABLES[np.arange(REFERENCE_LENGTH - 1), payload]
    expected_check = np.bitwise_xor.reduce(shares, axis=1)
    result[right_length] = in_alphabet & (expected_check == values[:, -1])
    return result
