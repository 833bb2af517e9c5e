"""Payment references in remittance text, for a million lines at a time.

Pure: pandas and numpy. The answer is exactly `payments.references.extract_references` for every
row; most rows get it from a vectorised pass and only the hard ones call that function.

Why the fast pass is exact: `extract_references` folds the text (diacritics, case), keeps only
ASCII letters and digits, and reads a reference from every place the prefix ("PR") starts. With
no prefix in that compact text there is nothing to find; with exactly one there is exactly one
reading, reported if its check character is right (rivals, and so word boundaries, only matter
when readings overlap, which needs a second prefix). So a row whose text is ASCII (or becomes
ASCII once Vietnamese marks are folded away) and holds at most one prefix is settled by a regex
and a vectorised check. A readable row with several prefixes is read at every prefix of its
compact text, vectorised too; only when two of its valid readings overlap (word boundaries then
decide) does it go to `extract_references`, like a row with characters the fold cannot make
ASCII.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from payrecon.payments.references import (
    ALPHABET,
    PREFIX,
    REFERENCE_LENGTH,
    check_character,
    extract_references,
    is_valid_reference,
)

_SEPARATORS = "[^A-Z0-9]*"
# Matched case-insensitively, once per prefix in the compact text (the prefix cannot overlap
# itself, checked below).
_PREFIX_PATTERN = _SEPARATORS.join(re.escape(char) for char in PREFIX)
_READING_UPPER = (
    f"(?P<reading>{_PREFIX_PATTERN}(?:{_SEPARATORS}[A-Z0-9]){{{REFERENCE_LENGTH - len(PREFIX)}}})"
)
_VIETNAMESE_MARKS = "[\u0300-\u036f]"
_PREFIX_CANNOT_OVERLAP = all(
    not PREFIX.endswith(PREFIX[:size]) for size in range(1, len(PREFIX))
) and len(set(PREFIX)) == len(PREFIX)

RESULT_COLUMNS = ("key", "reference", "order")


def find_references(texts: pd.Series) -> pd.DataFrame:
    """Every reference in each text: columns key (the text's index label), reference, order.

    `order` counts references within one text from 0, in order of appearance. Rows are sorted
    by the position of their text in `texts`, then by order; texts without a reference have
    no row. The index of `texts` must be unique.
    """
    if not texts.index.is_unique:
        raise ValueError("find_references needs texts with a unique index")
    keys = texts.index.to_numpy()
    strings = arrow_strings(texts)
    is_ascii = pc.string_is_ascii(strings).to_numpy(zero_copy_only=False)
    ascii_rows = np.flatnonzero(is_ascii)
    other_rows = np.flatnonzero(~is_ascii)
    # Fold only the rows that need it: most bank text is ASCII already.
    folded = fold_marks(strings.take(pa.array(other_rows)))
    foldable = pc.string_is_ascii(folded).to_numpy(zero_copy_only=False)
    readable_rows = np.concatenate([ascii_rows, other_rows[foldable]])
    prepared = pc.ascii_upper(
        pa.concat_arrays([strings.take(pa.array(ascii_rows)), folded.filter(pa.array(foldable))])
    )
    prefix_count = pc.count_substring_regex(prepared, _PREFIX_PATTERN)
    prefix_count = prefix_count.to_numpy(zero_copy_only=False)
    needs_exact = np.zeros(len(keys), dtype=bool)
    needs_exact[other_rows[~foldable]] = True
    if _PREFIX_CANNOT_OVERLAP:
        single = prefix_count == 1
    else:  # pragma: no cover - the prefix is "PR"; kept exact if it ever changes
        single = np.zeros(len(prefix_count), dtype=bool)
        needs_exact[readable_rows[prefix_count >= 1]] = True

    rows = readable_rows[single]
    readings = pc.struct_field(
        pc.extract_regex(prepared.filter(pa.array(single)), _READING_UPPER), [0]
    )
    has_reading = pc.is_valid(readings).to_numpy(zero_copy_only=False)
    candidates = pc.replace_substring_regex(readings.filter(pa.array(has_reading)), "[^A-Z0-9]", "")
    candidate_rows = rows[has_reading]
    valid = _valid_in_arrow(candidates)
    parts = [
        pd.DataFrame(
            {
                "position": candidate_rows[valid],
                # kept in arrow: a million Python strings would cost more than finding them
                "reference": pd.array(candidates.filter(pa.array(valid)), dtype="str"),
                "order": 0,
            }
        )
    ]
    if _PREFIX_CANNOT_OVERLAP:
        multi = prefix_count >= 2
        several, ambiguous = _several_prefixes(prepared.filter(pa.array(multi)))
        several["position"] = readable_rows[multi][several["position"].to_numpy()]
        needs_exact[readable_rows[multi][ambiguous]] = True
        parts.append(several.astype({"reference": "str"}))

    exact_rows: list[tuple[int, str, int]] = []
    for position in np.flatnonzero(needs_exact).tolist():
        text = strings[position].as_py()
        for order, reference in enumerate(extract_references(text)):
            exact_rows.append((position, reference, order))
    exact = pd.DataFrame(exact_rows, columns=["position", "reference", "order"])
    parts.append(exact.astype({"position": "int64", "reference": "str", "order": "int64"}))

    result = pd.concat(parts, ignore_index=True)
    result = result.sort_values(["position", "order"], kind="stable", ignore_index=True)
    return pd.DataFrame(
        {
            "key": keys[result["position"].to_numpy(dtype="int64")],
            "reference": result["reference"].astype("str"),
            "order": result["order"].astype("int64"),
        }
    )


def _several_prefixes(prepared: pa.Array) -> tuple[pd.DataFrame, np.ndarray]:
    """Readings of texts (upper-case ASCII) that hold the prefix more than once.

    Every place the prefix starts in the compact text gives a reading, kept if its check
    character is right. Readings that do not overlap are all reported, in order, each
    reference once per text: that is what `extract_references` does when no reading has a
    rival. Returns those rows (position = index in `prepared`, reference, order) and the
    positions whose valid readings overlap, where word boundaries decide: those are left to
    `extract_references`.
    """
    compact = pc.replace_substring_regex(prepared, "[^A-Z0-9]+", "")
    offsets, data = _offsets_and_data(compact)
    width = len(data) - len(PREFIX) + 1
    starts = np.ones(max(width, 0), dtype=bool)
    for place, char in enumerate(PREFIX.encode()):
        starts &= data[place : place + width] == char
    hits = np.flatnonzero(starts)
    row = np.searchsorted(offsets, hits, side="right") - 1
    fits = hits + REFERENCE_LENGTH <= offsets[row + 1]
    hits, row = hits[fits], row[fits]
    windows = data[hits[:, None] + np.arange(REFERENCE_LENGTH)]
    valid = _valid_windows(windows)
    hits, row, windows = hits[valid], row[valid], windows[valid]
    same_row = row[1:] == row[:-1]
    overlapping = same_row & (hits[1:] - hits[:-1] < REFERENCE_LENGTH)
    ambiguous = np.unique(np.concatenate([row[1:][overlapping], row[:-1][overlapping]]))
    clear = ~np.isin(row, ambiguous)
    found = pd.DataFrame(
        {
            "position": row[clear],
            "reference": [bytes(w).decode("ascii") for w in windows[clear]],
        }
    ).drop_duplicates(ignore_index=True)
    found["order"] = found.groupby("position").cumcount().astype("int64")
    return found, ambiguous


def _offsets_and_data(strings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (from 0) and the bytes of a string array, as numpy views."""
    strings = pa.concat_arrays([strings]) if len(strings) else pa.array([""], pa.string())
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32)[
        strings.offset : strings.offset + len(strings) + 1
    ].astype(np.int64)
    data = np.frombuffer(strings.buffers()[2] or b"", dtype=np.uint8)[offsets[0] : offsets[-1]]
    return offsets - offsets[0], data


