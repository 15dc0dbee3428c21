"""Discovery work at once, against gunicorn with four workers, on SQLite and on PostgreSQL.

- Sixteen people putting one audit finding on the board at the same moment (a double click, a colleague
  with the same page open): one card, linked back once; the others are told it is already on the board
  (422), and no response is a 5xx.
- Sixteen auditors saving their scores of one case at the same moment, the case never scored before (every
  save inserts its rows) and then again (every save changes them, some answers removed): no 5xx, and the
  case holds exactly one person's whole save — its scores, answers, notes and total agree.
"""

from collections import Counter

from sqlalchemy import func, select

from tests.audits.conftest import make_sample
from tests.concurrency.test_http import CLIENTS, run_together
from tracker.audits import services
from tracker.audits.models import Answer, AuditAnswer, AuditCase, AuditFindingCard, AuditScore, FindingKind
from tracker.board.models import Card
from tracker.extensions import db


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
