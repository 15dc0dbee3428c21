"""The check-in calendar in the browser: a facilitator plans the calendar, filters it, moves a check-in,
records one as held, adds an extra one, moves the mid-way event, downloads a check-in's .ics and gets a
calendar address; on a phone (375 px) too, and without JavaScript. Every page checked with axe."""

import re
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.pages import summary_value
from tests.browser.results_pages import success_banner
from tests.checkins.conftest import MID_MAY, checkin_of
from tests.checkins.test_calendar import framework
from tests.surveys.conftest import make_survey
from tracker.checkins import calendar
from tracker.checkins.models import CheckIn, CheckInStatus
from tracker.core import clock
from tracker.extensions import db


@pytest.fixture(autouse=True)
def _may_2026():
    """13 May 2026 for the server too (the clock is the process's): check-in 1 is overdue, check-in 2 is next."""
    with clock.frozen(MID_MAY):
        yield


def fill_date(page, legend: str, day: int, month: int, year: int) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def test_a_facilitator_runs_the_calendar(page, world, sign_in, visit, axe, fresh):
    framework(world.programme)
    make_survey(world.programme)  # commits
    sign_in(page.context, world.facilitator)
    visit(page, f"/programmes/{world.programme.slug}")
    page.get_by_role("link", name="Calendar: check-ins and due dates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar")
    expect(page.get_by_text("The calendar proposes 8 check-ins that are not planned yet.")).to_be_visible()
    axe(page, "calendar, not planned yet", once=True)
    page.get_by_role("button", name="Plan 8 check-ins").click()
    expect(success_banner(page)).to_contain_text("8 check-ins planned")
    march = page.get_by_role("table", name="Calendar for March 2026")
    expect(march.get_by_role("row")).to_have_count(3)  # the header, and one check-in per council
    expect(march.get_by_role("row", name=re.compile("Check-in 1 with Council A"))).to_contain_text("Overdue")
    expect(page.get_by_text("4 things overdue")).to_be_visible()  # and period 1's figures and output
    april = page.get_by_role("table", name="Calendar for April 2026")
    expect(april.get_by_role("row", name=re.compile("Staff survey “Staff pulse survey”, wave 2"))).to_contain_text(
        "Open from 1 April 2026 to 14 April 2026")
    expect(april.get_by_role("row", name=re.compile("Indicator figures due for 0–3 months"))).to_contain_text(
        "Not in yet from Council A, Council B")
    axe(page, "calendar, planned")

    # The organisation filter: htmx swaps the months in and puts the choice in the address.
    page.get_by_label("Check-ins and figures of").select_option(label="Council A")
    expect(march.get_by_role("row")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"\?organisation=council-a$"))
    expect(page.get_by_text("Check-in 1 with Council B")).to_have_count(0)
    axe(page, "calendar, one organisation")

    # Move check-in 2: an end before the start is refused, then the move is saved.
    page.get_by_role("link", name="Check-in 2 with Council A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in 2 with Council A")
    expect(summary_value(page.locator("main"), "Date")).to_have_text("Tuesday 30 June 2026")
    axe(page, "a check-in", once=True)
    page.get_by_role("link", name="Change date").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the check-in")
    axe(page, "change a check-in", once=True)
    fill_date(page, "Date", 24, 6, 2026)
    page.get_by_label("Start time (optional)").fill("2pm")
    page.get_by_label("End time (optional)").fill("1pm")
    page.get_by_role("button", name="Save check-in").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The end time must be after the start time")
    axe(page, "change a check-in, with an error")
    page.get_by_label("End time (optional)").fill("3:30pm")
    page.get_by_label("Place (optional)").fill("Clydach Vale offices, meeting room 2")
    page.get_by_label("Video call link (optional)").fill("https://teams.example/meet/check-in-2")
    page.get_by_role("button", name="Save check-in").click()
    expect(success_banner(page)).to_contain_text("Check-in saved")
    expect(summary_value(page.locator("main"), "Date")).to_have_text("Wednesday 24 June 2026")
    expect(summary_value(page.locator("main"), "Time")).to_have_text("2pm to 3:30pm")
    expect(summary_value(page.locator("main"), "Place")).to_have_text("Clydach Vale offices, meeting room 2")
    expect(page.get_by_role("link", name="Join the video call")).to_have_attribute(
        "href", "https://teams.example/meet/check-in-2")
    axe(page, "a check-in, moved")
    db.session.rollback()  # read what the server wrote
    moved = checkin_of(world.org_a, 2)

    # Its own calendar file.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this check-in for your calendar (.ics file)").click()
    assert download.value.suggested_filename == "check-in-2-with-council-a.ics"
    (event,) = Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT")
    assert str(event["UID"]) == f"checkin-{moved.id}@127.0.0.1"
    assert str(event["LOCATION"]) == "Clydach Vale offices, meeting room 2"
    assert event["DTSTART"].params["TZID"] == "Europe/London"

    # Record that check-in 1 was held.
    first = checkin_of(world.org_a, 1)
    visit(page, f"/checkins/{first.id}")
    expect(summary_value(page.locator("main"), "Status")).to_contain_text("Overdue")
    page.get_by_role("link", name="Record that it was held or cancelled").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What happened to this check-in?")
    axe(page, "check-in status", once=True)
    page.get_by_role("radio", name="Held").check()
    page.get_by_role("button", name="Save status").click()
    expect(success_banner(page)).to_contain_text("Check-in marked as held")
    expect(summary_value(page.locator("main"), "Status")).to_have_text("Held")
    expect(page.get_by_role("link", name="Record that it was held or cancelled")).to_have_count(0)
    assert fresh(first).status == CheckInStatus.HELD

    # An extra check-in with Council B.
    page.get_by_role("link", name="Calendar").first.click()
    page.get_by_role("link", name="Add an extra check-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an extra check-in")
    axe(page, "add an extra check-in", once=True)
    page.get_by_role("button", name="Add check-in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the organisation")
    axe(page, "add an extra check-in, with errors")
    page.get_by_label("Organisation").select_option(label="Council B")
    fill_date(page, "Date", 20, 5, 2026)
    page.get_by_label("Start time (optional)").fill("9:30")
    page.get_by_label("Place (optional)").fill("Ty Penallta")
    page.get_by_role("button", name="Add check-in").click()
    expect(success_banner(page)).to_contain_text("Extra check-in added")
    expect(page.get_by_role("heading", level=1)).to_have_text("Extra check-in with Council B")
    db.session.rollback()
    assert db.session.scalar(select(CheckIn.on).where(CheckIn.interval_number.is_(None))).day == 20

    # The mid-way staff event.
    page.get_by_role("link", name="Calendar").first.click()
    may = page.get_by_role("table", name="Calendar for May 2026")
    expect(may).to_contain_text("Extra check-in with Council B")
    expect(page.get_by_role("heading", name=re.compile("May 2026"))).to_contain_text("This month")
    page.get_by_role("link", name="Change Mid-way staff event").click()
    axe(page, "change the mid-way staff event", once=True)
    fill_date(page, "Date", 8, 7, 2026)
    page.get_by_label("Place (optional)").fill("Merthyr Tydfil Civic Centre")
    page.get_by_role("button", name="Save event").click()
    expect(success_banner(page)).to_contain_text("Mid-way staff event saved")
    expect(page.get_by_role("table", name="Calendar for July 2026")).to_contain_text("Merthyr Tydfil Civic Centre")

    # A calendar address, shown once.
    page.get_by_role("link", name="Add this calendar to Outlook or another calendar").click()
    axe(page, "calendar address, none yet", once=True)
    page.get_by_role("button", name="Get my calendar address").click()
    address = page.get_by_label("Calendar address").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/calendar/[A-Za-z0-9_-]{43}\.ics", address)
    axe(page, "calendar address made")
    feed = page.context.request.get(address)
    assert feed.status == 200 and b"BEGIN:VCALENDAR" in feed.body()
    page.get_by_role("link", name="I have copied my address").click()
    page.get_by_role("link", name="Add this calendar to Outlook or another calendar").click()
    expect(page.get_by_role("button", name="Make a new address")).to_be_visible()
    axe(page, "calendar address, made before")


