"""Account rules: creating people, checking passwords, enabling and disabling accounts."""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.accounts import sessions
from tracker.accounts.models import User
from tracker.core import i18n
from tracker.extensions import db

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A rule about accounts was broken; the message is shown to the user."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(email: str, name: str, password: str, *, is_admin: bool = False,
                is_facilitator: bool = False, language: str | None = None) -> User:
    """Create an account.

    :raises AccountError: the name is blank (or only spaces) or longer than 120 characters, the email is
        taken or the password is too short.
    """
    if not name.strip():
        raise AccountError(_("Enter the person's full name"))
    if len(name.strip()) > 120:
        raise AccountError(_("Full name must be 120 characters or fewer"))
    email = normalise_email(email)
    if find_by_email(email):
        raise AccountError(_("An account with the email address %(email)s already exists", email=email))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("Password must be %(n)s characters or more", n=MIN_PASSWORD_LENGTH))
    user = User(email=email, name=name.strip(), password_hash=hash_password(password),
                is_admin=is_admin, is_facilitator=is_facilitator, language=i18n.valid(language))
    db.session.add(user)
    db.session.flush()
    return user


_DUMMY_HASH: str | None = None


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or ``None``.

    An unknown email still costs one hash check, so timing does not reveal which emails have accounts.
    """
    global _DUMMY_HASH
    user = find_by_email(email)
    if user is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password("not-a-real-password")
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user


def update_user(user: User, *, name: str, is_admin: bool, is_facilitator: bool, is_active: bool,
                acting: User, language: str | None = None) -> None:
    """Change an account's details; disabling it ends its sessions at once.

    :raises AccountError: an administrator tried to disable or demote themselves.
    """
    if user.id == acting.id and (not is_active or not is_admin):
        raise AccountError(_("You cannot disable your own account or remove your own administrator role"))
    user.name = name.strip()
    user.language = i18n.valid(language)
    user.is_admin = is_admin
    user.is_facilitator = is_facilitator
    if user.is_active and not is_active:
        sessions.end_all(user)
    user.is_active = is_active


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("Password must be %(n)s characters or more", n=MIN_PASSWORD_LENGTH))
    user.password_hash = hash_password(password)
    sessions.end_all(user)
