"""``flask --app wsgi tracker run-due [--now ISO-DATETIME] [--dry-run] [--job NAME]``: run every job once
for a moment and say what each did."""

from datetime import UTC, datetime

import click

from tracker.cli import tracker_cli
from tracker.core.db import utcnow
from tracker.scheduler import registry


def parse_now(now_text: str | None) -> datetime:
    """``--now`` as naive UTC (a time without a zone is UTC, as for ``send-mail``); the clock without it."""
    if not now_text:
        return utcnow()
    try:
        moment = datetime.fromisoformat(now_text)
    except ValueError as error:
        raise click.BadParameter(f"not an ISO date and time: {now_text!r}", param_hint="--now") from error
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


@tracker_cli.command("run-due")
@click.option("--now", "now_text", metavar="ISO-DATETIME",
              help="Run for this moment (default: now). A time without a zone is UTC.")
@click.option("--dry-run", is_flag=True, help="Say what would be done, and do none of it (mail is not sent).")
@click.option("--job", "only", metavar="NAME", help="Run only this job.")
def run_due(now_text: str | None, dry_run: bool, only: str | None) -> None:
    """Do whatever is due: open and close survey waves, plan check-ins, send invitations, reminders and
    notices, deliver the outbox. Running it again for the same moment, or an earlier one, does nothing more."""
    now = parse_now(now_text)
    names = [job.name for job in registry.jobs()]
    if only is not None and only not in names:
        raise click.BadParameter(f"no job {only!r}; the jobs are: {', '.join(names) or 'none'}", param_hint="--job")
    failed = False
    click.echo(f"{'Would run' if dry_run else 'Ran'} the jobs due at {now.isoformat(timespec='minutes')} UTC:")
    for report in registry.run_due(now, dry_run=dry_run, only=only):
        if report.skipped:
            click.echo(f"- {report.job}: not run in a dry run (it acts outside the database)")
        elif report.error:
            failed = True
            click.echo(f"- {report.job}: failed\n{report.error}", err=True)
        elif not report.lines:
            click.echo(f"- {report.job}: nothing due")
        else:
            click.echo(f"- {report.job}:")
            for line in report.lines:
                click.echo(f"    {line}")
    if failed:
        raise click.ClickException("a job failed; what the others did is kept")


@tracker_cli.command("scheduler")
def scheduler() -> None:
    """Run the scheduler (APScheduler) until stopped: every job on time, and at start whatever fell due
    while it was down. A second one started anywhere stands by and takes over if this one stops."""
    import logging

    from flask import current_app

    from tracker.scheduler import process

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    process.run(current_app._get_current_object())
