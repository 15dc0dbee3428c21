"""The scheduler process: APScheduler 3 calling :func:`tracker.scheduler.registry.run_due` on time.

``flask --app wsgi tracker scheduler`` runs :func:`run` (a ``BlockingScheduler``); in development, with
``TRACKER_SCHEDULER=1``, :func:`start_in_background` runs the same in a thread of ``flask run``.

- **Triggers**: jobs run "every minute" on an interval of one minute; the others on a cron trigger at
  minute 0 of each hour, in UTC (the UK's offsets are whole hours, so that is minute 0 in the UK too, and a
  clock change cannot skip or repeat an hour). Each trigger calls ``run_due(now, every=…)``.
- **Catch-up**: the job store is APScheduler's memory store — the app's tables are the record of what is
  due, so there is no job-store table — and a memory store forgets what fell due while the process was
  down. So every job is first run at start, for the present: the jobs look at what is due by now and
  not yet done, so one run does everything missed once.
- **Late runs**: ``misfire_grace_time=None`` runs a job however late its turn comes (a busy database, a
  suspended machine), and ``coalesce=True`` makes several missed turns one run; ``max_instances=1``
  never runs a job beside itself. The jobs run one at a time in one worker thread (on SQLite they would
  only queue for the write lock); the heartbeat has a thread of its own, so a long job cannot stop it.
- **One at a time** (:mod:`tracker.scheduler.leader`): the process waits until it holds the lease, then
  runs; if it ever finds the lease taken by another, it stops the jobs and stands by again.
"""

import atexit
import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import click
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from flask.helpers import get_debug_flag

from tracker.core.db import utcnow
from tracker.extensions import db
from tracker.scheduler import leader, registry

log = logging.getLogger("tracker.scheduler")

#: While standing by, how often to try for the lease.
POLL_SECONDS = 5.0


