"""The self-assessment pages through requests: each page, each form's bad input (an error summary, the
input kept, 422), and the permission decisions that the matrix cannot see from organisation B alone."""

import io

from flask_babel import refresh
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.assessments.conftest import evidence_text, make_assessment, make_toolkit
from tracker.assessments import services
from tracker.assessments.forms import QuestionForm
from tracker.assessments.models import (
    AssessmentCard,
    EvidenceKind,
    EvidenceRecord,
    EvidenceTask,
    Judgement,
    ToolkitQuestion,
)
from tracker.board.models import Card, Kind
from tracker.extensions import db


def _setup(world):
    toolkit = make_toolkit(world.programme)
    assessment = make_assessment(world.org_a, toolkit, coordinator=world.team_a, team=[world.team_a])
    questions = services.questions_of(services.load_assessment_tree(assessment.id))
    return toolkit, assessment, questions


def test_the_toolkit_pages(client, world, login):
    toolkit = make_toolkit(world.programme)
    login(client, world.viewer)
    page = client.get(f"/programmes/{world.programme.slug}/toolkits")
    assert page.status_code == 200 and b"Housing advice and homelessness" in page.data
    assert b"3 key questions" in page.data and b"Add a toolkit" not in page.data
    page = client.get(f"/toolkits/{toolkit.id}")
    text = page.get_data(as_text=True)
    assert "A1 1.1" in text and "Where to gather evidence" in text and "Written information" in text
    assert "Add a section" not in text


def test_a_facilitator_edits_the_toolkit(client, world, login):
    toolkit = make_toolkit(world.programme)
    login(client, world.facilitator)
    assert b"Add a section" in client.get(f"/toolkits/{toolkit.id}").data
    bad = client.post(f"/toolkits/{toolkit.id}/sections/new", data={"ref": "A2", "title": "  "})
    assert bad.status_code == 422 and b"Enter the section" in bad.data and b'value="A2"' in bad.data
    assert client.post(f"/toolkits/{toolkit.id}/sections/new", data={"ref": "A2", "title": "Key service issues"}
                       ).status_code == 302
    section = toolkit.sections[-1]
    db.session.refresh(section)
    assert (section.ref, section.title) == ("A2", "Key service issues")
    client.post(f"/toolkit-sections/{section.id}/headlines/new", data={"ref": "A2.1", "text": "Do we prevent?"})
    headline = section.headlines[0]
    bad = client.post(f"/toolkit-headlines/{headline.id}/questions/new", data={"documents": "Strategy"})
    assert bad.status_code == 422 and b"Enter the key question" in bad.data and b"Strategy" in bad.data
    client.post(f"/toolkit-headlines/{headline.id}/questions/new", data={
        "ref": "A2 1.1", "text": "Is there a homelessness strategy?", "documents": "The strategy",
        "interviews": "The Housing Options Manager"})
    question = db.session.scalar(select(ToolkitQuestion).where(ToolkitQuestion.ref == "A2 1.1"))
    assert question.sources == {"documents": "The strategy", "interviews": "The Housing Options Manager"}
    form = client.get(f"/toolkit-questions/{question.id}/edit").get_data(as_text=True)
    assert "The Housing Options Manager" in form
    client.post(f"/toolkit-questions/{question.id}/edit", data={"ref": "A2 1.1", "text": "Changed"})
    db.session.refresh(question)
    assert (question.text, question.sources) == ("Changed", {})
    assert client.post(f"/toolkit-headlines/{headline.id}/edit", data={"text": "x" * 1001}).status_code == 422
    assert client.post(f"/toolkit-sections/{section.id}/edit", data={"title": "Renamed"}).status_code == 302


