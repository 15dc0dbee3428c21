"""Building surveys: a programme's surveys, a survey's details and questions, copying questions, the
survey's waves and their dates, and a preview as a respondent sees it.

Facilitators of the programme build and change surveys; every member of the programme reads them. Every
view loads its object first and checks permission against that object's own programme.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from tracker.accounts.permissions import current_user, login_required
from tracker.core.confirm import ConfirmForm, confirm_page
from tracker.extensions import db
from tracker.programmes.permissions import can_manage_programme, load_in_programme, load_programme
from tracker.surveys import bp, builder, respond, waves
from tracker.surveys.forms import (
    CopyQuestionsForm,
    CopySourceForm,
    MoveQuestionForm,
    NewSurveyForm,
    QuestionEditForm,
    QuestionForm,
    SurveyForm,
    WaveDatesForm,
)
from tracker.surveys.models import Question, QuestionKind, Survey, Wave

SURVEY_FIELDS = ("title", "introduction", "privacy_note", "open_days", "title_cy", "introduction_cy",
                 "privacy_note_cy")


def load_survey(survey_id: int, *, manage: bool = False) -> Survey:
    return load_in_programme(Survey, survey_id, lambda s: s.programme, manage=manage)


def load_question(question_id: int, *, manage: bool = False) -> Question:
    return load_in_programme(Question, question_id, lambda q: q.survey.programme, manage=manage)


def load_wave(wave_id: int, *, manage: bool = False) -> Wave:
    return load_in_programme(Wave, wave_id, lambda w: w.survey.programme, manage=manage)


def _can_manage(programme) -> bool:
    return can_manage_programme(current_user(), programme)


def _survey_values(form: SurveyForm) -> dict:
    values = {name: getattr(form, name).data for name in SURVEY_FIELDS}
    return values | {name: values[name] or "" for name in ("title_cy", "introduction_cy", "privacy_note_cy")}


def _question_values(form: QuestionForm) -> dict:
    return {"kind": QuestionKind(form.kind.data), "text": form.text.data, "hint": form.hint.data or "",
            "required": form.required.data == "yes", "choices": builder.parse_choices(form.choices.data),
            "nps": bool(form.nps.data), "text_cy": form.text_cy.data or "", "hint_cy": form.hint_cy.data or "",
            "choices_cy": builder.parse_choices(form.choices_cy.data)}


# --- surveys -----------------------------------------------------------------------------------------


@bp.route("/programmes/<slug>/surveys")
@login_required
def surveys(slug: str):
    """The programme's staff surveys, each with its next (or open) wave."""
    programme = load_programme(slug)
    rows = []
    for survey in builder.programme_surveys(programme):
        wave = waves.current_or_next(survey)
        rows.append((survey, len(builder.asked_questions(survey)), wave, waves.state(wave) if wave else None))
    return render_template("surveys/builder/surveys.html", programme=programme, rows=rows,
                           can_manage=_can_manage(programme))


@bp.route("/programmes/<slug>/surveys/new", methods=["GET", "POST"])
@login_required
def new_survey(slug: str):
    """Create a survey (facilitators); its waves come from the programme's calendar."""
    programme = load_programme(slug, manage=True)
    form = NewSurveyForm()
    if not form.is_submitted():
        form.privacy_note.data = builder.default_privacy_note(programme)
        form.privacy_note_cy.data = builder.default_privacy_note_cy(programme)
    if form.validate_on_submit():
        survey = builder.create_survey(programme, **_survey_values(form))
        db.session.commit()
        flash(_("Survey created, with %(n)s waves. Now add its questions.", n=len(survey.waves)), "success")
        return redirect(url_for("surveys.survey", survey_id=survey.id))
    return render_template("surveys/builder/survey_form.html", form=form, programme=programme, survey=None)


@bp.route("/surveys/<int:survey_id>")
@login_required
def survey(survey_id: int):
    """A survey: its details and its questions (facilitators change, reorder and remove them)."""
    survey = load_survey(survey_id)
    programme = survey.programme
    can_manage = _can_manage(programme)
    return render_template("surveys/builder/survey.html", survey=survey, programme=programme, can_manage=can_manage,
                           asked=builder.asked_questions(survey), retired=builder.retired_questions(survey),
                           answered=builder.answered_question_ids(survey),
                           can_copy=can_manage and bool(builder.other_surveys(survey)))


