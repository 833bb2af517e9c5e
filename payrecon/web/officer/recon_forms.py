"""The exceptions queue's filter form: a GET form (no CSRF: it changes nothing), so a filtered
queue is a link an officer can bookmark or send, and it works without JavaScript.

Nothing in it names a person: kinds, agency and procedure codes, dates, amounts, a run id.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from payrecon.errors import InvalidInput
from payrecon.money import parse_vnd
from payrecon.reconciliation.classify import EXCEPTION_KINDS
from payrecon.reconciliation.exception_filter import ExceptionFilter
from payrecon.web.officer.recon_labels import EXCEPTION_KIND

ANY_STATUS = "all"
AMOUNT_HINT = _l("Write a whole amount in đồng, like 150.000.")


def _amount(text: str | None) -> int | None:
    return parse_vnd(text, where="amount") if text and text.strip() else None


class AmountField(StringField):
    """An amount in đồng as people write it ("150.000", "150000 đ"); empty is none."""

    def pre_validate(self, form) -> None:
        try:
            _amount(self.data)
        except InvalidInput:
            raise ValidationError(AMOUNT_HINT) from None


class ExceptionQueueForm(FlaskForm):
    class Meta:
        csrf = False

    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice("", _l("Any kind"))]
        + [SelectChoice(kind, EXCEPTION_KIND[kind]) for kind in EXCEPTION_KINDS],
        default="",
    )
    agency = SelectField(_l("Agency"), choices=[], default="")
    procedure = StringField(
        _l("Procedure code"),
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    date_from = DateField(_l("Business date from"), validators=[Optional()], format="%Y-%m-%d")
    date_to = DateField(
        _l("Business date to (inclusive)"), validators=[Optional()], format="%Y-%m-%d"
    )
    min_vnd = AmountField(_l("Amount at least (₫)"), render_kw={"inputmode": "numeric"})
    max_vnd = AmountField(_l("Amount at most (₫)"), render_kw={"inputmode": "numeric"})
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("open", _l("Open")),
            SelectChoice("resolved", _l("Resolved")),
            SelectChoice(ANY_STATUS, _l("Open and resolved")),
        ],
        default="open",
    )
    run = StringField(_l("Reconciliation run"), validators=[Optional(), Length(max=18)])

    def validate_run(self, field: StringField) -> None:
        if field.data and not field.data.isdigit():
            raise ValidationError(_l("A run is given by its number."))

    def with_agencies(self, agencies: list[tuple[str, str]]) -> ExceptionQueueForm:
        self.agency.choices = [SelectChoice("", _l("Any agency"))] + [
            SelectChoice(code, f"{code} · {name}") for code, name in agencies
        ]
        return self

    def exception_filter(self) -> ExceptionFilter:
        """The validated form as a filter; InvalidInput(where=<field>) if it contradicts itself."""
        status = self.status.data or "open"
        return ExceptionFilter(
            kind=self.kind.data or None,
            status=None if status == ANY_STATUS else status,
            agency_code=self.agency.data or None,
            procedure_code=(self.procedure.data or "").strip().upper() or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            min_vnd=_amount(self.min_vnd.data),
            max_vnd=_amount(self.max_vnd.data),
            run_id=int(self.run.data) if self.run.data else None,
        )
