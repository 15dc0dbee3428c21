"""The case file audit in the browser: a facilitator builds a template; a team member starts an audit, adds a
case and scores it by keyboard alone (the totals follow as they type), scores another without JavaScript, and
puts an area for improvement on the board; a viewer reads the results. Every page checked with axe."""

import re
from datetime import date

from playwright.sync_api import expect

from tests.audits.conftest import make_sample
from tracker.audits import services
from tracker.audits.models import AuditCase
from tracker.extensions import db

VISITED = {"audits.templates", "audits.template", "audits.org_audits", "audits.new_audit", "audits.audit",
           "audits.edit_audit", "audits.new_case", "audits.case", "audits.results", "audits.findings",
           "audits.import_cases", "audits.import_preview",
           "audits.edit_stage", "audits.edit_element", "audits.edit_item",
           "audits.remove_stage", "audits.remove_element", "audits.remove_item",
           "audits.remove_case", "audits.remove_finding", "audits.remove_audit",
           # a download, opened from the results page's link (not a page of its own)
           "audits.export"}


def _focused(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def test_a_facilitator_builds_a_template(page, world, sign_in, visit, axe):
    sign_in(page.context, world.facilitator)
    visit(page, f"/programmes/{world.programme.slug}/audit-templates")
    page.get_by_role("button", name="Add the housing options template").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(services.SEED_TEMPLATE_NAME)
    expect(page.get_by_text("Total score: 27 points")).to_be_visible()
    axe(page, "the seed's template")
    page.get_by_text("Add an element to stage 3").click()
    stage_3 = page.locator("details").filter(has_text="Add an element to stage 3")
    stage_3.get_by_label("Element").fill("Outcome logged correctly")
    stage_3.get_by_label("Maximum score").fill("0")
    stage_3.get_by_role("button", name="Add element").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Maximum score must be between 1 and 100")
    axe(page, "an element with errors")
    stage_3.get_by_label("Maximum score").fill("2")
    stage_3.get_by_role("button", name="Add element").click()
    expect(page.get_by_text("Total score: 29 points")).to_be_visible()


def test_score_a_case_by_keyboard_alone(page, world, sign_in, visit, axe, fresh):
    services.load_seed_template(world.programme)
    db.session.commit()
    sign_in(page.context, world.team_b)
    visit(page, f"/programmes/{world.programme.slug}/{world.org_b.slug}/audits")
    page.get_by_role("link", name="Start an audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start an audit")
    axe(page, "start an audit", once=True)
    page.get_by_label("Audit title").fill("Baseline audit")
    group = page.get_by_role("group", name="Start date")
    group.get_by_label("Day").fill("18")
    group.get_by_label("Month").fill("8")
    group.get_by_label("Year").fill("2021")
    page.get_by_role("button", name="Start audit").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Audit started")
    axe(page, "an audit with no cases")
    page.get_by_role("link", name="Add a case").click()
    axe(page, "add a case", once=True)
    page.get_by_label("Case reference (optional)").fill("HO-1")
    page.get_by_label("Case type").select_option(label="Section 73")
    page.get_by_role("button", name="Add case and score it").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Case 1")
    axe(page, "score a case", once=True)

    db.session.rollback()
    audit = services.audits_of(world.org_b)[0]
    elements = services.elements_of(audit)
    items = services.items_of(audit)
    by_element = {e.id: [i for i in items if i.element_id == e.id] for e in elements}
    # Scores typed in, element by element; S68 interim accommodation (the 4th) not applicable.
    typed = [2, 1, 1, None, 1, 1, 0, 8, 3, 3]
    page.get_by_label("Year assessed").focus()
    for element, score in zip(elements, typed, strict=True):
        page.keyboard.press("Tab")
        assert _focused(page) == f"score-{element.id}"
        if score is not None:
            page.keyboard.type(str(score))
        page.keyboard.press("Tab")
        assert _focused(page) == f"na-{element.id}"
        if score is None:
            page.keyboard.press("Space")
        for item in by_element[element.id]:
            page.keyboard.press("Tab")
            assert _focused(page) == f"item-{item.id}"
            page.keyboard.press("Space")  # yes
    totals = page.locator("#totals")
    expect(totals).to_contain_text("20 of 25 (80%)")  # live, as typed
    expect(totals).to_contain_text("Stage 1: 5 of 6")
    page.keyboard.press("Tab")
    assert _focused(page) == "notes"
    page.keyboard.type("Support needs not recorded at first")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Save (no next case yet)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Case 1 saved: 20 out of 25")
    case = fresh(db.session.get(AuditCase, db.session.scalar(db.select(AuditCase.id))))
    assert (case.score, case.possible, case.notes) == (20, 25, "Support needs not recorded at first")
    expect(page.get_by_role("row", name=re.compile("Case 1"))).to_contain_text("80%")


def test_score_a_case_without_javascript(new_context, world, sign_in, visit, axe, fresh):
    audit = make_sample(world.org_b, sample=[], unscored=2)
    first, second = services.cases_of(audit)
    elements = services.elements_of(audit)
    page = sign_in(new_context(java_script_enabled=False), world.team_b).new_page()
    visit(page, f"/audits/{audit.id}")
    page.get_by_role("link", name="Score the next case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Case 1")
    page.get_by_role("button", name="Save and next case").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a score for Client and household details, or choose not applicable")
    axe(page, "a case with errors")
    for element in elements:
        page.locator(f"#score-{element.id}").fill(str(element.max_score))
    page.locator(f"#score-{elements[7].id}").fill("5")
    page.get_by_label("Not applicable: Advice").check()
    page.locator(f"#score-{elements[5].id}").fill("")
    page.get_by_role("button", name="Save and next case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Case 2")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Case 1 saved: 21 out of 26")
    expect(page.locator("#totals")).to_contain_text("Not scored yet")  # the next case, not scored yet
    assert (fresh(first).score, fresh(first).possible) == (21, 26)
    assert fresh(second).scored_dt is None


def test_the_results_page_and_a_finding_on_the_board(page, world, sign_in, visit, axe):
    audit = make_sample(world.org_b)
    services.add_finding(audit, services.FindingKind.IMPROVEMENT, "Agree timescales on every file")
    services.add_finding(audit, services.FindingKind.POSITIVE, "Initial advice thorough and clear")
    later = make_sample(world.org_b, title="Second audit", started_on=audit.started_on.replace(year=2022),
                        sample=[("Section 66", "Family", "Successful", "20/21", [2, 1, 2, 2, 1, 1, 1, 10, 4, 3], {})],
                        unscored=0)
    db.session.commit()
    sign_in(page.context, world.team_b)
    visit(page, f"/audits/{audit.id}/results")
    expect(page.get_by_text("Overall mean score (n=6): 75%")).to_be_visible()
    expect(page.get_by_role("table", name="Score ranges").get_by_role("row", name="90%+")).to_contain_text("2")
    expect(page.get_by_role("table", name="Mean score by outcome group")).to_contain_text("Falling out")
    expect(page.get_by_role("table", name="Score for each stage")).to_contain_text("78%")
    expect(page.get_by_role("table", name="Lowest-scoring checklist items")).to_contain_text("20%")
    expect(page.get_by_text("How each figure is computed")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="spreadsheet (.xlsx)").click()
    assert download.value.suggested_filename == "baseline-audit-results.xlsx"
    visit(page, f"/audits/{later.id}/results")
    expect(page.get_by_role("table", name="Health check then and now")).to_contain_text("+25 points")

    visit(page, f"/audits/{audit.id}/edit")
    visit(page, f"/audits/{audit.id}/findings")
    page.get_by_label("Add to the board as: Agree timescales on every file").select_option(label="A quick win")
    page.get_by_role("button", name=re.compile("^Add to the board.*Agree timescales on every file")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Agree timescales on every file")
    expect(page.get_by_role("link", name="Agree timescales on every file")).to_be_visible()
    page.go_back()
    page.reload()
    expect(page.get_by_role("link", name=re.compile("On the board"))).to_be_visible()
    axe(page, "findings with a card")


def test_import_cases_with_a_preview(page, world, sign_in, visit, axe, tmp_path):
    audit = make_sample(world.org_b, sample=[], unscored=0)
    titles = [e.title for e in services.elements_of(audit)]
    file = tmp_path / "cases.csv"
    file.write_text("Case reference,Case type," + ",".join(f'"{t}"' for t in titles) + "\n"
                    "HO-1,Section 66,2,1,2,n/a,1,1,1,10,4,3\nHO-2,Section 99" + "," * len(titles) + "\n",
                    encoding="utf-8")
    sign_in(page.context, world.team_b)
    visit(page, f"/audits/{audit.id}")
    page.get_by_role("link", name="Import cases").click()
    axe(page, "import cases", once=True)
    page.get_by_label("Upload a file").set_input_files(str(file))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the cases before you import them")
    expect(page.get_by_role("row", name=re.compile("HO-2"))).to_contain_text("not in the audit's list")
    axe(page, "a preview with errors")
    file.write_text("Case reference,Case type," + ",".join(f'"{t}"' for t in titles) + "\n"
                    "HO-1,Section 66,2,1,2,n/a,1,1,1,10,4,3\nHO-2,Section 73" + "," * len(titles) + "\n",
                    encoding="utf-8")
    page.get_by_role("link", name="Upload a different file").click()
    page.get_by_label("Upload a file").set_input_files(str(file))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("row", name=re.compile("HO-1"))).to_contain_text("25 of 25 (100%)")
    axe(page, "a preview ready to import")
    page.get_by_role("button", name="Import 2 cases").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("2 cases imported")
    expect(page.get_by_role("row", name=re.compile("HO-2"))).to_contain_text("Not scored")


def test_a_facilitator_changes_moves_and_removes_template_parts(page, world, sign_in, visit, axe):
    template = services.load_seed_template(world.programme)
    audit = services.start_audit(world.org_b, template, title="Started", started_on=date(2021, 8, 18))
    db.session.commit()
    stage, element = template.stages[0], template.stages[0].elements[0]
    item = template.stages[1].elements[2].items[0]
    sign_in(page.context, world.facilitator)
    visit(page, f"/audit-templates/{template.id}")
    page.get_by_role("link", name="Change stage 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the stage")
    visit(page, f"/audit-template-stages/{stage.id}/edit")
    page.get_by_label("Stage title").fill("Facts established")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Stage 1: Facts established")).to_be_visible()
    visit(page, f"/audit-template-elements/{element.id}/edit")
    page.get_by_label("Maximum score").fill("0")
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_title(re.compile("^Error: "))
    axe(page, "an element's change with errors")
    page.get_by_label("Maximum score").fill("3")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Total score: 28 points")).to_be_visible()
    visit(page, f"/audit-template-items/{item.id}/edit")
    page.get_by_label("Checklist item").fill("Timescales agreed")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("button", name="Move down stage 1").click()
    expect(page.get_by_role("heading", name="Stage 2: Facts established")).to_be_visible()
    expect(page.get_by_role("button", name="Move up Timescales agreed")).to_have_count(0)  # already first
    page.get_by_role("button", name="Move down Timescales agreed").click()
    axe(page, "a template after moves")
    visit(page, f"/audit-template-elements/{element.id}/remove")
    visit(page, f"/audit-template-items/{item.id}/remove")
    visit(page, f"/audit-template-stages/{stage.id}/remove")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to remove the stage Facts established?")
    expect(page.get_by_text("keep their own copy")).to_be_visible()
    page.get_by_role("button", name="Yes, remove it").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Stage removed")
    expect(page.get_by_text("Total score: 19 points")).to_be_visible()
    db.session.expire_all()
    assert sum(e.max_score for e in services.elements_of(audit)) == 27  # the audit kept its copy


def test_remove_a_case_a_finding_and_an_audit(page, world, sign_in, visit, axe):
    audit = make_sample(world.org_b)
    services.add_finding(audit, services.FindingKind.POSITIVE, "Initial advice thorough and clear")
    db.session.commit()
    first = services.cases_of(audit)[0]
    sign_in(page.context, world.team_b)
    visit(page, f"/audits/{audit.id}/results")
    expect(page.get_by_role("img", name="Share of cases in each score range")).to_be_visible()
    expect(page.get_by_role("img", name="Pooled score for each stage")).to_be_visible()
    axe(page, "results with charts")
    visit(page, f"/audit-cases/{first.id}")
    page.get_by_role("link", name="Remove this case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to remove Case 1?")
    visit(page, f"/audit-cases/{first.id}/remove")
    page.get_by_role("button", name="Yes, remove the case").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Case 1 removed")
    visit(page, f"/audits/{audit.id}/results")
    expect(page.get_by_text("Overall mean score (n=5): 70%")).to_be_visible()
    visit(page, f"/audits/{audit.id}/findings")
    page.get_by_role("link", name=re.compile("^Remove.*Initial advice thorough and clear")).click()
    finding_url = page.url.split("://", 1)[1].partition("/")[2]
    visit(page, "/" + finding_url)
    page.get_by_role("button", name="Yes, remove the finding").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Finding removed")
    visit(page, f"/audits/{audit.id}/remove")
    expect(page.get_by_text("Cards made from its findings stay on the board")).to_be_visible()
    page.get_by_role("button", name="Yes, remove the audit").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Baseline audit removed")
