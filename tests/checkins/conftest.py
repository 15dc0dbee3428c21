"""The world's programme (1 January 2026, 12 months, a check-in every 3 months) with its calendar planned."""

from datetime import datetime

import pytest
from sqlalchemy import select

from tracker.checkins import calendar
from tracker.checkins.models import CheckIn, ProgrammeEvent
from tracker.core import clock
from tracker.extensions import db

#: A Wednesday in the programme's second interval, in summer time.
MID_MAY = datetime(2026, 5, 13, 9, 0)


@pytest.fixture
def frozen():
    with clock.frozen(MID_MAY):
        yield clock.today()


@pytest.fixture
def planned(world, frozen):
    calendar.ensure_checkins(world.programme)
    db.session.commit()
    return world


def checkin_of(org, number: int | None) -> CheckIn:
    return db.session.scalar(select(CheckIn).where(CheckIn.organisation_id == org.id,
                                                   CheckIn.interval_number == number).order_by(CheckIn.id))


def midway(programme) -> ProgrammeEvent:
    return db.session.scalar(select(ProgrammeEvent).where(ProgrammeEvent.programme_id == programme.id))
