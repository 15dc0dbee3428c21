"""The facilitator's overview: its figures for a scripted programme of three organisations, its statements,
its sorting, its downloads and who may see it.

The world's programme starts on 1 January 2026 (12 months; periods and check-ins every 3 months; figures due
14 days after a period ends). Today is Wednesday 13 May 2026: period 1's figures (due 14 April) are overdue,
and the staff survey's wave 2 (1 to 14 April) is the latest closed wave.
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, update

from tests import factories
from tests.surveys.conftest import make_survey
from tests.surveys.test_results import respond_alike
from tracker.board.models import Action, Card, CardEvent, CardEventKind, RoadmapColumn
from tracker.checkins import overview
from tracker.checkins.models import CheckIn, CheckInRag, CheckInStatus
from tracker.extensions import db
from tracker.programmes import services as programmes
from tracker.results import services as results
from tracker.results.models import Direction, Unit
from tracker.results.services import Rag
from tracker.surveys import invitations

TODAY = date(2026, 5, 13)


def at(day: str, hour: int = 10) -> datetime:
    """A stored (naive UTC) moment."""
    return datetime.fromisoformat(day).replace(hour=hour)


def completed_event(card: Card, when: datetime) -> None:
    db.session.add(CardEvent(card_id=card.id, kind=CardEventKind.COMPLETED, from_column=RoadmapColumn.PROTOTYPING,
                             to_column=RoadmapColumn.COMPLETED, at_dt=when, payload={}))


def card_in(org, title: str, column: RoadmapColumn, *, touched: datetime | None = None, user=None) -> Card:
    """A card placed straight in ``column``; ``touched`` moves its creation (and every event) back to then."""
    card = factories.make_card(org, title, user=user)
    card.column = column
    if touched is not None:
        card.created_dt = touched
        db.session.execute(update(CardEvent).where(CardEvent.card_id == card.id).values(at_dt=touched))
    db.session.commit()
    return card


def checkin(org, on: str, status: CheckInStatus = CheckInStatus.SCHEDULED, *, rag: CheckInRag | None = None,
            held_dt: datetime | None = None, number: int | None = None) -> CheckIn:
    row = CheckIn(programme=org.programme, organisation=org, on=date.fromisoformat(on), status=status, rag=rag,
                  held_dt=held_dt, interval_number=number)
    db.session.add(row)
    db.session.commit()
    return row


class Scripted:
    """Council A, B and C with a quarter's worth of work, figures, a survey and check-ins."""

    def __init__(self, world):
        self.world = world
        programme = world.programme
        a, b = world.org_a, world.org_b
        c = programmes.add_organisation(programme, "Council C")
        db.session.commit()
        self.a, self.b, self.c = a, b, c

        # Check-ins. A: held 25 March (marked held at 3pm), amber; one cancelled since; next 20 June.
        # B: held 20 March, no RAG recorded, no moment recorded; next 1 May, not yet held: overdue.
        # C: never held; next 24 June.
        self.a_held = checkin(a, "2026-03-25", CheckInStatus.HELD, rag=CheckInRag.AMBER, held_dt=at("2026-03-25", 15))
        checkin(a, "2026-04-10", CheckInStatus.CANCELLED)
        self.a_next = checkin(a, "2026-06-20", number=2)
        checkin(a, "2026-09-20", number=3)
        self.b_held = checkin(b, "2026-03-20", CheckInStatus.HELD)
        self.b_next = checkin(b, "2026-05-01", number=2)
        self.c_next = checkin(c, "2026-06-24", number=2)

        # The board. The world gives A and B a quick win and an idea each, in the backlog.
        a_done = card_in(a, "Letters done", RoadmapColumn.COMPLETED, user=world.team_a)
        completed_event(a_done, at("2026-04-02"))  # after A's check-in: counts
        a_old = card_in(a, "Old win", RoadmapColumn.COMPLETED, user=world.team_a)
        completed_event(a_old, at("2026-03-25", 14))  # before A's check-in was marked held: does not count
        card_in(a, "Prototype phone line", RoadmapColumn.PROTOTYPING, user=world.team_a)  # touched today: not stalled
        archived = card_in(a, "Archived concept", RoadmapColumn.CONCEPT, touched=at("2026-01-05"), user=world.team_a)
        archived.archived_dt = at("2026-05-01")
        b_done = card_in(b, "Visits done", RoadmapColumn.COMPLETED, user=world.team_b)
        completed_event(b_done, at("2026-03-21"))
        completed_event(b_done, at("2026-04-21"))  # completed again after a move back: one card
        card_in(b, "Forgotten concept", RoadmapColumn.CONCEPT, touched=at("2026-02-01"), user=world.team_b)
        card_in(b, "Forgotten prototype", RoadmapColumn.PROTOTYPING, touched=at("2026-03-01"), user=world.team_b)
        c_done = card_in(c, "Triage done", RoadmapColumn.COMPLETED)
        completed_event(c_done, at("2026-02-10"))  # C has never held a check-in: since the start
        card_in(c, "On hold", RoadmapColumn.ON_HOLD)

        # Actions: the world's "Draft new letter" (A) and "Call CAB" (B) were due on 1 February.
        card_a, card_b = world.card_a, world.card_b
        db.session.add_all([
            Action(card=card_a, text="Done late", due_on=date(2026, 3, 1), is_done=True),
            Action(card=card_a, text="Archived", due_on=date(2026, 3, 1), archived_dt=at("2026-04-01")),
            Action(card=card_a, text="Due next month", due_on=date(2026, 6, 1)),
            Action(card=card_b, text="Due yesterday", due_on=date(2026, 5, 12)),
            Action(card=card_b, text="Due today", due_on=TODAY),
            Action(card=archived, text="On an archived card", due_on=date(2026, 3, 1)),
        ])
        db.session.commit()

        # Indicators: a count (target 10, higher is better), a proportion (target 50%), a yes/no (no target).
        objective = results.create_objective(programme, "Reduce fall-out")
        outcome = results.create_outcome(objective, "Fewer households fall out")
        self.count = results.create_indicator(outcome, name="Households helped", unit=Unit.COUNT,
                                              direction=Direction.INCREASE, target=Decimal("10"))
        self.share = results.create_indicator(outcome, name="Share resolved", unit=Unit.PROPORTION,
                                              numerator_label="resolved", denominator_label="cases",
                                              direction=Direction.INCREASE, target=Decimal("50"))
        self.flag = results.create_indicator(outcome, name="Policy agreed", unit=Unit.YES_NO,
                                             direction=Direction.INCREASE)
        db.session.commit()

        def figure(indicator, org, period, **values):
            results.save_figure(indicator, org, period, results.FigureValues(**values), user=world.facilitator,
                                today=TODAY)

        figure(self.count, a, 1, value="10")  # on track, but …
        figure(self.count, a, 2, value="4")  # … the latest is off track
        figure(self.share, a, 1, numerator="60", denominator="100")  # 60%: ahead of target
        figure(self.count, b, 1, value="10")  # on track
        db.session.commit()

        # The staff survey: wave 2 closed on 14 April. A: 10 invited, 5 responses (50%). B: 4 invited, 3
        # responses: below the minimum of 5, so hidden. C: nothing. Wave 1 (older) has A's 2 responses.
        survey = make_survey(programme)
        wave1, wave2 = survey.waves[0], survey.waves[1]
        link = lambda token: f"https://tracker.example/s/{token}"  # noqa: E731
        invitations.invite(wave2, a, [f"staff{i}@a.example" for i in range(10)], link_for=link, today=wave2.opens_on)
        invitations.invite(wave2, b, [f"staff{i}@b.example" for i in range(4)], link_for=link, today=wave2.opens_on)
        respond_alike(wave2, a, survey, 5)
        respond_alike(wave2, b, survey, 3)
        respond_alike(wave1, a, survey, 2)
        db.session.commit()
        self.survey, self.wave = survey, wave2

    def rows(self) -> dict[str, overview.Row]:
        return {row.organisation.name: row for row in overview.overview(self.world.programme, TODAY)}


