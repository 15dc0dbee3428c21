# ruff: noqa: E501 - the bare template mirrors the markup of one board card line for line
"""Benchmark of the roadmap board: page time against a bare Jinja page, SQL statements per page, move time.

Run from the project root::

    .venv/bin/python bench/bench_board.py            # figures only
    .venv/bin/python bench/bench_board.py --profile  # figures, then a cProfile of the board page on stderr

stdout carries one ``name value`` line per figure and nothing else; progress goes to stderr.

The database is a temporary SQLite file (removed at the end) unless ``BENCH_DATABASE_URL`` is set; that
database must be empty: the bench creates the tables, fills them and drops them again.
"""

import argparse
import cProfile
import gc
import os
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask import render_template  # noqa: E402
from sqlalchemy import event, func, inspect, select  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.accounts.permissions import login_required  # noqa: E402
from tracker.accounts.services import create_user  # noqa: E402
from tracker.board import services as board  # noqa: E402
from tracker.board.models import Action, Card, Kind, Priority, RoadmapColumn  # noqa: E402
from tracker.config import database_url  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.programmes import services as programmes  # noqa: E402
from tracker.programmes.models import Membership, Role  # noqa: E402

PASSWORD = "correct-horse-battery"  # noqa: S105 - a throwaway account in a throwaway database
SEED = 20260101

#: Column weights: most cards wait in the backlog, fewest are on hold.
COLUMN_WEIGHTS = {RoadmapColumn.BACKLOG: 35, RoadmapColumn.CONCEPT: 20, RoadmapColumn.PROTOTYPING: 15,
                  RoadmapColumn.ON_HOLD: 10, RoadmapColumn.COMPLETED: 20}
WORDS = ("letters", "debt", "advice", "tenants", "phone", "visits", "forms", "council", "benefits", "rent",
         "arrears", "outreach", "triage", "referrals", "partners", "housing", "support", "online", "budget",
         "feedback")

# The bare page: 1,000 card-sized divs with the markup of a board card, from plain dicts, no macros.
BARE_TEMPLATE = """<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Bare board</title></head>
<body>
<main id="board">
{% for card in cards %}
<div class="app-card" id="card-{{ card.id }}" data-card-id="{{ card.id }}" data-version="{{ card.version }}" tabindex="0" aria-describedby="board-help" data-move-url="/cards/{{ card.id }}/move">
  <h4 class="govuk-heading-s app-card__title"><a class="govuk-link" href="/cards/{{ card.id }}">{{ card.code }} {{ card.title }}</a></h4>
  <p class="app-card__tags"><strong class="govuk-tag app-tag--kind-{{ card.kind }}">{{ card.kind_label }}</strong> <strong class="govuk-tag app-tag--priority-{{ card.priority }}">{{ card.priority_label }}</strong></p>
  {% if card.owners %}<p class="govuk-body-s app-card__meta">Owners: {{ card.owners|join(", ") }}</p>{% endif %}
  {% if card.initiatives %}<p class="govuk-body-s app-card__meta app-card__linked">Linked to: {{ card.initiatives|join(", ") }}</p>{% endif %}
  <button type="button" class="govuk-button govuk-button--secondary app-button--small app-card__move-toggle" aria-expanded="false" aria-controls="move-form-{{ card.id }}">Move<span class="govuk-visually-hidden"> {{ card.code }} to another column or position</span></button>
  <form method="post" action="/cards/{{ card.id }}/move" class="app-card__move" id="move-form-{{ card.id }}" hx-post="/cards/{{ card.id }}/move" hx-target="#{{ card.lane }}" hx-swap="outerHTML">
    <input type="hidden" name="csrf_token" value="{{ csrf }}"><input type="hidden" name="version" value="{{ card.version }}">
    <div class="app-card__move-field app-card__move-field--column">
      <label class="govuk-label govuk-body-s app-card__move-label" for="move-{{ card.id }}">Move to</label>
      <select class="govuk-select app-card__select" id="move-{{ card.id }}" name="column">
        {% for value, label in columns %}<option value="{{ value }}"{% if value == card.column %} selected{% endif %}>{{ label }}</option>{% endfor %}
      </select>
    </div>
    <div class="app-card__move-field">
      <label class="govuk-label govuk-body-s app-card__move-label" for="position-{{ card.id }}">Position</label>
      <input class="govuk-input app-card__position" id="position-{{ card.id }}" name="position" type="text" inputmode="numeric" pattern="[0-9]*" autocomplete="off" spellcheck="false" aria-describedby="move-position-hint">
    </div>
    <button type="submit" class="govuk-button govuk-button--secondary app-button--small">Move<span class="govuk-visually-hidden"> {{ card.code }}</span></button>
  </form>
</div>
{% endfor %}
</main>
</body>
</html>
"""


