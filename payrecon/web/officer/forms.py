"""The officer pages' forms (Flask-WTF). Labels and messages are translatable."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from payrecon.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from payrecon.auth.roles import ROLES
from payrecon.statements.detect import FORMATS

ROLE_LABELS = {
    "officer": _l("Finance officer"),
    "supervisor": _l("Supervisor"),
    "auditor": _l("Auditor"),
    "admin": _l("Administrator"),
}

REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(message=REQUIRED), Length(max=60)]
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=REQUIRED), Length(max=MAX_PASSWORD_LENGTH)],
    )
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class AuditFilterForm(FlaskForm):
    actor = StringField(_l("Actor contains"), validators=[Optional(), Length(max=200)])
    subject_type = SelectField(_l("Subject type"), choices=[], validate_choice=False)
    subject_id = StringField(_l("Subject id"), validators=[Optional(), Length(max=100)])
    date_from = DateField(
        _l("From (date)"),
        validators=[Optional()],
        format="%Y-%m-%d",
        render_kw={"placeholder": "yyyy-mm-dd"},
    )
    date_to = DateField(
        _l("To (date, inclusive)"),
        validators=[Optional()],
        format="%Y-%m-%d",
        render_kw={"placeholder": "yyyy-mm-dd"},
    )
    apply = SubmitField(_l("Filter"))
    clear = SubmitField(_l("Clear filters"))

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


class SearchForm(FlaskForm):
    kind = SelectField(
        _l("Search by"),
        choices=[
            SelectChoice("reference", _l("Payment reference")),
            SelectChoice("dossier_code", _l("Dossier code")),
            SelectChoice("id_number", _l("Applicant ID number")),
            SelectChoice("invoice_number", _l("Invoice number (series and number)")),
        ],
        validators=[DataRequired(message=REQUIRED)],
    )
    term = StringField(
        _l("Search for"),
        validators=[DataRequired(message=REQUIRED), Length(max=60)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    search = SubmitField(_l("Search"))


class StatementUploadForm(FlaskForm):
    statement_file = FileField(
        _l("Statement file (camt.053/052/054, MT940, CSV or XLSX)"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
    )
    file_format = SelectField(
        _l("Format"),
        choices=[SelectChoice("auto", _l("Recognise from the content"))]
        + [SelectChoice(name, name) for name in FORMATS],
    )
    account = StringField(
        _l("Collection account number (only for files that name none)"),
        validators=[Optional(), Length(max=40)],
    )
    upload = SubmitField(_l("Upload and import"))


class CreateOfficerForm(FlaskForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(message=REQUIRED), Length(min=2, max=60)]
    )
    display_name = StringField(
        _l("Full name"), validators=[DataRequired(message=REQUIRED), Length(max=200)]
    )
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
        validators=[DataRequired(message=REQUIRED)],
    )
    password = PasswordField(
        _l("Initial password"),
        validators=[
            DataRequired(message=REQUIRED),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l("A password needs at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(message=REQUIRED),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )
    create = SubmitField(_l("Create account"))


class DisableOfficerForm(FlaskForm):
    username = HiddenField(validators=[DataRequired(), Length(max=60)])
    disable = SubmitField(_l("Disable"))
