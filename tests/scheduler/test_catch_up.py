"""Catch-up: a scheduler that starts late does what fell due meanwhile once, not once per missed turn."""

import time
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.scheduler.helpers import wait_until
from tracker.core import clock
from tracker.extensions import db
from tracker.scheduler import claims, process, registry
from tracker.scheduler.models import JobClaim, JobRun

START = date(2026, 3, 23)
WEEK_LATE = datetime(2026, 3, 30, 8, 0)  # UTC; the clocks went forward on 29 March


@pytest.fixture
def notices(monkeypatch):
    """A daily notice job, as the real ones are: everything due by now and not yet done, each once."""
    monkeypatch.setattr(registry, "_JOBS", {})
    monkeypatch.setattr(registry, "JOB_MODULES", ())

    @registry.job("notices", every="hour")
    def notices_due(now):
        today, day, done = clock.uk_date_of(now.replace(tzinfo=clock.UTC)), START, []
        while day <= today:
            if claims.claim("notice", "programme:1", day):
                done.append(f"Notice of {day.isoformat()}")
            day += timedelta(days=1)
        return done

    @registry.job("ticks", every="minute")
    def ticks(now):
        return ["tick"]


def runs(job: str) -> int:
    return db.session.scalar(select(func.count()).select_from(JobRun).where(JobRun.job == job))


def test_a_scheduler_started_a_week_late_sends_each_missed_notice_once(app, notices):
    runner = process.Runner(app, clock=lambda: WEEK_LATE, hourly={"year": 2099})  # no hourly turn in the test
    runner.run_in_background()
    try:
        assert wait_until(lambda: runs("notices") == 1 and runs("ticks") == 1)
    finally:
        runner.stop()
    (run,) = db.session.scalars(select(JobRun).where(JobRun.job == "notices")).all()
    assert run.moment_dt == WEEK_LATE and not run.error
    assert run.summary.splitlines() == [f"Notice of {START + timedelta(days=n)}" for n in range(8)]
    assert db.session.scalar(select(func.count()).select_from(JobClaim)) == 8

    again = process.Runner(app, clock=lambda: WEEK_LATE + timedelta(hours=1), hourly={"year": 2099})
    again.run_in_background()
    try:
        assert wait_until(lambda: runs("notices") == 2)
    finally:
        again.stop()
    assert db.session.scalar(select(func.count()).select_from(JobClaim)) == 8, "nothing sent twice"


def test_the_triggers_coalesce_missed_turns_into_one_run_however_late(app, notices):
    """With APScheduler's defaults (grace 1 s, no coalescing) a stalled scheduler would skip its turns, or
    run once per missed turn; these settings run once."""
    runner = process.Runner(app, minute=timedelta(seconds=3), hourly={"year": 2099})
    scheduler = runner.build(process.BackgroundScheduler)
    scheduler.start(paused=True)  # as if the process stalled: the turns at 0 s (start) and 3 s go by
    try:
        for job_ in scheduler.get_jobs():
            assert (job_.coalesce, job_.max_instances, job_.misfire_grace_time) == (True, 1, None)
        time.sleep(3.5)
        scheduler.resume()
        assert wait_until(lambda: runs("ticks") >= 1, timeout=2)
        scheduler.pause()  # before the next turn (at 6 s) can come round on a slow machine
        time.sleep(0.3)
        db.session.rollback()
        assert runs("ticks") == 1 and runs("notices") == 1
    finally:
        scheduler.shutdown(wait=True)
