"""The results tracker in the browser: setting up the framework, entering figures, the indicator's chart,
and linking cards to indicators."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.pages import roadmap_url
from tests.browser.results_pages import (
    PERIOD_1,
    ambiguous_ids,
    figure_cells,
    make_share_indicator,
    rag_tag,
    save_figure,
    started,
    success_banner,
    tracker_url,
)
from tracker.extensions import db
from tracker.results import services
from tracker.results.models import Direction, Indicator, Unit


def test_set_up_an_objective_an_outcome_and_an_indicator(page, world, sign_in, visit, axe):
    programme = world.programme
    sign_in(page.context, world.facilitator)
    visit(page, f"/programmes/{programme.slug}")
    page.get_by_role("link", name="Objectives, outcomes and indicators").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Objectives, outcomes and indicators")
    expect(page.get_by_text("No objectives yet.")).to_be_visible()
    axe(page, "framework, empty", once=True)

    page.get_by_label("Objective", exact=True).fill("To reduce prevention fall-out")
    page.get_by_role("button", name="Add objective").click()
    expect(success_banner(page)).to_contain_text("Objective 1 added")
    expect(page.get_by_role("heading", name="Objective 1: To reduce prevention fall-out")).to_be_visible()

    page.get_by_role("link", name="Add an outcome").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an outcome")
    axe(page, "add an outcome", once=True)
    page.get_by_label("Outcome", exact=True).fill("Fewer households fall out of Prevention duty")
    page.get_by_role("button", name="Add outcome").click()
    expect(success_banner(page)).to_contain_text("Outcome 1.1 added")
    outcome = page.get_by_role("heading", name="Outcome 1.1: Fewer households fall out of Prevention duty")
    expect(outcome).to_be_visible()
    expect(page.get_by_text("No indicators yet.")).to_be_visible()

    page.get_by_role("link", name="Add an indicator to outcome 1.1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an indicator")
    axe(page, "add an indicator", once=True)
    page.get_by_label("Indicator", exact=True).fill("Share of households falling out")
    page.get_by_label("Indicator definition").fill("Households recorded as fallen out, over all under the duty")
    page.get_by_role("radio", name="Proportion (numerator and denominator)").check()
    page.get_by_role("radio", name="Lower is better").check()
    page.get_by_label("Target").fill("12")
    # A proportion needs to say what its numerator and denominator count.
    page.get_by_role("button", name="Save indicator").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Say what the numerator and the denominator count")
    # On the empty field it names (the unit chosen is right).
    expect(page.locator("#numerator_label-error")).to_contain_text("Say what the numerator and the denominator count")
    expect(page).to_have_title(re.compile("^Error: "))
    axe(page, "add an indicator, with an error")
    assert ambiguous_ids(page) == []

    page.get_by_label("Numerator (proportions only)").fill("households that fell out")
    page.get_by_label("Denominator (proportions only)").fill("households under Prevention duty")
    page.get_by_label("Data collection frequency").fill("Quarterly")
    page.get_by_role("button", name="Save indicator").click()

    expect(success_banner(page)).to_contain_text("Indicator 1.1.1 added")
    expect(page.get_by_role("heading", level=1)).to_have_text("Share of households falling out")
    expect(page.locator("main .govuk-tag").first).to_have_text("No figures yet")
    expect(page.locator(".govuk-summary-list")).to_contain_text(
        "Proportion (numerator and denominator): households that fell out / households under Prevention duty")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Lower is better")
    expect(page.locator(".govuk-summary-list")).to_contain_text("12%")
    axe(page, "indicator page, no figures", once=True)

    page.get_by_role("link", name="Results tracker").first.click()
    page.get_by_role("link", name="Objectives, outcomes and indicators").click()
    expect(page.locator(".app-panel").get_by_role("link")).to_have_text([
        "Change outcome 1.1", "Delete outcome 1.1", "1.1.1 Share of households falling out",
        re.compile("Add an indicator"), re.compile("Add an output")])
    axe(page, "framework with an indicator")
    db.session.rollback()  # read what the server wrote
    saved = db.session.scalars(select(Indicator).where(Indicator.programme_id == programme.id)).one()
    assert (saved.code, saved.unit, saved.direction, saved.target) == ("1.1.1", Unit.PROPORTION, Direction.DECREASE, 12)
    assert saved.numerator_label == "households that fell out"


def test_enter_figures_for_two_organisations_and_see_the_total_and_progress(
        page, new_context, world, sign_in, visit, axe):
    started(world.programme)
    indicator = make_share_indicator(world.programme)
    enter = f"Enter {indicator.code}, {PERIOD_1}"

    # Team A: no figures yet; a numerator above its denominator is refused, then 10/100 is saved.
    sign_in(page.context, world.team_a)
    visit(page, tracker_url(world.programme))
    expect(rag_tag(page, indicator)).to_have_text("No figures yet")
    page.get_by_role("link", name=enter).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{indicator.code} {indicator.name}")
    axe(page, "enter a figure", once=True)
    page.get_by_label("Numerator: households that fell out").fill("30")
    page.get_by_label("Denominator: households under Prevention duty").fill("20")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Save figure").click()
    assert answer.value.status == 422
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="The numerator cannot be more than the denominator")).to_have_attribute(
        "href", "#numerator")
    expect(page.locator("#numerator-error")).to_contain_text("The numerator cannot be more than the denominator")
    expect(page.get_by_label("Numerator: households that fell out")).to_have_value("30")
    axe(page, "figure with an error")
    assert ambiguous_ids(page) == []

    page.get_by_label("Denominator: households under Prevention duty").fill("100")
    page.get_by_label("Numerator: households that fell out").fill("10")
    page.get_by_role("button", name="Save figure").click()
    expect(success_banner(page)).to_contain_text(f"Figure saved for Council A, {PERIOD_1}")
    expect(figure_cells(page, indicator).nth(0)).to_contain_text("10.0% (10/100)")
    expect(figure_cells(page, indicator).nth(1)).to_have_text(re.compile(r"10\.0% \(10/100\)\s*1 of 2 reported"))
    expect(rag_tag(page, indicator)).to_have_text("Ahead of target")  # 10% against 12% ± 15%, lower is better

    # The facilitator enters Council B's figure, choosing it under "Show figures for".
    other = sign_in(new_context(), world.facilitator).new_page()
    visit(other, tracker_url(world.programme))
    other.get_by_label("Show figures for").select_option(label="Council B")
    other.get_by_role("button", name="Show", exact=True).click()
    expect(other).to_have_url(re.compile(r"\?organisation=council-b$"))
    expect(other.get_by_role("columnheader", name="Testing phase in Council B").first).to_be_visible()
    other.get_by_role("link", name=enter).click()
    expect(other.locator(".govuk-caption-l")).to_contain_text("Council B")
    other.get_by_label("Numerator: households that fell out").fill("30")
    other.get_by_label("Denominator: households under Prevention duty").fill("100")
    other.get_by_role("button", name="Save figure").click()
    expect(success_banner(other)).to_contain_text(f"Figure saved for Council B, {PERIOD_1}")
    expect(figure_cells(other, indicator).nth(0)).to_contain_text("30.0% (30/100)")
    expect(figure_cells(other, indicator).nth(1)).to_have_text(re.compile(r"20\.0% \(40/200\)\s*2 of 2 reported"))
    expect(rag_tag(other, indicator)).to_have_text("Off track")
    axe(other, "tracker after two figures")
    assert ambiguous_ids(other) == []

    # Team A sees the pooled figure, then changes its own figure and brings the indicator on track.
    page.reload()
    expect(figure_cells(page, indicator).nth(1)).to_have_text(re.compile(r"20\.0% \(40/200\)\s*2 of 2 reported"))
    expect(rag_tag(page, indicator)).to_have_text("Off track")
    page.get_by_role("link", name=f"Change {indicator.code}, {PERIOD_1}").click()
    expect(page.get_by_label("Numerator: households that fell out")).to_have_value("10")
    expect(page.get_by_label("Denominator: households under Prevention duty")).to_have_value("100")
    page.get_by_label("Numerator: households that fell out").fill("30")
    page.get_by_label("Denominator: households under Prevention duty").fill("400")
    page.get_by_role("button", name="Save figure").click()
    expect(success_banner(page)).to_contain_text("Figure saved for Council A")
    expect(figure_cells(page, indicator).nth(0)).to_contain_text("7.5% (30/400)")
    expect(figure_cells(page, indicator).nth(1)).to_have_text(re.compile(r"12\.0% \(60/500\)\s*2 of 2 reported"))
    expect(rag_tag(page, indicator)).to_have_text("On track")
    axe(page, "tracker, on track")

    # The figure keeps its history: who changed it, from what, to what.
    page.get_by_role("link", name=f"Change {indicator.code}, {PERIOD_1}").click()
    history = page.get_by_role("table", name="Changes to this figure")
    expect(history.locator("tbody tr")).to_have_count(2)
    expect(history.locator("tbody tr").first).to_contain_text("Team A")
    axe(page, "figure with history", once=True)


def test_the_indicator_page_shows_a_chart_and_the_figures(page, world, sign_in, visit, axe):
    started(world.programme, days=200)  # periods 1, 2 and 3 have started
    indicator = make_share_indicator(world.programme)
    save_figure(indicator, world.org_a, 1, "20", "100")
    save_figure(indicator, world.org_b, 1, "30", "100")
    save_figure(indicator, world.org_a, 2, "12", "100")
    save_figure(indicator, world.org_b, 2, "8", "100")
    sign_in(page.context, world.team_a)
    visit(page, tracker_url(world.programme))
    page.get_by_role("link", name=f"{indicator.code} {indicator.name}").click()
    expect(page).to_have_url(re.compile(f"/indicators/{indicator.id}\\?organisation=council-a$"))

    chart = page.locator("svg[role=img]")
    expect(chart).to_be_visible()
    expect(page.get_by_role("img", name=f"{indicator.code} over the reporting periods")).to_be_visible()
    expect(chart.locator("path")).to_have_count(2)  # across all organisations, and Council A
    expect(chart.locator("circle")).to_have_count(2)  # across all: periods 1 and 2
    expect(chart.locator("rect")).to_have_count(2)  # Council A: periods 1 and 2
    expect(page.locator("figcaption")).to_contain_text("Across all organisations (circles)")
    expect(page.locator("figcaption")).to_contain_text("Council A (squares)")
    expect(page.locator("figcaption")).to_contain_text("Target (dashed line)")

    table = page.get_by_role("table", name="Figures by reporting period")
    expect(table.get_by_role("columnheader")).to_have_text(["Reporting period", "Council A",
                                                            "Across all organisations"])
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(4)  # a 12-month evaluation, reported every three months
    expect(rows.nth(0)).to_contain_text("20.0% (20/100)")
    expect(rows.nth(0)).to_contain_text("25.0% (50/200)")
    expect(rows.nth(0)).to_contain_text("2 of 2 reported")
    expect(rows.nth(1)).to_contain_text("12.0% (12/100)")
    expect(rows.nth(1)).to_contain_text("10.0% (20/200)")
    expect(rows.nth(2).get_by_role("link", name="Enter")).to_be_visible()  # period 3 has started
    expect(rows.nth(3).get_by_role("link")).to_have_count(0)  # period 4 has not
    expect(page.locator("main .govuk-tag").first).to_have_text("Ahead of target")  # latest: 10% against 12%
    axe(page, "indicator page with its chart", once=True)
    assert ambiguous_ids(page) == []


def test_link_a_card_to_an_indicator_and_filter_the_roadmap_by_it(page, world, sign_in, visit, axe, fresh):
    indicator = make_share_indicator(world.programme)
    card = world.card_a
    sign_in(page.context, world.team_a)
    visit(page, f"/cards/{card.id}")
    expect(page.locator("h2#indicators + p")).to_have_text("None yet.")

    page.get_by_text("Choose indicators").click()
    # Each checkbox is labelled (its id is not taken by the section's heading, which the label would find).
    assert ambiguous_ids(page) == []
    page.get_by_role("checkbox", name=f"{indicator.code} {indicator.name}").check()
    page.get_by_role("button", name="Save linked indicators").click()
    expect(page).to_have_url(re.compile(f"/cards/{card.id}#indicators$"))
    expect(success_banner(page)).to_contain_text("Linked indicators saved")
    linked = page.locator("#indicators + ul").get_by_role("link")
    expect(linked).to_have_text([f"{indicator.code} {indicator.name}"])
    axe(page, "card page with a linked indicator")

    linked.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(indicator.name)
    cards = page.locator("#cards + ul")
    expect(cards.get_by_role("link")).to_have_text([f"{card.code} {card.title}"])
    expect(cards).to_contain_text("Council A")
    axe(page, "indicator page with a linked card", once=True)
    assert services.card_indicator_ids(fresh(card)) == {indicator.id}

    visit(page, roadmap_url(world.org_a))
    summary = page.locator(".app-board__count")
    expect(summary).to_have_text("2 cards")
    page.get_by_label("Indicator", exact=True).select_option(label=f"{indicator.code} {indicator.name}")
    expect(summary).to_have_text("1 card matches the filters")
    expect(page.locator(f"#card-{card.id}")).to_be_visible()
    expect(page.locator(f"#card-{world.idea_a.id}")).to_have_count(0)
    expect(page).to_have_url(re.compile(f"[?&]indicator={indicator.id}(&|$)"))
    axe(page, "roadmap filtered by indicator")

    page.reload()
    expect(summary).to_have_text("1 card matches the filters")
    expect(page.get_by_label("Indicator", exact=True)).to_have_value(str(indicator.id))
