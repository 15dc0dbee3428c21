"""The rules of templates, audits, cases and findings."""

from datetime import date

import pytest

from tests import factories
from tests.audits.conftest import count_statements, make_sample
from tracker.audits import services
from tracker.audits.models import Answer, AttributeKind, AuditElement, FindingKind
from tracker.audits.sources import finding_sources
from tracker.board.models import Kind
from tracker.board.services import BoardError
from tracker.extensions import db


def test_seed_template_is_27_points_in_three_stages(world):
    template = services.load_seed_template(world.programme)
    assert [[e.max_score for e in s.elements] for s in template.stages] == [[2, 1, 2, 2, 1], [1, 1, 10], [4, 3]]
    assert services.template_total(template) == 27
    assert template.stages[1].title == "Accurate and appropriate advice and PHP"
    assert services.load_seed_template(world.programme).id == template.id  # the demo loads it once
    assert services.load_seed_template(world.programme, reuse=False).id != template.id


def test_an_audit_copies_its_template_and_editing_the_template_changes_no_audit(world):
    template = services.load_seed_template(world.programme)
    audit = services.start_audit(world.org_a, template, title="Baseline", started_on=date(2021, 8, 18))
    copied = services.elements_of(audit)
    assert [e.max_score for e in copied] == [2, 1, 2, 2, 1, 1, 1, 10, 4, 3]
    assert all(isinstance(e, AuditElement) and e.audit_id == audit.id for e in copied)
    assert audit.template_id == template.id
    assert len(services.items_of(audit)) == 10
    # Change the template: the audit keeps what it copied.
    template.stages[0].elements[0].max_score = 5
    template.stages[0].elements[0].title = "Renamed"
    services.add_element(template.stages[0], "New element", 3)
    services.add_item(template.stages[0].elements[0], "New item")
    db.session.commit()
    db.session.expire_all()
    again = services.elements_of(audit)
    assert [(e.title, e.max_score) for e in again][:1] == [("Client and household details", 2)]
    assert len(again) == 10 and len(services.items_of(audit)) == 10


def test_starting_an_audit_refuses(world):
    template = services.load_seed_template(world.programme)
    other = factories.make_programme(world.facilitator, "Other programme")
    empty = services.create_template(world.programme, "Empty")
    with pytest.raises(services.AuditError, match="this programme"):
        services.start_audit(world.org_a, services.load_seed_template(other), title="x", started_on=date(2021, 1, 1))
    with pytest.raises(services.AuditError, match="no elements"):
        services.start_audit(world.org_a, empty, title="x", started_on=date(2021, 1, 1))
    with pytest.raises(services.AuditError) as error:
        services.start_audit(world.org_a, template, title="x", started_on=date(2021, 2, 1), ended_on=date(2021, 1, 1))
    assert error.value.field == "ended_on"


def test_element_maximum_bounds(world):
    stage = services.add_stage(services.create_template(world.programme, "T"), "Stage")
    for bad in (0, 101):
        with pytest.raises(services.AuditError):
            services.add_element(stage, "Element", bad)
    assert services.add_element(stage, "Element", 100).max_score == 100


def test_attribute_lists_parse_with_groups():
    assert services.parse_attributes("Withdrawn | Falling out\n\n  Successful \nwithdrawn\n", grouped=True) == [
        ("Withdrawn", "Falling out"), ("Successful", "")]
    assert services.parse_attributes("A | B") == [("A | B", "")]
    assert services.attributes_text([("Withdrawn", "Falling out"), ("Successful", "")]) == \
        "Withdrawn | Falling out\nSuccessful"


def test_changing_an_attribute_list_keeps_the_values_kept(world):
    audit = make_sample(world.org_a, sample=[], unscored=0)
    section_66 = services.attributes_of(audit)[AttributeKind.CASE_TYPE][0]
    case = services.add_case(audit, case_type=section_66)
    services.set_attributes(audit, AttributeKind.CASE_TYPE, [("Section 73", ""), ("Section 66", ""), ("Other", "")])
    db.session.commit()
    values = services.attributes_of(audit)[AttributeKind.CASE_TYPE]
    assert [v.label for v in values] == ["Section 73", "Section 66", "Other"]
    assert case.case_type_id == section_66.id
    services.set_attributes(audit, AttributeKind.CASE_TYPE, [("Other", "")])
    db.session.commit()
    db.session.refresh(case)
    assert case.case_type_id is None


def test_scoring_refuses_what_is_not_a_score(world):
    audit = make_sample(world.org_a, sample=[], unscored=0)
    other = make_sample(world.org_b, sample=[], unscored=0)
    case = services.add_case(audit)
    elements = services.elements_of(audit)
    full = {e.id: e.max_score for e in elements}
    with pytest.raises(services.AuditError, match="Enter a score"):
        services.score_case(case, scores={k: v for k, v in full.items() if k != elements[0].id}, answers={})
    with pytest.raises(services.AuditError, match="between 0 and 2"):
        services.score_case(case, scores={**full, elements[0].id: 3}, answers={})
    with pytest.raises(services.AuditError):
        services.score_case(case, scores={**full, services.elements_of(other)[0].id: 1}, answers={})
    with pytest.raises(services.AuditError):
        services.score_case(case, scores=full, answers={services.items_of(other)[0].id: Answer.YES})
    foreign = services.attributes_of(other)[AttributeKind.YEAR][0]
    with pytest.raises(services.AuditError):
        services.score_case(case, scores=full, answers={}, attributes={AttributeKind.YEAR: foreign})
    assert case.scored_dt is None


