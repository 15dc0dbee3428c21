# ruff: noqa: E501 - the bare templates are one long line per item, like the pages they mirror
"""Benchmark of the check-ins: the facilitator's overview and a check-in's agenda, page time and SQL statements.

Run from the project root::

    .venv/bin/python bench/bench_checkins.py            # figures only
    .venv/bin/python bench/bench_checkins.py --profile  # figures, then a cProfile of the agenda page on stderr

stdout carries one ``name value`` line per figure; progress goes to stderr. The clock is stopped at
Wednesday 18 November 2026 (UK), so every date rule sees the same data on every run.

- ``overview_*``: a programme of 50 organisations (40 cards each over every column, actions, completions,
  a held and a scheduled check-in, 10 indicators × 4 periods of figures, a closed survey wave with
  invitations and responses); ``overview_queries_small`` is the same page for 5 such organisations and must
  equal ``overview_queries``. ``bare_overview_ms`` is a bare page of the same 50 rows, requested alternately.
- ``agenda_*``: an organisation with 1,000 cards, 20,000 card events over two years, 50 indicators × 8
  periods of figures (100 cards linked to them) and four closed survey waves; its check-in's agenda against
  ``bare_agenda_ms``, a bare Jinja page of the same items with the same markup line for line, their words and
  days made once before timing, requested alternately
  in the same run. ``agenda_queries_10`` is the agenda of an organisation with 10 cards in the same programme
  and must equal ``agenda_queries``. ``agenda_*`` is the page as people open it again and again (the agenda
  kept from the first view, its versions read afresh: ``tracker.checkins.agenda_cache``);
  ``agenda_built_*`` is the same page with nothing kept, every view building the agenda afresh (a first
  view, or the first after a change).

The database is a temporary SQLite file unless ``BENCH_DATABASE_URL`` is set (an empty database: the bench
creates the tables and drops them again).
"""

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from dataclasses import asdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask import render_template  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.bench_board import (  # noqa: E402
    PASSWORD,
    StatementCounter,
    build_org,
    interleaved,
    log,
    profile_board,
    shorten,
    sign_in,
)
from bench.bench_survey_results import SMALL_KINDS, _answers  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.accounts.services import create_user  # noqa: E402
from tracker.board.models import Card, CardEvent, CardEventKind, RoadmapColumn  # noqa: E402
from tracker.checkins import agenda as agenda_rules  # noqa: E402
from tracker.checkins import agenda_cache  # noqa: E402
from tracker.checkins import views_agenda as agenda_views  # noqa: E402
from tracker.checkins.models import CheckIn, CheckInRag, CheckInStatus  # noqa: E402
from tracker.config import database_url  # noqa: E402
from tracker.core import clock  # noqa: E402
from tracker.core.kept import Kept  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.programmes import services as programmes  # noqa: E402
from tracker.results import services as results  # noqa: E402
from tracker.results.models import Direction, Figure, Unit, card_indicator  # noqa: E402
from tracker.results.services import Rag  # noqa: E402
from tracker.surveys.models import Answer, Invitation, Question, Response, Survey, Wave  # noqa: E402

SEED = 20261118
#: Wednesday 18 November 2026, 10am UK (GMT).
NOW = datetime(2026, 11, 18, 10, 0)
START = date(2025, 1, 1)
REPEATS = 21

