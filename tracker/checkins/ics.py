"""The programme calendar as iCalendar (RFC 5545), written with the ``icalendar`` library.

- Every event's UID is made from what it is about and that thing's id, and the site's host name
  (``checkin-12@tracker.example.org``), never at random: exported again, the same check-in has the same
  UID, so a calendar that subscribed to the feed, or imports the file again, updates the event instead of
  adding a second one. A stored event's SEQUENCE is its version, so a moved check-in wins over the copy
  a client holds.
- A check-in or event with a start time is at that time in Europe/London (a ``TZID`` and the VTIMEZONE
  that defines it, built from the system's zone data for the years the calendar covers); anything else is
  an all-day event, a survey window running over its days (DTEND is the day after the last, as the RFC
  wants).
- Due dates and survey windows are transparent (they do not make anyone busy); meetings are not.
"""

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from flask import current_app, request, url_for
from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone

from tracker.checkins.models import CheckInStatus
from tracker.checkins.timeline import Item, ItemKind
from tracker.core import clock
from tracker.core.formats import uk_date

PRODID = "-//Service improvement tracker//Programme calendar//EN"
TZID = "Europe/London"


def site() -> str:
    """The host name UIDs are made with: the configured server name, else the request's host."""
    return (current_app.config.get("SERVER_NAME") or request.host or "localhost").split(":")[0]


def uid(item: Item) -> str:
    return f"{item.key}@{site()}"


@lru_cache(maxsize=32)
def _timezone(first_year: int, last_year: int) -> bytes:
    # Building a VTIMEZONE from zone data takes a while: once per span of years per worker.
    zone = Timezone.from_tzinfo(clock.UK, tzid=TZID, first_date=date(first_year, 1, 1),
                                last_date=date(last_year + 1, 1, 1))
    return zone.to_ical()


def _page(endpoint: str, **args) -> str:
    return url_for(endpoint, _external=True, **args)


def _description(item: Item) -> str:
    lines = []
    if item.checkin is not None:
        lines.append(_("Organisation: %(name)s", name=item.organisation.name))
        if item.checkin.facilitator is not None:
            lines.append(_("Facilitator: %(name)s", name=item.checkin.facilitator.name))
        lines.append(_("Status: %(status)s", status=item.status.label))
    if item.place:
        lines.append(_("Place: %(place)s", place=item.place))
    if item.video_link:
        lines.append(_("Video link: %(link)s", link=item.video_link))
    if item.until is not None:
        lines.append(_("Open from %(opens)s to %(closes)s, both days included",
                       opens=uk_date(item.on), closes=uk_date(item.until)))
    if item.missing:
        lines.append(_("Not in yet from: %(names)s", names=", ".join(item.missing)))
    if item.endpoint:
        lines.append(_page(item.endpoint, **item.args))
    return "\n".join(lines)


def event(item: Item, stamp: datetime) -> Event:
    """One item as a VEVENT."""
    vevent = Event()
    vevent.add("uid", uid(item))
    vevent.add("dtstamp", stamp)
    title = item.title
    if item.status == CheckInStatus.CANCELLED:
        title = _("Cancelled: %(title)s", title=title)
    vevent.add("summary", title)
    if item.start_time is not None:
        vevent.add("dtstart", datetime.combine(item.on, item.start_time, tzinfo=clock.UK))
        if item.end_time is not None:
            vevent.add("dtend", datetime.combine(item.on, item.end_time, tzinfo=clock.UK))
    else:
        vevent.add("dtstart", item.on)
        vevent.add("dtend", (item.until or item.on) + timedelta(days=1))
    meeting = item.kind in (ItemKind.CHECKIN, ItemKind.EVENT)
    vevent.add("transp", "OPAQUE" if meeting and item.start_time is not None else "TRANSPARENT")
    if item.place or item.video_link:
        vevent.add("location", item.place or item.video_link)
    if item.endpoint:
        vevent.add("url", _page(item.endpoint, **item.args))
    description = _description(item)
    if description:
        vevent.add("description", description)
    if meeting:
        vevent.add("status", "CANCELLED" if item.status == CheckInStatus.CANCELLED else "CONFIRMED")
        vevent.add("sequence", item.sequence)
        if item.modified is not None:
            vevent.add("last-modified", item.modified.replace(tzinfo=UTC))
    return vevent


def calendar(items: list[Item], *, name: str) -> bytes:
    """``items`` as one calendar, with the Europe/London VTIMEZONE when any of them has a time."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", TZID)
    timed = [item.on for item in items if item.start_time is not None]
    if timed:
        cal.add_component(Timezone.from_ical(_timezone(min(timed).year, max(timed).year)))
    stamp = clock.now()
    for item in items:
        cal.add_component(event(item, stamp))
    return cal.to_ical()
