import random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from payrecon.payments.references import (
    ALPHABET,
    PREFIX,
    REFERENCE_LENGTH,
    check_character,
    extract_references,
    fold_to_ascii,
    is_valid_reference,
    new_reference,
    normalise_candidate,
)

# Valid references, written out (their check characters were computed once and are literal here).
REF = "PR7K3MABCDW"
OTHER_REF = "PRQX29HT4N9"
THIRD_REF = "PRHS24ABCDS"
# 'PR' + OVERLAPPING_REF starts with another valid reading, 'PRPRAAABXYZ'.
OVERLAPPING_REF = "PRAAABXYZ2T"


def test_alphabet_has_32_distinct_symbols_and_no_look_alikes():
    assert len(ALPHABET) == 32
    assert len(set(ALPHABET)) == 32
    assert set(ALPHABET).isdisjoint("O0I1")
    assert ALPHABET.isupper()


@pytest.mark.parametrize("reference", [REF, OTHER_REF, THIRD_REF, OVERLAPPING_REF, "PRAAAAAAAAB"])
def test_literal_references_are_valid(reference):
    assert is_valid_reference(reference)


def test_check_character_of_known_payloads():
    assert check_character("PR7K3MABCD") == "W"
    assert check_character("PRAAAAAAAA") == "B"
    assert check_character("PR99999999") == "C"


def test_check_character_refuses_symbols_outside_the_alphabet():
    with pytest.raises(ValueError, match="outside the alphabet: 0"):
        check_character("PR0K3MABCD")


def test_new_references_are_short_valid_and_different():
    references = {new_reference() for _ in range(200)}
    assert len(references) == 200
    for reference in references:
        assert len(reference) == REFERENCE_LENGTH <= 12
        assert reference.startswith(PREFIX)
        assert set(reference) <= set(ALPHABET)
        assert is_valid_reference(reference)


@pytest.mark.parametrize(
    "text",
    [
        "PR7K3MABCDX",  # wrong check character
        "PR7K3MABCD",  # one short
        "PR7K3MABCDWW",  # one long
        "pr7k3mabcdw",  # not canonical: lower case
        "PR7K3M ABCDW",  # not canonical: space
        "PR7K3MAB0DW",  # '0' is not in the alphabet
        "XR7K3MABCDW",  # wrong prefix
        "",
    ],
)
def test_invalid_or_non_canonical_text_is_not_a_reference(text):
    assert not is_valid_reference(text)


def _substitutions(reference):
    for position, original in enumerate(reference):
        for replacement in ALPHABET:
            if replacement != original:
                yield reference[:position] + replacement + reference[position + 1 :]


def _transpositions(reference):
    for first in range(len(reference)):
        for second in range(first + 1, len(reference)):
            if reference[first] != reference[second]:
                chars = list(reference)
                chars[first], chars[second] = chars[second], chars[first]
                yield "".join(chars)


def test_every_single_substitution_and_every_transposition_is_caught():
    generator = random.Random(20240521)
    references = [REF, OTHER_REF, "PRAAAAAAAAB", "PR99999999C"]
    for _ in range(300):
        body = "".join(generator.choice(ALPHABET) for _ in range(8))
        references.append(PREFIX + body + check_character(PREFIX + body))
    for reference in references:
        assert is_valid_reference(reference)
        for mutated in _substitutions(reference):
            assert not is_valid_reference(mutated), (reference, mutated)
        for mutated in _transpositions(reference):
            assert not is_valid_reference(mutated), (reference, mutated)


def test_the_transposition_luhn_mod_n_would_miss_is_caught():
    # Luhn mod 32 cannot tell the first and last symbols ('A', '9') apart when swapped.
    payload = "PRA9" + "BCDEF"
    reference = payload + "G" + check_character(payload + "G")
    swapped = reference.replace("A9", "9A")
    assert is_valid_reference(reference)
    assert not is_valid_reference(swapped)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nộp phí hồ sơ", "Nop phi ho so"),
        ("Đăng ký kinh doanh", "Dang ky kinh doanh"),
        ("NGUYỄN VĂN ĐỨC", "NGUYEN VAN DUC"),
        ("ủng hộ lũ lụt", "ung ho lu lut"),
        ("chuyển khoản", "chuyen khoan"),
        ("already ascii 123", "already ascii 123"),
    ],
)
def test_fold_to_ascii_strips_vietnamese_diacritics(text, folded):
    assert fold_to_ascii(text) == folded


