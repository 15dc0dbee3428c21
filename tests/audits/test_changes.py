"""Changing a template's parts (never an audit already started), and removing cases, findings and audits."""

from datetime import date

from sqlalchemy import func, select

from tests.audits.conftest import make_sample
from tracker.audits import results as scoring
from tracker.audits import services
from tracker.audits.models import (
    Audit,
    AuditAnswer,
    AuditCase,
    AuditElement,
    AuditFinding,
    AuditFindingCard,
    AuditItem,
    AuditScore,
    AuditStage,
    FindingKind,
    TemplateElement,
    TemplateItem,
)
from tracker.board.models import Card
from tracker.extensions import db


def _audit_copy(audit):
    """The audit's own stages, elements (with maximum) and items, as plain values."""
    return [(s.title, [(e.title, e.max_score, [i.text for i in e.items]) for e in s.elements]) for s in audit.stages]


def _started(world):
    template = services.load_seed_template(world.programme)
    audit = services.start_audit(world.org_b, template, title="Started", started_on=date(2021, 8, 18))
    db.session.commit()
    return template, audit


# --- services ------------------------------------------------------------------------------------


def test_moving_parts_up_and_down(world):
    template, _audit = _started(world)
    first, second, third = template.stages
    assert services.move_part(first, "down") is True
    assert [s.id for s in sorted(template.stages, key=lambda s: s.position)] == [second.id, first.id, third.id]
    assert services.move_part(second, "up") is False  # already first: nothing moves
    assert services.move_part(third, "down") is False
    php = template.stages[1].elements[2]
    items = list(php.items)
    services.move_part(items[2], "up")
    assert [i.position for i in items] == [0, 2, 1]
    element = template.stages[0].elements[4]
    services.move_part(element, "up")
    assert (element.position, template.stages[0].elements[3].position) == (3, 4)


def test_a_direction_other_than_up_or_down_is_refused(world):
    template, _audit = _started(world)
    try:
        services.move_part(template.stages[0], "sideways")
    except services.AuditError:
        pass
    else:
        raise AssertionError("moved sideways")


def test_removing_parts_closes_the_gap(world):
    template, _audit = _started(world)
    stage_ids = [s.id for s in template.stages]
    services.remove_part(template.stages[0])
    db.session.commit()
    db.session.expire_all()
    stages = services.template_stages(template)
    assert [(s.id, s.position) for s in stages] == [(stage_ids[1], 0), (stage_ids[2], 1)]
    # The removed stage's 5 elements and their 4 items went with it: 10 - 5 = 5 elements, 10 - 4 = 6 items.
    assert db.session.scalar(select(func.count()).select_from(TemplateElement)) == 5
    assert db.session.scalar(select(func.count()).select_from(TemplateItem)) == 6
    php = stages[0].elements[2]
    services.remove_part(php.items[1])
    assert [(i.text[:10], i.position) for i in php.items] == [("Timescales", 0), ("Contact de", 1)]
    services.remove_part(stages[0].elements[0])
    assert [e.position for e in stages[0].elements] == [0, 1]
    assert services.template_total(template) == 1 + 10 + 4 + 3


def test_changing_the_template_never_changes_an_audit_already_started(world):
    template, audit = _started(world)
    before = _audit_copy(audit)
    total_before = sum(e.max_score for e in services.elements_of(audit))
    services.update_stage(template.stages[0], "Renamed stage")
    services.update_element(template.stages[0].elements[0], "Renamed element", 7)
    services.update_item(template.stages[1].elements[2].items[0], "Renamed item")
    services.move_part(template.stages[0], "down")
    services.move_part(template.stages[2].elements[0], "down")
    services.remove_part(template.stages[2])
    services.remove_part(template.stages[0].elements[1].items[0])  # current circumstances' one item
    db.session.commit()
    db.session.expire_all()
    audit = db.session.get(Audit, audit.id)
    assert _audit_copy(audit) == before
    assert sum(e.max_score for e in services.elements_of(audit)) == total_before == 27
    assert db.session.scalar(select(func.count()).select_from(AuditStage)) == 3
    assert db.session.scalar(select(func.count()).select_from(AuditElement)) == 10
    assert db.session.scalar(select(func.count()).select_from(AuditItem)) == 10
    # An audit started now takes the changed template.
    later = services.start_audit(world.org_b, template, title="Later", started_on=date(2022, 8, 18))
    assert [s.title for s in later.stages][0] == "Accurate and appropriate advice and PHP"
    assert "Renamed stage" in [s.title for s in later.stages]


