"""The check-in calendar: one check-in per participating organisation every check-in interval from the
programme's start, and the mid-way staff event at the middle of the evaluation.

Interval 1 runs from the start date for ``checkin_interval_months`` months, interval 2 the next as many,
and so on; the last one ends with the evaluation, however short (as reporting periods do, with the same
month arithmetic: a start on the 31st gives intervals ending on the 29th or 30th of the shorter months).
Each check-in is proposed for the last day of its interval, moved to the Friday before when that is a
Saturday or Sunday. What the calendar proposes is only made by :func:`ensure_checkins`; check-ins that
exist keep the dates, times and places facilitators gave them, even if the programme's dates change.

Services flush; the caller commits.
"""

from dataclasses import dataclass
from datetime import date, time, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.accounts.models import User
from tracker.checkins.models import (
    LINK_LENGTH,
    PLACE_LENGTH,
    CheckIn,
    CheckInStatus,
    EventKind,
    ProgrammeEvent,
)
from tracker.core import clock
from tracker.core.db import insert, utcnow
from tracker.core.locks import relock
from tracker.extensions import db
from tracker.programmes.models import Membership, Organisation, Programme, Role
from tracker.results.periods import add_months

#: Rows per ``INSERT``: well under SQLite's limit on bound parameters.
_CHUNK = 500


class CheckInError(ValueError):
    """A rule about a check-in or an event was broken; the message is shown beside ``field``."""

    def __init__(self, message, field: str = "on"):
        super().__init__(str(message))
        self.field = field


class Stale(Exception):
    """The check-in or event changed since the person loaded it; ``current`` holds it as it is now."""

    def __init__(self, current):
        super().__init__(f"{type(current).__name__} {current.id} changed (now version {current.version})")
        self.current = current


@dataclass(frozen=True)
class Interval:
    number: int
    months_from: int
    months_to: int
    start: date
    #: The last day of the interval.
    end: date


def intervals(programme: Programme) -> list[Interval]:
    """Every check-in interval of the programme's evaluation."""
    step = max(programme.checkin_interval_months, 1)
    result, months_from, number = [], 0, 1
    while months_from < programme.evaluation_months:
        months_to = min(months_from + step, programme.evaluation_months)
        result.append(Interval(number, months_from, months_to, add_months(programme.start_date, months_from),
                               add_months(programme.start_date, months_to) - timedelta(days=1)))
        months_from, number = months_to, number + 1
    return result


def weekday_on_or_before(day: date) -> date:
    """``day``, or the Friday before it when it is a Saturday or Sunday."""
    return day - timedelta(days=max(day.weekday() - 4, 0))


def proposed_dates(programme: Programme) -> dict[int, date]:
    """Interval number → the day the calendar proposes for its check-ins."""
    return {interval.number: weekday_on_or_before(interval.end) for interval in intervals(programme)}


