"""Emails in their reader's language: the recipient's own where it is known, else Welsh and English in one
email, Welsh first (as the Welsh Language Standards expect of Welsh public bodies).

A message's template is rendered once per language, inside :func:`tracker.core.i18n.in_language`, so its
words, dates and numbers are in that language. Values that are words made outside the template (a
subject, a check-in's title) are passed as :class:`PerLanguage` and made again in each language.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup, escape

from tracker.core import i18n

#: Both languages, Welsh first: for a recipient whose language is not known.
BOTH = ("cy", "en")
#: Between the two languages of a bilingual email's text.
TEXT_SEPARATOR = "\n\n" + "-" * 40 + "\n\n"
_BODY = re.compile(r"<body([^>]*)>(.*)</body>", re.S)


class PerLanguage:
    """A value made in each language of the email (``PerLanguage(lambda: _("…"))``)."""

    def __init__(self, make: Callable[[], object]):
        self.make = make

    def __call__(self):
        return self.make()


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def languages_of(language: str | None) -> tuple[str, ...]:
    """The languages to write to someone whose language is ``language`` (``None``: not known; "both")."""
    return (language,) if language in i18n.LANGUAGES else BOTH


def render(template: str, languages: Sequence[str], subject, **context) -> Rendered:
    """``template``.txt and .html, with ``subject`` (a string or a :class:`PerLanguage`), in each of
    ``languages``, joined into one email when there are two."""
    parts = []
    for language in languages:
        with i18n.in_language(language):
            values = {key: value() if isinstance(value, PerLanguage) else value for key, value in context.items()}
            words = subject() if isinstance(subject, PerLanguage) else subject
            parts.append((language, " ".join(str(words).split()),
                          render_template(f"{template}.txt", **values), render_template(f"{template}.html", **values)))
    if len(parts) == 1:
        _language, words, text, html = parts[0]
        return Rendered(words[:255], text, html)
    words = " / ".join(part[1] for part in parts)
    text = TEXT_SEPARATOR.join(part[2].strip() + "\n" for part in parts)
    return Rendered(words[:255], text, _joined(words, [(part[0], part[3]) for part in parts]))


def _joined(title: str, documents: list[tuple[str, str]]) -> str:
    """One HTML document of each language's document's body, in order, each marked with its language."""
    bodies, style = [], ""
    for language, html in documents:
        found = _BODY.search(html)
        style = style or (found.group(1) if found else "")
        body = Markup(found.group(2) if found else html)  # noqa: S704 - the app's own template, rendered escaped
        bodies.append(Markup('<div lang="{}">{}</div>').format(i18n.HTML_LANG[language], body))
    separator = Markup('\n<hr style="border: 0; border-top: 1px solid #b1b4b6; margin: 30px 0;">\n')
    return (f'<!doctype html>\n<html lang="{i18n.HTML_LANG[documents[0][0]]}">\n<head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head>\n<body{style}>\n{separator.join(bodies)}\n</body>\n</html>\n")