def arrow_strings(texts: pd.Series) -> pa.Array:
    """The texts as one pyarrow string array, '' for missing; no copy when already arrow."""
    try:
        strings = pa.array(texts.astype("str"))
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # pragma: no cover - python-backed strings
        strings = pa.array(texts.astype(object).to_numpy(), type=pa.string())
    if isinstance(strings, pa.ChunkedArray):  # pragma: no cover - depends on pandas internals
        strings = (
            pa.concat_arrays(strings.chunks) if strings.num_chunks else pa.array([], pa.string())
        )
    if strings.type != pa.string():
        strings = strings.cast(pa.string())
    return pc.fill_null(strings, "")


def fold_marks(strings: pa.Array) -> pa.Array:
    """Text with its Vietnamese marks removed: what fold_to_ascii does for Vietnamese."""
    text = pc.replace_substring(strings, "đ", "d")
    text = pc.replace_substring(text, "Đ", "D")
    text = pc.utf8_normalize(text, "NFKD")
    return pc.replace_substring_regex(text, _VIETNAMESE_MARKS, "")


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
    tables = np.zeros((payload_length, len(ALPHABET)), dtype=np.uint8)
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
_NOT_A_SYMBOL = 255
_SYMBOL_VALUE = np.full(256, _NOT_A_SYMBOL, dtype=np.uint8)
for _value, _symbol in enumerate(ALPHABET):
    _SYMBOL_VALUE[ord(_symbol)] = _value


