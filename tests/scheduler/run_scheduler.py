"""A scheduler process for the tests: the real :func:`tracker.scheduler.process.run` with the probe jobs
and timings short enough to run a quarter in seconds.

``DATABASE_URL`` names the database; ``HOLDER`` names the process (its pid is added). With
``REAL_JOBS=1`` the app's own jobs run instead of the probes (all but the mail job), each at the test's
clock (:func:`tests.scheduler.probe_jobs.test_moment`) with :func:`tracker.core.clock.frozen` at that
moment, and every minute rather than every hour, so that a step of the clock is done in a fraction of a
second. Each run claims (``test-clock``, job, moment) and (``test-run``, ``pid:…``) in its transaction:
what the test waits for.
"""

import logging
import os
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.scheduler import probe_jobs  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.core import clock  # noqa: E402
from tracker.scheduler import claims, process, registry  # noqa: E402


def at_test_clock(job: registry.Job) -> registry.Job:
    """``job`` run at the test's clock, with the clock frozen there, recording the moment and the process."""
    def run_due(now: datetime) -> list[str]:
        moment = probe_jobs.test_moment(now)
        with clock.frozen(moment):
            lines = job.run_due(moment)
        claims.claim("test-clock", job.name, moment.isoformat())
        claims.claim("test-run", f"pid:{os.getpid()}", "ran")
        return lines

    return replace(job, run_due=run_due, every="minute")


def use_real_jobs() -> None:
    """The app's jobs but the mail job (with no ``MAIL_HOST`` it would only count the outbox), at the test's
    clock."""
    registry.JOB_MODULES = tuple(m for m in registry.JOB_MODULES if m != "tracker.scheduler.mail_job")
    for job in registry.jobs():
        registry._JOBS[job.name] = at_test_clock(job)
    registry._JOBS.pop("mail", None)


logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
logging.getLogger("apscheduler").setLevel(logging.WARNING)
app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
if os.environ.get("REAL_JOBS") == "1":
    use_real_jobs()
else:
    registry.JOB_MODULES = ()
    registry._JOBS.clear()
    probe_jobs.register()
process.run(app, holder=f"{os.environ['HOLDER']}:{os.getpid()}", poll_seconds=0.2, beat=timedelta(seconds=0.5),
            lease=timedelta(seconds=2), minute=timedelta(seconds=0.3), hourly={"second": "*"})
