"""A check-in's agenda over a scripted quarter: the board's news, actions, stalled cards, results, the staff
survey at and below the minimum group, freezing when held, and statements that do not grow with the data."""

import json
from datetime import date, datetime

import pytest
from sqlalchemy import event

from tests import factories
from tests.checkins.conftest import checkin_of
from tests.surveys.conftest import make_survey
from tests.surveys.test_results import respond_alike
from tracker.board import services as board
from tracker.board.models import Kind, RoadmapColumn
from tracker.checkins import agenda as agenda_rules
from tracker.checkins import agenda_cache, calendar, record
from tracker.checkins.models import CheckInStatus
from tracker.checkins.stalled import stalled_cards
from tracker.core import clock
from tracker.extensions import db
from tracker.results import services as results
from tracker.results.models import Direction, Unit

#: The day of the second check-in, moved to a fortnight after the second reporting period ended: its figures
#: were due on 14 July.
JULY = date(2026, 7, 15)


def at(day: str, hour: int = 10):
    return clock.frozen(datetime.fromisoformat(day).replace(hour=hour))


def figure(indicator, org, period: int, value: int) -> None:
    results.save_figure(indicator, org, period, results.FigureValues(value=str(value)), user=None, today=JULY,
                        may_change_locked=True)


@pytest.fixture
def quarter(app):
    """The world made on 5 January 2026, then a quarter of work in Council A after check-in 1 (31 March)."""
    with at("2026-01-05"):
        world = factories.make_world()
        calendar.ensure_checkins(world.programme)
        db.session.commit()
    w = world
    objective = results.create_objective(w.programme, "Fewer people fall out")
    outcome = results.create_outcome(objective, "Earlier contact")
    w.reached = results.create_indicator(outcome, name="Households reached", unit=Unit.COUNT,
                                         direction=Direction.INCREASE, target=100)
    w.visits = results.create_indicator(outcome, name="Home visits", unit=Unit.COUNT,
                                        direction=Direction.INCREASE, target=10)
    w.report = results.create_output(outcome, description="Narrative report")
    figure(w.reached, w.org_a, 1, 50)
    figure(w.reached, w.org_a, 2, 95)
    figure(w.visits, w.org_a, 1, 10)
    db.session.commit()
    with at("2026-01-20"):
        w.stalled = factories.make_card(w.org_a, "Stalled concept", kind=Kind.CONCEPT, opportunity=w.opportunity_a,
                                        column=RoadmapColumn.CONCEPT, user=w.team_a)
        w.busy = factories.make_card(w.org_a, "Busy prototype", kind=Kind.PROTOTYPE, opportunity=w.opportunity_a,
                                     column=RoadmapColumn.PROTOTYPING, user=w.team_a)
        w.paused = factories.make_card(w.org_a, "Paused", user=w.team_a)
    w.first, w.second = checkin_of(w.org_a, 1), checkin_of(w.org_a, 2)
    with at("2026-03-31", 15):
        record.hold(w.first, expected_version=w.first.version)
        w.arising = record.add_arising(w.first, text="Send the new letter", card=w.card_a, owner=w.team_a,
                                       due_on=date(2026, 4, 30), user=w.facilitator)
        db.session.commit()
    with at("2026-04-02"):
        board.move_card(w.idea_a, column=RoadmapColumn.CONCEPT, expected_version=w.idea_a.version, user=w.team_a)
        results.set_card_indicators(w.idea_a, [w.reached])
        db.session.commit()
    with at("2026-04-10"):
        board.move_card(w.card_a, column=RoadmapColumn.COMPLETED, expected_version=w.card_a.version, user=w.team_a)
        w.phone = factories.make_card(w.org_a, "Phone first", user=w.team_a)
    with at("2026-04-15"):
        board.move_card(w.paused, column=RoadmapColumn.ON_HOLD, expected_version=w.paused.version, user=w.team_a)
        db.session.commit()
    with at("2026-07-01"):
        board.add_progress_update(w.busy, on=date(2026, 7, 1), body="Tested with five tenants", user=w.team_a)
        w.due = board.add_action(w.busy, text="Write up the feedback", owner=w.team_a, due_on=date(2026, 7, 20),
                                 user=w.team_a)
        db.session.commit()
    w.second.on = JULY
    db.session.commit()
    return w