def test_an_element_maximum_outside_1_to_100_is_refused(world):
    template, _audit = _started(world)
    element = template.stages[0].elements[0]
    for bad in (0, 101):
        try:
            services.update_element(element, "X", bad)
        except services.AuditError as error:
            assert error.field == "max_score"
        else:
            raise AssertionError(bad)
    assert element.max_score == 2


def test_removing_a_case_changes_the_results(world):
    audit = make_sample(world.org_b)
    before = scoring.compute(audit)
    assert (before.n, scoring.percent(before.overall.mean)) == (6, 75)
    full = db.session.scalar(select(AuditCase).where(AuditCase.audit_id == audit.id, AuditCase.number == 1))
    services.remove_case(full)  # the 27/27 case
    db.session.commit()
    after = scoring.compute(audit)
    # (21/25 + 18/20 + 20/25 + 11/22 + 13/27) / 5 = 3.5215 / 5 = 70.4%
    assert (after.n, scoring.percent(after.overall.mean)) == (5, 70)
    assert dict(after.ranges)["90%+"] == 1 and after.at_100 == 0
    assert db.session.scalar(select(func.count()).select_from(AuditScore).where(AuditScore.case_id == full.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditAnswer).where(AuditAnswer.case_id == full.id)) == 0
    assert [c.number for c in services.cases_of(audit)] == [2, 3, 4, 5, 6, 7, 8]
    assert services.add_case(audit).number == 9  # numbers are never reused


def test_a_finding_on_the_board_cannot_be_removed(world):
    audit = make_sample(world.org_b, sample=[], unscored=0)
    carded = services.add_finding(audit, FindingKind.IMPROVEMENT, "Agree timescales")
    free = services.add_finding(audit, FindingKind.IMPROVEMENT, "Record support needs")
    services.finding_to_card(carded, opportunity=None, user=world.team_b)
    db.session.commit()
    try:
        services.remove_finding(carded)
    except services.AuditError:
        pass
    else:
        raise AssertionError("a finding on the board was removed")
    services.remove_finding(free)
    db.session.commit()
    assert [f.text for f in services.findings_of(audit)] == ["Agree timescales"]


def test_removing_an_audit_keeps_its_cards_without_the_link(world):
    audit = make_sample(world.org_b)
    other = make_sample(world.org_b, title="Another", sample=[], unscored=1)
    finding = services.add_finding(audit, FindingKind.IMPROVEMENT, "Agree timescales")
    card = services.finding_to_card(finding, opportunity=None, user=world.team_b)
    db.session.commit()
    audit_id, card_id = audit.id, card.id
    services.remove_audit(audit)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Audit, audit_id) is None
    assert db.session.get(Card, card_id) is not None
    assert db.session.scalar(select(func.count()).select_from(AuditFindingCard)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditFinding)) == 0
    for model in (AuditCase, AuditStage, AuditElement, AuditItem):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.audit_id == audit_id)) == 0
    assert len(services.cases_of(other)) == 1  # the other audit is untouched
    assert services.elements_of(other)


# --- requests ------------------------------------------------------------------------------------


