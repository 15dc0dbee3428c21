"""The one clock (UK dates from UTC times, summer time included) and the one helper for secrets."""

from datetime import UTC, date, datetime

from tracker.core import clock, secrets


def test_the_uk_date_follows_summer_time():
    # 23:30 UTC on 30 June is already 1 July in the UK (BST); in December UTC and UK agree.
    with clock.frozen(datetime(2026, 6, 30, 23, 30)):
        assert clock.today() == date(2026, 7, 1)
    with clock.frozen(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)):
        assert clock.today() == date(2026, 12, 31)
    # The clocks go forward at 01:00 UTC on 29 March 2026 and back at 01:00 UTC on 25 October 2026.
    assert clock.uk_date_of(datetime(2026, 3, 28, 23, 59)) == date(2026, 3, 28)
    assert clock.uk_date_of(datetime(2026, 3, 29, 23, 30)) == date(2026, 3, 30)
    assert clock.uk_date_of(datetime(2026, 10, 25, 23, 30)) == date(2026, 10, 25)


def test_frozen_clocks_nest_and_unwind():
    with clock.frozen(datetime(2026, 1, 1, 12)):
        with clock.frozen(datetime(2027, 1, 1, 12)):
            assert clock.today() == date(2027, 1, 1)
        assert clock.today() == date(2026, 1, 1)
    assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 5


def test_secrets_are_long_random_and_stored_hashed():
    first, second = secrets.new_token("trk_"), secrets.new_token("trk_")
    assert first != second and first.startswith("trk_") and len(first) == 4 + 43
    digest = secrets.token_hash(first)
    assert len(digest) == 64 and first not in digest
    assert secrets.same(digest, secrets.token_hash(first))
    assert not secrets.same(digest, secrets.token_hash(second))
    assert len(secrets.token_hash("a\udcffb")) == 64  # an unpaired surrogate never raises


def test_numbers_are_formatted_the_uk_way(app):
    from decimal import Decimal

    from tracker.core.formats import uk_number

    with app.test_request_context("/"):
        assert uk_number(Decimal("1234.5")) == "1,234.5"
        assert uk_number(None) == ""
