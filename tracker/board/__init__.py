"""Action plans and the roadmap board: design opportunities, ideas, concepts, prototypes, quick wins."""

from flask import Blueprint

bp = Blueprint("board", __name__)

from tracker.board import views  # noqa: E402,F401
