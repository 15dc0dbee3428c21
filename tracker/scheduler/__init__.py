"""The programme's clock: jobs that do what is due at a moment (open waves, plan check-ins, send notices,
deliver mail), each idempotent, run by ``flask tracker run-due`` or by the scheduler process.

Nothing here remembers what it did in memory: the app's own tables, and a claim per (job, subject, due
moment) in :mod:`tracker.scheduler.claims`, are the record, so a job run twice, late, or by two processes
at once does each thing once.
"""

from flask import Blueprint

bp = Blueprint("scheduler", __name__)

from tracker.scheduler import models, views  # noqa: E402,F401
