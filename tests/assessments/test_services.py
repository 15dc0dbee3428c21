"""The self-assessment rules, called without a request: the toolkit copy rule, evidence ("yes/no answers are
not sufficient"), judgements and their tally, the report, then and now, and findings → cards."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.assessments.conftest import evidence_text, make_assessment, make_toolkit
from tracker.assessments import demo, services
from tracker.assessments.models import (
    AssessmentCard,
    AssessmentQuestion,
    EvidenceKind,
    Judgement,
    Toolkit,
    ToolkitQuestion,
)
from tracker.board.models import Card, Kind
from tracker.board.sources import sources_of
from tracker.extensions import db


def _questions(assessment):
    return services.questions_of(services.load_assessment_tree(assessment.id))


def test_the_demo_toolkit_loads_once(world):
    first = make_toolkit(world.programme)
    again = demo.load(world.programme)
    db.session.commit()
    assert again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Toolkit)) == 1
    tree = services.load_toolkit_tree(first.id)
    assert [s.ref for s in tree.sections] == ["A1"]
    assert [h.ref for h in tree.sections[0].headlines] == ["A1.1", "A1.2"]
    assert [q.ref for h in tree.sections[0].headlines for q in h.questions] == ["A1 1.1", "A1 1.2", "A1 2.1"]
    first_question = tree.sections[0].headlines[0].questions[0]
    assert [k for k, _text in first_question.source_list()] == [
        EvidenceKind.DOCUMENTS, EvidenceKind.OBSERVATION, EvidenceKind.USER_OPINION]


def test_sources_keep_only_known_kinds_with_text(world):
    toolkit = services.create_toolkit(world.programme, title="  Repairs   toolkit ")
    section = services.add_section(toolkit, ref="B1", title="Track record")
    headline = services.add_headline(section, ref="B1.1", text="Have we improved?")
    question = services.add_question(headline, ref="B1 1.1", text="Q", sources={
        "documents": "  Plans ", "interviews": "   ", "hacked": "x"})
    assert toolkit.title == "Repairs toolkit"
    assert question.sources == {"documents": "Plans"}
    assert services.add_section(toolkit, ref="B2", title="Vision").position == 2


def test_an_assessment_keeps_its_copy_when_the_toolkit_changes(world):
    toolkit = make_toolkit(world.programme)
    assessment = make_assessment(world.org_a, toolkit, coordinator=world.team_a, team=[world.facilitator])
    original = db.session.scalar(select(ToolkitQuestion).where(ToolkitQuestion.ref == "A1 1.1"))
    services.update_item(original, ref="A1 1.1", text="A new wording", look_for="New", sources={"documents": "New"})
    headline = original.headline
    services.add_question(headline, ref="A1 1.9", text="Added later")
    db.session.commit()
    copied = _questions(assessment)
    assert [q.ref for q in copied] == ["A1 1.1", "A1 1.2", "A1 2.1"]
    assert copied[0].text.startswith("Does the council provide members of the public")
    assert copied[0].sources["documents"].startswith("Written information")
    assert copied[0].toolkit_question_id == original.id
    assert assessment.coordinator == world.team_a and assessment.team == [world.facilitator]


def test_starting_needs_a_toolkit_of_the_programme_with_key_questions(world):
    other = factories.make_programme(world.facilitator, "Other programme")
    foreign = make_toolkit(other)
    with pytest.raises(services.AssessmentError, match="toolkit of this programme"):
        services.start_assessment(world.org_a, foreign, title="X", coordinator=None, team=[])
    empty = services.create_toolkit(world.programme, title="Empty")
    services.add_section(empty, ref="A1", title="Only a section")
    with pytest.raises(services.AssessmentError, match="no key questions"):
        services.start_assessment(world.org_a, empty, title="X", coordinator=None, team=[])


@pytest.mark.parametrize("answer", ["Yes", "no", "NO.", " yes! ", "Y", "Yes/No", "Ie", "naddo", "**Yes**"])
def test_yes_or_no_alone_is_not_evidence(world, answer):
    assessment = make_assessment(world.org_a, make_toolkit(world.programme))
    question = _questions(assessment)[0]
    assert services.is_only_yes_no(answer)
    with pytest.raises(services.AssessmentError, match="not only yes or no"):
        services.add_evidence(question, kind=EvidenceKind.DOCUMENTS, source="Leaflets", found="Yes",
                              evidence=answer, author=world.team_a)


def test_evidence_in_full_is_recorded(world):
    assessment = make_assessment(world.org_a, make_toolkit(world.programme))
    question = _questions(assessment)[0]
    assert not services.is_only_yes_no("Yes, in English and Welsh")
    record = services.add_evidence(question, kind=EvidenceKind.INTERVIEWS, source=" Interview with the  manager ",
                                   found="Leaflets exist\r\nin two languages", evidence="Yes, in English and Welsh",
                                   author=world.team_a)
    assert (record.source, record.found) == ("Interview with the manager", "Leaflets exist\nin two languages")


def test_a_judgement_needs_a_reason(world):
    assessment = make_assessment(world.org_a, make_toolkit(world.programme))
    question = _questions(assessment)[0]
    with pytest.raises(services.AssessmentError, match="reason"):
        services.judge(question, judgement=Judgement.RED, reason="   ", user=world.team_a)
    assert question.judgement is None
    services.judge(question, judgement=Judgement.AMBER, reason="Mixed picture", strengths="Leaflets",
                   improvements="No other languages", user=world.team_a)
    assert (question.judgement, question.reason, question.judged_by) == (Judgement.AMBER, "Mixed picture", world.team_a)
    assert question.judged_dt is not None


def test_the_tally_and_the_report(world):
    assessment = make_assessment(world.org_a, make_toolkit(world.programme))
    q1, q2, q3 = _questions(assessment)
    for n in range(2):
        services.add_evidence(q1, kind=EvidenceKind.DOCUMENTS, source=f"Leaflet {n}", found="Found",
                              evidence=evidence_text(n), author=None)
    services.add_evidence(q2, kind=EvidenceKind.OBSERVATION, source="Reception", found="Hearing loop",
                          evidence="A hearing loop is fitted and works.", author=None)
    services.judge(q1, judgement=Judgement.GREEN, reason="Largely positive", user=None)
    services.judge(q2, judgement=Judgement.RED, reason="No interpreters", improvements="Language Line", user=None)
    db.session.commit()
    tree = services.load_assessment_tree(assessment.id)
    tally = services.tally(services.questions_of(tree))
    assert (tally.green, tally.amber, tally.red, tally.none, tally.total, tally.judged) == (1, 0, 1, 1, 3, 2)
    assert tally.evidence == 3 and tally.by_kind == {EvidenceKind.DOCUMENTS: 2, EvidenceKind.OBSERVATION: 1}
    table = services.report_table(tree)
    assert len(table.rows) == 4
    assert table.header[:6] == ["Section", "Headline question", "Ref", "Key question", "Evidence for judgement",
                                "Judgement"]
    first, second, third = table.body
    assert first[0] == "A1 User focus" and first[2] == "A1 1.1" and first[5] == "Green"
    assert first[4].count("Documents: Leaflet") == 2
    assert second[5] == "Red" and second[8] == "Language Line"
    assert third[5] == "Not judged yet" and third[4] == ""


def test_a_reassessment_shows_the_judgements_then(world):
    toolkit = make_toolkit(world.programme)
    baseline = make_assessment(world.org_a, toolkit, title="Baseline")
    make_assessment(world.org_b, toolkit, title="Another organisation")  # never a previous of org A's
    b1, b2, _b3 = _questions(baseline)
    services.judge(b1, judgement=Judgement.RED, reason="No leaflets", user=None)
    services.judge(b2, judgement=Judgement.AMBER, reason="Partly", user=None)
    headline = db.session.scalar(select(ToolkitQuestion).where(ToolkitQuestion.ref == "A1 2.1")).headline
    services.add_question(headline, ref="A1 2.2", text="Added after the baseline")
    db.session.commit()
    again = make_assessment(world.org_a, toolkit, title="Health check")
    tree = services.load_assessment_tree(again.id)
    assert services.previous_assessment(tree).id == baseline.id
    assert services.previous_assessment(services.load_assessment_tree(baseline.id)) is None
    then = services.judgements_then(tree, baseline)
    n1, n2, n3, n4 = services.questions_of(tree)
    assert then == {n1.id: Judgement.RED, n2.id: Judgement.AMBER, n3.id: None}
    assert n4.id not in then  # not asked then
    services.judge(n1, judgement=Judgement.GREEN, reason="Leaflets now", user=None)
    table = services.report_table(tree, then)
    assert [row[5] for row in table.body] == ["Green", "Not judged yet", "Not judged yet", "Not judged yet"]
    assert [row[9] for row in table.body] == ["Red", "Amber", "", ""]


def test_a_task_of_the_evidence_schedule(world):
    toolkit = make_toolkit(world.programme)
    assessment = make_assessment(world.org_a, toolkit, team=[world.team_a])
    other = make_assessment(world.org_b, toolkit)
    with pytest.raises(services.AssessmentError):
        services.add_task(assessment, kind=EvidenceKind.INTERVIEWS, description="Interview", assignee=None,
                          due_on=None, question=_questions(other)[0])
    task = services.add_task(assessment, kind=EvidenceKind.INTERVIEWS, description=" Interview the  officer ",
                             assignee=world.team_a, due_on=date(2026, 3, 1), question=_questions(assessment)[0])
    assert task.description == "Interview the officer" and not task.is_done
    services.set_task_done(task, True)
    assert task.is_done


def test_red_or_amber_findings_become_cards_linked_back(app, world):
    assessment = make_assessment(world.org_a, make_toolkit(world.programme))
    q1, q2, q3 = _questions(assessment)
    services.judge(q1, judgement=Judgement.GREEN, reason="Fine", user=None)
    services.judge(q2, judgement=Judgement.RED, reason="No interpreters", user=None)
    services.judge(q3, judgement=Judgement.AMBER, reason="Letters unclear", user=None)
    for question in (q1,):
        with pytest.raises(services.AssessmentError, match="red or amber"):
            services.make_improvement_card(question, kind=Kind.QUICK_WIN, title="T", description="", opportunity=None,
                                           user=None)
    cards_before = db.session.scalar(select(func.count()).select_from(Card))
    quick_win = services.make_improvement_card(q2, kind=Kind.QUICK_WIN, title="Sign up to Language Line",
                                               description="Interpreters", opportunity=None, user=world.team_a)
    with pytest.raises(services.AssessmentError, match="design opportunity"):
        services.make_improvement_card(q3, kind=Kind.IDEA, title="Plain letters", description="", opportunity=None,
                                       user=None)
    with pytest.raises(services.AssessmentError):
        services.make_improvement_card(q3, kind=Kind.IDEA, title="Plain letters", description="",
                                       opportunity=world.opportunity_b, user=None)
    idea = services.make_improvement_card(q3, kind=Kind.IDEA, title="Plain letters", description="",
                                          opportunity=world.opportunity_a, user=None)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Card)) == cards_before + 2
    assert (quick_win.kind, quick_win.organisation_id, quick_win.code) == (Kind.QUICK_WIN, world.org_a.id, "2")
    assert (idea.kind, idea.code) == (Kind.IDEA, "1.2")
    assert {(link.question_id, link.card_id) for link in db.session.scalars(select(AssessmentCard))} == {
        (q2.id, quick_win.id), (q3.id, idea.id)}
    tree = services.load_assessment_tree(assessment.id)
    assert {k: [c.id for c in v] for k, v in services.cards_by_question(tree).items()} == {
        q2.id: [quick_win.id], q3.id: [idea.id]}
    with app.test_request_context():
        (source,) = [s for s in sources_of(quick_win) if s.kind == "Self-assessment"]
    assert source.url == f"/assessment-questions/{q2.id}"
    assert source.text.startswith("Self-assessment 2026: A1 1.2 Can everyone use the service")
    assert db.session.get(AssessmentQuestion, q2.id).judgement == Judgement.RED


def test_the_demo_programme_carries_the_starter_toolkit(app):
    from tracker.demo import PROGRAMME_SLUG, load_demo
    from tracker.programmes.models import Programme

    load_demo()
    db.session.commit()
    load_demo()  # twice changes nothing
    db.session.commit()
    programme = db.session.scalar(select(Programme).where(Programme.slug == PROGRAMME_SLUG))
    (toolkit,) = db.session.scalars(select(Toolkit).where(Toolkit.programme_id == programme.id))
    assert toolkit.title == "Housing advice and homelessness"
    assert db.session.scalar(select(func.count()).select_from(ToolkitQuestion)) == 3


def test_moving_toolkit_items_swaps_them_with_their_neighbour(world):
    toolkit = make_toolkit(world.programme)
    section = services.load_toolkit_tree(toolkit.id).sections[0]
    first, second = section.headlines
    assert services.move_item(first, up=True) is False  # already at the top
    assert services.move_item(first, up=False) is True
    db.session.commit()
    assert [h.ref for h in services.load_toolkit_tree(toolkit.id).sections[0].headlines] == ["A1.2", "A1.1"]
    assert services.move_item(first, up=False) is False  # now at the bottom
    one, two = first.questions  # A1 1.1, A1 1.2 under A1.1
    assert services.move_item(two, up=True) is True
    db.session.commit()
    db.session.expire_all()
    assert [q.ref for q in db.session.get(type(first), first.id).questions] == ["A1 1.2", "A1 1.1"]
    other = services.add_section(toolkit, ref="A2", title="Key service issues")
    services.move_item(other, up=True)
    db.session.commit()
    db.session.expire_all()
    assert [s.ref for s in services.load_toolkit_tree(toolkit.id).sections] == ["A2", "A1"]


def test_removing_from_the_toolkit_leaves_started_assessments_their_copy(world):
    toolkit = make_toolkit(world.programme)
    assessment = make_assessment(world.org_a, toolkit)
    tree = services.load_toolkit_tree(toolkit.id)
    section = tree.sections[0]
    first_question = section.headlines[0].questions[0]
    services.delete_item(first_question)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ToolkitQuestion)) == 2
    services.delete_item(section)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ToolkitQuestion)) == 0
    db.session.expire_all()
    copy = _questions(assessment)
    assert [q.ref for q in copy] == ["A1 1.1", "A1 1.2", "A1 2.1"]  # the assessment's own copy stays whole
    assert [q.toolkit_question_id for q in copy] == [None, None, None]
    assert services.load_toolkit_tree(toolkit.id).sections == []


def test_evidence_is_changed_under_the_same_rules_and_removed(world):
    toolkit = make_toolkit(world.programme)
    question = _questions(make_assessment(world.org_a, toolkit))[0]
    record = services.add_evidence(question, kind=EvidenceKind.DOCUMENTS, source="Leaflets", found="Leaflets",
                                   evidence=evidence_text(), author=world.team_a)
    with pytest.raises(services.AssessmentError, match="not only yes or no"):
        services.update_evidence(record, kind=EvidenceKind.OBSERVATION, source="x", found="x", evidence="No!")
    assert (record.kind, record.source) == (EvidenceKind.DOCUMENTS, "Leaflets")
    services.update_evidence(record, kind=EvidenceKind.OBSERVATION, source="  Reception   desk ", found=" Seen ",
                             evidence=evidence_text(2))
    db.session.commit()
    assert (record.kind, record.source, record.found, record.author) == (
        EvidenceKind.OBSERVATION, "Reception desk", "Seen", world.team_a)
    services.delete_evidence(record)
    db.session.commit()
    assert _questions(question.assessment)[0].evidence == []


def test_a_task_is_changed_and_removed(world):
    toolkit = make_toolkit(world.programme)
    assessment = make_assessment(world.org_a, toolkit)
    other = make_assessment(world.org_a, toolkit, title="Other")
    task = services.add_task(assessment, kind=EvidenceKind.DOCUMENTS, description="Read", assignee=None, due_on=None)
    with pytest.raises(services.AssessmentError, match="Choose a key question of this assessment"):
        services.update_task(task, kind=EvidenceKind.DOCUMENTS, description="Read", assignee=None, due_on=None,
                             question=_questions(other)[0])
    services.update_task(task, kind=EvidenceKind.INTERVIEWS, description=" Interview  the officer ",
                         assignee=world.team_a, due_on=date(2026, 3, 2), question=_questions(assessment)[1])
    db.session.commit()
    assert (task.kind, task.description, task.assignee, task.due_on, task.question.ref) == (
        EvidenceKind.INTERVIEWS, "Interview the officer", world.team_a, date(2026, 3, 2), "A1 1.2")
    services.delete_task(task)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(type(task))) == 0


def test_a_judgement_from_an_older_page_is_refused(world):
    toolkit = make_toolkit(world.programme)
    question = _questions(make_assessment(world.org_a, toolkit))[0]
    assert services.judgement_seen(question) == ""  # not judged yet
    services.judge(question, judgement=Judgement.GREEN, reason="Good", user=world.team_a, seen="")
    first = services.judgement_seen(question)
    assert len(first) == 20
    with pytest.raises(services.StaleJudgement):  # a second page, still showing "not judged"
        services.judge(question, judgement=Judgement.RED, reason="Bad", user=world.team_b, seen="")
    assert (question.judgement, question.reason) == (Judgement.GREEN, "Good")
    services.judge(question, judgement=Judgement.GREEN, reason="Good", strengths="Leaflets", user=None, seen=first)
    assert services.judgement_seen(question) != first  # the strengths count too
    with pytest.raises(services.StaleJudgement):
        services.judge(question, judgement=Judgement.AMBER, reason="Mixed", user=None, seen=first)