OVERVIEW_BARE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Bare overview</title></head><body><main>
<h2 id="h">{{ rows|length }} organisations</h2><div role="region" aria-labelledby="h" tabindex="0"><table class="govuk-table"><thead><tr>{% for h in headings %}<th scope="col" aria-sort="none"><a href="?sort={{ loop.index }}&amp;dir=desc">{{ h }}</a></th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr><th scope="row"><a href="/programmes/p/{{ row.slug }}/roadmap">{{ row.name }}</a><ul><li><a href="/programmes/p/calendar?organisation={{ row.slug }}">Check-ins<span> {{ row.name }}</span></a></li><li><a href="/programmes/p/results?organisation={{ row.slug }}">Results<span> {{ row.name }}</span></a></li></ul></th>
<td><a href="/checkins/{{ row.next_id }}">{{ row.next_on }}</a></td><td><a href="/checkins/{{ row.last_id }}">{{ row.last_on }}</a></td><td><strong class="govuk-tag">{{ row.last_rag }}</strong></td>
{% for n in row.numbers %}<td class="govuk-table__cell--numeric">{{ n }}</td>{% endfor %}<td>{{ row.response }}</td></tr>
{% endfor %}</tbody></table></div></main></body></html>"""

AGENDA_BARE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Bare agenda</title></head><body><main>
<h1 class="govuk-heading-l">Agenda: check-in with {{ a.organisation_name }}</h1>
<div class="app-agenda">
<p class="govuk-body">Since the previous check-in on {{ a.since_checkin_on }}. Written from the data on {{ a.built_on }}.</p>
<h2 class="govuk-heading-m">1. The board</h2>
{% for name, heading in lists %}{% if a[name] %}
<h3 class="govuk-heading-s">{{ heading }}</h3>
<ul class="govuk-list govuk-list--bullet">
  {% for i in a[name] %}<li><a class="govuk-link" href="/cards/{{ i.card_id }}">{{ i.code }} {{ i.title }}</a>{% if i.move %} <span class="app-secondary">– {{ i.move }}</span>{% endif %} <span class="govuk-body-s app-secondary">({{ i.on }})</span></li>{% endfor %}
</ul>
{% endif %}{% endfor %}
<h3 class="govuk-heading-s">Stalled: no move, update or action for more than 6 weeks</h3>
<ul class="govuk-list govuk-list--bullet">
  {% for i in a.stalled %}<li><a class="govuk-link" href="/cards/{{ i.card_id }}">{{ i.code }} {{ i.title }}</a> <span class="app-secondary">– in {{ i.column }}, last change {{ i.last_activity_on }}</span></li>{% endfor %}
</ul>
<h2 class="govuk-heading-m">2. Actions</h2>
{% for name in ("overdue_actions", "due_actions", "arising") %}<h3 class="govuk-heading-s">{{ name }}</h3>
<ul class="govuk-list">{% for x in a[name] %}
<li>
  <a class="govuk-link" href="/cards/{{ x.card_id }}">{{ x.text }}</a>
  <span class="govuk-body-s app-secondary">({{ x.code }} {{ x.card_title }}; owner: {{ x.owner }}; due {{ x.due_on }})</span>
  <strong class="govuk-tag {{ x.tag_class }}">{{ x.tag }}</strong>
</li>
{% endfor %}</ul>{% endfor %}
<h2 class="govuk-heading-m">3. Results</h2>
<h3 class="govuk-heading-s">Figures missing for the last period</h3>
<ul class="govuk-list govuk-list--bullet">
  {% for m in a.missing_figures %}<li><a class="govuk-link" href="/indicators/{{ m.indicator_id }}">{{ m.code }} {{ m.name }}</a> <span class="app-secondary">– {{ m.months_from }}–{{ m.months_to }} months since start date, due {{ m.due_on }}</span>{% if m.is_overdue %} <strong class="govuk-tag govuk-tag--red">Overdue</strong>{% endif %}</li>{% endfor %}
</ul>
<h3 class="govuk-heading-s">Outputs missing for the last period</h3>
<ul class="govuk-list govuk-list--bullet">
  {% for m in a.missing_outputs %}<li><a class="govuk-link" href="/programmes/p/results#output-{{ m.output_id }}">{{ m.code }} {{ m.description }}</a> <span class="app-secondary">– due {{ m.due_on }}</span>{% if m.is_overdue %} <strong class="govuk-tag govuk-tag--red">Overdue</strong>{% endif %}</li>{% endfor %}
</ul>
<h3 class="govuk-heading-s">Progress against target that changed</h3>
<ul class="govuk-list govuk-list--bullet">
  {% for c in a.rag_changes %}<li><a class="govuk-link" href="/indicators/{{ c.indicator_id }}">{{ c.code }} {{ c.name }}</a>: <strong class="govuk-tag {{ c.old_class }}">{{ c.old }}</strong> ({{ c.old_value }}) to <strong class="govuk-tag {{ c.new_class }}">{{ c.new }}</strong> ({{ c.new_value }})</li>{% endfor %}
</ul>
<h3 class="govuk-heading-s">Did it? Cards that moved, and their indicators</h3>
{% for d in a.did_it %}
<table class="govuk-table app-did-it">
  <caption class="govuk-table__caption govuk-table__caption--s"><a class="govuk-link" href="/cards/{{ d.card_id }}">{{ d.code }} {{ d.title }}</a> – now in {{ d.to_column }}</caption>
  <thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Indicator</th><th scope="col" class="govuk-table__header">Before</th><th scope="col" class="govuk-table__header">After</th></tr></thead>
  <tbody class="govuk-table__body">
  {% for i in d.indicators %}
    <tr class="govuk-table__row"><th scope="row" class="govuk-table__header"><a class="govuk-link" href="/indicators/{{ i.indicator_id }}">{{ i.code }} {{ i.name }}</a></th>
      <td class="govuk-table__cell">{{ i.before }} <span class="govuk-body-s app-secondary">(period {{ i.before_period }})</span></td>
      <td class="govuk-table__cell">{{ i.after }} <span class="govuk-body-s app-secondary">(period {{ i.after_period }})</span> <strong class="govuk-tag {{ i.after_class }}">{{ i.after_rag }}</strong></td></tr>
  {% endfor %}
  </tbody>
</table>
{% endfor %}
<h2 class="govuk-heading-m">4. Staff survey</h2>{% set s = a.survey %}{% if s %}
<p class="govuk-body"><a class="govuk-link" href="/waves/{{ s.wave_id }}/results">{{ s.survey_title }}, wave {{ s.wave_number }}</a>, closed {{ s.closes_on }}:
{{ s.responses }} responses of {{ s.invited }} invited ({{ s.rate }}%).</p>
<table class="govuk-table">
  <tbody class="govuk-table__body">{% for c in s.changes %}<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{{ c.text }}</th><td class="govuk-table__cell govuk-table__cell--numeric">{{ c.before }}</td><td class="govuk-table__cell govuk-table__cell--numeric">{{ c.after }}</td><td class="govuk-table__cell govuk-table__cell--numeric">{{ c.change }}</td></tr>{% endfor %}</tbody>
</table>{% endif %}
</div>
</main></body></html>"""
#: The board's lists on the bare agenda, with their headings.
BARE_LISTS = [("completed", "Completed"), ("moved", "Moved"), ("on_hold", "Put on hold"),
              ("started", "Concepts and prototypes started"), ("new_quick_wins", "New quick wins"),
              ("new_ideas", "New ideas"), ("archived", "Archived")]


