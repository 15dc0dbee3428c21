"""Insights' rules without a request: themes reused and ordered, grouping, links both ways, the one-step quick
win, and another organisation's things refused."""

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from tests import factories
from tracker.board import services as board
from tracker.board.models import Card, Kind, RoadmapColumn
from tracker.extensions import db
from tracker.insights import services
from tracker.insights.models import Insight, InsightSource, InsightTheme


def add(org, theme_name: str, title: str, source=InsightSource.DATA_ANALYSIS, user=None, evidence="") -> Insight:
    insight = services.create_insight(org, theme=services.theme_named(org, theme_name), title=title, source=source,
                                      evidence=evidence, user=user)
    db.session.commit()
    return insight


def titles(groups) -> list[tuple[str, list[str]]]:
    return [(g.theme.name, [i.title for i in g.insights]) for g in groups]


# --- themes ----------------------------------------------------------------------------------------


def test_a_theme_is_reused_whatever_its_spacing_and_case(world):
    first = services.theme_named(world.org_a, "Fallout rates S66")
    again = services.theme_named(world.org_a, "  fallout   RATES s66 ")
    other = services.theme_named(world.org_a, "Communication")
    assert again.id == first.id
    assert (first.position, other.position) == (0, 1)
    # The same name in organisation B is B's own theme, first in B's order.
    theirs = services.theme_named(world.org_b, "Fallout rates S66")
    assert theirs.id != first.id and theirs.position == 0
    assert [t.name for t in services.themes(world.org_a)] == ["Fallout rates S66", "Communication"]


def test_a_non_ascii_theme_typed_again_in_another_case_is_the_same_theme(world):
    # SQLite's lower() folds ASCII only: "ÉDUCATION" and "éducation" must still be one theme, not a second
    # row that breaks the unique name.
    first = services.theme_named(world.org_a, "Éducation")
    again = services.theme_named(world.org_a, " éDUCATION ")
    welsh = services.theme_named(world.org_a, "Ŵyl y gymuned")
    assert again.id == first.id
    assert services.theme_named(world.org_a, "ŵYL Y GYMUNED").id == welsh.id
    db.session.commit()
    assert [t.name for t in services.themes(world.org_a)] == ["Éducation", "Ŵyl y gymuned"]


def test_linking_twice_is_idempotent_without_a_check_first(world):
    # The insert itself ignores a link already there (on conflict do nothing): a second submit racing the
    # first never fails on the primary key.
    insight = add(world.org_a, "Communication", "Customers cannot get through")
    db.session.execute(services.insert(services.insight_card).values(insight_id=insight.id,
                                                                     card_id=world.card_a.id))
    db.session.execute(services.insert(services.insight_opportunity).values(
        insight_id=insight.id, opportunity_id=world.opportunity_a.id))
    assert services.link_card(insight, world.card_a) is False
    assert services.link_opportunity(insight, world.opportunity_a) is False
    db.session.commit()
    found = services.answers_of([insight.id])[insight.id]
    assert ([c.id for c in found.cards], [o.id for o in found.opportunities]) == (
        [world.card_a.id], [world.opportunity_a.id])


def test_an_empty_theme_name_is_refused(world):
    with pytest.raises(services.InsightError):
        services.theme_named(world.org_a, "   ")


def test_insights_are_grouped_by_theme_in_order_oldest_first(world):
    add(world.org_a, "Fallout rates S66", "Unsuccessful preventions increased by 10%")
    add(world.org_a, "Communication", "Customers cannot always get through on the phone", InsightSource.INTERVIEWS)
    add(world.org_a, "Fallout rates S66", "No appreciable difference in fall out for men and women")
    archived = add(world.org_a, "Communication", "Covid reduced face to face contact")
    services.archive_insight(archived, user=world.team_a)
    only_archived = add(world.org_a, "Technology", "Technology is not joined up")
    services.archive_insight(only_archived, user=world.team_a)
    add(world.org_b, "Fallout rates S66", "Organisation B's finding")
    db.session.commit()
    groups, archive = services.grouped(world.org_a)
    assert titles(groups) == [
        ("Fallout rates S66", ["Unsuccessful preventions increased by 10%",
                               "No appreciable difference in fall out for men and women"]),
        ("Communication", ["Customers cannot always get through on the phone"]),
    ]  # "Technology" has no current insight: not shown
    assert [i.title for i in archive] == ["Covid reduced face to face contact", "Technology is not joined up"]


def test_moving_a_theme_skips_themes_that_are_not_shown(world):
    add(world.org_a, "A", "a")
    hidden = add(world.org_a, "B", "b")
    services.archive_insight(hidden, user=None)
    add(world.org_a, "C", "c")
    c = services.theme_named(world.org_a, "C")
    assert services.move_theme(c, up=True)
    db.session.commit()
    assert titles(services.grouped(world.org_a)[0]) == [("C", ["c"]), ("A", ["a"])]
    assert not services.move_theme(c, up=True)  # first already
    a = services.theme_named(world.org_a, "A")
    assert not services.move_theme(a, up=False)  # last of the shown ones ("B" is hidden)
    assert services.move_theme(a, up=True)
    assert titles(services.grouped(world.org_a)[0]) == [("A", ["a"]), ("C", ["c"])]


