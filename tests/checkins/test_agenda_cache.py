"""Kept agendas: every change an agenda shows moves its organisation's agenda version (or the programme's
results version), changes it does not show leave them, and a page is never built from an agenda kept under
older versions, for another day, or in a transaction with changes not yet committed."""

import re
from datetime import date, datetime

import pytest
from flask import current_app
from sqlalchemy import event, select, text

from tests import factories
from tests.checkins.test_agenda import JULY, at, quarter  # noqa: F401 - the scripted quarter, as a fixture
from tests.surveys.conftest import make_survey
from tests.surveys.test_results import respond_alike
from tracker.accounts import services as accounts
from tracker.board import services as board
from tracker.board.models import Kind, RoadmapColumn
from tracker.checkins import agenda as agenda_rules
from tracker.checkins import agenda_cache, calendar, record, versions
from tracker.checkins.models import CheckInStatus
from tracker.core import clock
from tracker.core.kept import Kept
from tracker.extensions import db
from tracker.programmes import services as programmes
from tracker.programmes.models import Programme
from tracker.results import services as results
from tracker.results.models import Unit
from tracker.surveys import builder
from tracker.surveys.models import QuestionKind

#: Tables stamped by the programme's results version (``tracker.results.versions``).
RESULTS_TABLES = {"programme", "organisation", "objective", "outcome", "indicator", "output", "output_receipt",
                  "figure"}
#: Tables read for closed waves only, which take no more rows (``tracker.checkins.versions``).
CLOSED_WAVES_ONLY = {"survey_response", "survey_answer", "survey_invitation", "survey_invitation_use"}


def stamps(world) -> tuple[int, int]:
    """Council A's agenda version and the programme's results version, as committed."""
    db.session.commit()
    return (versions.version_of(world.org_a.id),
            db.session.scalar(select(Programme.results_version).where(Programme.id == world.programme.id)))


def kept() -> Kept:
    return current_app.extensions[agenda_cache.EXTENSION]


def _survey(q):
    if not hasattr(q, "survey"):
        q.survey = make_survey(q.programme)
    return q.survey


def _rename(card, title: str, user):
    board.update_card(card, expected_version=card.version, user=user, owners=[], initiatives=[], title=title,
                      rationale=card.rationale, description=card.description, priority=card.priority, kind=card.kind)


