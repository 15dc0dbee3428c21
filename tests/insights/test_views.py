"""The insights pages through requests: the page by theme, add and change (bad input keeps what was typed),
archive and delete behind a confirmation, a quick win in one step, links both ways, and who sees what."""

import re

import pytest
from sqlalchemy import func, select

from tests.test_permissions import changed_tables, snapshot
from tracker.board.models import Card, Kind
from tracker.core.db import utcnow
from tracker.extensions import db
from tracker.insights import services
from tracker.insights.models import Insight, InsightSource, InsightTheme


def text(response) -> str:
    return response.get_data(as_text=True)


def title(response) -> str:
    return re.search(r"<title[^>]*>\s*(.*?)\s*</title>", text(response), re.S).group(1)


def add(org, theme: str, insight_title: str, source=InsightSource.INTERVIEWS, evidence="") -> Insight:
    insight = services.create_insight(org, theme=services.theme_named(org, theme), title=insight_title,
                                      source=source, evidence=evidence, user=None)
    db.session.commit()
    return insight


@pytest.fixture
def insight_a(world):
    return add(world.org_a, "Communication with customers", "Customers cannot always get through on the phone",
               evidence="3 of 3 officers said so.\n\n- calls *unanswered*")


def index_url(world, org=None) -> str:
    org = org or world.org_a
    return f"/programmes/{world.programme.slug}/{org.slug}/insights"


# --- the page by theme ---------------------------------------------------------------------------


def test_the_page_groups_insights_by_theme_with_counts_sources_and_what_came_of_them(client, world, login,
                                                                                      insight_a):
    add(world.org_a, "Fallout rates S66", "Unsuccessful preventions increased by 10%", InsightSource.DATA_ANALYSIS)
    add(world.org_a, "Communication with customers", "Covid reduced face to face contact", InsightSource.WORKSHOP)
    services.link_card(insight_a, world.card_a)
    services.link_opportunity(insight_a, world.opportunity_a)
    db.session.commit()
    login(client, world.viewer)
    response = client.get(index_url(world))
    page = text(response)
    assert response.status_code == 200
    assert "3 insights, 2 themes." in page
    assert page.index("Communication with customers") < page.index("Fallout rates S66")
    assert "2 insights" in page and "1 insight" in page
    assert 'govuk-tag govuk-tag--purple">Interviews<' in page and ">Data analysis<" in page and ">Workshop<" in page
    assert "Quick win 1: Make letters friendlier</a>" in page
    assert "Backlog (not started)" in page  # the quick win's roadmap column
    assert "Design opportunity 1: How might we keep in touch?</a>" in page and "1 idea in Backlog (not started)" in page
    assert "<em>unanswered</em>" in page  # the evidence, as Markdown
    assert "Nothing yet" in page  # the other two
    assert "Add an insight" not in page  # a viewer reads only


def test_the_page_filters_by_source(client, world, login, insight_a):
    add(world.org_a, "Fallout rates S66", "Unsuccessful preventions increased by 10%", InsightSource.DATA_ANALYSIS)
    login(client, world.team_a)
    page = text(client.get(index_url(world) + "?source=data_analysis"))
    assert "Unsuccessful preventions" in page and "Customers cannot always get through" not in page
    assert "1 insight from Data analysis" in page
    # An unknown source is no filter.
    page = text(client.get(index_url(world) + "?source=nonsense"))
    assert "Unsuccessful preventions" in page and "Customers cannot always get through" in page


def test_an_empty_page_says_so_and_offers_to_add(client, world, login):
    login(client, world.team_a)
    page = text(client.get(index_url(world)))
    assert "No insights yet." in page and "Add an insight" in page


def test_evidence_markdown_is_sanitised(client, world, login):
    insight = add(world.org_a, "Communication", "Calls", evidence="<script>alert(1)</script>**bold** <img src=x "
                  "onerror=alert(2)>")
    login(client, world.team_a)
    for url in (index_url(world), f"/insights/{insight.id}"):
        page = text(client.get(url))
        assert "<strong>bold</strong>" in page and "<script>alert" not in page and "onerror" not in page


