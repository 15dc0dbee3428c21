"""The audit pages through requests: each page, each form, bad input (422 with an error summary)."""

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.audits.conftest import count_statements, make_sample
from tracker.audits import services
from tracker.audits.models import Audit, AuditCase, AuditFindingCard, FindingKind, TemplateElement
from tracker.board.models import Card, Kind
from tracker.extensions import db


def _case(audit) -> AuditCase:
    return db.session.scalar(select(AuditCase).where(AuditCase.audit_id == audit.id, AuditCase.scored_dt.is_(None)))


def test_template_builder(client, login, world):
    login(client, world.facilitator)
    slug = world.programme.slug
    assert b"There are no templates yet" in client.get(f"/programmes/{slug}/audit-templates").data
    response = client.post(f"/programmes/{slug}/audit-templates", data={"name": "  "})
    assert response.status_code == 422 and b"Enter a template name" in response.data
    response = client.post(f"/programmes/{slug}/audit-templates", data={"name": "Short audit"})
    template_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert client.post(f"/audit-templates/{template_id}/stages", data={"stage-title": ""}).status_code == 422
    client.post(f"/audit-templates/{template_id}/stages", data={"stage-title": "Facts established"})
    template = services.load_seed_template(world.programme, reuse=False)  # a second template, for the ids
    stage_id = db.session.scalar(select(func.max(TemplateElement.stage_id)))  # noqa: F841 - just any stage
    page = client.get(f"/audit-templates/{template_id}")
    assert b"Stage 1: Facts established" in page.data
    from tracker.audits.models import AuditTemplate

    stage = db.session.get(AuditTemplate, template_id).stages[0]
    bad = client.post(f"/audit-template-stages/{stage.id}/elements",
                      data={f"element-{stage.id}-title": "Advice", f"element-{stage.id}-max_score": "0"})
    assert bad.status_code == 422 and b"Maximum score must be between 1 and 100" in bad.data
    assert b"There is a problem" in bad.data
    client.post(f"/audit-template-stages/{stage.id}/elements",
                data={f"element-{stage.id}-title": "Advice", f"element-{stage.id}-max_score": "3"})
    element = db.session.get(AuditTemplate, template_id).stages[0].elements[0]
    assert client.post(f"/audit-template-elements/{element.id}/items", data={}).status_code == 422
    client.post(f"/audit-template-elements/{element.id}/items", data={f"item-{element.id}-text": "Advice recorded"})
    page = client.get(f"/audit-templates/{template_id}")
    assert b"Total score: 3 points" in page.data and b"Advice recorded" in page.data
    response = client.post(f"/programmes/{slug}/audit-templates/seed", data={})
    assert response.status_code == 302
    assert template.name.encode() in client.get(f"/programmes/{slug}/audit-templates").data


def test_start_an_audit(client, login, world):
    template = services.load_seed_template(world.programme)
    db.session.commit()
    login(client, world.team_b)
    url = f"/programmes/{world.programme.slug}/{world.org_b.slug}/audits/new"
    page = client.get(url)
    assert b"Withdrawn | Falling out" in page.data  # the seed's lists, to start from
    bad = client.post(url, data={"template": "", "title": "", "started_on": ["18", "8", "2021"],
                                 "ended_on": ["1", "8", "2021"]})
    assert bad.status_code == 422
    assert b"Choose a template" in bad.data and b"Enter an audit title" in bad.data
    bad = client.post(url, data={"template": str(template.id), "title": "Baseline", "started_on": ["18", "8", "2021"],
                                 "ended_on": ["1", "8", "2021"]})
    assert bad.status_code == 422 and b"End date must be the same as or after the start date" in bad.data
    response = client.post(url, data={"template": str(template.id), "title": "Baseline",
                                      "started_on": ["18", "8", "2021"], "ended_on": ["19", "8", "2021"],
                                      "auditors": "Two officers", "case_types": "Section 66\nSection 73",
                                      "outcomes": "Successful\nWithdrawn | Falling out"})
    assert response.status_code == 302
    audit = db.session.scalar(select(Audit).where(Audit.title == "Baseline"))
    lists = services.attributes_of(audit)
    assert [(a.label, a.group) for a in lists["outcome"]] == [("Successful", ""), ("Withdrawn", "Falling out")]
    assert lists["year"] == []
    assert b"Baseline" in client.get(f"/programmes/{world.programme.slug}/{world.org_b.slug}/audits").data


