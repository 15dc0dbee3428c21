"""Small helpers shared by the browser tests: URLs and locators for the board."""

import re

from playwright.sync_api import Locator, Page, expect

from tracker.board.models import Card


def roadmap_url(org) -> str:
    return f"/programmes/{org.programme.slug}/{org.slug}/roadmap"


def org_url(org) -> str:
    return f"/programmes/{org.programme.slug}/{org.slug}/"


def lane_id(card: Card) -> str:
    return f"lane-{card.opportunity_id}" if card.opportunity_id else "lane-quick-wins"


def column_list(page: Page, card: Card, column: str) -> Locator:
    """The ``<ul>`` of one column in the card's own lane."""
    return page.locator(f"#{lane_id(card)} ul.app-column__cards[data-column='{column}']")


def card_in(page: Page, card: Card, column: str) -> Locator:
    return column_list(page, card, column).locator(f":scope > #card-{card.id}")


def is_move(response) -> bool:
    return response.request.method == "POST" and response.url.split("?")[0].endswith("/move")


def summary_value(scope: Locator, key: str) -> Locator:
    """The value of the GOV.UK summary list row whose key is exactly ``key``."""
    return scope.locator(".govuk-summary-list__row").filter(
        has=scope.page.locator(".govuk-summary-list__key", has_text=re.compile(f"^\\s*{re.escape(key)}\\s*$"))
    ).locator(".govuk-summary-list__value")


def drag(page: Page, source, target) -> None:
    """Drag ``source`` onto ``target`` with real pointer events and several intermediate moves."""
    source.scroll_into_view_if_needed()
    box = source.locator(".app-card__title").bounding_box()
    start_x, start_y = box["x"] + 5, box["y"] + box["height"] / 2
    goal = target.bounding_box()
    end_x, end_y = goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] - 10
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x + 10, start_y + 5, steps=3)
    page.mouse.move(end_x, end_y, steps=15)
    page.mouse.move(end_x, end_y + 2, steps=2)
    page.mouse.up()


def expect_order(page: Page, cards: list[Card], column: str) -> None:
    """Wait until the column (in the cards' lane) holds exactly ``cards``, in that order."""
    titles = column_list(page, cards[0], column).locator(":scope > li.app-card > .app-card__title")
    expect(titles).to_have_text([f"{card.code} {card.title}" for card in cards])