def bare_agenda_items(built) -> dict:
    """The agenda's items as plain dicts with every word and day already as shown (made before timing), so
    that the bare page only loops and writes the same markup."""
    rag_class = {"on_track": "govuk-tag--green", "ahead": "govuk-tag--yellow", "off_track": "govuk-tag--red"}
    items = asdict(built)

    def day(value):
        return agenda_views.iso_day(value)

    for name, _heading in BARE_LISTS:
        for i in items[name]:
            i["on"] = day(i["on"])
            i["move"] = (f"{agenda_views.column_label(i['from_column'])} to {agenda_views.column_label(i['to_column'])}"
                         if name == "moved" else "")
    for i in items["stalled"]:
        i["column"], i["last_activity_on"] = agenda_views.column_label(i["column"]), day(i["last_activity_on"])
    for name in ("overdue_actions", "due_actions", "arising"):
        for x in items[name]:
            x["due_on"] = day(x["due_on"])
            x["tag"], x["tag_class"] = ("Overdue", "govuk-tag--red") if x["is_overdue"] else ("Open", "govuk-tag--blue")
    for m in items["missing_figures"] + items["missing_outputs"]:
        m["due_on"] = day(m["due_on"])
    for c in items["rag_changes"]:
        c["old_class"], c["new_class"] = rag_class.get(c["old"], "govuk-tag--grey"), rag_class.get(c["new"], "govuk-tag--grey")
        c["old"], c["new"] = Rag(c["old"]).label, Rag(c["new"]).label
    for d in items["did_it"]:
        d["to_column"] = agenda_views.column_label(d["to_column"])
        for i in d["indicators"]:
            i["after_class"] = rag_class.get(i["after_rag"], "govuk-tag--grey")
            i["after_rag"] = Rag(i["after_rag"]).label if i["after_rag"] else ""
    if items["survey"]:
        items["survey"]["closes_on"] = day(items["survey"]["closes_on"])
    return items


