"""Benchmark of the case file audit's results page: page time and SQL statements.

Run from the project root::

    .venv/bin/python bench/bench_audits.py

stdout carries one ``name value`` line per figure; progress goes to stderr.

- ``audit_results_ms`` / ``audit_results_queries``: the results page of an audit of 1,000 cases × 30 elements
  (6 stages of 5 elements, one checklist item each; about one score in ten not applicable, every checklist
  item answered, 5 cases left unscored), the median of 21 requests after three warm-ups.
- ``audit_results_ms_100`` / ``audit_results_queries_100``: the same for an audit of 100 cases of the same
  template in another organisation; ``audit_results_queries_100`` must equal ``audit_results_queries``
  (statements do not grow with cases).
- ``audit_results_queries_second``: a second audit (100 cases) of the 1,000-case audit's organisation, whose
  page also shows the change since that baseline: the baseline's figures cost a fixed eight statements more.

The database is a temporary SQLite file unless ``BENCH_DATABASE_URL`` is set (an empty database: the bench
creates the tables and drops them again).
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bench.bench_board import PASSWORD, StatementCounter, log, shorten, sign_in, timed_get  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.accounts.services import create_user  # noqa: E402
from tracker.audits import services  # noqa: E402
from tracker.audits.models import Answer, AttributeKind, AuditAnswer, AuditCase, AuditScore  # noqa: E402
from tracker.config import database_url  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.programmes import services as programmes  # noqa: E402

SEED = 20261201
REPEATS = 21
STAGES, ELEMENTS_PER_STAGE = 6, 5


def seed_template(programme):
    template = services.create_template(programme, "Bench template")
    for s in range(STAGES):
        stage = services.add_stage(template, f"Stage {s + 1}")
        for e in range(ELEMENTS_PER_STAGE):
            element = services.add_element(stage, f"Element {s + 1}.{e + 1}", 1 + (e % 5))
            services.add_item(element, f"Checklist item {s + 1}.{e + 1}")
    return template


def seed_audit(rng: random.Random, org, template, title: str, started_on: date, n_cases: int) -> int:
    """An audit of ``n_cases`` cases, scores and answers inserted in bulk."""
    audit = services.start_audit(org, template, title=title, started_on=started_on,
                                 attributes=services.SEED_ATTRIBUTES)
    lists = services.attributes_of(audit)
    elements, items = services.elements_of(audit), services.items_of(audit)
    now = datetime(2026, 12, 1, 10, 0)
    cases = []
    for n in range(1, n_cases + 1):
        cases.append({"audit_id": audit.id, "number": n, "reference": f"HO-{n:05d}", "notes": "",
                      "case_type_id": rng.choice(lists[AttributeKind.CASE_TYPE]).id,
                      "household_id": rng.choice(lists[AttributeKind.HOUSEHOLD]).id,
                      "outcome_id": rng.choice(lists[AttributeKind.OUTCOME]).id,
                      "year_id": rng.choice(lists[AttributeKind.YEAR]).id,
                      "scored_dt": None if n > n_cases - 5 else now, "score": 0, "possible": 0})
    db.session.execute(insert(AuditCase), cases)
    ids = list(db.session.scalars(select(AuditCase.id).where(AuditCase.audit_id == audit.id,
                                                             AuditCase.scored_dt.is_not(None))))
    scores, answers = [], []
    for case_id in ids:
        for element in elements:
            value = None if rng.random() < 0.1 else rng.randint(0, element.max_score)
            scores.append({"case_id": case_id, "element_id": element.id, "score": value})
        for item in items:
            answers.append({"case_id": case_id, "item_id": item.id, "answer": rng.choice(list(Answer))})
    db.session.execute(insert(AuditScore), scores)
    db.session.execute(insert(AuditAnswer), answers)
    db.session.commit()
    log(f"{title}: {n_cases} cases, {len(scores)} scores, {len(answers)} answers")
    return audit.id


def median_ms(client, url: str) -> float:
    for _ in range(3):
        timed_get(client, url)
    return statistics.median(timed_get(client, url)[0] for _ in range(REPEATS)) * 1000


def main() -> None:
    started = time.perf_counter()
    rng = random.Random(SEED)
    tmp = tempfile.TemporaryDirectory(prefix="bench-audits-")
    env_url = os.environ.get("BENCH_DATABASE_URL")
    url = database_url(env_url, "") if env_url else f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    app = create_app({"ENV_NAME": "testing", "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            db.create_all()
            user = create_user(name="Bench facilitator", email="bench-audits@example.org", password=PASSWORD)
            programme = programmes.create_programme(  # its creator is its facilitator
                name="Audit bench", aim="Bench", expected_outcomes="", start_date=date(2021, 4, 1),
                evaluation_months=12, checkin_interval_months=3, survey_interval_months=3, creator=user)
            org = programmes.add_organisation(programme, "Council")
            other = programmes.add_organisation(programme, "Other council")
            template = seed_template(programme)
            big = seed_audit(rng, org, template, "Baseline", date(2021, 8, 18), 1000)
            small = seed_audit(rng, other, template, "Small audit", date(2021, 8, 18), 100)
            second = seed_audit(rng, org, template, "Second audit", date(2022, 8, 18), 100)
            engine = db.engine
        counter = StatementCounter(engine)
        client = sign_in(app, "bench-audits@example.org")
        big_url, small_url = f"/audits/{big}/results", f"/audits/{small}/results"
        client.get(big_url)
        queries, statements = counter.count(client, big_url)
        queries_100, _ = counter.count(client, small_url)
        queries_second, _ = counter.count(client, f"/audits/{second}/results")
        counter.remove()
        log(f"results statements ({queries}):")
        for statement in statements:
            log(f"  {shorten(statement)}")
        results_ms, results_ms_100 = median_ms(client, big_url), median_ms(client, small_url)
        print(f"audit_results_ms {results_ms:.1f}")
        print(f"audit_results_queries {queries}")
        print(f"audit_results_ms_100 {results_ms_100:.1f}")
        print(f"audit_results_queries_100 {queries_100}")
        print(f"audit_results_queries_second {queries_second}")
        if queries != queries_100:
            log("statement counts differ with the number of cases")
            raise SystemExit(1)
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
        tmp.cleanup()
        log(f"done in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
