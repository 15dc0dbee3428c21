"""Bearer-token authentication for the API.

Every API request is authenticated by its ``Authorization: Bearer <token>`` header alone. The app's
``before_request`` has already loaded ``g.user`` from the session cookie; for API requests that is
thrown away and replaced by the token's owner (or nobody), so a browser's cookie never authenticates
an API call (and so cross-site requests riding on a cookie get nowhere, which is why the API blueprint
is exempt from CSRF).
"""

from flask import g, request
from sqlalchemy import or_, update
from sqlalchemy.exc import SQLAlchemyError

from tracker.api import services
from tracker.api.errors import json_error
from tracker.api.models import ApiToken
from tracker.core.db import utcnow
from tracker.extensions import db

#: Endpoints that need no token (the API description).
PUBLIC_ENDPOINTS = frozenset({"api.openapi"})


def bearer_token() -> str | None:
    """The token from ``Authorization: Bearer <token>``, or ``None``."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def unauthorized(message: str):
    return json_error(401, message)


def authenticate_request():
    """``before_request`` of the API blueprint: ``g.user`` becomes the token's owner, or the request is
    refused with 401."""
    # Forget whatever the cookie said, and any write the cookie's session check queued.
    g.user = None
    g.api_token = None
    g.pop("memberships", None)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    token = bearer_token()
    if token is None:
        return unauthorized("Authentication required: send a personal API token as 'Authorization: Bearer "
                            "<token>'. Create one on the API tokens page.")
    row = services.authenticate(token)
    if row is None:
        return unauthorized("The API token is not valid: it may have been revoked, or its account disabled")
    if services.needs_touch(row):
        _touch(row.id)  # ends the transaction, so ``row`` is reloaded (and checked again) below
        if row.revoked_dt is not None or not row.user.is_active:  # pragma: no cover - revoked meanwhile
            return unauthorized("The API token is not valid: it may have been revoked, or its account disabled")
    g.api_token = row
    g.user = row.user
    return None


def _touch(token_id: int) -> None:
    """Record when the token was last used, at most once a minute; best effort, in its own transaction
    (on SQLite a read transaction that then writes can fail under concurrent writers)."""
    now = utcnow()
    db.session.rollback()
    try:
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id,
                   or_(ApiToken.last_used_dt.is_(None), ApiToken.last_used_dt <= now - services.TOUCH_EVERY))
            .values(last_used_dt=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except SQLAlchemyError:  # never refuse a request for a last-used time
        db.session.rollback()
