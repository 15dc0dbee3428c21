"""The roadmap board: drag and drop, keyboard moves, moving without JavaScript, filters."""

import re

from playwright.sync_api import expect

from tests import factories
from tests.browser.pages import card_in, column_list, drag, expect_order, is_move, roadmap_url
from tracker.board.models import Priority, RoadmapColumn
from tracker.extensions import db
from tracker.programmes import services as programmes


def test_drag_a_card_from_backlog_to_concept_development(page, world, sign_in, visit, axe, fresh):
    card = world.card_a
    sign_in(page.context, world.team_a)
    visit(page, roadmap_url(world.org_a))
    expect(card_in(page, card, "backlog")).to_be_visible()

    with page.expect_response(is_move) as moved:
        drag(page, page.locator(f"#card-{card.id}"), column_list(page, card, "concept"))
    assert moved.value.status == 200
    expect(card_in(page, card, "concept")).to_be_visible()
    expect(card_in(page, card, "backlog")).to_have_count(0)
    expect(page.locator("#board-status")).to_contain_text(f"{card.code} {card.title} moved to Concept development")
    axe(page, "roadmap after a drag")

    page.reload()
    expect(card_in(page, card, "concept")).to_be_visible()
    assert fresh(card).column == RoadmapColumn.CONCEPT


def test_move_cards_with_the_keyboard(page, world, sign_in, visit, axe, fresh):
    first = world.card_a
    second = factories.make_card(world.org_a, "Second quick win", user=world.team_a)
    third = factories.make_card(world.org_a, "Third quick win", user=world.team_a)
    sign_in(page.context, world.team_a)
    visit(page, roadmap_url(world.org_a))
    status = page.locator("#board-status")
    expect_order(page, [first, second, third], "backlog")

    # Right arrow: to the bottom of the next column; focus stays on the card; the move is announced.
    page.locator(f"#card-{first.id}").focus()
    with page.expect_response(is_move):
        page.keyboard.press("ArrowRight")
    expect(card_in(page, first, "concept")).to_be_visible()
    expect(page.locator(f"#card-{first.id}")).to_be_focused()
    expect(status).to_have_text(f"{first.code} {first.title} moved to Concept development, position 1 of 1")

    # Left arrow brings it back, to the bottom of the backlog.
    with page.expect_response(is_move):
        page.keyboard.press("ArrowLeft")
    expect(card_in(page, first, "backlog")).to_be_visible()
    expect(page.locator(f"#card-{first.id}")).to_be_focused()
    expect(status).to_have_text(f"{first.code} {first.title} moved to Backlog (not started), position 3 of 3")
    expect_order(page, [second, third, first], "backlog")

    # Up arrow: one place up; down arrow on another card: one place down.
    with page.expect_response(is_move):
        page.keyboard.press("ArrowUp")
    expect_order(page, [second, first, third], "backlog")
    expect(page.locator(f"#card-{first.id}")).to_be_focused()
    expect(status).to_have_text(f"{first.code} {first.title} moved to Backlog (not started), position 2 of 3")

    page.locator(f"#card-{second.id}").focus()
    with page.expect_response(is_move):
        page.keyboard.press("ArrowDown")
    expect_order(page, [first, second, third], "backlog")
    expect(page.locator(f"#card-{second.id}")).to_be_focused()
    expect(status).to_have_text(f"{second.code} {second.title} moved to Backlog (not started), position 2 of 3")

    page.locator(f"#card-{third.id}").focus()
    with page.expect_response(is_move):
        page.keyboard.press("ArrowUp")
    expect_order(page, [first, third, second], "backlog")
    expect(page.locator(f"#card-{third.id}")).to_be_focused()
    axe(page, "roadmap after keyboard moves")

    # Nothing further left of the backlog: nothing is sent, and the board says where the card is.
    page.keyboard.press("ArrowLeft")
    expect(status).to_have_text(f"{third.code} {third.title}: Backlog (not started) (3)")
    expect(page.locator(f"#card-{third.id}")).to_be_focused()

    page.reload()
    expect_order(page, [first, third, second], "backlog")
    positions = {c.id: fresh(c).position for c in (first, second, third)}
    assert sorted(positions, key=positions.get) == [first.id, third.id, second.id]
    assert {fresh(c).column for c in (first, second, third)} == {RoadmapColumn.BACKLOG}


def test_move_a_card_without_javascript(new_context, world, sign_in, visit, fresh):
    card = world.card_a
    page = sign_in(new_context(java_script_enabled=False), world.team_a).new_page()
    visit(page, roadmap_url(world.org_a))
    item = page.locator(f"#card-{card.id}")
    expect(item.get_by_role("button", name=f"Move {card.code} to another column or position")).to_be_hidden()
    item.get_by_label("Move to").select_option(label="Prototyping")
    item.get_by_role("button", name=f"Move {card.code}", exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(roadmap_url(world.org_a)) + f"#card-{card.id}$"))
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(f"{card.code} {card.title} moved to Prototyping, position 1 of 1")
    expect(card_in(page, card, "prototyping")).to_be_visible()
    expect(card_in(page, card, "prototyping").get_by_label("Move to")).to_have_value("prototyping")
    assert fresh(card).column == RoadmapColumn.PROTOTYPING