def test_edit_an_audit(client, login, world, sample):
    login(client, world.team_b)
    page = client.get(f"/audits/{sample.id}/edit")
    assert b"Application refused | Falling out" in page.data
    response = client.post(f"/audits/{sample.id}/edit", data={
        "title": "Renamed", "started_on": ["18", "8", "2021"], "case_types": "Section 66\nSection 73\nOther",
        "households": "Family\nSingle", "outcomes": "Successful", "years": "18/19"})
    assert response.status_code == 302
    assert sample.title == "Renamed"
    assert [a.label for a in services.attributes_of(sample)["case_type"]] == ["Section 66", "Section 73", "Other"]


def test_add_cases(client, login, world, sample):
    login(client, world.team_b)
    page = client.get(f"/audits/{sample.id}/cases/new")
    assert b"Section 73" in page.data
    section_73 = services.attributes_of(sample)["case_type"][1]
    response = client.post(f"/audits/{sample.id}/cases/new",
                           data={"reference": "HO-99", "case_type": str(section_73.id), "then": "another"})
    assert response.headers["Location"].endswith(f"/audits/{sample.id}/cases/new")
    case = db.session.scalar(select(AuditCase).where(AuditCase.reference == "HO-99"))
    assert (case.number, case.case_type_id) == (9, section_73.id)
    bad = client.post(f"/audits/{sample.id}/cases/new", data={"case_type": "999999"})
    assert bad.status_code == 422


def _all_max(audit) -> dict:
    return {f"score-{e.id}": str(e.max_score) for e in services.elements_of(audit)}


def test_score_a_case_without_javascript(client, login, world, sample):
    login(client, world.team_b)
    case = _case(sample)
    elements = services.elements_of(sample)
    page = client.get(f"/audit-cases/{case.id}")
    assert page.status_code == 200
    assert all(f'id="score-{e.id}"'.encode() in page.data for e in elements)
    assert f'for="na-{elements[0].id}"'.encode() in page.data
    data = _all_max(sample) | {f"score-{elements[3].id}": "n/a", f"na-{elements[4].id}": "1",
                               f"score-{elements[4].id}": "", "notes": "Thorough", "then": "list"}
    response = client.post(f"/audit-cases/{case.id}", data=data)
    assert response.status_code == 302, response.data[:2000]
    db.session.refresh(case)
    assert (case.score, case.possible, case.notes) == (24, 24, "Thorough")
    assert client.get(response.headers["Location"]).data.count(b"100%") >= 1


def test_scoring_errors_keep_what_was_typed(client, login, world, sample):
    login(client, world.team_b)
    case = _case(sample)
    elements = services.elements_of(sample)
    data = _all_max(sample) | {f"score-{elements[0].id}": "", f"score-{elements[1].id}": "7",
                               f"score-{elements[2].id}": "2", f"na-{elements[2].id}": "1",
                               f"score-{elements[3].id}": "x", "notes": "Kept notes"}
    response = client.post(f"/audit-cases/{case.id}", data=data)
    assert response.status_code == 422
    body = response.data.decode()
    assert "There is a problem" in body and body.startswith("<!DOCTYPE html>")
    assert "<title>Error:" in body
    assert "Enter a score for Client and household details, or choose not applicable" in body
    assert "Score for Current circumstances must be a whole number from 0 to 1" in body
    assert "enter a score or choose not applicable, not both" in body
    assert f'href="#score-{elements[0].id}"' in body
    assert 'value="7"' in body and "Kept notes" in body
    db.session.refresh(case)
    assert case.scored_dt is None


def test_live_totals_fragment(client, login, world, sample):
    login(client, world.team_b)
    case = _case(sample)
    elements = services.elements_of(sample)
    query = {f"score-{elements[0].id}": "2", f"score-{elements[1].id}": "1", f"na-{elements[2].id}": "1",
             f"score-{elements[7].id}": "oops"}
    response = client.get(f"/audit-cases/{case.id}", query_string=query, headers={"HX-Request": "true"})
    body = response.data.decode()
    assert response.status_code == 200 and not body.lstrip().startswith("<!DOCTYPE")
    assert 'id="totals"' in body and "3 of 3 (100%)" in body


