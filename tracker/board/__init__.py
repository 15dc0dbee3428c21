"""Action plans and the roadmap board: design opportunities, ideas, concepts, prototypes, quick wins."""

from flask import Blueprint

bp = Blueprint("board", __name__)

from tracker.board import history, views  # noqa: E402,F401

bp.add_app_template_filter(history.describe, "describe_event")
