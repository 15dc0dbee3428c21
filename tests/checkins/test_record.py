"""A check-in's meeting record through requests: attendees, sanitised notes, the overall green/amber/red,
actions arising onto a card and as a new quick win (and the words in the card's history), holding it, who may
do what, and stale saves."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.checkins.conftest import checkin_of
from tracker.board.models import Action, Card, CardEvent, CardEventKind, Kind
from tracker.checkins import record
from tracker.checkins.models import CheckInArising, CheckInRag, CheckInStatus
from tracker.extensions import db


def text(response) -> str:
    return response.get_data(as_text=True)


def title(response) -> str:
    return re.search(r"<title[^>]*>\s*(.*?)\s*</title>", text(response), re.S).group(1)


@pytest.fixture
def first(planned):
    """Council A's check-in 1 (31 March 2026; the clock stands at 13 May)."""
    return checkin_of(planned.org_a, 1)


@pytest.fixture
def facilitator(client, planned, login):
    return login(client, planned.facilitator)


def test_record_attendees_notes_and_rag(facilitator, planned, first):
    page = text(facilitator.get(f"/checkins/{first.id}/record"))
    assert "Team A" in page and "Fran Facilitator" in page and "Team B" not in page  # another council's person
    response = facilitator.post(f"/checkins/{first.id}/record", data={
        "attendees": [str(planned.team_a.id), str(planned.facilitator.id)],
        "other_names": "Sam Guest\n\n  sam   guest \nAlex From Shelter",
        "notes": "**Agreed** to pilot.\n\n<script>alert(1)</script><a href=\"javascript:alert(2)\" hx-get=\"/x\">x</a>",
        "rag": "amber", "rag_reason": "Figures late", "version": str(first.version)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/checkins/{first.id}#meeting-record")
    db.session.refresh(first)
    assert [a.name for a in first.attendees] == ["Fran Facilitator", "Team A", "Sam Guest", "Alex From Shelter"]
    assert (first.rag, first.rag_reason) == (CheckInRag.AMBER, "Figures late")
    page = text(facilitator.get(f"/checkins/{first.id}"))
    assert "<strong>Agreed</strong>" in page and "Amber" in page and "Figures late" in page
    assert "<script>alert(1)" not in page and "javascript:alert" not in page and 'hx-get="/x"' not in page


def test_a_reason_needs_a_colour_and_names_have_a_limit(facilitator, first):
    response = facilitator.post(f"/checkins/{first.id}/record", data={
        "rag_reason": "Why", "other_names": "x" * 201, "version": str(first.version)})
    assert response.status_code == 422 and title(response).startswith("Error: ")
    body = text(response)
    assert "Choose green, amber or red for this reason" in body and "Each name must be 200 characters or fewer" in body


def test_a_stale_record_is_refused_with_the_current_one(facilitator, first):
    version = first.version
    record.save_record(first, expected_version=version, attendees=[], other_names=["Someone"], notes="First",
                       rag=CheckInRag.GREEN, rag_reason="")
    db.session.commit()
    response = facilitator.post(f"/checkins/{first.id}/record", data={"notes": "Second", "version": str(version)})
    assert response.status_code == 409 and title(response).startswith("Error: ")
    assert "changed by someone else" in text(response) and "Someone" in text(response)
    db.session.refresh(first)
    assert first.notes == "First"


def test_actions_arising_onto_a_card_and_as_a_new_quick_win(facilitator, planned, first):
    page = text(facilitator.get(f"/checkins/{first.id}/arising"))
    assert "1 Make letters friendlier" in page and "A new quick win" in page and "Review debt pathway" not in page
    response = facilitator.post(f"/checkins/{first.id}/arising", data={
        "text": "Send the letter to legal", "card": str(planned.card_a.id), "owner": str(planned.team_a.id),
        "due_on": ["30", "4", "2026"], "another": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/checkins/{first.id}/arising")
    response = facilitator.post(f"/checkins/{first.id}/arising", data={
        "text": "Ring every tenant first", "card": "new", "owner": str(planned.team_a.id), "due_on": ["", "", ""]})
    assert response.status_code == 302
    arising = list(db.session.scalars(select(CheckInArising).order_by(CheckInArising.id)))
    assert [(a.card_id == planned.card_a.id, a.is_new_card) for a in arising] == [(True, False), (False, True)]
    quick_win = db.session.get(Card, arising[1].card_id)
    assert (quick_win.kind, quick_win.title, quick_win.code, [o.name for o in quick_win.owners]) == (
        Kind.QUICK_WIN, "Ring every tenant first", "2", ["Team A"])
    action = db.session.get(Action, arising[0].action_id)
    assert (action.text, action.due_on, action.owner_id) == ("Send the letter to legal", date(2026, 4, 30),
                                                           planned.team_a.id)
    history = text(facilitator.get(f"/cards/{planned.card_a.id}"))
    assert "Added action at the check-in of 31 March 2026: Send the letter to legal" in history
    history = text(facilitator.get(f"/cards/{quick_win.id}"))
    assert "Added at the check-in of 31 March 2026, in Backlog (not started)" in history
    page = text(facilitator.get(f"/checkins/{first.id}"))
    assert "Send the letter to legal" in page and "new quick win 2" in page
    # On the next check-in's agenda, with their state.
    second = checkin_of(planned.org_a, 2)
    record.hold(first, expected_version=first.version)
    db.session.commit()
    agenda = text(facilitator.get(f"/checkins/{second.id}/agenda"))
    assert "Actions arising from the previous check-in" in agenda and "Ring every tenant first" in agenda


def test_an_action_arising_needs_text_and_a_card_of_this_board(facilitator, planned, first):
    response = facilitator.post(f"/checkins/{first.id}/arising", data={"text": " ", "card": str(planned.card_b.id)})
    assert response.status_code == 422 and title(response).startswith("Error: ")
    assert "Enter the action" in text(response) and "Choose a card from the list" in text(response)
    assert db.session.scalar(select(CheckInArising.id)) is None
    events = db.session.scalars(select(CardEvent).where(CardEvent.kind == CardEventKind.ACTION_ADDED))
    assert all("checkin_id" not in (e.payload or {}) for e in events)


def test_hold_freezes_the_agenda(facilitator, planned, first):
    page = text(facilitator.get(f"/checkins/{first.id}/agenda"))
    assert "Mark as held and keep this agenda" in page and "Written from the data on 13 May 2026" in page
    response = facilitator.post(f"/checkins/{first.id}/hold", data={"version": str(first.version)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/checkins/{first.id}/record")
    db.session.refresh(first)
    assert first.status == CheckInStatus.HELD and first.agenda is not None
    planned.card_a.title = "Renamed after the meeting"
    db.session.commit()
    page = text(facilitator.get(f"/checkins/{first.id}/agenda"))
    assert "Kept as it was on 13 May 2026" in page and "Make letters friendlier" in page
    assert "Renamed after the meeting" not in page and "Mark as held" not in page


def test_a_stale_hold_is_refused(facilitator, first):
    response = facilitator.post(f"/checkins/{first.id}/hold", data={"version": str(first.version + 1)})
    assert response.status_code == 409 and title(response).startswith("Error: ")
    db.session.refresh(first)
    assert first.status == CheckInStatus.SCHEDULED and first.agenda is None


def test_a_check_in_cannot_be_held_before_its_day(facilitator, planned):
    later = checkin_of(planned.org_a, 3)
    assert "Mark as held" not in text(facilitator.get(f"/checkins/{later.id}/agenda"))
    response = facilitator.post(f"/checkins/{later.id}/hold", data={"version": str(later.version)})
    assert response.status_code == 422 and "cannot be held before its date" in text(response)


@pytest.mark.parametrize("who, agenda, record_page", [
    ("team_a", 200, 403), ("viewer", 200, 403), ("team_b", 404, 404), ("viewer_b", 404, 404),
    ("outsider", 404, 404), ("facilitator", 200, 200)])
def test_who_sees_the_agenda_and_records(client, planned, login, who, agenda, record_page):
    first = checkin_of(planned.org_a, 1)
    login(client, getattr(planned, who))
    assert client.get(f"/checkins/{first.id}/agenda").status_code == agenda
    assert client.get(f"/checkins/{first.id}/record").status_code == record_page
    assert client.get(f"/checkins/{first.id}/arising").status_code == record_page
    assert client.post(f"/checkins/{first.id}/hold", data={"version": "1"}).status_code in (
        {200: 302}.get(record_page, record_page),)


def test_print_every_agenda_shows_only_the_organisations_one_may_see(client, planned, login):
    login(client, planned.team_a)
    page = text(client.get(f"/programmes/{planned.programme.slug}/agendas"))
    assert "Check-in 2 with Council A" in page and "Council B" not in page
    login(client, planned.facilitator)
    page = text(client.get(f"/programmes/{planned.programme.slug}/agendas"))
    assert page.count('class="app-agenda-sheet"') == 2
