"""The one number format people's numbers are read in: forms, imports and the API.

A number is ASCII digits with an optional decimal point and digits after it: ``12``, ``0.5``,
``1234.25``. Space around it is ignored. Nothing else is a number: no exponent (``1e3``), no
underscores (``1_000``), no other digits (``١٢``, ``１２``), no sign (``+5``; ``-5`` is recognised only to
say that it cannot be negative), no ``NaN`` or ``Infinity``. Imports also accept thousands separators
(``1,234`` and ``12,345.5``), as spreadsheets write them (:func:`without_thousands`); forms and the
API do not.

Numbers are kept to 4 decimal places and must be less than 100,000,000,000,000 (10¹⁴); a count is a
whole number. Ids in query strings and hidden fields are read with :func:`parse_id`.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _

from tracker.core.converters import MAX_ID

PLACES = Decimal("0.0001")
LIMIT = Decimal("1e14")

_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_ID = re.compile(r"[0-9]{1,19}")

#: Why a text is not an acceptable number.
FORMAT, NEGATIVE, WHOLE, TOO_LARGE = "format", "negative", "whole", "too_large"


class NumberError(ValueError):
    """The text is not a number in the format above; ``reason`` says why (one of the constants)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_number(raw, *, whole: bool = False) -> Decimal | None:
    """``raw`` (text, or a ``Decimal`` or ``int`` from code) as a ``Decimal``; ``None`` when blank.

    :raises NumberError: not in the format; negative; not whole when ``whole``; 10¹⁴ or more.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise NumberError(FORMAT)
    if isinstance(raw, int | Decimal):
        number = Decimal(raw)
        if not number.is_finite():
            raise NumberError(FORMAT)
    elif isinstance(raw, str):
        text = raw.strip()
        if not text:
            return None
        if len(text) > 60:  # far more digits than any number we keep
            raise NumberError(TOO_LARGE if _PLAIN.fullmatch(text) else FORMAT)
        negative = text.startswith("-")
        body = text[1:] if negative else text
        if not _PLAIN.fullmatch(body):
            raise NumberError(FORMAT)
        number = Decimal(body)
        if negative:
            raise NumberError(NEGATIVE if number else FORMAT)  # "-0" is not a way to write 0
    else:
        raise NumberError(FORMAT)
    if number < 0:
        raise NumberError(NEGATIVE)
    if whole and number != number.to_integral_value():
        raise NumberError(WHOLE)
    if number >= LIMIT:  # before rounding too: a number of thirty digits cannot even be rounded
        raise NumberError(TOO_LARGE)
    number = number.quantize(PLACES, rounding=ROUND_HALF_UP) if not whole else number.quantize(Decimal(1))
    if number >= LIMIT:  # 99999999999999.99999 rounds up to the limit, which no column holds
        raise NumberError(TOO_LARGE)
    return number


def number_message(error: NumberError, label: str, *, whole: bool = False) -> str:
    """The GOV.UK message for ``error``, naming the field: "The value must be a whole number, like 12"."""
    if error.reason == NEGATIVE:
        return _("%(label)s cannot be negative", label=label)
    if error.reason == TOO_LARGE:
        return _("%(label)s must be less than 100,000,000,000,000", label=label)
    if whole or error.reason == WHOLE:
        return _("%(label)s must be a whole number, like 12", label=label)
    return _("%(label)s must be a number, like 12 or 0.5", label=label)


def without_thousands(text: str) -> str:
    """``1,234.5`` → ``1234.5``, as imports read spreadsheets' numbers: commas go only where they separate
    thousands (``1,23`` stays as it is, and is then refused)."""
    stripped = text.strip()
    sign, body = ("-", stripped[1:]) if stripped.startswith("-") else ("", stripped)
    return sign + body.replace(",", "") if _THOUSANDS.fullmatch(body) else text


def parse_id(raw: str | None) -> int | None:
    """An id from a query string or a hidden field: ASCII digits, 1 … 2⁶³ − 1; anything else is ``None``."""
    if raw is None:
        return None
    text = raw.strip()
    if not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
