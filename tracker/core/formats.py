"""UK formats for dates, times and numbers (Europe/London for display; UTC in storage)."""

from datetime import date, datetime
from functools import lru_cache

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _


def uk_date(value: date | datetime | None) -> str:
    """``23 November 2026``."""
    if value is None:
        return ""
    if type(value) is date:  # a day reads the same whatever the time zone: kept per language
        return _day(value, str(get_locale()))
    return format_date(value, "d MMMM yyyy")


@lru_cache(maxsize=4096)
def _day(value: date, _locale: str) -> str:
    # A board shows the same few completion dates many times, and Babel takes tens of microseconds each.
    return format_date(value, "d MMMM yyyy")


def uk_datetime(value: datetime | None) -> str:
    """``23 November 2026 at 3:47pm`` in UK time (values are stored in UTC)."""
    if value is None:
        return ""
    period = _("am") if int(format_datetime(value, "H")) < 12 else _("pm")  # the hour in UK time
    return _("%(date)s at %(time)s", date=format_datetime(value, "d MMMM yyyy"),
             time=format_datetime(value, "h:mm") + period)


def uk_number(value) -> str:
    """``1,234.5``."""
    if value is None:
        return ""
    return format_decimal(value)  # in the request's locale (flask-babel's format_decimal takes no locale)


def init_app(app: Flask) -> None:
    app.add_template_filter(uk_date, "uk_date")
    app.add_template_filter(uk_datetime, "uk_datetime")
    app.add_template_filter(uk_number, "uk_number")
