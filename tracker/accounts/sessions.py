"""Server-side sign-in sessions.

Flask's session cookie is only a signed envelope: it carries a random token, and the ``UserSession``
row for that token decides whether the person is signed in. Each request checks the row, the idle and
absolute timeouts and the account's ``is_active`` flag.
"""

from datetime import timedelta

from flask import current_app, g, session
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from tracker.accounts.models import User, UserSession
from tracker.core import secrets
from tracker.core.db import utcnow
from tracker.extensions import db

#: ``last_seen_dt`` is written at most this often, so reading pages does not write on every request.
TOUCH_EVERY = timedelta(minutes=1)


_hash = secrets.token_hash


def start(user: User) -> None:
    """Sign ``user`` in: a fresh cookie (new session id) pointing at a new server-side session."""
    previous = session.get("sid")
    if previous:  # signing in again ends the session this browser had
        db.session.execute(
            update(UserSession).where(UserSession.token_hash == _hash(previous)).values(ended_dt=utcnow()))
    token = secrets.new_token()
    db.session.add(UserSession(token_hash=_hash(token), user=user))
    session.clear()
    session["sid"] = token
    session.permanent = True
    g.user = user


def end_current() -> None:
    """Sign out this browser."""
    token = session.get("sid")
    if token:
        db.session.execute(
            update(UserSession).where(UserSession.token_hash == _hash(token)).values(ended_dt=utcnow())
        )
    session.clear()
    g.user = None


def end_all(user: User) -> int:
    """End every session of ``user`` (administrator's "end sessions", disabling an account)."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_dt.is_(None))
        .values(ended_dt=utcnow())
    )
    return result.rowcount


def load_current_user() -> User | None:
    """The signed-in user for this request, or ``None``; stale cookies are cleared."""
    token = session.get("sid")
    if not token:
        return None
    row = db.session.execute(
        select(UserSession, User)
        .join(User, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _hash(token))
    ).first()
    now = utcnow()
    config = current_app.config
    if (
        row is None
        or row.UserSession.ended_dt is not None
        or not row.User.is_active
        or now - row.UserSession.last_seen_dt > config["SESSION_IDLE_TIMEOUT"]
        or now - row.UserSession.created_dt > config["SESSION_ABSOLUTE_TIMEOUT"]
    ):
        session.clear()
        return None
    if now - row.UserSession.last_seen_dt > TOUCH_EVERY:
        _touch(row.UserSession.id, now)
    return row.User


def _touch(session_id: int, now) -> None:
    """Record activity, at most once a minute, in a transaction of its own that ends before the view runs.

    Reading a page must not need a write lock for the rest of its request: on SQLite a read transaction
    that later writes fails under concurrent writers, and this write would otherwise ride on the view's
    next flush. It is best effort: a page never fails for a last-seen time.
    """
    db.session.rollback()
    try:
        db.session.execute(update(UserSession).where(UserSession.id == session_id,
                                                     UserSession.last_seen_dt < now - TOUCH_EVERY)
                           .values(last_seen_dt=now).execution_options(synchronize_session=False))
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