@pytest.mark.parametrize(
    "typed",
    ["PR7K3MABCDW", "pr7k3mabcdw", "pr 7k3m-abcd.w", " PR-7K3M-ABCD-W ", "Pr.7k3m.abcd.w"],
)
def test_normalise_candidate_gives_canonical_form(typed):
    assert normalise_candidate(typed) == REF
    assert is_valid_reference(normalise_candidate(typed))


def test_normalise_candidate_does_not_validate():
    assert normalise_candidate("hồ sơ 12") == "HOSO12"


@pytest.mark.parametrize(
    ("memo", "expected"),
    [
        # Vietcombank app transfer: MBVCB.<ref>.<name> chuyen tien.CT tu <from> <name> toi <to> ...
        (
            "MBVCB.3278123456.PR7K3MABCDW.NGUYEN VAN A chuyen tien.CT tu 0011004123456 "
            "NGUYEN VAN A toi 1017123456 TRUNG TAM PHUC VU HANH CHINH CONG",
            [REF],
        ),
        ("VCB.CTDK.15/05/2024.PR7K3MABCDW nop phi. CT tu 0011004123456 toi 1017123456", [REF]),
        ("CT nhanh 247 den: TRUNG TAM PVHCC TINH QUANG NINH pr 7k3m abcd w", [REF]),
        ("IBFT PR7K3MABCDW", [REF]),
        ("TKThe :0123456789, tai Vietcombank. PR.7K3M.ABCD.W", [REF]),
        ("FT24137001234567 PR7K3MABCDW NOP PHI", [REF]),
        ("Nộp phí hồ sơ PR7K3MABCDW Nguyễn Văn Đức", [REF]),
        ("nộp lệ phí pr-7k3m-abcd-w", [REF]),
        ("(PR7K3MABCDW)", [REF]),
        # Banks that strip spaces glue the words together.
        ("NOPPHIPR7K3MABCDW", [REF]),
        ("NOPPHIPR7K3MABCDWNGUYENVANA", [REF]),
        ("CHUYENTIENPR7K3MABCDWDENTRUNGTAMPVHCC", [REF]),
        ("MBVCB3278123456PR7K3MABCDWNGUYENVANACHUYENTIEN", [REF]),
        # Several references, in order of appearance, each once.
        ("PR7K3MABCDW PRQX29HT4N9 nop phi 2 ho so", [REF, OTHER_REF]),
        ("PRQX29HT4N9 va PR7K3MABCDW", [OTHER_REF, REF]),
        ("PR7K3MABCDW PR7K3MABCDW pr7k3mabcdw", [REF]),
        ("HS1 PRHS24ABCDS; HS2 PRQX29HT4N9; HS3 PR7K3MABCDW", [THIRD_REF, OTHER_REF, REF]),
        # Memo cut at 25 characters: the reference is cut short, so it is no match.
        (("CT nhanh 247 den: PR7K3MABCDW")[:25], []),
        (("MBVCB.3278123456.PR7K3MABCDW.NGUYEN VAN A")[:25], []),
        # Near misses are never matches.
        ("MBVCB.3278123456.PR7K3MABCDX.NGUYEN VAN A chuyen tien", []),
        ("nop phi PR7K3MABDCW", []),  # adjacent transposition
        ("nop phi PR7K3MABCD", []),  # check character left off
        ("nop phi PR7K3MA8CDW", []),  # one character mistyped
        # Text with 'PR' but no reference.
        ("PROVINCE PRO PRPRPR PRINT 2024 PR", []),
        ("", []),
        ("chuyen tien", []),
    ],
)
def test_extract_references_from_realistic_memos(memo, expected):
    assert extract_references(memo) == expected