# A signed-in page with nothing on it: the layout every page has.
EMPTY_TEMPLATE = """{% extends "base.html" %}{% block title %}Empty{% endblock %}
{% block main_content %}<h1 class="govuk-heading-l">Empty</h1>{% endblock %}"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


# --- data ----------------------------------------------------------------------------------------


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))).capitalize()


def build_org(rng: random.Random, programme, name: str, *, n_cards: int, n_opportunities: int, team: list,
              facilitator, n_actions: int) -> dict:
    """One organisation with ``n_cards`` cards over ``n_opportunities`` lanes plus quick wins, all columns.

    The first card of each lane and a few actions go through the services; the rest are bulk rows with
    dense positions per (lane, column) cell and lane-wise numbers, as the services would give them.
    """
    org = programmes.add_organisation(programme, name)
    for person in team:
        db.session.add(Membership(programme=programme, user=person, role=Role.TEAM_MEMBER, organisation=org))
    opportunities = [board.create_opportunity(org, title=f"How might we improve {_title(rng).lower()}?")
                     for _ in range(n_opportunities)]
    lanes = [None, *opportunities]
    owners_pool = [*team, facilitator]
    numbers = {lane.id if lane else None: 0 for lane in lanes}
    positions: dict[tuple, int] = {}
    columns, weights = list(COLUMN_WEIGHTS), list(COLUMN_WEIGHTS.values())
    today = board.today()
    cards = []

    def pick_owners():
        return rng.sample(owners_pool, rng.choice((1, 1, 2, 3))) if rng.random() < 0.85 else []

    # The first card of each lane through the service (backlog, numbered 1, position 0).
    for lane in lanes:
        kind = Kind.QUICK_WIN if lane is None else Kind.IDEA
        card = board.create_card(org, kind=kind, opportunity=lane, title=_title(rng), user=team[0],
                                 owners=pick_owners(), priority=rng.choice(list(Priority)))
        lane_id = lane.id if lane else None
        numbers[lane_id] = card.number
        positions[(lane_id, RoadmapColumn.BACKLOG)] = card.position + 1
        cards.append(card)

    bulk = []
    for i in range(n_cards - len(lanes)):
        lane = lanes[i % len(lanes)]
        lane_id = lane.id if lane else None
        column = rng.choices(columns, weights)[0]
        numbers[lane_id] += 1
        cell = (lane_id, column)
        position = positions.get(cell, 0)
        positions[cell] = position + 1
        kind = Kind.QUICK_WIN if lane is None else rng.choice((Kind.IDEA, Kind.IDEA, Kind.CONCEPT, Kind.PROTOTYPE))
        bulk.append(Card(
            organisation_id=org.id, opportunity_id=lane_id, kind=kind, number=numbers[lane_id], title=_title(rng),
            rationale="Supports the aim of fewer people falling out of the service.",
            description=_title(rng), priority=rng.choice(list(Priority)), column=column, position=position,
            completed_on=today - timedelta(days=rng.randint(1, 90)) if column == RoadmapColumn.COMPLETED else None,
            version=1, owners=pick_owners()))
    db.session.add_all(bulk)
    db.session.flush()
    cards.extend(bulk)

    # Actions: a few through the service, the rest as rows; about a third overdue, some done.
    with_actions = rng.sample(cards, min(n_actions, len(cards)))
    for i, card in enumerate(with_actions):
        kind = i % 3
        due = today - timedelta(days=rng.randint(1, 30)) if kind == 0 else today + timedelta(days=rng.randint(1, 60))
        owner = rng.choice(owners_pool)
        if i < 3:
            board.add_action(card, text=f"Action {i} for {card.title}", owner=owner, due_on=due, user=team[0])
        else:
            db.session.add(Action(card=card, text=f"Action {i}", owner=owner, due_on=due,
                                  is_done=(kind == 2 and rng.random() < 0.5)))
    db.session.flush()
    return {"org": org, "slug": programme.slug, "org_slug": org.slug, "opportunities": len(opportunities)}


def seed(rng: random.Random) -> dict:
    facilitator = create_user("fran@bench.example", "Fran Facilitator", PASSWORD, is_facilitator=True)
    programme = programmes.create_programme(
        name="Bench programme", aim="How might we reduce fall-out?", expected_outcomes="- Fewer people fall out",
        start_date=date(2026, 1, 1), evaluation_months=12, checkin_interval_months=3, survey_interval_months=3,
        creator=facilitator)
    big_team = [create_user(f"big{i}@bench.example", f"{rng.choice(('Alex', 'Sam', 'Jo', 'Chris'))} Big{i}",
                            PASSWORD) for i in range(8)]
    small_team = [create_user(f"small{i}@bench.example", f"Small Person {i}", PASSWORD) for i in range(3)]
    big = build_org(rng, programme, "Big Council", n_cards=1000, n_opportunities=10, team=big_team,
                    facilitator=facilitator, n_actions=60)
    small = build_org(rng, programme, "Small Council", n_cards=10, n_opportunities=3, team=small_team,
                      facilitator=facilitator, n_actions=3)
    # The board most councils have: tens of cards, a handful of lanes.
    usual_team = [create_user(f"usual{i}@bench.example", f"Usual Person {i}", PASSWORD) for i in range(4)]
    usual = build_org(rng, programme, "Usual Council", n_cards=100, n_opportunities=4, team=usual_team,
                      facilitator=facilitator, n_actions=12)
    db.session.commit()
    return {"big": {**_summary(big), "user": big_team[0].email},
            "small": {**_summary(small), "user": small_team[0].email},
            "usual": {**_summary(usual), "user": usual_team[0].email}}


def _summary(info: dict) -> dict:
    org = info["org"]
    return {"org_id": org.id, "slug": info["slug"], "org_slug": info["org_slug"],
            "url": f"/programmes/{info['slug']}/{info['org_slug']}/roadmap"}


def check_data(org_id: int, expected: int) -> None:
    """Positions dense 0..n-1 in every (lane, column) cell; the expected number of cards."""
    rows = db.session.execute(select(Card.opportunity_id, Card.column, func.count(), func.min(Card.position),
                                     func.max(Card.position))
                              .where(Card.organisation_id == org_id)
                              .group_by(Card.opportunity_id, Card.column)).all()
    total = sum(r[2] for r in rows)
    bad = [r for r in rows if r[3] != 0 or r[4] != r[2] - 1]
    if total != expected or bad:
        raise SystemExit(f"bad seed for organisation {org_id}: {total} cards, cells {bad}")


def bare_cards(org_id: int) -> list[dict]:
    """The big organisation's cards as plain dicts (read once, outside any timing)."""
    cards = db.session.scalars(select(Card).where(Card.organisation_id == org_id)
                               .order_by(Card.opportunity_id, Card.column, Card.position)).all()
    result = []
    for card in cards:
        result.append({
            "id": card.id, "version": card.version, "code": card.code, "title": card.title,
            "kind": card.kind.value, "kind_label": card.kind.label, "priority": card.priority.value,
            "priority_label": f"Priority: {card.priority.label}", "owners": [o.name for o in card.owners],
            "initiatives": [i.name for i in card.initiatives],
            "column": card.column.value,
            "lane": f"lane-{card.opportunity_id}" if card.opportunity_id else "lane-quick-wins"})
    return result