CHANGES = {
    "card made": lambda q: board.create_card(q.org_a, kind=Kind.QUICK_WIN, title="New", user=q.team_a),
    "card moved": lambda q: board.move_card(q.phone, column=RoadmapColumn.CONCEPT, expected_version=q.phone.version,
                                            user=q.team_a),
    "card renamed": lambda q: _rename(q.busy, "Renamed prototype", q.team_a),
    "card archived": lambda q: board.archive_card(q.paused, expected_version=q.paused.version, user=q.team_a),
    "action added": lambda q: board.add_action(q.busy, text="Call back", owner=None, due_on=date(2026, 7, 30),
                                               user=q.team_a),
    "action done": lambda q: board.set_action_done(q.due, done=True, user=q.team_a),
    "action edited": lambda q: board.update_action(q.due, expected_version=q.due.version, text="Write it up",
                                                   owner=q.team_a, due_on=date(2026, 7, 21), user=q.team_a),
    "progress update": lambda q: board.add_progress_update(q.stalled, on=JULY, body="Going again", user=q.team_a),
    "design opportunity archived": lambda q: board.archive_opportunity(q.opportunity_a),
    "card's indicators": lambda q: results.set_card_indicators(q.busy, [q.visits]),
    "check-in moved": lambda q: calendar.move(q.second, expected_version=q.second.version, on=date(2026, 7, 16),
                                              today=JULY),
    "check-in cancelled": lambda q: calendar.set_status(q.second, expected_version=q.second.version,
                                                        status=CheckInStatus.CANCELLED, today=JULY),
    "extra check-in": lambda q: calendar.add_extra(q.org_a, on=date(2026, 7, 29)),
    "action arising": lambda q: record.add_arising(q.first, text="Ring the landlord", card=q.busy, owner=None,
                                                   due_on=None, user=q.facilitator),
    "calendar planned": lambda q: (programmes.add_organisation(q.programme, "Council C"),
                                   calendar.ensure_checkins(q.programme)),
    "survey renamed": lambda q: builder.update_survey(
        _survey(q), title="Pulse", introduction="", privacy_note=_survey(q).privacy_note, open_days=14),
    "question edited": lambda q: builder.update_question(_survey(q).questions[0], kind=QuestionKind.LIKERT,
                                                         text="The standards help"),
    "wave moved": lambda q: builder.change_wave_dates(_survey(q).waves[3], opens_on=date(2026, 10, 2),
                                                      closes_on=date(2026, 10, 20), today=JULY),
    "owner renamed": lambda q: accounts.update_user(q.team_a, name="Tam A", is_admin=False, is_facilitator=False,
                                                    is_active=True, acting=q.admin),
    "figure": lambda q: results.save_figure(q.visits, q.org_a, 2, results.FigureValues(value="4"), user=None,
                                            today=JULY),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_the_agenda_shows_moves_a_stamp(quarter, change):  # noqa: F811
    if "survey" in change or "question" in change or "wave" in change:
        _survey(quarter)
    with at("2026-07-15"):
        before = stamps(quarter)
        CHANGES[change](quarter)
        assert stamps(quarter) != before


UNCHANGED = {
    "another council's card moved": lambda q: board.move_card(q.card_b, column=RoadmapColumn.CONCEPT,
                                                              expected_version=q.card_b.version, user=q.team_b),
    "another council's action": lambda q: board.add_action(q.card_b, text="Ring", owner=None, due_on=None,
                                                           user=q.team_b),
    "survey responses": lambda q: respond_alike(_survey(q).waves[2], q.org_a, _survey(q), 3),
    "a password": lambda q: accounts.set_password(q.team_a, "another long password"),
    "a sign-in": lambda q: accounts.authenticate(q.team_a.email, factories.PASSWORD),
    "another programme's question": lambda q: builder.update_question(
        make_survey(factories.make_programme(q.facilitator, "Another pilot")).questions[0], kind=QuestionKind.LIKERT,
        text="Elsewhere"),
}


@pytest.mark.parametrize("change", UNCHANGED)
def test_what_the_agenda_does_not_show_leaves_its_version(quarter, change):  # noqa: F811
    _survey(quarter)
    with at("2026-07-15"):
        before = versions.version_of(quarter.org_a.id) if stamps(quarter) else None
        UNCHANGED[change](quarter)
        db.session.commit()
        assert versions.version_of(quarter.org_a.id) == before


def test_every_table_the_agenda_reads_is_stamped(quarter):  # noqa: F811
    survey = make_survey(quarter.programme)
    respond_alike(survey.waves[1], quarter.org_a, survey, 5)
    respond_alike(survey.waves[2], quarter.org_a, survey, 5, likert=2)
    db.session.commit()
    read = set()

    def seen(_conn, _cursor, statement, *_args):
        read.update(re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', statement))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        agenda = agenda_rules.build(quarter.second, JULY)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert agenda.survey is not None and agenda.did_it and agenda.arising  # every part of it was read
    assert read and read <= versions.WATCHED | RESULTS_TABLES | CLOSED_WAVES_ONLY, read - versions.WATCHED


@pytest.fixture
def agenda_page(client, login, quarter, monkeypatch):  # noqa: F811
    """The second check-in's agenda page as the facilitator opens it on 15 July, kept agendas not checked
    against a fresh build (the key alone must keep them right)."""
    monkeypatch.setitem(current_app.config, "AGENDA_CACHE_VERIFY", False)
    login(client, quarter.facilitator)

    def get() -> str:
        with at("2026-07-15"):
            response = client.get(f"/checkins/{quarter.second.id}/agenda")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return get


def test_the_second_view_uses_the_kept_agenda(agenda_page):
    agenda_page()
    assert (kept().hits, kept().misses) == (0, 1)
    agenda_page()
    assert (kept().hits, kept().misses) == (1, 1)


def test_a_change_after_the_agenda_was_kept_is_shown(agenda_page, quarter):  # noqa: F811
    assert "Busy prototype" in agenda_page()
    with at("2026-07-15"):
        _rename(quarter.busy, "Tenant feedback prototype", quarter.team_a)
        board.move_card(quarter.busy, column=RoadmapColumn.COMPLETED, expected_version=quarter.busy.version,
                        user=quarter.team_a)
        db.session.commit()
    shown = agenda_page()
    assert "Tenant feedback prototype" in shown and kept().misses == 2


def test_another_day_builds_the_agenda_again(agenda_page, quarter, client):  # noqa: F811
    agenda_page()
    with at("2026-07-16"):
        assert client.get(f"/checkins/{quarter.second.id}/agenda").status_code == 200
    assert kept().misses == 2


def test_uncommitted_changes_build_their_own_agenda(app, quarter):  # noqa: F811
    with at("2026-07-15"), app.test_request_context():
        agenda_cache.agenda_of(quarter.second)
        quarter.busy.title = "Not saved yet"
        shown, _frozen = agenda_cache.agenda_of(quarter.second)
        assert [a.card_title for a in shown.due_actions] == ["Not saved yet"]
        assert (kept().hits, kept().misses) == (0, 1)  # built for this request only, nothing taken or kept
        db.session.rollback()


def test_a_change_that_bumps_nothing_is_caught_under_test(app, quarter):  # noqa: F811
    """The suite's check: a write behind the hooks' back (none of the app's) makes the kept agenda differ from
    a fresh one, and the page fails instead of showing it."""
    with at("2026-07-15"), app.test_request_context():
        agenda_cache.agenda_of(quarter.second)
        card_id = quarter.busy.id
        db.session.commit()
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE card SET title = 'Behind its back' WHERE id = :id"), {"id": card_id})
        with pytest.raises(agenda_cache.StaleAgenda):
            agenda_cache.agenda_of(quarter.second)


def test_every_agenda_at_once_reads_the_versions_in_one_statement(client, login, quarter, monkeypatch):  # noqa: F811
    """The page of every organisation's agenda, each kept: its statements do not grow with organisations."""
    monkeypatch.setitem(current_app.config, "AGENDA_CACHE_VERIFY", False)
    login(client, quarter.facilitator)
    path = f"/programmes/{quarter.programme.slug}/agendas"

    def statements() -> tuple[int, int]:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        with at("2026-07-15"):
            assert client.get(path).status_code == 200  # every agenda built and kept
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                page = client.get(path).get_data(as_text=True)
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen), page.count('class="app-agenda-sheet"')

    few, sheets = statements()
    for n in range(3):
        programmes.add_organisation(quarter.programme, f"Council {n + 3}")
    calendar.ensure_checkins(quarter.programme)
    db.session.commit()
    assert statements() == (few, sheets + 3)


def test_one_kept_agenda_is_read_in_each_readers_language(agenda_page, client, quarter):  # noqa: F811
    """A yes/no indicator's figures are words of no language on the agenda, put into words when shown."""
    outcome = quarter.reached.outcome
    agreed = results.create_indicator(outcome, name="Policy agreed", unit=Unit.YES_NO, target=1)
    for period, flag in ((1, False), (2, True)):
        results.save_figure(agreed, quarter.org_a, period, results.FigureValues(flag=flag), user=None, today=JULY,
                            may_change_locked=True)
    results.set_card_indicators(quarter.idea_a, [agreed])
    db.session.commit()
    built = agenda_rules.build(quarter.second, JULY)
    (did,) = [i for d in built.did_it for i in d.indicators if i.name == "Policy agreed"]
    assert (did.before, did.after, did.yes_no) == (agenda_rules.NO, agenda_rules.YES, True)
    english = agenda_page()
    client.post("/language", data={"language": "cy", "next": "/"})
    welsh = agenda_page()
    assert kept().hits == 1  # the same agenda, in both languages
    row = re.compile(r"Policy agreed</a></th>\s*<td[^>]*>(\w+) .*?<td[^>]*>(\w+) ", re.S)
    assert row.search(english).groups() == ("No", "Yes")
    assert row.search(welsh).groups() == ("Na", "Ie")


def test_a_savepoint_released_bumps_nothing_until_the_commit(quarter):  # noqa: F811
    before = stamps(quarter)
    with db.session.begin_nested():
        _rename(quarter.busy, "In a savepoint", quarter.team_a)
    assert versions.version_of(quarter.org_a.id) == before[0]  # read in the same, open transaction
    assert stamps(quarter) != before


def test_figures_not_yet_committed_build_their_own_agenda(app, quarter):  # noqa: F811
    with at("2026-07-15"), app.test_request_context():
        agenda_cache.agenda_of(quarter.second)
        results.save_figure(quarter.visits, quarter.org_a, 2, results.FigureValues(value="3"), user=None,
                            today=JULY)
        db.session.flush()
        shown, _frozen = agenda_cache.agenda_of(quarter.second)
        assert not shown.missing_figures and (kept().hits, kept().misses) == (0, 1)
        db.session.rollback()


@pytest.mark.parametrize(("moment", "kept_after"), [("2026-07-15T00:01", 0), ("2026-07-15T00:03", 1)])
def test_agendas_are_not_kept_in_the_first_minutes_of_a_day(app, quarter, moment, kept_after):  # noqa: F811
    """Answers sent just before midnight may still be committing: a response bumps no version."""
    with clock.frozen(datetime.fromisoformat(moment).replace(tzinfo=clock.UK)), app.test_request_context():
        agenda_cache.agenda_of(quarter.second)
        agenda_cache.agenda_of(quarter.second)
    assert kept().hits == kept_after
