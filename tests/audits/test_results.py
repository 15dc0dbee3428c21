"""The results, checked figure by figure against values worked out by hand (see conftest's SAMPLE)."""

from decimal import Decimal
from fractions import Fraction as F

from tests.audits.conftest import NA, SAMPLE, count_statements, make_sample
from tracker.audits import results, services
from tracker.audits.models import AttributeKind
from tracker.extensions import db

SHARES = [F(27, 27), F(21, 25), F(18, 20), F(20, 25), F(11, 22), F(13, 27)]


def test_each_case_is_a_percentage_of_its_possible_score(sample):
    figures = results.compute(sample)
    assert [(c.score, c.possible) for c in figures.counted] == [(27, 27), (21, 25), (18, 20), (20, 25), (11, 22),
                                                                (13, 27)]
    assert figures.cases_total == 8
    assert figures.excluded == 1  # every element not applicable: neither 0% nor 100%
    assert figures.unscored == 1
    assert figures.n == 6


def test_overall_mean_is_the_mean_of_case_percentages(sample):
    figures = results.compute(sample)
    assert figures.overall.mean == (1 + F(21, 25) + F(9, 10) + F(4, 5) + F(1, 2) + F(13, 27)) / 6
    assert results.percent(figures.overall.mean) == 75  # 0.75358…
    assert figures.overall.n == 6


def test_ranges_at_their_boundaries(sample):
    figures = results.compute(sample)
    # 100% and exactly 90% are 90%+; 84% and exactly 80% are 80–89%; exactly 50% is 50–79%; 48.1% is below 50%.
    assert [count for _label, count in figures.ranges] == [2, 2, 1, 1]
    assert figures.at_100 == 1 and figures.at_90 == 2
    assert results.percent(figures.share_of(figures.at_100)) == 17  # 1 of 6
    assert results.percent(figures.share_of(figures.at_90)) == 33  # 2 of 6


def _groups(figures, key):
    return {g.label: (g.n, results.percent(g.mean)) for g in figures.groups[key]}


def test_group_means_with_their_n(sample):
    figures = results.compute(sample)
    assert _groups(figures, "case_type") == {"Section 66": (3, 77), "Section 73": (3, 73)}
    assert figures.groups["case_type"][0].mean == (1 + F(21, 25) + F(13, 27)) / 3
    assert _groups(figures, "household") == {"Family": (2, 90), "Single": (4, 68)}
    assert _groups(figures, "outcome") == {"Successful": (1, 100), "Application refused": (1, 90),
                                           "Non-cooperation": (1, 80), "Withdrawn": (1, 84),
                                           "Withdrawn – Loss of contact": (1, 50), "Other": (1, 48)}
    assert _groups(figures, "outcome_group") == {"Successful": (1, 100), "Falling out": (5, 70)}
    assert _groups(figures, "year") == {"18/19": (2, 92), "19/20": (2, 69), "20/21": (2, 65)}


def test_stages_and_elements_are_pooled(sample):
    figures = results.compute(sample)
    assert [(s.score, s.possible) for s in figures.stages] == [(32, 41), (50, 70), (28, 35)]
    assert [results.percent(s.share) for s in figures.stages] == [78, 71, 80]
    by_title = {e.label: (e.score, e.possible) for e in figures.elements}
    assert by_title["Health/ support"] == (7, 12)
    assert by_title["S68 interim accommodation"] == (6, 6)
    assert by_title["Relevant notification sent"] == (4, 5)
    lowest = [(e.label[:20], results.percent(e.share)) for e in figures.lowest_elements]
    assert lowest == [("Health/ support", 58), ("Signposting/ referra", 60), ("Develop tailored PHP", 70),
                      ("Prompt, timely, effi", 75), ("Relevant notificatio", 80)]


def test_checklist_items_yes_over_yes_and_no(sample):
    figures = results.compute(sample)
    items = {i.label[:20]: (i.score, i.possible) for i in figures.items}
    # The all-N/A case's "yes" is left out with the case; a not-applicable answer counts in neither.
    assert items["Timescales agreed fo"] == (1, 5)
    assert items["Record of types of s"] == (2, 3)
    assert [(i.label[:10], results.percent(i.share)) for i in figures.lowest_items] == [
        ("Timescales", 20), ("Record of ", 67)]


def test_a_sample_where_nothing_applies_has_no_figures(world):
    audit = make_sample(world.org_a, sample=[("Section 66", "Single", "Other", "19/20", [NA] * 10, {})], unscored=0)
    figures = results.compute(audit)
    assert figures.n == 0 and figures.excluded == 1
    assert figures.overall.mean is None
    assert [count for _label, count in figures.ranges] == [0, 0, 0, 0]
    assert all(s.share is None for s in figures.stages)


def test_cases_without_a_value_are_not_recorded(world):
    audit = make_sample(world.org_a, sample=[], unscored=0)
    case = services.add_case(audit)
    services.score_case(case, scores={e.id: e.max_score for e in services.elements_of(audit)}, answers={})
    figures = results.compute(audit)
    assert _groups(figures, "case_type") == {"Section 66": (0, None), "Section 73": (0, None),
                                             "Not recorded": (1, 100)}


def test_percent_rounds_half_up():
    assert results.percent(F(1, 8)) == 13  # 12.5
    assert results.percent(F(2, 3), 1) == Decimal("66.7")
    assert results.percent(None) is None


def test_change_since_the_baseline(world, sample):
    later = make_sample(world.org_b, title="Second audit", started_on=sample.started_on.replace(year=2022),
                        sample=[("Section 66", "Family", "Successful", "20/21", [2, 1, 2, 2, 1, 1, 1, 10, 4, 3], {})],
                        unscored=0)
    assert services.baseline_of(later).id == sample.id
    assert services.baseline_of(sample) is None
    changes = results.compare(results.compute(sample), results.compute(later))
    assert [(c.then and results.percent(c.then), results.percent(c.now), c.points) for c in changes] == [
        (75, 100, 25), (78, 100, 22), (71, 100, 29), (80, 100, 20)]


def test_statements_do_not_grow_with_cases(world):
    small = make_sample(world.org_a, unscored=0)
    big = make_sample(world.org_b, sample=SAMPLE * 4, unscored=3)
    db.session.rollback()
    first = count_statements(lambda: results.compute(db.session.get(type(small), small.id)))
    db.session.rollback()
    second = count_statements(lambda: results.compute(db.session.get(type(big), big.id)))
    assert first == second <= 10  # the transaction, the audit, then eight reads


def test_attribute_kinds_have_labels():
    assert [str(k.label) for k in AttributeKind] == ["Case type", "Household type", "Logged outcome", "Year assessed"]
