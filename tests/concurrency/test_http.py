"""Sixteen people at once against gunicorn with four workers, on SQLite and on PostgreSQL.

- Moves in one lane and across lanes: every (organisation, lane, column) cell keeps a dense order
  0..n-1, no card is lost or doubled, every move is applied (200/302) or refused with 409, and at most
  one move is applied per card and version.
- Sixteen saves from one version of a card, a sheet, an action or a figure (form and API): one winner,
  fifteen 409s, no 500.
- Readers and writers together: no response is a 5xx and no worker logs "database is locked".
"""

import random
import re
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from sqlalchemy import func, select

from tests import factories
from tracker.board import services as board
from tracker.board.models import Action, Card, Kind, RoadmapColumn
from tracker.extensions import db
from tracker.programmes.models import Role
from tracker.results import queries
from tracker.results import services as results
from tracker.results.models import Direction, Figure, Unit

CLIENTS = 16
ROUNDS = 3
COLUMNS = [c.value for c in RoadmapColumn]


def run_together(jobs):
    """Run the callables at the same moment (one thread each, released by a barrier); their results."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        barrier.wait(timeout=60)
        return job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs))


def read_board(html: str) -> dict[int, tuple[str, int]]:
    """Card id -> (column, version) as the page shows it (cards are listed under their column's list)."""
    seen, column = {}, None
    for match in re.finditer(r'data-column="(\w+)"|data-card-id="(\d+)"[^>]*data-version="(\d+)"', html):
        if match.group(1):
            column = match.group(1)
        else:
            seen[int(match.group(2))] = (column, int(match.group(3)))
    return seen


def cells(session, org_id: int) -> dict[tuple, list[int]]:
    rows = session.execute(select(Card.opportunity_id, Card.column, Card.position, Card.id)
                           .where(Card.organisation_id == org_id, Card.archived_dt.is_(None))).all()
    found = defaultdict(list)
    for lane, column, position, _id in rows:
        found[(lane, column)].append(position)
    return found


@pytest.fixture
def team(world):
    """Organisation A with a quick-wins lane and a design-opportunity lane of eight cards each, and four
    team members."""
    org = world.org_a
    for n in range(7):
        factories.make_card(org, f"Quick win {n}", column=RoadmapColumn(COLUMNS[n % 3]))
    for n in range(7):
        factories.make_card(org, f"Idea {n}", kind=Kind.IDEA, opportunity=world.opportunity_a,
                            column=RoadmapColumn(COLUMNS[n % 3]))
    people = [world.team_a]
    for n in range(3):
        user = factories.make_user(f"Officer {n}")
        factories.add_member(world.programme, user, Role.TEAM_MEMBER, org)
        people.append(user)
    return people


@pytest.mark.parametrize("lanes", ["one lane", "two lanes"])
def test_concurrent_moves_keep_every_cell_a_dense_order(world, team, person, committed, server, lanes):
    org = world.org_a
    roadmap = f"/programmes/{world.programme.slug}/{org.slug}/roadmap"
    browsers = [person(team[n % len(team)]) for n in range(CLIENTS)]
    lane_of = {card.id: card.opportunity_id for card in committed().scalars(
        select(Card).where(Card.organisation_id == org.id))}
    wanted_lanes = [None] if lanes == "one lane" else [None, world.opportunity_a.id]
    ids_before = sorted(lane_of)
    rng = random.Random(7)
    statuses: Counter = Counter()
    for _round in range(ROUNDS):
        plans = []
        for n, browser in enumerate(browsers):
            page = browser.get(roadmap)
            assert page.status_code == 200
            board_now = read_board(page.text)
            lane = wanted_lanes[n % len(wanted_lanes)]
            mine = [card_id for card_id in board_now if lane_of[card_id] == lane]
            card_id = rng.choice(mine)
            column = rng.choice(COLUMNS[:4])
            in_target = [c for c in mine if board_now[c][0] == column and c != card_id]
            after = rng.choice(["", "0", *[str(c) for c in in_target]])
            plans.append((browser, card_id, board_now[card_id][1], column, after, n % 2 == 0))

        def move(plan):
            browser, card_id, version, column, after, htmx = plan
            response = browser.post(f"/cards/{card_id}/move", {"column": column, "version": str(version),
                                                               "after": after}, htmx=htmx)
            said = response.headers.get("HX-Trigger", "")
            if response.status_code == 302:  # what the person reads next: the board, with its banner
                said = browser.get(response.headers["Location"]).text
            return card_id, version, response.status_code, response.text, "stayed where it was" not in said

        outcomes = run_together([lambda plan=plan: move(plan) for plan in plans])
        applied = Counter()
        for card_id, version, status, body, moved in outcomes:
            statuses[status] += 1
            assert status in (200, 302, 409), f"move of card {card_id}: {status}\n{body[:2000]}"
            if status in (200, 302) and moved:
                applied[(card_id, version)] += 1
        assert max(applied.values(), default=0) <= 1, f"two moves applied from one version: {applied}"
        session = committed()
        for cell, positions in cells(session, org.id).items():
            assert sorted(positions) == list(range(len(positions))), f"cell {cell}: positions {sorted(positions)}"
        assert sorted(session.scalars(select(Card.id).where(Card.organisation_id == org.id))) == ids_before
    assert statuses[200] + statuses[302] > 0, statuses
    assert server.errors_logged() == []
    print(f"moves ({lanes}): {dict(statuses)}")


def _sixteen(browsers, path: str, form_for) -> Counter:
    """Sixteen posts of one form (each browser's own token) at the same moment; their statuses."""
    for browser in browsers:
        assert browser.get(path).status_code == 200
    outcomes = run_together([lambda b=b, n=n: b.post(path, form_for(n)).status_code
                             for n, b in enumerate(browsers)])
    return Counter(outcomes)


@pytest.fixture
def sixteen(world, person):
    browsers = [person(world.team_a) for _ in range(CLIENTS)]
    return browsers


def test_sixteen_edits_of_one_card_from_one_version(world, sixteen, committed, server):
    card = world.card_a
    version = card.version
    statuses = _sixteen(sixteen, f"/cards/{card.id}/edit", lambda n: {
        "version": str(version), "title": f"Letters, edit {n}", "kind": Kind.QUICK_WIN.value, "priority": "high",
        "rationale": "", "description": f"Edit {n}"})
    assert statuses == Counter({302: 1, 409: CLIENTS - 1}), statuses
    assert committed().get(Card, card.id).version == version + 1
    assert server.errors_logged() == []


def test_sixteen_saves_of_one_sheet_from_one_version(world, sixteen, committed, server):
    idea = world.idea_a
    version = idea.version
    statuses = _sixteen(sixteen, f"/cards/{idea.id}/concept/edit", lambda n: {
        "version": str(version), "name": f"Concept {n}", "how_it_works": f"Works {n}"})
    assert statuses == Counter({302: 1, 409: CLIENTS - 1}), statuses
    assert server.errors_logged() == []


def test_sixteen_edits_of_one_action_from_one_version(world, sixteen, committed, server):
    action = committed().scalar(select(Action).where(Action.card_id == world.card_a.id))
    version = action.version
    statuses = _sixteen(sixteen, f"/actions/{action.id}/edit", lambda n: {
        "version": str(version), "text": f"Draft the letter, take {n}", "owner": "",
        "due_on": ["1", "3", "2027"]})
    assert statuses == Counter({302: 1, 409: CLIENTS - 1}), statuses
    assert committed().get(Action, action.id).version == version + 1
    assert server.errors_logged() == []


@pytest.fixture
def indicator(world):
    programme = world.programme
    programme.start_date = board.today() - timedelta(days=120)
    objective = results.create_objective(programme, "Reduce fall-out")
    outcome = results.create_outcome(objective, "Fewer households fall out")
    indicator = results.create_indicator(outcome, name="Households helped", unit=Unit.COUNT,
                                         direction=Direction.INCREASE, target=Decimal("10"))
    results.save_figure(indicator, world.org_a, 1, results.FigureValues(value="1"), user=None, today=board.today())
    db.session.commit()
    return indicator


def _figure(session, indicator, org) -> Figure:
    return session.scalar(select(Figure).where(Figure.indicator_id == indicator.id,
                                               Figure.organisation_id == org.id, Figure.period_number == 1))


def _totals_are_fresh(session, programme) -> None:
    assert queries.totals(programme) == queries.live_totals(programme)


def test_sixteen_figure_forms_from_one_version(world, indicator, sixteen, committed, server):
    version = _figure(committed(), indicator, world.org_a).version
    path = f"/indicators/{indicator.id}/figures/{world.org_a.slug}/1"
    statuses = _sixteen(sixteen, path, lambda n: {"version": str(version), "value": str(100 + n),
                                                  "is_testing_phase": "y"})
    assert statuses == Counter({302: 1, 409: CLIENTS - 1}), statuses
    session = committed()
    assert _figure(session, indicator, world.org_a).version == version + 1
    _totals_are_fresh(session, world.programme)
    assert server.errors_logged() == []


def test_sixteen_first_entries_of_one_figure(world, indicator, sixteen, committed, server):
    """Sixteen people open the empty form of the same figure and save it: the first one's figure stands,
    the other fifteen are told someone else entered it (none silently overwrites it)."""
    path = f"/indicators/{indicator.id}/figures/{world.org_a.slug}/2"
    forms = [browser.get(path).text for browser in sixteen]
    assert all('name="version" value="0"' in form for form in forms)
    outcomes = run_together([lambda b=b, n=n: b.post(path, {"version": "0", "value": str(300 + n),
                                                           "is_testing_phase": "y"}).status_code
                             for n, b in enumerate(sixteen)])
    assert Counter(outcomes) == Counter({302: 1, 409: CLIENTS - 1}), Counter(outcomes)
    session = committed()
    figure = session.scalar(select(Figure).where(Figure.indicator_id == indicator.id,
                                                 Figure.organisation_id == world.org_a.id, Figure.period_number == 2))
    assert figure.version == 1
    _totals_are_fresh(session, world.programme)
    assert server.errors_logged() == []


def test_sixteen_api_puts_of_one_figure_from_one_version(world, indicator, committed, server):
    from tracker.api import services as api_services

    _token, secret = api_services.create_token(world.team_a, "Case system")
    db.session.commit()
    path = (f"{server.base}/api/v1/programmes/{world.programme.slug}/figures/{indicator.code}/"
            f"{world.org_a.slug}/1")
    headers = {"Authorization": f"Bearer {secret}"}
    for round_ in range(3):
        version = _figure(committed(), indicator, world.org_a).version
        # Values new in every round: a save of the value already there changes nothing, so it would
        # leave the version as it is and let a second writer in, rightly.
        statuses = Counter(run_together([
            lambda n=n, version=version, value=str(1000 * (round_ + 1) + n): requests.put(
                path, json={"value": value, "version": version}, headers=headers, timeout=60).status_code
            for n in range(CLIENTS)]))
        assert statuses == Counter({200: 1, 409: CLIENTS - 1}), statuses
        session = committed()
        assert _figure(session, indicator, world.org_a).version == version + 1
        _totals_are_fresh(session, world.programme)
    assert server.errors_logged() == []


def test_readers_and_writers_together_never_fail(world, team, indicator, person, server):
    """Sixteen people reading pages while four write (moves, edits, figures): no response is a 5xx and no
    worker logs "database is locked" (on SQLite every page view once wrote its session's last-seen time)."""
    org = world.org_a
    slug = world.programme.slug
    pages = [f"/programmes/{slug}/{org.slug}/roadmap", f"/programmes/{slug}/{org.slug}/quick-wins",
             f"/cards/{world.card_a.id}", f"/programmes/{slug}/results", f"/indicators/{indicator.id}",
             f"/programmes/{slug}"]
    readers = [person(team[n % len(team)]) for n in range(CLIENTS)]
    writers = [person(team[n % len(team)]) for n in range(4)]
    stop = time.monotonic() + 20
    failures, counts = [], Counter()
    lock = threading.Lock()

    def record(what, response):
        with lock:
            counts[response.status_code] += 1
            if response.status_code >= 500:
                failures.append(f"{what}: {response.status_code}")

    def read(browser):
        rng = random.Random(id(browser))
        while time.monotonic() < stop:
            path = rng.choice(pages)
            record(path, browser.get(path))

    def write(n, browser):
        rng = random.Random(n)
        roadmap = pages[0]
        while time.monotonic() < stop:
            board_now = read_board(browser.get(roadmap).text)
            card_id = rng.choice(sorted(board_now))
            _column, version = board_now[card_id]
            kind = n % 2
            if kind == 0:
                response = browser.post(f"/cards/{card_id}/move", {
                    "column": rng.choice(COLUMNS[:4]), "version": str(version), "after": ""})
            else:
                path = f"/indicators/{indicator.id}/figures/{org.slug}/{rng.choice([1, 2])}"
                form = browser.get(path).text
                match = re.search(r'name="version"[^>]*value="(\d*)"', form)
                response = browser.post(path, {"version": match.group(1) if match else "",
                                               "value": str(rng.randint(1, 99)), "is_testing_phase": "y"})
            record("write", response)

    with ThreadPoolExecutor(CLIENTS + len(writers)) as pool:
        jobs = [pool.submit(read, b) for b in readers] + [pool.submit(write, n, b) for n, b in enumerate(writers)]
        for job in jobs:
            job.result()
    assert failures == []
    assert server.errors_logged() == []
    assert sum(counts.values()) > 100
    print(f"readers and writers: {dict(counts)}")



def test_pages_are_read_while_a_large_import_is_written(world, team, person, committed, server):
    """An import of 400 figures (50 indicators × 2 organisations × 4 periods) confirmed while
    sixteen people read the tracker and the board: every page answers, nothing is a 5xx, and the import
    writes every row."""
    programme = world.programme
    programme.start_date = board.today() - timedelta(days=400)
    objective = results.create_objective(programme, "Reduce fall-out")
    outcome = results.create_outcome(objective, "Fewer households fall out")
    codes = [results.create_indicator(outcome, name=f"Count {n}", unit=Unit.COUNT, direction=Direction.INCREASE,
                                      target=Decimal("10")).code for n in range(50)]
    db.session.commit()
    rows = [f"{code},{org.name},{period},{n}" for n, (code, org, period) in enumerate(
        (code, org, period) for code in codes for org in (world.org_a, world.org_b) for period in (1, 2, 3, 4))]
    body = ("Indicator code,Organisation,Period number,Value\n" + "\n".join(rows) + "\n").encode()
    importer = person(world.facilitator)
    importer.get(f"/programmes/{programme.slug}/import")
    upload = importer.http.post(f"{server.base}/programmes/{programme.slug}/import",
                                data={"csrf_token": importer.token}, files={"file": ("figures.csv", body, "text/csv")},
                                allow_redirects=False, timeout=60)
    assert upload.status_code == 302, upload.text[:1000]
    preview = upload.headers["Location"]
    assert importer.get(preview).status_code == 200

    readers = [person(team[n % len(team)]) for n in range(CLIENTS)]
    pages = [f"/programmes/{programme.slug}/results", f"/programmes/{programme.slug}/{world.org_a.slug}/roadmap"]
    done = threading.Event()
    statuses: Counter = Counter()
    lock = threading.Lock()

    def read(browser):
        reads = 0
        while not done.is_set() or reads < 3:
            status = browser.get(pages[reads % 2]).status_code
            reads += 1
            with lock:
                statuses[status] += 1

    with ThreadPoolExecutor(CLIENTS + 1) as pool:
        jobs = [pool.submit(read, b) for b in readers]
        time.sleep(0.3)
        confirmed = importer.post(preview + "/confirm", {})
        done.set()
        for job in jobs:
            job.result()
    assert confirmed.status_code == 302, confirmed.text[:1000]
    assert set(statuses) == {200}, statuses
    session = committed()
    assert session.scalar(select(func.count()).select_from(Figure)) == len(rows)
    _totals_are_fresh(session, programme)
    assert server.errors_logged() == []
