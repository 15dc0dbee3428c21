"""Accounts: people, sign-in, server-side sessions, throttling and account administration."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from tracker.accounts import views  # noqa: E402,F401