def test_a_theme_goes_with_its_last_insight_but_not_when_it_is_archived(world):
    first = add(world.org_a, "Communication", "One")
    other = add(world.org_a, "Technology", "Two")
    services.archive_insight(other, user=None)
    assert db.session.scalar(select(func.count()).select_from(InsightTheme)) == 2  # archived keeps its theme
    services.update_insight(first, theme=services.theme_named(world.org_a, "Partnerships"), title="One",
                            source=first.source, evidence="", user=world.team_a)
    db.session.commit()
    assert [t.name for t in services.themes(world.org_a)] == ["Technology", "Partnerships"]
    services.delete_insight(other)
    db.session.commit()
    assert [t.name for t in services.themes(world.org_a)] == ["Partnerships"]


def test_an_update_says_whether_anything_changed_and_who_changed_it(world):
    insight = add(world.org_a, "Communication", "  Customers   cannot get through ", user=world.team_a,
                  evidence="Line 1\r\nLine 2")
    assert insight.title == "Customers cannot get through" and insight.evidence == "Line 1\nLine 2"
    assert insight.created_by == world.team_a
    same = services.update_insight(insight, theme=insight.theme, title="Customers cannot get through",
                                   source=InsightSource.DATA_ANALYSIS, evidence="Line 1\r\nLine 2",
                                   user=world.facilitator)
    assert same is False and insight.updated_by == world.team_a
    insight.updated_dt -= timedelta(days=1)
    before = insight.updated_dt
    assert services.update_insight(insight, theme=insight.theme, title="Customers cannot get through",
                                   source=InsightSource.WORKSHOP, evidence="", user=world.facilitator)
    assert insight.updated_by == world.facilitator and insight.updated_dt > before
    assert insight.created_by == world.team_a


# --- links ---------------------------------------------------------------------------------------


def test_a_card_answers_an_insight_and_the_insight_shows_it(world):
    insight = add(world.org_a, "Communication", "Customers cannot get through")
    assert services.link_card(insight, world.card_a) is True
    assert services.link_card(insight, world.card_a) is False  # once only
    assert services.link_opportunity(insight, world.opportunity_a) is True
    db.session.commit()
    found = services.answers_of([insight.id])[insight.id]
    assert [c.id for c in found.cards] == [world.card_a.id]
    assert [o.id for o in found.opportunities] == [world.opportunity_a.id]
    assert found.columns[world.opportunity_a.id] == [(RoadmapColumn.BACKLOG, 1)]  # idea 1.1
    assert len(found) == 2
    # The other way: the card, and an idea under the linked opportunity, show the insight.
    assert services.insights_answered_by(world.card_a) == [(insight, None)]
    assert services.insights_answered_by(world.idea_a) == [(insight, world.opportunity_a)]
    assert services.unlink_card(insight, world.card_a) is True
    assert services.unlink_card(insight, world.card_a) is False
    assert services.insights_answered_by(world.card_a) == []


def test_an_idea_linked_itself_and_through_its_opportunity_shows_the_insight_once(world):
    insight = add(world.org_a, "Communication", "Customers cannot get through")
    services.link_card(insight, world.idea_a)
    services.link_opportunity(insight, world.opportunity_a)
    assert services.insights_answered_by(world.idea_a) == [(insight, None)]


def test_an_archived_insight_is_not_shown_on_the_card(world):
    insight = add(world.org_a, "Communication", "Customers cannot get through")
    services.link_card(insight, world.card_a)
    services.archive_insight(insight, user=None)
    assert services.insights_answered_by(world.card_a) == []
    services.restore_insight(insight, user=None)
    assert services.insights_answered_by(world.card_a) == [(insight, None)]


def test_another_organisations_card_opportunity_or_theme_is_refused(world):
    insight = add(world.org_a, "Communication", "Customers cannot get through")
    with pytest.raises(services.InsightError):
        services.link_card(insight, world.card_b)
    with pytest.raises(services.InsightError):
        services.link_opportunity(insight, world.opportunity_b)
    theme_b = services.theme_named(world.org_b, "Communication")
    with pytest.raises(services.InsightError):
        services.create_insight(world.org_a, theme=theme_b, title="x", source=InsightSource.AUDIT, user=None)
    with pytest.raises(services.InsightError):
        services.update_insight(insight, theme=theme_b, title="x", source=InsightSource.AUDIT, evidence="",
                                user=None)
    assert services.answers_of([insight.id])[insight.id].cards == []


