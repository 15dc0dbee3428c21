"""The mail job: deliver the outbox every minute (``tracker.core.mail.deliver_due``), retries included.

It runs last (the last of ``JOB_MODULES``), so what the other jobs wrote in the same run goes out at
once. Delivery commits each message's claim and outcome itself, so this job has nothing left for the
runner to commit; and it is not run by ``--dry-run``, which could not take back an email.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from tracker.core import mail
from tracker.scheduler.registry import job


@job("mail", every="minute", dry_run_safe=False, label=_l("Sends the emails in the outbox"))
def run_due(now: datetime) -> list[str]:
    """Send what is due at ``now``; one summary line when anything was tried, none when nothing was due.

    Without ``MAIL_HOST`` one line says how many messages wait (they stay in the outbox, for site
    administrators to read). A server that cannot be reached fails the run, so the admin page shows it.
    """
    summary = mail.deliver_due(now)
    if not summary.configured:
        if not summary.waiting:
            return []
        return [f"MAIL_HOST is not set: nothing sent; {summary.waiting} messages wait in the outbox."]
    if summary.error:
        raise RuntimeError(f"{summary} Stopped: {summary.error}")
    if not (summary.sent or summary.failed or summary.retrying):
        return []
    return [str(summary)]
