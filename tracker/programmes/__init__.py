"""Programmes, participating organisations, people's roles and the programme's initiative tags."""

from flask import Blueprint

bp = Blueprint("programmes", __name__)

from tracker.programmes import views  # noqa: E402,F401
