"""The JSON API under ``/api/v1``, for councils' case-management systems and scripts.

Requests authenticate with a personal API token (``Authorization: Bearer trk_…``), never a cookie, and
act with the token owner's permissions. ``tracker.api.tokens`` holds the pages where people create and
revoke their tokens (a separate blueprint, so CSRF protection applies there).
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from tracker.api import views  # noqa: E402,F401
