"""Staff survey results in the browser: an organisation's results hidden below the minimum and shown at it,
its free text, a question feeding the results tracker, and the trend after a second wave."""

import re
from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.results_pages import started, success_banner
from tests.surveys.conftest import make_survey
from tests.surveys.test_results import respond_alike
from tracker.board.services import today
from tracker.extensions import db
from tracker.results import services
from tracker.results.models import Direction, Figure, Unit

HIDDEN = "Fewer than 5 responses: results hidden to protect anonymity"


def answers_table(page, question):
    return page.get_by_role("table", name=f"Answers to {question.text}")


def test_results_hidden_below_the_minimum_and_shown_at_it(page, world, sign_in, visit, axe):
    started(world.programme, days=60)  # wave 1 opened 60 days ago and closed 47 days ago
    objective = services.create_objective(world.programme, "Staff take to the changes")
    outcome = services.create_outcome(objective, "The casework standards help")
    indicator = services.create_indicator(outcome, name="Staff who agree the standards help", unit=Unit.PROPORTION,
                                          numerator_label="agree", denominator_label="answered",
                                          direction=Direction.INCREASE, target=Decimal("70"))
    survey = make_survey(world.programme)
    wave = survey.waves[0]
    likert, text = survey.questions[0], survey.questions[4]
    respond_alike(wave, world.org_a, survey, 4, likert=5, text="More time to read the standards")
    respond_alike(wave, world.org_b, survey, 6, likert=2, text="Fewer letters")
    db.session.commit()

    sign_in(page.context, world.facilitator)
    visit(page, f"/waves/{wave.id}")
    page.get_by_role("link", name="See the results of wave 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Results of wave 1")
    responses = page.get_by_role("table", name="Invitations and responses")
    expect(responses.get_by_role("row", name=re.compile("^Council A"))).to_contain_text("Results hidden")
    expect(responses.get_by_role("row", name=re.compile("^All organisations"))).to_contain_text("10")
    # Across all organisations: shown (10 answers); Council A is below 5, and Council B is hidden with it,
    # since the total minus B would be A.
    table = answers_table(page, likert)
    expect(table.get_by_role("columnheader")).to_have_text(["Answer", "All organisations number",
                                                            "All organisations percentage"])
    expect(table.get_by_role("row", name=re.compile("^Strongly agree"))).to_contain_text("4")
    axe(page, "wave results, all organisations, one below the minimum")

    page.get_by_label("Show the results of").select_option(label="Council A")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("heading", name="Answers: Council A")).to_be_visible()
    expect(page.locator(".govuk-warning-text")).to_contain_text(f"Council A: {HIDDEN}")
    expect(answers_table(page, likert).get_by_role("columnheader")).to_have_count(3)  # all organisations only
    expect(page.get_by_text("More time to read the standards")).to_have_count(0)
    axe(page, "wave results, an organisation below the minimum")

    page.get_by_label("Show the results of").select_option(label="Council B")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_text("Council B: Hidden to protect anonymity: with the figures across all organisations")
           ).to_be_visible()

    # One more response from Council A: 5, the minimum. Both councils are shown now.
    db.session.rollback()  # a new transaction: the server has written since this one began
    respond_alike(wave, world.org_a, survey, 1, likert=4, text="Clearer letters")
    db.session.commit()
    page.get_by_label("Show the results of").select_option(label="Council A")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_text(HIDDEN)).to_have_count(0)
    table = answers_table(page, likert)
    expect(table.get_by_role("row", name=re.compile("^Strongly agree"))).to_have_text(
        re.compile(r"Strongly agree\s*4\s*80%\s*4\s*36%"))
    expect(table.get_by_role("row", name=re.compile("^Mean"))).to_contain_text("4.8")
    axe(page, "wave results, an organisation at the minimum")

    page.get_by_role("link", name=re.compile("^read the answers to question 5, Council A")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text.text)
    expect(page.get_by_text("5 answers, in random order.")).to_be_visible()
    expect(page.locator(".app-survey-answers li")).to_have_count(5)
    expect(page.get_by_text("Clearer letters")).to_be_visible()
    axe(page, "free-text answers of one organisation")
    page.get_by_label("Show the answers of").select_option(label="All organisations")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_text("11 answers, in random order.")).to_be_visible()
    page.get_by_role("link", name="Back to the results of wave 1").click()

    # Feed the results tracker from the Likert question: Agree and Strongly agree count.
    page.get_by_role("link", name="Feed an indicator from this question (question 1)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feed an indicator from this question")
    axe(page, "feed an indicator from a question")
    page.get_by_label("Indicator").select_option(label=f"{indicator.code} {indicator.name} "
                                                       "(Proportion (numerator and denominator))")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the answers that count")
    expect(page).to_have_title(re.compile("^Error: "))
    axe(page, "feed an indicator, no answers chosen")
    page.get_by_label("Agree", exact=True).check()
    page.get_by_label("Strongly agree").check()
    page.get_by_role("button", name="Save").click()
    expect(success_banner(page)).to_contain_text(f"Question 1 feeds indicator {indicator.code}")
    expect(page.get_by_text(f"Feeds indicator {indicator.code} {indicator.name}, counting: Agree, Strongly agree."))\
        .to_be_visible()

    page.get_by_role("link", name="Enter the figures in the results tracker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the figures before you enter them")
    rows = page.get_by_role("table", name="Figures offered to the results tracker").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Council A")
    expect(rows.nth(0)).to_contain_text("100.0% (5/5)")
    expect(rows.nth(1)).to_contain_text("0.0% (0/6)")
    axe(page, "survey figures to enter")
    page.get_by_role("button", name="Enter 2 figures").click()
    expect(success_banner(page)).to_contain_text("2 figures entered in the results tracker")
    db.session.rollback()
    figures = {(f.organisation_id, f.numerator, f.denominator, f.source) for f in db.session.scalars(
        select(Figure).where(Figure.indicator_id == indicator.id))}
    assert figures == {(world.org_a.id, 5, 5, "Staff survey, wave 1"), (world.org_b.id, 0, 6, "Staff survey, wave 1")}