@bp.route("/surveys/<int:survey_id>/edit", methods=["GET", "POST"])
@login_required
def edit_survey(survey_id: int):
    """Change a survey's title, introduction, privacy note and how long new waves stay open."""
    survey = load_survey(survey_id, manage=True)
    form = SurveyForm(obj=survey)
    if form.validate_on_submit():
        builder.update_survey(survey, **_survey_values(form))
        db.session.commit()
        flash(_("Survey details saved"), "success")
        return redirect(url_for("surveys.survey", survey_id=survey.id))
    return render_template("surveys/builder/survey_form.html", form=form, programme=survey.programme, survey=survey)


@bp.route("/surveys/<int:survey_id>/preview")
@login_required
def preview(survey_id: int):
    """The survey as a respondent sees it, read only: nothing can be sent from here."""
    survey = load_survey(survey_id)
    asked = respond.questions(survey.id)
    # The staff's page's own parts: the privacy words as for a one-use link, for an organisation of the
    # programme (the first, or "your organisation" while there is none).
    first = survey.programme.organisations[0] if survey.programme.organisations else None
    name = first.name if first else _("your organisation")
    facts = respond.SurveyFacts(
        id=survey.id, title=survey.title, introduction=survey.introduction, privacy_note=survey.privacy_note,
        title_cy=survey.title_cy, introduction_cy=survey.introduction_cy, privacy_note_cy=survey.privacy_note_cy,
        min_group=survey.programme.survey_min_group)
    visit = {"survey": facts, "shared": False, "organisation": {"name": name}}
    return render_template("surveys/builder/preview.html", survey=survey, programme=survey.programme, asked=asked,
                           form=respond.answer_form(asked, formdata=None, meta={"csrf": False}), visit=visit)


# --- questions ---------------------------------------------------------------------------------------


@bp.route("/surveys/<int:survey_id>/questions/new", methods=["GET", "POST"])
@login_required
def new_question(survey_id: int):
    """Add a question at the end of the survey."""
    survey = load_survey(survey_id, manage=True)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            question = builder.add_question(survey, **_question_values(form))
        except builder.BuilderError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Question %(n)s added", n=question.position + 1), "success")
            return redirect(url_for("surveys.survey", survey_id=survey.id, _anchor=f"question-{question.id}"))
    return render_template("surveys/builder/question_form.html", form=form, survey=survey,
                           programme=survey.programme, question=None, answered=False)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit_question(question_id: int):
    """Change a question (one with answers keeps its kind and its choices)."""
    question = load_question(question_id, manage=True)
    survey = question.survey
    if question.retired_dt is not None:
        abort(404)
    # The question fills the form only when it is shown: a post says everything itself (a field left out of it
    # is empty, never the question's value).
    form = QuestionEditForm(obj=None if request.method == "POST" else question)
    if not form.is_submitted():
        form.kind.data = question.kind.value
        form.required.data = "yes" if question.required else "no"
        form.choices.data = "\n".join(question.choices or [])
        form.choices_cy.data = "\n".join(question.choices_cy or [])
    if form.validate_on_submit():
        try:
            builder.update_question(question, **_question_values(form))
        except builder.BuilderError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Question %(n)s saved", n=question.position + 1), "success")
            return redirect(url_for("surveys.survey", survey_id=survey.id, _anchor=f"question-{question.id}"))
    return render_template("surveys/builder/question_form.html", form=form, survey=survey,
                           programme=survey.programme, question=question, answered=builder.has_answers(question))


@bp.route("/questions/<int:question_id>/move", methods=["POST"])
@login_required
def move_question(question_id: int):
    """Move a question one place up or down (a button each, no JavaScript needed)."""
    question = load_question(question_id, manage=True)
    form = MoveQuestionForm()
    if not form.validate_on_submit():
        abort(400)
    before = question.position + 1
    moved = builder.move_question(question, form.direction.data)
    db.session.commit()
    if moved and form.direction.data == "up":
        flash(_("Question %(old)s moved up: it is now question %(new)s", old=before, new=question.position + 1),
              "success")
    elif moved:
        flash(_("Question %(old)s moved down: it is now question %(new)s", old=before, new=question.position + 1),
              "success")
    return redirect(url_for("surveys.survey", survey_id=question.survey_id, _anchor=f"question-{question.id}"))


