"""Survey questions feeding the results tracker: linking a question to an indicator, the figures a closed
wave offers (only organisations shown under the minimum group rule), the preview and the confirmation."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.surveys.test_results import respond, respond_alike
from tracker.core import clock
from tracker.extensions import db
from tracker.results import services
from tracker.results.models import Direction, Figure, FigureChange, Unit
from tracker.surveys import feed, results
from tracker.surveys.models import Question, QuestionKind

#: Wave 1 (1 to 14 January 2026) has closed; wave 2 (1 to 14 April) has not opened.
AFTER_WAVE_1 = datetime(2026, 2, 1, 12)


@pytest.fixture
def indicators(world):
    objective = services.create_objective(world.programme, "Staff take to the changes")
    outcome = services.create_outcome(objective, "Staff find the standards help")
    share = services.create_indicator(outcome, name="% of staff who agree the standards help", unit=Unit.PROPORTION,
                                      numerator_label="agree", denominator_label="answered",
                                      direction=Direction.INCREASE, target=Decimal("70"))
    count = services.create_indicator(outcome, name="Staff using the templates", unit=Unit.COUNT)
    flag = services.create_indicator(outcome, name="Standards adopted", unit=Unit.YES_NO)
    db.session.commit()
    return share, count, flag


def test_linking_checks_the_question_the_indicator_and_the_answers(world, survey, indicators, app):
    share, count, flag = indicators
    likert, scale, single, multiple, text = survey.questions
    with app.test_request_context():
        feed.link(likert, share, [5, 4, 4])
        assert likert.indicator_id == share.id and likert.indicator_values == [4, 5]
        assert feed.counted_labels(likert) == ["Agree", "Strongly agree"]
        for question, indicator, values, message in [
                (text, share, [1], "Only a question whose answers can be counted"),
                (likert, flag, [4], "Choose a count or a proportion indicator"),
                (likert, share, [], "Choose the answers that count"),
                (likert, share, [6], "Choose answers from the list"),
                (single, share, [3], "Choose answers from the list")]:
            with pytest.raises(feed.FeedError, match=message):
                feed.link(question, indicator, values)
        feed.link(likert, None, [])
        assert likert.indicator_id is None and likert.indicator_values == []
        assert [i.id for i in feed.linkable_indicators(world.programme)] == [share.id, count.id]


def test_an_indicator_of_another_programme_is_refused(world, survey, app):
    from tests import factories

    other = factories.make_programme(world.facilitator, name="Other programme")
    objective = services.create_objective(other, "Elsewhere")
    outcome = services.create_outcome(objective, "Elsewhere")
    elsewhere = services.create_indicator(outcome, name="Elsewhere", unit=Unit.COUNT)
    with app.test_request_context(), pytest.raises(feed.FeedError, match="Choose an indicator of this programme"):
        feed.link(survey.questions[0], elsewhere, [4])


def test_the_period_is_the_one_that_contains_the_closing_date(world, survey):
    assert feed.wave_period(survey.waves[0]).number == 1  # 14 January 2026: 0–3 months
    survey.waves[1].closes_on = date(2026, 7, 2)
    assert feed.wave_period(survey.waves[1]).number == 3
    assert feed.wave_period(survey.waves[4]) is None  # 14 January 2027: after the evaluation's last period


def test_a_proportion_counts_respondents_giving_a_counted_answer(world, survey, indicators, app):
    share, count, _flag = indicators
    likert, scale, single, multiple, text = survey.questions
    wave = survey.waves[0]
    with app.test_request_context():
        feed.link(likert, share, [4, 5])
        feed.link(multiple, count, [0, 2])
    respond_alike(wave, world.org_a, survey, 4, likert=5, multiple=(0, 2))  # counted once each, not twice
    respond_alike(wave, world.org_a, survey, 2, likert=3, multiple=(1,))
    respond(wave, world.org_a, {likert: None, multiple: [2]})  # did not answer the Likert question
    respond_alike(wave, world.org_b, survey, 5, likert=4, multiple=())
    db.session.commit()
    with app.test_request_context(), clock.frozen(AFTER_WAVE_1):
        shown = feed.preview(wave)
    assert shown.problem is None and shown.period.number == 1
    figures = {(row.indicator.id, row.organisation.name): (row.numerator, row.denominator, row.status)
               for row in shown.rows}
    assert figures == {
        (share.id, "Council A"): (4, 6, "new"), (share.id, "Council B"): (5, 5, "new"),
        (count.id, "Council A"): (5, 7, "new"),  # B's multiple choice: nobody answered it
    }
    assert [(s.question.id, s.organisation.name) for s in shown.skipped] == [(multiple.id, "Council B")]
    row = next(r for r in shown.rows if r.indicator.id == share.id and r.organisation.name == "Council A")
    assert row.shown == "66.7% (4/6)" and row.values.source == "Staff survey, wave 1"


def test_only_organisations_shown_under_the_rule_are_offered(world, survey, indicators, app):
    """A below the minimum, and B hidden with it (the survey's total minus B would be A): nothing is offered,
    so the tracker's total cannot be set against the survey's."""
    share, _count, _flag = indicators
    wave = survey.waves[0]
    with app.test_request_context():
        feed.link(survey.questions[0], share, [4, 5])
    respond_alike(wave, world.org_a, survey, 3)
    respond_alike(wave, world.org_b, survey, 9)
    db.session.commit()
    with app.test_request_context(), clock.frozen(AFTER_WAVE_1):
        shown = feed.preview(wave)
        reasons = {s.organisation.name: s.reason for s in shown.skipped}
    assert shown.rows == []
    assert reasons["Council A"] == "Fewer than 5 responses: results hidden to protect anonymity"
    assert reasons["Council B"].startswith("Hidden to protect anonymity")


def test_an_open_wave_or_a_wave_outside_the_periods_offers_nothing(world, survey, indicators, app):
    share, _count, _flag = indicators
    with app.test_request_context():
        feed.link(survey.questions[0], share, [4, 5])
        with clock.frozen(datetime(2026, 1, 10, 12)):
            assert "is not closed yet" in feed.preview(survey.waves[0]).problem
        with clock.frozen(datetime(2027, 3, 1, 12)):
            assert "No reporting period" in feed.preview(survey.waves[4]).problem
            with pytest.raises(feed.FeedError):
                feed.confirm(survey.waves[4], "x", user=world.facilitator)


def test_confirming_enters_the_figures_once_and_shows_changes(world, survey, indicators, app):
    share, _count, _flag = indicators
    wave = survey.waves[0]
    with app.test_request_context():
        feed.link(survey.questions[0], share, [4, 5])
    respond_alike(wave, world.org_a, survey, 6, likert=4)
    respond_alike(wave, world.org_b, survey, 5, likert=2)
    # B's figure was entered by hand before, with a note that stays.
    with clock.frozen(AFTER_WAVE_1):
        by_hand = services.FigureValues(numerator="1", denominator="4", note="By hand")
        services.save_figure(share, world.org_b, 1, by_hand, user=world.team_b, today=clock.today())
    db.session.commit()
    with app.test_request_context(), clock.frozen(AFTER_WAVE_1):
        shown = feed.preview(wave)
        assert {r.organisation.name: r.status for r in shown.rows} == {"Council A": "new", "Council B": "changed"}
        changed = next(r for r in shown.rows if r.status == "changed")
        assert changed.current == "25.0% (1/4)" and changed.shown == "0.0% (0/5)"
        with pytest.raises(feed.StaleFeed):
            feed.confirm(wave, "not the preview", user=world.facilitator)
        assert feed.confirm(wave, shown.fingerprint, user=world.facilitator) == 2
        db.session.commit()
        again = feed.preview(wave)
    assert {r.status for r in again.rows} == {"unchanged"} and again.to_write == []
    b = db.session.scalar(select(Figure).where(Figure.indicator_id == share.id,
                                               Figure.organisation_id == world.org_b.id))
    assert (b.numerator, b.denominator, b.note, b.source) == (0, 5, "By hand", "Staff survey, wave 1")
    assert db.session.scalar(select(FigureChange.via).where(FigureChange.figure_id == b.id)
                             .order_by(FigureChange.id.desc()).limit(1)) == "survey"


def test_one_indicator_fed_by_two_questions_takes_the_first(world, survey, indicators, app):
    share, _count, _flag = indicators
    wave = survey.waves[0]
    likert, scale = survey.questions[:2]
    with app.test_request_context():
        feed.link(likert, share, [4, 5])
        feed.link(scale, share, [9, 10])
    respond_alike(wave, world.org_a, survey, 5)
    db.session.commit()
    with app.test_request_context(), clock.frozen(AFTER_WAVE_1):
        shown = feed.preview(wave)
        assert {r.question.id for r in shown.rows} == {likert.id}
        assert any(s.question.id == scale.id and s.organisation is None and "already gives" in s.reason
                   for s in shown.skipped)


def test_what_the_tracker_receives_never_reveals_a_hidden_organisation(world, survey, indicators, app):
    """The survey's total minus the tracker's total (over the organisations offered) is a group of at least
    the minimum, or nobody."""
    from tracker.programmes import services as programmes

    share, _count, _flag = indicators
    org_c = programmes.add_organisation(world.programme, "Council C")
    wave = survey.waves[0]
    with app.test_request_context():
        feed.link(survey.questions[0], share, [4, 5])
    respond_alike(wave, world.org_a, survey, 12)
    respond_alike(wave, world.org_b, survey, 7)
    respond_alike(wave, org_c, survey, 2)
    db.session.commit()
    with app.test_request_context(), clock.frozen(AFTER_WAVE_1):
        shown = feed.preview(wave)
    offered = sum(row.denominator for row in shown.rows)
    counts = results.load_counts([wave.id])[wave.id]
    total = sum(counts.answered_by_org(survey.questions[0].id).values())
    assert [r.organisation.name for r in shown.rows] == ["Council A"]
    assert total - offered >= 5


def test_questions_that_cannot_feed(survey):
    assert not feed.can_feed(survey.questions[4])
    assert all(feed.can_feed(q) for q in survey.questions[:4])
    assert feed.can_feed(Question(kind=QuestionKind.SINGLE, text="x"))
