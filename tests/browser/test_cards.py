"""A card's page: changing its details, and what two people changing it at once see."""

import re

from playwright.sync_api import expect

from tests.browser.pages import card_in, column_list, drag, is_move, roadmap_url, summary_value
from tracker.board import services as board
from tracker.board.models import Priority, RoadmapColumn
from tracker.extensions import db

DESCRIPTION = "Letters should be **short** and kind.\n\n- Plain words\n- One page\n\nSee [the guide](https://www.gov.uk/guidance/content-design)."


def test_change_a_cards_details(page, world, sign_in, visit, axe, fresh):
    card = world.card_a
    sign_in(page.context, world.team_a)
    visit(page, f"/cards/{card.id}")
    page.get_by_role("link", name="Change details").click()
    expect(page).to_have_url(re.compile(f"/cards/{card.id}/edit$"))
    axe(page, "edit card", once=True)

    page.get_by_label("Name").fill("Make letters friendlier and shorter")
    page.get_by_label("Description").fill(DESCRIPTION)
    page.get_by_role("radio", name="High").check()
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(f"/cards/{card.id}$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Changes to “Make letters friendlier and shorter” ({card.code}) saved")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{card.code} Make letters friendlier and shorter")
    details = page.locator("#details")
    expect(summary_value(details, "Priority")).to_have_text("High")
    description = details.locator(".app-markdown")
    expect(description.locator("strong")).to_have_text("short")
    expect(description.locator("li")).to_have_text(["Plain words", "One page"])
    expect(description.get_by_role("link", name="the guide")).to_have_attribute(
        "href", "https://www.gov.uk/guidance/content-design")
    expect(page.get_by_text("**short**")).to_have_count(0)
    axe(page, "card page after a change")

    page.get_by_role("tab", name="History").click()
    history = page.locator("#history")
    expect(history).to_be_visible()
    expect(history).to_contain_text("Team A: Changed title, description, priority")
    axe(page, "card page, History tab")

    saved = fresh(card)
    assert (saved.title, saved.priority) == ("Make letters friendlier and shorter", Priority.HIGH)
    assert saved.description.replace("\r\n", "\n") == DESCRIPTION  # forms send CRLF line ends


def test_two_people_change_the_same_card(page, new_context, world, sign_in, visit, axe, fresh):
    """The second save is refused with the current values; nothing of it is written until "Save anyway"."""
    card = world.card_a
    sign_in(page.context, world.team_a)
    other = sign_in(new_context(), world.facilitator).new_page()
    visit(page, f"/cards/{card.id}/edit")
    visit(other, f"/cards/{card.id}/edit")

    page.get_by_label("Name").fill("Friendlier letters (Team A)")
    page.get_by_role("radio", name="Low").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("saved")

    other.get_by_label("Name").fill("Friendlier letters (Fran)")
    other.get_by_label("Description").fill("Fran's *version*")
    with other.expect_response(lambda r: r.request.method == "POST") as answer:
        other.get_by_role("button", name="Save").click()
    assert answer.value.status == 409
    warning = other.locator(".govuk-error-summary")
    expect(warning).to_contain_text("This card was changed by someone else")
    expect(warning).to_contain_text("Your changes have not been saved")
    current = warning.locator(".app-stale-values")
    expect(summary_value(current, "Name")).to_have_text("Friendlier letters (Team A)")
    expect(summary_value(current, "Priority")).to_have_text("Low")
    expect(current).to_contain_text("Changed title, priority – Team A")
    # The form keeps what Fran typed, so nothing is lost.
    expect(other.get_by_label("Name")).to_have_value("Friendlier letters (Fran)")
    expect(other.get_by_role("button", name="Save anyway")).to_be_visible()
    axe(other, "409: card changed by someone else")

    saved = fresh(card)
    assert saved.title == "Friendlier letters (Team A)"
    assert saved.priority == Priority.LOW
    assert not saved.description

    # Having seen the current values, Fran saves anyway: now hers is the change.
    other.get_by_role("button", name="Save anyway").click()
    expect(other.locator(".govuk-notification-banner--success")).to_contain_text("saved")
    assert fresh(card).title == "Friendlier letters (Fran)"


