"""The email outbox as site administrators read it (Accounts → Email outbox)."""

from datetime import timedelta

from tests import factories
from tests.mail.test_outbox import NOW, queue
from tracker.core.mail import Status
from tracker.extensions import db


def test_the_outbox_lists_messages_newest_first_for_administrators(app, client, login, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_HOST", None)
    admin = factories.make_user("Site Admin", is_admin=True)
    older = queue(1, now=NOW - timedelta(days=1))
    newer = queue(2, subject="Check-in reminder <b>bold</b>")
    db.session.commit()
    login(client, admin)
    page = client.get("/accounts/outbox").get_data(as_text=True)
    assert "Email is not being sent: no SMTP server is set up" in page
    assert page.index("Check-in reminder &lt;b&gt;bold&lt;/b&gt;") < page.index("Survey invitation 1")
    assert 'role="region"' in page and 'tabindex="0"' in page and "app-table-scroll" in page
    assert f'href="/accounts/outbox/{newer.id}"' in page and f'href="/accounts/outbox/{older.id}"' in page
    assert ">Waiting</strong> 2" in page

    message = client.get(f"/accounts/outbox/{older.id}").get_data(as_text=True)
    assert "https://tracker.example.org/s/token-1" in message  # to copy by hand
    assert "person1@council.example.org" in message and "Housing improvement programme" in message
    assert client.get("/accounts/outbox/999999").status_code == 404


def test_the_outbox_shows_no_text_of_a_delivered_message(app, client, login):
    admin = factories.make_user("Site Admin", is_admin=True)
    message = queue(1)
    db.session.commit()
    message.status, message.sent_dt, message.attempts = Status.SENT, NOW, 1
    db.session.commit()
    login(client, admin)
    page = client.get(f"/accounts/outbox/{message.id}").get_data(as_text=True)
    assert "token-1" not in page
    assert "its text is not shown" in page


def test_the_outbox_says_how_many_it_leaves_out(app, client, login, monkeypatch):
    from tracker.accounts import outbox

    monkeypatch.setattr(outbox, "SHOWN", 3)
    admin = factories.make_user("Site Admin", is_admin=True)
    for n in range(5):
        queue(n)
    db.session.commit()
    login(client, admin)
    page = client.get("/accounts/outbox").get_data(as_text=True)
    assert "Showing the latest 3 of 5 messages." in page
    assert page.count('href="/accounts/outbox/') == 3


def test_people_other_than_administrators_cannot_read_the_outbox(app, client, login):
    facilitator = factories.make_user("Facilitator", is_facilitator=True)
    message = queue(1)
    db.session.commit()
    assert client.get("/accounts/outbox").status_code == 302
    login(client, facilitator)
    assert client.get("/accounts/outbox").status_code == 403
    assert client.get(f"/accounts/outbox/{message.id}").status_code == 403
