"""Log records as text or as one JSON object per line, each carrying the request id.

configure_logging installs one handler on the root logger, so every logger (payrecon.*,
sqlalchemy, the jobs) goes through it. RequestIdFilter stamps each record with the id bound
in request_id (the current request or job run): service code logs as usual and gets it free.

No PII: payrecon logs routes, never query strings or bodies (a VNPAY IPN query carries
amounts and references). The werkzeug development server's own request lines contain the
query string, so they are dropped; payrecon writes its own access line instead.

Pure: stdlib only.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from payrecon.observability.request_id import current_request_id

HANDLER_NAME = "payrecon"
LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
QUIET_LOGGERS = {"alembic.runtime.plugins": logging.WARNING}
"""Libraries whose INFO lines say nothing to an operator; an explicit level set elsewhere wins."""

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
}


class RequestIdFilter(logging.Filter):
    """Give every record `request_id`: the bound one, or None outside a request or job."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request_id, then extras.

    An extra field whose name clashes with one of those is kept as `extra_<name>`;
    values JSON cannot hold are written with str(). Vietnamese text stays readable.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key in _RECORD_ATTRIBUTES or key.startswith("_"):
                continue
            entry[f"extra_{key}" if key in entry else key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [request_id] message`, with '-' when there is no request id."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
            try:
                return super().format(record)
            finally:
                record.request_id = None
        return super().format(record)


class CurrentStderrHandler(logging.StreamHandler):
    """A StreamHandler that writes to whatever sys.stderr is at the time of each record.

    (A plain StreamHandler keeps the stderr it was built with, which test runners and
    process managers may have replaced since.) setStream() pins another stream.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        logging.Handler.__init__(self)
        self._pinned = stream

    @property
    def stream(self) -> TextIO:  # type: ignore[override]
        return self._pinned if self._pinned is not None else sys.stderr

    @stream.setter
    def stream(self, value: TextIO | None) -> None:
        self._pinned = value


class DropWerkzeugRequestLines(logging.Filter):
    """The dev server logs '"GET /path?query HTTP/1.1" 200 -': the query may hold PII."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith('"%s" %s %s'))


def parse_level(level: str | int) -> int:
    """'INFO', 'debug' or 20 -> a logging level; ValueError otherwise."""
    if isinstance(level, int) and not isinstance(level, bool):
        return level
    levels = logging.getLevelNamesMapping()
    name = str(level).strip().upper()
    if name not in levels:
        raise ValueError(f"log level {level!r} is not one of {', '.join(sorted(levels))}")
    return levels[name]


def configure_logging(
    log_format: str, level: str | int = "INFO", stream: TextIO | None = None
) -> logging.Handler:
    """Install (or replace) payrecon's handler on the root logger; return it.

    Idempotent: building a second app replaces the handler instead of doubling lines.
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format {log_format!r} is not one of {', '.join(LOG_FORMATS)}")
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == HANDLER_NAME:
            root.removeHandler(handler)
    handler = CurrentStderrHandler(stream)
    handler.set_name(HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(parse_level(level))
    for name, quiet_level in QUIET_LOGGERS.items():
        if logging.getLogger(name).level == logging.NOTSET:
            logging.getLogger(name).setLevel(quiet_level)
    werkzeug_logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropWerkzeugRequestLines) for f in werkzeug_logger.filters):
        werkzeug_logger.addFilter(DropWerkzeugRequestLines())
    return handler


def installed_handler() -> logging.Handler | None:
    """The handler configure_logging installed, if any (tests point it at a buffer)."""
    for handler in logging.getLogger().handlers:
        if handler.get_name() == HANDLER_NAME:
            return handler
    return None