def titles(items) -> list[str]:
    return [getattr(item, "title", None) or getattr(item, "text", None) for item in items]


def test_the_board_since_the_previous_check_in(quarter):
    agenda = agenda_rules.build(quarter.second, JULY)
    assert agenda.since_checkin_id == quarter.first.id and agenda.since_checkin_on == "2026-03-31"
    assert [(i.title, i.from_column, i.to_column) for i in agenda.moved] == [
        ("Regular feedback", "backlog", "concept")]
    assert titles(agenda.completed) == ["Make letters friendlier"]
    assert titles(agenda.on_hold) == ["Paused"]
    assert titles(agenda.new_quick_wins) == ["Phone first"]
    # Made before check-in 1: on its agenda, not on this one.
    assert titles(agenda.started) == [] and titles(agenda.new_ideas) == []
    first = agenda_rules.from_json(quarter.first.agenda)
    assert set(titles(first.started)) == {"Stalled concept", "Busy prototype"}
    assert titles(first.new_ideas) == ["Regular feedback"]


def test_actions_overdue_due_and_arising(quarter):
    agenda = agenda_rules.build(quarter.second, JULY)
    assert titles(agenda.overdue_actions) == ["Draft new letter", "Send the new letter"]
    assert titles(agenda.due_actions) == ["Write up the feedback"]  # due 20 July, before check-in 3
    assert [(a.text, a.is_overdue, a.is_done, a.owner) for a in agenda.arising] == [
        ("Send the new letter", True, False, "Team A")]


def test_stalled_cards_need_more_than_the_weeks_of_the_setting(quarter):
    agenda = agenda_rules.build(quarter.second, JULY)
    # Busy prototype had a progress update on 1 July; the other two nothing for more than 6 weeks.
    assert [(s.title, s.column, s.last_activity_on) for s in agenda.stalled] == [
        ("Stalled concept", "concept", "2026-01-20"), ("Regular feedback", "concept", "2026-04-02")]
    # Regular feedback moved into Concept development on 2 April: 14 weeks and 6 days before 15 July.
    assert [s.title for s in stalled_cards([quarter.org_a.id], JULY, 15)[quarter.org_a.id]] == ["Stalled concept"]
    assert {s.title for s in stalled_cards([quarter.org_a.id], JULY, 14)[quarter.org_a.id]} == {
        "Stalled concept", "Regular feedback"}
    # Six weeks after 20 January is 3 March: stalled from 4 March, not on it.
    assert stalled_cards([quarter.org_a.id], date(2026, 3, 3), 6) == {}
    assert quarter.org_b.id not in stalled_cards([quarter.org_a.id, quarter.org_b.id], JULY, 6)


def test_results_missing_rag_changes_and_did_it(quarter):
    agenda = agenda_rules.build(quarter.second, JULY)
    assert agenda.period_number == 2
    assert [(m.name, m.period_number, m.due_on, m.is_overdue) for m in agenda.missing_figures] == [
        ("Home visits", 2, "2026-07-14", True)]
    assert [(m.description, m.is_overdue) for m in agenda.missing_outputs] == [("Narrative report", True)]
    assert [(c.name, c.old, c.new, c.old_value, c.new_value) for c in agenda.rag_changes] == [
        ("Households reached", "off_track", "on_track", "50", "95")]
    assert len(agenda.did_it) == 1
    did = agenda.did_it[0]
    assert (did.title, did.to_column) == ("Regular feedback", "concept")
    assert [(i.name, i.before_period, i.before, i.after_period, i.after, i.after_rag) for i in did.indicators] == [
        ("Households reached", 1, "50", 2, "95", "on_track")]


def test_survey_changes_only_where_both_waves_meet_the_minimum(quarter):
    survey = make_survey(quarter.programme)
    wave1, wave2, wave3 = survey.waves[:3]
    respond_alike(wave2, quarter.org_a, survey, 5, likert=3, scale=6)
    respond_alike(wave3, quarter.org_a, survey, 6, likert=5, scale=9)
    db.session.commit()
    section = agenda_rules.build(quarter.second, JULY).survey
    assert (section.wave_number, section.previous_wave_number, section.responses, section.hidden) == (3, 2, 6, False)
    assert [(c.text, c.before, c.after, c.change) for c in section.changes] == [
        ("How likely are you to recommend the new approach?", "6.0", "9.0", "+3.0"),
        ("The new casework standards help me", "3.0", "5.0", "+2.0")]
    # Council B sends two responses: hidden, and Council A's cell too (with the total it would show B's), so
    # nothing is compared for either.
    respond_alike(wave3, quarter.org_b, survey, 2, likert=1, scale=0)
    db.session.commit()
    assert agenda_rules.build(quarter.second, JULY).survey.changes == []
    other = calendar.add_extra(quarter.org_b, on=JULY)
    section_b = agenda_rules.build(other, JULY).survey
    assert (section_b.responses, section_b.hidden, section_b.changes) == (2, True, [])