def test_moves_from_a_stale_board_are_refused(page, new_context, world, sign_in, visit, axe, fresh):
    """Team A moves a card; Fran's board still shows the old place. Fran's keyboard move and drag are
    refused (409): her lane is redrawn with the card where it really is, and the status region says so."""
    card = world.card_a
    sign_in(page.context, world.team_a)
    other = sign_in(new_context(), world.facilitator).new_page()
    visit(page, roadmap_url(world.org_a))
    visit(other, roadmap_url(world.org_a))

    page.locator(f"#card-{card.id}").focus()
    with page.expect_response(is_move):
        page.keyboard.press("ArrowRight")
    expect(card_in(page, card, "concept")).to_be_visible()

    # Keyboard move on the stale board.
    expect(card_in(other, card, "backlog")).to_be_visible()
    other.locator(f"#card-{card.id}").focus()
    with other.expect_response(is_move) as refused:
        other.keyboard.press("ArrowRight")
    assert refused.value.status == 409
    expect(card_in(other, card, "concept")).to_be_visible()
    expect(card_in(other, card, "prototyping")).to_have_count(0)
    expect(other.locator(f"#card-{card.id}")).to_be_focused()
    status = other.locator("#board-status")
    expect(other.locator("#board-notice")).to_be_visible()  # said on the page too, not only to screen readers
    expect(other.locator("#board-notice")).to_have_text(f"“{card.title}” ({card.code}) was changed by someone else: "
                                                        "it is now in Concept development. Nothing was moved.")
    expect(status).to_have_text(
        f"“{card.title}” ({card.code}) was changed by someone else: it is now in Concept development. "
        "Nothing was moved.")
    axe(other, "roadmap after a refused move")
    assert fresh(card).column == RoadmapColumn.CONCEPT
    version = fresh(card).version

    # Team A moves it on again; Fran, still a step behind, drags it to On hold.
    with page.expect_response(is_move):
        page.keyboard.press("ArrowRight")
    expect(card_in(page, card, "prototyping")).to_be_visible()
    assert fresh(card).version > version
    with other.expect_response(is_move) as refused:
        drag(other, other.locator(f"#card-{card.id}"), column_list(other, card, "on_hold"))
    assert refused.value.status == 409
    expect(card_in(other, card, "prototyping")).to_be_visible()
    expect(card_in(other, card, "on_hold")).to_have_count(0)
    expect(status).to_have_text(
        f"“{card.title}” ({card.code}) was changed by someone else: it is now in Prototyping. "
        "Nothing was moved.")
    assert fresh(card).column == RoadmapColumn.PROTOTYPING


def test_a_stale_move_without_javascript_shows_the_conflict_page(new_context, world, sign_in, visit, axe, fresh):
    card = world.card_a
    page = sign_in(new_context(java_script_enabled=False), world.team_a).new_page()
    visit(page, f"/cards/{card.id}")
    # Someone else moves the card meanwhile (in a fresh transaction: under SQLite's WAL a transaction that
    # read before the server's last write cannot write).
    current = fresh(card)
    board.move_card(current, column=RoadmapColumn.ON_HOLD, expected_version=current.version, user=world.facilitator)
    db.session.commit()

    page.get_by_label("Move to").select_option(label="Completed")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Move", exact=True).click()
    assert answer.value.status == 409
    expect(page.get_by_role("heading", level=1)).to_have_text("Nothing was moved")
    expect(page.get_by_text(
        f"“{card.title}” ({card.code}) was changed by someone else: it is now in On hold.")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text("This card was changed by someone else")
    expect(summary_value(page.locator(".app-stale-values"), "Column")).to_have_text("On hold")
    axe(page, "409: move conflict page")
    assert fresh(card).column == RoadmapColumn.ON_HOLD

    page.get_by_role("link", name="Go back to the roadmap").click()
    expect(card_in(page, card, "on_hold")).to_be_visible()
