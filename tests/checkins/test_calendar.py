"""The check-in calendar's rules, called directly: intervals and proposed dates from the programme's dates,
planning (idempotent, and safe when two run at once), moving, status, extra check-ins, the timeline."""

import threading
from datetime import date, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.checkins.conftest import checkin_of, midway
from tests.surveys.conftest import make_survey
from tracker.checkins import calendar, timeline
from tracker.checkins.models import CheckIn, CheckInStatus, ProgrammeEvent
from tracker.extensions import db
from tracker.programmes import services as programmes
from tracker.programmes.models import Programme, Role
from tracker.results import services as results
from tracker.results.models import Direction, Unit


def dates_of(start: date, months: int = 12, every: int = 3) -> list[date]:
    programme = SimpleNamespace(start_date=start, evaluation_months=months, checkin_interval_months=every)
    return list(calendar.proposed_dates(programme).values())


# --- the calendar from the programme's dates ---------------------------------------------------------


def test_a_check_in_at_the_end_of_every_interval():
    programme = SimpleNamespace(start_date=date(2026, 1, 1), evaluation_months=12, checkin_interval_months=3)
    found = calendar.intervals(programme)
    assert [(i.number, i.months_from, i.months_to, i.start, i.end) for i in found] == [
        (1, 0, 3, date(2026, 1, 1), date(2026, 3, 31)), (2, 3, 6, date(2026, 4, 1), date(2026, 6, 30)),
        (3, 6, 9, date(2026, 7, 1), date(2026, 9, 30)), (4, 9, 12, date(2026, 10, 1), date(2026, 12, 31))]
    assert dates_of(date(2026, 1, 1)) == [date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]


def test_a_start_on_the_31st_clamps_to_shorter_months():
    # 31 January + 3 months is 30 April (no 31st), so the interval ends on the 29th; the last one ends on
    # Saturday 30 January 2027 and is proposed for the Friday before.
    assert dates_of(date(2026, 1, 31)) == [date(2026, 4, 29), date(2026, 7, 30), date(2026, 10, 30),
                                           date(2027, 1, 29)]


def test_a_leap_year():
    # 30 November 2027 + 3 months is 29 February 2028; a start on 29 February ends its year on the 27th.
    assert dates_of(date(2027, 11, 30))[0] == date(2028, 2, 28)
    assert dates_of(date(2028, 2, 29), every=6) == [date(2028, 8, 28), date(2029, 2, 27)]
    assert dates_of(date(2025, 11, 30))[0] == date(2026, 2, 27)  # 28 February 2026 is a Saturday


def test_a_programme_shorter_than_one_interval_has_one_check_in_at_its_end():
    programme = SimpleNamespace(start_date=date(2026, 1, 1), evaluation_months=2, checkin_interval_months=3)
    (only,) = calendar.intervals(programme)
    assert (only.months_from, only.months_to, only.end) == (0, 2, date(2026, 2, 28))
    assert calendar.proposed_dates(programme) == {1: date(2026, 2, 27)}  # Saturday → Friday


def test_the_last_interval_ends_with_the_evaluation():
    assert dates_of(date(2026, 1, 1), months=12, every=5) == [date(2026, 5, 29), date(2026, 10, 30),
                                                               date(2026, 12, 31)]


@pytest.mark.parametrize(("day", "proposed"), [
    (date(2026, 5, 16), date(2026, 5, 15)),  # Saturday
    (date(2026, 5, 17), date(2026, 5, 15)),  # Sunday
    (date(2026, 5, 18), date(2026, 5, 18)),  # Monday
    (date(2026, 5, 15), date(2026, 5, 15)),  # Friday
])
def test_weekends_move_to_the_friday_before(day, proposed):
    assert calendar.weekday_on_or_before(day) == proposed


@pytest.mark.parametrize(("start", "months", "middle"), [
    (date(2026, 1, 1), 12, date(2026, 7, 1)),
    (date(2026, 1, 1), 18, date(2026, 10, 1)),
    (date(2026, 1, 1), 15, date(2026, 8, 14)),  # half-way through August is Sunday 16th
    (date(2026, 1, 31), 12, date(2026, 7, 31)),
])
def test_the_midway_event_is_in_the_middle_of_the_evaluation(start, months, middle):
    programme = SimpleNamespace(start_date=start, evaluation_months=months, checkin_interval_months=3)
    assert calendar.midway_date(programme) == middle


