"""The scheduler's page: heartbeat, "down" after ten quiet minutes, each job's last run and the latest runs."""

from datetime import datetime, timedelta

from tests import factories
from tracker.core.db import utcnow
from tracker.extensions import db
from tracker.scheduler.models import JobRun, SchedulerLease


def test_administrators_see_the_heartbeat_and_what_each_job_did(app, client, login):
    admin = factories.make_user(is_admin=True)
    db.session.commit()
    login(client, admin)
    page = client.get("/accounts/scheduler").get_data(as_text=True)
    assert "The scheduler has never run" in page and "Not run yet" in page and "No job has run yet." in page

    now = utcnow()
    db.session.add(SchedulerLease(name="scheduler", holder="host-1:4242:ab12cd",
                                  heartbeat_dt=now - timedelta(seconds=20), expires_dt=now + timedelta(seconds=70)))
    moment = datetime(2026, 4, 1, 8, 0)
    db.session.add_all([
        JobRun(job="mail", moment_dt=moment, started_dt=moment, finished_dt=moment,
               summary="Sent 3, failed 0, will retry 0, waiting 0."),
        JobRun(job="mail", moment_dt=moment + timedelta(minutes=1), started_dt=moment + timedelta(minutes=1),
               finished_dt=moment,
               error="Traceback (most recent call last):\nRuntimeError: could not connect to <smtp>"),
    ])
    db.session.commit()
    page = client.get("/accounts/scheduler").get_data(as_text=True)
    assert "Running" in page and "host-1:4242:ab12cd" in page and "The scheduler is down" not in page
    assert "RuntimeError: could not connect to &lt;smtp&gt;" in page
    assert "Sent 3, failed 0" in page  # in the latest runs

    lease = db.session.get(SchedulerLease, "scheduler")
    lease.heartbeat_dt = now - timedelta(minutes=11)
    db.session.commit()
    page = client.get("/accounts/scheduler").get_data(as_text=True)
    assert "The scheduler is down: no heartbeat for more than 10 minutes." in page


def test_the_accounts_page_links_to_it(app, client, login):
    admin = factories.make_user(is_admin=True)
    db.session.commit()
    login(client, admin)
    assert 'href="/accounts/scheduler"' in client.get("/accounts").get_data(as_text=True)
