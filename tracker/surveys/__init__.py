"""Staff pulse surveys: the survey and its questions, waves, invitations by one-use link or a shared link,
the anonymous answering pages, and results that never show a group below the programme's minimum."""

from flask import Blueprint

bp = Blueprint("surveys", __name__)

from tracker.surveys import (  # noqa: E402,F401  (the views register their routes on bp, jobs its job)
    jobs,
    models,
    question_versions,  # noqa: E402,F401  (registers its flush hook)
    views_builder,
    views_invitations,
    views_respond,
    views_results,
)