# --- planning ------------------------------------------------------------------------------------------


def test_ensure_makes_what_is_missing_once(world, frozen):
    programme = world.programme
    assert calendar.missing_count(programme) == 8
    assert calendar.ensure_checkins(programme) == 8
    db.session.commit()
    assert calendar.ensure_checkins(programme) == 0
    db.session.commit()
    assert db.session.scalar(select(func.count(CheckIn.id))) == 8
    assert db.session.scalar(select(func.count(ProgrammeEvent.id))) == 1
    assert calendar.missing_count(programme) == 0
    first = checkin_of(world.org_a, 1)
    assert (first.on, first.status, first.facilitator, first.version) == (
        date(2026, 3, 31), CheckInStatus.SCHEDULED, world.facilitator, 1)
    assert midway(programme).on == date(2026, 7, 1)


def test_ensure_keeps_what_facilitators_changed_and_adds_for_new_organisations(planned, frozen):
    programme = planned.programme
    checkin = checkin_of(planned.org_a, 2)
    calendar.move(checkin, expected_version=checkin.version, on=date(2026, 6, 24), start_time=time(10))
    programme.start_date = date(2026, 2, 1)  # the calendar now proposes other days
    org_c = programmes.add_organisation(programme, "Council C")
    db.session.commit()
    assert calendar.ensure_checkins(programme) == 4
    db.session.commit()
    assert checkin_of(planned.org_a, 2).on == date(2026, 6, 24)
    assert checkin_of(planned.org_a, 1).on == date(2026, 3, 31)
    assert [c.on for c in db.session.scalars(select(CheckIn).where(CheckIn.organisation_id == org_c.id)
                                              .order_by(CheckIn.interval_number))] == [
        date(2026, 4, 30), date(2026, 7, 31), date(2026, 10, 30), date(2027, 1, 29)]
    assert midway(programme).on == date(2026, 7, 1)  # made once: it keeps its day


def test_a_longer_evaluation_adds_intervals_with_the_organisations_facilitator(planned):
    programme = planned.programme
    host = factories.make_user("Hana Host", is_facilitator=True)
    factories.add_member(programme, host, Role.FACILITATOR)
    last = checkin_of(planned.org_a, 4)
    calendar.move(last, expected_version=last.version, on=last.on, facilitator=host)
    programme.evaluation_months = 18
    db.session.commit()
    assert calendar.ensure_checkins(programme) == 4
    assert checkin_of(planned.org_a, 6).facilitator == host
    assert checkin_of(planned.org_b, 6).facilitator == planned.facilitator


def test_extra_check_ins_are_not_counted_as_the_calendars(planned):
    calendar.add_extra(planned.org_a, on=date(2026, 5, 20))
    calendar.add_extra(planned.org_a, on=date(2026, 5, 27))
    db.session.commit()
    assert calendar.ensure_checkins(planned.programme) == 0
    assert db.session.scalar(select(func.count(CheckIn.id)).where(CheckIn.interval_number.is_(None))) == 2


def test_two_plannings_at_once_make_each_check_in_once(app, world):
    """Two transactions planning the same programme at the same moment: the unique constraint decides, the
    second waits for the first and adds nothing (on SQLite the two write transactions take turns anyway)."""
    programme_id = world.programme.id
    barrier, made, errors = threading.Barrier(2), [], []

    def plan():
        try:
            with app.test_request_context(method="POST"):  # a write request: BEGIN IMMEDIATE on SQLite
                barrier.wait(timeout=10)
                programme = db.session.get(Programme, programme_id)
                made.append(calendar.ensure_checkins(programme))
                db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=plan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(made) == [0, 8]
    db.session.rollback()
    assert db.session.scalar(select(func.count(CheckIn.id))) == 8
    assert db.session.scalar(select(func.count(ProgrammeEvent.id))) == 1


