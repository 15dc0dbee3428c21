"""Command-line tools: ``flask --app wsgi tracker create-user | demo``."""

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
def create_user(email: str, name: str, password: str, admin: bool, facilitator: bool) -> None:
    """Create an account."""
    from tracker.accounts.services import AccountError
    from tracker.accounts.services import create_user as create

    try:
        user = create(email, name, password, is_admin=admin, is_facilitator=facilitator)
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


def init_app(app: Flask) -> None:
    from tracker.exchange import cli as _exchange_cli  # noqa: F401 - attaches its commands
    app.cli.add_command(tracker_cli)
