"""Discovery work at once, against gunicorn with four workers, on SQLite and on PostgreSQL.

- Sixteen people putting one audit finding on the board at the same moment (a double click, a colleague
  with the same page open): one card, linked back once; the others are told it is already on the board
  (422), and no response is a 5xx.
- Sixteen auditors saving their scores of one case at the same moment, the case never scored before (every
  save inserts its rows) and then again (every save changes them, some answers removed): no 5xx, and the
  case holds exactly one person's whole save — its scores, answers, notes and total agree.
- Sixteen people changing one insight from the version they all saw, and sixteen judging one key question
  of a self-assessment from the judgement they all saw: one save each; the others are told someone else
  changed it (409) with what they typed kept, and no response is a 5xx.
"""

from collections import Counter

from sqlalchemy import func, select

from tests.assessments.conftest import make_assessment, make_toolkit
from tests.audits.conftest import make_sample
from tests.concurrency.test_http import CLIENTS, run_together
from tracker.assessments import services as assessments
from tracker.assessments.models import AssessmentQuestion, Judgement
from tracker.audits import services
from tracker.audits.models import Answer, AuditAnswer, AuditCase, AuditFindingCard, AuditScore, FindingKind
from tracker.board.models import Card
from tracker.extensions import db
from tracker.insights import services as insights
from tracker.insights.models import Insight, InsightSource


def test_sixteen_people_put_one_finding_on_the_board_once(world, person, committed, server):
    audit = make_sample(world.org_a, sample=[], unscored=0)
    finding = services.add_finding(audit, FindingKind.IMPROVEMENT, "Agree timescales with every customer")
    db.session.commit()
    finding_id, org_id = finding.id, world.org_a.id
    cards_before = committed().scalar(select(func.count()).select_from(Card).where(Card.organisation_id == org_id))
    browsers = [person(world.team_a) for _ in range(CLIENTS)]
    for browser in browsers:
        assert browser.get(f"/audits/{audit.id}/findings").status_code == 200

    responses = run_together([lambda b=b: b.post(f"/audit-findings/{finding_id}/card", {"lane": "quick_win"})
                              for b in browsers])

    statuses = Counter(r.status_code for r in responses)
    assert statuses == Counter({302: 1, 422: CLIENTS - 1}), statuses
    assert all("This finding is already on the board" in r.text for r in responses if r.status_code == 422)
    session = committed()
    links = session.scalars(select(AuditFindingCard).where(AuditFindingCard.finding_id == finding_id)).all()
    assert len(links) == 1
    cards_after = session.scalar(select(func.count()).select_from(Card).where(Card.organisation_id == org_id))
    assert cards_after == cards_before + 1
    assert session.get(Card, links[0].card_id).title == "Agree timescales with every customer"
    assert server.errors_logged() == []


def _save(audit, elements, items, n: int) -> dict:
    """Auditor ``n``'s whole form: a score of its own for each element (or not applicable), its answers
    (some left unanswered, which removes an answer saved before) and notes that name it."""
    data = {"notes": f"Scored by auditor {n}", "then": "list"}
    for index, element in enumerate(elements):
        if (n + index) % 5 == 0:
            data[f"na-{element.id}"] = "1"
        else:
            data[f"score-{element.id}"] = str((n + index) % (element.max_score + 1))
    for index, item in enumerate(items):
        if (n + index) % 4:
            data[f"item-{item.id}"] = (Answer.YES, Answer.NO, Answer.NA)[(n + index) % 3].value
    return data


