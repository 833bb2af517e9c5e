"""The small forms of the exception page, one per action (Flask-WTF, CSRF on each).

Field names match the `where` of the reconciliation service's errors (reason, note,
payment_reference, line_id, payment_id, proposal_id), so a refusal is shown at its field.
Every refusal these forms make is in the officer's language: WTForms' own messages have no
Vietnamese, so each validator and field here says it in words of ours.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from payrecon.errors import InvalidInput
from payrecon.money import parse_vnd

REQUIRED = _l("This field is required.")
TOO_LONG = _l("At most %(max)d characters.")
NOT_A_LINE_ID = _l("A bank line id is a whole number above 0.")
NOT_LISTED = _l("Choose one of the listed payments.")
NOTE_LENGTH = 2000


def _note(label, *, required: bool = False) -> TextAreaField:
    first = DataRequired(message=REQUIRED) if required else Optional()
    return TextAreaField(label, validators=[first, Length(max=NOTE_LENGTH, message=TOO_LONG)])


class BankLineIdField(IntegerField):
    """A bank line's id; what is not a number is refused once, in our words."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(NOT_A_LINE_ID) from None

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()


class PaymentChoiceField(SelectField):
    """One of the exception's payments (by id); anything else is refused once, in our words."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(NOT_LISTED) from None

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(NOT_LISTED) from None


class ConfirmMatchForm(FlaskForm):
    proposal_id = HiddenField(validators=[DataRequired(message=REQUIRED)])
    confirm = SubmitField(_l("Confirm this match"))

    def validate_proposal_id(self, field: HiddenField) -> None:
        if not str(field.data).isdigit():
            raise ValidationError(_l("Choose one of the proposed matches."))


class LinkForm(FlaskForm):
    payment_reference = StringField(
        _l("Payment reference"),
        validators=[Optional(), Length(max=20, message=TOO_LONG)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "placeholder": "PR…"},
    )
    line_id = BankLineIdField(
        _l("Bank line id"), validators=[Optional(), NumberRange(min=1, message=NOT_A_LINE_ID)]
    )
    note = _note(_l("Why (optional)"))
    link = SubmitField(_l("Link"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (self.payment_reference.data or "").strip() and self.line_id.data is None:
            self.payment_reference.errors = [
                *self.payment_reference.errors,
                _l("Give a payment reference, a bank line id, or both."),
            ]
            return False
        return True


class RefundDueForm(FlaskForm):
    note = _note(_l("Why (optional)"))
    mark = SubmitField(_l("Mark refund due"))


class StartRefundForm(FlaskForm):
    payment_id = PaymentChoiceField(_l("Payment"), coerce=int, validate_choice=True)
    amount_vnd = StringField(
        _l("Amount to refund (VND)"),
        validators=[DataRequired(message=REQUIRED), Length(max=30, message=TOO_LONG)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    expected_available_vnd = HiddenField()
    reason = _note(_l("Reason"), required=True)
    start = SubmitField(_l("Start the refund"))

    def validate_amount_vnd(self, field: StringField) -> None:
        try:
            field.amount = parse_vnd(field.data, where="amount_vnd")
        except InvalidInput as exc:
            raise ValidationError(_l("Not an amount in VND: %(why)s", why=str(exc))) from exc
        if field.amount <= 0:
            raise ValidationError(_l("The amount must be more than 0 VND."))

    def validate_expected_available_vnd(self, field: HiddenField) -> None:
        if field.data and not re.fullmatch(r"\d+:\d+(,\d+:\d+)*", field.data):
            raise ValidationError(_l("The page was out of date; reload it and decide again."))

    def expected_for(self, payment_id: int) -> int | None:
        """The refundable amount the officer saw for this payment ("id:amount,..."), if any."""
        pairs = (pair.split(":") for pair in (self.expected_available_vnd.data or "").split(","))
        seen = {int(k): int(v) for k, v in (p for p in pairs if len(p) == 2)}
        return seen.get(payment_id)


class ProposeWriteOffForm(FlaskForm):
    reason = _note(_l("Reason for the write-off"), required=True)
    propose = SubmitField(_l("Propose write-off"))


class ApproveWriteOffForm(FlaskForm):
    note = _note(_l("Note (optional)"))
    approve = SubmitField(_l("Approve write-off"))


class NoteForm(FlaskForm):
    note = _note(_l("Note"), required=True)
    add = SubmitField(_l("Add note"))
