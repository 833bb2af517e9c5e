"""The one flask-smorest Api: /openapi.json is generated from the same schemas that validate.

Errors are documented as RFC 9457 problem+json.
"""

from __future__ import annotations

from http import HTTPStatus

from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from payrecon.web.problems import PROBLEM_JSON, http_exception_problem


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


api = PayreconApi(
    spec_kwargs={
        "info": {
            "description": "Cashless fee payments, signed e-invoices and reconciliation for a "
            "provincial public-administration service centre."
        }
    }
)
