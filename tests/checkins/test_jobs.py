"""The check-ins' job at scripted moments of the world's programme (1 January 2026, a check-in every 3
months, proposed on 31 March, 30 June, 30 September and 31 December): planned, announced 28 days before,
reminded 2 days before (across the clocks going forward on 29 March), nudged after — each once."""

from datetime import datetime

import pytest
from sqlalchemy import func, select

from tests.checkins.conftest import checkin_of
from tracker.checkins.models import CheckIn, CheckInStatus
from tracker.core.mail import OutboxMessage
from tracker.extensions import db
from tracker.scheduler import registry


def run(moment: datetime) -> list[str]:
    (report,) = registry.run_due(moment, only="checkins")
    assert not report.error, report.error
    return report.lines


def sent(kind: str | None = None) -> list[tuple[str, str]]:
    stmt = select(OutboxMessage.kind, OutboxMessage.to_address).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return list(db.session.execute(stmt))


def count_checkins() -> int:
    return db.session.scalar(select(func.count(CheckIn.id)))


@pytest.fixture
def people(world):
    return world.team_a.email, world.team_b.email, world.facilitator.email


def test_planned_announced_reminded_and_nudged_once(world, people):
    team_a, team_b, fran = people
    assert run(datetime(2026, 3, 2, 12, 0)) and count_checkins() == 8  # the whole calendar, nothing sent
    assert sent() == []

    run(datetime(2026, 3, 3, 0, 30))  # 28 days before 31 March
    assert sorted(sent("checkin_notice")) == sorted([("checkin_notice", a) for a in (team_a, fran, team_b, fran)])
    for moment in (datetime(2026, 3, 3, 0, 30), datetime(2026, 3, 3, 18, 0), datetime(2026, 3, 2, 12, 0)):
        assert run(moment) == []
    assert len(sent()) == 4

    assert run(datetime(2026, 3, 28, 23, 30)) == []  # still 28 March in the UK
    run(datetime(2026, 3, 29, 0, 30))  # the clocks go forward at 01:00 GMT this day
    assert len(sent("checkin_reminder")) == 4
    assert run(datetime(2026, 3, 29, 23, 30)) == []  # 30 March, 00:30 BST: already reminded
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "checkin_reminder"))
    checkin = checkin_of(world.org_a, 1) if world.team_a.email == message.to_address else checkin_of(world.org_b, 1)
    assert f"http://127.0.0.1:5000/checkins/{checkin.id}.ics" in message.text_body
    assert "Stop sending me these: http://127.0.0.1:5000/account/email" in message.text_body
    assert message.sender_name == world.programme.name and "Reminder: Check-in 1 with" in message.subject

    assert run(datetime(2026, 3, 31, 9, 0)) == []  # the day itself: no nudge yet
    checkin_of(world.org_b, 1).status = CheckInStatus.HELD
    db.session.commit()
    run(datetime(2026, 4, 1, 9, 0))
    assert sent("checkin_nudge") == [("checkin_nudge", fran)]
    assert run(datetime(2026, 4, 2, 9, 0)) == [] and run(datetime(2026, 4, 1, 9, 0)) == []
    assert count_checkins() == 8 and len(sent()) == 9


def test_a_week_late_each_missed_notice_goes_once_while_the_meeting_is_ahead(world, people):
    run(datetime(2026, 4, 2, 9, 0))  # after check-in 1: nudges only, then the scheduler stops
    before = len(sent())
    assert before == 2 and {k for k, _ in sent()} == {"checkin_nudge"}
    for day in range(29, 31):  # back on 29 June, a week after check-in 2's notice day, the day after its reminder's
        for hour in (0, 6, 12, 18):
            run(datetime(2026, 6, day, hour, 0))
    new = sent()[before:]
    assert sorted(k for k, _ in new) == ["checkin_notice"] * 4 + ["checkin_reminder"] * 4


def test_a_reminder_never_goes_after_the_meeting(world, people):
    run(datetime(2026, 5, 1, 9, 0))
    before = len(sent())
    run(datetime(2026, 7, 1, 9, 0))  # down from 1 May until after 30 June
    kinds = [k for k, _ in sent()[before:]]
    assert kinds == ["checkin_nudge"] * 2


def test_a_meeting_later_today_is_still_reminded_of(world, people):
    run(datetime(2026, 3, 2, 12, 0))
    from datetime import time
    checkin = checkin_of(world.org_a, 1)
    checkin.start_time = time(14, 0)
    db.session.commit()
    run(datetime(2026, 3, 31, 8, 0))  # 9am BST, before 2pm: notice and reminder of A's; B's has begun
    kinds = sorted(k for k, a in sent() if a in (world.team_a.email,))
    assert kinds == ["checkin_notice", "checkin_reminder"]
    assert not [a for _, a in sent() if a == world.team_b.email]


def test_notices_respect_the_persons_choice(world, people):
    world.team_a.email_notices = False
    db.session.commit()
    run(datetime(2026, 3, 3, 9, 0))
    assert world.team_a.email not in {a for _, a in sent()} and world.team_b.email in {a for _, a in sent()}


def test_the_reads_per_programme_do_not_grow_with_organisations(world, people, app):
    from sqlalchemy import event

    from tracker.programmes import services as programmes

    def statements(moment):
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            run(moment)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    run(datetime(2026, 3, 3, 9, 0))
    quiet = statements(datetime(2026, 3, 3, 10, 0))
    for n in range(8):
        programmes.add_organisation(world.programme, f"Council {n}")
    db.session.commit()
    run(datetime(2026, 3, 3, 11, 0))  # the new organisations' check-ins planned and announced
    assert statements(datetime(2026, 3, 3, 12, 0)) == quiet


def test_a_whole_year_day_by_day_then_again_does_each_thing_once(world, people):
    """Morning and evening (UK) of every day of the programme's 12 months, clocks changing on 29 March and
    25 October: each of the eight check-ins announced and reminded once to each of its people, each left
    unrecorded nudged once; then every moment again, and the earliest after the latest, add nothing."""
    from datetime import date, timedelta

    from tracker.core import clock

    moments = []
    day = date(2026, 1, 1)
    while day <= date(2027, 1, 10):
        for hour in (7, 19):
            moments.append(datetime(day.year, day.month, day.day, hour, 0, tzinfo=clock.UK).astimezone(clock.UTC)
                           .replace(tzinfo=None))
        day += timedelta(days=1)
    for moment in moments:
        run(moment)
    kinds = [kind for kind, _ in sent()]
    assert count_checkins() == 8
    # Each check-in: its team member and the facilitator are told and reminded; the facilitator nudged.
    assert kinds.count("checkin_notice") == 16 and kinds.count("checkin_reminder") == 16
    assert kinds.count("checkin_nudge") == 8
    assert len(set(db.session.scalars(select(OutboxMessage.dedupe_key)))) == len(kinds) == 40
    for moment in moments[::7] + [moments[0]]:
        assert run(moment) == []
    assert len(sent()) == 40