def test_a_team_member_starts_an_assessment(client, world, login):
    toolkit = make_toolkit(world.programme)
    login(client, world.team_a)
    url = f"/programmes/{world.programme.slug}/{world.org_a.slug}/assessments/new"
    form = client.get(url).get_data(as_text=True)
    assert "Team A" in form and "Team B" not in form  # the team comes from this organisation (and the programme's)
    bad = client.post(url, data={"title": "Mine", "toolkit": "999"})
    assert bad.status_code == 422 and b"Choose a toolkit from the list" in bad.data
    response = client.post(url, data={"toolkit": str(toolkit.id), "title": "Mine", "coordinator": str(world.team_a.id),
                                      "team": [str(world.team_a.id), str(world.facilitator.id)],
                                      "starts_on": ["1", "3", "2026"]})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mine" in page and "0 of 3 key questions judged" in page and "Fran Facilitator" in page
    listing = client.get(f"/programmes/{world.programme.slug}/{world.org_a.slug}/assessments").get_data(as_text=True)
    assert "Mine" in listing and "0 of 3" in listing


def test_evidence_and_judgement_pages(client, world, login):
    _toolkit, assessment, (q1, q2, _q3) = _setup(world)
    login(client, world.team_a)
    page = client.get(f"/assessment-questions/{q1.id}").get_data(as_text=True)
    assert "Written information" in page and "No evidence recorded yet." in page
    assert "largely positive, with minor areas for improvement only" in page  # the definitions beside the choice
    url = f"/assessment-questions/{q1.id}/evidence/new"
    bad = client.post(url, data={"kind": "documents", "source": "Leaflets", "found": "There are leaflets",
                                 "evidence": "Yes."})
    assert bad.status_code == 422 and b"Give the full evidence for the answer, not only yes or no" in bad.data
    assert b"There are leaflets" in bad.data
    assert db.session.scalar(select(func.count()).select_from(EvidenceRecord)) == 0
    assert client.post(url, data={"kind": "documents", "source": "Leaflets", "found": "There are leaflets",
                                  "evidence": evidence_text()}).status_code == 302
    bad = client.post(f"/assessment-questions/{q1.id}", data={"judgement": "green", "reason": " "})
    assert bad.status_code == 422 and b"Enter the reason for the judgement" in bad.data
    bad = client.post(f"/assessment-questions/{q1.id}", data={"judgement": "purple", "reason": "Because"})
    assert bad.status_code == 422 and b"Choose green, amber or red" in bad.data
    assert client.post(f"/assessment-questions/{q1.id}", data={
        "judgement": "green", "reason": "Largely positive", "strengths": "Bilingual leaflets"}).status_code == 302
    db.session.refresh(q1)
    assert (q1.judgement, q1.strengths) == (Judgement.GREEN, "Bilingual leaflets")
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "1 of 3 key questions judged" in page and "1 record" in page
    assert f"/assessment-questions/{q1.id}/improvement" not in client.get(f"/assessment-questions/{q1.id}").get_data(
        as_text=True)
    assert client.get(f"/assessment-questions/{q1.id}/improvement").status_code == 404  # green: nothing to improve


def test_a_reader_sees_the_judgement_without_a_form(client, world, login):
    _toolkit, _assessment, (q1, *_rest) = _setup(world)
    services.judge(q1, judgement=Judgement.AMBER, reason="Mixed picture", improvements="Other languages", user=None)
    db.session.commit()
    login(client, world.viewer)
    page = client.get(f"/assessment-questions/{q1.id}").get_data(as_text=True)
    assert "Mixed picture" in page and "Save judgement" not in page and "Add evidence" not in page
    assert client.post(f"/assessment-questions/{q1.id}", data={"judgement": "red", "reason": "x"}).status_code == 403


def test_the_evidence_schedule(client, world, login):
    _toolkit, assessment, (q1, *_rest) = _setup(world)
    login(client, world.team_a)
    url = f"/assessments/{assessment.id}/tasks/new"
    bad = client.post(url, data={"description": "Interview", "due_on": ["31", "2", "2026"]})
    assert bad.status_code == 422 and b"Choose the kind of evidence" in bad.data and b"must be a real date" in bad.data
    assert client.post(url, data={"kind": "interviews", "description": "Interview the Housing Benefit key officer",
                                  "assignee": str(world.team_a.id), "question": str(q1.id),
                                  "due_on": ["2", "3", "2026"]}).status_code == 302
    page = client.get(f"/assessments/{assessment.id}/schedule").get_data(as_text=True)
    assert "Interview the Housing Benefit key officer" in page and "2 March 2026" in page and "Team A" in page
    task = db.session.scalar(select(EvidenceTask))
    client.post(f"/assessment-tasks/{task.id}/done", data={"done": "y"})
    db.session.refresh(task)
    assert task.is_done


