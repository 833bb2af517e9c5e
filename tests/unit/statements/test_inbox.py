"""The statements inbox's file handling, with a fake import function (no database)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from payrecon.errors import ImportRejected, InvalidInput, Problem, StatementFormatError
from payrecon.statements import inbox
from payrecon.statements.inbox import (
    is_in_progress,
    is_settlement_report,
    move_aside,
    numbered,
    process_inbox,
    safe_name,
)

NOW = 2_000_000_000.0  # a fixed clock: files are dated relative to it
SETTLEMENT_HEADER = (
    b"vnp_TxnRef,vnp_TransactionNo,pay_date,gross_vnd,fee_vnd,net_vnd,"
    b"settlement_batch_id,settlement_date\n"
)


@dataclass(frozen=True)
class FakeResult:
    already_imported: bool

    def summary(self) -> str:
        return "already imported" if self.already_imported else "stored"


class FakeImport:
    """Stores what it is given; refuses content starting with b"BAD", breaks on b"BOOM"."""

    def __init__(self) -> None:
        self.calls: list[tuple[bytes, str, str]] = []
        self.seen: set[bytes] = set()

    def __call__(self, data: bytes, filename: str, kind: str) -> FakeResult:
        self.calls.append((data, filename, kind))
        if data.startswith(b"BAD"):
            raise ImportRejected(
                filename,
                [Problem("line 3", "amount is not a number"), Problem("line 5", "no date")],
            )
        if data.startswith(b"UNREADABLE"):
            raise StatementFormatError("not a statement of any known format", where=filename)
        if data.startswith(b"BOOM"):
            raise ConnectionError("database went away")
        already = data in self.seen
        self.seen.add(data)
        return FakeResult(already)


def drop(folder: Path, name: str, data: bytes, age_s: float = 60) -> Path:
    path = folder / name
    path.write_bytes(data)
    os.utime(path, (NOW - age_s, NOW - age_s))
    return path


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.is_dir())


@pytest.fixture
def box(tmp_path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def test_a_good_file_is_imported_and_moved_to_processed(box):
    drop(box, "vcb-2026-11-20.csv", b"ngay,so tien\n")
    fake = FakeImport()
    report = process_inbox(box, fake, now=NOW)
    assert fake.calls == [(b"ngay,so tien\n", "vcb-2026-11-20.csv", "statement")]
    assert listing(box) == []
    assert listing(box / "processed") == ["vcb-2026-11-20.csv"]
    assert (box / "processed" / "vcb-2026-11-20.csv").read_bytes() == b"ngay,so tien\n"
    [outcome] = report.outcomes
    assert (outcome.status, outcome.kind) == ("imported", "statement")
    assert report.summary().endswith(
        "1 imported, 0 already imported, 0 rejected, 0 failed, 0 left for the next run"
    )


def test_a_settlement_report_is_recognised_by_its_header(box):
    drop(box, "report.csv", SETTLEMENT_HEADER + b"PRK7M2Q9XA,1,2026-10-31,1,0,1,B,2026-11-01\n")
    fake = FakeImport()
    process_inbox(box, fake, now=NOW)
    assert [kind for _data, _name, kind in fake.calls] == ["settlement"]


def test_is_settlement_report_needs_every_required_column():
    assert is_settlement_report(b"\xef\xbb\xbf" + SETTLEMENT_HEADER)
    assert is_settlement_report(SETTLEMENT_HEADER.replace(b"\n", b",batch_net_vnd\r\n"))
    assert not is_settlement_report(SETTLEMENT_HEADER.replace(b"fee_vnd,", b""))
    assert not is_settlement_report(b":20:STMT\n:25:0011000000001\n")


def test_an_already_imported_file_counts_as_processed_and_keeps_both_copies(box):
    fake = FakeImport()
    drop(box, "stmt.sta", b":20:A\n")
    process_inbox(box, fake, now=NOW)
    drop(box, "stmt.sta", b":20:A\n")
    report = process_inbox(box, fake, now=NOW)
    assert [o.status for o in report.outcomes] == ["already_imported"]
    assert listing(box / "processed") == ["stmt-2.sta", "stmt.sta"]


def test_a_refused_file_goes_to_rejected_with_its_located_reason(box):
    drop(box, "broken.csv", b"BAD content")
    report = process_inbox(box, FakeImport(), now=NOW)
    assert listing(box / "rejected") == ["broken.csv", "broken.csv.reason.txt"]
    reason = (box / "rejected" / "broken.csv.reason.txt").read_text(encoding="utf-8")
    assert reason.startswith("file: broken.csv\nrejected at: ")
    assert "reason: broken.csv: 2 problems; nothing was imported (at line 3)" in reason
    assert "\n  - line 3: amount is not a number\n  - line 5: no date\n" in reason
    assert report.summary().endswith("0 left for the next run; rejected: broken.csv")


def test_one_bad_file_never_stops_the_others(box):
    drop(box, "a-bad.xml", b"UNREADABLE", age_s=300)
    drop(box, "b-good.sta", b":20:B\n", age_s=200)
    drop(box, "c-boom.csv", b"BOOM", age_s=100)
    drop(box, "d-good.csv", b"x,y\n", age_s=50)
    fake = FakeImport()
    report = process_inbox(box, fake, now=NOW)
    assert [name for _data, name, _kind in fake.calls] == [
        "a-bad.xml",
        "b-good.sta",
        "c-boom.csv",
        "d-good.csv",
    ]
    assert [(o.name, o.status) for o in report.outcomes] == [
        ("a-bad.xml", "rejected"),
        ("b-good.sta", "imported"),
        ("c-boom.csv", "failed"),
        ("d-good.csv", "imported"),
    ]
    # the failure was not the file's fault: it stays for the next run
    assert listing(box) == ["c-boom.csv"]
    assert report.failures[0].detail == "ConnectionError: database went away"
    reason = (box / "rejected" / "a-bad.xml.reason.txt").read_text(encoding="utf-8")
    assert "reason: not a statement of any known format (at a-bad.xml)" in reason


def test_files_still_being_written_are_left_for_the_next_run(box):
    drop(box, "fresh.csv", b"x", age_s=5)
    drop(box, "upload.csv.part", b"x")
    drop(box, "copy.TMP", b"x")
    drop(box, ".rsync-temp.csv.Xa81", b"x")
    fake = FakeImport()
    report = process_inbox(box, fake, now=NOW)
    assert fake.calls == []
    assert sorted(report.waiting) == [
        ".rsync-temp.csv.Xa81",
        "copy.TMP",
        "fresh.csv",
        "upload.csv.part",
    ]
    assert listing(box) == [".rsync-temp.csv.Xa81", "copy.TMP", "fresh.csv", "upload.csv.part"]
    later = process_inbox(box, fake, now=NOW + 30)
    assert [o.name for o in later.outcomes] == ["fresh.csv"]


def test_is_in_progress_waits_settle_seconds_after_the_last_change():
    assert is_in_progress("a.csv", NOW - 29.9, NOW, 30)
    assert not is_in_progress("a.csv", NOW - 30, NOW, 30)
    assert is_in_progress("a.csv", NOW + 5, NOW, 30)  # a clock ahead of ours: wait
    assert is_in_progress("a.csv.part", NOW - 3600, NOW, 30)


def test_a_symlink_is_moved_as_a_link_and_its_target_never_touched(box, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not for import")
    (box / "looks-like-a-statement.sta").symlink_to(secret)
    fake = FakeImport()
    report = process_inbox(box, fake, now=NOW)
    assert fake.calls == []
    moved = box / "rejected" / "looks-like-a-statement.sta"
    assert moved.is_symlink()
    assert secret.read_bytes() == b"not for import"
    assert "a symbolic link" in report.outcomes[0].detail
    assert "symbolic link" in (box / "rejected" / f"{moved.name}.reason.txt").read_text()


def test_folders_and_fifos_are_not_touched(box):
    (box / "settlements").mkdir()
    drop(box / "settlements", "inside.csv", b"x")
    os.mkfifo(box / "pipe")
    fake = FakeImport()
    report = process_inbox(box, fake, now=NOW)
    assert fake.calls == []
    assert report.ignored == ["pipe"]
    assert (box / "settlements" / "inside.csv").exists()


def test_odd_names_are_sanitised_in_processed_and_rejected(box):
    drop(box, "sao kê\nngày 20;rm -rf.csv", b"BAD")
    drop(box, "***", b"fine")
    report = process_inbox(box, FakeImport(), now=NOW)
    assert listing(box / "rejected") == [
        "sao_kê_ngày_20_rm_-rf.csv",
        "sao_kê_ngày_20_rm_-rf.csv.reason.txt",
    ]
    reason = (box / "rejected" / "sao_kê_ngày_20_rm_-rf.csv.reason.txt").read_text()
    assert reason.startswith("file: 'sao k\\xea\\nng\\xe0y 20;rm -rf.csv'\n")
    assert listing(box / "processed") == ["___"]
    assert "rejected: 'sao k\\xea\\nng\\xe0y 20;rm -rf.csv'" in report.summary()


def test_safe_name_keeps_a_name_one_harmless_component():
    assert safe_name("../x") == "_x"
    assert safe_name("../../etc/passwd") == "_.._etc_passwd"
    assert safe_name("..") == "file"
    assert safe_name("") == "file"
    assert safe_name("a\x00b") == "a_b"
    assert safe_name("sao-kê_VCB.2026.csv") == "sao-kê_VCB.2026.csv"
    assert safe_name("bad\udcffbytes.csv") == "bad_bytes.csv"
    assert len(safe_name("x" * 300)) == inbox.MAX_NAME_CHARS
    for hostile in ("../x", "/etc/passwd", "..\\..\\x", "a/../../b"):
        assert "/" not in safe_name(hostile)
        assert not safe_name(hostile).startswith(".")


def test_a_traversal_name_cannot_leave_the_target_folder(tmp_path):
    folder = tmp_path / "rejected"
    folder.mkdir()
    source = tmp_path / "incoming"
    source.write_bytes(b"x")
    moved = move_aside(source, folder, safe_name("../escaped"), keep_free=".reason.txt")
    assert moved.parent == folder
    assert moved.name == "_escaped"
    assert not (tmp_path / "escaped").exists()


def test_move_aside_never_overwrites(tmp_path):
    folder = tmp_path / "processed"
    folder.mkdir()
    (folder / "a.csv").write_bytes(b"first")
    (folder / "a-2.csv.reason.txt").write_bytes(b"taken reason")
    source = tmp_path / "a.csv"
    source.write_bytes(b"second")
    moved = move_aside(source, folder, "a.csv", keep_free=".reason.txt")
    assert moved.name == "a-3.csv"
    assert (folder / "a.csv").read_bytes() == b"first"
    assert moved.read_bytes() == b"second"
    assert not source.exists()


def test_numbered_names():
    assert [numbered("a.csv", n) for n in (1, 2, 10)] == ["a.csv", "a-2.csv", "a-10.csv"]
    assert numbered("README", 2) == "README-2"
    assert numbered("x.tar.gz", 2) == "x.tar-2.gz"


def test_a_file_over_the_size_limit_is_rejected_unread(box):
    drop(box, "huge.xml", b"<" + b"x" * 200)
    fake = FakeImport()
    process_inbox(box, fake, now=NOW, max_bytes=100)
    assert fake.calls == []
    reason = (box / "rejected" / "huge.xml.reason.txt").read_text()
    assert "file is 201 bytes; the limit is 100 bytes (at huge.xml)" in reason


def test_a_missing_inbox_or_a_linked_subfolder_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match="is not a folder"):
        process_inbox(tmp_path / "nowhere", FakeImport(), now=NOW)
    box = tmp_path / "inbox"
    box.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (box / "rejected").symlink_to(elsewhere)
    with pytest.raises(InvalidInput, match="must be a folder, not a link") as caught:
        process_inbox(box, FakeImport(), now=NOW)
    assert caught.value.where == str(box / "rejected")