def are_valid_references(candidates: pd.Series) -> np.ndarray:
    """Vectorised `is_valid_reference`: one bool per candidate string."""
    if len(candidates) == 0:
        return np.zeros(0, dtype=bool)
    return _valid_in_arrow(arrow_strings(candidates))


def reference_codes(references: pd.Series) -> np.ndarray:
    """Each valid reference as an int64 (its symbols after the prefix, 5 bits each); -1 if not.

    Two valid references are equal exactly when their codes are, so joins on references can
    run on integers. Anything `is_valid_reference` refuses gets -1 and so joins nothing.
    """
    strings = arrow_strings(references)
    shaped = pc.equal(pc.binary_length(strings), REFERENCE_LENGTH).to_numpy(zero_copy_only=False)
    _, data = _offsets_and_data(strings.filter(pa.array(shaped)))
    windows = data[: shaped.sum() * REFERENCE_LENGTH].reshape(-1, REFERENCE_LENGTH)
    codes = np.zeros(len(windows), dtype=np.int64)
    for value in _SYMBOL_VALUE[windows[:, len(PREFIX) :]].T:
        codes = (codes << 5) | (value & 31).astype(np.int64)
    result = np.full(len(strings), -1, dtype=np.int64)
    result[shaped] = np.where(_valid_windows(windows), codes, -1)
    return result


def _valid_in_arrow(strings: pa.Array) -> np.ndarray:
    if _TABLES is None:  # pragma: no cover - only if the check scheme changes
        return np.array([is_valid_reference(text) for text in strings.to_pylist()], dtype=bool)
    shaped = pc.equal(pc.binary_length(strings), REFERENCE_LENGTH).to_numpy(zero_copy_only=False)
    result = np.zeros(len(strings), dtype=bool)
    # Every chosen string is REFERENCE_LENGTH bytes, so the data buffer is a plain matrix.
    _, data = _offsets_and_data(strings.filter(pa.array(shaped)))
    result[shaped] = _valid_windows(
        data[: shaped.sum() * REFERENCE_LENGTH].reshape(-1, REFERENCE_LENGTH)
    )
    return result


def _valid_windows(windows: np.ndarray) -> np.ndarray:
    """`is_valid_reference` of each row of a (n, REFERENCE_LENGTH) matrix of ASCII bytes."""
    if _TABLES is None:  # pragma: no cover - only if the check scheme changes
        return np.array(
            [is_valid_reference(bytes(w).decode("latin-1")) for w in windows], dtype=bool
        )
    prefixed = np.ones(len(windows), dtype=bool)
    for place, char in enumerate(PREFIX.encode()):
        prefixed &= windows[:, place] == char
    values = _SYMBOL_VALUE[windows]
    in_alphabet = (values != _NOT_A_SYMBOL).all(axis=1)
    expected_check = np.zeros(len(values), dtype=np.uint8)
    for place in range(REFERENCE_LENGTH - 1):
        # Symbols outside the alphabet read as 0 here; in_alphabet rules those rows out.
        expected_check ^= _TABLES[place][values[:, place] & 31]
    return prefixed & in_alphabet & (expected_check == values[:, -1])
