"""The Welsh pass of the browser tests: a page rendered in Welsh has ``lang="cy"`` and no English UI string.

The English UI strings are the catalogue's msgids (``tracker/translations/messages.pot``), cut into
fragments at placeholders and HTML tags; a fragment of three words or more found in a Welsh page's
visible text (or in its aria-label, title, placeholder and alt attributes, or its <title>) is English
that was not translated: a string not passed through gettext, or one built before the locale was chosen.
"""

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "tracker" / "translations" / "messages.pot"
PO = ROOT / "tracker" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"

#: A fragment needs this many words to be looked for (shorter ones are too often names or Welsh too).
MIN_WORDS = 3
#: Where a msgid is cut: printf placeholders (``%(name)s``, ``%s``, ``%d``), ``{name}``, and HTML tags.
_CUT = re.compile(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{[^{}]*\}|<[^>]*>|\s*\n\s*\n\s*")
#: Markdown and punctuation stripped from a fragment's ends.
_ENDS = " \t\n*_`#>-–—:;,.!?()[]\"'‘’“”…/|%"
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})
#: Fragments that are not English UI although they are msgids' words: the product's name is kept in
#: English in the Welsh pages too. (Add one here only with a reason.)
EXCLUDED: set[str] = set()


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces, curly quotes and no-break spaces made plain."""
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip()


def _fragments(text: str) -> list[str]:
    out = []
    for piece in _CUT.split(text):
        # "%%" is a printf "%"; "%(name)s's report" leaves "'s report".
        piece = re.sub(r"^'s\b", "", normalise(piece.replace("%%", "%"))).strip(_ENDS)
        if len(piece.split()) >= MIN_WORDS:
            out.append(piece)
    return out


def _ids(message) -> list[str]:
    return [m for m in (message.id if isinstance(message.id, (list, tuple)) else [message.id]) if m]


def _strings(message) -> list[str]:
    if isinstance(message.string, (list, tuple)):
        return [s for s in message.string if s]
    return [message.string] if message.string else []


@cache
def english_fragments() -> tuple[str, ...]:
    """The English UI fragments to look for on a Welsh page (read once per session), longest first."""
    with PO.open("rb") as f:
        welsh = {(m.id if isinstance(m.id, str) else m.id[0], m.context): " ".join(normalise(s) for s in _strings(m))
                 for m in read_po(f) if m.id}
    with POT.open("rb") as f:
        template = read_po(f)
    found = set()
    for message in template:
        if not message.id:
            continue
        key = (message.id if isinstance(message.id, str) else message.id[0], message.context)
        translation = welsh.get(key, "")
        for msgid in _ids(message):
            for fragment in _fragments(msgid):
                # A fragment the Welsh keeps (a name kept in English) is not untranslated English.
                if fragment in translation or fragment in EXCLUDED:
                    continue
                found.add(fragment)
    return tuple(sorted(found, key=lambda s: (-len(s), s)))


#: Text on a Welsh page that is rightly not Welsh: what is marked as in another language (the language
#: switch's "English"), and a stored email in the outbox (written in its recipient's language, which for
#: the tests' people is English).
_NOT_UI = '[lang]:not([lang|="cy"]), .app-email-text'

_TEXTS = """(notUi) => {
    let body = document.body.innerText;
    for (const el of document.body.querySelectorAll(notUi)) body = body.replace(el.innerText, ' ');
    const texts = [document.title, body];
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
        if (el.closest(notUi)) continue;
        for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
            const value = el.getAttribute(name);
            if (value) texts.push(value);
        }
    }
    return {lang: document.documentElement.lang, texts};
}"""


def _pattern(fragment: str) -> re.Pattern:
    # Whole words only: "Add a card" is not found in "Add a cardholder".
    start = r"(?<!\w)" if fragment[0].isalnum() else ""
    end = r"(?!\w)" if fragment[-1].isalnum() else ""
    return re.compile(start + re.escape(fragment) + end)


@cache
def _patterns() -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((fragment, _pattern(fragment)) for fragment in english_fragments())


def welsh_problems(page: Page) -> list[str]:
    """What makes the page not Welsh: its ``lang`` is not "cy", or English UI text is on it."""
    result = page.evaluate(_TEXTS, _NOT_UI)
    problems = []
    if result["lang"] != "cy":
        problems.append(f'<html lang="{result["lang"]}">, not "cy"')
    texts = [normalise(text) for text in result["texts"] if text]
    for fragment, pattern in _patterns():
        for text in texts:
            match = pattern.search(text)
            if match:
                context = text[max(0, match.start() - 40):match.end() + 40]
                problems.append(f"English on the Welsh page: {fragment!r} (in …{context}…)")
                break
    return problems
