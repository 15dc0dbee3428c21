"""A check-in's agenda and meeting record in the browser: a facilitator opens a check-in, reads the agenda,
holds it, records attendees, notes and an overall amber, adds two actions arising (one on a card, one as a
new quick win), and finds them on the board and in the card's history; the agenda printed (print media), and
every organisation's agendas to print. Every page checked with axe."""

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.pages import org_url
from tests.browser.results_pages import success_banner
from tests.checkins.conftest import MID_MAY, checkin_of
from tracker.board import services as board
from tracker.board.models import RoadmapColumn
from tracker.checkins import calendar
from tracker.checkins.models import CheckInRag, CheckInStatus
from tracker.core import clock
from tracker.extensions import db


@pytest.fixture(autouse=True)
def _may_2026():
    """13 May 2026 for the server too: check-in 1 (31 March) is due to be held."""
    with clock.frozen(MID_MAY):
        yield


def fill_date(page, legend: str, day: int, month: int, year: int) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def test_a_facilitator_runs_a_check_in(page, world, sign_in, visit, axe, fresh):
    with clock.frozen(datetime(2026, 1, 5, 10)):
        calendar.ensure_checkins(world.programme)
        db.session.commit()
    with clock.frozen(datetime(2026, 3, 2, 10)):
        board.move_card(world.idea_a, column=RoadmapColumn.CONCEPT, expected_version=world.idea_a.version,
                        user=world.team_a)
        db.session.commit()
    first = checkin_of(world.org_a, 1)
    sign_in(page.context, world.facilitator)
    visit(page, f"/checkins/{first.id}")
    expect(page.get_by_role("heading", name="Meeting record")).to_be_visible()
    page.get_by_role("link", name="Open the agenda").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda: Check-in 1 with Council A")
    main = page.locator("main")
    expect(main.get_by_role("link", name="1.1 Regular feedback").first).to_be_visible()
    expect(main).to_contain_text("Backlog (not started) to Concept development")
    expect(main).to_contain_text("Draft new letter")  # overdue since 1 February
    axe(page, "agenda, written from the data")

    # Printed: no buttons, links read as text.
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Mark as held and keep this agenda")).to_be_hidden()
    axe(page, "agenda, printed")
    page.emulate_media(media="screen")

    page.get_by_role("button", name="Mark as held and keep this agenda").click()
    expect(success_banner(page)).to_contain_text("its agenda is kept as it is now")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meeting record")
    assert fresh(first).status == CheckInStatus.HELD
    axe(page, "meeting record", once=True)

    page.get_by_role("checkbox", name="Team A").check()
    page.get_by_role("checkbox", name="Fran Facilitator").check()
    page.get_by_label("Other people who came (optional)").fill("Sam Guest (Shelter Cymru)\nAlex Jones")
    page.get_by_label("Notes (optional)").fill("**Agreed** to test the new letter.\n\n- Ask legal\n- Train staff")
    page.get_by_role("radio", name="Amber").check()
    page.get_by_label("Why? (optional)").fill("Two figures are late")
    page.get_by_role("button", name="Save meeting record").click()
    expect(success_banner(page)).to_contain_text("Meeting record saved")
    record = fresh(first)
    assert record.rag == CheckInRag.AMBER and len(record.attendees) == 4
    expect(page.locator("main strong", has_text="Agreed")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Sam Guest (Shelter Cymru)")
    axe(page, "a check-in, recorded")

    # Two actions arising: onto quick win 1, and as a new quick win.
    page.get_by_role("link", name="Add an action arising").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an action arising")
    axe(page, "add an action arising", once=True)
    page.get_by_role("button", name="Add action arising").click()
    expect(page).to_have_title(re.compile("^Error: "))
    axe(page, "add an action arising, with errors")
    page.get_by_label("Action", exact=True).fill("Send the new letter to legal")
    page.get_by_label("Card").select_option(label="1 Make letters friendlier")
    page.get_by_label("Owner").select_option(label="Team A")
    fill_date(page, "Due date (optional)", 30, 6, 2026)
    page.get_by_role("button", name="Add and add another").click()
    expect(success_banner(page)).to_contain_text("Action added to 1 Make letters friendlier")
    page.get_by_label("Action", exact=True).fill("Ring every new tenant in their first week")
    page.get_by_label("Card").select_option(label="A new quick win")
    page.get_by_label("Owner").select_option(label="Team A")
    page.get_by_role("button", name="Add action arising").click()
    expect(success_banner(page)).to_contain_text("Action added to 2 Ring every new tenant in their first week")
    arising = page.locator("#actions-arising + ul")
    expect(arising.get_by_role("listitem")).to_have_count(2)
    expect(arising).to_contain_text("new quick win 2")
    axe(page, "a check-in with actions arising")

    # On the board, and in the card's history.
    visit(page, org_url(world.org_a) + "roadmap")
    expect(page.locator("main")).to_contain_text("Ring every new tenant in their first week")
    page.goto(f"/cards/{world.card_a.id}")
    page.get_by_role("tab", name="History").click()
    expect(page.locator("main")).to_contain_text(
        "Added action at the check-in of 31 March 2026: Send the new letter to legal")

    # The held check-in's agenda does not change when the card does.
    board.move_card(world.idea_a, column=RoadmapColumn.PROTOTYPING, expected_version=fresh(world.idea_a).version,
                    user=world.team_a)
    db.session.commit()
    visit(page, f"/checkins/{first.id}/agenda")
    expect(page.locator("main")).to_contain_text("Kept as it was on 13 May 2026")
    expect(page.locator("main")).not_to_contain_text("Concept development to Prototyping")

    # Every organisation's next agenda, one to a printed page; check-in 2 lists the actions arising.
    visit(page, f"/programmes/{world.programme.slug}/agendas")
    expect(page.locator(".app-agenda-sheet")).to_have_count(2)
    expect(page.locator(".app-agenda-sheet").first).to_contain_text("Send the new letter to legal")
    page.emulate_media(media="print")
    breaks = page.eval_on_selector_all(".app-agenda-sheet", "els => els.map(e => getComputedStyle(e).breakBefore)")
    assert breaks == ["auto", "page"]
    axe(page, "every agenda, printed")