def test_a_reference_inside_a_token_that_also_reads_as_another_reference_is_not_trusted():
    # 'PRPRAAABXYZ2T' reads as 'PRPRAAABXYZ' (starts the word) and as 'PRAAABXYZ2T' (ends it):
    # both check out, neither is better placed, so neither is reported.
    assert is_valid_reference("PRPRAAABXYZ")
    assert extract_references("nop phi PRPRAAABXYZ2T") == []


def test_word_boundaries_settle_overlapping_readings():
    assert extract_references("nop phi PR PRAAABXYZ2T") == [OVERLAPPING_REF]
    assert extract_references("PRPRAAABXYZ 2T") == ["PRPRAAABXYZ"]
    assert extract_references("NOPPHIPRPRAAABXYZ2T") == [OVERLAPPING_REF]


# Bank noise: words of letters (with and without diacritics), digits, and bank punctuation.
_NOISE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ăâđêôơưộếĐỨ"
_SEPARATORS = st.sampled_from([" ", ".", " - ", ": ", ", ", "\n", "/"])
_noise = st.lists(
    st.tuples(st.text(alphabet=_NOISE_CHARS, max_size=14), _SEPARATORS), max_size=6
).map(lambda words: "".join(word + separator for word, separator in words))
_bodies = st.text(alphabet=ALPHABET, min_size=8, max_size=8)


def _reference(body):
    return PREFIX + body + check_character(PREFIX + body)


def _random_case(reference, flips):
    return "".join(c.lower() if flip else c for c, flip in zip(reference, flips, strict=False))


@given(
    body=_bodies,
    left=_noise,
    right=_noise,
    before=_SEPARATORS,
    after=_SEPARATORS,
    flips=st.lists(st.booleans(), min_size=11, max_size=11),
)
def test_a_reference_standing_as_a_word_is_found_in_any_bank_noise(
    body, left, right, before, after, flips
):
    reference = _reference(body)
    memo = left + before + _random_case(reference, flips) + after + right
    assert reference in extract_references(memo)


# Noise without 'P' cannot start a reading, so the embedded reference is the only candidate.
_noise_without_p = st.text(alphabet=_NOISE_CHARS.replace("P", "").replace("p", ""), max_size=40)


@given(
    body=_bodies,
    left=_noise_without_p,
    right=_noise_without_p,
    separator=st.sampled_from(["", " ", ".", "-"]),
)
def test_a_reference_split_by_separators_or_glued_to_words_is_found(body, left, right, separator):
    reference = _reference(body)
    assume("P" not in reference[1:])
    spaced = separator.join([reference[:2], reference[2:6], reference[6:10], reference[10:]])
    assert extract_references(left + spaced + right) == [reference]


@given(
    body=st.text(alphabet=ALPHABET.replace("P", ""), min_size=8, max_size=8),
    left=_noise_without_p,
    right=_noise_without_p,
    position=st.integers(min_value=0, max_value=REFERENCE_LENGTH - 1),
    replacement=st.sampled_from(ALPHABET.replace("P", "")),
    separator=st.sampled_from(["", " ", "."]),
)
def test_a_reference_with_one_character_changed_is_not_found(
    body, left, right, position, replacement, separator
):
    reference = _reference(body)
    assume("P" not in reference[1:])
    assume(reference[position] != replacement)
    mutated = reference[:position] + replacement + reference[position + 1 :]
    found = extract_references(left + separator + mutated + separator + right)
    assert reference not in found
    assert mutated not in found


@given(
    body=st.text(alphabet=ALPHABET.replace("P", ""), min_size=8, max_size=8),
    position=st.integers(min_value=0, max_value=REFERENCE_LENGTH - 2),
)
def test_a_reference_with_two_neighbours_swapped_is_not_found(body, position):
    reference = _reference(body)
    assume("P" not in reference[1:])
    assume(reference[position] != reference[position + 1])
    chars = list(reference)
    chars[position], chars[position + 1] = chars[position + 1], chars[position]
    swapped = "".join(chars)
    assert extract_references(f"MBVCB.3278123456.{swapped}.NGUYEN VAN A") == []
