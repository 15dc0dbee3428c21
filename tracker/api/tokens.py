"""The "API tokens" pages: a signed-in person lists, creates and revokes their own tokens.

A separate blueprint from the API itself: these pages use the session cookie and CSRF-protected forms.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from tracker.accounts.permissions import current_user, login_required
from tracker.api import services
from tracker.api.example import figure_example
from tracker.board.services import today
from tracker.core.confirm import ConfirmForm, confirm_page
from tracker.core.fields import Form, text
from tracker.extensions import db

bp = Blueprint("tokens", __name__)


class NewTokenForm(Form):
    name = text(_l("Token name"), limit=services.MAX_NAME_LENGTH, called=_l("The name"),
                hint=_l("So you can tell your tokens apart, for example \"Case management export\""),
                required=_l("Enter a name for the token"))
    submit = SubmitField(_l("Create token"), widget=GovSubmitInput())


def _api_base() -> str:
    """The API's base URL on this host, for the examples."""
    return url_for("api.openapi", _external=True).removesuffix("/openapi.json")


def _list_page(form: NewTokenForm, status: int = 200):
    return render_template("api/tokens.html", form=form, tokens=services.user_tokens(current_user()),
                           api_base=_api_base(),
                           example=figure_example(current_user(), today())), status


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """Your API tokens, a form to create one, and how to use them.

    A POST creates a token and shows it, once, on the page it returns: the token is never stored in
    clear, so it cannot be shown again (and the page is not cached). One endpoint for both methods, so
    the URL has one rule in the permission matrix.
    """
    form = NewTokenForm()
    if not form.is_submitted():
        return _list_page(form)
    if not form.validate():
        return _list_page(form, 422)
    try:
        row, token = services.create_token(current_user(), form.name.data)
    except services.TokenError as error:
        form.name.errors.append(str(error))
        return _list_page(form, 422)
    db.session.commit()
    return render_template("api/token_created.html", token=token, row=row, api_base=_api_base())


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(token_id: int):
    """Revoke one of your own tokens (another person's token is a 404), after a confirmation page."""
    token = services.own_token(current_user(), token_id)
    if token is None:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return confirm_page(heading=_("Are you sure you want to revoke the token “%(name)s”?", name=token.name),
                            button=_("Yes, revoke the token"), cancel=url_for("tokens.tokens"), form=form,
                            details=[_("Anything that uses it (a script, a case management system) stops working "
                                       "at once. This cannot be undone: you would create a new token.")])
    if services.revoke_token(token):
        db.session.commit()
        flash(_("Token \"%(name)s\" revoked. It no longer works.", name=token.name), "success")
    return redirect(url_for("tokens.tokens"))