# --- add and change ------------------------------------------------------------------------------


def test_add_an_insight_under_a_new_theme(client, world, login):
    login(client, world.team_a)
    response = client.get(index_url(world) + "/new")
    assert response.status_code == 200 and "Add an insight" in text(response)
    assert 'name="theme"' not in text(response)  # no themes yet: only the box to type one
    response = client.post(index_url(world) + "/new", data={
        "new_theme": "Fallout rates S73", "title": "Loss of contact doubled in 20/21", "source": "data_analysis",
        "evidence": "From the **HOMES** data"})
    insight = db.session.scalar(select(Insight))
    assert response.status_code == 302 and response.headers["Location"] == f"/insights/{insight.id}"
    assert (insight.theme.name, insight.title, insight.source, insight.created_by_id) == (
        "Fallout rates S73", "Loss of contact doubled in 20/21", InsightSource.DATA_ANALYSIS, world.team_a.id)
    page = text(client.get(f"/insights/{insight.id}"))
    assert "Insight added under “Fallout rates S73”" in page and "<strong>HOMES</strong>" in page


def test_add_an_insight_under_an_existing_theme_chosen_or_typed_again(client, world, login, insight_a):
    login(client, world.team_a)
    page = text(client.get(index_url(world) + f"/new?theme={insight_a.theme_id}"))
    assert f'<option value="{insight_a.theme_id}" selected>Communication with customers</option>' in page
    client.post(index_url(world) + "/new", data={"theme": str(insight_a.theme_id), "new_theme": "",
                                                 "title": "Partners lack information", "source": "workshop"})
    client.post(index_url(world) + "/new", data={"theme": "", "new_theme": "communication WITH customers",
                                                 "title": "Caseloads are high", "source": "interviews"})
    assert db.session.scalar(select(func.count()).select_from(InsightTheme)) == 1
    assert db.session.scalar(select(func.count()).select_from(Insight).where(
        Insight.theme_id == insight_a.theme_id)) == 3


def test_a_non_ascii_theme_typed_twice_in_another_case_is_one_theme(client, world, login):
    login(client, world.team_a)
    for new_theme, title in (("Éducation", "Schools are far"), ("ÉDUCATION", "Buses are rare")):
        response = client.post(index_url(world) + "/new", data={"new_theme": new_theme, "title": title,
                                                                 "source": "interviews"})
        assert response.status_code == 302
    assert db.session.scalars(select(InsightTheme.name)).all() == ["Éducation"]
    assert db.session.scalar(select(func.count()).select_from(Insight)) == 2


def test_bad_input_is_shown_again_with_what_was_typed(client, world, login, insight_a):
    login(client, world.team_a)
    before = snapshot()
    response = client.post(index_url(world) + "/new", data={
        "theme": "", "new_theme": "", "title": "  ", "source": "", "evidence": "Keep this evidence"})
    page = text(response)
    assert response.status_code == 422 and title(response).startswith("Error: ")
    for message in ("Choose a theme or type a new one", "Enter the insight", "Choose where the insight came from"):
        assert message in page
    assert "Keep this evidence" in page
    response = client.post(index_url(world) + "/new", data={
        "theme": "99999", "title": "x" * 301, "source": "rumour", "new_theme": ""})
    page = text(response)
    assert response.status_code == 422
    assert "Choose a theme from the list" in page and "Insight must be 300 characters or fewer" in page
    assert "Choose where the insight came from" in page
    assert not changed_tables(before, snapshot())


def test_another_organisations_theme_is_not_a_choice(client, world, login, insight_a):
    theirs = add(world.org_b, "B's theme", "B's finding")
    login(client, world.team_a)
    response = client.post(index_url(world) + "/new", data={"theme": str(theirs.theme_id), "title": "Mine",
                                                            "source": "audit"})
    assert response.status_code == 422 and "Choose a theme from the list" in text(response)


