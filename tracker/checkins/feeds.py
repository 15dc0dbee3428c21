"""A person's secret calendar address for a programme, stored hashed like every secret in a URL.

The address is shown once, when it is made; making it again (a reset) replaces the stored hash, so the
old address is a 404 from then on. Whoever holds the address gets what its owner may see now: the feed
is built from the owner's current role at every request, and is a 404 once they leave the programme or
their account is disabled.
"""

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.checkins.models import CalendarFeed
from tracker.core import secrets
from tracker.core.db import insert, utcnow
from tracker.extensions import db
from tracker.programmes.models import Programme
from tracker.programmes.permissions import can_view_programme

#: A token is 43 characters; anything much longer is not one (and is not worth hashing).
MAX_TOKEN_LENGTH = 100


def feed_of(user: User, programme: Programme) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id,
                                                        CalendarFeed.programme_id == programme.id))


def reset(user: User, programme: Programme) -> str:
    """A new secret address for ``user``'s calendar of ``programme``, replacing any earlier one; returns the
    token, which is not stored: show it now.

    One statement (insert, or on conflict replace the hash), so two resets at once leave one address
    that works, the later one, and never fail on the unique (user, programme).
    """
    token = secrets.new_token()
    now = utcnow()
    statement = insert(CalendarFeed).values(user_id=user.id, programme_id=programme.id,
                                                    token_hash=secrets.token_hash(token), created_dt=now)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "programme_id"],
        set_={"token_hash": statement.excluded.token_hash, "created_dt": statement.excluded.created_dt}))
    db.session.expire_all()
    return token


def find(token: str) -> CalendarFeed | None:
    """The feed this token opens, if its owner's account is active and still has a role in the programme."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == secrets.token_hash(token)))
    if feed is None or not secrets.same(feed.token_hash, secrets.token_hash(token)):
        return None
    if not feed.user.is_active or not can_view_programme(feed.user, feed.programme):
        return None
    return feed
