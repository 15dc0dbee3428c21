"""The jobs, and running them for a moment.

A job is a plain function ``run_due(now) -> list[str]``: given a moment (UTC, naive), it does whatever is
due then and has not been done — each thing guarded by a claim (:mod:`tracker.scheduler.claims`) or a
unique key of the app's own tables — and returns one line per thing it did. It never commits: the runner
commits each job's work in one transaction (or rolls it back for ``--dry-run``), so its state and the
emails it queued are written together or not at all.

Capabilities register their jobs here with :func:`job` in a ``jobs`` module of their own, listed in
:data:`JOB_MODULES`.
"""

import importlib
import traceback
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text

from tracker.core import clock, mail
from tracker.core.db import utcnow, writer
from tracker.extensions import db
from tracker.scheduler import claims
from tracker.scheduler.models import JobRun

#: The modules whose jobs run, in this order (mail last, so that what the others queued goes out at once).
JOB_MODULES: tuple[str, ...] = ("tracker.surveys.jobs", "tracker.checkins.jobs", "tracker.results.jobs",
                                 "tracker.board.jobs", "tracker.scheduler.mail_job")

#: How often a job runs in the scheduler: "minute" (every minute) or "hour" (at the start of each hour).
EVERY = ("minute", "hour")


@dataclass(frozen=True)
class Job:
    name: str
    run_due: Callable[[datetime], list[str]]
    every: str
    #: Whether ``--dry-run`` may run it (and roll it back): not for a job with effects outside the
    #: database, such as sending mail.
    dry_run_safe: bool = True
    #: What it does, in words, for the administrators' page (the name is for commands and logs).
    label: str = ""


_JOBS: dict[str, Job] = {}


def job(name: str, *, every: str = "hour", dry_run_safe: bool = True, label: str = ""):
    """Register ``run_due(now) -> list[str]`` as the job ``name``, described by ``label`` (a lazy string)."""
    if every not in EVERY:
        raise ValueError(f"every must be one of {EVERY}")

    def register(function):
        _JOBS[name] = Job(name, function, every, dry_run_safe, label)
        return function

    return register


def jobs() -> list[Job]:
    """Every registered job, in :data:`JOB_MODULES` order."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    return list(_JOBS.values())


@dataclass
class Report:
    job: str
    lines: list[str] = field(default_factory=list)
    error: str = ""
    skipped: bool = False


def _serialise(name: str) -> None:
    """Hold the job's lock until the transaction ends: two runs of one job at once take turns (PostgreSQL's
    transaction-level advisory lock; on SQLite the transaction began with ``BEGIN IMMEDIATE``)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('tracker-job'), hashtext(:name))"),
                           {"name": name})


def run_job(job_: Job, now: datetime, *, dry_run: bool = False, freeze: bool = True) -> Report:
    """Run one job for ``now`` in a transaction of its own; record the run (not for a dry run).

    With ``freeze`` the clock (``tracker.core.clock``) stands at ``now`` while the job runs, so every rule
    it calls sees that moment (``--now`` and the tests). The scheduler process runs jobs for the present
    and does not freeze: the clock is the process's, and in development it shares the process with the
    web server.
    """
    report = Report(job_.name)
    if dry_run and not job_.dry_run_safe:
        report.skipped = True
        return report
    started = utcnow()
    with writer(), (clock.frozen(now) if freeze else nullcontext()):
        db.session.rollback()
        try:
            _serialise(job_.name)
            with claims.batched(), mail.batched():  # one multi-row insert each, whatever the job did
                report.lines = list(job_.run_due(now) or [])
            if dry_run:
                db.session.rollback()
                return report
            db.session.commit()
        except Exception:  # noqa: BLE001 - a failing job is recorded and must not stop the others
            db.session.rollback()
            report.error = traceback.format_exc(limit=8)
        if not dry_run:
            db.session.add(JobRun(job=job_.name, moment_dt=now, started_dt=started, finished_dt=utcnow(),
                                  summary="\n".join(report.lines), error=report.error))
            db.session.commit()
    return report


def run_due(now: datetime, *, dry_run: bool = False, only: str | None = None, every: str | None = None,
            freeze: bool = True) -> list[Report]:
    """Run every job (or ``only`` that one, or those run ``every`` minute or hour) for the moment ``now``
    (naive UTC)."""
    selected = [j for j in jobs() if (only is None or j.name == only) and (every is None or j.every == every)]
    if only is not None and not selected:
        raise KeyError(only)
    return [run_job(j, now, dry_run=dry_run, freeze=freeze) for j in selected]