def test_answering_with_a_quick_win_makes_one_in_the_backlog_linked_back(world):
    insight = add(world.org_a, "Communication", "Customers cannot always get through on the phone")
    card = services.answer_with_quick_win(insight, user=world.team_a)
    db.session.commit()
    assert (card.kind, card.number, card.column, card.organisation_id) == (
        Kind.QUICK_WIN, 2, RoadmapColumn.BACKLOG, world.org_a.id)  # quick win 1 is the world's card A
    assert card.title == "Customers cannot always get through on the phone"
    assert card.events[0].user == world.team_a  # its history starts with who made it
    assert services.insights_answered_by(card) == [(insight, None)]
    assert [c.id for c in services.answers_of([insight.id])[insight.id].cards] == [card.id]


def test_an_archived_insight_cannot_be_answered(world):
    insight = add(world.org_a, "Communication", "Customers cannot get through")
    services.archive_insight(insight, user=None)
    count = db.session.scalar(select(func.count()).select_from(Card))
    with pytest.raises(services.InsightError):
        services.answer_with_quick_win(insight, user=world.team_a)
    assert db.session.scalar(select(func.count()).select_from(Card)) == count


def test_choices_leave_out_what_is_linked_archived_or_of_another_organisation(world):
    insight = add(world.org_a, "Communication", "Customers cannot get through")
    gone = factories.make_card(world.org_a, "Archived quick win")
    board.archive_card(gone, expected_version=gone.version, user=None)
    services.link_card(insight, world.card_a)
    db.session.commit()
    cards, opportunities = services.answer_choices(insight)
    assert [c.id for c in cards] == [world.idea_a.id]
    assert [o.id for o in opportunities] == [world.opportunity_a.id]


def test_deleting_an_insight_keeps_the_cards(world):
    insight = add(world.org_a, "Communication", "Customers cannot get through")
    services.link_card(insight, world.card_a)
    services.delete_insight(insight)
    db.session.commit()
    assert db.session.get(Card, world.card_a.id) is not None
    assert services.insights_answered_by(world.card_a) == []


def _statements(fn) -> int:
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        db.session.expire_all()
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def test_reading_the_page_takes_the_same_statements_for_one_insight_or_twenty(world):
    def page():
        groups, _archived = services.grouped(world.org_a)
        found = services.answers_of([i.id for g in groups for i in g.insights])
        for g in groups:
            for i in g.insights:
                _ = [c.code for c in found[i.id].cards], i.theme.name

    first = add(world.org_a, "Communication", "Insight 0")
    services.link_card(first, world.card_a)
    services.link_card(first, world.idea_a)
    services.link_opportunity(first, world.opportunity_a)
    db.session.commit()
    one = _statements(page)
    for n in range(1, 20):
        insight = add(world.org_a, f"Theme {n % 4}", f"Insight {n}")
        card = factories.make_card(world.org_a, f"Quick win {n}")
        services.link_card(insight, card)
        services.link_card(insight, world.idea_a)
        services.link_opportunity(insight, world.opportunity_a)
    db.session.commit()
    assert _statements(page) == one


def test_a_change_from_an_older_version_is_refused(world):
    insight = add(world.org_a, "Communication", "Customers cannot get through")
    seen = insight.version
    services.update_insight(insight, theme=insight.theme, title="Changed by Fran", source=insight.source,
                            evidence="", user=world.facilitator, expected_version=seen)
    db.session.commit()
    assert insight.version == seen + 1
    for stale in (seen, None):
        with pytest.raises(services.StaleInsight) as raised:
            services.update_insight(insight, theme=insight.theme, title="Changed by Team A", source=insight.source,
                                    evidence="", user=world.team_a, expected_version=stale)
        assert raised.value.insight.title == "Changed by Fran"
        db.session.rollback()
    assert db.session.get(Insight, insight.id).title == "Changed by Fran"


def test_answering_with_an_idea_makes_one_under_the_chosen_opportunity_linked_back(world):
    insight = add(world.org_a, "Communication", "Customers cannot always get through on the phone")
    card = services.answer_with_idea(insight, world.opportunity_a, user=world.team_a)
    db.session.commit()
    assert (card.kind, card.opportunity_id, card.column, card.organisation_id) == (
        Kind.IDEA, world.opportunity_a.id, RoadmapColumn.BACKLOG, world.org_a.id)
    assert card.number == 2  # idea 1 is the world's idea A, in the same lane
    assert card.title == "Customers cannot always get through on the phone"
    assert services.insights_answered_by(card) == [(insight, None)]
    assert [c.id for c in services.answers_of([insight.id])[insight.id].cards] == [card.id]
    assert [o.id for o in services.idea_choices(insight)] == [world.opportunity_a.id]


def test_an_idea_needs_an_opportunity_of_the_insights_own_organisation_and_a_current_insight(world):
    insight = add(world.org_a, "Communication", "Customers cannot get through")
    count = db.session.scalar(select(func.count()).select_from(Card))
    with pytest.raises(services.InsightError, match="Choose a design opportunity of this organisation"):
        services.answer_with_idea(insight, world.opportunity_b, user=world.team_a)
    services.archive_insight(insight, user=None)
    with pytest.raises(services.InsightError, match="archived"):
        services.answer_with_idea(insight, world.opportunity_a, user=world.team_a)
    assert db.session.scalar(select(func.count()).select_from(Card)) == count
