"""The Welsh catalogue is complete: every string the app says, extracted from the code as it is now, has a
Welsh translation that keeps its placeholders and markup, with all six of Welsh's plural forms.

A new string fails this test until it is translated: `make translations` adds it to the .po, empty.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "tracker/translations/cy/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdif]")
TAG = re.compile(r"</?([a-z][a-z0-9]*)")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The msgids of the code as it is now (the Makefile's `translations` extraction; ``--ignore-dirs ".*"``
    because pybabel skips directories starting with "_" by default, such as templates/_macros)."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([Path(sys.executable).parent / "pybabel", "-q", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "-k", "ngettext:1,2", "--ignore-dirs", ".*", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as source:
        return [message for message in read_po(source) if message.id]


@pytest.fixture(scope="module")
def welsh():
    with PO.open("rb") as source:
        catalogue = read_po(source, locale="cy")
    return catalogue


def _forms(message) -> tuple:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_every_string_of_the_code_is_in_the_welsh_catalogue(extracted, welsh):
    missing = [m.id for m in extracted if welsh.get(m.id, m.context) is None]
    assert not missing, f"{len(missing)} strings not in the Welsh catalogue (run `make translations`): {missing[:20]}"


def test_every_string_is_translated_and_none_is_fuzzy(extracted, welsh):
    untranslated = [m.id for m in extracted if (found := welsh.get(m.id, m.context)) is not None
                    and (found.fuzzy or not all(form.strip() for form in _forms(found)))]
    assert not untranslated, f"{len(untranslated)} strings without Welsh: {untranslated[:20]}"
    assert not welsh.fuzzy, "the catalogue's header is marked fuzzy"


def test_the_plural_rule_is_welsh_with_six_forms(welsh):
    assert welsh.num_plurals == 6
    assert welsh.plural_expr == get_plural(Locale("cy")).plural_expr
    plural = [m for m in welsh if m.id and isinstance(m.id, tuple)]
    assert plural, "no plural entries: numbers beside nouns use ngettext"
    short = [m.id[0] for m in plural if len(_forms(m)) != 6]
    assert not short, f"plural entries without six forms: {short}"


def test_translations_keep_the_placeholders_and_the_markup(welsh):
    problems = []
    for message in welsh:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for form in _forms(message):
            found = set(PLACEHOLDER.findall(form))
            # A plural form may leave the number out ("Dim …" for none); it may never bring in a name of its own.
            if not found <= wanted or (not isinstance(message.id, tuple) and found != wanted):
                problems.append(f"{ids[0]!r}: placeholders {sorted(wanted)} became {sorted(found)}")
            if sorted(TAG.findall(ids[0])) != sorted(TAG.findall(form)):
                problems.append(f"{ids[0]!r}: its HTML tags differ in Welsh")
    assert not problems, "\n".join(problems)


def test_each_translation_formats_with_the_values_the_code_gives(welsh):
    """A Welsh string that Python's % cannot fill would be a 500 on a Welsh page."""
    for message in welsh:
        ids = " ".join(message.id if isinstance(message.id, tuple) else (message.id,))
        if not message.id or not PLACEHOLDER.search(ids):
            continue
        values = dict.fromkeys(re.findall(r"%\(([a-z_0-9]+)\)", ids), 1)
        for form in _forms(message):
            form % values  # noqa: B018 - raises on a broken placeholder


def test_the_catalogue_passes_babels_own_checks(welsh):
    """What `pybabel compile` checks (python-format placeholders compatible, plural forms): an English
    string with "% o" in it is taken for a placeholder and its Welsh refused."""
    problems = [(message.id, [str(error) for error in errors]) for message, errors in welsh.check()]
    assert not problems, problems
