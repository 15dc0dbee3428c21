"""Survey results: the minimum group rule (every cell, free text, complementary cells), distributions,
means, eNPS, trends, and the SQL aggregates they come from.

The rule is checked property-based (SECURITY.md item 19): hypothesis draws random cohorts (organisations
with random numbers of responses, optional questions answered by some, random answers) and random
minimums; for every view a person can have (every organisation, or one organisation, and always the
totals), nothing shown — a cell, a list of free text, or any group that can be worked out by adding and
subtracting shown groups — concerns 1 to minimum − 1 respondents.
"""

import itertools
import uuid
from collections import Counter
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tracker.extensions import db
from tracker.programmes import services as programmes
from tracker.surveys import results
from tracker.surveys.models import Answer, Question, QuestionKind, Response, Survey
from tracker.surveys.results import Hidden, suppress

# --- helpers shared with the other results tests -----------------------------------------------------


def respond(wave, org, answers: dict, *, response_id: str | None = None) -> Response:
    """Add one response of ``org`` to ``wave`` (flushed, not committed): ``answers`` maps a question to its
    answer: a value, a list of option indexes (multiple choice), a text, or ``None`` for no answer."""
    rows = []
    for question, answer in answers.items():
        if answer is None or answer == []:
            continue
        if question.kind == QuestionKind.TEXT:
            rows.append(Answer(question_id=question.id, item=0, value=None, text=answer))
        elif question.kind == QuestionKind.MULTIPLE:
            rows += [Answer(question_id=question.id, item=i, value=i) for i in sorted(set(answer))]
        else:
            rows.append(Answer(question_id=question.id, item=0, value=answer))
    response = Response(id=response_id or uuid.uuid4().hex, wave_id=wave.id, organisation_id=org.id,
                        submitted_on=wave.opens_on, answers=rows)
    db.session.add(response)
    db.session.flush()
    return response


def respond_alike(wave, org, survey: Survey, n: int, *, likert=4, scale=9, single=0, multiple=(0,), text="Fine"):
    """``n`` responses of ``org`` answering every question of the standard test survey the same way."""
    likert_q, scale_q, single_q, multiple_q, text_q = survey.questions[:5]
    for i in range(n):
        respond(wave, org, {likert_q: likert, scale_q: scale, single_q: single, multiple_q: list(multiple),
                            text_q: f"{text} {i + 1}" if text else None})


# --- the rule on its own -----------------------------------------------------------------------------


def test_an_organisation_below_the_minimum_is_hidden_and_its_complement_too():
    # B has 3: hidden. The total (13) minus A would be B, so A is hidden as well; the total is shown.
    decision = suppress({1: 10, 2: 3}, 5)
    assert decision.shown == frozenset()
    assert decision.hidden == {1: Hidden.COMPLEMENT, 2: Hidden.FEW_RESPONSES}
    assert decision.total_shown


def test_the_smallest_shown_organisation_goes_first_then_the_lowest_id():
    decision = suppress({1: 10, 2: 7, 3: 3}, 5)
    assert decision.shown == {1} and decision.hidden[2] == Hidden.COMPLEMENT
    decision = suppress({4: 7, 2: 7, 3: 3, 1: 20}, 5)
    assert decision.shown == {1, 4} and decision.hidden[2] == Hidden.COMPLEMENT


def test_hidden_organisations_that_add_up_to_the_minimum_need_no_more():
    decision = suppress({1: 10, 2: 3, 3: 2}, 5)
    assert decision.shown == {1} and set(decision.hidden) == {2, 3} and decision.total_shown


def test_a_wave_below_the_minimum_shows_nothing():
    decision = suppress({1: 4}, 5)
    assert decision.shown == frozenset() and not decision.total_shown and decision.hidden == {1: Hidden.FEW_RESPONSES}
    assert not suppress({}, 5).total_shown


def test_organisations_without_answers_are_neither_shown_nor_hidden():
    decision = suppress({1: 0, 2: 6}, 5)
    assert decision.shown == {2} and decision.hidden == {} and decision.total_shown


def test_an_optional_question_answered_by_too_few_is_hidden_though_the_organisation_has_enough():
    decision = suppress({1: 4, 2: 9}, 5, responses={1: 12, 2: 12})
    assert decision.hidden[1] == Hidden.FEW_ANSWERS
    # 4 hidden answers: the total would give them away, so organisation 2 goes too.
    assert decision.hidden[2] == Hidden.COMPLEMENT and decision.total_shown


def test_the_minimum_is_never_below_three(world):
    world.programme.survey_min_group = 1
    assert results.minimum_group(world.programme) == 3
    world.programme.survey_min_group = 7
    assert results.minimum_group(world.programme) == 7


