"""Insights in the browser: a team member adds an insight under a new theme (after a form with errors), answers
it with a quick win in one step and sees it on the card's page, links an existing quick win, changes the
insight, and reaches the archive and delete confirmations. Every page checked with axe, at 1,280 and 375 px."""

import re

from playwright.sync_api import expect

from tests.browser.pages import org_url
from tests.browser.results_pages import success_banner
from tracker.extensions import db
from tracker.insights import services
from tracker.insights.models import InsightSource

VISITED = {"insights.index", "insights.new", "insights.insight", "insights.edit", "insights.archive",
           "insights.delete", "insights.idea"}


def test_a_team_member_records_an_insight_and_answers_it(page, world, sign_in, visit, axe):
    sign_in(page.context, world.team_a)
    visit(page, org_url(world.org_a))
    page.get_by_role("navigation", name="Action plans").get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    expect(page.get_by_text("No insights yet.")).to_be_visible()
    axe(page, "insights, none yet", once=True)

    page.get_by_role("link", name="Add an insight").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an insight")
    axe(page, "add an insight, no themes yet", once=True)
    page.get_by_label("Evidence").fill("3 of 3 officers said so.\n\n- calls go *unanswered*")
    page.get_by_role("button", name="Save insight").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a theme")
    expect(summary).to_contain_text("Enter the insight")
    expect(summary).to_contain_text("Choose where the insight came from")
    expect(page.get_by_label("Evidence")).to_have_value("3 of 3 officers said so.\n\n- calls go *unanswered*")
    axe(page, "add an insight, errors")

    page.get_by_label("Theme").fill("Communication with customers")
    page.get_by_label("Insight", exact=True).fill("Customers cannot always get through on the phone")
    page.get_by_role("radio", name="Interviews").check()
    page.get_by_role("button", name="Save insight").click()
    expect(success_banner(page)).to_contain_text("Insight added under “Communication with customers”")
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers cannot always get through on the phone")
    expect(page.locator(".app-markdown em")).to_have_text("unanswered")
    axe(page, "an insight, nothing answers it yet")

    # One step: a quick win in the backlog, titled from the insight, shown on the card page.
    page.get_by_role("button", name="Answer with a quick win").click()
    expect(success_banner(page)).to_contain_text("Quick win 2 added to the backlog: it answers the insight")
    expect(page.get_by_role("heading", level=1)).to_have_text("2 Customers cannot always get through on the phone")
    came_from = page.locator("#details ul.govuk-list").filter(has_text="Insight:")
    expect(came_from).to_contain_text("Insight: Customers cannot always get through on the phone")
    axe(page, "a quick win made from an insight")
    came_from.get_by_role("link", name="Customers cannot always get through on the phone").click()

    # Link an existing quick win too.
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers cannot always get through on the phone")
    page.get_by_label("Quick win, idea or design opportunity").select_option(label="Quick win 1: Make letters "
                                                                                  "friendlier")
    page.get_by_role("button", name="Link", exact=True).click()
    expect(success_banner(page)).to_contain_text("Quick win 1: Make letters friendlier now answers this insight")
    answers = page.locator("#what-came-of-it + ul")
    expect(answers.get_by_role("listitem")).to_have_count(2)
    expect(answers).to_contain_text("Backlog (not started)")
    axe(page, "an insight answered by two quick wins")

    # And a design opportunity, whose page then says where it came from.
    page.get_by_label("Quick win, idea or design opportunity").select_option(
        value=f"opportunity:{world.opportunity_a.id}")
    page.get_by_role("button", name="Link", exact=True).click()
    expect(success_banner(page)).to_contain_text("now answers this insight")
    page.goto(f"/opportunities/{world.opportunity_a.id}")
    came_from = page.locator("h2:has-text('Where this came from') + ul")
    expect(came_from).to_contain_text("Insight: Customers cannot always get through on the phone")
    axe(page, "a design opportunity that answers an insight")
    page.go_back()

    # Change it: its theme is now a choice, and a second theme typed.
    page.get_by_role("link", name="Change the insight").click()
    expect(page.get_by_label("Theme", exact=True)).to_have_value(re.compile(r"^\d+$"))
    axe(page, "change an insight", once=True)
    page.get_by_label("Or type a new theme").fill("Technology")
    page.get_by_role("button", name="Save insight").click()
    expect(success_banner(page)).to_contain_text("Insight saved")
    expect(page.locator(".govuk-caption-l")).to_have_text("Technology")

    # The organisation's page by theme (a second insight written here: a new transaction, after the server's).
    db.session.rollback()
    services.create_insight(world.org_a, theme=services.theme_named(world.org_a, "Fallout rates S66"),
                            title="Unsuccessful preventions increased by 10% from 2018 to 2021",
                            source=InsightSource.DATA_ANALYSIS, evidence="S66 fallout: **16%** (19/20)", user=None)
    db.session.commit()
    visit(page, f"/programmes/{world.programme.slug}/{world.org_a.slug}/insights")
    expect(page.get_by_text("2 insights, 2 themes.")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Technology")).to_be_visible()
    expect(page.locator(".govuk-summary-card").first).to_contain_text("Quick win 2: Customers cannot always get")
    axe(page, "insights by theme")

    # Archive and delete ask first.
    page.get_by_role("link", name="Customers cannot always get through on the phone", exact=True).click()
    page.get_by_role("link", name="Archive this insight").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Archive this insight?")
    axe(page, "archive an insight", once=True)
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Delete this insight").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this insight?")
    axe(page, "delete an insight", once=True)
    page.get_by_role("button", name="Delete insight").click()
    expect(success_banner(page)).to_contain_text("Insight deleted")
    expect(page.get_by_text("1 insight, 1 theme.")).to_be_visible()


def test_a_team_member_answers_an_insight_with_an_idea(page, world, sign_in, visit, axe):
    insight = services.create_insight(world.org_a, theme=services.theme_named(world.org_a, "Communication"),
                                      title="Letters are hard to understand", source=InsightSource.INTERVIEWS,
                                      user=None)
    db.session.commit()
    sign_in(page.context, world.team_a)
    visit(page, f"/insights/{insight.id}")
    page.get_by_role("link", name="Answer with an idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Answer with an idea")
    page.get_by_role("button", name="Add the idea").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a design opportunity")
    axe(page, "answer with an idea, nothing chosen")
    page.get_by_label(re.compile("Design opportunity 1: ")).check()
    page.get_by_role("button", name="Add the idea").click()
    expect(success_banner(page)).to_contain_text("added under design opportunity 1: it answers the insight")
    came_from = page.locator("#details ul.govuk-list").filter(has_text="Insight:")
    expect(came_from).to_contain_text("Insight: Letters are hard to understand")
    axe(page, "an idea made from an insight")
    visit(page, f"/insights/{insight.id}/idea")