def test_one_wave_below_the_minimum_compares_nothing(quarter):
    survey = make_survey(quarter.programme)
    respond_alike(survey.waves[1], quarter.org_a, survey, 4, likert=1, scale=0)
    respond_alike(survey.waves[2], quarter.org_a, survey, 5, likert=5, scale=10)
    db.session.commit()
    section = agenda_rules.build(quarter.second, JULY).survey
    assert section.hidden is False and section.changes == []


def test_holding_freezes_the_agenda_and_later_edits_leave_it(quarter):
    with at("2026-07-15", 16):
        record.hold(quarter.second, expected_version=quarter.second.version)
        db.session.commit()
    assert quarter.second.status == CheckInStatus.HELD and quarter.second.held_dt == datetime(2026, 7, 15, 16)
    json.dumps(quarter.second.agenda)  # plain JSON
    with at("2026-07-16"):
        idea = quarter.idea_a
        board.update_card(idea, expected_version=idea.version, user=quarter.team_a, owners=[], initiatives=[],
                          title="Renamed", rationale="", description="", priority=idea.priority, kind=idea.kind)
        board.move_card(quarter.stalled, column=RoadmapColumn.PROTOTYPING, expected_version=quarter.stalled.version,
                        user=quarter.team_a)
        db.session.commit()
        shown, frozen = agenda_cache.agenda_of(quarter.second)
    assert frozen and titles(shown.moved) == ["Regular feedback"]
    assert titles(shown.stalled) == ["Stalled concept", "Regular feedback"]
    assert shown == agenda_rules.from_json(agenda_rules.to_json(shown))
    live = agenda_rules.build(quarter.second, date(2026, 7, 16))
    assert "Renamed" in titles(live.moved)
    # Set back to scheduled: the agenda is live again; held again: kept anew.
    calendar.set_status(quarter.second, expected_version=quarter.second.version, status=CheckInStatus.SCHEDULED,
                        today=JULY)
    db.session.commit()
    assert quarter.second.agenda is None and quarter.second.held_dt is None


def test_holding_from_an_old_version_is_refused(quarter):
    stale = quarter.second.version
    quarter.second.place = "Room 2"
    db.session.commit()
    with at("2026-07-15"), pytest.raises(calendar.Stale):
        record.hold(quarter.second, expected_version=stale)


def _statements(checkin) -> int:
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    agenda_rules.build(checkin, JULY)  # the closed waves' answers are kept after the first time
    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        agenda_rules.build(checkin, JULY)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def _more(world, n: int) -> None:
    with at("2026-04-20"):
        for i in range(n):
            card = board.create_card(world.org_a, kind=Kind.QUICK_WIN, title=f"Card {i}", user=world.team_a)
            board.add_action(card, text=f"Action {i}", owner=world.team_a if i % 2 else world.facilitator,
                             due_on=date(2026, 5, 1) if i % 2 else date(2026, 7, 20), user=world.team_a)
            board.move_card(card, column=RoadmapColumn.COMPLETED if i % 3 else RoadmapColumn.CONCEPT,
                            expected_version=card.version, user=world.team_a)
            results.set_card_indicators(card, [world.reached, world.visits])
    db.session.commit()


def test_statements_do_not_grow_from_10_to_100_cards(quarter):
    survey = make_survey(quarter.programme)
    respond_alike(survey.waves[1], quarter.org_a, survey, 5)
    respond_alike(survey.waves[2], quarter.org_a, survey, 5, likert=2)
    _more(quarter, 10)
    few = _statements(quarter.second)
    _more(quarter, 90)
    agenda = agenda_rules.build(quarter.second, JULY)
    assert len(agenda.completed) > 60 and len(agenda.did_it) > 90 and len(agenda.overdue_actions) > 45
    assert _statements(quarter.second) == few