def test_change_a_template_through_its_pages(client, login, world):
    template, audit = _started(world)
    before = _audit_copy(audit)
    login(client, world.facilitator)
    stage, element = template.stages[0], template.stages[0].elements[0]
    item = template.stages[1].elements[2].items[0]
    page = client.get(f"/audit-templates/{template.id}")
    assert f'/audit-template-stages/{stage.id}/edit"'.encode() in page.data
    assert f'/audit-template-items/{item.id}/remove"'.encode() in page.data
    assert b"Move down" in page.data
    assert b"keep their own copy" in client.get(f"/audit-template-stages/{stage.id}/edit").data
    bad = client.post(f"/audit-template-stages/{stage.id}/edit", data={"title": " "})
    assert bad.status_code == 422 and b"Enter a stage title" in bad.data
    assert client.post(f"/audit-template-stages/{stage.id}/edit", data={"title": "Facts"}).status_code == 302
    bad = client.post(f"/audit-template-elements/{element.id}/edit", data={"title": "Details", "max_score": "101"})
    assert bad.status_code == 422 and b"There is a problem" in bad.data
    assert b'value="Details"' in bad.data  # what was typed stays
    client.post(f"/audit-template-elements/{element.id}/edit", data={"title": "Details", "max_score": "5"})
    bad = client.post(f"/audit-template-items/{item.id}/edit", data={"text": ""})
    assert bad.status_code == 422
    client.post(f"/audit-template-items/{item.id}/edit", data={"text": "Timescales agreed"})
    assert (stage.title, element.title, element.max_score, item.text) == ("Facts", "Details", 5, "Timescales agreed")
    assert client.post(f"/audit-template-stages/{stage.id}/move", data={"direction": "sideways"}).status_code == 400
    assert client.post(f"/audit-template-stages/{stage.id}/move", data={"direction": "down"}).status_code == 302
    assert stage.position == 1
    client.post(f"/audit-template-items/{item.id}/move", data={"direction": "down"})
    assert item.position == 1
    client.post(f"/audit-template-elements/{element.id}/move", data={"direction": "down"})
    assert element.position == 1
    confirm = client.get(f"/audit-template-stages/{stage.id}/remove")
    assert b"Are you sure you want to remove the stage Facts?" in confirm.data
    assert b"Audits already started from this template keep their own copy" in confirm.data
    assert b"Are you sure" in client.get(f"/audit-template-elements/{element.id}/remove").data
    assert b"Are you sure" in client.get(f"/audit-template-items/{item.id}/remove").data
    assert client.post(f"/audit-template-items/{item.id}/remove", data={}).status_code == 302
    assert client.post(f"/audit-template-stages/{stage.id}/remove", data={}).status_code == 302
    db.session.expire_all()
    assert len(services.template_stages(template)) == 2
    assert _audit_copy(db.session.get(Audit, audit.id)) == before


def test_team_members_cannot_change_a_template(client, login, world):
    template, _audit = _started(world)
    login(client, world.team_b)
    stage = template.stages[0]
    assert client.get(f"/audit-template-stages/{stage.id}/edit").status_code == 403
    assert client.post(f"/audit-template-stages/{stage.id}/remove", data={}).status_code == 403
    assert len(services.template_stages(template)) == 3


def test_remove_a_case_through_its_confirmation(client, login, world, sample):
    login(client, world.team_b)
    case = db.session.scalar(select(AuditCase).where(AuditCase.audit_id == sample.id, AuditCase.number == 1))
    assert f"/audit-cases/{case.id}/remove".encode() in client.get(f"/audit-cases/{case.id}").data
    confirm = client.get(f"/audit-cases/{case.id}/remove")
    assert b"Are you sure you want to remove Case 1?" in confirm.data
    assert b"Overall mean score (n=6): 75%" in client.get(f"/audits/{sample.id}/results").data
    response = client.post(f"/audit-cases/{case.id}/remove", data={})
    assert response.headers["Location"].endswith(f"/audits/{sample.id}")
    assert b"Overall mean score (n=5): 70%" in client.get(f"/audits/{sample.id}/results").data
    assert client.get(f"/audit-cases/{case.id}/remove").status_code == 404


