"""Credits whose text names something we can check: a payment reference or a dossier code.

Pure: pandas frames in, a `StepResult` out. Runs on the credits that no reference, settlement
batch or reversal decided, before proposals; a credit it decides is held by its exception and
is not proposed (the text says whose money it is, and it is not a payment of ours).

What counts as named:
- a payment reference: a well-formed one with the right check character, read from the text
  exactly as the reference step reads it (`extract.find_references`); a reference cut short or
  mistyped fails its check and names nothing;
- a dossier code of the one-stop-shop shape `NNN.NN.N…N.LNN-NNNN[-NNNN]` (three digits, two
  digits, 2–6 digits and a letter with two digits, then one or two serial groups of 4–6 digits:
  ``000.00.20.H49-241125-0001``). Citizens type it instead of the payment reference and banks
  mangle the punctuation, so each separator may be any run of dots, dashes, slashes,
  underscores or spaces, and case does not matter; the code is rebuilt canonically (dots in
  the agency part, dashes before the serials). It must stand alone: a letter or digit right
  before or after it means it is part of something longer (an account number, a transaction
  id) and names nothing. Dossier codes of other shapes are not looked for in bank text.

The rule, first that applies:
1. it names a dossier we know that is cancelled → ``cancelled_dossier`` (a refund is due);
2. it names a dossier we know that is live, or a payment of ours the reference step could not
   use (one outside the run's payments) → nothing here: the credit goes on to proposals (and
   stays ``unmatched_credit`` if none fits), the officer sees the text;
3. it names a payment reference that no payment of ours carries, or a dossier code that is
   not ours → ``unknown_dossier``;
4. it names nothing → nothing here (``unmatched_credit`` if no proposal fits).

"Ours" means in the database, whatever the date: the engine knows the payments and dossiers
of its frames, and the loader adds the references (`KNOWN_REFERENCES`) and dossiers the credit
texts name that fall outside them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from payrecon.reconciliation import classify as k
from payrecon.reconciliation.classify import Finding
from payrecon.reconciliation.extract import arrow_strings, find_references
from payrecon.reconciliation.frames import Column, FrameContract
from payrecon.reconciliation.steps import StepResult, empty_matches

KNOWN_REFERENCES = FrameContract(
    "known_references",
    "Payment references named in credit texts that belong to payments of ours outside the "
    "payments frame (older, say): they are known, not unknown_dossier.",
    (
        Column("reference", "str", "the payment's reference", unique=True),
        Column("payment_id", "int64", "the payment"),
        Column("status", "str", "its status"),
    ),
)

_SEPARATOR = r"[\s._/\-]+"
_DOSSIER_CODE = re.compile(
    rf"(?<![A-Z0-9])(\d{{3}}){_SEPARATOR}(\d{{2}}){_SEPARATOR}(\d{{2,6}}){_SEPARATOR}"
    rf"([A-Z]\d{{2}}){_SEPARATOR}(\d{{4,6}})(?:{_SEPARATOR}(\d{{4,6}}))?+(?![A-Z0-9])"
)
# The optional second serial is possessive: '…-241125-0001X' must not shrink to '…-241125'.
# RE2 (pyarrow) has no look-around: a cheap filter, then the exact pattern on the rows it keeps.
_MAY_HOLD_CODE = rf"\d{{3}}{_SEPARATOR}\d{{2}}{_SEPARATOR}\d{{2,6}}{_SEPARATOR}[A-Za-z]\d{{2}}"


def canonical_dossier_code(match: re.Match[str]) -> str:
    agency = ".".join(match.group(1, 2, 3, 4))
    serials = [group for group in match.group(5, 6) if group]
    return "-".join([agency, *serials])


def dossier_codes_in(text: str) -> list[str]:
    """Every dossier code of the one-stop-shop shape in `text`, canonical, unique, in order."""
    found: list[str] = []
    for match in _DOSSIER_CODE.finditer(text.upper()):
        code = canonical_dossier_code(match)
        if code not in found:
            found.append(code)
    return found


def find_dossier_codes(texts: pd.Series) -> pd.DataFrame:
    """Dossier codes in each text: columns key (the text's index label), dossier_code, order."""
    strings = arrow_strings(texts)
    maybe = pc.match_substring_regex(strings, _MAY_HOLD_CODE).to_numpy(zero_copy_only=False)
    keys = texts.index.to_numpy()
    rows = [
        (keys[position], code, order)
        for position in np.flatnonzero(maybe).tolist()
        for order, code in enumerate(dossier_codes_in(strings[position].as_py()))
    ]
    frame = pd.DataFrame(rows, columns=["key", "dossier_code", "order"])
    return frame.astype({"dossier_code": "str", "order": "int64"})


@dataclass(frozen=True)
class CreditNames:
    """What the credits' texts name: `found` (line_id, reference, order, as the engine's own
    extraction gives it, so the engine need not read the texts twice), and the distinct
    references and dossier codes for the loader to look up."""

    found: pd.DataFrame
    references: list[str]
    dossier_codes: list[str]


def names_in_credits(bank_lines: pd.DataFrame) -> CreditNames:
    """The references and dossier codes the credits' (C, not reversal) texts name."""
    credits = bank_lines[bank_lines["direction"].eq("C") & ~bank_lines["is_reversal"]]
    texts = credits.set_index("line_id")["remittance_text"]
    found = find_references(texts).rename(columns={"key": "line_id"})
    found = found.astype({"line_id": "int64"})
    codes = find_dossier_codes(texts)["dossier_code"]
    return CreditNames(
        found,
        sorted(set(found["reference"].tolist())),
        sorted(set(codes.tolist())),
    )


def empty_known_references() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "reference": pd.Series(dtype="str"),
            "payment_id": pd.Series(dtype="int64"),
            "status": pd.Series(dtype="str"),
        }
    )


