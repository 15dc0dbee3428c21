"""Building a staff survey in the browser: create it, add a question of each kind, reorder, change and remove
questions (one retired because it has answers), copy questions from another survey, preview it, and change
a wave's dates; every page checked with axe."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.pages import summary_value
from tests.browser.results_pages import success_banner
from tests.surveys.conftest import make_survey
from tests.surveys.test_builder import answer
from tracker.core import clock
from tracker.core.formats import uk_date
from tracker.extensions import db
from tracker.surveys.models import Question, QuestionKind, Survey


def cards(page):
    """The titles and question texts of the survey page's asked questions, in order."""
    return page.locator(".govuk-summary-card[id^='question-']")


def question_texts(page) -> list[str]:
    return [summary_value(card, "Question").inner_text().strip() for card in cards(page).all()]


def add_question(page, kind: str, text: str, *, required: bool = True, choices: str = "", hint: str = "",
                 nps: bool = False) -> None:
    page.get_by_role("link", name="Add a question").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a question")
    page.get_by_role("radio", name=kind).check()
    page.get_by_label("Question", exact=True).fill(text)
    if hint:
        page.get_by_label("Hint (optional)").fill(hint)
    page.get_by_role("radio", name="Yes, an answer is required" if required else "No, it is optional").check()
    if choices:
        page.get_by_label("Choices", exact=True).fill(choices)
    if nps:
        page.get_by_label("Score as eNPS").check()
    page.get_by_role("button", name="Add question").click()
    expect(success_banner(page)).to_contain_text("added")