def test_change_an_insight(client, world, login, insight_a):
    login(client, world.facilitator)
    page = text(client.get(f"/insights/{insight_a.id}/edit"))
    assert "Customers cannot always get through on the phone</textarea>" in page
    assert 'value="interviews" checked' in page
    response = client.post(f"/insights/{insight_a.id}/edit", data={
        "theme": str(insight_a.theme_id), "new_theme": "Technology", "title": "Phones are not answered",
        "source": "audit", "evidence": "", "version": str(insight_a.version)})
    assert response.status_code == 302
    insight = db.session.get(Insight, insight_a.id)
    assert (insight.theme.name, insight.title, insight.source, insight.updated_by_id) == (
        "Technology", "Phones are not answered", InsightSource.AUDIT, world.facilitator.id)
    assert [t.name for t in services.themes(world.org_a)] == ["Technology"]  # the empty theme went
    response = client.post(f"/insights/{insight_a.id}/edit", data={
        "theme": str(insight.theme_id), "title": "", "source": "audit", "evidence": "typed"})
    assert response.status_code == 422 and "Enter the insight" in text(response) and "typed</textarea>" in text(
        response)


# --- archive, restore, delete --------------------------------------------------------------------


def test_archive_and_restore_behind_a_confirmation(client, world, login, insight_a):
    login(client, world.team_a)
    response = client.get(f"/insights/{insight_a.id}/archive")
    assert response.status_code == 200 and "Archive this insight?" in text(response)
    assert db.session.get(Insight, insight_a.id).archived_dt is None  # a GET changes nothing
    response = client.post(f"/insights/{insight_a.id}/archive")
    assert response.status_code == 302 and response.headers["Location"] == index_url(world)
    page = text(client.get(index_url(world)))
    assert "Archived insights" in page and "No insights yet." in page
    page = text(client.get(f"/insights/{insight_a.id}"))
    assert "This insight was archived" in page and "Answer with a quick win" not in page
    client.post(f"/insights/{insight_a.id}/restore")
    assert db.session.get(Insight, insight_a.id).archived_dt is None


def test_delete_behind_a_confirmation(client, world, login, insight_a):
    services.link_card(insight_a, world.card_a)
    db.session.commit()
    login(client, world.team_a)
    page = text(client.get(f"/insights/{insight_a.id}/delete"))
    assert "Delete this insight?" in page and "stay on the board" in page
    assert client.post(f"/insights/{insight_a.id}/delete").status_code == 302
    assert db.session.get(Insight, insight_a.id) is None and db.session.get(Card, world.card_a.id) is not None
    assert client.get(f"/insights/{insight_a.id}").status_code == 404


# --- what answers an insight ---------------------------------------------------------------------


def test_answer_with_a_quick_win_in_one_step_and_see_it_on_the_card(client, world, login, insight_a):
    login(client, world.team_a)
    page = text(client.get(f"/insights/{insight_a.id}"))
    assert "Answer with a quick win" in page
    response = client.post(f"/insights/{insight_a.id}/quick-win")
    card = db.session.scalar(select(Card).where(Card.title == insight_a.title))
    assert response.status_code == 302 and response.headers["Location"] == f"/cards/{card.id}"
    assert card.kind == Kind.QUICK_WIN and card.organisation_id == world.org_a.id
    page = text(client.get(f"/cards/{card.id}"))
    assert "Quick win 2 added to the backlog: it answers the insight" in page
    assert "Where this came from" in page
    assert f'Insight: <a class="govuk-link" href="/insights/{insight_a.id}">{insight_a.title}</a>' in page
    page = text(client.get(f"/insights/{insight_a.id}"))
    assert f'href="/cards/{card.id}">Quick win 2: {insight_a.title}</a>' in page