@bp.route("/questions/<int:question_id>/remove", methods=["GET", "POST"])
@login_required
def remove_question(question_id: int):
    """Remove a question after a confirmation page: retired when it has answers, deleted otherwise."""
    question = load_question(question_id, manage=True)
    survey = question.survey
    back = url_for("surveys.survey", survey_id=survey.id)
    if question.retired_dt is not None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        outcome = builder.remove_question(question)
        db.session.commit()
        if outcome == "retired":
            flash(_("Question retired: it is no longer asked, and earlier waves keep its results"), "success")
        else:
            flash(_("Question removed"), "success")
        return redirect(back)
    if builder.has_answers(question):
        details = [_("“%(text)s”", text=question.text),
                   _("It already has answers, so it will be retired rather than deleted: it will no longer be "
                     "asked, and earlier waves keep its results.")]
    else:
        details = [_("“%(text)s”", text=question.text),
                   _("Nobody has answered it yet, so it will be deleted.")]
    return confirm_page(heading=_("Are you sure you want to remove question %(n)s?", n=question.position + 1),
                        caption=survey.title, details=details, button=_("Yes, remove it"), cancel=back, form=form)


@bp.route("/surveys/<int:survey_id>/copy", methods=["GET", "POST"])
@login_required
def copy_questions(survey_id: int):
    """Copy questions from another survey of the programme: choose the survey, then all or some of its
    questions."""
    survey = load_survey(survey_id, manage=True)
    programme = survey.programme
    others = builder.other_surveys(survey)
    # The survey is chosen with a GET form; its button ("continue") says it was sent with nothing chosen.
    chosen_survey = "source" in request.args or "continue" in request.args
    chooser = CopySourceForm(formdata=request.args if chosen_survey else None, meta={"csrf": False},
                             surveys=others)
    source = None
    if chosen_survey and chooser.validate():
        source = next(s for s in others if str(s.id) == chooser.source.data)
    if source is None:
        if request.method == "POST":
            abort(404)
        return render_template("surveys/builder/copy_source.html", chooser=chooser, survey=survey,
                               programme=programme, others=others)
    candidates = builder.asked_questions(source)
    form = CopyQuestionsForm(questions=candidates)
    if not form.is_submitted():
        form.questions.data = [str(q.id) for q in candidates]
    if form.validate_on_submit():
        chosen = [q for q in candidates if str(q.id) in set(form.questions.data)]
        copies = builder.copy_questions(survey, chosen)
        db.session.commit()
        flash(_("%(n)s copied from “%(title)s”", title=source.title, n=_n_questions(len(copies))), "success")
        return redirect(url_for("surveys.survey", survey_id=survey.id))
    return render_template("surveys/builder/copy_questions.html", form=form, survey=survey, programme=programme,
                           source=source, candidates=candidates)


def _n_questions(n: int) -> str:
    return ngettext("%(num)s question", "%(num)s questions", n)


# --- waves -------------------------------------------------------------------------------------------


@bp.route("/surveys/<int:survey_id>/waves")
@login_required
def survey_waves(survey_id: int):
    """A survey's waves: number, dates and state (scheduled, open or closed, from the UK date)."""
    survey = load_survey(survey_id)
    rows = [(wave, waves.state(wave)) for wave in survey.waves]
    return render_template("surveys/builder/waves.html", survey=survey, programme=survey.programme, rows=rows,
                           can_manage=_can_manage(survey.programme))


@bp.route("/waves/<int:wave_id>")
@login_required
def wave(wave_id: int):
    """One wave: its dates and state, then its invitations and its results."""
    wave = load_wave(wave_id)
    survey = wave.survey
    return render_template("surveys/builder/wave.html", wave=wave, survey=survey, programme=survey.programme,
                           state=waves.state(wave), can_manage=_can_manage(survey.programme))


@bp.route("/waves/<int:wave_id>/dates", methods=["GET", "POST"])
@login_required
def wave_dates(wave_id: int):
    """Change a wave's opening and closing dates."""
    wave = load_wave(wave_id, manage=True)
    survey = wave.survey
    form = WaveDatesForm(obj=wave)
    if form.validate_on_submit():
        try:
            builder.change_wave_dates(wave, opens_on=form.opens_on.data, closes_on=form.closes_on.data)
        except waves.WaveError as error:
            db.session.rollback()
            getattr(form, getattr(error, "field", "closes_on")).errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Dates of wave %(n)s saved", n=wave.number), "success")
            return redirect(url_for("surveys.survey_waves", survey_id=survey.id))
    return render_template("surveys/builder/wave_dates.html", form=form, wave=wave, survey=survey,
                           programme=survey.programme, state=waves.state(wave))
