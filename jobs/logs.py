"""Logging for job runs: plain lines for people, or JSON lines (`--log-format json`) for machines.

Every start, finish, skip and failure is logged by `jobs.runner` with extra fields (event, job,
business_date, run_key, run_id, duration_s, summary, error); the JSON format puts each of them
in its own key, the text format has them in the message already.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

LOGGER_NAME = "payrecon.jobs"
LOG_FORMATS = ("text", "json")


def configure_logging(
    log_format: str = "text", level: str = "INFO", stream: TextIO | None = None
) -> logging.Logger:
    """Send payrecon.jobs records to `stream` (stderr) in `log_format`; return the logger."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "{levelname}{name}{message}",
                style="{",
                rename_fields={"levelname": "level", "name": "logger"},
                timestamp=True,
                json_ensure_ascii=False,
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger(LOGGER_NAME)
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False
    return logger