@pytest.fixture
def scripted(world):
    return Scripted(world)


# --- the figures -------------------------------------------------------------------------------------


def test_one_row_per_organisation_in_name_order(scripted):
    assert [row.organisation.name for row in overview.overview(scripted.world.programme, TODAY)] == [
        "Council A", "Council B", "Council C"]


def test_cards_per_column_leave_archived_cards_out(scripted):
    rows = scripted.rows()
    columns = {name: [row.columns[c] for c in overview.COLUMNS] for name, row in rows.items()}
    #                      backlog concept prototyping on hold completed
    assert columns == {"Council A": [2, 0, 1, 0, 2],
                       "Council B": [2, 1, 1, 0, 1],
                       "Council C": [0, 0, 0, 1, 1]}


def test_completed_since_the_last_held_check_in_or_the_start(scripted):
    rows = scripted.rows()
    assert {name: row.completed_since for name, row in rows.items()} == {
        "Council A": 1, "Council B": 1, "Council C": 1}
    # A's moment is when the check-in was marked held; B's (none recorded) the start of its day; C's the start.
    assert rows["Council A"].since == at("2026-03-25", 15)
    assert rows["Council B"].since == datetime(2026, 3, 20, 0, 0)  # GMT: midnight UK is midnight UTC
    assert rows["Council C"].since == datetime(2026, 1, 1, 0, 0)


