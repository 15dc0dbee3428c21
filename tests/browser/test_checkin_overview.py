"""The facilitator's overview in the browser: opened from the programme page, sorted by a column (with and
without JavaScript), downloaded as .xlsx; on a phone the table scrolls inside its labelled region, never the
page. Every view checked with axe."""

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.checkins.conftest import MID_MAY
from tests.checkins.test_overview import Scripted
from tracker.core import clock


@pytest.fixture(autouse=True)
def _may_2026():
    """13 May 2026 for the server too: period 1's figures are overdue and wave 2 is the latest closed wave."""
    with clock.frozen(MID_MAY):
        yield


def body_rows(page) -> list[str]:
    """The organisations in the table's order."""
    return page.locator("table.app-overview tbody tr th[scope=row] > a").all_inner_texts()


def test_a_facilitator_opens_sorts_and_downloads_the_overview(page, world, sign_in, visit, axe):
    Scripted(world)
    sign_in(page.context, world.facilitator)
    visit(page, f"/programmes/{world.programme.slug}")
    page.get_by_role("link", name="Overview of organisations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview of organisations")
    table = page.get_by_role("table", name=re.compile("^3 organisations"))
    expect(table).to_be_visible()
    assert body_rows(page) == ["Council A", "Council B", "Council C"]
    expect(table.get_by_role("columnheader", name="Organisation")).to_have_attribute("aria-sort", "ascending")
    council_b = table.get_by_role("row", name=re.compile("Council B"))
    expect(council_b).to_contain_text("Hidden: fewer than 5 responses")
    expect(council_b).to_contain_text("Overdue")  # its next check-in, 1 May, was not held
    expect(table.get_by_role("row", name=re.compile("Council A"))).to_contain_text("50%")
    axe(page, "overview")

    # Sort by overdue actions: most first, then the other way round.
    table.get_by_role("link", name="Overdue actions").click()
    expect(page).to_have_url(re.compile(r"\?sort=overdue&dir=desc$"))
    expect(table.get_by_role("columnheader", name=re.compile("Overdue actions"))).to_have_attribute(
        "aria-sort", "descending")
    expect(table.get_by_role("columnheader", name="Organisation")).to_have_attribute("aria-sort", "none")
    assert body_rows(page) == ["Council B", "Council A", "Council C"]
    expect(page.get_by_text("Sorted by: Overdue actions, highest first")).to_be_visible()
    expect(page.get_by_role("region", name="3 organisations")).to_have_attribute("aria-describedby", "overview-sorted")
    axe(page, "overview sorted by overdue actions")
    table.get_by_role("link", name="Overdue actions").click()
    expect(page).to_have_url(re.compile(r"\?sort=overdue&dir=asc$"))
    assert body_rows(page) == ["Council C", "Council A", "Council B"]

    # The .xlsx holds the same rows in the same order.
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (.xlsx)").click()
    assert re.fullmatch(r"welsh-pilot-overview-2026-05-13\.xlsx", download.value.suggested_filename)
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Organisation"
    assert [row[0] for row in rows[1:]] == ["Council C", "Council A", "Council B"]
    assert rows[3][rows[0].index("Response rate (%)")] == "Hidden: fewer than 5 responses"


def test_on_a_phone_the_table_scrolls_inside_its_region(page, world, sign_in, axe):
    Scripted(world)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page.context, world.facilitator)
    page.goto(f"/programmes/{world.programme.slug}/overview")
    region = page.get_by_role("region", name=re.compile("^3 organisations"))
    expect(region).to_be_visible()
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    region.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(region).not_to_have_js_property("scrollLeft", 0)
    # The organisation stays in view while its row scrolls past.
    expect(region.get_by_role("link", name="Council A", exact=True)).to_be_in_viewport()
    axe(page, "overview on a phone")


def test_sorting_works_without_javascript(new_context, world, sign_in, axe):
    Scripted(world)
    page = sign_in(new_context(java_script_enabled=False), world.viewer).new_page()
    page.goto(f"/programmes/{world.programme.slug}/overview")
    page.get_by_role("link", name="Stalled cards").click()
    expect(page).to_have_url(re.compile(r"\?sort=stalled&dir=desc$"))
    assert body_rows(page)[0] == "Council B"
    axe(page, "overview sorted without JavaScript")
