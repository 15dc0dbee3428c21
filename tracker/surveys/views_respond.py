"""The respondents' pages: public, no account, under ``/s/``.

- ``GET /s/<token>``: the link in the email (or the organisation's shared link). The token is exchanged
  at once for a short-lived signed cookie and the browser is sent on to ``/s/survey``, a URL without it.
  An unknown token is a 404.
- ``GET /s/survey``: the survey in the organisation's name, the privacy note before the first question,
  every question on one page; or a page that says why not (link used, wave closed or not open yet).
- ``POST /s/survey``: the answers checked — errors shown with the answers kept — then "Check your
  answers", which carries them in hidden fields (nothing is stored before they are sent). Its "Change"
  buttons post them back here with ``change`` and the form is shown filled in. Both pages carry a
  fingerprint of the questions they showed (``respond.fingerprint``): if a facilitator changed them
  meanwhile (choices reordered, a kind changed), the questions are shown again with the answers given
  (409), so nothing is sent with a meaning the person did not see.
- ``POST /s/survey/send``: the answers checked again and written, the link used, in one transaction;
  then ``/s/thank-you``. Through a one-use link whose survey's questions this process has read, they are
  checked against those and written without reading first, guarded by the questions' version
  (``respond.submit_known``). Otherwise everything is read first; on SQLite in a transaction before the
  writing one, so the database's write lock is held only for the three inserts
  (``tracker.core.db.reads_first``).

Without the cookie (or with one that is forged, expired, or whose link was replaced) every page but the
link is a 404. Every response under ``/s/`` sends ``Referrer-Policy: no-referrer`` and ``Cache-Control:
no-store``; the cookie is HttpOnly, SameSite=Lax, limited to ``/s/`` and Secure outside development and
testing.

CSRF: the forms carry flask-wtf's token, which lives in the Flask session cookie like everyone else's.
These views are exempt from flask-wtf's app-wide check and check the token themselves, because over HTTPS
that check also wants a Referer header, which ``no-referrer`` pages never send.

The token is never logged: :class:`TokenFilter` takes it out of the access log lines of werkzeug's
development server and of gunicorn (when its access log is switched on).
"""

import logging
import re

from flask import current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from tracker.core import clock, i18n
from tracker.core.db import reads_first
from tracker.core.errors import abort_with
from tracker.extensions import csrf, db
from tracker.surveys import bp, respond
from tracker.surveys.respond import State

PREFIX = "/s/"
COOKIE_PATH = "/s/"
#: The pages whose status is not 200: a link that can no longer be used is gone.
GONE = {State.USED: 410, State.CLOSED: 410}


def cookie_name() -> str:
    return "survey" if current_app.config["ENV_NAME"] in ("development", "testing") else "__Secure-survey"


def _set_cookie(response, payload: dict):
    secure = current_app.config["ENV_NAME"] not in ("development", "testing")
    response.set_cookie(cookie_name(), respond.sign(payload), max_age=int(respond.ACCESS_MAX_AGE.total_seconds()),
                        path=COOKIE_PATH, secure=secure, httponly=True, samesite="Lax")
    return response


def _current(today=None) -> respond.Visit | None:
    return _in_its_language(respond.visit(respond.read(request.cookies.get(cookie_name())), today))


def _in_its_language(current: respond.Visit | None) -> respond.Visit | None:
    """A respondent's pages open in the organisation's survey language (for "both", the browser's) until
    the respondent chooses one with the switch."""
    if current is not None:
        i18n.set_default(current.organisation.language)
    return current


