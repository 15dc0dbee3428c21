"""The language switch: "Cymraeg" / "English" in every page's header, a form that works without JavaScript.

The choice is remembered in a cookie, and for a signed-in person on their account too, so it follows
them to another browser and survives signing out and in again. Respondents' pages have a switch of their
own (``tracker.surveys.views_respond``) that never looks at who is signed in.
"""

from flask import redirect, request
from flask_babel import gettext as _

from tracker.accounts import bp
from tracker.accounts.permissions import current_user
from tracker.accounts.views import safe_next
from tracker.core import i18n
from tracker.core.errors import abort_with
from tracker.extensions import db


@bp.route("/language", methods=["POST"])
def change_language():
    """Switch to the posted ``language`` and go back to the page (``next``) the switch was on."""
    language = i18n.valid(request.form.get("language"))
    if language is None:
        abort_with(400, _("Choose Cymraeg or English"))
    user = current_user()
    if user is not None and user.language != language:
        user.language = language
        db.session.commit()
    return i18n.set_cookie(redirect(safe_next(request.form.get("next"))), language)