# --- changing a check-in -------------------------------------------------------------------------------


def test_move_a_check_in(planned, frozen):
    checkin = checkin_of(planned.org_b, 2)
    assert calendar.move(checkin, expected_version=1, on=date(2026, 6, 25), start_time=time(14),
                         end_time=time(15, 30), place="Ty Penallta, room 2",
                         video_link=" https://teams.example/meet/1 ", facilitator=planned.facilitator)
    db.session.commit()
    assert (checkin.on, checkin.start_time, checkin.end_time, checkin.place, checkin.video_link, checkin.version) == (
        date(2026, 6, 25), time(14), time(15, 30), "Ty Penallta, room 2", "https://teams.example/meet/1", 2)
    assert not calendar.move(checkin, expected_version=2, on=date(2026, 6, 25), start_time=time(14),
                             end_time=time(15, 30), place="Ty Penallta, room 2",
                             video_link="https://teams.example/meet/1", facilitator=planned.facilitator)
    assert checkin.version == 2


def test_a_move_from_an_older_version_is_refused(planned):
    checkin = checkin_of(planned.org_b, 2)
    calendar.move(checkin, expected_version=1, on=date(2026, 6, 25))
    db.session.commit()
    with pytest.raises(calendar.Stale) as stale:
        calendar.move(checkin, expected_version=1, on=date(2026, 6, 26))
    assert stale.value.current.on == date(2026, 6, 25)


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"end_time": time(11)}, "start_time", "Enter a start time as well as an end time"),
    ({"start_time": time(11), "end_time": time(11)}, "end_time", "The end time must be after the start time"),
    ({"video_link": "javascript:alert(1)"}, "video_link", "starting with https://"),
    ({"video_link": "teams"}, "video_link", "starting with https://"),
    ({"video_link": "https://[::1"}, "video_link", "starting with https://"),
    ({"video_link": "https://a.example/" + "x" * 500}, "video_link", "500 characters or fewer"),
    ({"place": "x" * 301}, "place", "300 characters or fewer"),
])
def test_a_move_that_breaks_a_rule_is_refused(planned, values, field, message):
    checkin = checkin_of(planned.org_b, 2)
    with pytest.raises(calendar.CheckInError) as error:
        calendar.move(checkin, expected_version=1, on=date(2026, 6, 25), **values)
    assert (error.value.field, message in str(error.value)) == (field, True)


def test_the_facilitator_must_be_one_of_the_programmes(planned):
    checkin = checkin_of(planned.org_b, 2)
    with pytest.raises(calendar.CheckInError) as error:
        calendar.move(checkin, expected_version=1, on=checkin.on, facilitator=planned.team_b)
    assert error.value.field == "facilitator"


def test_held_and_cancelled(planned, frozen):
    past, future = checkin_of(planned.org_a, 1), checkin_of(planned.org_a, 2)
    assert past.is_overdue(frozen) and not future.is_overdue(frozen)
    with pytest.raises(calendar.CheckInError, match="cannot be held before its date"):
        calendar.set_status(future, expected_version=1, status=CheckInStatus.HELD)
    assert calendar.set_status(future, expected_version=1, status=CheckInStatus.CANCELLED)
    assert calendar.set_status(past, expected_version=1, status=CheckInStatus.HELD)
    assert not calendar.set_status(past, expected_version=2, status=CheckInStatus.HELD)
    db.session.commit()
    assert (past.status, future.status, past.is_overdue(frozen)) == (CheckInStatus.HELD, CheckInStatus.CANCELLED,
                                                                     False)
    with pytest.raises(calendar.CheckInError, match="was held"):
        calendar.move(past, expected_version=2, on=frozen + timedelta(days=1))
    with pytest.raises(calendar.Stale):
        calendar.set_status(past, expected_version=1, status=CheckInStatus.SCHEDULED)


def test_the_midway_event_moves_and_keeps_its_name_in_every_language(planned):
    event = midway(planned.programme)
    assert event.display_title == "Mid-way staff event" and event.title == ""
    calendar.update_event(event, expected_version=1, on=date(2026, 7, 8), title="Mid-way staff event",
                          place="Civic Centre")
    assert (event.on, event.title, event.place) == (date(2026, 7, 8), "", "Civic Centre")
    calendar.update_event(event, expected_version=2, on=date(2026, 7, 8), title="Learning day")
    assert event.display_title == "Learning day"