def test_a_team_member_sees_their_own_organisation_and_the_totals(page, world, sign_in, visit):
    started(world.programme, days=60)
    survey = make_survey(world.programme)
    wave = survey.waves[0]
    respond_alike(wave, world.org_a, survey, 3, likert=5)
    respond_alike(wave, world.org_b, survey, 8, likert=1, text="Words of Council B")
    db.session.commit()
    sign_in(page.context, world.team_a)
    visit(page, f"/waves/{wave.id}/results")
    expect(page.get_by_role("heading", name="Answers: Council A")).to_be_visible()
    expect(page.locator(".govuk-warning-text")).to_contain_text(f"Council A: {HIDDEN}")
    expect(page.get_by_text("Council B")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Feed an indicator"))).to_have_count(0)


def test_the_trend_after_a_second_wave(page, world, sign_in, visit, axe):
    started(world.programme, days=60)
    survey = make_survey(world.programme)
    first, second = survey.waves[0], survey.waves[1]
    second.opens_on, second.closes_on = today() - timedelta(days=5), today() + timedelta(days=8)  # open now
    likert, scale = survey.questions[:2]
    respond_alike(first, world.org_a, survey, 5, likert=2, scale=3)
    respond_alike(first, world.org_b, survey, 5, likert=3, scale=8)
    respond_alike(second, world.org_a, survey, 6, likert=4, scale=9)
    respond_alike(second, world.org_b, survey, 6, likert=5, scale=10)
    db.session.commit()

    sign_in(page.context, world.facilitator)
    visit(page, f"/waves/{first.id}/results")
    page.get_by_role("link", name="Results across all waves").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Results across waves")
    trend = page.get_by_role("table", name=f"Results of “{likert.text}” by wave")
    expect(trend.locator("tbody tr")).to_have_count(1)  # wave 2 is still open
    expect(trend.locator("tbody tr").nth(0)).to_have_text(re.compile(r"Wave\s1\s*10\s*2\.5\s*0%"))
    axe(page, "survey results across waves, one wave")

    db.session.rollback()
    db.session.get(type(second), second.id).closes_on = today() - timedelta(days=1)
    db.session.commit()
    page.get_by_label("Compare all organisations with").select_option(label="Council A")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(trend.locator("tbody tr")).to_have_count(2)
    expect(trend.locator("tbody tr").nth(1)).to_have_text(re.compile(r"Wave\s2\s*6\s*4\.0\s*100%\s*12\s*4\.5\s*100%"))
    chart = page.get_by_role("img", name=f"Mean answer to “{likert.text}” by wave")
    expect(chart).to_be_visible()
    expect(chart.locator("path")).to_have_count(2)  # all organisations and Council A
    expect(chart.locator("circle")).to_have_count(2)
    enps = page.get_by_role("table", name=f"Results of “{scale.text}” by wave")
    expect(enps.locator("tbody tr").nth(1)).to_contain_text("+100")
    expect(enps.locator("tbody tr").nth(0)).to_contain_text("\u221250")
    axe(page, "survey results across waves, two waves")
