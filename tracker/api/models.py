"""Personal API tokens: created and revoked by their owner, stored only as a hash."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.core import secrets
from tracker.core.db import utcnow
from tracker.extensions import db

#: Every token starts with this, so a leaked one is easy to recognise (and to search for in code).
TOKEN_PREFIX = "trk_"  # noqa: S105 - a public marker, not a secret
#: How many leading characters of a token the list shows (``trk_`` and four random characters).
SHOWN_CHARS = 8


def new_token() -> str:
    """A fresh token: ``trk_`` and 43 URL-safe random characters (256 bits)."""
    return secrets.new_token(TOKEN_PREFIX)


#: The SHA-256 of a token, as stored (``tracker.core.secrets``).
hash_token = secrets.token_hash


class ApiToken(db.Model):
    """A personal API token. It acts as its owner, with exactly the owner's current permissions."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: What the person called it ("Case-management export").
    name: Mapped[str] = mapped_column(String(100))
    #: SHA-256 hex of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the token, so the person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(SHOWN_CHARS))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    #: Written at most once a minute.
    last_used_dt: Mapped[datetime | None]
    revoked_dt: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_dt is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… of user {self.user_id}>"
