"""Forms for signing in and managing accounts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, Optional

from tracker.accounts.services import MIN_PASSWORD_LENGTH


class SignInForm(FlaskForm):
    email = EmailField(_l("Email address"), widget=GovTextInput(),
                       validators=[InputRequired(message=_l("Enter your email address"))])
    password = PasswordField(_l("Password"), widget=GovPasswordInput(),
                             validators=[InputRequired(message=_l("Enter your password"))])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    """Sign-out is a POST with a CSRF token, never a link."""


class NewUserForm(FlaskForm):
    name = StringField(_l("Full name"), widget=GovTextInput(),
                       validators=[InputRequired(message=_l("Enter the person's full name")), Length(max=120)])
    email = EmailField(_l("Email address"), widget=GovTextInput(), validators=[
        InputRequired(message=_l("Enter an email address")),
        Email(message=_l("Enter an email address in the correct format, like name@example.org")),
        Length(max=254)])
    password = PasswordField(_l("Password"), widget=GovPasswordInput(), validators=[
        InputRequired(message=_l("Enter a password")),
        Length(min=MIN_PASSWORD_LENGTH,
               message=_l("Password must be %(n)s characters or more", n=MIN_PASSWORD_LENGTH))])
    is_facilitator = BooleanField(_l("May create programmes (facilitator)"), widget=GovCheckboxInput())
    is_admin = BooleanField(_l("Site administrator (manages accounts)"), widget=GovCheckboxInput())
    submit = SubmitField(_l("Create account"), widget=GovSubmitInput())


class EditUserForm(FlaskForm):
    name = StringField(_l("Full name"), widget=GovTextInput(),
                       validators=[InputRequired(message=_l("Enter the person's full name")), Length(max=120)])
    password = PasswordField(_l("New password (leave blank to keep the current one)"),
                             widget=GovPasswordInput(), validators=[
        Optional(), Length(min=MIN_PASSWORD_LENGTH,
                           message=_l("Password must be %(n)s characters or more", n=MIN_PASSWORD_LENGTH))])
    is_active = BooleanField(_l("Account is active"), widget=GovCheckboxInput())
    is_facilitator = BooleanField(_l("May create programmes (facilitator)"), widget=GovCheckboxInput())
    is_admin = BooleanField(_l("Site administrator (manages accounts)"), widget=GovCheckboxInput())
    submit = SubmitField(_l("Save changes"), widget=GovSubmitInput())


class EndSessionsForm(FlaskForm):
    """Confirms "end all sessions" (CSRF only)."""