def test_save_and_next_case(client, login, world, sample):
    login(client, world.team_b)
    first = _case(sample)
    second = services.add_case(sample, reference="Next")
    db.session.commit()
    page = client.get(f"/audit-cases/{first.id}")
    assert b"Save and next case" in page.data
    response = client.post(f"/audit-cases/{first.id}", data=_all_max(sample) | {"then": "next"})
    assert response.headers["Location"].endswith(f"/audit-cases/{second.id}")


def test_audit_page_lists_each_case_percentage(client, login, world, sample):
    login(client, world.viewer_b)
    body = client.get(f"/audits/{sample.id}").data.decode()
    for shown in ("100%", "84%", "90%", "80%", "50%", "48%", "Nothing applied: left out", "Not scored"):
        assert shown in body
    assert "Add a case" not in body  # a viewer reads
    assert client.get(f"/audit-cases/{_case(sample).id}").status_code == 200  # read only
    assert client.post(f"/audit-cases/{_case(sample).id}", data=_all_max(sample)).status_code == 403


def test_results_page(client, login, world, sample):
    services.add_finding(sample, FindingKind.POSITIVE, "Initial advice thorough")
    db.session.commit()
    login(client, world.viewer_b)
    body = client.get(f"/audits/{sample.id}/results").data.decode()
    assert "How each figure is computed" in body
    assert "Overall mean score (n=6): 75%" in body
    assert "17% of cases scored 100% (1 of 6)" in body
    assert "33% of cases scored 90% or more (2 of 6)" in body
    assert "Falling out" in body and "Initial advice thorough" in body
    assert "Change since the baseline" not in body


def test_results_show_the_change_since_the_baseline(client, login, world, sample):
    later = make_sample(world.org_b, title="Second audit", started_on=date(2022, 8, 18), sample=[
        ("Section 66", "Family", "Successful", "20/21", [2, 1, 2, 2, 1, 1, 1, 10, 4, 3], {})], unscored=0)
    login(client, world.team_b)
    body = client.get(f"/audits/{later.id}/results").data.decode()
    assert "Change since the baseline" in body and "+25 points" in body and sample.title in body