def test_messages_name_the_minimum(app):
    with app.test_request_context():
        assert results.hidden_message(Hidden.FEW_RESPONSES, 5) == (
            "Fewer than 5 responses: results hidden to protect anonymity")
        assert "Fewer than 5 answers to this question" in results.hidden_message(Hidden.FEW_ANSWERS, 5)
        assert "fewer than 4" in results.hidden_message(Hidden.COMPLEMENT, 4)


# --- every view, every derivable group: property-based -----------------------------------------------


def derivable(published: list[frozenset]) -> set[frozenset]:
    """Every group an onlooker can work out from published aggregates over groups of organisations: their
    sums (disjoint groups) and differences (a group inside another), to a fixed point."""
    known = {group for group in published if group}
    while True:
        found = set()
        for a, b in itertools.permutations(known, 2):
            if b < a:
                found.add(a - b)
            if not a & b:
                found.add(a | b)
        if found <= known:
            return known
        known |= found


def views(decision, organisations) -> list[list[frozenset]]:
    """What each kind of person sees of one question: everything (facilitators, programme-wide viewers),
    or one organisation (team members, single-organisation viewers), each with the total if shown; and
    all of them put together."""
    total = [frozenset(organisations)] if decision.total_shown else []
    everything = [frozenset({org}) for org in decision.shown] + total
    singles = [[frozenset({org})] if org in decision.shown else [] for org in organisations]
    return [everything, *[single + total for single in singles]]


def check_views(decision, sizes: dict[int, int], minimum: int) -> None:
    with_answers = [org for org, n in sizes.items() if n > 0]
    for view in views(decision, with_answers):
        for group in derivable(view):
            size = sum(sizes[org] for org in group)
            assert size == 0 or size >= minimum, (sizes, minimum, sorted(decision.shown), sorted(group))


cohorts = st.dictionaries(st.integers(1, 40), st.integers(0, 14), min_size=1, max_size=6)


@given(sizes=cohorts, minimum=st.integers(3, 8))
def test_no_view_reveals_a_group_below_the_minimum(sizes, minimum):
    decision = suppress(sizes, minimum)
    assert all(sizes[org] >= minimum for org in decision.shown)
    assert decision.total_shown == (sum(sizes.values()) >= minimum)
    hidden = sum(sizes[org] for org in decision.hidden)
    assert not decision.total_shown or hidden == 0 or hidden >= minimum
    check_views(decision, sizes, minimum)


@given(sizes=cohorts, minimum=st.integers(3, 8))
def test_the_rule_hides_no_more_than_it_must(sizes, minimum):
    """Below the minimum is always hidden; at or above it only one organisation at most is hidden as well."""
    decision = suppress(sizes, minimum)
    below = {org for org, n in sizes.items() if 0 < n < minimum}
    assert below <= set(decision.hidden)
    assert len(set(decision.hidden) - below) <= 1


# --- distributions, means, eNPS ------------------------------------------------------------------------


def test_a_likert_distribution_with_percentages_and_mean(survey):
    likert = survey.questions[0]
    cell = results.distribution(likert, {5: 2, 4: 5, 2: 1}, 8)
    assert [(r.label, r.count, r.percent) for r in cell.rows] == [
        ("Strongly disagree", 0, 0), ("Disagree", 1, 13), ("Neither agree nor disagree", 0, 0), ("Agree", 5, 63),
        ("Strongly agree", 2, 25)]
    assert str(cell.mean) == "4.0"  # (10 + 20 + 2) / 8
    assert results.share(cell, results.AGREE) == 88


def test_enps_is_promoters_minus_detractors(survey):
    scale = survey.questions[1]
    cell = results.distribution(scale, {10: 3, 9: 2, 8: 1, 5: 4}, 10)
    assert cell.enps == 10 and str(cell.mean) == "7.6"  # (30 + 18 + 8 + 20) / 10
    assert results.format_enps(10) == "+10" and results.format_enps(-15) == "\u221215" and results.format_enps(0) == "0"
    scale.nps = False
    assert results.distribution(scale, {10: 3}, 3).enps is None


def test_multiple_choice_percentages_are_of_respondents(survey):
    multiple = survey.questions[3]
    cell = results.distribution(multiple, {0: 4, 1: 3, 2: 1}, 5)
    assert [r.percent for r in cell.rows] == [80, 60, 20]
    assert cell.mean is None


def test_an_option_no_longer_offered_keeps_its_answers(survey, app):
    single = survey.questions[2]
    with app.test_request_context():
        cell = results.distribution(single, {0: 2, 5: 3}, 5)
        assert cell.rows[-1].label == "Option 6 (no longer offered)" and cell.rows[-1].count == 3


# --- from the database ---------------------------------------------------------------------------------


