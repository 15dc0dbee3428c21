"""What the scheduler has done: one claim per thing done once, the last runs of each job, and the lease
that lets one scheduler process run at a time."""

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.db import utcnow
from tracker.extensions import db


class JobClaim(db.Model):
    """That ``job`` has done its work for ``subject`` at ``due`` (e.g. job "survey_reminders", subject
    "wave:12:organisation:3", due "2026-04-11"). The unique key makes a second claim fail in the database,
    whoever makes it and whenever, so a notice is written once. It is inserted in the same transaction as
    the work it stands for: if that work rolls back, so does the claim."""

    __tablename__ = "job_claim"
    __table_args__ = (UniqueConstraint("job", "subject", "due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(120))
    #: The due moment as text: a UK date ("2026-04-11"), a week ("2026-W15") or a UTC time.
    due: Mapped[str] = mapped_column(String(40))
    claimed_dt: Mapped[datetime] = mapped_column(default=utcnow)


class JobRun(db.Model):
    """One run of one job: when, for which moment, what it did, or the error that stopped it."""

    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(50), index=True)
    #: The moment the job ran for (``--now``, or the clock).
    moment_dt: Mapped[datetime]
    started_dt: Mapped[datetime] = mapped_column(default=utcnow)
    finished_dt: Mapped[datetime | None]
    #: One line per thing done ("Opened wave 2 of …"), or empty.
    summary: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")


class SchedulerLease(db.Model):
    """Who runs the scheduler now: the holder renews ``expires_dt`` with each heartbeat; another process
    takes over only once it has expired (on SQLite; on PostgreSQL an advisory lock decides and this row
    carries the heartbeat)."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    heartbeat_dt: Mapped[datetime] = mapped_column(default=utcnow)
    expires_dt: Mapped[datetime]