def classify_named_credits(
    credits: pd.DataFrame,
    found: pd.DataFrame,
    payments: pd.DataFrame,
    dossiers: pd.DataFrame,
    known_references: pd.DataFrame,
) -> StepResult:
    """The rule of the module docstring for `credits` (the ones still undecided).

    Args:
        credits: line_id, amount_vnd, booking_date, remittance_text.
        found: line_id, reference, order: references found in the credits' texts.
        payments, dossiers: the engine's frames; known_references: see KNOWN_REFERENCES.
    """
    result = StepResult(matches=empty_matches())
    if credits.empty:
        return result
    texts = credits.set_index("line_id")["remittance_text"]
    codes = find_dossier_codes(texts).rename(columns={"key": "line_id"})
    named_dossiers = dossiers[dossiers["dossier_code"].isin(codes["dossier_code"].unique())]
    status_of = dict(zip(named_dossiers["dossier_code"], named_dossiers["status"], strict=True))
    codes = codes.assign(status=codes["dossier_code"].map(status_of))
    references = found[found["line_id"].isin(credits["line_id"])]
    named_references = references["reference"].unique().tolist()
    # Few credits are left by now: look their references up, not a million payments' up.
    ours = set(payments.loc[payments["reference"].isin(named_references), "reference"].tolist())
    ours |= set(known_references["reference"].tolist())
    is_ours = references["reference"].isin(ours)
    unknown_references = references[~is_ours]
    naming_ours = set(references.loc[is_ours, "line_id"].tolist())
    codes_of_line = dict(tuple(codes.groupby("line_id")))
    by_line_references = unknown_references.groupby("line_id")["reference"].agg(list)
    naming = credits[
        credits["line_id"].isin(codes["line_id"])
        | credits["line_id"].isin(by_line_references.index)
    ]
    decided: list[int] = []
    for row in naming.sort_values("line_id").itertuples(index=False):
        line_id = int(row.line_id)
        line_codes = codes_of_line.get(line_id, codes.iloc[0:0])
        cancelled = line_codes[line_codes["status"].eq("cancelled")]
        live = line_codes[line_codes["status"].notna() & ~line_codes["status"].eq("cancelled")]
        unknown_codes = line_codes[line_codes["status"].isna()]["dossier_code"].tolist()
        strangers = by_line_references.get(line_id, [])
        evidence = {
            "booking_date": row.booking_date,
            "bank_reference": row.bank_reference,
            "remittance_text": row.remittance_text,
        }
        if len(cancelled):
            code = cancelled["dossier_code"].iloc[0]
            result.findings.append(
                Finding(
                    k.CANCELLED_DOSSIER,
                    int(row.amount_vnd),
                    {"line": (line_id,), "dossier": (code,)},
                    {
                        **evidence,
                        "reason": "credit_names_cancelled_dossier",
                        "refund_due_vnd": int(row.amount_vnd),
                    },
                    unreconciled_line_ids=(line_id,),
                )
            )
        elif len(live) or line_id in naming_ours or not (strangers or unknown_codes):
            continue
        else:
            result.findings.append(
                Finding(
                    k.UNKNOWN_DOSSIER,
                    int(row.amount_vnd),
                    {"line": (line_id,), "dossier": tuple(unknown_codes)},
                    {
                        **evidence,
                        "reason": "unknown_reference" if strangers else "unknown_dossier_code",
                        "unknown_references": list(strangers),
                        "unknown_dossier_codes": unknown_codes,
                    },
                    unreconciled_line_ids=(line_id,),
                )
            )
        decided.append(line_id)
    result.decide(line_ids=decided)
    return result
