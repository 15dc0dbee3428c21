"""Forms for signing in and managing accounts."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import Email, Length, Optional

from tracker.accounts.services import MIN_PASSWORD_LENGTH
from tracker.core.fields import Form, MaxLength, RadioField, Required, text

#: Longer passwords are refused, so that hashing one costs what hashing any other does.
MAX_PASSWORD_LENGTH = 200
#: The longest email address there can be (RFC 5321), the column's size.
MAX_EMAIL_LENGTH = 254


class SignInForm(Form):
    email = EmailField(_l("Email address"), widget=GovTextInput(),
                       validators=[Required(_l("Enter your email address")),
                                   MaxLength(MAX_EMAIL_LENGTH, _l("Email address"))])
    password = PasswordField(_l("Password"), widget=GovPasswordInput(),
                             validators=[Required(_l("Enter your password")),
                                         MaxLength(MAX_PASSWORD_LENGTH, _l("Password"))])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())


class SignOutForm(Form):
    """Sign-out is a POST with a CSRF token, never a link."""


def language_field() -> RadioField:
    return RadioField(_l("Language for pages and emails"), widget=GovRadioInput(), default="",
                      choices=lambda: [
                          ("", _l("Not chosen: pages in the browser's language, emails in Welsh and English")),
                          ("cy", "Cymraeg"), ("en", "English")],
                      description=_l("People can change it themselves with the switch at the top of every page."))


class NewUserForm(Form):
    name = text(_l("Full name"), limit=120, required=_l("Enter the person's full name"))
    email = EmailField(_l("Email address"), widget=GovTextInput(), validators=[
        Required(_l("Enter an email address")), MaxLength(MAX_EMAIL_LENGTH, _l("Email address")),
        Email(message=_l("Enter an email address in the correct format, like name@example.org"))])
    password = PasswordField(_l("Password"), widget=GovPasswordInput(), validators=[
        Required(_l("Enter a password")),
        Length(min=MIN_PASSWORD_LENGTH,
               message=_l("Password must be %(n)s characters or more", n=MIN_PASSWORD_LENGTH)),
        MaxLength(MAX_PASSWORD_LENGTH, _l("Password"))],
        description=_l("%(min)s to %(max)s characters", min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH))
    is_facilitator = BooleanField(_l("May create programmes (facilitator)"), widget=GovCheckboxInput())
    is_admin = BooleanField(_l("Site administrator (manages accounts)"), widget=GovCheckboxInput())
    language = language_field()
    submit = SubmitField(_l("Create account"), widget=GovSubmitInput())


class EditUserForm(Form):
    name = text(_l("Full name"), limit=120, required=_l("Enter the person's full name"))
    password = PasswordField(_l("New password (leave blank to keep the current one)"),
                             widget=GovPasswordInput(), validators=[
        Optional(), Length(min=MIN_PASSWORD_LENGTH,
                           message=_l("Password must be %(n)s characters or more", n=MIN_PASSWORD_LENGTH)),
        MaxLength(MAX_PASSWORD_LENGTH, _l("Password"))],
        description=_l("%(min)s to %(max)s characters", min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH))
    is_active = BooleanField(_l("Account is active"), widget=GovCheckboxInput())
    is_facilitator = BooleanField(_l("May create programmes (facilitator)"), widget=GovCheckboxInput())
    is_admin = BooleanField(_l("Site administrator (manages accounts)"), widget=GovCheckboxInput())
    language = language_field()
    submit = SubmitField(_l("Save changes"), widget=GovSubmitInput())


class EndSessionsForm(Form):
    """Confirms "end all sessions" (CSRF only)."""
