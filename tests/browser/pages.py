"""Small helpers shared by the browser tests: URLs and locators for the board."""

from playwright.sync_api import Locator, Page

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


def card_ids(page: Page, card: Card, column: str) -> list[int]:
    """The ids of the cards in one column of the card's lane, top to bottom."""
    return [int(i) for i in column_list(page, card, column).locator(":scope > li.app-card")
            .evaluate_all("items => items.map(li => li.dataset.cardId)")]


def is_move(response) -> bool:
    return response.request.method == "POST" and response.url.split("?")[0].endswith("/move")
