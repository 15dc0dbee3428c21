"""The self-assessment toolkit: toolkits of questions, assessments with evidence and judgements, reports."""

from flask import Blueprint

bp = Blueprint("assessments", __name__)
