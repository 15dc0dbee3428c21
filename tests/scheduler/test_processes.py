"""Two scheduler processes at once against one database, SQLite or PostgreSQL: the effect of one.

Each process is the real scheduler (:func:`tracker.scheduler.process.run`, ``tests/scheduler/run_scheduler.py``)
with the probe jobs and short timings; the test moves the jobs' clock through a quarter a week at a time.
"""

import signal
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.scheduler import probe_jobs
from tests.scheduler.helpers import scheduler_processes, wait_until
from tracker.extensions import db
from tracker.scheduler import leader
from tracker.scheduler.models import JobClaim


@pytest.fixture
def start(app, tmp_path):
    with scheduler_processes(app, tmp_path) as pair:
        yield pair


def claims(job: str) -> list[JobClaim]:
    return db.session.scalars(select(JobClaim).where(JobClaim.job == job).order_by(JobClaim.id)).all()


def days_done() -> set[str]:
    return {c.due for c in claims("probe")}


def pids_that_ran() -> set[int]:
    return {int(c.subject.removeprefix("pid:")) for c in claims("probe-run")}


def test_two_schedulers_run_a_quarter_once_and_the_second_takes_over_when_the_first_dies(start):
    set_clock, start_one = start
    moment = datetime.combine(probe_jobs.START, datetime.min.time()).replace(hour=9)
    set_clock(moment)
    first, _ = start_one("first")
    assert wait_until(lambda: (lease := leader.current()) is not None and lease.holder.startswith("first:"))
    assert wait_until(lambda: probe_jobs.START.isoformat() in days_done())
    second, second_log = start_one("second")
    assert wait_until(lambda: "is standing by" in second_log.read_text()), second_log.read_text()

    for week in range(1, 7):
        set_clock(moment + timedelta(weeks=week))
        day = (probe_jobs.START + timedelta(weeks=week)).isoformat()
        assert wait_until(lambda day=day: day in days_done()), f"week {week} not done"
    assert pids_that_ran() == {first.pid}, "only the lease holder runs jobs"

    first.send_signal(signal.SIGKILL)  # no clean stop: the lease must expire (SQLite) or the lock go (PostgreSQL)
    first.wait(10)
    for week in range(7, 14):
        set_clock(moment + timedelta(weeks=week))
        day = (probe_jobs.START + timedelta(weeks=week)).isoformat()
        assert wait_until(lambda day=day: day in days_done()), f"week {week} not done after the takeover"
    assert pids_that_ran() == {first.pid, second.pid}
    assert leader.current().holder.startswith("second:")

    # Every day of the quarter done once, each by one process and one job.
    expected = {(probe_jobs.START + timedelta(days=n)).isoformat() for n in range(13 * 7 + 1)}
    assert days_done() == expected
    by_day = [c.subject for c in claims("probe-by")]
    assert len(by_day) == len(set(by_day)) == len(expected)

    second.send_signal(signal.SIGTERM)  # a clean stop releases the lease at once
    assert second.wait(10) == 0
    db.session.rollback()
    lease = leader.current()
    assert lease.expires_dt <= lease.heartbeat_dt + timedelta(seconds=1)