def test_remove_a_finding(client, login, world, sample):
    carded = services.add_finding(sample, FindingKind.IMPROVEMENT, "Agree timescales")
    free = services.add_finding(sample, FindingKind.POSITIVE, "Advice clear")
    services.finding_to_card(carded, opportunity=None, user=world.team_b)
    db.session.commit()
    login(client, world.team_b)
    page = client.get(f"/audits/{sample.id}/findings")
    assert f"/audit-findings/{free.id}/remove".encode() in page.data
    assert f"/audit-findings/{carded.id}/remove".encode() not in page.data
    assert b"Are you sure you want to remove the finding Advice clear?" in \
        client.get(f"/audit-findings/{free.id}/remove").data
    refused = client.post(f"/audit-findings/{carded.id}/remove", data={}, follow_redirects=True)
    assert b"This finding is on the board, so it cannot be removed" in refused.data
    client.post(f"/audit-findings/{free.id}/remove", data={})
    assert [f.text for f in services.findings_of(sample)] == ["Agree timescales"]


def test_remove_an_audit(client, login, world, sample):
    finding = services.add_finding(sample, FindingKind.IMPROVEMENT, "Agree timescales")
    card = services.finding_to_card(finding, opportunity=None, user=world.team_b)
    db.session.commit()
    card_id, audit_id = card.id, sample.id
    login(client, world.viewer_b)
    assert client.get(f"/audits/{audit_id}/remove").status_code == 403
    assert b"Remove this audit" not in client.get(f"/audits/{audit_id}").data
    login(client, world.team_b)
    assert b"Remove this audit" in client.get(f"/audits/{audit_id}").data
    confirm = client.get(f"/audits/{audit_id}/remove")
    assert b"Are you sure you want to remove the audit Baseline audit?" in confirm.data
    assert b"Its 8 cases" in confirm.data and b"Cards made from its findings stay on the board" in confirm.data
    response = client.post(f"/audits/{audit_id}/remove", data={})
    assert response.headers["Location"].endswith(f"/programmes/{world.programme.slug}/{world.org_b.slug}/audits")
    db.session.expire_all()
    assert db.session.get(Audit, audit_id) is None
    card_page = client.get(f"/cards/{card_id}")
    assert card_page.status_code == 200 and b"Case file audit: Baseline audit" not in card_page.data


# --- charts --------------------------------------------------------------------------------------


def test_bar_chart_scales_shares_to_the_plot():
    from fractions import Fraction

    from tracker.audits import chart

    built = chart.build([("90%+", Fraction(2, 6)), ("Below 50%", Fraction(0)), ("None", None)])
    plot = chart.WIDTH - chart.LEFT - chart.RIGHT  # 424
    assert [(b.width, b.value) for b in built.bars] == [(round(plot / 3, 1), "33%"), (0.0, "0%"), (0.0, "–")]
    assert [label for _x, label in built.ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert chart.build([("Stage", None)]) is None
    assert chart.build([("x" * 80, Fraction(1))]).bars[0].label == "x" * 61 + "…"


def test_results_page_draws_its_charts_beside_the_tables(client, login, world):
    audit = make_sample(world.org_b)
    login(client, world.viewer_b)
    page = client.get(f"/audits/{audit.id}/results").get_data(as_text=True)
    assert page.count('role="img"') == 2 and "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'aria-labelledby="ranges-chart-title ranges-chart-desc"' in page
    assert "Share of cases in each score range" in page and "Pooled score for each stage" in page
    assert "the same figures are in the table below" in page
    svg = page.split('id="stages-chart-title"', 1)[1].split("</svg>", 1)[0]
    assert "style=" not in svg
    # Stage 1 pools 32 of 41 possible = 78%; ranges: 2 of 6 cases at 90%+ = 33%.
    assert ">78%</text>" in svg
    ranges = page.split('id="ranges-chart-title"', 1)[1].split("</svg>", 1)[0]
    assert ">33%</text>" in ranges
    empty = make_sample(world.org_b, title="Empty", sample=[], unscored=1)
    assert 'role="img"' not in client.get(f"/audits/{empty.id}/results").get_data(as_text=True)
