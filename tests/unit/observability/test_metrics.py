import time

import pytest
from prometheus_client import REGISTRY

from payrecon.observability import metrics
from payrecon.payments.states import PaymentStatus


def sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_payment_status_counts_by_status_from_enum_or_text():
    succeeded = sample("payrecon_payment_status_changes_total", status="succeeded")
    failed = sample("payrecon_payment_status_changes_total", status="failed")
    metrics.count_payment_status(PaymentStatus.SUCCEEDED)
    metrics.count_payment_status("succeeded")
    metrics.count_payment_status("failed")
    assert sample("payrecon_payment_status_changes_total", status="succeeded") == succeeded + 2
    assert sample("payrecon_payment_status_changes_total", status="failed") == failed + 1


@pytest.mark.parametrize("status", ["paid", "SUCCEEDED", "", "succeeded "])
def test_unknown_payment_status_is_refused(status):
    with pytest.raises(ValueError, match="PaymentStatus"):
        metrics.count_payment_status(status)


def test_invoice_issued_counts_one_each():
    before = sample("payrecon_invoices_issued_total")
    metrics.count_invoice_issued()
    metrics.count_invoice_issued()
    assert sample("payrecon_invoices_issued_total") == before + 2


def test_observe_job_counts_outcomes_durations_and_last_success():
    ok_before = sample("payrecon_job_runs_total", job="t-reconcile", outcome="ok")
    failed_before = sample("payrecon_job_runs_total", job="t-reconcile", outcome="failed")
    sum_before = sample("payrecon_job_duration_seconds_sum", job="t-reconcile")
    count_before = sample("payrecon_job_duration_seconds_count", job="t-reconcile")
    earliest = time.time()

    metrics.observe_job("t-reconcile", 12.5, ok=True)
    metrics.observe_job("t-reconcile", 2.0, ok=False)

    assert sample("payrecon_job_runs_total", job="t-reconcile", outcome="ok") == ok_before + 1
    assert (
        sample("payrecon_job_runs_total", job="t-reconcile", outcome="failed") == failed_before + 1
    )
    assert sample("payrecon_job_duration_seconds_sum", job="t-reconcile") == sum_before + 14.5
    assert sample("payrecon_job_duration_seconds_count", job="t-reconcile") == count_before + 2
    assert sample("payrecon_job_duration_seconds_bucket", job="t-reconcile", le="15.0") >= 2
    assert sample("payrecon_job_last_success_timestamp_seconds", job="t-reconcile") >= earliest


def test_a_failed_run_does_not_stamp_last_success():
    metrics.observe_job("t-never-ok", 1.0, ok=False)
    assert (
        REGISTRY.get_sample_value(
            "payrecon_job_last_success_timestamp_seconds", {"job": "t-never-ok"}
        )
        is None
    )


def test_job_timer_records_success_and_failure():
    with metrics.job_timer("t-timed"):
        pass
    with pytest.raises(RuntimeError, match="disk full"), metrics.job_timer("t-timed"):
        raise RuntimeError("disk full")
    assert sample("payrecon_job_runs_total", job="t-timed", outcome="ok") == 1
    assert sample("payrecon_job_runs_total", job="t-timed", outcome="failed") == 1
    assert sample("payrecon_job_duration_seconds_count", job="t-timed") == 2


@pytest.mark.parametrize("name", ["", "Reconcile", "has space", "x" * 65, "-lead", "a/b"])
def test_job_names_must_be_short_slugs(name):
    with pytest.raises(ValueError, match="job name"):
        metrics.observe_job(name, 1.0, ok=True)


def test_negative_job_duration_is_refused():
    with pytest.raises(ValueError, match="negative"):
        metrics.observe_job("t-clock", -0.5, ok=True)


def test_open_exceptions_gauge_is_set_not_added():
    metrics.set_open_exceptions("unmatched_credit", 4)
    metrics.set_open_exceptions("unmatched_credit", 1)
    metrics.set_open_exceptions("missing_credit", 0)
    assert sample("payrecon_reconciliation_open_exceptions", kind="unmatched_credit") == 1
    assert (
        REGISTRY.get_sample_value(
            "payrecon_reconciliation_open_exceptions", {"kind": "missing_credit"}
        )
        == 0
    )


@pytest.mark.parametrize("count", [-1, 2.5, True, "3", None])
def test_open_exceptions_must_be_a_count(count):
    with pytest.raises(ValueError, match="not a count"):
        metrics.set_open_exceptions("amount_mismatch", count)


def test_open_exception_kind_must_be_a_slug():
    with pytest.raises(ValueError, match="exception kind"):
        metrics.set_open_exceptions("Unmatched Credit", 1)


def test_http_requests_are_counted_by_normalised_method():
    before = sample("payrecon_http_requests_total", method="other", route="/t", status="405")
    metrics.observe_http_request("PROPFIND", "/t", 405, 0.01)
    metrics.observe_http_request("get", "/t", 200, 0.02)
    assert sample("payrecon_http_requests_total", method="other", route="/t", status="405") == (
        before + 1
    )
    assert sample("payrecon_http_request_duration_seconds_count", method="GET", route="/t") >= 1


def test_render_speaks_text_and_openmetrics():
    metrics.count_invoice_issued()
    body, content_type = metrics.render(None)
    assert content_type.startswith("text/plain")
    assert b"# TYPE payrecon_invoices_issued_total counter" in body
    body, content_type = metrics.render("application/openmetrics-text; version=1.0.0")
    assert content_type.startswith("application/openmetrics-text")
    assert body.rstrip().endswith(b"# EOF")
