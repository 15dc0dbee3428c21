"""The one clock: every date rule (due, overdue, stalled, a wave's opening day, a period's end) asks here.

Times are stored in UTC; dates people see and rules about days are UK dates, so a figure due "today" is
due on the UK calendar day, whichever side of midnight UTC it is, and summer time moves nothing by an
hour. Tests set the time with :func:`frozen`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")

_frozen: list[datetime] = []


def now() -> datetime:
    """The current time, aware, in UTC."""
    return _frozen[-1] if _frozen else datetime.now(UTC)


def today() -> date:
    """Today's date in the UK."""
    return now().astimezone(UK).date()


def uk_date_of(moment: datetime) -> date:
    """The UK date of a stored (naive UTC) or aware time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UK).date()


@contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    """Run with the clock stopped at ``moment`` (naive means UTC)."""
    _frozen.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    try:
        yield
    finally:
        _frozen.pop()
