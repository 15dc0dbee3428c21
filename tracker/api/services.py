"""Rules for personal API tokens: create, revoke, authenticate. Services flush; the caller commits."""

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from tracker.accounts.models import User
from tracker.api.models import SHOWN_CHARS, TOKEN_PREFIX, ApiToken, hash_token, new_token
from tracker.core.db import utcnow
from tracker.extensions import db

#: ``last_used_dt`` is written at most this often.
TOUCH_EVERY = timedelta(minutes=1)
#: Active tokens a person may hold at once.
MAX_ACTIVE_TOKENS = 20
MAX_NAME_LENGTH = 100


class TokenError(ValueError):
    """A rule was broken; the message is shown to the user."""


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``. Returns the row and the token itself, which is never stored: show it
    once, now.

    :raises TokenError: no name, a name too long, or too many active tokens.
    """
    name = (name or "").strip()
    if not name:
        raise TokenError(_("Enter a name for the token"))
    if len(name) > MAX_NAME_LENGTH:
        raise TokenError(_("The name must be %(n)s characters or fewer", n=MAX_NAME_LENGTH))
    if active_count(user) >= MAX_ACTIVE_TOKENS:
        raise TokenError(_("You already have %(n)s API tokens. Revoke one you no longer use first.",
                           n=MAX_ACTIVE_TOKENS))
    token = new_token()
    row = ApiToken(user=user, name=name, token_hash=hash_token(token), prefix=token[:SHOWN_CHARS])
    db.session.add(row)
    db.session.flush()
    return row, token


def active_count(user: User) -> int:
    return db.session.scalar(select(func.count(ApiToken.id)).where(
        ApiToken.user_id == user.id, ApiToken.revoked_dt.is_(None))) or 0


def user_tokens(user: User) -> list[ApiToken]:
    """The person's tokens, active first, newest first."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.revoked_dt.is_not(None), ApiToken.created_dt.desc(),
                                             ApiToken.id.desc())))


def own_token(user: User, token_id: int) -> ApiToken | None:
    """The token with this id if it is ``user``'s own, else ``None`` (another person's token does not exist)."""
    return db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))


def revoke_token(token: ApiToken) -> bool:
    """Revoke a token; it stops working on the next request. Returns whether it was active."""
    if token.revoked_dt is not None:
        return False
    token.revoked_dt = utcnow()
    db.session.flush()
    return True


def revoke_all(user: User) -> int:
    """Revoke every active token of ``user`` (e.g. when an administrator disables the account)."""
    result = db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_dt.is_(None))
                                .values(revoked_dt=utcnow()))
    return result.rowcount


def authenticate(token: str) -> ApiToken | None:
    """The active token for this bearer value whose owner's account is active, else ``None``."""
    token = (token or "").strip()
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                             .where(ApiToken.token_hash == hash_token(token))).first()
    if row is None or row.ApiToken.revoked_dt is not None or not row.User.is_active:
        return None
    return row.ApiToken


def needs_touch(token: ApiToken) -> bool:
    return token.last_used_dt is None or utcnow() - token.last_used_dt >= TOUCH_EVERY
