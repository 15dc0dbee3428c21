"""People and their sign-in sessions."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.db import utcnow
from tracker.extensions import db


class User(db.Model):
    """A person with an account. Roles in programmes are held by ``Membership``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case; the sign-in name.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Site administrators manage accounts.
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: May create new programmes (and so becomes their first facilitator).
    is_facilitator: Mapped[bool] = mapped_column(default=False)
    #: A disabled account cannot sign in and its sessions stop working.
    is_active: Mapped[bool] = mapped_column(default=True)
    #: The Monday email of the person's actions due that week and overdue (they can turn it off).
    email_digest: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: Notices that are not essential (figures due, results ready …): "stop sending me these" turns them off.
    email_notices: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: "cy" or "en": the language the person chose (the switch, an administrator, ``create-user --language``);
    #: ``None`` until then, when pages follow the browser and emails are in both languages.
    language: Mapped[str | None] = mapped_column(String(2))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    sessions: Mapped[list["UserSession"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split() if part).upper()[:3]

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserSession(db.Model):
    """A signed-in browser. The cookie holds only a random token; its hash is stored here, so ending
    this row (sign-out, disabling the account, "end sessions") takes effect on the next request."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_dt: Mapped[datetime] = mapped_column(default=utcnow)
    ended_dt: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="sessions")


class LoginFailure(db.Model):
    """One failed sign-in, kept for the throttling window."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The email address as typed, lower-cased (it may not be an account).
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at_dt: Mapped[datetime] = mapped_column(default=utcnow, index=True)
