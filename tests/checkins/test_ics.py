"""The calendar as iCalendar: the secret feed and a check-in's own file, read back with ``icalendar``."""

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.checkins.conftest import checkin_of, midway
from tests.checkins.test_calendar import framework
from tests.surveys.conftest import make_survey
from tracker.checkins import calendar
from tracker.checkins.models import CheckInStatus
from tracker.checkins.views import FeedTokenFilter
from tracker.core import clock
from tracker.extensions import db
from tracker.programmes.models import Membership

LONDON = ZoneInfo("Europe/London")


def parse(response) -> Calendar:
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def events(cal: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def address(client, slug: str) -> str:
    """Get a calendar address the way a person does: the post's page shows it once."""
    page = client.post(f"/programmes/{slug}/calendar/feed").get_data(as_text=True)
    start = page.index('id="calendar-address"')
    value = page[page.index('value="', start) + 7:]
    return value[:value.index('"')]


@pytest.fixture
def rich(planned, frozen):
    """The planned world with a results framework and a survey; check-in 2 of A at 10am in summer time."""
    framework(planned.programme)
    make_survey(planned.programme)
    checkin = checkin_of(planned.org_a, 2)
    calendar.move(checkin, expected_version=1, on=date(2026, 6, 30), start_time=time(10), end_time=time(11, 30),
                  place="Clydach Vale, room 1", video_link="https://teams.example/meet/3")
    db.session.commit()
    return planned


def test_the_feed_has_every_kind_of_event(client, rich, login):
    login(client, rich.facilitator)
    url = address(client, rich.programme.slug)
    assert url.startswith("http://localhost/calendar/") and url.endswith(".ics")
    client.post("/sign-out")
    cal = parse(client.get(url.removeprefix("http://localhost")))  # no session: the address is enough
    assert str(cal["X-WR-CALNAME"]) == "Welsh pilot" and str(cal["METHOD"]) == "PUBLISH"
    found = events(cal)
    a2 = checkin_of(rich.org_a, 2)
    summer = found[f"checkin-{a2.id}@localhost"]
    assert str(summer["SUMMARY"]) == "Check-in 2 with Council A"
    assert summer.decoded("DTSTART") == datetime(2026, 6, 30, 10, tzinfo=LONDON)
    assert summer.decoded("DTSTART").astimezone(UTC).hour == 9  # British Summer Time
    assert summer["DTSTART"].params["TZID"] == "Europe/London"
    assert summer.decoded("DTEND") == datetime(2026, 6, 30, 11, 30, tzinfo=LONDON)
    assert str(summer["LOCATION"]) == "Clydach Vale, room 1"
    assert "https://teams.example/meet/3" in str(summer["DESCRIPTION"])
    assert str(summer["URL"]) == f"http://localhost/checkins/{a2.id}"
    assert int(summer["SEQUENCE"]) == 1 and str(summer["TRANSP"]) == "OPAQUE"
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"
    assert {c.name for c in zone.subcomponents} >= {"STANDARD", "DAYLIGHT"}

    b1 = found[f"checkin-{checkin_of(rich.org_b, 1).id}@localhost"]
    assert b1.decoded("DTSTART") == date(2026, 3, 31) and b1.decoded("DTEND") == date(2026, 4, 1)  # all day
    event = found[f"programme-event-{midway(rich.programme).id}@localhost"]
    assert str(event["SUMMARY"]) == "Mid-way staff event" and event.decoded("DTSTART") == date(2026, 7, 1)
    waves = sorted((e for uid, e in found.items() if uid.startswith("survey-wave-")),
                   key=lambda e: e.decoded("DTSTART"))
    assert len(waves) == 5
    assert (waves[1].decoded("DTSTART"), waves[1].decoded("DTEND")) == (date(2026, 4, 1), date(2026, 4, 15))
    assert str(waves[1]["TRANSP"]) == "TRANSPARENT"
    figures = found[f"figures-{rich.programme.id}-1@localhost"]
    assert figures.decoded("DTSTART") == date(2026, 4, 14)
    assert "0–3 months since start date" in str(figures["SUMMARY"])
    outputs = [e for uid, e in found.items() if uid.startswith("output-")]
    assert len(outputs) == 4 and all("Narrative report" in str(e["SUMMARY"]) for e in outputs)
    assert len(found) == 8 + 1 + 5 + 4 + 4


def test_uids_are_stable_across_exports_and_a_move_raises_the_sequence(client, rich, login):
    login(client, rich.facilitator)
    path = address(client, rich.programme.slug).removeprefix("http://localhost")
    first = events(parse(client.get(path)))
    with clock.frozen(datetime(2026, 5, 14, 9)):
        second = events(parse(client.get(path)))
    assert set(first) == set(second)
    b2 = checkin_of(rich.org_b, 2)
    calendar.move(b2, expected_version=1, on=date(2026, 6, 26), start_time=time(14))
    calendar.set_status(checkin_of(rich.org_b, 3), expected_version=1, status=CheckInStatus.CANCELLED)
    db.session.commit()
    third = events(parse(client.get(path)))
    assert set(third) == set(first)
    moved = third[f"checkin-{b2.id}@localhost"]
    assert moved.decoded("DTSTART") == datetime(2026, 6, 26, 14, tzinfo=LONDON)
    assert int(moved["SEQUENCE"]) > int(first[f"checkin-{b2.id}@localhost"]["SEQUENCE"])
    cancelled = third[f"checkin-{checkin_of(rich.org_b, 3).id}@localhost"]
    assert str(cancelled["STATUS"]) == "CANCELLED" and str(cancelled["SUMMARY"]).startswith("Cancelled: ")


def test_a_team_members_feed_has_only_their_organisations_check_ins(client, rich, login):
    login(client, rich.team_b)
    path = address(client, rich.programme.slug).removeprefix("http://localhost")
    found = events(parse(client.get(path)))
    checkins = [e for uid, e in found.items() if uid.startswith("checkin-")]
    assert len(checkins) == 4 and all("Council B" in str(e["SUMMARY"]) for e in checkins)
    assert not any("Council A" in str(e.get("DESCRIPTION", "")) for e in found.values())
    assert any(uid.startswith("programme-event-") for uid in found)


def test_resetting_the_address_stops_the_old_one(client, rich, login):
    login(client, rich.team_a)
    slug = rich.programme.slug
    page = client.get(f"/programmes/{slug}/calendar/feed").get_data(as_text=True)
    assert "Get my calendar address" in page
    old = address(client, slug).removeprefix("http://localhost")
    assert client.get(old).status_code == 200
    page = client.get(f"/programmes/{slug}/calendar/feed").get_data(as_text=True)
    assert "You made your address on" in page and "Make a new address" in page and old not in page
    new = address(client, slug).removeprefix("http://localhost")
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_the_address_stops_when_its_owner_leaves_or_is_disabled(client, rich, login):
    login(client, rich.team_a)
    path = address(client, rich.programme.slug).removeprefix("http://localhost")
    db.session.delete(db.session.query(Membership).filter_by(user_id=rich.team_a.id).one())
    db.session.commit()
    assert client.get(path).status_code == 404
    login(client, rich.team_b)
    path = address(client, rich.programme.slug).removeprefix("http://localhost")
    rich.team_b.is_active = False
    db.session.commit()
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("token", ["nothing", "x" * 43, "x" * 2000])
def test_an_unknown_address_is_a_404(client, planned, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_check_ins_own_file(client, rich, login):
    checkin = checkin_of(rich.org_a, 2)
    login(client, rich.team_a)
    response = client.get(f"/checkins/{checkin.id}.ics")
    assert response.headers["Content-Disposition"] == 'attachment; filename="check-in-2-with-council-a.ics"'
    first = events(parse(response))
    assert list(first) == [f"checkin-{checkin.id}@localhost"]
    assert first[f"checkin-{checkin.id}@localhost"].decoded("DTSTART") == datetime(2026, 6, 30, 10, tzinfo=LONDON)
    again = events(parse(client.get(f"/checkins/{checkin.id}.ics")))
    assert list(again) == list(first)
    assert client.get(f"/checkins/{checkin_of(rich.org_b, 2).id}.ics").status_code == 404


def test_the_address_is_kept_out_of_access_logs():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - "%s" %s',
                               ("127.0.0.1", "GET /calendar/abcDEF-123_x.ics HTTP/1.1", "200"), None)
    FeedTokenFilter().filter(record)
    assert "abcDEF" not in record.getMessage() and "/calendar/….ics" in record.getMessage()


def test_an_all_day_calendar_has_no_time_zone(client, planned, login):
    login(client, planned.facilitator)
    with clock.frozen(datetime(2026, 5, 13, 9) + timedelta(days=1)):
        cal = parse(client.get(address(client, planned.programme.slug).removeprefix("http://localhost")))
    assert cal.walk("VTIMEZONE") == []


def test_the_feed_is_in_its_owners_language(client, rich, login):
    rich.facilitator.language = "cy"
    db.session.commit()
    login(client, rich.facilitator)
    url = address(client, rich.programme.slug)
    client.post("/sign-out")
    # A calendar application sends no cookie and its own Accept-Language: the owner's language decides.
    cal = parse(client.get(url.removeprefix("http://localhost"), headers={"Accept-Language": "en-GB"}))
    summer = events(cal)[f"checkin-{checkin_of(rich.org_a, 2).id}@localhost"]
    assert str(summer["SUMMARY"]) == "Cyfarfod cynnydd 2 gyda Council A"
