"""Benchmark of a staff survey wave's results page: time, and SQL statements against the wave's size.

Run from the project root::

    .venv/bin/python bench/bench_survey_results.py

stdout carries one ``name value`` line per figure; progress goes to stderr. The data: one programme of
20 organisations whose survey has 20 questions (6 Likert, 4 from 0 to 10 of which 2 scored eNPS-style, 4
single choice, 3 multiple choice, 3 free text) and a closed wave of 5,000 responses, 250 per
organisation, every question answered (free text by about a third), bulk-inserted: about 110,000 answer
rows. ``survey_results_ms`` is the median of 31 requests of the wave's results page across all
organisations, as a facilitator sees it, through the Flask test client, with the closed wave's answer
aggregates kept from an earlier request (``results.load_counts``); ``survey_results_cold_ms`` reads them
again every time (the first view in a worker). ``survey_results_queries`` counts the page's statements
(``before_cursor_execute``, SQLite's ``BEGIN`` included); ``survey_results_queries_small`` counts them
for a wave of 12 responses to a 5-question survey in another programme: the two must be equal, since the
results come from a fixed number of ``GROUP BY`` aggregates whatever the number of responses, questions
or organisations (and so for the ``_cold_`` pair).
"""

import os
import random
import sys
import tempfile
import time
import uuid
from collections import OrderedDict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_board import PASSWORD, StatementCounter, log, median_ms, shorten, sign_in, timed_get  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.accounts.services import create_user  # noqa: E402
from tracker.config import database_url  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.programmes import services as programmes  # noqa: E402
from tracker.surveys.models import Answer, Question, QuestionKind, Response, Survey, Wave  # noqa: E402

SEED = 20261201
CHOICES = ["Letters", "Case standards", "Contact methods", "Training", "Templates"]
#: Question kinds of the big survey, in order.
BIG_KINDS = ([QuestionKind.LIKERT] * 6 + [QuestionKind.SCALE] * 4 + [QuestionKind.SINGLE] * 4
             + [QuestionKind.MULTIPLE] * 3 + [QuestionKind.TEXT] * 3)
SMALL_KINDS = [QuestionKind.LIKERT, QuestionKind.SCALE, QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TEXT]


def _answers(rng: random.Random, question: Question, response_id: str) -> list[dict]:
    row = {"response_id": response_id, "question_id": question.id, "item": 0, "value": None, "text": None}
    if question.kind == QuestionKind.LIKERT:
        return [row | {"value": rng.choices(range(1, 6), weights=(1, 2, 3, 5, 3))[0]}]
    if question.kind == QuestionKind.SCALE:
        return [row | {"value": rng.randint(0, 10)}]
    if question.kind == QuestionKind.SINGLE:
        return [row | {"value": rng.randrange(len(CHOICES))}]
    if question.kind == QuestionKind.MULTIPLE:
        return [row | {"item": i, "value": i} for i in sorted(rng.sample(range(len(CHOICES)), rng.randint(1, 3)))]
    if rng.random() < 0.35:
        return [row | {"text": f"Comment {rng.randint(1, 10**6)} about the letters and the casework standards"}]
    return []


