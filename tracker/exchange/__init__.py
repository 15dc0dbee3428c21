"""Data in and out: the results tracker and the action plans as .xlsx and .csv, and indicator figures
imported from .csv or .xlsx with a preview before anything is written."""

from flask import Blueprint

bp = Blueprint("exchange", __name__)

from tracker.exchange import models, views  # noqa: E402,F401