def test_the_report_and_its_files(client, world, login):
    _toolkit, assessment, (q1, q2, _q3) = _setup(world)
    services.add_evidence(q1, kind=EvidenceKind.DOCUMENTS, source="Leaflets", found="Found",
                          evidence=evidence_text(), author=world.team_a)
    services.judge(q1, judgement=Judgement.GREEN, reason="=SUM(A1) positive", user=None)
    services.judge(q2, judgement=Judgement.RED, reason="No interpreters", improvements="Language Line", user=None)
    db.session.commit()
    login(client, world.viewer)
    page = client.get(f"/assessments/{assessment.id}/report").get_data(as_text=True)
    assert "Overall assessment report" in page and "1 green, 0 amber, 1 red, 1 not judged yet" in page
    assert "Language Line" in page and "Documents: 1 record" in page
    csv = client.get(f"/assessments/{assessment.id}/report.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert ",'=SUM(A1) positive," in csv.get_data(as_text=True)  # neutralised
    xlsx = client.get(f"/assessments/{assessment.id}/report.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[3]][2:6] == ["A1 1.2", q2.text, None, "Red"]


def test_a_red_key_question_becomes_a_quick_win(client, world, login):
    _toolkit, _assessment, (_q1, q2, _q3) = _setup(world)
    services.judge(q2, judgement=Judgement.RED, reason="No interpreters", improvements="Sign up to Language Line",
                   user=None)
    db.session.commit()
    login(client, world.team_a)
    url = f"/assessment-questions/{q2.id}/improvement"
    form = client.get(url).get_data(as_text=True)
    assert "Sign up to Language Line" in form
    bad = client.post(url, data={"kind": "idea", "title": "Interpreters"})
    assert bad.status_code == 422 and b"Choose the design opportunity the idea belongs to" in bad.data
    bad = client.post(url, data={"kind": "idea", "title": "Interpreters", "opportunity": str(world.opportunity_b.id)})
    assert bad.status_code == 422  # another organisation's opportunity is not a choice
    assert client.post(url, data={"kind": "quick_win", "title": "Interpreters"}).status_code == 302
    link = db.session.scalar(select(AssessmentCard))
    card = db.session.get(Card, link.card_id)
    assert (card.kind, card.title, card.organisation_id) == (Kind.QUICK_WIN, "Interpreters", world.org_a.id)
    card_page = client.get(f"/cards/{card.id}").get_data(as_text=True)
    assert f"/assessment-questions/{q2.id}" in card_page  # "Where this came from"
    assert "Interpreters" in client.get(f"/assessment-questions/{q2.id}").get_data(as_text=True)


def test_a_reassessment_shows_then_and_now(client, world, login):
    toolkit, baseline, (b1, *_rest) = _setup(world)
    services.judge(b1, judgement=Judgement.RED, reason="No leaflets", user=None)
    db.session.commit()
    again = make_assessment(world.org_a, toolkit, title="Health check")
    n1 = services.questions_of(services.load_assessment_tree(again.id))[0]
    services.judge(n1, judgement=Judgement.GREEN, reason="Leaflets now", user=None)
    db.session.commit()
    login(client, world.team_a)
    for url in (f"/assessments/{again.id}", f"/assessments/{again.id}/report"):
        page = client.get(url).get_data(as_text=True)
        assert "Then" in page and "Now" in page and "Self-assessment 2026" in page
        row = page[page.index("A1\u00a01.1"):][:2000]
        assert row.index(">Red<") < row.index(">Green<")
    assert ">Then<" not in client.get(f"/assessments/{baseline.id}").get_data(as_text=True)


def _statements(client, url) -> int:
    from sqlalchemy import event

    count = [0]

    def _count(*_args):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)
    return count[0]


def _fill(assessment, world, records: int) -> None:
    """Evidence (by two authors), a judgement and an improvement action on every key question."""
    for question in services.questions_of(services.load_assessment_tree(assessment.id)):
        for n in range(records):
            services.add_evidence(question, kind=EvidenceKind.DOCUMENTS, source=f"Doc {n}", found="Found",
                                  evidence=evidence_text(n), author=world.team_a if n else world.facilitator)
        services.judge(question, judgement=Judgement.AMBER, reason="Mixed", user=world.team_a)
        services.make_improvement_card(question, kind=Kind.QUICK_WIN, title=question.text[:50], description="",
                                       opportunity=None, user=None)
    db.session.commit()


def test_the_pages_read_a_fixed_number_of_statements(client, world, login):
    """Ten times the key questions and three times the evidence records: the same number of statements."""
    toolkit, _baseline, _questions = _setup(world)
    small = make_assessment(world.org_a, toolkit, title="Small", team=[world.team_a])
    _fill(small, world, 1)
    headline = services.load_toolkit_tree(toolkit.id).sections[0].headlines[0]
    for n in range(27):
        services.add_question(headline, ref=f"A1 1.{n + 3}", text=f"Question {n}")
    db.session.commit()
    big = make_assessment(world.org_a, toolkit, title="Bigger", team=[world.team_a, world.facilitator])
    _fill(big, world, 3)
    assert len(services.questions_of(services.load_assessment_tree(big.id))) == 30
    login(client, world.team_a)
    for url in ("/assessments/{}", "/assessments/{}/report", "/assessments/{}/report.xlsx",
                f"/programmes/{world.programme.slug}/{world.org_a.slug}/assessments?{{}}"):
        assert _statements(client, url.format(small.id)) == _statements(client, url.format(big.id)), url


def test_the_key_question_form_is_in_welsh_on_a_welsh_page(app, client, world, login):
    # The fields of the places to gather evidence are made while the class is defined, at import: their labels,
    # hints and messages stay lazy, so they follow the page's language, not English frozen at import.
    with app.test_request_context(method="POST", data={"text": "Q", "documents": "x" * 5_001},
                                  headers={"Accept-Language": "cy"}):
        refresh()
        form = QuestionForm()
        assert form.documents.label.text == "Dogfennau (dewisol)"
        assert "Dogfennau (dewisol)" in str(form.documents.label())
        assert str(form.documents.description).startswith("Pa ddogfennau i'w harchwilio")
        assert form.user_opinion.label.text == "Barn defnyddwyr gwasanaeth (dewisol)"
        assert not form.validate()
        assert form.documents.errors == ["Dogfennau: rhowch 5,000 nod neu lai"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()
        assert QuestionForm().documents.label.text == "Documents (optional)"
    toolkit = make_toolkit(world.programme)
    headline = toolkit.sections[0].headlines[0]
    login(client, world.facilitator)
    client.set_cookie("language", "cy")
    page = client.get(f"/toolkit-headlines/{headline.id}/questions/new").get_data(as_text=True)
    assert "Dogfennau (dewisol)" in page and "Documents (optional)" not in page


def test_the_toolkit_pages_links_say_what_they_change_in_whole_sentences(client, world, login):
    toolkit = make_toolkit(world.programme)
    section = toolkit.sections[0]
    headline, question = section.headlines[0], section.headlines[0].questions[0]
    headline.ref = ""  # no reference: the headline is named by its words
    db.session.commit()
    login(client, world.facilitator)
    page = client.get(f"/toolkits/{toolkit.id}").get_data(as_text=True)
    hidden = '<span class="govuk-visually-hidden">'
    assert f"{hidden}Change section {section.ref} {section.title}</span>" in page
    assert f"{hidden}Add a headline question to {section.title}</span>" in page
    assert f"{hidden}Change headline question {headline.text}</span>" in page
    assert f"{hidden}Add a key question to headline question {headline.text}</span>" in page
    assert f"{hidden}Change key question {question.ref}</span>" in page
    assert f">Headline question: {headline.text}</h3>" in page
    assert f">Key question {question.ref}: {question.text}</h4>" in page


def test_evidence_is_changed_and_removed(client, world, login):
    _toolkit, _assessment, (q1, *_rest) = _setup(world)
    record = services.add_evidence(q1, kind=EvidenceKind.DOCUMENTS, source="Leaflets", found="There are leaflets",
                                   evidence=evidence_text(), author=world.team_a)
    db.session.commit()
    login(client, world.team_a)
    page = client.get(f"/assessment-questions/{q1.id}").get_data(as_text=True)
    assert f"/assessment-evidence/{record.id}/edit" in page and "Change the evidence Documents: Leaflets" in page
    form = client.get(f"/assessment-evidence/{record.id}/edit").get_data(as_text=True)
    assert "There are leaflets" in form and 'value="documents" checked' in form
    bad = client.post(f"/assessment-evidence/{record.id}/edit", data={
        "kind": "documents", "source": "Leaflets", "found": "Changed finding", "evidence": "yes"})
    assert bad.status_code == 422 and b"Give the full evidence for the answer, not only yes or no" in bad.data
    assert b"Changed finding" in bad.data
    assert client.post(f"/assessment-evidence/{record.id}/edit", data={
        "kind": "observation", "source": "Reception", "found": "Changed finding", "evidence": evidence_text(3)}
    ).status_code == 302
    db.session.refresh(record)
    assert (record.kind, record.source, record.found) == (EvidenceKind.OBSERVATION, "Reception", "Changed finding")
    confirm = client.get(f"/assessment-evidence/{record.id}/delete")
    assert confirm.status_code == 200 and b"Remove this evidence?" in confirm.data
    assert db.session.get(EvidenceRecord, record.id) is not None  # the page alone removes nothing
    assert client.post(f"/assessment-evidence/{record.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(EvidenceRecord, record.id) is None
    login(client, world.viewer)
    assert b"/edit" not in client.get(f"/assessment-questions/{q1.id}").data


def test_a_task_is_changed_and_removed(client, world, login):
    _toolkit, assessment, (q1, *_rest) = _setup(world)
    task = services.add_task(assessment, kind=EvidenceKind.DOCUMENTS, description="Read the leaflets",
                             assignee=None, due_on=None)
    db.session.commit()
    login(client, world.team_a)
    assert "Change the task Read the leaflets" in client.get(f"/assessments/{assessment.id}/schedule").get_data(
        as_text=True)
    form = client.get(f"/assessment-tasks/{task.id}/edit").get_data(as_text=True)
    assert "Read the leaflets" in form and "Save task" in form
    bad = client.post(f"/assessment-tasks/{task.id}/edit", data={"kind": "documents", "description": "Kept",
                                                                 "assignee": "999", "due_on": ["31", "2", "2026"]})
    assert bad.status_code == 422 and b"must be a real date" in bad.data
    assert b"Choose a person from the list" in bad.data
    assert b'value="Kept"' in bad.data
    assert client.post(f"/assessment-tasks/{task.id}/edit", data={
        "kind": "interviews", "description": "Interview the officer", "assignee": str(world.team_a.id),
        "question": str(q1.id), "due_on": ["2", "3", "2026"]}).status_code == 302
    db.session.refresh(task)
    assert (task.kind, task.description, task.assignee_id, task.question_id, str(task.due_on)) == (
        EvidenceKind.INTERVIEWS, "Interview the officer", world.team_a.id, q1.id, "2026-03-02")
    assert b"Remove this task?" in client.get(f"/assessment-tasks/{task.id}/delete").data
    assert client.post(f"/assessment-tasks/{task.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(EvidenceTask, task.id) is None


def test_a_facilitator_removes_and_moves_toolkit_items(client, world, login):
    toolkit, assessment, questions = _setup(world)
    tree = services.load_toolkit_tree(toolkit.id)
    section = tree.sections[0]
    first, second = section.headlines
    login(client, world.facilitator)
    page = client.get(f"/toolkits/{toolkit.id}").get_data(as_text=True)
    assert "Move headline question A1.1 down" in page and "Move headline question A1.1 up" not in page
    assert f"/toolkit-sections/{section.id}/delete" in page
    assert client.post(f"/toolkit-headlines/{first.id}/move", data={"direction": "down"}).status_code == 302
    db.session.expire_all()
    assert [h.ref for h in services.load_toolkit_tree(toolkit.id).sections[0].headlines] == ["A1.2", "A1.1"]
    client.post(f"/toolkit-headlines/{first.id}/move", data={"direction": "sideways"})  # ignored
    question = db.session.get(ToolkitQuestion, questions[1].toolkit_question_id)
    client.post(f"/toolkit-questions/{question.id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert [q.ref for q in db.session.get(type(first), first.id).questions] == ["A1 1.2", "A1 1.1"]
    confirm = client.get(f"/toolkit-sections/{section.id}/delete").get_data(as_text=True)
    assert "Remove this section?" in confirm and "headline questions (2) and key questions (3)" in confirm
    assert "Assessments already started keep their own copy" in confirm
    assert client.get(f"/toolkit-headlines/{first.id}/delete").status_code == 200
    assert client.get(f"/toolkit-questions/{question.id}/delete").status_code == 200
    assert client.post(f"/toolkit-questions/{question.id}/delete").status_code == 302
    assert client.post(f"/toolkit-sections/{section.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ToolkitQuestion)) == 0
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "0 of 3 key questions judged" in page and "Can everyone use the service" in page  # its copy stays
    assert client.get(f"/assessment-questions/{questions[0].id}").status_code == 200
    assert db.session.get(type(second), second.id) is None  # went with its section
    kept = services.add_section(toolkit, ref="A2", title="Kept")
    db.session.commit()
    login(client, world.team_a)
    assert client.get(f"/toolkit-sections/{kept.id}/delete").status_code == 403
    assert client.post(f"/toolkit-sections/{kept.id}/move", data={"direction": "up"}).status_code == 403


def test_a_judgement_saved_from_an_older_page_is_refused(client, world, login):
    _toolkit, _assessment, (q1, *_rest) = _setup(world)
    login(client, world.team_a)
    page = client.get(f"/assessment-questions/{q1.id}").get_data(as_text=True)
    assert 'name="seen" type="hidden" value=""' in page or 'type="hidden" name="seen" value=""' in page
    # Someone else judges meanwhile.
    services.judge(q1, judgement=Judgement.GREEN, reason="Someone else's reason", user=world.facilitator)
    db.session.commit()
    stale = client.post(f"/assessment-questions/{q1.id}", data={"judgement": "red", "reason": "My reason",
                                                                "improvements": "Mine", "seen": ""})
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "This judgement was changed by someone else" in text
    assert "Someone else&#39;s reason" in text and "My reason" in text and "Mine" in text  # theirs shown, mine kept
    db.session.refresh(q1)
    assert (q1.judgement, q1.reason) == (Judgement.GREEN, "Someone else's reason")
    seen = services.judgement_seen(q1)
    assert f'value="{seen}"' in text  # saving again means "save mine anyway"
    assert client.post(f"/assessment-questions/{q1.id}", data={"judgement": "red", "reason": "My reason",
                                                               "seen": seen}).status_code == 302
    db.session.refresh(q1)
    assert (q1.judgement, q1.reason) == (Judgement.RED, "My reason")
    # A bad input keeps the page's version (not the current one): still checked on the next save.
    bad = client.post(f"/assessment-questions/{q1.id}", data={"judgement": "red", "reason": " ", "seen": "old"})
    assert bad.status_code == 422 and b'value="old"' in bad.data
