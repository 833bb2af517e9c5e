"""The one flask-smorest Api: /openapi.json is generated from the same schemas that validate.

Errors are documented as RFC 9457 problem+json. Every /api/v1 operation also documents the
503 a client may retry (the database cannot be reached; `Retry-After` says when): the
problem handler answers it for any request, so the contract says so for each operation.
"""

from __future__ import annotations

from http import HTTPStatus

from apispec import BasePlugin
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from payrecon.web.problems import DATABASE_RETRY_AFTER_S, PROBLEM_JSON, http_exception_problem

UNAVAILABLE = "DATABASE_UNAVAILABLE"  # the 503 response's name under components/responses
API_PREFIX = "/api/v1"


class ProblemLocation(Schema):
    where = fields.String(required=True, metadata={"example": "body.dossier_code"})
    detail = fields.String(required=True)


class Problem(Schema):
    """An error as RFC 9457 problem details; `errors` locates each problem."""

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.List(fields.Nested(ProblemLocation))


class DatabaseUnavailablePlugin(BasePlugin):
    """Add the retryable 503 to every operation under /api/v1 as it is documented.

    Not to /gateway: VNPAY's IPN answers 200 with RspCode 99 when the database is down (its
    protocol), and the citizen's return page is HTML.
    """

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        if not (path or "").startswith(API_PREFIX):
            return
        for operation in (operations or {}).values():
            operation.setdefault("responses", {}).setdefault("503", UNAVAILABLE)


class PayreconApi(Api):
    ERROR_SCHEMA = Problem

    def handle_http_exception(self, error: HTTPException):
        return http_exception_problem(error)

    def _register_responses(self) -> None:
        """Every documented error response is problem+json (flask-smorest's default is JSON)."""
        for status in HTTPStatus:
            response: dict = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)
        unavailable = {
            "description": "The database cannot be reached right now; retry after the "
            "seconds Retry-After gives. Nothing was changed.",
            "schema": self.ERROR_SCHEMA,
            "headers": {
                "Retry-After": {
                    "description": "seconds to wait before retrying",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1},
                    "example": DATABASE_RETRY_AFTER_S,
                }
            },
        }
        prepare_response(unavailable, self.spec, PROBLEM_JSON)
        self.spec.components.response(UNAVAILABLE, unavailable, lazy=True)


api = PayreconApi(
    spec_kwargs={
        "extra_plugins": [DatabaseUnavailablePlugin()],
        "info": {
            "description": "Cashless fee payments, signed e-invoices and reconciliation for a "
            "provincial public-administration service centre."
        },
    }
)
