"""The Monday digest: each person's actions due that week and overdue, across programmes, once a Monday
(UK date), none when nothing is due or when turned off; an unowned action of a team-owned card goes to
the organisation's team members."""

from datetime import date, datetime

from sqlalchemy import select

from tests import factories
from tracker.board import services as board
from tracker.core.mail import OutboxMessage
from tracker.extensions import db
from tracker.programmes.models import Role
from tracker.scheduler import registry


def run(moment: datetime) -> list[str]:
    (report,) = registry.run_due(moment, only="action_digest")
    assert not report.error, report.error
    return report.lines


def digests() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "action_digest")
                                   .order_by(OutboxMessage.id)))


def test_monday_only_once_and_none_when_nothing_is_due(world):
    assert run(datetime(2026, 1, 5, 9, 0)) == []  # a Monday; the actions are due on 1 February
    assert run(datetime(2026, 1, 27, 9, 0)) == []  # a Tuesday of the week they are due in
    run(datetime(2026, 1, 26, 0, 30))  # Monday 26 January, 00:30 GMT: due on Sunday 1 February
    assert sorted(m.to_address for m in digests()) == sorted([world.team_a.email, world.team_b.email])
    assert run(datetime(2026, 1, 26, 18, 0)) == [] and run(datetime(2026, 1, 26, 0, 30)) == []
    to_a = next(m for m in digests() if m.to_address == world.team_a.email)
    assert "Draft new letter" in to_a.text_body and "Call CAB" not in to_a.text_body
    assert "Due this week" in to_a.text_body and "Stop sending me these:" in to_a.text_body
    run(datetime(2026, 2, 2, 9, 0))  # the next Monday: now overdue
    assert len(digests()) == 4 and "Overdue" in digests()[-1].text_body


def test_a_monday_in_summer_time_is_the_uk_monday(world):
    card = world.card_a
    board.add_action(card, text="Summer action", owner=world.team_a, due_on=date(2026, 6, 3), user=world.team_a)
    world.team_b.email_digest = False
    db.session.commit()
    assert run(datetime(2026, 5, 31, 22, 30)) == []  # Sunday 11:30pm BST
    run(datetime(2026, 5, 31, 23, 30))  # Monday 1 June, 00:30 BST
    assert [m.to_address for m in digests()] == [world.team_a.email]  # team B turned it off
    assert "Summer action" in digests()[0].text_body and "Draft new letter" in digests()[0].text_body


def test_done_archived_and_others_left_out_and_team_cards_go_to_the_team(world):
    for action in world.card_a.actions:
        action.is_done = True
    team_card = factories.make_card(world.org_b, "A team card", user=world.team_b)
    team_card.team_owned = True
    colleague = factories.make_user("Colleague B")
    factories.add_member(world.programme, colleague, Role.TEAM_MEMBER, world.org_b)
    board.add_action(team_card, text="Ours to do", owner=None, due_on=date(2026, 1, 28), user=world.team_b)
    board.add_action(world.card_b, text="Nobody's", owner=None, due_on=date(2026, 1, 28), user=world.team_b)
    db.session.commit()
    run(datetime(2026, 1, 26, 9, 0))
    by_person = {m.to_address: m.text_body for m in digests()}
    assert set(by_person) == {world.team_b.email, colleague.email}
    assert "Ours to do" in by_person[colleague.email] and "Nobody's" not in by_person[colleague.email]
    assert "Call CAB" in by_person[world.team_b.email]


def test_across_programmes_in_one_email(world):
    other = factories.make_programme(world.facilitator, "Second pilot")
    from tracker.programmes import services as programmes
    org = programmes.add_organisation(other, "Council C")
    factories.add_member(other, world.team_a, Role.TEAM_MEMBER, org)
    card = factories.make_card(org, "Elsewhere", user=world.team_a)
    board.add_action(card, text="Other programme's action", owner=world.team_a, due_on=date(2026, 1, 30),
                     user=world.team_a)
    db.session.commit()
    run(datetime(2026, 1, 26, 9, 0))
    (to_a,) = [m for m in digests() if m.to_address == world.team_a.email]
    assert "Other programme's action" in to_a.text_body and "Draft new letter" in to_a.text_body
    assert to_a.sender_name == "Service improvement tracker"
