"""Agenda pages while the board changes, against gunicorn with four workers, on SQLite and on PostgreSQL.

Every worker keeps the agenda it built (``tracker.checkins.agenda_cache``) and, as in every test server,
checks each kept agenda against a fresh build (a stale one is a 500). Eight facilitators read one council's
agenda again and again while a team member moves its cards: no page fails, and once the moves are done
every worker shows every move.
"""

import re

from tests import factories
from tests.checkins.conftest import checkin_of
from tests.concurrency.test_http import run_together
from tracker.board.models import RoadmapColumn
from tracker.checkins import calendar
from tracker.extensions import db

READERS, READS, MOVES = 8, 6, 6


def test_agenda_pages_while_cards_move(world, person, server):
    calendar.ensure_checkins(world.programme)
    cards = [factories.make_card(world.org_a, f"Quick win {n}", user=world.team_a) for n in range(MOVES)]
    db.session.commit()
    path = f"/checkins/{checkin_of(world.org_a, 4).id}/agenda"
    card_ids = [c.id for c in cards]
    readers = [person(world.facilitator) for _ in range(READERS)]
    for reader in readers:  # every worker builds the agenda and keeps it
        for _ in range(2):
            assert reader.get(path).status_code == 200
    team = person(world.team_a)

    def read(reader):
        return [reader.get(path).status_code for _ in range(READS)]

    def move_all():
        statuses = []
        for card_id in card_ids:
            page = team.get(f"/cards/{card_id}")
            version = re.search(r'name="version"[^>]*value="(\d+)"', page.text).group(1)
            statuses.append(team.post(f"/cards/{card_id}/move", {"column": RoadmapColumn.PROTOTYPING.value,
                                                                 "version": version, "after": ""}).status_code)
        return statuses

    outcomes = run_together([lambda r=r: read(r) for r in readers] + [move_all])
    assert outcomes[-1] == [302] * MOVES, outcomes[-1]
    assert all(status == 200 for statuses in outcomes[:-1] for status in statuses), outcomes[:-1]
    moved = re.compile(r"Quick win (\d+)</a> <span class=\"app-secondary\">– Backlog \(not started\) to Prototyping")
    for reader in readers:
        for _ in range(2):  # each reader's two pages are likely served by two of the four workers
            page = reader.get(path).text
            assert sorted(moved.findall(page)) == [str(n) for n in range(MOVES)], page[page.find("Moved"):][:3000]
    assert server.errors_logged() == []
