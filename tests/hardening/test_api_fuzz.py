"""Schemathesis against /openapi.json: every /api/v1 and /gateway operation, good and bad input.

Each operation gets a bounded number of generated requests (positive: data the schema allows;
negative: data it forbids), sent through the WSGI app with a token holding every scope. The
checks: no 5xx, status codes, content types, headers and bodies as documented, invalid data
refused, and every 4xx answered as application/problem+json.

Two deliberate exceptions, both set by a protocol rather than by us:
- schema-valid data may still be refused with 422 by a business rule the schema cannot state
  (an unknown procedure, a dossier code of the wrong shape), so positive_data_acceptance is off;
- VNPAY's IPN answers HTTP 200 to everything (its RspCode carries the verdict: 97 for a bad
  signature), so negative_data_rejection is off for it; the citizen's /gateway/vnpay/return
  is an HTML page, also when it refuses a query, as documented.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from payrecon.auth.scopes import KNOWN_SCOPES
from tests.e2e.auth.helpers import issue_token

EXAMPLES_PER_OPERATION_AND_MODE = 20

FUZZED_PREFIXES = ("/api/v1", "/gateway")


HTML_PAGES = {"GET /gateway/vnpay/return"}
ALWAYS_200 = {"GET /gateway/vnpay/ipn"}


def problem_json_for_errors(ctx, response, case) -> None:
    """Every 4xx/5xx of the JSON API is RFC 9457 problem+json."""
    if response.status_code >= 400 and case.operation.label not in HTML_PAGES:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith("application/problem+json"), (
            f"{response.status_code} answered as {content_type!r}, not problem+json"
        )


def _operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(FUZZED_PREFIXES):
            yield operation


def fuzz_operation(operation, mode: GenerationMode, headers: dict[str, str]) -> None:
    """Send EXAMPLES_PER_OPERATION_AND_MODE generated requests to one operation and check them."""
    excluded = [positive_data_acceptance]
    if operation.label in ALWAYS_200:
        excluded.append(negative_data_rejection)

    @settings(
        max_examples=EXAMPLES_PER_OPERATION_AND_MODE,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case):
        case.call_and_validate(
            headers=headers,
            additional_checks=[problem_json_for_errors],
            excluded_checks=excluded,
        )

    fuzz()


@pytest.mark.slow
def test_every_operation_survives_generated_requests(roomy_app, db_session):
    load_all_checks()
    token = issue_token(db_session, *KNOWN_SCOPES, name="fuzzer")
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/openapi.json", roomy_app)
    operations = list(_operations(schema))
    assert len(operations) >= 15
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz_operation(operation, mode, headers)
            except Unsatisfiable:
                # Nothing to negate: e.g. a lone string path parameter accepts any text.
                assert mode == GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as failure:  # every operation's, not the first
                failures.append(f"{operation.label} [{mode.value}]: {failure}")
    assert failures == [], "\n\n".join(failures)