def test_counts_come_from_aggregates(world, survey):
    wave = survey.waves[0]
    likert, scale, single, multiple, text = survey.questions
    respond(wave, world.org_a, {likert: 5, scale: 10, single: 1, multiple: [0, 2], text: "Better letters"})
    respond(wave, world.org_a, {likert: 4, scale: 3, single: 1, multiple: [], text: "   "})
    respond(wave, world.org_b, {likert: 2, scale: 7, single: 0, multiple: [1], text: None})
    counts = results.load_counts([wave.id])[wave.id]
    a, b = world.org_a.id, world.org_b.id
    assert counts.responses == {a: 2, b: 1}
    assert counts.answered[(multiple.id, a)] == 1  # one respondent, two options
    assert counts.values[(multiple.id, a)] == {0: 1, 2: 1}
    assert counts.answered[(text.id, a)] == 1  # spaces are no answer
    assert (text.id, b) not in counts.answered
    assert counts.values[(likert.id, a)] == {5: 1, 4: 1}
    assert results.load_counts([]) == {}


def test_invitations_and_shared_links_are_counted(world, survey):
    from tracker.surveys.models import Invitation, WaveOrganisation

    wave = survey.waves[0]
    db.session.add_all([Invitation(wave_id=wave.id, organisation_id=world.org_a.id, email=f"p{i}@a.example",
                                   token_hash=f"{i:064d}", sent=True) for i in range(4)])
    db.session.add(WaveOrganisation(wave_id=wave.id, organisation_id=world.org_b.id, shared_token_hash="f" * 64))
    respond_alike(wave, world.org_a, survey, 3)
    counts = results.load_counts([wave.id])[wave.id]
    found = results.wave_results(survey.questions, counts, 5)
    a, b = world.org_a.id, world.org_b.id
    assert found.summary(a).invited == 4 and found.summary(a).rate == 75
    assert found.summary(b).shared and found.summary(b).rate is None
    assert found.summary(a).hidden == Hidden.FEW_RESPONSES


def test_a_retired_question_stays_where_it_has_answers(world, survey):
    from tracker.core.db import utcnow

    wave, other = survey.waves[0], survey.waves[1]
    respond_alike(wave, world.org_a, survey, 5)
    survey.questions[0].retired_dt = utcnow()
    db.session.flush()
    asked = [q.question.id for q in results.wave_results(survey.questions, results.load_counts([wave.id])[wave.id],
                                                          5).questions]
    assert survey.questions[0].id in asked
    later = results.wave_results(survey.questions, results.load_counts([other.id])[other.id], 5)
    assert survey.questions[0].id not in [q.question.id for q in later.questions]


def test_each_question_lists_its_free_text_in_its_own_order(world, survey):
    wave = survey.waves[0]
    second = Question(survey=survey, position=5, kind=QuestionKind.TEXT, text="Anything else?", required=False)
    db.session.add(second)
    db.session.flush()
    first = survey.questions[4]
    ids = [f"{n:032x}" for n in range(1, 9)]
    for n, response_id in enumerate(ids):
        respond(wave, world.org_a, {first: f"first {n}", second: f"second {n}"}, response_id=response_id)
    a = results.text_answers(wave.id, first, world.org_a.id)
    b = results.text_answers(wave.id, second, None)
    assert sorted(a) == sorted(f"first {n}" for n in range(8))
    assert [t.split()[1] for t in a] != [t.split()[1] for t in b], "two questions listed in one order"
    assert [t.split()[1] for t in a] != [str(n) for n in range(8)], "listed in response order"


def test_trends_wave_by_wave(world, survey):
    first, second = survey.waves[0], survey.waves[1]
    respond_alike(first, world.org_a, survey, 6, likert=2)
    respond_alike(first, world.org_b, survey, 2, likert=5)
    respond_alike(second, world.org_a, survey, 5, likert=4)
    respond_alike(second, world.org_b, survey, 5, likert=5)
    counts = results.load_counts([first.id, second.id])
    likert = survey.questions[0]
    points = results.trend(likert, [(1, counts[first.id]), (2, counts[second.id])], 5, world.org_b.id)
    assert [p.wave_number for p in points] == [1, 2]
    assert points[0].own.hidden == Hidden.FEW_RESPONSES and str(points[0].across.mean) == "2.8"
    assert str(points[1].own.mean) == "5.0" and str(points[1].across.mean) == "4.5"
    assert results.trend(likert, [(1, counts[first.id])], 5, None)[0].own is None


# --- random cohorts through the database ---------------------------------------------------------------


