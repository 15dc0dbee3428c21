"""Doing a thing once: a claim per (job, subject, due moment), made in the caller's transaction.

``if claim("survey_reminders", f"wave:{wave.id}:organisation:{org.id}", day.isoformat()): …send…`` — the
insert is ``ON CONFLICT DO NOTHING``, so the second caller (a second run, a second scheduler, a run for
the same moment after a restart) gets ``False`` and does nothing, even while the first one's transaction
is still open (it waits for it on both databases). Roll back and the claim goes with the work.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from sqlalchemy import select

from tracker.core.db import insert
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
    if it was made before (or is being made by another transaction, which this one waits for).

    Inside :func:`batched` the claim is decided against the claims committed when the batch began and those
    made in it, and written with the rest at the end."""
    key = (job, subject, due_key(due))
    held = _held.get()
    if held is not None:
        if key in held.made or held.committed(key):
            return False
        held.made.add(key)
        return True
    statement = _insert_once().values(job=key[0], subject=key[1], due=key[2]).returning(JobClaim.id)
    return db.session.execute(statement).scalar() is not None


def _insert_once():
    return insert(JobClaim).on_conflict_do_nothing(index_elements=["job", "subject", "due"])


class _Batch:
    def __init__(self):
        self.made: set[tuple[str, str, str]] = set()
        self._committed: dict[str, set[tuple[str, str]]] = {}

    def committed(self, key: tuple[str, str, str]) -> bool:
        """Whether ``key`` was claimed before the batch: each job's claims read once, at its first claim."""
        job, subject, due = key
        if job not in self._committed:
            self._committed[job] = {(subject_, due_) for subject_, due_ in db.session.execute(
                select(JobClaim.subject, JobClaim.due).where(JobClaim.job == job))}
        return (subject, due) in self._committed[job]


_held: ContextVar[_Batch | None] = ContextVar("claims_held", default=None)


@contextmanager
def batched() -> Iterator[None]:
    """Decide claims inside from what is already claimed, and write them at the end in one multi-row insert,
    so a job that does a hundred things makes one statement for their claims, not a hundred.

    For a job's own work only: the runner holds the job's lock (``registry._serialise``), so no other run
    of it claims meanwhile. Each job name's claims are read once, at its first claim."""
    token = _held.set(_Batch())
    try:
        yield
        rows = [{"job": job, "subject": subject, "due": due} for job, subject, due in _held.get().made]
        if rows:
            db.session.execute(_insert_once(), rows)
    finally:
        _held.reset(token)


def claimed(job: str, subject: str, due: date | datetime | str) -> bool:
    """Whether (job, subject, due) has been claimed (for ``--dry-run`` reports; never to decide)."""
    return db.session.scalar(select(JobClaim.id).where(JobClaim.job == job, JobClaim.subject == subject,
                                                       JobClaim.due == due_key(due))) is not None