def test_sixteen_auditors_save_one_case_at_once(world, person, committed, server):
    audit = make_sample(world.org_a, sample=[], unscored=1)
    case = services.cases_of(audit)[0]
    elements, items = services.elements_of(audit), services.items_of(audit)
    saves = {n: _save(audit, elements, items, n) for n in range(CLIENTS * 2)}
    browsers = [person(world.team_a) for _ in range(CLIENTS)]
    for round_number in range(2):  # first every row is new, then every row exists
        for browser in browsers:
            assert browser.get(f"/audit-cases/{case.id}").status_code == 200
        offset = round_number * CLIENTS
        responses = run_together([lambda b=b, data=saves[offset + n]: b.post(f"/audit-cases/{case.id}", data)
                                  for n, b in enumerate(browsers)])
        assert Counter(r.status_code for r in responses) == Counter({302: CLIENTS}), \
            [(r.status_code, r.text[:300]) for r in responses if r.status_code != 302]
        session = committed()
        stored = session.get(AuditCase, case.id)
        winner = int(stored.notes.rsplit(" ", 1)[1])
        assert offset <= winner < offset + CLIENTS
        expected = saves[winner]
        scores = dict(session.execute(select(AuditScore.element_id, AuditScore.score)
                                      .where(AuditScore.case_id == case.id)).all())
        assert scores == {e.id: None if f"na-{e.id}" in expected else int(expected[f"score-{e.id}"])
                          for e in elements}
        answers = dict(session.execute(select(AuditAnswer.item_id, AuditAnswer.answer)
                                       .where(AuditAnswer.case_id == case.id)).all())
        assert answers == {i.id: Answer(expected[f"item-{i.id}"]) for i in items if f"item-{i.id}" in expected}
        assert (stored.score, stored.possible) == services.case_total(elements, scores)
    assert server.errors_logged() == []


def _one_saved_the_rest_told(responses, told: str) -> int:
    """The index of the one save that went through; every other was refused with ``told``."""
    statuses = Counter(r.status_code for r in responses)
    assert statuses == Counter({302: 1, 409: CLIENTS - 1}), statuses
    assert all(told in r.text for r in responses if r.status_code == 409)
    return next(n for n, r in enumerate(responses) if r.status_code == 302)


def test_sixteen_people_change_one_insight_from_one_version(world, person, committed, server):
    insight = insights.create_insight(world.org_a, theme=insights.theme_named(world.org_a, "Access"),
                                      title="Phones are not answered", source=InsightSource.INTERVIEWS,
                                      evidence="", user=None)
    db.session.commit()
    insight_id, theme_id, version = insight.id, insight.theme_id, insight.version
    browsers = [person(world.team_a) for _ in range(CLIENTS)]
    for browser in browsers:
        assert browser.get(f"/insights/{insight_id}/edit").status_code == 200
    responses = run_together([lambda b=b, n=n: b.post(f"/insights/{insight_id}/edit", {
        "theme": str(theme_id), "new_theme": "", "title": f"Phones are not answered, says person {n}",
        "source": "audit", "evidence": f"Typed by person {n}", "version": str(version)})
        for n, b in enumerate(browsers)])
    winner = _one_saved_the_rest_told(responses, "changed by someone else")
    assert all(f"Typed by person {n}</textarea>" in r.text for n, r in enumerate(responses) if n != winner)
    stored = committed().get(Insight, insight_id)
    assert (stored.title, stored.evidence, stored.version) == (
        f"Phones are not answered, says person {winner}", f"Typed by person {winner}", version + 1)
    assert server.errors_logged() == []


def test_sixteen_people_judge_one_key_question_from_one_page(world, person, committed, server):
    assessment = make_assessment(world.org_a, make_toolkit(world.programme), coordinator=world.team_a,
                                 team=[world.team_a])
    question = assessments.questions_of(assessments.load_assessment_tree(assessment.id))[0]
    question_id, seen = question.id, assessments.judgement_seen(question)
    browsers = [person(world.team_a) for _ in range(CLIENTS)]
    for browser in browsers:
        assert browser.get(f"/assessment-questions/{question_id}").status_code == 200
    judgements = list(Judgement)
    responses = run_together([lambda b=b, n=n: b.post(f"/assessment-questions/{question_id}", {
        "judgement": judgements[n % len(judgements)].value, "reason": f"Reason of person {n}", "seen": seen})
        for n, b in enumerate(browsers)])
    winner = _one_saved_the_rest_told(responses, "This judgement was changed by someone else")
    assert all(f"Reason of person {n}" in r.text for n, r in enumerate(responses) if n != winner)
    stored = committed().get(AssessmentQuestion, question_id)
    assert (stored.judgement, stored.reason) == (judgements[winner % len(judgements)], f"Reason of person {winner}")
    assert server.errors_logged() == []