#: Card event kinds and how often each happens.
EVENT_KINDS = {CardEventKind.MOVED: 30, CardEventKind.COMPLETED: 8, CardEventKind.PUT_ON_HOLD: 4,
               CardEventKind.UPDATE_ADDED: 20, CardEventKind.ACTION_ADDED: 12, CardEventKind.ACTION_DONE: 8,
               CardEventKind.EDITED: 18}
COLUMNS = list(RoadmapColumn)


def _moment(rng: random.Random, first: datetime, last: datetime) -> datetime:
    return first + timedelta(seconds=rng.randint(0, int((last - first).total_seconds())))


def card_events(rng: random.Random, card_ids: list[int], n: int, first: datetime, last: datetime) -> None:
    """``n`` events on the cards, spread from ``first`` to ``last``, bulk-inserted."""
    kinds, weights = list(EVENT_KINDS), list(EVENT_KINDS.values())
    rows = []
    for _ in range(n):
        kind = rng.choices(kinds, weights)[0]
        row = {"card_id": rng.choice(card_ids), "user_id": None, "at_dt": _moment(rng, first, last), "kind": kind,
               "from_column": None, "to_column": None, "payload": {}, "note": None}
        if kind == CardEventKind.MOVED:
            row["from_column"], row["to_column"] = rng.sample(COLUMNS[:3], 2)
        elif kind == CardEventKind.COMPLETED:
            row["from_column"], row["to_column"] = RoadmapColumn.PROTOTYPING, RoadmapColumn.COMPLETED
        elif kind == CardEventKind.PUT_ON_HOLD:
            row["from_column"], row["to_column"] = RoadmapColumn.CONCEPT, RoadmapColumn.ON_HOLD
        elif kind == CardEventKind.EDITED:
            row["payload"] = {"fields": ["title"]}
        rows.append(row)
    for start in range(0, len(rows), 5_000):
        db.session.execute(CardEvent.__table__.insert(), rows[start:start + 5_000])


def indicators_for(programme, n: int) -> list:
    objective = results.create_objective(programme, "Reduce fall-out")
    outcomes = [results.create_outcome(objective, f"Outcome {k}") for k in range(5)]
    made = []
    for i in range(n):
        proportion = i % 2 == 0
        made.append(results.create_indicator(
            outcomes[i % 5], name=f"Indicator {i}", definition="Households recorded as fallen out, reduced",
            unit=Unit.PROPORTION if proportion else Unit.COUNT, numerator_label="fell out" if proportion else "",
            denominator_label="households" if proportion else "", direction=Direction.DECREASE,
            target=Decimal("12"), frequency="Quarterly", data_source="CMS", who_collects="LA contact"))
    for k in range(5):
        results.create_output(outcomes[k], description=f"Narrative report {k}")
    db.session.flush()
    return made


def figures(rng: random.Random, indicators: list, orgs: list, periods: int) -> None:
    rows = []
    for org in orgs:
        for indicator in indicators:
            for period in range(1, periods + 1):
                if rng.random() < 0.08:
                    continue  # a few missing
                proportion = indicator.unit == Unit.PROPORTION
                rows.append({"indicator_id": indicator.id, "organisation_id": org.id, "period_number": period,
                             "value": None if proportion else Decimal(rng.randint(5, 20)),
                             "numerator": Decimal(rng.randint(5, 20)) if proportion else None,
                             "denominator": Decimal(100) if proportion else None, "version": 1})
    for start in range(0, len(rows), 5_000):
        db.session.execute(Figure.__table__.insert(), rows[start:start + 5_000])