def _check_csrf() -> None:
    """flask-wtf's token check, without its Referer check (see the module's docstring)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError as error:
        raise CSRFError(error.args[0]) from None


def _not_recognised():
    return render_template("surveys/respond/not_recognised.html"), 404


def _state_page(current: respond.Visit):
    return render_template("surveys/respond/state.html", visit=current, state=current.state,
                           heading=respond.STATE_HEADINGS[current.state]), GONE.get(current.state, 200)


def _form_page(current: respond.Visit, form, asked, status: int = 200, *, changed: bool = False):
    return render_template("surveys/respond/survey.html", visit=current, form=form, asked=asked,
                           fingerprint=respond.fingerprint(asked), changed=changed), status


def _changed_page(current: respond.Visit, form, asked):
    """The questions changed after the page that was sent was shown: the questions as they are now, with
    the answers given, to check again (nothing is sent with a meaning the person did not see)."""
    return _form_page(current, form, asked, 409, changed=True)


@bp.route("/s/<token>")
def respond_link(token: str):
    """The link from the email: exchanged for a cookie, then on to the survey without the token."""
    payload = respond.access_for_token(token)
    if payload is None:
        return _not_recognised()
    return _set_cookie(redirect(url_for("surveys.respond_survey"), 303), payload)


@bp.route("/s/survey", methods=["GET", "POST"])
def respond_survey():
    """The questions (GET, or POST with ``change``); the answers checked, then "Check your answers"."""
    if request.method == "POST":
        _check_csrf()
    return _survey(request.method == "POST", change="change" in request.form)


@bp.route("/s/survey/language", methods=["POST"])
def respond_language():
    """The respondents' language switch. Pressed on the questions or on "Check your answers", it posts the
    answers too, and the same page comes back in the chosen language with them; elsewhere it goes back to
    the page it was on. It sets the language cookie only, never anything of an account."""
    _check_csrf()
    language = i18n.valid(request.form.get("language"))
    if language is None:
        abort_with(400, _("Choose Cymraeg or English"))
    i18n.use_now(language)
    if respond.FINGERPRINT_FIELD in request.form:
        response = make_response(_survey(True, change=request.form.get("page") != "check"))
    else:
        done = url_for("surveys.respond_done")
        response = redirect(done if request.form.get("next") == done else url_for("surveys.respond_survey"))
    return i18n.set_cookie(response, language)


def _survey(posted: bool, *, change: bool):
    current = _current()
    if current is None:
        return _not_recognised()
    if current.state != State.OPEN:
        return _state_page(current)
    asked = respond.questions(current.survey.id)
    if not posted:
        return _form_page(current, respond.answer_form(asked, formdata=None), asked)
    form = respond.answer_form(asked, meta={"csrf": False})
    if change:
        return _form_page(current, form, asked)
    if respond.questions_changed(request.form, asked):
        return _changed_page(current, form, asked)
    if not form.validate():
        return _form_page(current, form, asked, 422)
    return render_template("surveys/respond/check.html", visit=current, form=form, asked=asked,
                           rows=respond.summary(form, asked), fingerprint=respond.fingerprint(asked))


@bp.route("/s/survey/send", methods=["POST"])
def respond_send():
    """Send the answers: checked again, then written with the link's use in one transaction."""
    _check_csrf()
    today = clock.today()
    payload = respond.read(request.cookies.get(cookie_name()))
    sent = respond.submit_known(payload, today)  # questions read before: written without reading first
    if sent is not None:
        db.session.commit()
        return _set_cookie(redirect(url_for("surveys.respond_done"), 303), sent)
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:  # read in a transaction of its own, so the write lock is held only for the three inserts
        db.session.rollback()
        reads_first()
    current, asked = respond.visit_and_questions(payload, today)
    _in_its_language(current)
    if current is None:
        return _not_recognised()
    if current.state != State.OPEN:
        return _state_page(current)
    form = respond.answer_form(asked, meta={"csrf": False})
    if respond.questions_changed(request.form, asked):
        return _changed_page(current, form, asked)
    if not form.validate():
        return _form_page(current, form, asked, 422)
    if sqlite:
        db.session.commit()
    try:
        respond.submit(current, respond.answer_values(form, asked), today)
        db.session.commit()
    except respond.AlreadyUsed:
        db.session.rollback()
        current.state = State.USED
        return _state_page(current)
    except respond.QuestionsChanged:  # a question was removed while this request ran
        db.session.rollback()
        asked = respond.questions(current.survey.id)
        return _changed_page(current, respond.answer_form(asked, meta={"csrf": False}), asked)
    except respond.NotOpen:  # its dates were moved while this request ran
        db.session.rollback()
        current = _current(today) or current
        if current.state == State.OPEN:
            current.state = State.CLOSED
        return _state_page(current)
    return _set_cookie(redirect(url_for("surveys.respond_done"), 303), respond.sent_payload(current))


@bp.route("/s/thank-you")
def respond_done():
    """The confirmation, for the browser that has just sent its answers."""
    current = _current()
    if current is None or current.state != State.SENT:
        return _not_recognised()
    return render_template("surveys/respond/done.html", visit=current)


csrf.exempt(respond_survey)
csrf.exempt(respond_send)
csrf.exempt(respond_language)
bp.add_app_template_global(respond.field_name, "respond_field_name")


@bp.after_app_request
def _private(response):
    """No referrer and no caching for anything under ``/s/`` (errors and redirects included)."""
    if request.path.startswith(PREFIX) or request.path == PREFIX.rstrip("/"):
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


# --- no token in the logs ------------------------------------------------------------------------

#: A link's token in a path: ``/s/`` and 20 characters or more up to the next slash, space, quote, query
#: or fragment (the pages' own names are shorter).
_TOKEN_IN_PATH = re.compile(r"/s/[^\s\"'?#/]{20,}")


def redact(value: str) -> str:
    """``value`` with any link token in it replaced by "…"."""
    return _TOKEN_IN_PATH.sub("/s/…", value)


class TokenFilter(logging.Filter):
    """Takes survey link tokens out of a log record's message and arguments (tuple or mapping), so an
    access log line says ``GET /s/… HTTP/1.1`` and nothing more."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        elif isinstance(args, dict):
            for key, value in list(args.items()):  # gunicorn's atoms: a dict that answers unknown keys
                if isinstance(value, str):
                    args[key] = redact(value)
        return True


_FILTER = TokenFilter()


@bp.record_once
def _filter_access_logs(_state) -> None:
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
