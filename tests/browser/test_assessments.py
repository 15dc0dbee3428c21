"""The self-assessment toolkit in the browser: a facilitator edits the toolkit's questions; a team member
starts an assessment, plans the evidence schedule, records evidence (a yes/no answer is refused), judges a
key question against the seed's definitions, turns it into a quick win on the action plan, and reads the
overall assessment report (and prints it); a re-assessment shows the judgements then and now. Every page
checked with axe."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.assessments.conftest import evidence_text, make_assessment, make_toolkit
from tests.browser.results_pages import success_banner
from tracker.assessments import services
from tracker.assessments.models import Assessment, AssessmentCard, EvidenceKind, Judgement, ToolkitHeadline
from tracker.extensions import db

VISITED = {
    "assessments.toolkits", "assessments.new_toolkit", "assessments.toolkit", "assessments.new_section",
    "assessments.edit_section", "assessments.new_headline", "assessments.edit_headline", "assessments.new_question",
    "assessments.edit_question", "assessments.assessments", "assessments.new_assessment", "assessments.assessment",
    "assessments.team", "assessments.schedule", "assessments.new_task", "assessments.question",
    "assessments.new_evidence", "assessments.report", "assessments.improvement",
    "assessments.edit_evidence", "assessments.delete_evidence", "assessments.edit_task", "assessments.delete_task",
    "assessments.delete_section", "assessments.delete_headline", "assessments.delete_question",
}


def test_a_facilitator_edits_the_toolkit(page, world, sign_in, visit, axe):
    toolkit = make_toolkit(world.programme)
    sign_in(page.context, world.facilitator)
    visit(page, f"/programmes/{world.programme.slug}/toolkits")
    visit(page, f"/programmes/{world.programme.slug}/toolkits/new")
    visit(page, f"/toolkits/{toolkit.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Housing advice and homelessness")
    page.get_by_role("link", name="Add a section").click()
    axe(page, "add a section", once=True)
    page.get_by_label("Reference (optional)").fill("A2")
    page.get_by_role("button", name="Save section").click()
    expect(page).to_have_title(re.compile("^Error: "))
    axe(page, "add a section, error", once=True)
    page.get_by_label("Section", exact=True).fill("Key service issues")
    page.get_by_role("button", name="Save section").click()
    expect(success_banner(page)).to_contain_text("Section added")
    page.get_by_role("link", name="Add a headline question to Key service issues").click()
    axe(page, "add a headline question", once=True)
    page.get_by_label("Headline question").fill("Do we prevent homelessness?")
    page.get_by_role("button", name="Save headline question").click()
    page.get_by_role("link", name=re.compile("^Add a key question to")).last.click()
    axe(page, "add a key question", once=True)
    page.get_by_label("Key question", exact=True).fill("Is there a homelessness strategy?")
    page.get_by_label("Documents (optional)").fill("The homelessness strategy and its action plan")
    page.get_by_role("button", name="Save key question").click()
    expect(page.get_by_text("The homelessness strategy and its action plan")).to_be_visible()
    axe(page, "toolkit, edited")
    tree = services.load_toolkit_tree(toolkit.id)
    section = tree.sections[0]
    headline = section.headlines[0]
    visit(page, f"/toolkit-sections/{section.id}/edit")
    visit(page, f"/toolkit-headlines/{headline.id}/edit")
    visit(page, f"/toolkit-questions/{headline.questions[0].id}/edit")
    expect(page.get_by_label("Observation (optional)")).to_have_value(re.compile("^Front line staff"))


def test_a_team_member_assesses_and_reports(page, world, sign_in, visit, axe, fresh):
    make_toolkit(world.programme)
    sign_in(page.context, world.team_a)
    visit(page, f"/programmes/{world.programme.slug}/{world.org_a.slug}/assessments")
    page.get_by_role("link", name="Start a self-assessment").click()
    axe(page, "start a self-assessment", once=True)
    page.get_by_label("Toolkit").select_option(label="Housing advice and homelessness")
    page.get_by_label("Title").fill("Self-assessment 2026")
    page.get_by_role("group", name="Assessment team").get_by_label("Team A").check()
    page.get_by_role("button", name="Start assessment").click()
    expect(success_banner(page)).to_contain_text("Assessment started")
    expect(page.get_by_text("0 of 3 key questions judged")).to_be_visible()
    axe(page, "an assessment", once=True)
    db.session.rollback()  # what the server wrote
    assessment = db.session.scalar(select(Assessment))
    visit(page, f"/assessments/{assessment.id}/team")

    # The evidence schedule.
    visit(page, f"/assessments/{assessment.id}/schedule")
    page.get_by_role("link", name="Add a task").click()
    axe(page, "add a task", once=True)
    page.get_by_label("Interviews").check()
    page.get_by_label("Task").fill("Interview the Housing Benefit key officer")
    page.get_by_label("Who").select_option(label="Team A")
    page.get_by_role("button", name="Add task").click()
    expect(page.get_by_role("cell", name=re.compile("^Interviews Interview the Housing Benefit"))).to_be_visible()
    page.get_by_role("button", name=re.compile("^Mark as done")).click()
    expect(success_banner(page)).to_contain_text("Task marked as done")
    axe(page, "evidence schedule")

    # A key question: evidence (yes/no refused), then the judgement.
    visit(page, f"/assessments/{assessment.id}")
    page.get_by_role("link", name=re.compile("^Can everyone use the service")).click()
    axe(page, "a key question", once=True)
    expect(page.get_by_text(re.compile("largely negative, with significant areas for improvement"))).to_be_visible()
    page.get_by_role("link", name="Add evidence").click()
    page.get_by_label("Observation").check()
    page.get_by_label("Source").fill("Reception at the main office")
    page.get_by_label("What was found").fill("No interpreting service is offered")
    page.get_by_label("The evidence in full").fill("No")
    page.get_by_role("button", name="Save evidence").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("not only yes or no")
    axe(page, "add evidence, yes/no refused", once=True)
    page.get_by_label("The evidence in full").fill(evidence_text())
    page.get_by_role("button", name="Save evidence").click()
    expect(success_banner(page)).to_contain_text("Evidence saved")
    page.get_by_label("Red").check()
    page.get_by_role("button", name="Save judgement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason for the judgement")
    page.get_by_label("Reason").fill("Nobody can be served in another language")
    page.get_by_label("Areas for improvement (optional)").fill("Sign up to Language Line")
    page.get_by_role("button", name="Save judgement").click()
    expect(success_banner(page)).to_contain_text("Judgement saved")
    axe(page, "a key question, judged red")

    # Straight onto the action plan.
    page.get_by_role("link", name="Make an improvement action").click()
    axe(page, "make an improvement action", once=True)
    expect(page.get_by_label("Description (optional)")).to_have_value("Sign up to Language Line")
    page.get_by_label("Title").fill("Sign up to Language Line")
    page.get_by_role("button", name="Add to the action plan").click()
    expect(success_banner(page)).to_contain_text("Quick win 2 added to the action plan")
    page.get_by_role("link", name=re.compile("Quick win 2: Sign up to Language Line")).click()
    expect(page.get_by_role("link", name=re.compile("A1 1.2 Can everyone use the service"))).to_be_visible()
    db.session.rollback()
    assert db.session.scalar(select(AssessmentCard)) is not None

    # The overall assessment report, on screen and printed.
    visit(page, f"/assessments/{assessment.id}/report")
    expect(page.get_by_text("0 green, 0 amber, 1 red, 2 not judged yet.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile(r"A1\s1\.2"))
    expect(row).to_contain_text("Reception at the main office")
    expect(row).to_contain_text("Sign up to Language Line")
    expect(row).to_contain_text("Red")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (.xlsx)").click()
    assert download.value.suggested_filename == "council-a-self-assessment-2026.xlsx"
    page.emulate_media(media="print")
    expect(page.locator(".app-header")).to_be_hidden()
    expect(page.get_by_role("link", name="Excel (.xlsx)")).to_be_hidden()
    page.screenshot(path="tests/browser/screenshots/assessment-report--print.png", full_page=True)
    page.emulate_media(media="screen")


def test_a_reassessment_shows_then_and_now(page, world, sign_in, axe):
    toolkit = make_toolkit(world.programme)
    baseline = make_assessment(world.org_a, toolkit, title="Baseline 2025")
    first = services.questions_of(services.load_assessment_tree(baseline.id))[0]
    services.judge(first, judgement=Judgement.RED, reason="No leaflets", user=None)
    db.session.commit()
    again = make_assessment(world.org_a, toolkit, title="Health check 2026")
    now = services.questions_of(services.load_assessment_tree(again.id))[0]
    services.judge(now, judgement=Judgement.GREEN, reason="Leaflets in both languages", user=None)
    db.session.commit()
    sign_in(page.context, world.viewer)
    for path in (f"/assessments/{again.id}", f"/assessments/{again.id}/report"):
        page.goto(path)
        row = page.get_by_role("row", name=re.compile(r"A1\s1\.1"))
        expect(row.locator("td").nth(-2)).to_have_text("Red")
        expect(row.locator("td").nth(-1)).to_have_text("Green")
        expect(page.get_by_role("link", name="Add evidence")).to_have_count(0)
        axe(page, f"re-assessment {path.rsplit('/', 1)[-1]}")


def test_a_facilitator_reorders_and_removes_toolkit_items(page, world, sign_in, visit, axe):
    toolkit = make_toolkit(world.programme)
    assessment = make_assessment(world.org_a, toolkit, title="Started before")
    tree = services.load_toolkit_tree(toolkit.id)
    section = tree.sections[0]
    first, second = section.headlines
    sign_in(page.context, world.facilitator)
    visit(page, f"/toolkits/{toolkit.id}")
    page.get_by_role("button", name="Move headline question A1.1 down").click()
    expect(success_banner(page)).to_contain_text("moved down")
    expect(page.locator("h3").first).to_contain_text("A1.2")
    axe(page, "toolkit, reordered")
    visit(page, f"/toolkit-questions/{first.questions[0].id}/delete")
    visit(page, f"/toolkit-sections/{section.id}/delete")
    visit(page, f"/toolkit-headlines/{second.id}/delete")
    expect(page.get_by_text("Its key questions (1) go with it.")).to_be_visible()
    page.get_by_role("button", name="Remove headline question").click()
    expect(success_banner(page)).to_contain_text("Headline question removed")
    second_id, first_id = second.id, first.id
    db.session.rollback()
    assert db.session.get(ToolkitHeadline, second_id) is None
    assert db.session.get(ToolkitHeadline, first_id) is not None
    # The assessment started before keeps every key question.
    page.goto(f"/assessments/{assessment.id}")
    expect(page.get_by_text("0 of 3 key questions judged")).to_be_visible()


def test_a_team_member_changes_evidence_tasks_and_meets_a_stale_judgement(page, world, sign_in, visit, axe):
    toolkit = make_toolkit(world.programme)
    assessment = make_assessment(world.org_a, toolkit, coordinator=world.team_a, team=[world.team_a])
    question = services.questions_of(services.load_assessment_tree(assessment.id))[0]
    record = services.add_evidence(question, kind=EvidenceKind.DOCUMENTS, source="Leaflets", found="Leaflets",
                                   evidence=evidence_text(), author=world.team_a)
    task = services.add_task(assessment, kind=EvidenceKind.DOCUMENTS, description="Read the leaflets",
                             assignee=world.team_a, due_on=None)
    db.session.commit()
    sign_in(page.context, world.team_a)
    visit(page, f"/assessment-questions/{question.id}")
    page.get_by_role("link", name="Change the evidence Documents: Leaflets").click()
    axe(page, "change evidence", once=True)
    page.get_by_label("The evidence in full").fill("Yes")
    page.get_by_role("button", name="Save evidence").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("not only yes or no")
    page.get_by_label("Source").fill("Leaflets at reception")
    page.get_by_label("The evidence in full").fill(evidence_text(2))
    page.get_by_role("button", name="Save evidence").click()
    expect(success_banner(page)).to_contain_text("Evidence saved")
    expect(page.get_by_role("heading", name="Documents: Leaflets at reception")).to_be_visible()
    visit(page, f"/assessment-evidence/{record.id}/edit")
    visit(page, f"/assessment-evidence/{record.id}/delete")

    # The judgement form, then someone else judges first.
    visit(page, f"/assessment-questions/{question.id}")
    db.session.rollback()  # a fresh transaction: the server wrote meanwhile
    services.judge(db.session.get(type(question), question.id), judgement=Judgement.GREEN,
                   reason="Judged by someone else", user=world.facilitator)
    db.session.commit()
    page.get_by_label("Red").check()
    page.get_by_label("Reason").fill("My own reason")
    page.get_by_role("button", name="Save judgement").click()
    expect(page.get_by_text("This judgement was changed by someone else")).to_be_visible()
    expect(page.get_by_text("Judged by someone else")).to_be_visible()
    expect(page.get_by_label("Reason")).to_have_value("My own reason")
    axe(page, "a key question, stale judgement")
    page.get_by_role("button", name="Save judgement").click()
    expect(success_banner(page)).to_contain_text("Judgement saved")

    # The evidence schedule: change a task, then remove it.
    visit(page, f"/assessments/{assessment.id}/schedule")
    page.get_by_role("link", name="Change the task Read the leaflets").click()
    axe(page, "change a task", once=True)
    page.get_by_label("Task").fill("Read the leaflets again")
    page.get_by_role("button", name="Save task").click()
    expect(success_banner(page)).to_contain_text("Task saved")
    visit(page, f"/assessment-tasks/{task.id}/edit")
    visit(page, f"/assessment-tasks/{task.id}/delete")
    page.get_by_role("button", name="Remove task").click()
    expect(success_banner(page)).to_contain_text("Task removed from the evidence schedule")
    expect(page.get_by_text("No tasks yet.")).to_be_visible()
