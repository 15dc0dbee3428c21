"""One scheduler at a time: the process that holds the lock runs the jobs; any other one stands by.

The jobs are idempotent, so two schedulers at once would do no harm to the data, but they would race for
every claim and double the load; and an administrator needs one heartbeat to read. So:

- **PostgreSQL**: a session-level advisory lock (``pg_try_advisory_lock``) taken on a connection of its
  own, kept open for the life of the process. The server releases it when that connection goes, however
  the process dies, so a second process takes over as soon as its next try succeeds.
- **SQLite**: a lease row in ``scheduler_lease``, renewed every :data:`BEAT` and taken over only once it
  has expired (:data:`LEASE` after the last renewal). Taking it is one conditional ``UPDATE`` (ours, or
  expired) or an ``INSERT … ON CONFLICT DO NOTHING``, in a ``BEGIN IMMEDIATE`` transaction, so of two
  processes trying at once exactly one wins.

Both write the heartbeat (holder, last beat) into ``scheduler_lease``, which the admin page reads.
"""

import contextlib
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta

from sqlalchemy import Connection, text, update
from sqlalchemy.dialects import postgresql, sqlite

from tracker.core.db import writer
from tracker.extensions import db
from tracker.scheduler.models import SchedulerLease

#: The lease's name: one scheduler for the whole app.
NAME = "scheduler"
#: How often the holder renews its lease (and writes its heartbeat).
BEAT = timedelta(seconds=30)
#: How long a lease lasts without renewal (three missed beats) before another process may take it.
LEASE = timedelta(seconds=90)

#: PostgreSQL: the advisory locks held by this process, on their own connections, by (name, holder).
_LOCKS: dict[tuple[str, str], Connection] = {}
_LOCKS_GUARD = threading.Lock()


def new_holder() -> str:
    """A name for this process that an administrator can find: host, process id and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def _dialect():
    return postgresql if _postgresql() else sqlite


def _beat(name: str, holder: str, now: datetime, lease: timedelta) -> None:
    """Write the heartbeat row, whoever held it before (PostgreSQL: the advisory lock has decided)."""
    statement = _dialect().insert(SchedulerLease).values(name=name, holder=holder, heartbeat_dt=now,
                                                          expires_dt=now + lease)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["name"], set_={"holder": holder, "heartbeat_dt": now, "expires_dt": now + lease}))


def acquire(name: str, holder: str, now: datetime, *, lease: timedelta = LEASE) -> bool:
    """Try to become the scheduler: ``True`` if ``holder`` now holds ``name`` (or already did)."""
    if _postgresql():
        return _acquire_lock(name, holder, now, lease)
    with writer():
        db.session.rollback()
        try:
            taken = db.session.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == name,
                       (SchedulerLease.holder == holder) | (SchedulerLease.expires_dt <= now))
                .values(holder=holder, heartbeat_dt=now, expires_dt=now + lease)
                .execution_options(synchronize_session=False)).rowcount == 1
            if not taken:
                inserted = db.session.execute(
                    sqlite.insert(SchedulerLease)
                    .values(name=name, holder=holder, heartbeat_dt=now, expires_dt=now + lease)
                    .on_conflict_do_nothing(index_elements=["name"]).returning(SchedulerLease.name)).scalar()
                taken = inserted is not None
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    return taken


def _acquire_lock(name: str, holder: str, now: datetime, lease: timedelta) -> bool:
    with _LOCKS_GUARD:
        if (name, holder) not in _LOCKS:
            connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            got = connection.execute(text("SELECT pg_try_advisory_lock(hashtext('tracker-scheduler'), hashtext(:n))"),
                                     {"n": name}).scalar()
            if not got:
                connection.close()
                return False
            _LOCKS[(name, holder)] = connection
    db.session.rollback()
    _beat(name, holder, now, lease)
    db.session.commit()
    return True


def renew(name: str, holder: str, now: datetime, *, lease: timedelta = LEASE) -> bool:
    """Renew the lease and write the heartbeat: ``False`` if ``holder`` no longer holds ``name`` (it was
    released, or it expired — another process may have taken it — or the lock's connection was lost), and
    must stop running jobs (it may stand by and try again).

    A database that is busy or away raises instead: that is not a lost lease, and the caller tries again
    at the next beat (the lease outlasts two missed beats)."""
    if _postgresql():
        connection = _LOCKS.get((name, holder))
        if connection is None:
            return False
        try:
            connection.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - whatever broke the connection, its lock is gone with it
            _drop(name, holder)
            return False
        db.session.rollback()
        _beat(name, holder, now, lease)
        db.session.commit()
        return True
    with writer():
        db.session.rollback()
        try:
            kept = db.session.execute(
                update(SchedulerLease).where(SchedulerLease.name == name, SchedulerLease.holder == holder,
                                             SchedulerLease.expires_dt > now)
                .values(heartbeat_dt=now, expires_dt=now + lease)
                .execution_options(synchronize_session=False)).rowcount == 1
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    return kept


def release(name: str, holder: str, now: datetime) -> None:
    """Give the lease up (a clean stop): another process may take over at once. The row stays, with its
    last heartbeat, for the admin page."""
    if _postgresql():
        connection = _LOCKS.get((name, holder))
        if connection is not None:
            with contextlib.suppress(Exception):  # a lost connection has released the lock already
                connection.execute(text("SELECT pg_advisory_unlock(hashtext('tracker-scheduler'), hashtext(:n))"),
                                   {"n": name})
            _drop(name, holder)
    with writer():
        db.session.rollback()
        db.session.execute(update(SchedulerLease).where(SchedulerLease.name == name, SchedulerLease.holder == holder)
                           .values(expires_dt=now).execution_options(synchronize_session=False))
        db.session.commit()


def _drop(name: str, holder: str) -> None:
    """Close the lock's connection for good (never back into the pool, where it would keep the lock)."""
    with _LOCKS_GUARD:
        connection = _LOCKS.pop((name, holder), None)
    if connection is not None:
        with contextlib.suppress(Exception):  # it is going either way
            connection.invalidate()
            connection.close()


def current(name: str = NAME) -> SchedulerLease | None:
    """The lease row: who beat last, and when."""
    return db.session.get(SchedulerLease, name)
