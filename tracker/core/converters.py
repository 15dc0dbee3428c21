"""URL converters: ``<int:…>`` is bounded to what a database id (a signed 64-bit integer) can hold.

Flask's own ``int`` converter takes any run of digits — ``/cards/9223372036854775808`` reached the
database, which cannot hold the number, and failed with a 500 — and any Unicode digits (``١``).
Registered in its place, this one matches ASCII digits only and turns a value outside 1 … 2⁶³ − 1 into
"no such page" (404) before any view runs.
"""

from werkzeug.routing import IntegerConverter, ValidationError

#: The largest value a BIGINT (PostgreSQL) or INTEGER (SQLite) column holds.
MAX_ID = 2**63 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:name>``: a whole number from 1 to 2⁶³ − 1 in ASCII digits, or the rule does not match."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID,  # noqa: A002
                 signed: bool = False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        if len(value) > len(str(MAX_ID)):  # no need to convert 10,000 digits to know they are too many
            raise ValidationError()
        return super().to_python(value)