def test_an_idea_shows_the_insight_its_design_opportunity_answers(client, world, login, insight_a):
    login(client, world.team_a)
    response = client.post(f"/insights/{insight_a.id}/links", data={"answer": f"opportunity:{world.opportunity_a.id}"})
    assert response.status_code == 302
    page = text(client.get(f"/cards/{world.idea_a.id}"))
    assert "Insight (through design opportunity 1)" in page and insight_a.title in page


def test_a_design_opportunity_shows_the_insights_it_answers_until_one_is_archived(client, world, login, insight_a):
    login(client, world.team_a)
    page = text(client.get(f"/opportunities/{world.opportunity_a.id}"))
    assert "Where this came from" not in page
    response = client.post(f"/insights/{insight_a.id}/links", data={"answer": f"opportunity:{world.opportunity_a.id}"})
    assert response.status_code == 302
    page = text(client.get(f"/opportunities/{world.opportunity_a.id}"))
    assert "Where this came from" in page
    assert f'Insight: <a class="govuk-link" href="/insights/{insight_a.id}">{insight_a.title}</a>' in page
    services.archive_insight(db.session.get(Insight, insight_a.id), user=None)
    db.session.commit()
    page = text(client.get(f"/opportunities/{world.opportunity_a.id}"))
    assert "Where this came from" not in page and insight_a.title not in page


def test_link_and_unlink_an_existing_quick_win(client, world, login, insight_a):
    login(client, world.team_a)
    page = text(client.get(f"/insights/{insight_a.id}"))
    assert f'<option value="card:{world.card_a.id}">Quick win 1: Make letters friendlier</option>' in page
    assert f"card:{world.card_b.id}" not in page  # organisation B's cards are not offered
    response = client.post(f"/insights/{insight_a.id}/links", data={"answer": f"card:{world.card_a.id}"})
    assert response.status_code == 302
    page = text(client.get(f"/insights/{insight_a.id}"))
    assert "Quick win 1: Make letters friendlier now answers this insight" in page
    assert f'<option value="card:{world.card_a.id}">' not in page  # linked: no longer offered
    assert "Where this came from" in text(client.get(f"/cards/{world.card_a.id}"))
    response = client.post(f"/insights/{insight_a.id}/links/remove", data={"answer": f"card:{world.card_a.id}"})
    assert response.status_code == 302
    assert services.answers_of([insight_a.id])[insight_a.id].cards == []
    assert "Where this came from" not in text(client.get(f"/cards/{world.card_a.id}"))
    # Taking away a link that is not there changes nothing.
    before = snapshot()
    client.post(f"/insights/{insight_a.id}/links/remove", data={"answer": f"card:{world.card_a.id}"})
    assert not changed_tables(before, snapshot())


def test_a_bad_link_is_refused_with_a_message(client, world, login, insight_a):
    login(client, world.facilitator)
    before = snapshot()
    for value in ("", f"card:{world.card_b.id}", f"opportunity:{world.opportunity_b.id}", "card:abc", "user:1"):
        response = client.post(f"/insights/{insight_a.id}/links", data={"answer": value})
        assert response.status_code == 422, value
        assert title(response).startswith("Error: ")
        assert "Choose a quick win, idea or design opportunity" in text(response)
    assert not changed_tables(before, snapshot())


# --- who sees what -------------------------------------------------------------------------------


