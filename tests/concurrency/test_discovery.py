"""Discovery work at once, against gunicorn with four workers, on SQLite and on PostgreSQL.

- Sixteen people putting one audit finding on the board at the same moment (a double click, a colleague
  with the same page open): one card, linked back once; the others are told it is already on the board
  (422), and no response is a 5xx.
"""

from collections import Counter

from sqlalchemy import func, select

from tests.audits.conftest import make_sample
from tests.concurrency.test_http import CLIENTS, run_together
from tracker.audits import services
from tracker.audits.models import AuditFindingCard, FindingKind
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
