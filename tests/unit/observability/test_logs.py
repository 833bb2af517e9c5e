import io
import json
import logging
import sys
from datetime import datetime

import pytest

from payrecon.observability.logs import (
    CurrentStderrHandler,
    JsonFormatter,
    RequestIdFilter,
    TextFormatter,
    configure_logging,
    installed_handler,
    parse_level,
)
from payrecon.observability.request_id import request_id_scope


def make_record(msg="hello %s", args=("world",), level=logging.INFO, extra=None, exc_info=None):
    logger = logging.getLogger("payrecon.payments.service")
    return logger.makeRecord(logger.name, level, "service.py", 42, msg, args, exc_info, extra=extra)


def stamped(record):
    RequestIdFilter().filter(record)
    return record


def test_json_line_has_the_core_fields():
    with request_id_scope("req-7"):
        record = stamped(make_record())
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "INFO"
    assert entry["logger"] == "payrecon.payments.service"
    assert entry["message"] == "hello world"
    assert entry["request_id"] == "req-7"
    assert datetime.fromisoformat(entry["time"]).utcoffset().total_seconds() == 0


def test_json_request_id_is_null_outside_a_request():
    entry = json.loads(JsonFormatter().format(stamped(make_record())))
    assert entry["request_id"] is None


def test_json_carries_extra_fields_and_keeps_clashing_ones_apart():
    record = stamped(
        make_record(extra={"payment_ref": "PR2611ABCD", "amount_vnd": 150_000, "level": "x"})
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["payment_ref"] == "PR2611ABCD"
    assert entry["amount_vnd"] == 150_000
    assert entry["level"] == "INFO"
    assert entry["extra_level"] == "x"


def test_json_writes_unserialisable_values_as_text_and_keeps_vietnamese():
    record = stamped(make_record(msg="Phí lệ phí %s", args=("đã thu",), extra={"obj": {1, 2}}))
    line = JsonFormatter().format(record)
    assert "Phí lệ phí đã thu" in line
    assert json.loads(line)["obj"] == "{1, 2}"


def test_json_is_one_line_even_with_a_traceback():
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        record = stamped(make_record(level=logging.ERROR, exc_info=sys.exc_info()))
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert "ValueError: bad\nthing" in entry["exception"]


def test_text_line_shows_request_id_or_dash():
    with request_id_scope("req-9"):
        inside = TextFormatter().format(stamped(make_record()))
    outside_record = stamped(make_record())
    outside = TextFormatter().format(outside_record)
    assert inside.endswith("INFO payrecon.payments.service [req-9] hello world")
    assert outside.endswith("INFO payrecon.payments.service [-] hello world")
    assert outside_record.request_id is None  # the dash is only for the text


@pytest.mark.usefixtures("restore_root_logging")
def test_configure_logging_is_idempotent_and_reaches_every_logger():
    configure_logging("text")
    buffer = io.StringIO()
    handler = configure_logging("json", "DEBUG", stream=buffer)
    ours = [h for h in logging.getLogger().handlers if h.get_name() == "payrecon"]
    assert ours == [handler]
    assert installed_handler() is handler
    with request_id_scope("svc-1"):
        logging.getLogger("payrecon.invoices.service").debug("numbered %d", 17)
    entries = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert [(e["logger"], e["message"], e["request_id"]) for e in entries] == [
        ("payrecon.invoices.service", "numbered 17", "svc-1")
    ]


@pytest.mark.usefixtures("restore_root_logging")
def test_level_filters_records():
    buffer = io.StringIO()
    configure_logging("json", "WARNING", stream=buffer)
    logging.getLogger("payrecon.x").info("quiet")
    logging.getLogger("payrecon.x").warning("loud")
    assert [json.loads(line)["message"] for line in buffer.getvalue().splitlines()] == ["loud"]


@pytest.mark.usefixtures("restore_root_logging")
def test_werkzeug_request_lines_with_query_strings_are_dropped():
    buffer = io.StringIO()
    configure_logging("text", stream=buffer)
    werkzeug = logging.getLogger("werkzeug")
    werkzeug.info('"%s" %s %s', "GET /gateway/vnpay/ipn?vnp_Amount=5000000 HTTP/1.1", 200, "-")
    werkzeug.info("Running on %s", "http://127.0.0.1:5000")
    output = buffer.getvalue()
    assert "vnp_Amount" not in output
    assert "Running on http://127.0.0.1:5000" in output


@pytest.mark.usefixtures("restore_root_logging")
def test_alembic_plugin_chatter_is_quiet_unless_configured_otherwise():
    buffer = io.StringIO()
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.NOTSET)
    configure_logging("text", stream=buffer)
    logging.getLogger("alembic.runtime.plugins").info("setup plugin x")
    logging.getLogger("alembic.runtime.migration").info("Running upgrade 0001 -> 0002")
    assert "setup plugin" not in buffer.getvalue()
    assert "Running upgrade 0001 -> 0002" in buffer.getvalue()


@pytest.mark.usefixtures("restore_root_logging")
@pytest.mark.parametrize(("log_format", "level"), [("xml", "INFO"), ("json", "LOUD")])
def test_bad_settings_are_refused(log_format, level):
    with pytest.raises(ValueError, match=r"xml|LOUD"):
        configure_logging(log_format, level)


def test_parse_level():
    assert parse_level("info") == logging.INFO
    assert parse_level(" Debug ") == logging.DEBUG
    assert parse_level(30) == logging.WARNING


def test_stderr_handler_follows_sys_stderr(monkeypatch):
    handler = CurrentStderrHandler()
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    handler.emit(make_record(msg="one", args=()))
    monkeypatch.setattr(sys, "stderr", second)
    handler.emit(make_record(msg="two", args=()))
    assert first.getvalue() == "one\n"
    assert second.getvalue() == "two\n"
