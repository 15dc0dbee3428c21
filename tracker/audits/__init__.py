"""The case file audit: scoring templates, audits of an organisation's case files, and their results."""

from flask import Blueprint

bp = Blueprint("audits", __name__)

from tracker.audits import models, sources, views  # noqa: E402,F401
