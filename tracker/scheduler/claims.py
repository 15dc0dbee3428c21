"""Doing a thing once: a claim per (job, subject, due moment), made in the caller's transaction.

``if claim("survey_reminders", f"wave:{wave.id}:organisation:{org.id}", day.isoformat()): …send…`` — the
insert is ``ON CONFLICT DO NOTHING``, so the second caller (a second run, a second scheduler, a run for
the same moment after a restart) gets ``False`` and does nothing, even while the first one's transaction
is still open (it waits for it on both databases). Roll back and the claim goes with the work.
"""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db
from tracker.scheduler.models import JobClaim


def due_key(value: date | datetime | str) -> str:
    """A due moment as the claim stores it: a date as ``YYYY-MM-DD``, a time to the minute, text as is."""
    if isinstance(value, datetime):
        return value.replace(second=0, microsecond=0).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def claim(job: str, subject: str, due: date | datetime | str) -> bool:
    """Claim (job, subject, due) for the current transaction: ``True`` if this call made the claim, ``False``
    if it was made before (or is being made by another transaction, which this one waits for)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(JobClaim).values(job=job, subject=subject, due=due_key(due))
                 .on_conflict_do_nothing(index_elements=["job", "subject", "due"]).returning(JobClaim.id))
    return db.session.execute(statement).scalar() is not None


def claimed(job: str, subject: str, due: date | datetime | str) -> bool:
    """Whether (job, subject, due) has been claimed (for ``--dry-run`` reports; never to decide)."""
    return db.session.scalar(select(JobClaim.id).where(JobClaim.job == job, JobClaim.subject == subject,
                                                       JobClaim.due == due_key(due))) is not None