# --- the timeline ------------------------------------------------------------------------------------


def framework(programme):
    objective = results.create_objective(programme, "Reduce fall-out")
    outcome = results.create_outcome(objective, "Fewer households fall out")
    indicator = results.create_indicator(outcome, name="Households helped", unit=Unit.COUNT,
                                         direction=Direction.INCREASE, target=Decimal("10"))
    output = results.create_output(outcome, description="Narrative report", due_days_after_period=14)
    return indicator, output


def test_the_timeline_of_a_programme(planned, frozen):
    programme = planned.programme
    indicator, output = framework(programme)
    results.save_figure(indicator, planned.org_a, 1, results.FigureValues(value="7"), user=planned.team_a,
                        today=frozen)
    results.record_output(output, planned.org_b, 1, received=True, user=planned.facilitator, today=frozen)
    db.session.commit()
    make_survey(programme)

    found = timeline.items(programme, programme.organisations, frozen)
    by_key = {item.key: item for item in found}
    assert [i.on for i in found] == sorted(i.on for i in found)
    first_a = by_key[f"checkin-{checkin_of(planned.org_a, 1).id}"]
    assert (first_a.title, first_a.on, first_a.overdue) == ("Check-in 1 with Council A", date(2026, 3, 31), True)
    assert not by_key[f"checkin-{checkin_of(planned.org_a, 2).id}"].overdue
    figures = by_key[f"figures-{programme.id}-1"]  # period 1 ended 31 March; due 14 April
    assert (figures.on, figures.overdue, figures.missing) == (date(2026, 4, 14), True, ["Council B"])
    assert by_key[f"figures-{programme.id}-2"].missing == []  # not ended yet
    due = by_key[f"output-{output.id}-1"]
    assert (due.on, due.overdue, due.missing) == (date(2026, 4, 14), True, ["Council A"])
    waves = [i for i in found if i.kind == timeline.ItemKind.SURVEY]
    assert [(w.on, w.until, w.state.value) for w in waves[:2]] == [
        (date(2026, 1, 1), date(2026, 1, 14), "closed"), (date(2026, 4, 1), date(2026, 4, 14), "closed")]
    assert by_key[f"programme-event-{midway(programme).id}"].title == "Mid-way staff event"
    months = timeline.by_month(found)
    assert months[0].first == date(2026, 1, 1) and [m.first for m in months] == sorted(m.first for m in months)


def test_a_team_members_timeline_has_only_their_organisations_check_ins(planned, frozen):
    programme = planned.programme
    framework(programme)
    found = timeline.items(programme, [planned.org_a], frozen)
    checkins = [i for i in found if i.kind == timeline.ItemKind.CHECKIN]
    assert len(checkins) == 4 and {i.organisation for i in checkins} == {planned.org_a}
    assert all("Council B" not in i.missing for i in found)


def test_the_demo_calendar(world, frozen):
    from tracker.checkins import demo

    demo.load(world.programme)
    db.session.commit()
    checkins = list(db.session.scalars(select(CheckIn).order_by(CheckIn.organisation_id, CheckIn.interval_number)))
    assert [c.status for c in checkins if c.organisation_id == world.org_a.id] == [
        CheckInStatus.HELD, CheckInStatus.SCHEDULED, CheckInStatus.SCHEDULED, CheckInStatus.SCHEDULED]
    assert all(c.start_time == time(10) for c in checkins)
    assert checkins[1].video_link == demo.VIDEO_LINK and checkins[0].video_link == ""
    assert midway(world.programme).place.startswith("Merthyr Tydfil")
    versions = [c.version for c in checkins]
    demo.load(world.programme)  # loading again changes nothing
    db.session.commit()
    assert [c.version for c in db.session.scalars(select(CheckIn).order_by(CheckIn.organisation_id,
                                                                           CheckIn.interval_number))] == versions