class Runner:
    """One scheduler process's life: stand by until it holds the lease, run the jobs, stand by again if
    the lease is lost, until :meth:`stop`.

    The timings are parameters so that tests can run a quarter in seconds; ``minute`` is the interval of
    the "every minute" jobs and ``hourly`` the cron trigger's fields of the others.
    """

    def __init__(self, app: Flask, *, holder: str | None = None, name: str = leader.NAME,
                 poll_seconds: float = POLL_SECONDS, beat: timedelta = leader.BEAT, lease: timedelta = leader.LEASE,
                 minute: timedelta = timedelta(minutes=1), hourly: dict | None = None,
                 clock: Callable[[], datetime] = utcnow):
        self.app = app
        self.holder = holder or leader.new_holder()
        self.name = name
        self.poll_seconds = poll_seconds
        self.beat = beat
        self.lease = lease
        self.minute = minute
        self.hourly = hourly if hourly is not None else {"minute": 0}
        self.clock = clock
        self.scheduler: BaseScheduler | None = None
        self._stopping = threading.Event()
        self._lost = threading.Event()

    # --- leadership ------------------------------------------------------------------------------

    def wait_for_lease(self) -> bool:
        """Poll until this process holds the lease (``True``) or is told to stop (``False``)."""
        said = False
        while not self._stopping.is_set():
            try:
                with self.app.app_context():
                    if leader.acquire(self.name, self.holder, self.clock(), lease=self.lease):
                        log.info("scheduler %s holds the lease and runs the jobs", self.holder)
                        return True
                    if not said:
                        lease = leader.current(self.name)
                        log.info("scheduler %s is standing by: %s runs the jobs", self.holder,
                                 lease.holder if lease else "another process")
                        said = True
            except Exception:  # noqa: BLE001 - a database that is away now may be back at the next try
                log.exception("scheduler %s could not reach the database; trying again", self.holder)
            self._stopping.wait(self.poll_seconds)
        return False

    def heartbeat(self) -> None:
        """Renew the lease; on finding it lost, stop the jobs (another process runs them now)."""
        try:
            with self.app.app_context():
                kept = leader.renew(self.name, self.holder, self.clock(), lease=self.lease)
        except Exception:  # noqa: BLE001 - busy or away: not lost; the lease outlasts a missed beat
            log.exception("scheduler %s could not renew its lease; trying again at the next beat", self.holder)
            return
        if not kept:
            log.warning("scheduler %s lost its lease to another process; standing by", self.holder)
            self._lost.set()
            self._shutdown()

    # --- the jobs --------------------------------------------------------------------------------

    def run_jobs(self, every: str) -> None:
        """One trigger's turn: run the jobs of ``every`` for the present, unless the lease is lost."""
        if self._lost.is_set() or self._stopping.is_set():
            return
        with self.app.app_context():
            try:
                for report in registry.run_due(self.clock(), every=every, freeze=False):
                    if report.error:
                        log.error("job %s failed:\n%s", report.job, report.error)
                    for line in report.lines:
                        log.info("%s: %s", report.job, line)
            finally:
                db.session.remove()

    def build(self, scheduler_class: type[BaseScheduler]) -> BaseScheduler:
        """The scheduler, its two triggers and the heartbeat; every job due at once (catch-up)."""
        scheduler = scheduler_class(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(1), "heartbeat": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
        start = datetime.now(UTC)
        # Ids sort "every-hour" before "every-minute": at start the hourly jobs queue first, so the mail
        # job (every minute) sends what they wrote at once.
        scheduler.add_job(self.run_jobs, CronTrigger(timezone=UTC, **self.hourly), args=["hour"],
                          id="every-hour", name="jobs run every hour", next_run_time=start)
        scheduler.add_job(self.run_jobs, IntervalTrigger(seconds=self.minute.total_seconds(), timezone=UTC),
                          args=["minute"], id="every-minute", name="jobs run every minute", next_run_time=start)
        scheduler.add_job(self.heartbeat, IntervalTrigger(seconds=self.beat.total_seconds(), timezone=UTC),
                          id="heartbeat", name="heartbeat", executor="heartbeat")
        return scheduler

    # --- the process -----------------------------------------------------------------------------

    def run(self) -> None:
        """Run in this thread until :meth:`stop` (``flask tracker scheduler``)."""
        while self.wait_for_lease():
            self._lost.clear()
            self.scheduler = self.build(BlockingScheduler)
            try:
                self.scheduler.start()  # returns once shut down: lost lease or stop
            finally:
                self.scheduler = None
                self._release()

    def run_in_background(self) -> threading.Thread:
        """The same in a daemon thread, with a ``BackgroundScheduler`` (development: inside ``flask run``)."""

        def life():
            while self.wait_for_lease():
                self._lost.clear()
                self.scheduler = self.build(BackgroundScheduler)
                self.scheduler.start()
                while not (self._lost.is_set() or self._stopping.is_set()):
                    self._stopping.wait(1)
                self._shutdown()
                self.scheduler = None
                self._release()

        thread = threading.Thread(target=life, name="tracker-scheduler", daemon=True)
        thread.start()
        return thread

    def stop(self, *_signal) -> None:
        """Stop after the running job (a signal handler, or tests)."""
        self._stopping.set()
        self._shutdown()

    def _shutdown(self) -> None:
        scheduler = self.scheduler
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)

    def _release(self) -> None:
        try:
            with self.app.app_context():
                leader.release(self.name, self.holder, self.clock())
        except Exception:  # noqa: BLE001 - the lease then simply expires
            log.exception("scheduler %s could not release its lease", self.holder)


def run(app: Flask, **options) -> None:
    """``flask tracker scheduler``: stop cleanly on SIGTERM (systemd, docker stop) and Ctrl-C, releasing
    the lease so that a standby process takes over at once."""
    runner = Runner(app, **options)
    signal.signal(signal.SIGTERM, runner.stop)
    signal.signal(signal.SIGINT, runner.stop)
    runner.run()


def start_in_background(app: Flask) -> Runner | None:
    """Development only: run the scheduler inside ``flask run`` when ``TRACKER_SCHEDULER=1``.

    Only in the development server's serving process: ``flask run`` (its click context), and with the
    reloader only in its child (``WERKZEUG_RUN_MAIN``), since the watcher process loads the app too and
    would be a second scheduler. Never in other commands, nor in gunicorn workers, which would each run
    a scheduler (the lease would keep all but one standing by, each polling the database).
    """
    if os.environ.get("TRACKER_SCHEDULER") != "1":
        return None
    context = click.get_current_context(silent=True)
    if context is None or context.command.name != "run":
        return None
    reloading = context.params.get("reload")
    if reloading is None:
        reloading = get_debug_flag()
    if reloading and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None
    runner = Runner(app)
    runner.run_in_background()
    atexit.register(runner.stop)
    return runner
