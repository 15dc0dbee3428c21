"""The app's two languages, Welsh and English, and which one a page or an email is in.

A page's language is, in this order: the signed-in person's own (``User.language``, set by the language
switch, by an administrator or by ``create-user --language``); the language cookie (the switch, before
sign-in); a respondent's survey's default (see ``tracker.surveys.views_respond``); the browser's
``Accept-Language``; English. Emails written outside a request choose with :func:`in_language`.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import force_locale, get_locale, refresh

#: The languages, in the order Welsh public bodies show them.
LANGUAGES = ("cy", "en")
#: What each language is called in itself (the switch names a language in that language).
NAMES = {"cy": "Cymraeg", "en": "English"}
#: Babel's locale for each language (English dates and numbers as in the UK).
LOCALES = {"cy": "cy", "en": "en_GB"}
#: The ``lang`` attribute of a page in each language.
HTML_LANG = {"cy": "cy", "en": "en-GB"}
COOKIE = "language"
COOKIE_MAX_AGE = 365 * 24 * 3600


def valid(value) -> str | None:
    """``value`` if it is one of the languages, else ``None``."""
    return value if isinstance(value, str) and value in LANGUAGES else None


def current() -> str:
    """The language of the request (or of :func:`in_language`): "cy" or "en"."""
    return "cy" if str(get_locale()).startswith("cy") else "en"


def choose() -> str:
    """The request's language (see the module's docstring); English outside a request."""
    if not has_request_context():
        return valid(g.get("language_default")) or "en"
    user = g.get("user")
    chosen = (valid(g.get("language_now")) or valid(getattr(user, "language", None))
              or valid(request.cookies.get(COOKIE)) or valid(g.get("language_default")))
    if chosen:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default="en")


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    return LOCALES[choose()]


def set_default(language: str | None) -> None:
    """The page's language when nobody has chosen one (a respondent's organisation's); ``None`` or "both":
    the browser's."""
    g.language_default = valid(language)
    refresh()


def use_now(language: str) -> None:
    """This response in ``language``, whatever the cookie says (the switch has just been pressed)."""
    g.language_now = valid(language)
    refresh()


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Translate, and format dates and numbers, in ``language`` for the block (an email to one person)."""
    with force_locale(LOCALES[valid(language) or "en"]):
        yield


def set_cookie(response, language: str):
    """Remember ``language`` in this browser (the switch before sign-in, and for respondents)."""
    secure = current_app.config["ENV_NAME"] not in ("development", "testing")
    response.set_cookie(COOKIE, language, max_age=COOKIE_MAX_AGE, path="/", secure=secure, httponly=True,
                        samesite="Lax")
    return response


def init_app(app: Flask) -> None:
    @app.context_processor
    def _language():
        language = current()
        return {"language": language, "html_lang": HTML_LANG[language], "language_names": NAMES}
