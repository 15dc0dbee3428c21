"""Sign-in throttling that an attacker cannot use to lock a real person out.

Failures are counted per (account, address) and per address within a window. A flood of wrong
passwords for someone's account from one address blocks that address only: the real person, from
their own address, can still sign in. The address is the connecting peer unless ``TRUSTED_PROXIES``
says how many proxies' ``X-Forwarded-For`` entries to believe (applied by ``ProxyFix`` at start-up),
so a spoofed header changes nothing.
"""

from flask import current_app, request
from sqlalchemy import delete, func, select

from tracker.accounts.models import LoginFailure
from tracker.core.db import utcnow
from tracker.extensions import db


def client_address() -> str:
    return request.remote_addr or "unknown"


def is_blocked(email: str, address: str) -> bool:
    """Whether this attempt must be refused before the password is even checked."""
    config = current_app.config
    since = utcnow() - config["LOGIN_FAILURE_WINDOW"]
    per_pair, per_address = db.session.execute(
        select(
            func.count().filter(LoginFailure.email == email),
            func.count(),
        ).where(LoginFailure.address == address, LoginFailure.at_dt >= since)
    ).one()
    return (
        per_pair >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or per_address >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )


def record_failure(email: str, address: str) -> None:
    db.session.add(LoginFailure(email=email, address=address))
    # Old rows are no longer counted; drop them as we go.
    cutoff = utcnow() - current_app.config["LOGIN_FAILURE_WINDOW"]
    db.session.execute(delete(LoginFailure).where(LoginFailure.at_dt < cutoff))


def clear(email: str, address: str) -> None:
    """A successful sign-in clears that pair's failures."""
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.address == address)
    )
