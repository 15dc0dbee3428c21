"""The check-in pages through requests: the calendar, a check-in, moving it, its status, an extra check-in,
the mid-way event, who sees what, forms and their errors, stale saves."""

import re
from datetime import date, time

import pytest
from sqlalchemy import func, select

from tests.checkins.conftest import checkin_of, midway
from tracker.checkins import calendar
from tracker.checkins.models import CheckIn, CheckInStatus
from tracker.extensions import db


def title(response) -> str:
    return re.search(r"<title[^>]*>\s*(.*?)\s*</title>", response.get_data(as_text=True), re.S).group(1)


def text(response) -> str:
    return response.get_data(as_text=True)


def parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


@pytest.fixture
def facilitator(client, planned, login):
    return login(client, planned.facilitator)


def test_the_programme_page_links_to_its_calendar(facilitator, planned):
    page = text(facilitator.get(f"/programmes/{planned.programme.slug}"))
    assert f'href="/programmes/{planned.programme.slug}/calendar"' in page


def test_plan_the_calendar(client, world, login, frozen):
    login(client, world.facilitator)
    slug = world.programme.slug
    page = text(client.get(f"/programmes/{slug}/calendar"))
    assert "The calendar proposes 8 check-ins that are not planned yet." in page
    assert "Plan 8 check-ins" in page
    response = client.post(f"/programmes/{slug}/calendar/plan")
    assert response.status_code == 302 and response.headers["Location"] == f"/programmes/{slug}/calendar"
    page = text(client.get(f"/programmes/{slug}/calendar"))
    assert "8 check-ins planned" in page and "Plan 8" not in page
    for month in ("March 2026", "June 2026", "July 2026", "September 2026", "December 2026"):
        assert f">{month}" in page
    assert "Check-in 1 with Council A" in page and "Mid-way staff event" in page
    assert "Tuesday 31 March" in page
    assert "This month" not in page  # nothing falls in May 2026
    calendar.add_extra(world.org_a, on=date(2026, 5, 20))
    db.session.commit()
    assert "This month" in text(client.get(f"/programmes/{slug}/calendar"))
    client.post(f"/programmes/{slug}/calendar/plan")
    assert "Every check-in the calendar proposes is already planned" in text(client.get(f"/programmes/{slug}/calendar"))


def test_the_calendar_marks_what_is_overdue(facilitator, planned, frozen):
    page = text(facilitator.get(f"/programmes/{planned.programme.slug}/calendar"))
    assert "2 things overdue" in page  # check-in 1 of each organisation, still scheduled after 31 March
    first = checkin_of(planned.org_a, 1)
    calendar.set_status(first, expected_version=1, status=CheckInStatus.HELD)
    db.session.commit()
    assert "1 thing overdue" in text(facilitator.get(f"/programmes/{planned.programme.slug}/calendar"))


def test_team_members_see_their_own_organisations_check_ins_only(client, planned, login):
    login(client, planned.team_a)
    slug = planned.programme.slug
    page = text(client.get(f"/programmes/{slug}/calendar?organisation={planned.org_b.slug}"))
    assert "Check-in 1 with Council A" in page and "Council B" not in page
    assert "Plan" not in page and "Add an extra check-in" not in page
    assert client.get(f"/checkins/{checkin_of(planned.org_b, 1).id}").status_code == 404
    assert client.get(f"/checkins/{checkin_of(planned.org_a, 1).id}/edit").status_code == 403


def test_the_organisation_filter_and_its_fragment(facilitator, planned):
    slug = planned.programme.slug
    page = text(facilitator.get(f"/programmes/{slug}/calendar?organisation={planned.org_b.slug}"))
    assert "Check-in 1 with Council B" in page and "Check-in 1 with Council A" not in page
    fragment = facilitator.get(f"/programmes/{slug}/calendar?organisation={planned.org_b.slug}",
                               headers={"HX-Request": "true"})
    body = text(fragment)
    assert body.lstrip().startswith('<div id="months">') and "<html" not in body
    assert "Check-in 1 with Council B" in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_a_check_in_page(client, planned, login):
    checkin = checkin_of(planned.org_a, 2)
    login(client, planned.viewer)
    page = text(client.get(f"/checkins/{checkin.id}"))
    assert "<h1 class=\"govuk-heading-l\">Check-in 2 with Council A</h1>" in page
    for fact in ("Tuesday 30 June 2026", "Fran Facilitator", "Team A", "Scheduled", "3–6 months since start date",
                 f'href="/checkins/{checkin.id}.ics"'):
        assert fact in page
    assert f"/checkins/{checkin.id}/edit" not in page and f"/checkins/{checkin.id}/status" not in page


def test_move_a_check_in(facilitator, planned):
    checkin = checkin_of(planned.org_b, 2)
    form = text(facilitator.get(f"/checkins/{checkin.id}/edit"))
    assert 'value="30"' in form and 'name="version" value="1"' in form
    response = facilitator.post(f"/checkins/{checkin.id}/edit", data={
        "on": parts(date(2026, 6, 24)), "start_time": "2pm", "end_time": "15:30", "place": "Ty Penallta",
        "video_link": "https://teams.example/meet/2", "facilitator": str(planned.facilitator.id), "version": "1"})
    assert response.status_code == 302 and response.headers["Location"] == f"/checkins/{checkin.id}"
    db.session.refresh(checkin)
    assert (checkin.on, checkin.start_time, checkin.end_time, checkin.place) == (
        date(2026, 6, 24), time(14), time(15, 30), "Ty Penallta")
    page = text(facilitator.get(f"/checkins/{checkin.id}"))
    assert "Check-in saved" in page and "2pm to 3:30pm" in page and "Join the video call" in page


