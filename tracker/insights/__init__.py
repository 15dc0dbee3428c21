"""Insights: what discovery found, per organisation and theme, and the quick wins and ideas that answer it."""

from flask import Blueprint

bp = Blueprint("insights", __name__)

from tracker.insights import models, sources, views  # noqa: E402,F401  (the models, the card page's provider, routes)
