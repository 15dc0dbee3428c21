"""Account rules: passwords, emails, disabling."""

import pytest

from tests import factories
from tracker.accounts import services
from tracker.accounts.models import UserSession
from tracker.extensions import db


def test_emails_are_case_insensitive_and_unique(app):
    user = factories.make_user(email="Someone@Example.org")
    assert user.email == "someone@example.org"
    with pytest.raises(services.AccountError):
        services.create_user("SOMEONE@example.org", "Twin", factories.PASSWORD)


def test_short_passwords_are_refused(app):
    with pytest.raises(services.AccountError):
        services.create_user("a@example.org", "A", "short")


def test_passwords_are_hashed(app):
    user = factories.make_user()
    assert factories.PASSWORD not in user.password_hash
    assert services.authenticate(user.email, factories.PASSWORD).id == user.id
    assert services.authenticate(user.email, "wrong password!") is None
    assert services.authenticate("nobody@example.org", factories.PASSWORD) is None


def test_the_default_hash_is_a_current_algorithm(app):
    app.config["PASSWORD_HASH_METHOD"], saved = "scrypt", app.config["PASSWORD_HASH_METHOD"]
    try:
        assert services.hash_password("x" * 12).startswith("scrypt:")
    finally:
        app.config["PASSWORD_HASH_METHOD"] = saved


def test_disabling_an_account_ends_its_sessions_and_blocks_sign_in(app):
    admin, user = factories.make_user(is_admin=True), factories.make_user()
    db.session.add(UserSession(token_hash="x" * 64, user=user))
    db.session.commit()
    services.update_user(user, name=user.name, is_admin=False, is_facilitator=False, is_active=False, acting=admin)
    db.session.commit()
    assert all(s.ended_dt is not None for s in user.sessions)
    assert services.authenticate(user.email, factories.PASSWORD) is None


def test_an_administrator_cannot_lock_themselves_out(app):
    admin = factories.make_user(is_admin=True)
    with pytest.raises(services.AccountError):
        services.update_user(admin, name="A", is_admin=False, is_facilitator=False, is_active=True, acting=admin)
