"""The self-assessment toolkit: toolkits of questions, assessments with evidence and judgements, reports."""

from flask import Blueprint

bp = Blueprint("assessments", __name__)

from tracker.assessments import models, views  # noqa: E402,F401
from tracker.assessments.services import sources_of_card  # noqa: E402
from tracker.board import sources  # noqa: E402

sources.register(sources_of_card)  # a card made from a key question says so under "Where this came from"
