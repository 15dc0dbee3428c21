"""``flask --app wsgi tracker close-waves``: delete the email addresses of every wave that has closed.

Run it daily (cron or a systemd timer) until the scheduler calls :func:`tracker.surveys.invitations.
forget_addresses` itself; running it more often, or twice at once, does no harm.
"""

import click

from tracker.cli import tracker_cli
from tracker.extensions import db
from tracker.surveys import invitations


def _n(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


@tracker_cli.command("close-waves")
def close_waves() -> None:
    """Delete the invitations' email addresses (and their emails in the outbox) of every survey wave that
    has closed, keeping the counts. Idempotent."""
    done = invitations.forget_addresses()
    db.session.commit()
    if not done.waves:
        click.echo("No closed wave still has email addresses.")
        return
    click.echo(f"{_n(done.waves, 'wave', 'waves')} closed: {_n(done.addresses, 'email address', 'email addresses')} "
               f"deleted, with {_n(done.messages, 'message', 'messages')} from the outbox.")