def test_overdue_actions_are_past_due_not_done_not_archived_and_on_the_board(scripted):
    rows = scripted.rows()
    assert {name: row.overdue_actions for name, row in rows.items()} == {
        "Council A": 1, "Council B": 2, "Council C": 0}


def test_stalled_cards_come_from_the_stalled_rule(scripted):
    rows = scripted.rows()
    assert {name: row.stalled for name, row in rows.items()} == {"Council A": 0, "Council B": 2, "Council C": 0}
    scripted.world.programme.stalled_weeks = 12  # 1 March is 10 weeks ago; 1 February 14
    db.session.commit()
    assert scripted.rows()["Council B"].stalled == 1


def test_each_indicator_is_judged_on_the_organisations_latest_figure(scripted):
    rows = scripted.rows()
    judged = {name: [(item.code, item.rag, item.period_number) for item in row.indicators]
              for name, row in rows.items()}
    assert judged["Council A"] == [("1.1.1", Rag.OFF_TRACK, 2), ("1.1.2", Rag.AHEAD, 1), ("1.1.3", Rag.NO_TARGET, None)]
    assert judged["Council B"] == [("1.1.1", Rag.ON_TRACK, 1), ("1.1.2", Rag.NO_FIGURES, None),
                                   ("1.1.3", Rag.NO_TARGET, None)]
    assert [rag for _code, rag, _period in judged["Council C"]] == [Rag.NO_FIGURES, Rag.NO_FIGURES, Rag.NO_TARGET]
    assert rows["Council A"].rag_counts[Rag.OFF_TRACK] == 1
    assert rows["Council A"].rag_counts[Rag.AHEAD] == 1


def test_missing_figures_are_for_the_last_period_whose_figures_are_overdue(scripted):
    rows = scripted.rows()
    assert rows["Council A"].missing_period.number == 1
    assert {name: row.missing_figures for name, row in rows.items()} == {
        "Council A": 1, "Council B": 2, "Council C": 3}
    # Before period 1's figures are due (14 April), nothing is missing yet.
    early = overview.overview(scripted.world.programme, date(2026, 4, 14))
    assert [row.missing_figures for row in early] == [None, None, None]


def test_the_latest_closed_waves_response_rate_hidden_below_the_minimum(scripted):
    rows = scripted.rows()
    a, b, c = rows["Council A"], rows["Council B"], rows["Council C"]
    assert a.wave.number == 2 and a.wave.survey_title == "Staff pulse survey"
    assert (a.response.invited, a.response.responses, a.response.rate, a.response.hidden) == (10, 5, 50, False)
    assert b.response.hidden and b.response.responses is None and b.response.rate is None
    assert c.response.responses == 0 and c.response.invited == 0 and not c.response.hidden
    # While wave 2 is open, wave 1 (A's two responses, below the minimum) is the latest closed one.
    open_rows = overview.overview(scripted.world.programme, date(2026, 4, 10))
    assert open_rows[0].wave.number == 1 and open_rows[0].response.hidden


def test_the_minimum_group_is_the_programmes(scripted):
    scripted.world.programme.survey_min_group = 3
    db.session.commit()
    b = scripted.rows()["Council B"]
    assert (b.response.hidden, b.response.responses, b.response.rate) == (False, 3, 75)


def test_last_and_next_check_ins(scripted):
    rows = scripted.rows()
    a, b, c = rows["Council A"], rows["Council B"], rows["Council C"]
    assert (a.last_checkin.id, a.last_checkin.rag) == (scripted.a_held.id, CheckInRag.AMBER)
    assert (a.next_checkin.id, a.next_checkin.overdue) == (scripted.a_next.id, False)
    assert (b.last_checkin.id, b.last_checkin.rag) == (scripted.b_held.id, None)
    assert (b.next_checkin.id, b.next_checkin.overdue) == (scripted.b_next.id, True)
    assert c.last_checkin is None and c.next_checkin.id == scripted.c_next.id


