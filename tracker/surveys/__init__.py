"""Staff pulse surveys: the survey and its questions, waves, invitations by one-use link or a shared link,
the anonymous answering pages, and results that never show a group below the programme's minimum."""

from flask import Blueprint

bp = Blueprint("surveys", __name__)

from tracker.surveys import models  # noqa: E402,F401