def test_exports(client, login, world, sample):
    login(client, world.viewer_b)
    csv = client.get(f"/audits/{sample.id}/results.csv")
    assert csv.headers["Content-Type"].startswith("text/csv")
    text = csv.data.decode("utf-8-sig")
    assert "Overall mean score (%),75.4" in text and "Falling out,5,70.4" in text
    xlsx = client.get(f"/audits/{sample.id}/results.xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert "Stages" in book.sheetnames
    rows = list(book["Stages"].values)
    assert rows[1][1:] == (32, 41, 78)


def test_findings_and_a_card_from_one(client, login, world, sample):
    login(client, world.team_b)
    assert client.post(f"/audits/{sample.id}/findings", data={"kind": "", "text": ""}).status_code == 422
    client.post(f"/audits/{sample.id}/findings", data={"kind": "improvement", "text": "Agree timescales on every file"})
    finding = services.findings_of(sample)[0]
    page = client.get(f"/audits/{sample.id}/findings")
    assert f'id="lane-{finding.id}"'.encode() in page.data
    bad = client.post(f"/audit-findings/{finding.id}/card", data={"lane": str(world.opportunity_a.id)})
    assert bad.status_code == 422 and b"Choose where it goes" in bad.data
    response = client.post(f"/audit-findings/{finding.id}/card", data={"lane": str(world.opportunity_b.id)})
    card = db.session.scalar(select(Card).where(Card.title == "Agree timescales on every file"))
    assert response.headers["Location"].endswith(f"/cards/{card.id}")
    assert card.kind == Kind.IDEA and card.opportunity_id == world.opportunity_b.id
    card_page = client.get(f"/cards/{card.id}").data.decode()
    assert "Agree timescales on every file" in card_page and f"/audits/{sample.id}/findings" in card_page
    again = client.post(f"/audit-findings/{finding.id}/card", data={"lane": "quick_win"})
    assert again.status_code == 422 and b"already on the board" in again.data
    assert db.session.scalar(select(func.count()).select_from(AuditFindingCard)) == 1
    assert b"On the board" in client.get(f"/audits/{sample.id}/findings").data


def test_another_organisations_objects_are_not_found(client, login, world, sample):
    login(client, world.team_a)
    assert client.get(f"/audits/{sample.id}").status_code == 404
    assert client.post(f"/audit-cases/{_case(sample).id}", data=_all_max(sample)).status_code == 404


def _page_statements(client, url: str) -> int:
    client.get(url)  # once first, so whatever a first request loads is not counted
    db.session.rollback()
    def fetch():
        assert client.get(url).status_code == 200

    return count_statements(fetch)


def test_the_templates_list_statements_do_not_grow_with_templates(client, login, world):
    login(client, world.facilitator)
    url = f"/programmes/{world.programme.slug}/audit-templates"
    services.load_seed_template(world.programme)
    db.session.commit()
    one = _page_statements(client, url)
    for _n in range(3):
        services.load_seed_template(world.programme, reuse=False)
    db.session.commit()
    assert client.get(url).data.count(b">3</td>") == 4  # each template's stage count
    assert _page_statements(client, url) == one


def test_the_template_builder_statements_do_not_grow_with_the_template(client, login, world):
    login(client, world.facilitator)
    small = services.create_template(world.programme, "Short audit")
    services.add_item(services.add_element(services.add_stage(small, "Facts"), "Advice", 2), "Advice recorded")
    seed = services.load_seed_template(world.programme)  # 3 stages, 10 elements, 11 checklist items
    db.session.commit()
    small_count = _page_statements(client, f"/audit-templates/{small.id}")
    page = client.get(f"/audit-templates/{seed.id}")
    assert b"Total score: 27 points" in page.data and b"Timely S63 letter of decision sent" in page.data
    assert _page_statements(client, f"/audit-templates/{seed.id}") == small_count


def test_starting_an_audit_reads_the_template_in_statements_that_do_not_grow(world):
    small = services.create_template(world.programme, "Short audit")
    services.add_item(services.add_element(services.add_stage(small, "Facts"), "Advice", 2), "Advice recorded")
    seed = services.load_seed_template(world.programme)
    db.session.commit()

    def start(template_id):
        def run():
            template = db.session.get(type(small), template_id)
            services.start_audit(world.org_b, template, title="Audit", started_on=date(2021, 8, 18))
        return run

    db.session.expire_all()
    small_reads = count_statements(start(small.id), reads=True)
    db.session.rollback()
    db.session.expire_all()
    assert count_statements(start(seed.id), reads=True) == small_reads
    db.session.rollback()


def test_a_viewer_reads_a_case_without_a_form(client, login, world, sample):
    scored = db.session.scalar(select(AuditCase).where(AuditCase.audit_id == sample.id, AuditCase.number == 1))
    scored.notes = "Thorough file"
    db.session.commit()
    login(client, world.viewer_b)
    assert b"/audit-cases/" in client.get(f"/audits/{sample.id}").data  # each case links to its page
    page = client.get(f"/audit-cases/{scored.id}")
    assert page.status_code == 200
    body = page.data.decode()
    assert "Thorough file" in body and "27 of 27 (100%)" in body
    assert "Section 66" in body and "Family" in body
    assert "2 of 2" in body  # client and household details
    assert "Timescales agreed for actions to take place/any reviews to take place: <strong>Yes" in body
    assert 'name="score-' not in body and ">Save<" not in body and f'action="/audit-cases/{scored.id}"' not in body
    unscored = client.get(f"/audit-cases/{_case(sample).id}").data.decode()
    assert "Not scored" in unscored
    assert client.post(f"/audit-cases/{scored.id}", data=_all_max(sample)).status_code == 403
    db.session.refresh(scored)
    assert scored.notes == "Thorough file"


def test_the_team_still_scores_a_case(client, login, world, sample):
    login(client, world.team_b)
    body = client.get(f"/audit-cases/{_case(sample).id}").data.decode()
    assert 'name="score-' in body and ">Save<" in body and "Score so far" in body


def test_a_dated_range_is_one_message(client, login, world, sample):
    sample.ended_on = date(2021, 9, 30)
    db.session.commit()
    login(client, world.viewer_b)
    assert "18 August 2021 to 30 September 2021" in client.get(f"/audits/{sample.id}").data.decode()
    results_page = client.get(f"/audits/{sample.id}/results").data.decode()
    assert "18 August 2021 to 30 September 2021" in results_page
    assert ">Percentage</th>" in results_page and ">n</th>" in results_page
