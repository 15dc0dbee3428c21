"""The demo programme's calendar (seed 002: "Regular check-ins will be organised with all three local
authorities on a 3 monthly basis", and a mid-way staff event). Loading twice changes nothing.

The demo's evaluation ended years ago, so its check-ins are all in the past: each is recorded as held
but the last one of each council, left as scheduled (and so overdue) to show how that looks; the
councils meet at ten in the morning, alternately in their offices and by video call.
"""

from datetime import time

from sqlalchemy import select

from tracker.checkins import calendar
from tracker.checkins.models import CheckIn, CheckInStatus, EventKind, ProgrammeEvent
from tracker.core import clock
from tracker.extensions import db
from tracker.programmes.models import Programme

VIDEO_LINK = "https://teams.microsoft.com/l/meetup-join/demo-check-in"


def load(programme: Programme) -> None:
    """Plan the programme's check-ins and mid-way staff event and give them times, places and what happened.

    Once only: when the programme already has its check-ins, nothing changes, so any change made in the
    demo stays.
    """
    if not calendar.ensure_checkins(programme):
        return
    today = clock.today()
    checkins = list(db.session.scalars(select(CheckIn).where(CheckIn.programme_id == programme.id)
                                       .order_by(CheckIn.organisation_id, CheckIn.interval_number)))
    last = {c.organisation_id: c.interval_number for c in checkins}
    for checkin in checkins:
        in_person = checkin.interval_number % 2 == 1
        calendar.move(checkin, expected_version=checkin.version, on=checkin.on, start_time=time(10),
                      end_time=time(11, 30), place=f"{checkin.organisation.name}, housing options team" if in_person
                      else "Microsoft Teams", video_link="" if in_person else VIDEO_LINK,
                      facilitator=checkin.facilitator, today=today)
        if checkin.on < today and checkin.interval_number != last[checkin.organisation_id]:
            calendar.set_status(checkin, expected_version=checkin.version, status=CheckInStatus.HELD, today=today)
    event = db.session.scalar(select(ProgrammeEvent).where(ProgrammeEvent.programme_id == programme.id,
                                                           ProgrammeEvent.kind == EventKind.MIDWAY))
    calendar.update_event(event, expected_version=event.version, on=event.on, start_time=time(9, 30),
                          end_time=time(15), place="Merthyr Tydfil Civic Centre, Castle Street")