# --- statements --------------------------------------------------------------------------------------


def statements(programme) -> int:
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    db.session.rollback()  # a new transaction each time, so each count has its BEGIN
    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        overview.overview(programme, TODAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def test_the_statements_do_not_grow_from_3_to_30_organisations(scripted):
    programme = scripted.world.programme
    few = statements(programme)
    for n in range(27):
        org = programmes.add_organisation(programme, f"Council {n:02d}")
        db.session.commit()
        done = card_in(org, f"Done {n}", RoadmapColumn.COMPLETED)
        completed_event(done, at("2026-04-01"))
        card_in(org, f"Stalled {n}", RoadmapColumn.PROTOTYPING, touched=at("2026-01-10"))
        db.session.add(Action(card=done, text="Late", due_on=date(2026, 4, 1)))
        checkin(org, "2026-03-10", CheckInStatus.HELD, rag=CheckInRag.GREEN)
        checkin(org, "2026-06-10")
        results.save_figure(scripted.count, org, 1, results.FigureValues(value=str(n)), user=None, today=TODAY)
        db.session.commit()
    assert len(overview.overview(programme, TODAY)) == 30
    assert statements(programme) == few


# --- sorting -----------------------------------------------------------------------------------------


def names(rows) -> list[str]:
    return [row.organisation.name for row in rows]


def test_sorting_by_any_column_keeps_empty_values_last(scripted):
    rows = overview.overview(scripted.world.programme, TODAY)
    assert names(overview.sort_rows(rows, "overdue", "desc")) == ["Council B", "Council A", "Council C"]
    assert names(overview.sort_rows(rows, "overdue", "asc")) == ["Council C", "Council A", "Council B"]
    assert names(overview.sort_rows(rows, "organisation", "desc")) == ["Council C", "Council B", "Council A"]
    assert names(overview.sort_rows(rows, "next_checkin", "asc")) == ["Council B", "Council A", "Council C"]
    # C has held no check-in: last both ways.
    assert names(overview.sort_rows(rows, "last_checkin", "asc")) == ["Council B", "Council A", "Council C"]
    assert names(overview.sort_rows(rows, "last_checkin", "desc")) == ["Council A", "Council B", "Council C"]
    # B's rate is hidden (and C has no invitations): neither is placed by a rate, whichever the direction.
    assert names(overview.sort_rows(rows, "response", "desc")) == ["Council A", "Council B", "Council C"]
    assert names(overview.sort_rows(rows, "response", "asc")) == ["Council A", "Council B", "Council C"]
    assert names(overview.sort_rows(rows, "no-such-column", "asc")) == ["Council A", "Council B", "Council C"]
    for name in overview.SORTS:
        assert sorted(names(overview.sort_rows(rows, name, "asc"))) == ["Council A", "Council B", "Council C"]


# --- the page and the downloads ----------------------------------------------------------------------


@pytest.fixture
def as_facilitator(scripted, client, login, frozen):
    login(client, scripted.world.facilitator)
    return client


def test_the_page_shows_the_figures_and_hides_a_small_groups_responses(scripted, as_facilitator):
    response = as_facilitator.get(f"/programmes/{scripted.world.programme.slug}/overview")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Overview of organisations" in html
    for name in ("Council A", "Council B", "Council C"):
        assert name in html
    assert "50%" in html and "Hidden: fewer than 5 responses" in html
    assert "75%" not in html and "3 responses" not in html
    assert 'aria-sort="ascending"' in html and "?sort=organisation&amp;dir=desc" in html
    assert f'/programmes/{scripted.world.programme.slug}/{scripted.a.slug}/roadmap' in html
    assert f"/results?organisation={scripted.c.slug}" in html
    assert f"/calendar?organisation={scripted.b.slug}" in html


def test_the_page_sorts_without_javascript(scripted, as_facilitator):
    slug = scripted.world.programme.slug
    html = as_facilitator.get(f"/programmes/{slug}/overview?sort=overdue&dir=desc").get_data(as_text=True)
    body = html[html.index("<tbody"):]
    assert body.index("Council B") < body.index("Council A") < body.index("Council C")
    assert html.count('aria-sort="descending"') == 1 and html.count('aria-sort="ascending"') == 0
    assert "?sort=overdue&amp;dir=asc" in html  # the current column sorts the other way round next
    # Nonsense is the default sort, never an error.
    assert as_facilitator.get(f"/programmes/{slug}/overview?sort=%27%3B--&dir=sideways").status_code == 200


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_downloads_hold_the_pages_rows_in_the_same_order(scripted, as_facilitator):
    slug = scripted.world.programme.slug
    response = as_facilitator.get(f"/programmes/{slug}/overview.csv?sort=overdue&dir=desc")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = csv_rows(response.data)
    header, body = table[0], table[1:]
    assert [row[0] for row in body] == ["Council B", "Council A", "Council C"]
    column = {name: header.index(name) for name in header}
    b = dict(zip(header, body[0], strict=True))
    assert b["Overdue actions"] == "2" and b["Stalled cards"] == "2"
    assert b["Response rate (%)"] == "Hidden: fewer than 5 responses"
    assert b["Staff survey responses (Staff pulse survey, wave 2)"] == "Hidden: fewer than 5 responses"
    assert b["Last check-in"] == "2026-03-20" and b["Next check-in"] == "2026-05-01"
    assert b["1.1.1 Households helped"] == "On track (green)"
    assert body[1][column["Response rate (%)"]] == "50"
    assert body[1][column["Last check-in RAG"]] == "Amber"

    response = as_facilitator.get(f"/programmes/{slug}/overview.xlsx?sort=overdue&dir=desc")
    assert response.status_code == 200 and "spreadsheetml" in response.mimetype
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert [str(v) for v in cells[0]] == header
    assert [row[0] for row in cells[1:]] == ["Council B", "Council A", "Council C"]
    as_text = [[v.date().isoformat() if isinstance(v, datetime) else str(v) for v in row] for row in cells]
    assert as_text == table
    assert cells[2][column["Overdue actions"]] == 1  # numbers stay numbers


def test_formula_like_names_are_neutralised_in_both_downloads(scripted, as_facilitator):
    scripted.c.name = "=HYPERLINK(\"https://evil.example\",\"Click\")"
    scripted.count.name = "@SUM(A1:A9)"
    db.session.commit()
    slug = scripted.world.programme.slug
    table = csv_rows(as_facilitator.get(f"/programmes/{slug}/overview.csv").data)
    assert table[1][0].startswith("'=HYPERLINK")  # "=" sorts before letters
    assert "1.1.1 @SUM(A1:A9)" in table[0]  # the code comes first, so this heading is safe as it is
    sheet = load_workbook(io.BytesIO(as_facilitator.get(f"/programmes/{slug}/overview.xlsx").data)).active
    values = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert values[0].startswith("'=HYPERLINK")
    assert all(not (isinstance(v, str) and v.startswith(("=", "+", "-", "@"))) for row in sheet.iter_rows(
        values_only=True) for v in row)


# --- who may see it ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("actor", "status"), [
    ("facilitator", 200), ("viewer", 200), ("viewer_b", 404), ("team_a", 404), ("team_b", 404), ("outsider", 404),
    ("admin", 404)])
def test_only_people_who_see_every_organisation_see_the_overview(world, client, login, actor, status):
    login(client, getattr(world, actor))
    slug = world.programme.slug
    for url in (f"/programmes/{slug}/overview", f"/programmes/{slug}/overview.csv",
                f"/programmes/{slug}/overview.xlsx"):
        assert client.get(url).status_code == status, url
    page = client.get(f"/programmes/{slug}")
    if page.status_code == 200:
        assert (f"/programmes/{slug}/overview" in page.get_data(as_text=True)) == (status == 200)


def test_signed_out_people_are_sent_to_sign_in(world, client):
    response = client.get(f"/programmes/{world.programme.slug}/overview")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")


def test_an_empty_programme_has_an_empty_overview(client, login):
    host = factories.make_user("Host", is_facilitator=True)
    programme = factories.make_programme(host, name="Empty")
    assert overview.overview(programme, TODAY) == []
    login(client, host)
    response = client.get(f"/programmes/{programme.slug}/overview")
    assert response.status_code == 200 and "No organisations yet." in response.get_data(as_text=True)
    table = csv_rows(client.get(f"/programmes/{programme.slug}/overview.csv").data)
    assert len(table) == 1