def test_put_a_card_at_a_chosen_position_without_javascript(new_context, world, sign_in, visit, fresh):
    first = factories.make_card(world.org_a, "First in prototyping", user=world.team_a,
                                column=RoadmapColumn.PROTOTYPING)
    second = factories.make_card(world.org_a, "Second in prototyping", user=world.team_a,
                                 column=RoadmapColumn.PROTOTYPING)
    card = world.card_a
    page = sign_in(new_context(java_script_enabled=False), world.team_a).new_page()
    visit(page, roadmap_url(world.org_a))
    item = page.locator(f"#card-{card.id}")
    item.get_by_label("Move to").select_option(label="Prototyping")
    item.get_by_label("Position").fill("2")
    item.get_by_role("button", name=f"Move {card.code}", exact=True).click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{card.code} {card.title} moved to Prototyping, position 2 of 3")
    expect_order(page, [first, card, second], "prototyping")

    # An empty position is the bottom of the column.
    item = page.locator(f"#card-{first.id}")
    item.get_by_label("Position").fill("")
    item.get_by_role("button", name=f"Move {first.code}", exact=True).click()
    expect_order(page, [card, second, first], "prototyping")
    assert [fresh(c).position for c in (card, second, first)] == [0, 1, 2]


def test_filter_the_board_by_priority_and_by_search(page, world, sign_in, visit, axe):
    urgent = factories.make_card(world.org_a, "Answer the phone faster", priority=Priority.HIGH, user=world.team_a)
    idea = world.idea_a
    sign_in(page.context, world.team_a)
    visit(page, roadmap_url(world.org_a))
    summary = page.locator(".app-board__count")
    expect(summary).to_have_text("3 cards")

    status = page.locator("#board-status")
    page.get_by_label("Priority").select_option(label="High")
    expect(summary).to_have_text("1 card matches the filters")
    expect(status).to_have_text("1 card matches the filters")  # the new count, not the one before
    expect(page.locator(f"#card-{urgent.id}")).to_be_visible()
    expect(page.locator(f"#card-{world.card_a.id}")).to_have_count(0)
    expect(page.locator(f"#card-{idea.id}")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"[?&]priority=high"))
    expect(page.get_by_role("link", name="Clear filters")).to_be_visible()  # with the board htmx redrew
    axe(page, "roadmap filtered by priority")

    # Back goes to the unfiltered board (htmx restores it from the server: its history cache is off).
    page.go_back()
    expect(summary).to_have_text("3 cards")
    expect(page.get_by_label("Priority")).to_have_value("")
    page.go_forward()
    expect(summary).to_have_text("1 card matches the filters")

    page.get_by_label("Priority").select_option(label="Any")
    expect(summary).to_have_text("3 cards")
    expect(status).to_have_text("3 cards")
    # Search filters as you type (after a pause), without Enter.
    search = page.get_by_label("Search")
    search.press_sequentially("feedback", delay=20)
    expect(summary).to_have_text("1 card matches the filters")
    expect(status).to_have_text("1 card matches the filters")
    expect(search).to_be_focused()
    search.press("Enter")
    expect(summary).to_have_text("1 card matches the filters")
    expect(page.locator(f"#card-{idea.id}")).to_be_visible()
    expect(page.locator(f"#card-{urgent.id}")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"[?&]q=feedback"))

    # The filtered board survives a reload (the filters are in the address), and moves keep the filter.
    page.reload()
    expect(summary).to_have_text("1 card matches the filters")
    expect(page.get_by_label("Search")).to_have_value("feedback")
    page.locator(f"#card-{idea.id}").focus()
    with page.expect_response(is_move) as moved:
        page.keyboard.press("ArrowRight")
    assert "q=feedback" in moved.value.url
    expect(card_in(page, idea, "concept")).to_be_visible()
    expect(page.locator(f"#card-{urgent.id}")).to_have_count(0)


def test_move_a_card_with_its_move_to_form(page, world, sign_in, visit, fresh):
    """With JavaScript on, the card's own "Move to" form moves it in place (htmx), and keeps focus on it."""
    card = world.card_a
    sign_in(page.context, world.team_a)
    visit(page, roadmap_url(world.org_a))
    item = page.locator(f"#card-{card.id}")
    # With JavaScript the form is folded behind the card's "Move" button, which opens it.
    expect(item.get_by_label("Move to")).to_be_hidden()
    toggle = item.get_by_role("button", name=f"Move {card.code} to another column or position")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(item.get_by_label("Move to")).to_be_focused()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    item.get_by_label("Move to").select_option(label="On hold")
    page.wait_for_timeout(300)
    assert requests == [], "choosing a column sent a request (the filter form reacted to it)"
    expect(item.get_by_label("Move to")).to_have_value("on_hold")
    with page.expect_response(is_move) as moved:
        item.get_by_role("button", name=f"Move {card.code}", exact=True).click()
    assert moved.value.status == 200
    expect(card_in(page, card, "on_hold")).to_be_visible()
    expect(page.locator(f"#card-{card.id}")).to_be_focused()
    expect(page.locator("#board-status")).to_have_text(f"{card.code} {card.title} moved to On hold, position 1 of 1")
    assert fresh(card).column == RoadmapColumn.ON_HOLD


def test_cards_show_their_linked_initiatives(page, world, sign_in, visit):
    """The seed's sample roadmap notes "LINKED TO …" on its cards: the board does too."""
    rrtps = programmes.add_initiative(world.programme, "RRTPs")
    hsg = programmes.add_initiative(world.programme, "HSG needs assessment")
    world.card_a.initiatives = [rrtps, hsg]
    db.session.commit()
    sign_in(page.context, world.viewer)
    visit(page, roadmap_url(world.org_a))
    expect(page.locator(f"#card-{world.card_a.id} .app-card__linked")).to_have_text(
        "Linked to: HSG needs assessment, RRTPs")
    expect(page.locator(f"#card-{world.idea_a.id} .app-card__linked")).to_have_count(0)