def survey_waves(rng: random.Random, programme, orgs: list, opens: list[date], *, invited: int, responses: int,
                 with_answers: bool) -> None:
    """A survey with a wave opening on each day of ``opens`` (14 days each), each organisation invited and
    answering in every wave."""
    survey = Survey(programme=programme, title="Staff pulse survey")
    survey.questions = [Question(position=i, kind=kind, text=f"Question {i + 1}: how are the changes going?",
                                 required=False, choices=["Letters", "Case standards", "Contact methods",
                                                          "Training", "Templates"] if i in (2, 3) else [])
                        for i, kind in enumerate(SMALL_KINDS)]
    survey.waves = [Wave(number=n + 1, opens_on=day, closes_on=day + timedelta(days=13)) for n, day in enumerate(opens)]
    db.session.add(survey)
    db.session.flush()
    invitations, answered, answers = [], [], []
    for wave in survey.waves:
        for org in orgs:
            invitations += [{"wave_id": wave.id, "organisation_id": org.id, "email": None,
                             "token_hash": uuid.uuid4().hex + uuid.uuid4().hex, "sent": True} for _ in range(invited)]
            for _ in range(responses):
                response_id = uuid.uuid4().hex
                answered.append({"id": response_id, "wave_id": wave.id, "organisation_id": org.id,
                                 "submitted_on": wave.opens_on})
                if with_answers:
                    for question in survey.questions:
                        answers += _answers(rng, question, response_id)
    db.session.execute(Invitation.__table__.insert(), invitations)
    db.session.execute(Response.__table__.insert(), answered)
    for start in range(0, len(answers), 20_000):
        db.session.execute(Answer.__table__.insert(), answers[start:start + 20_000])


def card_ids(org) -> list[int]:
    return list(db.session.scalars(select(Card.id).where(Card.organisation_id == org.id).order_by(Card.id)))


# --- the overview --------------------------------------------------------------------------------


def seed_overview(rng: random.Random, name: str, n_orgs: int) -> dict:
    facilitator = create_user(f"fac-{name.lower().replace(' ', '-')}@bench.example", "Fran Facilitator", PASSWORD, is_facilitator=True)
    programme = programmes.create_programme(
        name=name, aim="How might we?", expected_outcomes="", start_date=START, evaluation_months=24,
        checkin_interval_months=3, survey_interval_months=3, creator=facilitator, figures_lock_days=3650)
    orgs = []
    for i in range(n_orgs):
        team = [create_user(f"team{k}-{i}-{name.lower().replace(' ', '-')}@bench.example", f"Team Person {k}",
                            PASSWORD) for k in range(2)]
        info = build_org(rng, programme, f"{name} council {i:02d}", n_cards=40, n_opportunities=2, team=team,
                         facilitator=facilitator, n_actions=10)
        orgs.append(info["org"])
    db.session.flush()
    for org in orgs:
        ids = card_ids(org)
        card_events(rng, ids, 200, datetime(2025, 1, 1), NOW - timedelta(days=1))
        db.session.add_all([
            CheckIn(programme=programme, organisation=org, on=date(2026, 8, 20), status=CheckInStatus.HELD,
                    rag=rng.choice(list(CheckInRag)), held_dt=datetime(2026, 8, 20, 15), facilitator=facilitator),
            CheckIn(programme=programme, organisation=org, on=date(2026, 11, 20), facilitator=facilitator)])
    figures(rng, indicators_for(programme, 10), orgs, 4)
    survey_waves(rng, programme, orgs, [date(2026, 11, 1)], invited=20, responses=rng.choice((3, 8, 12)),
                 with_answers=False)
    results.refresh_all_totals(programme.id)
    db.session.commit()
    return {"user": facilitator.email, "url": f"/programmes/{programme.slug}/overview", "orgs": orgs}


def bare_overview_rows(orgs: list) -> list[dict]:
    return [{"name": org.name, "slug": org.slug, "next_id": 1, "next_on": "20 November 2026", "last_id": 2,
             "last_on": "20 August 2026", "last_rag": "Amber", "numbers": [14, 8, 6, 4, 8, 3, 2, 1, 2, 3, 4, 1, 2],
             "response": "60%"} for org in orgs]


# --- the agenda ----------------------------------------------------------------------------------