def test_on_a_phone(page, world, sign_in, axe, fresh):
    """At 375 px: the calendar, a check-in and its form fit the screen, and a move works."""
    calendar.ensure_checkins(world.programme)
    db.session.commit()
    checkin = checkin_of(world.org_b, 3)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page.context, world.facilitator)
    page.goto(f"/programmes/{world.programme.slug}/calendar")
    axe(page, "calendar on a phone")
    page.get_by_role("link", name="Check-in 3 with Council B").click()
    axe(page, "a check-in on a phone")
    page.get_by_role("link", name="Change date").click()
    page.get_by_label("Start time (optional)").fill("10:00")
    page.get_by_label("End time (optional)").fill("11:30")
    page.get_by_label("Video call link (optional)").fill(
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_a-very-long-identifier-that-does-not-wrap%40thread.v2")
    axe(page, "change a check-in on a phone")
    page.get_by_role("button", name="Save check-in").click()
    expect(success_banner(page)).to_contain_text("Check-in saved")
    expect(summary_value(page.locator("main"), "Time")).to_have_text("10am to 11:30am")
    axe(page, "a moved check-in on a phone")
    assert fresh(checkin).start_time.hour == 10


def test_without_javascript(new_context, world, sign_in, axe):
    """Planning and the organisation filter are plain forms."""
    page = sign_in(new_context(java_script_enabled=False), world.facilitator).new_page()
    page.goto(f"/programmes/{world.programme.slug}/calendar")
    page.get_by_role("button", name="Plan 8 check-ins").click()
    expect(success_banner(page)).to_contain_text("8 check-ins planned")
    page.get_by_label("Check-ins and figures of").select_option(label="Council B")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?organisation=council-b$"))
    expect(page.get_by_role("table", name="Calendar for March 2026").get_by_role("row")).to_have_count(2)
    axe(page, "calendar without JavaScript, one organisation")
