"""Insights: what discovery found, per organisation and theme, and the quick wins and ideas that answer it."""

from flask import Blueprint

bp = Blueprint("insights", __name__)