def seed_agenda(rng: random.Random) -> dict:
    facilitator = create_user("fac-agenda@bench.example", "Fran Facilitator", PASSWORD, is_facilitator=True)
    programme = programmes.create_programme(
        name="Agenda", aim="How might we?", expected_outcomes="", start_date=START, evaluation_months=24,
        checkin_interval_months=3, survey_interval_months=3, creator=facilitator, figures_lock_days=3650)
    big_team = [create_user(f"big{i}@agenda.example", f"Sam Big{i}", PASSWORD) for i in range(6)]
    small_team = [create_user(f"small{i}@agenda.example", f"Jo Small{i}", PASSWORD) for i in range(2)]
    big = build_org(rng, programme, "Big Council", n_cards=1000, n_opportunities=10, team=big_team,
                    facilitator=facilitator, n_actions=60)["org"]
    small = build_org(rng, programme, "Small Council", n_cards=10, n_opportunities=3, team=small_team,
                      facilitator=facilitator, n_actions=3)["org"]
    db.session.flush()
    indicators = indicators_for(programme, 50)
    figures(rng, indicators, [big, small], 8)
    checkins = {}
    for org, n_events, n_linked in ((big, 20_000, 100), (small, 200, 4)):
        ids = card_ids(org)
        card_events(rng, ids, n_events, datetime(2025, 1, 1), NOW - timedelta(days=1))
        linked = rng.sample(ids, n_linked)
        db.session.execute(card_indicator.insert(), [{"card_id": c, "indicator_id": i.id} for c in linked
                                                     for i in rng.sample(indicators, 2)])
        # Every linked card moved since the previous check-in, so "did it?" has something to say.
        db.session.execute(CardEvent.__table__.insert(), [
            {"card_id": c, "user_id": None, "at_dt": datetime(2026, 10, 1, 12), "kind": CardEventKind.MOVED,
             "from_column": RoadmapColumn.CONCEPT, "to_column": RoadmapColumn.PROTOTYPING, "payload": {}, "note": None}
            for c in linked])
        previous = CheckIn(programme=programme, organisation=org, on=date(2026, 8, 20), status=CheckInStatus.HELD,
                           rag=CheckInRag.AMBER, held_dt=datetime(2026, 8, 20, 15), facilitator=facilitator,
                           interval_number=6)
        current = CheckIn(programme=programme, organisation=org, on=date(2026, 11, 20), facilitator=facilitator,
                          interval_number=7)
        db.session.add_all([previous, current,
                            CheckIn(programme=programme, organisation=org, on=date(2027, 2, 20), interval_number=8)])
        db.session.flush()
        checkins[org.id] = current.id
    survey_waves(rng, programme, [big, small], [date(2026, 2, 1), date(2026, 5, 1), date(2026, 8, 1),
                                               date(2026, 11, 1)], invited=40, responses=25, with_answers=True)
    results.refresh_all_totals(programme.id)
    db.session.commit()
    return {"user": facilitator.email, "big": f"/checkins/{checkins[big.id]}/agenda",
            "small": f"/checkins/{checkins[small.id]}/agenda", "big_checkin": checkins[big.id]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="then profile the big agenda page (stderr)")
    parser.add_argument("--profile-top", type=int, default=25)
    args = parser.parse_args()
    started = time.perf_counter()
    rng = random.Random(SEED)
    tmp = tempfile.TemporaryDirectory(prefix="bench-checkins-")
    env_url = os.environ.get("BENCH_DATABASE_URL")
    url = database_url(env_url, "") if env_url else f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    app = create_app({"ENV_NAME": "testing", "TESTING": True, "WTF_CSRF_ENABLED": False, "AGENDA_CACHE_VERIFY": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SQLALCHEMY_DATABASE_URI": url})
    bare = {"overview": app.jinja_env.from_string(OVERVIEW_BARE), "agenda": app.jinja_env.from_string(AGENDA_BARE),
            "rows": [], "headings": [f"Heading {n}" for n in range(17)], "items": {}}

    @app.get("/__bare_overview")
    def _bare_overview():
        return render_template(bare["overview"], rows=bare["rows"], headings=bare["headings"])

    @app.get("/__bare_agenda")
    def _bare_agenda():
        return render_template(bare["agenda"], a=bare["items"], lists=BARE_LISTS)

    try:
        with clock.frozen(NOW), app.app_context():
            db.create_all()
            t = time.perf_counter()
            overview_big = seed_overview(rng, "Overview", 50)
            overview_small = seed_overview(rng, "Small overview", 5)
            agenda = seed_agenda(rng)
            log(f"seeded in {time.perf_counter() - t:.1f}s")
            bare["rows"] = bare_overview_rows(overview_big["orgs"])
            with app.test_request_context():
                built = agenda_rules.build(db.session.get(CheckIn, agenda["big_checkin"]))
                bare["items"] = bare_agenda_items(built)
            log("agenda items: " + ", ".join(f"{name} {len(bare['items'][name])}" for name in agenda_rules.LISTS)
                + f", survey changes {len((bare['items']['survey'] or {}).get('changes', []))}")
            engine = db.engine
        with clock.frozen(NOW):
            counter = StatementCounter(engine)
            client = sign_in(app, overview_big["user"])
            client_small = sign_in(app, overview_small["user"])
            client_agenda = sign_in(app, agenda["user"])
            client.get(overview_big["url"])
            overview_queries, statements = counter.count(client, overview_big["url"])
            overview_queries_small, _ = counter.count(client_small, overview_small["url"])
            kept = app.extensions[agenda_cache.EXTENSION]
            app.extensions[agenda_cache.EXTENSION] = Kept(0)  # every agenda built afresh
            client_agenda.get(agenda["big"])
            built_queries, built_statements = counter.count(client_agenda, agenda["big"])
            built_queries_10, _ = counter.count(client_agenda, agenda["small"])
            built_ms, built_bare_ms = interleaved(client_agenda, agenda["big"], "/__bare_agenda", REPEATS)
            app.extensions[agenda_cache.EXTENSION] = kept
            client_agenda.get(agenda["big"])
            client_agenda.get(agenda["small"])
            agenda_queries, agenda_statements = counter.count(client_agenda, agenda["big"])
            agenda_queries_10, _ = counter.count(client_agenda, agenda["small"])
            counter.remove()
            log(f"overview statements ({overview_queries}):")
            for statement in statements:
                log(f"  {shorten(statement)}")
            log(f"agenda statements, built ({built_queries}):")
            for statement in built_statements:
                log(f"  {shorten(statement)}")
            log(f"agenda statements, kept ({agenda_queries}):")
            for statement in agenda_statements:
                log(f"  {shorten(statement)}")
            overview_ms, bare_overview_ms = interleaved(client, overview_big["url"], "/__bare_overview", REPEATS)
            agenda_ms, bare_agenda_ms = interleaved(client_agenda, agenda["big"], "/__bare_agenda", REPEATS)
        print(f"overview_ms {overview_ms:.1f}")
        print(f"bare_overview_ms {bare_overview_ms:.1f}")
        print(f"overview_queries {overview_queries}")
        print(f"overview_queries_small {overview_queries_small}")
        print(f"agenda_ms {agenda_ms:.1f}")
        print(f"bare_agenda_ms {bare_agenda_ms:.1f}")
        print(f"agenda_ratio_vs_bare {agenda_ms / bare_agenda_ms:.2f}")
        print(f"agenda_queries {agenda_queries}")
        print(f"agenda_queries_10 {agenda_queries_10}")
        print(f"agenda_built_ms {built_ms:.1f}")
        print(f"agenda_built_ratio_vs_bare {built_ms / built_bare_ms:.2f}")
        print(f"agenda_built_queries {built_queries}")
        print(f"agenda_built_queries_10 {built_queries_10}")
        if args.profile:
            with clock.frozen(NOW):
                profile_board(client_agenda, agenda["big"], args.profile_top)
        if (overview_queries != overview_queries_small or agenda_queries != agenda_queries_10
                or built_queries != built_queries_10):
            log("statement counts differ with the size of the data")
        log(f"done in {time.perf_counter() - started:.1f}s")
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
        tmp.cleanup()


if __name__ == "__main__":
    main()
