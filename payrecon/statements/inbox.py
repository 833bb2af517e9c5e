"""The statements inbox: files dropped into a folder are imported one by one and moved aside.

Files only, no database: `process_inbox` finds the files that are ready, hands each one's
bytes to an import function (the service passes one that stores them), and moves the file to
``processed/`` (imported, or imported before) or ``rejected/`` (with ``<name>.reason.txt``
holding the located error). Nothing is ever deleted or overwritten: a name already taken in
``processed/`` or ``rejected/`` gets a number (``statement-2.csv``).

What counts as a file to import: a regular file directly in the inbox. Folders are not
looked into (``processed/`` and ``rejected/`` live there); a symbolic link is never followed
and goes to ``rejected/`` as it is (the link, not what it points to); fifos, sockets and
devices are ignored. A file is left for the next run while it may still be being written: its
name ends in ``.part`` or ``.tmp`` or starts with ``.`` (rsync's and scp's temporary names), or
it was modified less than SETTLE_SECONDS ago.

Settlement reports are recognised by their header (the first line names the columns of
``settlement_csv.REQUIRED_COLUMNS``); everything else is a bank statement, whose format the
statement parser detects from the content. One drop folder serves both.

A file the import refuses (any PayreconError: unreadable, unknown format, bad lines, unknown
account) is rejected. Any other error (the database is down, a bug) is not the file's fault:
the file stays where it is for the next run, and the report lists it under ``failures``.
"""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

from payrecon.errors import ImportRejected, InvalidInput, PayreconError, StatementFormatError
from payrecon.statements.settlement_csv import REQUIRED_COLUMNS as SETTLEMENT_COLUMNS
from payrecon.statements.xml_safety import DEFAULT_MAX_BYTES

SETTLE_SECONDS = 30
IN_PROGRESS_SUFFIXES = (".part", ".tmp")
PROCESSED = "processed"
REJECTED = "rejected"
REASON_SUFFIX = ".reason.txt"
MAX_NAME_CHARS = 120  # leaves room for "-NNNN" and ".reason.txt" within a 255-byte name

Kind = Literal["statement", "settlement"]
Status = Literal["imported", "already_imported", "rejected", "failed"]


class ImportResult(Protocol):
    """What the import function returns (both statements.service results qualify)."""

    already_imported: bool

    def summary(self) -> str: ...


ImportFile = Callable[[bytes, str, Kind], ImportResult]


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file: `name` as found, `moved_to` its new path (None if left)."""

    name: str
    kind: Kind | None
    status: Status
    detail: str
    moved_to: Path | None = None


@dataclass
class InboxReport:
    inbox: Path
    outcomes: list[FileOutcome] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # may still be being written
    ignored: list[str] = field(default_factory=list)  # fifos, sockets, devices

    def with_status(self, status: Status) -> list[FileOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == status]

    @property
    def failures(self) -> list[FileOutcome]:
        return self.with_status("failed")

    def summary(self) -> str:
        counts = (
            f"{len(self.with_status('imported'))} imported, "
            f"{len(self.with_status('already_imported'))} already imported, "
            f"{len(self.with_status('rejected'))} rejected, "
            f"{len(self.failures)} failed, "
            f"{len(self.waiting)} left for the next run"
        )
        if self.ignored:
            counts += f", {len(self.ignored)} ignored (not regular files)"
        rejected = [shown_name(outcome.name) for outcome in self.with_status("rejected")]
        if rejected:
            counts += f"; rejected: {', '.join(rejected)}"
        return f"inbox {self.inbox}: {counts}"


def shown_name(name: str) -> str:
    """A file name as it may appear in a log line or message: printable, quoted when odd."""
    return name if safe_name(name) == name else ascii(name)


def safe_name(name: str) -> str:
    """A harmless single path component for `name`: letters (any script), digits, '.', '-'
    and '_' kept, everything else '_', no leading dots, at most MAX_NAME_CHARS characters.

    "../x" becomes "_x", a name of undecodable bytes becomes underscores, "" becomes "file".
    """
    cleaned = re.sub(r"[^\w.\-]", "_", name, flags=re.UNICODE)
    cleaned = cleaned.encode("utf-8", "replace").decode("utf-8")  # lone surrogates are gone
    cleaned = cleaned.lstrip(".")
    if len(cleaned) > MAX_NAME_CHARS:
        cleaned = cleaned[:MAX_NAME_CHARS]
    return cleaned or "file"


def numbered(name: str, n: int) -> str:
    """`name` for n == 1, else the n-th alternative: "a.csv" -> "a-2.csv", "a" -> "a-2"."""
    if n == 1:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        return f"{name}-{n}"
    return f"{stem}-{n}.{extension}"


def is_in_progress(name: str, modified_at: float, now: float, settle_seconds: float) -> bool:
    """True for a file that may still be being written (see the module docstring)."""
    if name.startswith(".") or name.lower().endswith(IN_PROGRESS_SUFFIXES):
        return True
    return now - modified_at < settle_seconds


def is_settlement_report(data: bytes) -> bool:
    """True when the first line is a settlement report header (all its required columns)."""
    first_line = data[:4096].split(b"\n", 1)[0].decode("utf-8-sig", "replace")
    columns = {column.strip().strip('"') for column in first_line.strip().split(",")}
    return all(column in columns for column in SETTLEMENT_COLUMNS)


def located_message(exc: BaseException) -> str:
    """The error as a reason: its message, where it is, and every problem of a rejected file."""
    text = str(exc) or type(exc).__name__
    where = exc.where if isinstance(exc, PayreconError) else None
    if where and where not in text:
        text += f" (at {where})"
    if isinstance(exc, ImportRejected):
        text += "".join(f"\n  - {problem}" for problem in exc.problems)
    return text


@dataclass(frozen=True)
class _Candidate:
    name: str
    modified_at: float
    is_link: bool


def _folder(inbox: Path, name: str) -> Path:
    """inbox/name, created if missing; refused if it is a link or not a folder."""
    path = inbox / name
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise InvalidInput(f"{path} must be a folder, not a link or a file", where=str(path))
    path.mkdir(exist_ok=True)
    return path


def _scan(inbox: Path, report: InboxReport, now: float, settle_seconds: float) -> list[_Candidate]:
    candidates = []
    with os.scandir(inbox) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                continue
            if entry.is_symlink():
                candidates.append(_Candidate(entry.name, 0.0, is_link=True))
                continue
            if not entry.is_file(follow_symlinks=False):
                report.ignored.append(entry.name)
                continue
            modified_at = entry.stat(follow_symlinks=False).st_mtime
            if is_in_progress(entry.name, modified_at, now, settle_seconds):
                report.waiting.append(entry.name)
            else:
                candidates.append(_Candidate(entry.name, modified_at, is_link=False))
    # oldest first, so statements of one account arrive in the order the bank sent them
    return sorted(candidates, key=lambda c: (c.modified_at, c.name))


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of `path`, opened without following a link and refused unless it is a
    regular file of at most max_bytes (checked on the opened file, so a swap is caught)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise StatementFormatError("not a regular file", where=path.name)
        if info.st_size > max_bytes:
            raise StatementFormatError(
                f"file is {info.st_size:,} bytes; the limit is {max_bytes:,} bytes",
                where=path.name,
            )
        return handle.read(max_bytes + 1)


def move_aside(source: Path, folder: Path, wanted: str, *, keep_free: str = "") -> Path:
    """Move `source` into `folder` as `wanted` (numbered if taken; never overwriting).

    `keep_free` is a suffix whose name must be free too (the reason file of a rejected file).
    A hard link claims the new name atomically; where the file system refuses one (a file
    owned by another user under fs.protected_hardlinks), a checked rename does it instead.
    """
    for n in range(1, 10_000):
        target = folder / numbered(wanted, n)
        if keep_free and os.path.lexists(f"{target}{keep_free}"):
            continue
        try:
            os.link(source, target, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError:
            if os.path.lexists(target):
                continue
            os.rename(source, target)
            return target
        os.unlink(source)
        return target
    raise RuntimeError(f"no free name for {wanted} in {folder}")


def write_reason(path: Path, text: str) -> None:
    """Create `path` with `text`; never through a link, never over an existing file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    with os.fdopen(os.open(path, flags, 0o640), "w", encoding="utf-8") as handle:
        handle.write(text)


