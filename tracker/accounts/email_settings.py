"""A person's email choices, and writing the scheduler's emails to them.

Jobs write their emails outside any request, so links in them are built from ``BASE_URL`` (or
``SERVER_NAME``), never from a request's host. Every email that is not essential ends with a link to
the email settings page, where the person turns that kind of email off.
"""

from urllib.parse import urlsplit

from flask import current_app, flash, has_request_context, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput
from wtforms import BooleanField, SubmitField

from tracker.accounts import bp
from tracker.accounts.models import User
from tracker.accounts.permissions import current_user, login_required
from tracker.core import email_render, mail
from tracker.core.fields import Form
from tracker.extensions import db


class EmailSettingsForm(Form):
    email_digest = BooleanField(_l("A weekly email on Mondays of my actions due that week and overdue"),
                                widget=GovCheckboxInput())
    email_notices = BooleanField(
        _l("Notices: check-ins planned and coming up, figures and outputs due, staff survey results ready"),
        widget=GovCheckboxInput())
    submit = SubmitField(_l("Save email settings"), widget=GovSubmitInput())


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
def email_settings():
    """Turn the weekly digest and the non-essential notices on or off, for the signed-in person only."""
    user = current_user()
    form = EmailSettingsForm(obj=user)
    if form.validate_on_submit():
        user.email_digest = bool(form.email_digest.data)
        user.email_notices = bool(form.email_notices.data)
        db.session.commit()
        flash(_("Your email settings have been saved"), "success")
        return redirect(url_for("accounts.email_settings"))
    return render_template("accounts/email_settings.html", form=form)


# --- links and emails outside a request ------------------------------------------------------------


def absolute_url(endpoint: str, **values) -> str:
    """A full address for ``endpoint``: the request's own inside a request, else ``BASE_URL`` (or
    ``SERVER_NAME``), so a job's email links to the site people use.

    :raises RuntimeError: outside a request with neither setting (a link to nowhere must not be sent).
    """
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = current_app.config.get("BASE_URL") or ""
    if not base and current_app.config.get("SERVER_NAME"):
        base = f"{current_app.config.get('PREFERRED_URL_SCHEME', 'http')}://{current_app.config['SERVER_NAME']}"
    if not base:
        raise RuntimeError("Set BASE_URL (for example https://tracker.example.org) so emails can link to the site")
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path.rstrip("/") or "/",
                                       url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def send(user: User, *, template: str, subject, sender_name: str, kind: str, dedupe_key: str,
         essential: bool = False, **context) -> bool:
    """Queue one email to ``user`` from ``template`` (``.txt`` and ``.html``), in the caller's transaction;
    returns whether it was written (``False`` when the same ``dedupe_key`` was written before).

    It is in the person's language, or in Welsh and English when they have not chosen one: ``subject``
    and any word in ``context`` made outside the template are :class:`~tracker.core.email_render.PerLanguage`.
    A non-essential email ends with "Stop sending me these" and a link to the email settings page.
    """
    stop = None if essential else absolute_url("accounts.email_settings")
    email = email_render.render(template, email_render.languages_of(user.language), subject,
                                **context, user=user, stop_link=stop)
    return mail.queue(to=user.email, subject=email.subject, text=email.text, html=email.html,
                      sender_name=sender_name[:120], kind=kind, dedupe_key=dedupe_key) is not None