@pytest.mark.parametrize(("data", "messages"), [
    ({"on": ["", "", ""]}, ["Enter the date"]),
    ({"on": ["31", "2", "2026"]}, ["Date must be a real date"]),
    ({"start_time": "25:00"}, ["Start time must be a real time, like 10:00 or 2:30pm"]),
    ({"start_time": "11am", "end_time": "10am"}, ["The end time must be after the start time"]),
    ({"end_time": "10am"}, ["Enter a start time as well as an end time"]),
    ({"video_link": "javascript:alert(1)"}, ["Enter the video link as a web address starting with https://"]),
    ({"facilitator": "999"}, ["Choose a facilitator from the list"]),
])
def test_a_move_with_errors_is_shown_again(facilitator, planned, data, messages):
    checkin = checkin_of(planned.org_b, 2)
    response = facilitator.post(f"/checkins/{checkin.id}/edit", data={
        "on": parts(date(2026, 6, 24)), "version": "1", **data})
    assert response.status_code == 422 and title(response).startswith("Error: ")
    for message in messages:
        assert message in text(response)
    db.session.refresh(checkin)
    assert checkin.version == 1


def test_a_stale_move_gets_the_current_values(facilitator, planned):
    checkin = checkin_of(planned.org_b, 2)
    calendar.move(checkin, expected_version=1, on=date(2026, 6, 23), place="Somewhere else")
    db.session.commit()
    response = facilitator.post(f"/checkins/{checkin.id}/edit", data={"on": parts(date(2026, 6, 24)), "version": "1"})
    page = text(response)
    assert response.status_code == 409 and title(response).startswith("Error: ")
    assert "This check-in was changed by someone else" in page and "Somewhere else" in page
    assert 'name="version" value="2"' in page and "Save anyway" in page
    db.session.refresh(checkin)
    assert checkin.on == date(2026, 6, 23)


def test_record_a_status(facilitator, planned):
    past, future = checkin_of(planned.org_a, 1), checkin_of(planned.org_a, 2)
    assert "What happened to this check-in?" in text(facilitator.get(f"/checkins/{past.id}/status"))
    response = facilitator.post(f"/checkins/{future.id}/status", data={"status": "held", "version": "1"})
    assert response.status_code == 422 and "cannot be held before its date" in text(response)
    response = facilitator.post(f"/checkins/{past.id}/status", data={"status": "held", "version": "1"})
    assert response.status_code == 302
    assert "Check-in marked as held" in text(facilitator.get(f"/checkins/{past.id}"))
    response = facilitator.post(f"/checkins/{past.id}/status", data={"status": "cancelled", "version": "1"})
    assert response.status_code == 409 and "changed by someone else" in text(response)
    response = facilitator.post(f"/checkins/{past.id}/status", data={"status": "maybe", "version": "2"})
    assert response.status_code == 422 and "Choose a status" in text(response)


def test_add_an_extra_check_in(facilitator, planned):
    slug = planned.programme.slug
    form = text(facilitator.get(f"/programmes/{slug}/checkins/new?organisation={planned.org_b.slug}"))
    assert f'<option value="{planned.org_b.id}" selected>' in form
    response = facilitator.post(f"/programmes/{slug}/checkins/new", data={"on": parts(date(2026, 5, 20))})
    assert response.status_code == 422 and "Choose the organisation" in text(response)
    response = facilitator.post(f"/programmes/{slug}/checkins/new", data={
        "organisation": str(planned.org_b.id), "on": parts(date(2026, 5, 20)), "start_time": "9:30",
        "facilitator": str(planned.facilitator.id)})
    extra = checkin_of(planned.org_b, None)
    assert response.status_code == 302 and response.headers["Location"] == f"/checkins/{extra.id}"
    assert (extra.on, extra.start_time, extra.facilitator) == (date(2026, 5, 20), time(9, 30), planned.facilitator)
    assert "Extra check-in with Council B" in text(facilitator.get(f"/checkins/{extra.id}"))


def test_move_the_midway_event(facilitator, planned):
    event = midway(planned.programme)
    page = text(facilitator.get(f"/programmes/{planned.programme.slug}/calendar"))
    assert f'href="/programme-events/{event.id}/edit"' in page
    response = facilitator.post(f"/programme-events/{event.id}/edit", data={
        "on": parts(date(2026, 7, 8)), "start_time": "9:30", "end_time": "3pm", "place": "Civic Centre",
        "title": "", "version": "1"})
    assert response.status_code == 302
    db.session.refresh(event)
    assert (event.on, event.place, event.display_title) == (date(2026, 7, 8), "Civic Centre", "Mid-way staff event")
    response = facilitator.post(f"/programme-events/{event.id}/edit", data={"on": parts(date(2026, 7, 9)),
                                                                           "version": "1"})
    assert response.status_code == 409


def test_nobody_else_plans_or_moves(client, planned, login):
    slug = planned.programme.slug
    checkin = checkin_of(planned.org_b, 2)
    login(client, planned.team_b)
    assert client.get(f"/checkins/{checkin.id}").status_code == 200
    assert client.post(f"/programmes/{slug}/calendar/plan").status_code == 403
    assert client.post(f"/checkins/{checkin.id}/edit", data={"on": parts(date(2026, 6, 1)),
                                                             "version": "1"}).status_code == 403
    assert client.post(f"/checkins/{checkin.id}/status", data={"status": "cancelled",
                                                               "version": "1"}).status_code == 403
    assert client.get(f"/programmes/{slug}/checkins/new").status_code == 403
    db.session.rollback()
    assert db.session.scalar(select(func.count(CheckIn.id)).where(CheckIn.version > 1)) == 0
