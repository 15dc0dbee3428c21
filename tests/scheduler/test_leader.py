"""One scheduler at a time: the lease (SQLite) and the advisory lock (PostgreSQL), called directly."""

from datetime import datetime, timedelta

import pytest

from tracker.extensions import db
from tracker.scheduler import leader

NOW = datetime(2026, 4, 1, 9, 0)
NAME = "test-scheduler"


@pytest.fixture
def dialect(app):
    name = db.engine.dialect.name
    yield name
    for key in list(leader._LOCKS):
        leader._drop(*key)


def test_one_holder_at_a_time_and_the_heartbeat_is_written(dialect):
    assert leader.acquire(NAME, "a", NOW)
    assert leader.acquire(NAME, "a", NOW + timedelta(seconds=1)), "the holder may take it again"
    assert not leader.acquire(NAME, "b", NOW + timedelta(seconds=2))
    assert leader.renew(NAME, "a", NOW + leader.BEAT)
    assert not leader.renew(NAME, "b", NOW + leader.BEAT)
    db.session.rollback()
    lease = leader.current(NAME)
    assert (lease.holder, lease.heartbeat_dt, lease.expires_dt) == ("a", NOW + leader.BEAT,
                                                                     NOW + leader.BEAT + leader.LEASE)


def test_a_release_lets_the_other_take_over_at_once(dialect):
    assert leader.acquire(NAME, "a", NOW)
    leader.release(NAME, "a", NOW + timedelta(seconds=5))
    assert not leader.renew(NAME, "a", NOW + timedelta(seconds=6))
    assert leader.acquire(NAME, "b", NOW + timedelta(seconds=6))
    assert not leader.acquire(NAME, "a", NOW + timedelta(seconds=7))
    db.session.rollback()
    assert leader.current(NAME).holder == "b"


def test_on_sqlite_an_expired_lease_is_taken_over_and_the_old_holder_finds_out(dialect):
    if dialect != "sqlite":
        pytest.skip("the lease decides on SQLite")
    assert leader.acquire(NAME, "a", NOW)
    assert not leader.acquire(NAME, "b", NOW + leader.LEASE - timedelta(seconds=1))
    assert leader.acquire(NAME, "b", NOW + leader.LEASE)
    assert not leader.renew(NAME, "a", NOW + leader.LEASE + timedelta(seconds=1)), "a must stop running jobs"
    assert leader.renew(NAME, "b", NOW + leader.LEASE + timedelta(seconds=1))


def test_on_postgresql_the_lock_decides_and_goes_with_its_connection(dialect):
    if dialect != "postgresql":
        pytest.skip("the advisory lock decides on PostgreSQL")
    assert leader.acquire(NAME, "a", NOW)
    # An old heartbeat does not hand the lock over: the holder is alive while its connection is.
    assert not leader.acquire(NAME, "b", NOW + leader.LEASE * 10)
    leader._LOCKS[(NAME, "a")].invalidate()  # the process died: the server drops its session and its lock
    assert leader.acquire(NAME, "b", NOW + leader.LEASE * 10)
    assert not leader.renew(NAME, "a", NOW + leader.LEASE * 10), "a must stop running jobs"
    assert leader.renew(NAME, "b", NOW + leader.LEASE * 11)
    db.session.rollback()
    assert leader.current(NAME).holder == "b"
