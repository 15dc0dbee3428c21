"""Accounts: people, sign-in, server-side sessions, throttling and account administration."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from tracker.accounts import email_settings, language, outbox, views  # noqa: E402,F401
