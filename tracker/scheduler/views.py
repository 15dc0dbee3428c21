"""The scheduler's page, for site administrators: is it running, and what did each job do last.

Read from the tables the scheduler writes (``scheduler_lease``, ``job_run``), so it shows the truth
whichever process, host or container runs the scheduler.
"""

from datetime import timedelta

from flask import render_template
from sqlalchemy import func, select

from tracker.accounts.permissions import admin_required
from tracker.core.db import utcnow
from tracker.extensions import db
from tracker.scheduler import bp, leader, registry
from tracker.scheduler.models import JobRun

#: A scheduler that has not beaten for this long is shown as down (it beats every 30 seconds).
DOWN_AFTER = timedelta(minutes=10)
#: The page lists this many runs, newest first.
SHOWN = 50


@bp.route("/accounts/scheduler")
@admin_required
def status():
    """The heartbeat, the last run of each job, and the latest runs."""
    lease = leader.current()
    now = utcnow()
    down = lease is None or now - lease.heartbeat_dt > DOWN_AFTER
    latest_ids = select(func.max(JobRun.id)).group_by(JobRun.job)
    last = {run.job: run for run in db.session.scalars(select(JobRun).where(JobRun.id.in_(latest_ids)))}
    labels = {j.name: j.label for j in registry.jobs()}
    names = list(labels)
    names += sorted(set(last) - set(names))  # jobs that ran once and are registered no longer
    runs = db.session.scalars(select(JobRun).order_by(JobRun.id.desc()).limit(SHOWN)).all()
    return render_template("scheduler/status.html", lease=lease, down=down, down_after=DOWN_AFTER,
                           jobs=[(name, last.get(name)) for name in names], runs=runs, shown=SHOWN,
                           labels=labels)