def seed(rng: random.Random, name: str, kinds: list[QuestionKind], n_orgs: int, per_org: int) -> dict:
    """A programme with ``n_orgs`` organisations, a survey of ``kinds`` and a closed wave 1 of ``per_org``
    responses from each organisation, answers bulk-inserted."""
    facilitator = create_user(f"fac-{name}@bench.example", "Fran Facilitator", PASSWORD, is_facilitator=True)
    programme = programmes.create_programme(
        name=name, aim="How might we?", expected_outcomes="", start_date=date(2024, 1, 1), evaluation_months=24,
        checkin_interval_months=3, survey_interval_months=3, creator=facilitator)
    orgs = [programmes.add_organisation(programme, f"{name} council {i:02d}") for i in range(n_orgs)]
    survey = Survey(programme=programme, title=f"{name} pulse survey")
    survey.questions = [Question(position=i, kind=kind, text=f"Question {i + 1}: how are the changes going?",
                                 required=kind != QuestionKind.TEXT, nps=kind == QuestionKind.SCALE and i % 2 == 0,
                                 choices=CHOICES if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) else [])
                        for i, kind in enumerate(kinds)]
    wave = Wave(number=1, opens_on=date(2024, 1, 1), closes_on=date(2024, 1, 14))
    survey.waves = [wave]
    db.session.add(survey)
    db.session.flush()
    responses, answers = [], []
    for org in orgs:
        for _ in range(per_org):
            response_id = uuid.uuid4().hex
            responses.append({"id": response_id, "wave_id": wave.id, "organisation_id": org.id,
                              "submitted_on": date(2024, 1, rng.randint(1, 14))})
            for question in survey.questions:
                answers += _answers(rng, question, response_id)
    rng.shuffle(responses)
    db.session.execute(Response.__table__.insert(), responses)
    for start in range(0, len(answers), 20_000):
        db.session.execute(Answer.__table__.insert(), answers[start:start + 20_000])
    db.session.commit()
    return {"user": facilitator.email, "url": f"/waves/{wave.id}/results", "responses": len(responses),
            "answers": len(answers)}


def timed(client, url: str, before=None, repeats: int = 31) -> tuple[float, float, bytes]:
    """Median wall and CPU times (ms) of ``url`` after three warm-ups; ``before`` runs, untimed, first."""
    before = before or (lambda: None)
    walls, cpus = [], []
    for n in range(3 + repeats):
        before()
        elapsed, cpu, body = timed_get(client, url)
        if n >= 3:
            walls.append(elapsed)
            cpus.append(cpu)
    return median_ms(walls), median_ms(cpus), body


def main() -> None:
    tmp = tempfile.TemporaryDirectory(prefix="bench-survey-")
    env_url = os.environ.get("BENCH_DATABASE_URL")
    url = database_url(env_url, "") if env_url else f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    app = create_app({"ENV_NAME": "testing", "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SQLALCHEMY_DATABASE_URI": url})
    rng = random.Random(SEED)
    try:
        with app.app_context():
            db.create_all()
            t = time.perf_counter()
            big = seed(rng, "Big", BIG_KINDS, 20, 250)
            small = seed(rng, "Small", SMALL_KINDS, 2, 6)
            log(f"seeded {big['responses']:,} responses ({big['answers']:,} answers) and {small['responses']} "
                f"responses in {time.perf_counter() - t:.1f}s")
            engine = db.engine
        counter = StatementCounter(engine)
        client, client_small = sign_in(app, big["user"]), sign_in(app, small["user"])
        kept = app.extensions.setdefault("survey_counts", OrderedDict())
        client.get(big["url"])  # warm: templates compiled, the session's last-seen time written
        client_small.get(small["url"])
        kept.clear()
        cold_big, cold_statements = counter.count(client, big["url"])
        cold_small, _ = counter.count(client_small, small["url"])
        queries_big, statements = counter.count(client, big["url"])
        queries_small, _ = counter.count(client_small, small["url"])
        counter.remove()
        log(f"statements of the results page, aggregates read ({cold_big}):")
        for statement in cold_statements:
            log(f"  {shorten(statement)}")
        log(f"statements of the results page, aggregates kept ({queries_big}):")
        for statement in statements:
            log(f"  {shorten(statement)}")
        page_ms, page_cpu, body = timed(client, big["url"])
        cold_ms, cold_cpu, _body = timed(client, big["url"], before=kept.clear)
        if b"Fewer than" in body or body.count(b'class="app-survey-question"') != len(BIG_KINDS):
            raise SystemExit("the results page does not show every question across all organisations")
        log(f"cpu-time medians: {page_cpu:.1f} ms kept, {cold_cpu:.1f} ms read; page {len(body):,} bytes")
        print(f"survey_results_ms {page_ms:.1f}")
        print(f"survey_results_queries {queries_big}")
        print(f"survey_results_queries_small {queries_small}")
        print(f"survey_results_cold_ms {cold_ms:.1f}")
        print(f"survey_results_cold_queries {cold_big}")
        print(f"survey_results_cold_queries_small {cold_small}")
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
        tmp.cleanup()


if __name__ == "__main__":
    main()