# --- measuring -----------------------------------------------------------------------------------


class StatementCounter:
    """Counts what reaches the database cursor while ``active`` (``before_cursor_execute``)."""

    def __init__(self, engine):
        self.active = False
        self.statements: list[str] = []
        event.listen(engine, "before_cursor_execute", self._on_execute)
        self.engine = engine

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany):
        if self.active:
            self.statements.append(statement)

    def count(self, client, url: str) -> tuple[int, list[str]]:
        self.statements = []
        self.active = True
        try:
            response = client.get(url)
        finally:
            self.active = False
        if response.status_code != 200:
            raise SystemExit(f"GET {url}: {response.status_code}")
        return len(self.statements), list(self.statements)

    def remove(self):
        event.remove(self.engine, "before_cursor_execute", self._on_execute)


def sign_in(app, email: str):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"sign-in of {email} failed: {response.status_code}")
    return client


def timed_get(client, url: str) -> tuple[float, float, bytes]:
    """Wall time (the figure) and this process's CPU time (a cross-check, on stderr) of one GET."""
    gc.collect()  # outside the timing: no request pays for an earlier one's garbage
    cpu = time.process_time()
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: {response.status_code}")
    return elapsed, cpu, response.data


def interleaved(client, url: str, baseline: str, repeats: int, *, expect_cards: int | None = None):
    """Medians (ms) of ``url`` and ``baseline`` requested alternately, after three warm-ups of each."""
    for _ in range(3):
        timed_get(client, url)
        timed_get(client, baseline)
    page, base = [], []
    for _ in range(repeats):
        elapsed, _cpu, page_body = timed_get(client, url)
        page.append(elapsed)
        elapsed, _cpu, base_body = timed_get(client, baseline)
        base.append(elapsed)
    if expect_cards is not None:
        found = (page_body.count(b'class="app-card"'), base_body.count(b'class="app-card"'))
        if found != (expect_cards, expect_cards):
            raise SystemExit(f"expected {expect_cards} cards on {url} and {baseline}, got {found}")
    log(f"{url}: {median_ms(page):.2f} ms, {baseline}: {median_ms(base):.2f} ms")
    return median_ms(page), median_ms(base)


