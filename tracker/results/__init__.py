"""The results tracker: objectives → outcomes → indicators and outputs, figures per organisation and
reporting period, "across all organisations" totals, progress against target, data in and out."""

from flask import Blueprint

bp = Blueprint("results", __name__)

from tracker.results import table_cache, versions, views  # noqa: E402,F401 - versions registers its flush hook
