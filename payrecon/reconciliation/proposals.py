"""Proposals, never decisions: credits without a usable reference, paired by amount and date.

Pure: pandas frames in, a proposals frame out. A candidate is an unmatched VietQR payment with
exactly the credit's amount, paid (or created) between one day after and `window_days` before
the booking date. Pairs are ranked by date distance, then by how much of the applicant's name
the transfer text carries, then by ids, and assigned best first so that each credit and each
payment is proposed at most once (rank 1). Candidates nobody was assigned are listed as
alternatives (rank 2, 3, ...). A pair with a rival ranked exactly as well is flagged
`is_near_tie`: the research on other engines says to show near-ties, not to guess them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from payrecon.reconciliation.extract import arrow_strings, fold_marks
from payrecon.reconciliation.frames import PROPOSALS
from payrecon.reconciliation.steps import greedy_pairs

EARLIEST_DAY_DISTANCE = -1  # a credit booked the day before the payment's date (cut-off times)


def words(texts: pd.Series) -> pd.DataFrame:
    """Upper-case ASCII words of each text, marks folded: columns key (index label), word.

    'Trần Đức' gives TRAN and DUC; each word once per text.
    """
    rows, flat = _split_words(texts)
    frame = pd.DataFrame(
        {"key": texts.index.to_numpy()[rows], "word": flat.to_numpy(zero_copy_only=False)}
    )
    return frame.drop_duplicates(ignore_index=True)


def _split_words(texts: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """The words of each text (see `words`) as (position of the text, word), in text order,
    repeats kept. Only texts with non-ASCII characters are folded: most are ASCII already,
    and for those folding changes nothing."""
    strings = arrow_strings(texts)
    is_ascii = pc.string_is_ascii(strings).to_numpy(zero_copy_only=False)
    if is_ascii.all():
        upper = pc.ascii_upper(strings)
    else:
        ascii_rows, other_rows = np.flatnonzero(is_ascii), np.flatnonzero(~is_ascii)
        folded = pc.utf8_upper(fold_marks(strings.take(pa.array(other_rows))))
        joined = pa.concat_arrays([pc.ascii_upper(strings.take(pa.array(ascii_rows))), folded])
        upper = joined.take(pa.array(np.argsort(np.concatenate([ascii_rows, other_rows]))))
    spaced = pc.utf8_trim_whitespace(pc.replace_substring_regex(upper, "[^A-Z0-9]+", " "))
    split = pc.split_pattern(spaced, " ")
    flat = pc.list_flatten(split)
    rows = pc.list_parent_indices(split).to_numpy(zero_copy_only=False)
    kept = pc.not_equal(flat, "")
    return rows[kept.to_numpy(zero_copy_only=False)], flat.filter(kept)


def name_similarity(pairs: pd.DataFrame, texts: pd.Series, names: pd.Series) -> np.ndarray:
    """For each (line_id, payment_id) pair, the share of the applicant's name words in the text.

    `texts` is indexed by line_id, `names` by payment_id. Vectorised on integers: words get
    one number each, every pair is exploded into its name's words, and a word counts when
    (text, word) is among the text's own; the cost grows with pairs times name words.
    """
    if pairs.empty:
        return np.zeros(0)
    name_rows, name_flat = _split_words(names)
    text_rows, text_flat = _split_words(texts)
    codes = pc.dictionary_encode(pa.concat_arrays([name_flat, text_flat])).indices
    codes = codes.to_numpy(zero_copy_only=False).astype(np.int64)
    vocabulary = max(int(codes.max()) + 1 if len(codes) else 1, 1)
    name_keys = _sorted_distinct(name_rows * vocabulary + codes[: len(name_flat)])
    text_keys = _sorted_distinct(text_rows * vocabulary + codes[len(name_flat) :])
    # Each name's distinct words, grouped by name (name_keys is sorted by name position).
    word_of_name, code_of_word = np.divmod(name_keys, vocabulary)
    sizes = np.bincount(word_of_name, minlength=len(names))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pair_name = names.index.get_indexer(pairs["payment_id"].to_numpy())
    pair_text = texts.index.get_indexer(pairs["line_id"].to_numpy())
    size = np.where(pair_name >= 0, sizes[pair_name], 0)
    size = np.where(pair_text >= 0, size, 0)
    pair_of_word = np.repeat(np.arange(len(pairs)), size)
    within = np.arange(len(pair_of_word)) - np.repeat(np.cumsum(size) - size, size)
    word = code_of_word[np.repeat(starts[pair_name], size) + within]
    found = np.isin(pair_text[pair_of_word] * vocabulary + word, text_keys)
    hits = np.bincount(pair_of_word, weights=found, minlength=len(pairs))
    name_size = np.where(pair_name >= 0, sizes[pair_name], 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(name_size > 0, hits / name_size, 0.0)
    return np.round(share, 4).astype("float64")


def _sorted_distinct(values: np.ndarray) -> np.ndarray:
    """np.unique of int64 values by a plain sort: numpy 2's unique hashes first, which costs
    ten times as much on a million keys."""
    ordered = np.sort(values)
    return (
        ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])] if len(ordered) else ordered
    )


def propose(
    credits: pd.DataFrame,
    candidates: pd.DataFrame,
    *,
    window_days: int,
    alternatives: int = 2,
) -> pd.DataFrame:
    """Ranked proposals for `credits` among `candidates`.

    Args:
        credits: line_id, amount_vnd, booking_date, remittance_text of the credits left.
        candidates: payment_id, amount_vnd, payment_date, applicant_name of the payments left.
        window_days: how many days a credit may be booked after the payment's date.
        alternatives: how many unassigned candidates to list after the assigned one.
    """
    pairs = credits[["line_id", "amount_vnd", "booking_date"]].merge(
        candidates[["payment_id", "amount_vnd", "payment_date"]],
        on="amount_vnd",
    )
    pairs = pairs.assign(day_distance=(pairs["booking_date"] - pairs["payment_date"]).dt.days)
    distance = pairs["day_distance"]
    pairs = pairs[(distance >= EARLIEST_DAY_DISTANCE) & (distance <= window_days)]
    if pairs.empty:
        return _empty()
    texts = credits.set_index("line_id")["remittance_text"]
    names = candidates.set_index("payment_id")["applicant_name"]
    pairs = pairs.assign(
        name_similarity=name_similarity(
            pairs,
            texts[texts.index.isin(pairs["line_id"])],
            names[names.index.isin(pairs["payment_id"])],
        ),
        closeness=pairs["day_distance"].abs(),
    )
    pairs = pairs.sort_values(
        ["closeness", "name_similarity", "line_id", "payment_id"],
        ascending=[True, False, True, True],
        kind="stable",
    )
    assigned = greedy_pairs(pairs, "line_id", "payment_id")
    rank_key = ["closeness", "name_similarity"]
    ties = pairs.groupby(["line_id", *rank_key]).size().rename("rivals")
    assigned = assigned.join(ties, on=["line_id", *rank_key])
    spare = pairs[
        pairs["line_id"].isin(assigned["line_id"])
        & ~pairs["payment_id"].isin(assigned["payment_id"])
    ]
    spare = spare.sort_values(
        ["line_id", "closeness", "name_similarity", "payment_id"],
        ascending=[True, True, False, True],
        kind="stable",
    )
    spare = spare.assign(rank=spare.groupby("line_id").cumcount() + 2)
    spare = spare[spare["rank"] <= alternatives + 1]
    spare = spare.join(ties, on=["line_id", *rank_key])
    result = pd.concat([assigned.assign(rank=1), spare], ignore_index=True)
    near_tie = result["rivals"] > 1
    confidence = (
        0.5
        + 0.2 * (1 - result["closeness"] / (window_days + 1))
        + 0.25 * result["name_similarity"]
        - np.where(near_tie, 0.2, 0.0)
    ).round(4)
    frame = pd.DataFrame(
        {
            "line_id": result["line_id"].astype("int64"),
            "rank": result["rank"].astype("int64"),
            "payment_id": result["payment_id"].astype("int64"),
            "amount_vnd": result["amount_vnd"].astype("int64"),
            "day_distance": result["day_distance"].astype("int64"),
            "name_similarity": result["name_similarity"].astype("float64"),
            "confidence": confidence.astype("float64"),
            "is_near_tie": near_tie.astype("bool"),
        }
    )
    return frame.sort_values(["line_id", "rank"], kind="stable", ignore_index=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=c.kind) for c in PROPOSALS.columns})