def test_scoring_keeps_the_totals_and_answers(world):
    audit = make_sample(world.org_a, sample=[], unscored=0)
    case = services.add_case(audit)
    elements, items = services.elements_of(audit), services.items_of(audit)
    scores = {e.id: e.max_score for e in elements} | {elements[3].id: None}
    services.score_case(case, scores=scores, answers={items[0].id: Answer.YES, items[1].id: Answer.NA}, notes=" ok ")
    assert (case.score, case.possible, case.notes) == (25, 25, "ok")
    services.score_case(case, scores=scores | {elements[0].id: 0}, answers={items[0].id: None})
    db.session.commit()
    saved, answers = services.scores_of(case)
    assert saved[elements[3].id] is None and saved[elements[0].id] == 0
    assert answers == {items[1].id: Answer.NA}
    assert (case.score, case.possible) == (23, 25)


def test_next_case_prefers_the_next_unscored(world):
    audit = make_sample(world.org_a, sample=[], unscored=0)
    one, two, three = (services.add_case(audit) for _ in range(3))
    full = {e.id: e.max_score for e in services.elements_of(audit)}
    services.score_case(two, scores=full, answers={})
    assert services.next_case(one).id == three.id
    assert services.next_case(three).id == one.id  # the first still to score
    for case in (one, three):
        services.score_case(case, scores=full, answers={})
    assert services.next_case(one).id == two.id
    assert services.next_case(three) is None
    assert [c.number for c in services.cases_of(audit)] == [1, 2, 3]


def test_an_area_for_improvement_becomes_a_quick_win_linked_back(world, app):
    audit = make_sample(world.org_b, sample=[], unscored=0)
    area = services.add_finding(audit, FindingKind.IMPROVEMENT, "Agree timescales with every customer")
    card = services.finding_to_card(area, opportunity=None, user=world.team_b)
    db.session.commit()
    assert (card.kind, card.organisation_id, card.title) == (Kind.QUICK_WIN, world.org_b.id,
                                                             "Agree timescales with every customer")
    assert services.finding_cards(audit) == {area.id: card}
    with app.test_request_context():
        (source,) = finding_sources(card)
        assert source.text == "Agree timescales with every customer"
        assert source.url == f"/audits/{audit.id}/findings"
        assert finding_sources(world.card_b) == []
    with pytest.raises(services.AuditError, match="already"):
        services.finding_to_card(area, opportunity=None, user=world.team_b)


def test_an_area_for_improvement_becomes_an_idea_of_this_organisation_only(world):
    audit = make_sample(world.org_b, sample=[], unscored=0)
    area = services.add_finding(audit, FindingKind.IMPROVEMENT, "Log support needs")
    with pytest.raises(BoardError):
        services.finding_to_card(area, opportunity=world.opportunity_a, user=world.team_b)
    card = services.finding_to_card(area, opportunity=world.opportunity_b, user=world.team_b)
    assert (card.kind, card.opportunity_id) == (Kind.IDEA, world.opportunity_b.id)
    positive = services.add_finding(audit, FindingKind.POSITIVE, "Thorough notes")
    with pytest.raises(services.AuditError, match="Only an area"):
        services.finding_to_card(positive, opportunity=None, user=world.team_b)


def test_a_finding_is_locked_before_it_is_checked(world, monkeypatch):
    """Two quick submits: the second waits on the finding's row lock, then finds the first one's card (one
    card, and the second is told it is already on the board)."""
    audit = make_sample(world.org_b, sample=[], unscored=0)
    area = services.add_finding(audit, FindingKind.IMPROVEMENT, "Agree timescales with every customer")
    db.session.commit()
    order = []
    lock = services.lock_finding
    monkeypatch.setattr(services, "lock_finding", lambda finding: (order.append("lock"), lock(finding)))
    seen = []
    count_statements(lambda: services.finding_to_card(area, opportunity=None, user=world.team_b), seen=seen)
    assert order == ["lock"]
    checks = [n for n, sql in enumerate(seen) if "audit_finding_card" in sql]
    assert checks
    if db.session.get_bind().dialect.name == "postgresql":
        (locked,) = [n for n, sql in enumerate(seen) if "FOR NO KEY UPDATE" in sql and "audit_finding" in sql]
        assert locked < checks[0]
    db.session.commit()
    with pytest.raises(services.AuditError, match="already on the board"):
        services.finding_to_card(area, opportunity=None, user=world.team_b)
    assert len(services.finding_cards(audit)) == 1


def test_the_demo_loads_once(world):
    from tracker.audits import demo, results

    demo.load(world.programme, world.org_a)
    demo.load(world.programme, world.org_a)
    (audit,) = services.audits_of(world.org_a)
    figures = results.compute(audit)
    assert (figures.n, figures.unscored) == (6, 1)
    assert len(services.findings_of(audit)) == 4 and demo.loaded(world.org_a)


def test_a_checklist_item_typed_over_lines_is_kept_as_one_line(world):
    element = services.add_element(services.add_stage(services.create_template(world.programme, "T"), "Stage"),
                                   "Advice", 2)
    item = services.add_item(element, "  Evidence of the advice given\r\nand   of the housing options\n ")
    assert item.text == "Evidence of the advice given and of the housing options"
    services.update_item(item, "Advice\n\nrecorded")
    assert item.text == "Advice recorded"