answers_of = {
    QuestionKind.LIKERT: st.one_of(st.none(), st.integers(1, 5)),
    QuestionKind.SCALE: st.one_of(st.none(), st.integers(0, 10)),
    QuestionKind.SINGLE: st.one_of(st.none(), st.integers(0, 2)),
    QuestionKind.MULTIPLE: st.lists(st.integers(0, 2), max_size=3),
    QuestionKind.TEXT: st.one_of(st.none(), st.sampled_from(["Yes", "More training", "  "])),
}


@st.composite
def db_cohorts(draw):
    sizes = draw(st.lists(st.integers(0, 9), min_size=1, max_size=4))
    kinds = [QuestionKind.LIKERT, QuestionKind.SCALE, QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TEXT]
    responses = [[{kind: draw(answers_of[kind]) for kind in kinds} for _ in range(n)] for n in sizes]
    return draw(st.integers(3, 6)), responses


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(cohort=db_cohorts())
def test_random_cohorts_through_the_database(world, cohort):
    """The aggregates match what was answered, and every cell and free-text list shown, and every group
    derivable from them, has at least the minimum."""
    minimum, per_org = cohort
    try:
        programme = world.programme
        survey = Survey(programme=programme, title="Random")
        survey.questions = [Question(position=i, kind=kind, text=str(kind), required=False,
                                     choices=["x", "y", "z"] if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
                                     else [], nps=kind == QuestionKind.SCALE)
                            for i, kind in enumerate(answers_of)]
        db.session.add(survey)
        db.session.flush()
        from tracker.surveys.models import Wave

        wave = Wave(survey=survey, number=1, opens_on=date(2026, 1, 1), closes_on=date(2026, 1, 14))
        db.session.add(wave)
        orgs = [programmes.add_organisation(programme, f"Random council {uuid.uuid4().hex[:8]}") for _ in per_org]
        db.session.flush()
        by_kind = {q.kind: q for q in survey.questions}
        for org, rows in zip(orgs, per_org, strict=True):
            for row in rows:
                respond(wave, org, {by_kind[kind]: answer for kind, answer in row.items()})
        counts = results.load_counts([wave.id])[wave.id]
        found = results.wave_results(survey.questions, counts, minimum)
        for q in found.questions:
            kind = q.question.kind
            sizes = {}
            for org, rows in zip(orgs, per_org, strict=True):
                given_answers = [row[kind] for row in rows if _answered(kind, row[kind])]
                sizes[org.id] = len(given_answers)
                cell = q.cell(org.id)
                assert cell.answered == len(given_answers)
                if cell.shown:
                    assert cell.answered >= minimum
                    if kind != QuestionKind.TEXT:
                        expected = Counter(v for a in given_answers for v in (set(a) if isinstance(a, list) else [a]))
                        assert {r.value: r.count for r in cell.rows if r.count} == dict(expected)
                    else:
                        assert len(results.text_answers(wave.id, q.question, org.id)) == cell.answered
                else:
                    assert not cell.rows and cell.mean is None and cell.enps is None
            assert q.across.shown == (sum(sizes.values()) >= minimum)
            if q.across.shown:
                assert q.across.answered == sum(sizes.values())
            check_views(q.suppression, sizes, minimum)
    finally:
        db.session.rollback()


def _answered(kind, answer) -> bool:
    if kind == QuestionKind.TEXT:
        return bool(answer and answer.strip())
    if kind == QuestionKind.MULTIPLE:
        return bool(answer)
    return answer is not None


def test_a_closed_waves_answers_are_kept_until_its_responses_change(app, world, survey):
    from sqlalchemy import event

    wave = survey.waves[0]
    respond_alike(wave, world.org_a, survey, 5, likert=4)
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        first = results.load_counts([wave.id], closed=[wave.id])[wave.id]
        cold, statements[:] = len(statements), []
        again = results.load_counts([wave.id], closed=[wave.id])[wave.id]
        warm, statements[:] = len(statements), []
        assert (cold, warm) == (5, 3) and again.values == first.values
        # Another response (any way it comes) changes the responses' signature: the answers are read again.
        respond_alike(wave, world.org_a, survey, 1, likert=1)
        statements[:] = []
        changed = results.load_counts([wave.id], closed=[wave.id])[wave.id]
        assert len(statements) == 5 and changed.values[(survey.questions[0].id, world.org_a.id)] == {4: 5, 1: 1}
        # So do as many others in their place (a database restored, a test's fresh data): the ids are random.
        for response in db.session.scalars(select(Response).where(Response.wave_id == wave.id)):
            db.session.delete(response)
        respond_alike(wave, world.org_a, survey, 6, likert=2)
        replaced = results.load_counts([wave.id], closed=[wave.id])[wave.id]
        assert replaced.values[(survey.questions[0].id, world.org_a.id)] == {2: 6}
        # An open wave is never kept.
        statements[:] = []
        results.load_counts([wave.id])
        results.load_counts([wave.id])
        assert len(statements) == 10
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