def shorten(statement: str) -> str:
    return re.sub(r"\s+", " ", statement)[:110]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21, help="timed requests per figure (at least 15)")
    parser.add_argument("--profile", action="store_true", help="then profile the board page (stderr)")
    parser.add_argument("--profile-top", type=int, default=15)
    parser.add_argument("--profile-100", action="store_true", help="profile the 100-card board instead")
    args = parser.parse_args()
    repeats = max(15, args.repeats)

    started = time.perf_counter()
    tmp = tempfile.TemporaryDirectory(prefix="bench-board-")
    env_url = os.environ.get("BENCH_DATABASE_URL")
    url = database_url(env_url, "") if env_url else f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    app = create_app({"ENV_NAME": "testing", "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SQLALCHEMY_DATABASE_URI": url})

    bare = {"cards": [], "cards_100": [], "template": app.jinja_env.from_string(BARE_TEMPLATE),
            "columns": [(c.value, c.label) for c in RoadmapColumn], "csrf": "x" * 88,
            "empty": app.jinja_env.from_string(EMPTY_TEMPLATE)}

    @app.get("/__bare")
    def _bare():
        # flask.render_template takes a compiled Template: same environment, context processors and
        # signals as the board, without recompiling the string on every request.
        return render_template(bare["template"], cards=bare["cards"], columns=bare["columns"], csrf=bare["csrf"])

    @app.get("/__bare_100")
    def _bare_100():
        return render_template(bare["template"], cards=bare["cards_100"], columns=bare["columns"],
                               csrf=bare["csrf"])

    @app.get("/__empty")
    @login_required
    def _empty():
        # A signed-in page with nothing on it: the layout, the session, the security headers.
        return render_template(bare["empty"])

    @app.get("/__hello")
    def _hello():
        return "hello"

    created = False
    try:
        with app.app_context():
            if env_url and inspect(db.engine).get_table_names():
                raise SystemExit("BENCH_DATABASE_URL must point at an empty database (the bench drops its tables)")
            db.create_all()
            created = True
            log(f"seeding into {db.engine.url.render_as_string(hide_password=True)} …")
            t = time.perf_counter()
            world = seed(random.Random(SEED))
            check_data(world["big"]["org_id"], 1000)
            check_data(world["small"]["org_id"], 10)
            check_data(world["usual"]["org_id"], 100)
            bare["cards"] = bare_cards(world["big"]["org_id"])
            bare["cards_100"] = bare_cards(world["usual"]["org_id"])
            engine = db.engine
            log(f"seeded in {time.perf_counter() - t:.1f}s")
        big, small = world["big"], world["small"]
        counter = StatementCounter(engine)

        client = sign_in(app, big["user"])
        client_small = sign_in(app, small["user"])

        # Statements for one board page (after one warm-up request each).
        client.get(big["url"])
        client_small.get(small["url"])
        queries_10, statements_10 = counter.count(client_small, small["url"])
        queries_1000, statements_1000 = counter.count(client, big["url"])
        log(f"statements, 10 cards ({queries_10}):")
        for s in statements_10:
            log(f"  {shorten(s)}")
        if queries_1000 != queries_10:
            log(f"statements, 1,000 cards ({queries_1000}):")
            for s in statements_1000:
                log(f"  {shorten(s)}")

        # Board and bare page, interleaved so drift hits both alike; 3 warm-ups each.
        for _ in range(3):
            timed_get(client, big["url"])
            timed_get(client, "/__bare")
        board_times, bare_times, board_cpu, bare_cpu = [], [], [], []
        board_body = bare_body = b""
        for i in range(repeats):
            elapsed, cpu, board_body = timed_get(client, big["url"])
            board_times.append(elapsed)
            board_cpu.append(cpu)
            elapsed, cpu, bare_body = timed_get(client, "/__bare")
            bare_times.append(elapsed)
            bare_cpu.append(cpu)
            log(f"  request {i + 1}/{repeats}: board {board_times[-1] * 1000:.1f} ms "
                f"(cpu {board_cpu[-1] * 1000:.1f}), bare {bare_times[-1] * 1000:.1f} ms (cpu {bare_cpu[-1] * 1000:.1f})")
        n_board, n_bare = board_body.count(b'class="app-card"'), bare_body.count(b'class="app-card"')
        if n_board != 1000 or n_bare != 1000:
            raise SystemExit(f"expected 1,000 cards on each page, got board {n_board}, bare {n_bare}")
        log(f"cpu-time medians (insensitive to other processes): board {median_ms(board_cpu):.1f} ms, "
            f"bare {median_ms(bare_cpu):.1f} ms, ratio {median_ms(board_cpu) / median_ms(bare_cpu):.2f}")
        log(f"page sizes: board {len(board_body) / 1024:.0f} KiB, bare {len(bare_body) / 1024:.0f} KiB")

        # The board most councils have (100 cards), and the fixed cost of any signed-in page.
        usual = world["usual"]
        client_usual = sign_in(app, usual["user"])
        queries_100, _statements = counter.count(client_usual, usual["url"])
        board_100, bare_100 = interleaved(client_usual, usual["url"], "/__bare_100", repeats, expect_cards=100)
        empty, hello = interleaved(client_usual, "/__empty", "/__hello", repeats * 2)

        # Moves: plain form posts, alternating columns, version read from the database first.
        mover = sign_in(app, big["user"])
        with app.app_context():
            card_id = db.session.scalar(select(Card.id).where(
                Card.organisation_id == big["org_id"], Card.opportunity_id.is_(None),
                Card.column == RoadmapColumn.BACKLOG).order_by(Card.position).limit(1))
        move_times = []
        for i in range(repeats + 2 + 3):  # 2 warm-ups, then at least ``repeats`` + 3 timed moves
            with app.app_context():
                version, column = db.session.execute(
                    select(Card.version, Card.column).where(Card.id == card_id)).one()
                db.session.remove()
            target = RoadmapColumn.PROTOTYPING if column == RoadmapColumn.BACKLOG else RoadmapColumn.BACKLOG
            gc.collect()
            start = time.perf_counter()
            response = mover.post(f"/cards/{card_id}/move", data={"column": target.value, "version": str(version)})
            elapsed = time.perf_counter() - start
            if response.status_code != 302:
                raise SystemExit(f"move {i}: {response.status_code} {response.data[:300]!r}")
            with mover.session_transaction() as session:  # the flashes are never shown: drop them
                session.pop("_flashes", None)
            if i >= 2:
                move_times.append(elapsed)

        board_ms, bare_ms = median_ms(board_times), median_ms(bare_times)
        print(f"board_ms_1000 {board_ms:.1f}")
        print(f"bare_ms_1000 {bare_ms:.1f}")
        print(f"board_ratio_vs_bare {board_ms / bare_ms:.2f}")
        print(f"board_queries_10 {queries_10}")
        print(f"board_queries_1000 {queries_1000}")
        print(f"move_ms {median_ms(move_times):.1f}")
        print(f"board_ms_100 {board_100:.1f}")
        print(f"bare_ms_100 {bare_100:.1f}")
        print(f"board_ratio_vs_bare_100 {board_100 / bare_100:.2f}")
        print(f"board_queries_100 {queries_100}")
        print(f"request_fixed_ms {empty - hello:.2f}")
        sys.stdout.flush()

        if args.profile:
            profile_board(client_usual if args.profile_100 else client, usual["url"] if args.profile_100 else big["url"],
                          args.profile_top)
        counter.remove()
        log(f"done in {time.perf_counter() - started:.1f}s")
    finally:
        with app.app_context():
            db.session.remove()
            if created and env_url:
                db.drop_all()
            db.engine.dispose()
        tmp.cleanup()


def profile_board(client, url: str, top: int, requests: int = 5) -> None:
    """cProfile over a few board requests: own time by package, then the top entries (stderr)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    groups: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        if filename.endswith(".html"):
            group = "compiled Jinja templates"
        elif "site-packages/" in filename:
            group = filename.split("site-packages/", 1)[1].split("/", 1)[0]
        elif filename.startswith(str(ROOT / "tracker")):
            group = "tracker"
        elif filename == "~":
            group = "built-ins (C)"
        else:
            group = "python stdlib / other"
        groups[group] = groups.get(group, 0.0) + tottime
    total = sum(groups.values())
    log(f"\n=== cProfile: {requests} board requests, {total:.2f}s profiled; own time by package ===")
    for group, seconds in sorted(groups.items(), key=lambda item: -item[1])[:12]:
        log(f"  {seconds / total:6.1%}  {seconds / requests * 1000:7.1f} ms/request  {group}")
    stats.strip_dirs()
    log(f"\n=== cProfile: top {top} by own time ===")
    stats.sort_stats("tottime").print_stats(top)
    log(f"\n=== cProfile: top {top} by cumulative time ===")
    stats.sort_stats("cumulative").print_stats(top)


if __name__ == "__main__":
    main()
