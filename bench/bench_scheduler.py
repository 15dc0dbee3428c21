"""Benchmark of the scheduler's work: mail delivered per second, and one ``run_due`` at a quarter boundary.

Run from the project root::

    .venv/bin/python bench/bench_scheduler.py

stdout carries one ``name value`` line per figure; progress goes to stderr.

- ``mail_per_s``: 500 messages through the outbox to an aiosmtpd sink on loopback, by the mail job.
- ``run_due_ms`` / ``run_due_queries``: every registered job but mail, once, for the first moment of a
  quarter, over 100 programmes × 10 organisations (each with two team members and an indicator per
  programme); ``run_due_queries_small`` for 10 programmes × 10 organisations and
  ``run_due_queries_wide`` for 10 programmes × 30 organisations. Statements per programme must not grow
  with organisations: ``run_due_queries_wide`` equals ``run_due_queries_small``.
  The jobs measured are whatever ``tracker.scheduler.registry`` lists (``run_due_jobs``).
"""

import os
import socket
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

from bench.bench_board import PASSWORD, StatementCounter, log  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.accounts.services import create_user  # noqa: E402
from tracker.config import database_url  # noqa: E402
from tracker.core import mail  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.programmes import services as programmes  # noqa: E402
from tracker.programmes.models import Membership, Role  # noqa: E402
from tracker.results import services as results  # noqa: E402
from tracker.results.models import Direction, Unit  # noqa: E402
from tracker.scheduler import registry  # noqa: E402

START = date(2026, 1, 1)
#: The first morning of the second quarter (09:00 UK, BST).
NOW = datetime(2026, 4, 1, 8, 0)
MESSAGES = 500


class Sink:
    """Accepts every message and keeps a count."""

    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        self.count += 1
        return "250 2.0.0 Accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_app(folder: str, name: str):
    env_url = os.environ.get("BENCH_DATABASE_URL")
    url = database_url(env_url, "") if env_url else f"sqlite:///{Path(folder) / f'{name}.db'}"
    app = create_app({"ENV_NAME": "testing", "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SQLALCHEMY_DATABASE_URI": url,
                      "MAIL_HOST": None})
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def seed(n_programmes: int, n_orgs: int, name: str) -> None:
    for p in range(n_programmes):
        facilitator = create_user(f"fac-{name}-{p}@bench.example", f"Facilitator {p}", PASSWORD, is_facilitator=True)
        programme = programmes.create_programme(
            name=f"{name} programme {p:03d}", aim="How might we?", expected_outcomes="", start_date=START,
            evaluation_months=12, checkin_interval_months=3, survey_interval_months=3, creator=facilitator)
        objective = results.create_objective(programme, "Reduce fall-out")
        outcome = results.create_outcome(objective, "Fewer households fall out")
        results.create_indicator(outcome, name="Households helped", unit=Unit.COUNT, direction=Direction.INCREASE)
        results.create_output(outcome, description="Narrative report")
        for o in range(n_orgs):
            org = programmes.add_organisation(programme, f"{name} {p:03d} council {o:02d}")
            for t in range(2):
                user = create_user(f"team-{name}-{p}-{o}-{t}@bench.example", f"Team {p}.{o}.{t}", PASSWORD)
                db.session.add(Membership(programme=programme, user=user, role=Role.TEAM_MEMBER, organisation=org))
        db.session.commit()


def measure_run_due(app, n_programmes: int, n_orgs: int, name: str) -> tuple[float, int, int]:
    """(ms, statements, lines) of one run of every job but mail at :data:`NOW`."""
    with app.app_context():
        started = time.perf_counter()
        seed(n_programmes, n_orgs, name)
        log(f"seeded {n_programmes} programmes × {n_orgs} organisations in {time.perf_counter() - started:.1f}s")
        counter = StatementCounter(db.engine)
        selected = [j for j in registry.jobs() if j.name != "mail"]
        counter.active = True
        started = time.perf_counter()
        reports = [registry.run_job(j, NOW) for j in selected]
        elapsed = (time.perf_counter() - started) * 1000
        counter.active = False
        counter.remove()
        for report in reports:
            if report.error:
                log(f"job {report.job} failed:\n{report.error}")
        lines = sum(len(r.lines) for r in reports)
        log(f"{name}: {lines} things done by {', '.join(j.name for j in selected) or 'no jobs'}; "
            f"{mail.pending_count()} messages queued")
        return elapsed, len(counter.statements), lines


def measure_mail(app) -> float:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config.update({"MAIL_HOST": "127.0.0.1", "MAIL_PORT": controller.port, "MAIL_SECURITY": "none",
                           "MAIL_FROM": "noreply@bench.example", "MAIL_TIMEOUT_SECONDS": 10})
        with app.app_context():
            for n in range(MESSAGES):
                mail.queue(to=f"person{n}@bench.example", subject=f"Check-in reminder {n}",
                           text=f"Your check-in is on Friday.\nhttps://tracker.example.org/checkins/{n}\n",
                           html=f'<p>Your check-in is on Friday. <a href="https://tracker.example.org/checkins/{n}">'
                                "Open it</a></p>", sender_name="Bench programme", kind="bench", now=NOW)
            db.session.commit()
            started = time.perf_counter()
            (report,) = registry.run_due(NOW, only="mail")
            elapsed = time.perf_counter() - started
        if report.error or sink.count != MESSAGES:
            raise SystemExit(f"mail: {sink.count} of {MESSAGES} delivered; {report.error or report.lines}")
        return MESSAGES / elapsed
    finally:
        controller.stop()
        app.config["MAIL_HOST"] = None


def main() -> None:
    folder = tempfile.TemporaryDirectory(prefix="bench-scheduler-")
    print(f"run_due_jobs {','.join(j.name for j in registry.jobs() if j.name != 'mail') or '-'}")
    print(f"mail_per_s {measure_mail(make_app(folder.name, 'mail')):.0f}", flush=True)
    small_ms, small_queries, _ = measure_run_due(make_app(folder.name, "small"), 10, 10, "Small")
    wide_ms, wide_queries, _ = measure_run_due(make_app(folder.name, "wide"), 10, 30, "Wide")
    big_ms, big_queries, big_lines = measure_run_due(make_app(folder.name, "big"), 100, 10, "Big")
    print(f"run_due_ms {big_ms:.0f}")
    print(f"run_due_queries {big_queries}")
    print(f"run_due_queries_small {small_queries}")
    print(f"run_due_queries_wide {wide_queries}")
    print(f"run_due_things_done {big_lines}")
    print(f"run_due_ms_small {small_ms:.0f}")
    folder.cleanup()


if __name__ == "__main__":
    main()
