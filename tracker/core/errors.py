"""Error pages: a full page, or a short fragment for htmx; the session is rolled back first."""

import logging

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.core.htmx import wants_fragment
from tracker.extensions import db

log = logging.getLogger(__name__)

TITLES = {
    400: lambda: _("There is a problem with your request"),
    403: lambda: _("You do not have permission to do that"),
    404: lambda: _("Page not found"),
    405: lambda: _("That action is not allowed here"),
    409: lambda: _("This was changed by someone else"),
    413: lambda: _("The file is too large"),
    429: lambda: _("Too many attempts"),
    500: lambda: _("Sorry, there is a problem with the service"),
}


def error_page(code: int, message: str | None = None):
    """Render the error page (or fragment) for ``code``."""
    db.session.rollback()
    from tracker.api.errors import is_api_request, json_error

    if is_api_request():  # the API answers every error in JSON
        return json_error(code, message), code
    title = TITLES.get(code, TITLES[500])()
    template = "errors/_error.html" if wants_fragment() else "errors/error.html"
    return render_template(template, code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return error_page(400, _("Your form expired or was sent from another site. Go back, reload the "
                                 "page and try again."))

    @app.errorhandler(HTTPException)
    def _http(error):
        if error.code is None or error.code < 400:
            return error
        message = error.description if getattr(error, "show_message", False) else None
        response = error_page(error.code, message)
        if error.code == 405 and error.valid_methods:
            return response[0], 405, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(StaleDataError)
    def _stale(error):
        # A versioned row (card, action, figure) changed between this request's read and its write: the
        # services check versions under a lock, so this is a last line of defence, never a 500.
        log.info("Stale write refused: %s", error)
        return error_page(409, _("Someone else changed this at the same moment. Nothing you sent was saved: "
                                 "go back, reload the page and try again."))

    @app.errorhandler(Exception)
    def _unexpected(error):
        # Logged with its traceback; the page says nothing about the cause.
        log.exception("Unhandled error")
        return error_page(InternalServerError.code)


def abort_with(code: int, message: str):
    """Abort with a message that the error page shows to the user."""
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[code](description=message)
    error.show_message = True
    raise error