def test_a_team_member_of_another_organisation_can_neither_see_nor_change(client, world, login, insight_a):
    login(client, world.team_b)
    before = snapshot()
    for url in (index_url(world), f"/insights/{insight_a.id}", f"/insights/{insight_a.id}/edit",
                f"/insights/{insight_a.id}/archive", f"/insights/{insight_a.id}/delete", index_url(world) + "/new"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert insight_a.title not in text(response)
    for url, data in ((f"/insights/{insight_a.id}/edit", {"theme": str(insight_a.theme_id), "title": "Hacked",
                                                          "source": "audit"}),
                      (f"/insights/{insight_a.id}/archive", {}), (f"/insights/{insight_a.id}/delete", {}),
                      (f"/insights/{insight_a.id}/quick-win", {}), (f"/insights/{insight_a.id}/restore", {}),
                      (f"/insights/{insight_a.id}/links", {"answer": f"card:{world.card_b.id}"}),
                      (f"/insights/{insight_a.id}/links/remove", {"answer": f"card:{world.card_a.id}"}),
                      (f"/insight-themes/{insight_a.theme_id}/move", {"direction": "down"}),
                      (index_url(world) + "/new", {"new_theme": "Hacked", "title": "Hacked", "source": "audit"})):
        assert client.post(url, data=data).status_code == 404, url
    assert not changed_tables(before, snapshot())


def test_a_reader_sees_but_may_not_change(client, world, login, insight_a):
    login(client, world.viewer)
    page = text(client.get(f"/insights/{insight_a.id}"))
    assert insight_a.title in page and "Answer with a quick win" not in page and "Change the insight" not in page
    assert client.get(f"/insights/{insight_a.id}/edit").status_code == 403
    assert client.post(f"/insights/{insight_a.id}/quick-win").status_code == 403


def test_posts_need_a_csrf_token(app, client, world, login, insight_a):
    login(client, world.team_a)
    app.config["WTF_CSRF_ENABLED"] = True
    before = snapshot()
    for url in (f"/insights/{insight_a.id}/quick-win", f"/insights/{insight_a.id}/archive",
                f"/insights/{insight_a.id}/links"):
        assert client.post(url, data={"answer": f"card:{world.card_a.id}"}).status_code == 400, url
    assert not changed_tables(before, snapshot())


def test_themes_move_up_and_down(client, world, login, insight_a):
    add(world.org_a, "Fallout rates S66", "Unsuccessful preventions increased by 10%")
    second = services.theme_named(world.org_a, "Fallout rates S66")
    login(client, world.team_a)
    page = text(client.get(index_url(world)))
    assert page.count(">Move up<") == 1 and page.count(">Move down<") == 1
    response = client.post(f"/insight-themes/{second.id}/move", data={"direction": "up"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#theme-{second.id}")
    page = text(client.get(index_url(world)))
    assert "“Fallout rates S66” moved up" in page
    assert page.index("Unsuccessful preventions") < page.index("Customers cannot always")
    # A direction that is not one moves nothing.
    before = snapshot()
    client.post(f"/insight-themes/{second.id}/move", data={"direction": "sideways"})
    assert not changed_tables(before, snapshot())


def test_a_stale_save_shows_the_current_values_and_keeps_what_was_typed(client, world, login, insight_a):
    login(client, world.team_a)
    page = text(client.get(f"/insights/{insight_a.id}/edit"))
    seen = re.search(r'name="version" value="(\d+)"', page).group(1)
    services.update_insight(insight_a, theme=insight_a.theme, title="Changed by Fran", source=insight_a.source,
                            evidence="", user=world.facilitator)
    db.session.commit()
    form = {"theme": str(insight_a.theme_id), "title": "Changed by Team A", "source": "audit", "evidence": "",
            "version": seen}
    before = snapshot()
    response = client.post(f"/insights/{insight_a.id}/edit", data=form)
    page = text(response)
    assert response.status_code == 409 and title(response).startswith("Error: ")
    assert "This insight was changed by someone else" in page and "Changed by Fran" in page
    assert "Changed by Team A</textarea>" in page and "Save anyway" in page
    assert not changed_tables(before, snapshot())
    current = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert current == str(int(seen) + 1)
    response = client.post(f"/insights/{insight_a.id}/edit", data={**form, "version": current})
    assert response.status_code == 302 and db.session.get(Insight, insight_a.id).title == "Changed by Team A"


def _statements_of(client, url: str) -> int:
    from sqlalchemy import event

    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def test_the_page_reads_a_fixed_number_of_statements_whatever_the_number_of_insights(client, world, login,
                                                                                    insight_a):
    from tests import factories

    services.link_card(insight_a, world.card_a)
    services.link_card(insight_a, world.idea_a)  # a card under an opportunity: its opportunity is read too
    services.link_opportunity(insight_a, world.opportunity_a)
    services.archive_insight(add(world.org_a, "Archived theme", "Archived"), user=None)
    db.session.commit()
    login(client, world.facilitator)
    one = _statements_of(client, index_url(world))
    for n in range(12):
        insight = add(world.org_a, f"Theme {n % 5}", f"Insight {n}", evidence="*notes*")
        services.link_card(insight, factories.make_card(world.org_a, f"Quick win for {n}"))
        services.link_card(insight, world.idea_a)
        services.link_opportunity(insight, world.opportunity_a)
        services.archive_insight(add(world.org_a, f"Theme {n % 3}", f"Archived {n}"), user=None)
    db.session.commit()
    assert _statements_of(client, index_url(world)) == one


def test_answer_with_an_idea_under_a_chosen_design_opportunity(client, world, login, insight_a):
    login(client, world.team_a)
    assert f'href="/insights/{insight_a.id}/idea"' in text(client.get(f"/insights/{insight_a.id}"))
    page = client.get(f"/insights/{insight_a.id}/idea")
    assert page.status_code == 200 and f'value="{world.opportunity_a.id}"' in text(page)
    assert f'value="{world.opportunity_b.id}"' not in text(page)  # only this organisation's
    count = db.session.scalar(select(func.count()).select_from(Card))
    bad = client.post(f"/insights/{insight_a.id}/idea", data={})
    assert bad.status_code == 422 and "Choose a design opportunity" in text(bad) and title(bad).startswith("Error:")
    bad = client.post(f"/insights/{insight_a.id}/idea", data={"opportunity": str(world.opportunity_b.id)})
    assert bad.status_code == 422 and "Choose a design opportunity from the list" in text(bad)
    assert db.session.scalar(select(func.count()).select_from(Card)) == count
    response = client.post(f"/insights/{insight_a.id}/idea", data={"opportunity": str(world.opportunity_a.id)})
    card = db.session.scalar(select(Card).where(Card.title == insight_a.title))
    assert response.status_code == 302 and response.headers["Location"] == f"/cards/{card.id}"
    assert (card.kind, card.opportunity_id) == (Kind.IDEA, world.opportunity_a.id)
    page = text(client.get(f"/cards/{card.id}"))
    assert "Idea 1.2 added under design opportunity 1: it answers the insight" in page
    assert f'Insight: <a class="govuk-link" href="/insights/{insight_a.id}">{insight_a.title}</a>' in page
    assert f'href="/cards/{card.id}">Idea 1.2: {insight_a.title}</a>' in text(client.get(f"/insights/{insight_a.id}"))


def test_answer_with_an_idea_when_there_is_no_design_opportunity_or_the_insight_is_archived(client, world, login,
                                                                                            insight_a):
    insight_b = add(world.org_b, "Communication", "B's insight")
    login(client, world.team_a)
    assert client.get(f"/insights/{insight_b.id}/idea").status_code == 404
    login(client, world.team_b)
    world.opportunity_b.archived_dt = utcnow()  # its only one: an idea cannot go under an archived one
    db.session.commit()
    page = text(client.get(f"/insights/{insight_b.id}/idea"))
    assert "Council B has none yet" in page or "has none yet" in page
    assert client.post(f"/insights/{insight_b.id}/idea", data={
        "opportunity": str(world.opportunity_b.id)}).status_code == 422
    login(client, world.viewer)
    assert client.get(f"/insights/{insight_a.id}/idea").status_code == 403
    login(client, world.team_a)
    services.archive_insight(insight_a, user=None)
    db.session.commit()
    response = client.get(f"/insights/{insight_a.id}/idea")
    assert response.status_code == 302 and response.headers["Location"] == f"/insights/{insight_a.id}"
