"""Figures in and out through the browser: importing a .csv with its preview, downloading the .xlsx."""

import re

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.results_pages import (
    PERIOD_1,
    ambiguous_ids,
    figure_cells,
    make_share_indicator,
    save_figure,
    started,
    success_banner,
    tracker_url,
)
from tracker.extensions import db
from tracker.results.models import Figure

HEADER = "Indicator code,Organisation,Period number,Numerator,Denominator,Source"


def write_csv(path, *rows: str):
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def preview_rows(page):
    return page.get_by_role("table", name="Rows in the file").locator("tbody tr")


def test_import_figures_from_a_csv_file(page, world, sign_in, visit, axe, tmp_path):
    started(world.programme)
    indicator = make_share_indicator(world.programme)
    sign_in(page.context, world.team_a)
    visit(page, tracker_url(world.programme))
    page.get_by_role("link", name="Import figures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import figures")
    axe(page, "import figures", once=True)

    # No file chosen.
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a .csv or .xlsx file")
    expect(page.locator("#file-error")).to_contain_text("Choose a .csv or .xlsx file")
    axe(page, "import figures, no file")

    # One good row and one for an organisation the programme does not have: nothing can be imported.
    mixed = write_csv(tmp_path / "mixed.csv", f"{indicator.code},Council A,1,10,100,Case system",
                      f"{indicator.code},Council Z,1,5,50,Case system")
    page.get_by_label("Upload a file").set_input_files(mixed)
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the figures before you import them")
    expect(page.locator(".govuk-caption-l")).to_contain_text("mixed.csv")
    expect(page.get_by_text("1 new, 0 changed, 0 unchanged, 1 with errors.")).to_be_visible()
    rows = preview_rows(page)
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td")).to_have_text(["2", "New", indicator.code, "Council A", "1", "10/100", ""])
    expect(rows.nth(1).locator("td")).to_have_text(
        ["3", "Error", indicator.code, "Council Z", "1", "5/50", "Unknown organisation “Council Z”"])
    # The rows at fault are listed above the table too (on a phone its last columns are off to the right).
    expect(page.locator("#row-errors li")).to_have_text(["Row 3: Unknown organisation “Council Z”"])
    expect(page.get_by_role("link", name="Upload a different file").last).to_be_visible()
    expect(rows.nth(0).locator(".govuk-tag")).to_have_class(re.compile("govuk-tag--blue"))
    expect(rows.nth(1).locator(".govuk-tag")).to_have_class(re.compile("govuk-tag--red"))
    expect(page.locator(".govuk-warning-text")).to_contain_text("Nothing can be imported while any row has an error")
    expect(page.locator("main").get_by_role("button")).to_have_count(0)
    axe(page, "import preview with an error", once=True)
    assert db.session.query(Figure).count() == 0

    # A good file: preview, confirm, and the figure is in the tracker.
    page.locator("main").get_by_role("link", name="Upload a different file").click()
    good = write_csv(tmp_path / "good.csv", f"{indicator.code},council-a,1,10,100,Case system")
    page.get_by_label("Upload a file").set_input_files(good)
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("1 new, 0 changed, 0 unchanged, 0 with errors.")).to_be_visible()
    expect(preview_rows(page).locator(".govuk-tag")).to_have_text(["New"])
    assert ambiguous_ids(page) == []
    axe(page, "import preview, ready to import")
    page.get_by_role("button", name="Import 1 figure").click()

    expect(page).to_have_url(re.compile(re.escape(tracker_url(world.programme)) + "$"))
    expect(success_banner(page)).to_contain_text("1 figure imported")
    expect(figure_cells(page, indicator).nth(0)).to_contain_text("10.0% (10/100)")
    expect(figure_cells(page, indicator).nth(1)).to_have_text(re.compile(r"10\.0% \(10/100\)\s*1 of 2 reported"))
    axe(page, "tracker after an import")

    # The figure's history says it came from an import.
    page.get_by_role("link", name=f"Change {indicator.code}, {PERIOD_1}").click()
    history = page.get_by_role("table", name="Changes to this figure")
    expect(history.locator("tbody tr")).to_have_count(1)
    expect(history.locator("tbody tr")).to_contain_text("(import)")
    expect(page.get_by_label("Source")).to_have_value("Case system")


def test_download_the_results_tracker_as_a_spreadsheet(page, world, sign_in, visit, tmp_path):
    started(world.programme)
    indicator = make_share_indicator(world.programme)
    save_figure(indicator, world.org_a, 1, "10", "100")
    save_figure(indicator, world.org_b, 1, "30", "100")
    sign_in(page.context, world.team_a)
    visit(page, tracker_url(world.programme))
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download (.xlsx)").click()
    download = downloading.value
    assert re.fullmatch(rf"{world.programme.slug}-results-\d{{4}}-\d\d-\d\d\.xlsx", download.suggested_filename)

    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = load_workbook(saved, read_only=True)
    try:
        assert workbook.sheetnames == ["Results tracker", "Figures"]
        figures = [list(row) for row in workbook["Figures"].iter_rows(values_only=True)]
        tracker = [list(row) for row in workbook["Results tracker"].iter_rows(values_only=True)]
    finally:
        workbook.close()
    assert figures[0][:7] == ["Indicator code", "Organisation", "Period number", "Period", "Value", "Numerator",
                              "Denominator"]
    # Team A's download holds Council A's figures only; the across-all figure counts both councils.
    assert [row[:7] for row in figures[1:]] == [[indicator.code, "Council A", 1, PERIOD_1, None, 10, 100]]
    row = next(r for r in tracker if r[1] == f"{indicator.code} {indicator.name}")
    # Target, direction and progress against target; period 1: Council A's 10.0%, 20.0% across all.
    assert row[2:7] == [12, "Lower is better", "Off track (red)", 10, 20]
    assert tracker[2][5:7] == ["Testing phase in Council A", "Across all organisations"]