def midway_date(programme: Programme) -> date:
    """The middle of the evaluation: half its months from the start (half-way through the middle month
    when the evaluation has an odd number of months), on a weekday."""
    months = programme.evaluation_months
    middle = add_months(programme.start_date, months // 2)
    if months % 2:
        middle += (add_months(programme.start_date, months // 2 + 1) - middle) // 2
    return weekday_on_or_before(middle)


def facilitators(programme: Programme) -> list[User]:
    """The programme's facilitators, by name."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.programme_id == programme.id, Membership.role == Role.FACILITATOR)
        .order_by(User.name, User.id)))


def ensure_checkins(programme: Programme) -> int:
    """Make the check-ins the calendar calls for that do not exist yet, and the mid-way staff event;
    return how many check-ins were made.

    Idempotent, and safe when two requests (or a request and the scheduler) run it at once: every row
    goes in with ``INSERT … ON CONFLICT DO NOTHING`` against the unique (programme, organisation,
    interval) and (programme, kind) constraints, so the database, not a read before the write, decides
    what exists; the second writer waits for the first's transaction and then adds nothing.

    A new check-in's facilitator is the one of the organisation's latest check-in while they are still a
    facilitator of the programme, otherwise the programme's first facilitator (its creator, usually).
    """
    db.session.flush()
    dates = proposed_dates(programme)
    hosts = list(db.session.scalars(select(Membership.user_id).where(
        Membership.programme_id == programme.id, Membership.role == Role.FACILITATOR).order_by(Membership.id)))
    first, still = (hosts[0] if hosts else None), set(hosts)
    latest = dict(db.session.execute(
        select(CheckIn.organisation_id, CheckIn.facilitator_id)
        .where(CheckIn.programme_id == programme.id, CheckIn.interval_number.is_not(None))
        .order_by(CheckIn.interval_number)).all())  # the last row per organisation wins
    now = utcnow()
    rows = []
    for org_id in db.session.scalars(select(Organisation.id).where(Organisation.programme_id == programme.id)
                                     .order_by(Organisation.id)):
        facilitator = latest.get(org_id) if latest.get(org_id) in still else first
        rows += [{"programme_id": programme.id, "organisation_id": org_id, "interval_number": number, "on": day,
                  "facilitator_id": facilitator, "status": CheckInStatus.SCHEDULED, "place": "", "video_link": "",
                  "version": 1, "created_dt": now, "updated_dt": now} for number, day in dates.items()]
    made = 0
    for start in range(0, len(rows), _CHUNK):
        made += len(db.session.execute(insert(CheckIn).values(rows[start:start + _CHUNK]).on_conflict_do_nothing(
            index_elements=["programme_id", "organisation_id", "interval_number"]).returning(CheckIn.id)).all())
    db.session.execute(insert(ProgrammeEvent).values(
        programme_id=programme.id, kind=EventKind.MIDWAY, on=midway_date(programme), title="", place="",
        video_link="", version=1, created_dt=now, updated_dt=now,
    ).on_conflict_do_nothing(index_elements=["programme_id", "kind"]))
    return made


def missing_count(programme: Programme) -> int:
    """How many check-ins the calendar proposes that do not exist yet (two queries)."""
    organisations = db.session.scalar(select(func.count(Organisation.id))
                                      .where(Organisation.programme_id == programme.id)) or 0
    wanted = set(proposed_dates(programme))
    if not wanted or not organisations:
        return 0
    have = db.session.scalar(select(func.count(CheckIn.id)).where(
        CheckIn.programme_id == programme.id, CheckIn.interval_number.in_(wanted))) or 0
    return organisations * len(wanted) - have


# --- rules for a check-in's facts --------------------------------------------------------------------


def clean_link(value: str | None) -> str:
    """A video link as stored: an http or https address, or nothing.

    :raises CheckInError: anything else (``javascript:``, a bare word, spaces, too long).
    """
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > LINK_LENGTH:
        raise CheckInError(_("The video link must be %(n)s characters or fewer", n=LINK_LENGTH), "video_link")
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # "https://[::1" and the like
        host = None
    if not host or parts.scheme.lower() not in ("http", "https") or any(c.isspace() for c in value):
        raise CheckInError(_("Enter the video link as a web address starting with https://"), "video_link")
    return value


def check_times(start_time: time | None, end_time: time | None) -> None:
    """:raises CheckInError: an end time without a start time, or not after it."""
    if end_time is not None and start_time is None:
        raise CheckInError(_("Enter a start time as well as an end time"), "start_time")
    if start_time is not None and end_time is not None and end_time <= start_time:
        raise CheckInError(_("The end time must be after the start time"), "end_time")


def _check_facilitator(programme: Programme, facilitator: User | None) -> None:
    if facilitator is not None and facilitator.id not in {u.id for u in facilitators(programme)}:
        raise CheckInError(_("Choose a facilitator of this programme"), "facilitator")


def _when_where(*, on: date, start_time: time | None, end_time: time | None, place: str,
                video_link: str) -> dict:
    check_times(start_time, end_time)
    place = (place or "").strip()
    if len(place) > PLACE_LENGTH:
        raise CheckInError(_("The place must be %(n)s characters or fewer", n=PLACE_LENGTH), "place")
    return {"on": on, "start_time": start_time, "end_time": end_time, "place": place,
            "video_link": clean_link(video_link)}


def _apply(target, values: dict) -> bool:
    if all(getattr(target, name) == value for name, value in values.items()):
        return False
    for name, value in values.items():
        setattr(target, name, value)
    target.updated_dt = utcnow()
    db.session.flush()
    return True


def _fresh(target, expected_version: int | None) -> None:
    """Lock the row, read it again, and refuse a change made from an older version of it."""
    relock(target)
    if expected_version is None or int(expected_version) != target.version:
        raise Stale(target)


def move(checkin: CheckIn, *, expected_version: int | None, on: date, start_time: time | None = None,
         end_time: time | None = None, place: str = "", video_link: str = "", facilitator: User | None = None,
         today: date | None = None) -> bool:
    """Give a check-in its day, times, place or video link and facilitator; returns whether anything changed.

    :raises Stale: someone else changed it since ``expected_version``.
    :raises CheckInError: an end time without a start time or not after it, a link that is not a web
        address, a facilitator who is not one of the programme's, or a held check-in moved into the future.
    """
    today = today or clock.today()
    _fresh(checkin, expected_version)
    values = _when_where(on=on, start_time=start_time, end_time=end_time, place=place,
                         video_link=video_link)
    _check_facilitator(checkin.programme, facilitator)
    if checkin.status == CheckInStatus.HELD and on > today:
        raise CheckInError(_("This check-in was held: its date cannot be after today"))
    values["facilitator_id"] = facilitator.id if facilitator else None
    return _apply(checkin, values)


def set_status(checkin: CheckIn, *, expected_version: int | None, status: CheckInStatus,
               today: date | None = None) -> bool:
    """Record that a check-in was held or cancelled (or is scheduled after all); returns whether it changed.

    :raises Stale: someone else changed it since ``expected_version``.
    :raises CheckInError: held before its day.
    """
    today = today or clock.today()
    _fresh(checkin, expected_version)
    if status == CheckInStatus.HELD and checkin.on > today:
        raise CheckInError(_("A check-in cannot be held before its date. Change its date first if it was held "
                             "earlier."), "status")
    return _apply(checkin, {"status": status})


def add_extra(org: Organisation, *, on: date, start_time: time | None = None, end_time: time | None = None,
              place: str = "", video_link: str = "", facilitator: User | None = None) -> CheckIn:
    """An extra check-in with an organisation, outside the calendar's intervals.

    :raises CheckInError: as :func:`move`.
    """
    programme = org.programme
    values = _when_where(on=on, start_time=start_time, end_time=end_time, place=place,
                         video_link=video_link)
    _check_facilitator(programme, facilitator)
    checkin = CheckIn(programme=programme, organisation=org, interval_number=None, facilitator=facilitator,
                      status=CheckInStatus.SCHEDULED, **values)
    db.session.add(checkin)
    db.session.flush()
    return checkin


def update_event(event: ProgrammeEvent, *, expected_version: int | None, on: date, title: str = "",
                 start_time: time | None = None, end_time: time | None = None, place: str = "",
                 video_link: str = "") -> bool:
    """Move the mid-way staff event or change its title; returns whether anything changed.

    :raises Stale: someone else changed it since ``expected_version``.
    :raises CheckInError: as :func:`move`.
    """
    _fresh(event, expected_version)
    values = _when_where(on=on, start_time=start_time, end_time=end_time, place=place,
                         video_link=video_link)
    title = (title or "").strip()
    if len(title) > 200:
        raise CheckInError(_("The title must be 200 characters or fewer"), "title")
    values["title"] = "" if title == event.kind.label else title
    return _apply(event, values)


def checkin_title(checkin: CheckIn) -> str:
    """"Check-in 2 with Caerphilly County Borough Council", or "Extra check-in with …"."""
    if checkin.interval_number is None:
        return _("Extra check-in with %(org)s", org=checkin.organisation.name)
    return _("Check-in %(n)s with %(org)s", n=checkin.interval_number, org=checkin.organisation.name)