def test_build_a_survey(page, world, sign_in, visit, axe):
    programme = world.programme
    programme.start_date = clock.today() - timedelta(days=5)  # wave 1 is open, wave 2 scheduled
    db.session.commit()
    sign_in(page.context, world.facilitator)
    visit(page, f"/programmes/{programme.slug}")
    page.get_by_role("link", name="Staff surveys").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff surveys")
    expect(page.get_by_text("No surveys yet.")).to_be_visible()
    axe(page, "staff surveys, none yet", once=True)

    # Create the survey: a blank title is refused; the privacy note comes filled in.
    page.get_by_role("link", name="Create a survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a survey")
    expect(page.get_by_label("Privacy note", exact=True)).to_have_value(re.compile("^We store your answers"))
    expect(page.get_by_label("How many days each wave stays open")).to_have_value("14")
    axe(page, "create a survey", once=True)
    page.get_by_role("button", name="Create survey").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the survey’s title")
    expect(page.locator("#title-error")).to_contain_text("Enter the survey’s title")
    axe(page, "create a survey, with an error")
    page.get_by_label("Title", exact=True).fill("Staff pulse survey")
    page.get_by_label("Introduction", exact=True).fill("Tell us how the changes are going.")
    page.get_by_role("button", name="Create survey").click()
    expect(success_banner(page)).to_contain_text("Survey created, with 5 waves. Now add its questions.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff pulse survey")
    expect(page.get_by_text("No questions yet.")).to_be_visible()
    axe(page, "survey, no questions", once=True)
    db.session.rollback()  # read what the server wrote
    survey = db.session.scalar(select(Survey).where(Survey.title == "Staff pulse survey"))

    # A question of each kind; a choice question with one choice is refused first.
    page.get_by_role("link", name="Add a question").click()
    axe(page, "add a question", once=True)
    page.get_by_role("radio", name="One choice").check()
    page.get_by_label("Question", exact=True).fill("Which change has helped most?")
    page.get_by_label("Choices", exact=True).fill("Letters")
    page.get_by_role("button", name="Add question").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator("#choices-error")).to_contain_text("Enter at least 2 choices, one on each line")
    expect(page.get_by_label("Question", exact=True)).to_have_value("Which change has helped most?")
    axe(page, "add a question, with an error")
    page.get_by_label("Choices", exact=True).fill("Letters\nCase standards\nContact methods")
    page.get_by_role("button", name="Add question").click()
    expect(success_banner(page)).to_contain_text("Question 1 added")

    add_question(page, "Agree or disagree (5 points)", "The changes are improving how we work with customers")
    add_question(page, "Scale from 0 to 10", "How likely are you to recommend the new approach?", nps=True)
    add_question(page, "Several choices", "Which have you used?", required=False, choices="Templates\nChecklists")
    add_question(page, "Free text", "What should change next?", required=False, hint="Do not write names")
    expect(cards(page)).to_have_count(5)
    axe(page, "survey with five questions")

    # Reorder with the buttons (plain forms): question 2 up, then question 1 down twice.
    page.get_by_role("button", name="Move up question 2").click()
    expect(success_banner(page)).to_contain_text("Question 2 moved up: it is now question 1")
    page.get_by_role("button", name="Move down question 2").click()
    assert question_texts(page) == [
        "The changes are improving how we work with customers", "How likely are you to recommend the new approach?",
        "Which change has helped most?", "Which have you used?", "What should change next?"]
    expect(cards(page).first.get_by_role("button", name=re.compile("Move up"))).to_have_count(0)
    expect(cards(page).last.get_by_role("button", name=re.compile("Move down"))).to_have_count(0)

    # Change a question.
    page.get_by_role("link", name="Change question 3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change question 3")
    expect(page.get_by_label("Choices", exact=True)).to_have_value("Letters\nCase standards\nContact methods")
    axe(page, "change a question", once=True)
    page.get_by_label("Choices", exact=True).fill("Letters\nCase standards\nContact methods\nSomething else")
    page.get_by_role("button", name="Save question").click()
    expect(success_banner(page)).to_contain_text("Question 3 saved")
    expect(summary_value(cards(page).nth(2), "Choices")).to_contain_text("Something else")

    # Remove one without answers: deleted after the confirmation page.
    page.get_by_role("link", name="Remove question 4").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to remove question 4?")
    expect(page.get_by_text("Nobody has answered it yet, so it will be deleted.")).to_be_visible()
    axe(page, "remove a question", once=True)
    page.get_by_role("button", name="Yes, remove it").click()
    expect(success_banner(page)).to_contain_text("Question removed")
    expect(cards(page)).to_have_count(4)

    # One with answers is retired, and shown as retired.
    db.session.rollback()
    answered = db.session.scalar(select(Question).where(Question.survey_id == survey.id,
                                                        Question.kind == QuestionKind.LIKERT))
    answer(answered, value=5)
    page.reload()
    page.get_by_role("link", name="Remove question 1").click()
    expect(page.get_by_text("It already has answers, so it will be retired rather than deleted")).to_be_visible()
    axe(page, "remove a question with answers")
    page.get_by_role("button", name="Yes, remove it").click()
    expect(success_banner(page)).to_contain_text("Question retired: it is no longer asked")
    expect(cards(page)).to_have_count(3)
    retired = page.locator(".govuk-summary-card").filter(has_text="The changes are improving")
    expect(retired.locator(".govuk-tag")).to_have_text("Retired")
    axe(page, "survey with a retired question")

    # Preview, as a respondent sees it.
    page.get_by_role("link", name="Preview").click()
    expect(page.get_by_text("This is a preview of what staff see")).to_be_visible()
    expect(page.get_by_role("group", name="How likely are you to recommend the new approach?")).to_be_visible()
    expect(page.get_by_label("What should change next? (optional)")).to_be_visible()
    expect(page.get_by_text("The changes are improving how we work with customers")).to_have_count(0)
    expect(page.locator("main form")).to_have_count(0)
    axe(page, "survey preview", once=True)

    # Waves: change wave 2's dates; overlapping wave 1 is refused.
    page.get_by_role("link", name="Waves").click()
    expect(page.get_by_role("heading", level=2, name="Waves")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.nth(0).locator(".govuk-tag")).to_have_text("Open")
    expect(rows.nth(1).locator(".govuk-tag")).to_have_text("Scheduled")
    axe(page, "survey waves", once=True)
    page.get_by_role("link", name="Change dates of wave 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the dates of wave 2")
    axe(page, "change a wave's dates", once=True)
    wave_1, wave_2 = survey.waves[0], survey.waves[1]
    opens = page.get_by_role("group", name="Opening date")
    opens.get_by_label("Day").fill(str(wave_1.closes_on.day))
    opens.get_by_label("Month").fill(str(wave_1.closes_on.month))
    opens.get_by_label("Year").fill(str(wave_1.closes_on.year))
    page.get_by_role("button", name="Save dates").click()
    expect(page).to_have_title(re.compile("^Error: "))
    message = f"Wave 2 must open after wave 1 closes on {uk_date(wave_1.closes_on)}"
    expect(page.locator(".govuk-error-summary")).to_contain_text(message)
    expect(page.locator("#opens_on-error")).to_contain_text(message)
    axe(page, "change a wave's dates, with an error")
    new_close = wave_2.closes_on + timedelta(days=7)
    opens.get_by_label("Day").fill(str(wave_2.opens_on.day))
    opens.get_by_label("Month").fill(str(wave_2.opens_on.month))
    opens.get_by_label("Year").fill(str(wave_2.opens_on.year))
    closes = page.get_by_role("group", name="Closing date")
    closes.get_by_label("Day").fill(str(new_close.day))
    closes.get_by_label("Month").fill(str(new_close.month))
    closes.get_by_label("Year").fill(str(new_close.year))
    page.get_by_role("button", name="Save dates").click()
    expect(success_banner(page)).to_contain_text("Dates of wave 2 saved")
    expect(page.locator("tbody tr").nth(1).locator("td").first).to_have_text(
        f"{uk_date(wave_2.opens_on)} to {uk_date(new_close)}")

    # A wave's own page: its dates and state, then its invitations and results.
    page.get_by_role("link", name="Wave 2", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wave 2")
    expect(summary_value(page.locator("main"), "Closes")).to_have_text(uk_date(new_close))
    expect(page.get_by_role("heading", level=2, name="Invitations")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Results")).to_be_visible()
    axe(page, "a wave", once=True)

    # The survey's details can be changed.
    page.get_by_role("link", name="Staff pulse survey").click()
    page.get_by_role("link", name=re.compile(r"^Change\s+title$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the survey’s details")
    axe(page, "change the survey's details", once=True)
    page.get_by_label("Title", exact=True).fill("Staff pulse survey 2026")
    page.get_by_role("button", name="Save survey").click()
    expect(success_banner(page)).to_contain_text("Survey details saved")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff pulse survey 2026")


def test_copy_questions_from_a_previous_survey(page, world, sign_in, visit, axe):
    earlier = make_survey(world.programme, "Last year's survey")
    target = make_survey(world.programme, "This year's survey")
    sign_in(page.context, world.facilitator)
    visit(page, f"/surveys/{target.id}")
    page.get_by_role("link", name="Copy questions from another survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Which survey do you want to copy questions from?")
    axe(page, "copy questions, choose a survey", once=True)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator("#source-error")).to_contain_text("Choose a survey to copy questions from")
    axe(page, "copy questions, no survey chosen")
    page.get_by_role("radio", name="Last year's survey").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose the questions to copy")
    boxes = page.get_by_role("checkbox")
    expect(boxes).to_have_count(5)
    axe(page, "copy questions, choose the questions", once=True)
    for box in boxes.all():
        box.uncheck()
    page.get_by_role("button", name="Copy questions").click()
    expect(page.locator("#questions-error")).to_contain_text("Choose at least one question to copy")
    page.get_by_role("checkbox", name="What should change next?").check()
    page.get_by_role("checkbox", name="Which have you used?").check()
    page.get_by_role("button", name="Copy questions").click()
    expect(success_banner(page)).to_contain_text("2 questions copied from “Last year's survey”")
    expect(cards(page)).to_have_count(7)
    assert question_texts(page)[5:] == ["Which have you used?", "What should change next?"]
    assert len(earlier.questions) == 5


def test_reorder_and_remove_without_javascript(new_context, world, sign_in, axe):
    survey = make_survey(world.programme)
    first, second = (q.text for q in survey.questions[:2])  # read before the move reorders them
    page = sign_in(new_context(java_script_enabled=False), world.facilitator).new_page()
    page.goto(f"/surveys/{survey.id}")
    page.get_by_role("button", name="Move down question 1").click()
    expect(success_banner(page)).to_contain_text("Question 1 moved down: it is now question 2")
    assert question_texts(page)[:2] == [second, first]
    axe(page, "survey after a move, without JavaScript")
    page.get_by_role("link", name="Remove question 5").click()
    page.get_by_role("button", name="Yes, remove it").click()
    expect(success_banner(page)).to_contain_text("Question removed")
    expect(cards(page)).to_have_count(4)


def test_members_read_the_survey_and_its_waves(page, world, sign_in, visit):
    survey = make_survey(world.programme)
    sign_in(page.context, world.team_b)
    visit(page, f"/programmes/{world.programme.slug}/surveys")
    expect(page.get_by_role("link", name="Create a survey")).to_have_count(0)
    visit(page, f"/surveys/{survey.id}")
    expect(cards(page)).to_have_count(5)
    expect(page.get_by_role("button", name=re.compile("Move"))).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^(Change|Remove)"))).to_have_count(0)
    visit(page, f"/surveys/{survey.id}/waves")
    expect(page.get_by_role("link", name=re.compile("Change dates"))).to_have_count(0)
    visit(page, f"/waves/{survey.waves[0].id}")