def _reject(
    inbox: Path, rejected: Path, candidate: _Candidate, kind: Kind | None, message: str
) -> FileOutcome:
    moved = move_aside(
        inbox / candidate.name, rejected, safe_name(candidate.name), keep_free=REASON_SUFFIX
    )
    when = datetime.now(UTC).isoformat(timespec="seconds")
    write_reason(
        Path(f"{moved}{REASON_SUFFIX}"),
        f"file: {shown_name(candidate.name)}\nrejected at: {when}\nreason: {message}\n",
    )
    return FileOutcome(candidate.name, kind, "rejected", message, moved)


def process_inbox(
    inbox: Path,
    import_file: ImportFile,
    *,
    now: float | None = None,
    settle_seconds: float = SETTLE_SECONDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> InboxReport:
    """Import every ready file of `inbox` with `import_file(data, filename, kind)`, oldest
    first, and move each aside. `filename` is the file's safe_name. One file's failure never
    stops the others. InvalidInput when the inbox is missing or its subfolders are not
    folders."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise InvalidInput(f"the statements inbox {inbox} is not a folder", where=str(inbox))
    processed, rejected = _folder(inbox, PROCESSED), _folder(inbox, REJECTED)
    report = InboxReport(inbox)
    now = time.time() if now is None else now
    for candidate in _scan(inbox, report, now, settle_seconds):
        try:
            outcome = _handle(inbox, processed, rejected, candidate, import_file, max_bytes)
        except OSError as exc:  # moving or writing the reason failed: the file stays
            outcome = FileOutcome(candidate.name, None, "failed", f"{type(exc).__name__}: {exc}")
        if outcome is not None:
            report.outcomes.append(outcome)
    return report


def _handle(
    inbox: Path,
    processed: Path,
    rejected: Path,
    candidate: _Candidate,
    import_file: ImportFile,
    max_bytes: int,
) -> FileOutcome | None:
    source = inbox / candidate.name
    if candidate.is_link:
        message = "a symbolic link; only regular files are imported (the link was moved)"
        return _reject(inbox, rejected, candidate, None, message)
    kind: Kind | None = None
    try:
        data = read_regular_file(source, max_bytes)
        kind = "settlement" if is_settlement_report(data) else "statement"
        result = import_file(data, safe_name(candidate.name), kind)
    except FileNotFoundError:
        return None  # taken by a run that overlapped this one
    except PayreconError as exc:
        return _reject(inbox, rejected, candidate, kind, located_message(exc))
    except Exception as exc:
        detail = f"{type(exc).__name__}: {located_message(exc)}"
        return FileOutcome(candidate.name, kind, "failed", detail)
    moved = move_aside(source, processed, safe_name(candidate.name))
    status: Status = "already_imported" if result.already_imported else "imported"
    return FileOutcome(candidate.name, kind, status, result.summary(), moved)
