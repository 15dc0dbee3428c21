"""Welsh and English: which language a page is in (the person's, the cookie's, the browser's), the switch
without JavaScript, the choice kept across sign-out and sign-in, administrators and `create-user
--language`, dates in Welsh, and emails in the recipient's language or in both, Welsh first."""

import re
from datetime import date, datetime

import pytest

from tests.conftest import IsolatedClient
from tracker.accounts import email_settings
from tracker.accounts.models import User
from tracker.core import email_render, formats, i18n, mail
from tracker.extensions import db


def new_client(app) -> IsolatedClient:
    return IsolatedClient(app, app.response_class, use_cookies=True)


def lang_of(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def title_of(response) -> str:
    return re.search(r"<title>([^<]*)</title>", response.get_data(as_text=True)).group(1)


def test_before_sign_in_the_browser_chooses(app):
    client = new_client(app)
    assert lang_of(client.get("/sign-in", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"})) == "cy"
    assert title_of(client.get("/sign-in", headers={"Accept-Language": "cy"})).startswith("Mewngofnodi")
    assert lang_of(client.get("/sign-in", headers={"Accept-Language": "en-GB,en;q=0.9"})) == "en-GB"
    assert lang_of(client.get("/sign-in", headers={"Accept-Language": "fr"})) == "en-GB"
    assert lang_of(client.get("/sign-in")) == "en-GB"


def test_the_switch_works_without_javascript_and_the_cookie_beats_the_browser(app):
    client = new_client(app)
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'name="language" value="cy" lang="cy"' in page and 'action="/language"' in page
    response = client.post("/language", data={"language": "cy", "next": "/sign-in?next=%2Fprogrammes"})
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in?next=%2Fprogrammes"
    assert lang_of(client.get("/sign-in", headers={"Accept-Language": "en"})) == "cy"
    client.post("/language", data={"language": "en", "next": "/sign-in"})
    assert lang_of(client.get("/sign-in", headers={"Accept-Language": "cy"})) == "en-GB"


def test_the_switch_goes_back_only_to_a_page_of_this_site(app):
    client = new_client(app)
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example", ""):
        response = client.post("/language", data={"language": "cy", "next": elsewhere})
        assert response.status_code == 302 and response.headers["Location"] == "/", elsewhere


def test_an_unknown_language_is_refused_with_a_message(app):
    client = new_client(app)
    for bad in ({"language": "fr"}, {}, {"language": "cy" * 100}):
        response = client.post("/language", data=bad, headers={"Accept-Language": "cy"})
        assert response.status_code == 400
        assert "Dewiswch Cymraeg neu English" in response.get_data(as_text=True)


def test_a_persons_choice_survives_sign_out_and_sign_in_on_another_browser(app, world, login):
    client = new_client(app)
    login(client, world.team_a)
    client.post("/language", data={"language": "cy", "next": "/programmes"})
    db.session.refresh(world.team_a)
    assert world.team_a.language == "cy"
    client.post("/sign-out")
    other = new_client(app)  # no cookie: the account says Welsh
    login(other, world.team_a)
    page = other.get("/programmes", headers={"Accept-Language": "en-GB"})
    assert lang_of(page) == "cy" and "Rhaglenni" in page.get_data(as_text=True)


def test_the_persons_language_beats_this_browsers_cookie(app, world, login):
    world.team_a.language = "en"
    db.session.commit()
    client = new_client(app)
    client.post("/language", data={"language": "cy", "next": "/sign-in"})  # signed out: the cookie only
    login(client, world.team_a)
    assert lang_of(client.get("/programmes")) == "en-GB"


def test_administrators_set_a_persons_language(app, world, login):
    client = new_client(app)
    login(client, world.admin)
    response = client.post(f"/accounts/{world.team_b.id}", data={
        "name": world.team_b.name, "is_active": "y", "language": "cy"})
    assert response.status_code == 302
    db.session.refresh(world.team_b)
    assert world.team_b.language == "cy"
    page = client.get(f"/accounts/{world.team_b.id}").get_data(as_text=True)
    assert re.search(r'value="cy"\s+checked', page)
    client.post(f"/accounts/{world.team_b.id}", data={"name": world.team_b.name, "is_active": "y", "language": ""})
    db.session.refresh(world.team_b)
    assert world.team_b.language is None
    response = client.post("/accounts/new", data={"name": "Nia", "email": "nia@example.org",
                                                  "password": "long-enough-password", "language": "cy"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(User.language).where(User.email == "nia@example.org")) == "cy"


def test_create_user_takes_a_language(runner):
    result = runner.invoke(args=["tracker", "create-user", "--email", "ffion@example.org", "--name", "Ffion",
                                 "--password", "long-enough-password", "--language", "cy"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(User.language).where(User.email == "ffion@example.org")) == "cy"
    result = runner.invoke(args=["tracker", "create-user", "--email", "x@example.org", "--name", "X",
                                 "--password", "long-enough-password", "--language", "fr"])
    assert result.exit_code != 0


def test_dates_months_and_times_in_welsh(app):
    with i18n.in_language("cy"):
        assert formats.uk_date(date(2026, 12, 1)) == "1 Rhagfyr 2026"
        assert formats.uk_datetime(datetime(2026, 7, 1, 14, 5)) == "1 Gorffennaf 2026 am 3:05yh"  # BST
    with i18n.in_language("en"):
        assert formats.uk_date(date(2026, 12, 1)) == "1 December 2026"
        assert formats.uk_datetime(datetime(2026, 12, 1, 9, 30)) == "1 December 2026 at 9:30am"


# --- emails ---------------------------------------------------------------------------------------


def _stop_email(user):
    assert email_settings.send(user, template="board/email/digest", kind="action_digest", sender_name="Tracker",
                               dedupe_key=f"t:{user.id}",
                               subject=email_render.PerLanguage(lambda: formats.uk_date(date(2026, 12, 7))),
                               overdue=[], this_week=[],
                               week=email_render.PerLanguage(lambda: (formats.uk_date(date(2026, 12, 7)),
                                                                      formats.uk_date(date(2026, 12, 13)))))
    db.session.flush()
    return db.session.scalars(db.select(mail.OutboxMessage).where(mail.OutboxMessage.to_address == user.email)).one()


@pytest.mark.parametrize("language", ["cy", "en"])
def test_an_email_to_a_person_who_chose_a_language_is_in_that_language_only(app, world, language):
    world.team_a.language = language
    message = _stop_email(world.team_a)
    welsh = "Eich camau gweithredu ar gyfer yr wythnos" in message.text_body
    english = "Your actions for the week of 7 December 2026" in message.text_body
    assert (welsh, english) == (language == "cy", language == "en")
    assert message.subject == ("7 Rhagfyr 2026" if language == "cy" else "7 December 2026")
    assert f'<html lang="{i18n.HTML_LANG[language]}">' in message.html_body
    assert ("Rhagfyr" in message.html_body) == (language == "cy")


def test_an_email_to_someone_whose_language_is_not_known_is_in_both_welsh_first(app, world):
    assert world.team_a.language is None
    message = _stop_email(world.team_a)
    assert message.subject == "7 Rhagfyr 2026 / 7 December 2026"
    welsh, english = message.text_body.split(email_render.TEXT_SEPARATOR.strip())
    assert "7 Rhagfyr 2026" in welsh and "December" not in welsh
    assert "Your actions for the week of 7 December 2026" in english
    html = message.html_body
    assert html.startswith("<!doctype html>") and html.count("<body") == 1 and html.count("</html>") == 1
    assert html.index('<div lang="cy">') < html.index('<div lang="en-GB">')
    welsh_html, english_html = html.split('<div lang="en-GB">')
    assert "Peidiwch ag anfon y rhain ataf mwyach" in welsh_html and "Stop sending me these" in english_html
