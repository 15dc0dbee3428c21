"""Command-line tools: ``flask --app wsgi tracker create-user | demo | send-mail``."""

import os

import click
from flask import Flask
from flask.cli import AppGroup

from tracker.extensions import db

tracker_cli = AppGroup("tracker", help="Manage the service improvement tracker.")


@tracker_cli.command("create-user")
@click.option("--email", prompt="Email address", help="The sign-in email address.")
@click.option("--name", prompt="Full name", help="The person's name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="At least 10 characters (prompted if not given).")
@click.option("--admin", is_flag=True, help="Site administrator: manages accounts.")
@click.option("--facilitator", is_flag=True, help="May create programmes.")
@click.option("--language", type=click.Choice(["cy", "en"]), default=None,
              help="The person's language for pages and emails (default: not chosen; emails in both).")
def create_user(email: str, name: str, password: str, admin: bool, facilitator: bool, language: str | None) -> None:
    """Create an account."""
    from tracker.accounts.services import AccountError
    from tracker.accounts.services import create_user as create

    try:
        user = create(email, name, password, is_admin=admin, is_facilitator=facilitator, language=language)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email}" + (" (administrator)" if admin else "")
               + (" (may create programmes)" if facilitator else ""))


@tracker_cli.command("demo")
def demo() -> None:
    """Load the demo programme and demo accounts (safe to run again)."""
    from tracker.demo import DEMO_PASSWORD, load_demo

    accounts = load_demo()
    db.session.commit()
    port = os.environ.get("PORT", "5000")
    click.echo(f"Demo data loaded. Sign in at http://127.0.0.1:{port}/sign-in with any of these accounts "
               f"(password: {DEMO_PASSWORD}):")
    for email, role in accounts:
        click.echo(f"  {email:<32} {role}")


@tracker_cli.command("send-mail")
@click.option("--now", "now_text", metavar="ISO", help="Deliver what is due at this moment (default: now). "
              "A time without a zone is UTC.")
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Send at most this many messages.")
def send_mail(now_text: str | None, limit: int) -> None:
    """Send the email that is due from the outbox, once, and say what happened."""
    from datetime import UTC, datetime

    from tracker.core import mail

    now = None
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError as error:
            raise click.BadParameter(f"not an ISO date and time: {now_text!r}", param_hint="--now") from error
        if now.tzinfo is not None:
            now = now.astimezone(UTC).replace(tzinfo=None)
    try:
        summary = mail.deliver_due(now, limit=limit)
    except mail.MailConfigError as error:
        raise click.ClickException(str(error)) from error
    if not summary.configured:
        click.echo(f"MAIL_HOST is not set: nothing sent. {summary.waiting} messages wait in the outbox; site "
                   "administrators can read them under Accounts, Email outbox.")
        return
    click.echo(str(summary))
    if summary.error:
        raise click.ClickException(f"Stopped: {summary.error}")


def init_app(app: Flask) -> None:
    from tracker.exchange import cli as _exchange_cli  # noqa: F401 - attaches its commands
    from tracker.scheduler import cli as _scheduler_cli  # noqa: F401 - attaches its commands
    app.cli.add_command(tracker_cli)
