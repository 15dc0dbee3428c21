"""Survey results pages: a wave's results (invitations, responses, each question's distribution, means and
eNPS) for one organisation or all of them, a free-text question's answers, a survey's results across its
waves (trends), the .csv and .xlsx downloads, and linking a question to an indicator with the figures it
gives the results tracker.

Every view loads its object first and checks permission against that object's own programme. Everyone in
the programme reads results: facilitators and programme-wide viewers of every organisation, team members
and single-organisation viewers of their own; all of them the figures across all organisations. What is
shown of any group follows the minimum group rule in ``results.py``.
"""

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovSubmitInput
from sqlalchemy import select
from wtforms import HiddenField, SubmitField

from tracker.accounts.permissions import current_user, login_required
from tracker.core.fields import Form, Required, SelectField, SelectMultipleField
from tracker.exchange import files
from tracker.exchange.views import download
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme, Role
from tracker.programmes.permissions import (
    can_manage_programme,
    load_in_programme,
    membership,
    visible_organisations,
)
from tracker.results import chart
from tracker.results.models import Indicator
from tracker.results.services import StaleFigure
from tracker.surveys import bp, feed, results, waves
from tracker.surveys.models import Question, QuestionKind, Survey, Wave

ALL = "all"


# --- forms -------------------------------------------------------------------------------------------


class QuestionIndicatorForm(Form):
    """Which indicator a question feeds, and which of its answers count."""

    indicator = SelectField(_l("Indicator"), widget=GovSelect(), coerce=str,
                            message=_l("Choose an indicator from the list"))
    values = SelectMultipleField(_l("Answers that count"), widget=GovCheckboxesInput(), coerce=str,
                                 message=_l("Choose answers from the list"),
                                 description=_l("For a proportion: the share of those who answered that gave one "
                                                "of these answers. For a count: how many gave one."))
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())

    def __init__(self, *args, indicators=(), question: Question | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator.choices = [("", _("None: this question feeds no indicator"))] + [
            (str(i.id), f"{i.code} {i.name} ({i.unit.label})") for i in indicators]
        self.values.choices = [(str(value), label) for value, label in
                               (results.options(question) if question is not None else [])]


class FeedConfirmForm(Form):
    """Enter the previewed figures: the preview's fingerprint comes back, so a change meanwhile is caught."""

    fingerprint = HiddenField(validators=[Required(_l("Check the figures again before you enter them"))])
    submit = SubmitField(_l("Enter the figures"), widget=GovSubmitInput())


# --- loading and scope -------------------------------------------------------------------------------


def _sees_every_organisation(programme: Programme) -> bool:
    member = membership(current_user(), programme.id)
    return member is not None and (member.role == Role.FACILITATOR or (
        member.role == Role.VIEWER and member.organisation_id is None))


def _scope(programme: Programme) -> tuple[list[Organisation], Organisation | None]:
    """The organisations the person may see, and the one the page shows (``None``: all organisations).

    ``?organisation=all`` or a slug; by default all organisations for those who see every one, and their
    own organisation for the others.
    """
    organisations = visible_organisations(current_user(), programme)
    asked = request.args.get("organisation", "")
    if asked == ALL:
        return organisations, None
    chosen = next((o for o in organisations if o.slug == asked), None) if asked else None
    if chosen is None and not _sees_every_organisation(programme):
        chosen = organisations[0] if organisations else None
    return organisations, chosen


def _questions(survey: Survey) -> list[Question]:
    """The survey's questions, asked ones in order and then retired ones (kept where they have answers)."""
    return sorted(survey.questions, key=lambda q: (q.retired_dt is not None, q.position, q.id))


def _indicators(questions) -> dict[int, Indicator]:
    ids = {q.indicator_id for q in questions if q.indicator_id is not None}
    if not ids:
        return {}
    return {i.id: i for i in db.session.scalars(select(Indicator).where(Indicator.id.in_(ids)))}


def _summary_rows(programme, organisations, found: results.WaveResults | None, counts: results.WaveCounts,
                  minimum: int) -> list[dict]:
    """Invitations and responses, per organisation the person sees and across all."""
    rows = []
    for org in organisations:
        if found is not None:
            summary = found.summary(org.id)
        else:
            responses = counts.responses.get(org.id, 0)
            summary = results.OrganisationSummary(org.id, counts.invited.get(org.id, 0), responses,
                                                  org.id in counts.shared,
                                                  results.Hidden.FEW_RESPONSES if 0 < responses < minimum else None)
        rows.append({"org": org, "summary": summary})
    return rows


def _across_summary(counts: results.WaveCounts, minimum: int) -> results.OrganisationSummary:
    responses = sum(counts.responses.values())
    return results.OrganisationSummary(None, sum(counts.invited.values()), responses, bool(counts.shared),
                                       results.Hidden.FEW_RESPONSES if 0 < responses < minimum else None)


# --- a wave's results --------------------------------------------------------------------------------


@bp.route("/waves/<int:wave_id>/results")
@login_required
def wave_results(wave_id: int):
    """A wave's results for one organisation beside all organisations (or all organisations alone):
    invitations, responses and response rate, then each question's distribution, mean and eNPS. Results
    are shown once the wave has closed, and only for groups of at least the programme's minimum."""
    wave = load_in_programme(Wave, wave_id, lambda w: w.survey.programme)
    survey, programme = wave.survey, wave.survey.programme
    organisations, org = _scope(programme)
    minimum = results.minimum_group(programme)
    state = waves.state(wave)
    closed = state == waves.WaveState.CLOSED
    counts = results.load_counts([wave.id], closed=[wave.id] if closed else [])[wave.id]
    questions = _questions(survey)
    found = results.wave_results(questions, counts, minimum, [org.id] if org else []) if closed else None
    can_manage = can_manage_programme(current_user(), programme)
    return render_template(
        "surveys/results/wave.html", wave=wave, survey=survey, programme=programme, state=state, org=org,
        organisations=organisations, minimum=minimum, found=found, counts=counts,
        rows=_summary_rows(programme, organisations, found, counts, minimum),
        across=found.across if found else _across_summary(counts, minimum),
        sees_all=_sees_every_organisation(programme), can_manage=can_manage,
        indicators=_indicators(questions) if can_manage else {}, results=results, feed=feed, QuestionKind=QuestionKind,
        ALL=ALL)


@bp.route("/waves/<int:wave_id>/questions/<int:question_id>/answers")
@login_required
def text_answers(wave_id: int, question_id: int):
    """A free-text question's answers in one organisation, or across all organisations (for those who see
    every organisation), in random order, when the group is at least the minimum."""
    wave = load_in_programme(Wave, wave_id, lambda w: w.survey.programme)
    question = db.session.get(Question, question_id)
    if question is None or question.survey_id != wave.survey_id or question.kind != QuestionKind.TEXT:
        abort(404)
    survey, programme = wave.survey, wave.survey.programme
    organisations, org = _scope(programme)
    if org is None and not _sees_every_organisation(programme):
        org = organisations[0] if organisations else None
    minimum = results.minimum_group(programme)
    state = waves.state(wave)
    cell, answers = None, []
    if state == waves.WaveState.CLOSED and (org is not None or _sees_every_organisation(programme)):
        counts = results.load_counts([wave.id], closed=[wave.id])[wave.id]
        cell = results.question_results(question, counts, minimum, [org.id] if org else []).cell(
            org.id if org else None)
        if cell.shown:
            answers = results.text_answers(wave.id, question, org.id if org else None)
    return render_template("surveys/results/answers.html", wave=wave, survey=survey, programme=programme,
                           question=question, org=org, organisations=organisations, state=state, cell=cell,
                           answers=answers, minimum=minimum, results=results,
                           sees_all=_sees_every_organisation(programme), ALL=ALL)


def _download_table(wave, programme, organisations, found: results.WaveResults | None, counts, minimum):
    """The downloads' two tables: responses per group, and every shown cell's answers (aggregates only)."""
    groups = [(None, _("Across all organisations"))] + [(o.id, o.name) for o in organisations]
    summary = [[_("Wave"), _("Organisation"), _("Shared link"), _("Invited"), _("Responses"), _("Response rate (%)"),
                _("Note")]]
    for org_id, name in groups:
        s = found.summary(org_id) if found else (_across_summary(counts, minimum) if org_id is None else
                                                  results.OrganisationSummary(org_id, counts.invited.get(org_id, 0),
                                                                              counts.responses.get(org_id, 0),
                                                                              org_id in counts.shared, None))
        note = _("Shared link: responses are not limited to one per person") if s.shared and org_id else ""
        summary.append([wave.number, name, _("Yes") if s.shared else _("No"), s.invited, s.responses, s.rate, note])
    answers = [[_("Wave"), _("Organisation"), _("Question number"), _("Question"), _("Answered"), _("Answer"),
                _("Count"), _("Percentage"), _("Mean"), _("eNPS"), _("Note")]]
    for q in (found.questions if found else ()):
        number = q.question.position + 1 if q.question.retired_dt is None else None
        for org_id, name in groups:
            cell = q.cell(org_id)
            base = [wave.number, name, number, q.question.text, cell.answered]
            if cell.hidden:
                answers.append(base + [None, None, None, None, None, results.hidden_message(cell.hidden, minimum)])
            elif q.question.kind == QuestionKind.TEXT:
                answers.append(base + [None, None, None, None, None, _("Free-text answers are not downloaded")])
            elif not cell.answered:
                answers.append(base + [None, None, None, None, None, _("No answers")])
            else:
                for row in cell.rows:
                    answers.append(base + [row.label, row.count, row.percent, cell.mean, cell.enps, None])
    return summary, answers


@bp.route("/waves/<int:wave_id>/results.<any(csv, xlsx):fmt>")
@login_required
def wave_results_download(wave_id: int, fmt: str):
    """A wave's results as .csv (the answers table) or .xlsx (responses and answers): aggregates only, for the
    organisations the person sees and across all, each cell shown or hidden as on the page."""
    wave = load_in_programme(Wave, wave_id, lambda w: w.survey.programme)
    survey, programme = wave.survey, wave.survey.programme
    organisations = visible_organisations(current_user(), programme)
    minimum = results.minimum_group(programme)
    closed = waves.state(wave) == waves.WaveState.CLOSED
    counts = results.load_counts([wave.id], closed=[wave.id] if closed else [])[wave.id]
    found = results.wave_results(_questions(survey), counts, minimum, [o.id for o in organisations]) if closed else None
    summary, answers = _download_table(wave, programme, organisations, found, counts, minimum)
    name = f"{programme.slug}-survey-{survey.id}-wave-{wave.number}-results"
    if fmt == "csv":
        return download(files.to_csv(answers if found else summary), fmt, name)
    return download(files.to_xlsx({_("Responses"): summary, _("Answers"): answers}), fmt, name)


# --- across waves ------------------------------------------------------------------------------------


@bp.route("/surveys/<int:survey_id>/results")
@login_required
def survey_results(survey_id: int):
    """A survey's waves with their responses, and each question's results wave by wave (closed waves):
    across all organisations, beside one organisation; a chart of the mean for scales, with the same
    figures as a table."""
    survey = load_in_programme(Survey, survey_id, lambda s: s.programme)
    programme = survey.programme
    organisations, org = _scope(programme)
    minimum = results.minimum_group(programme)
    all_waves = list(survey.waves)
    states = {w.id: waves.state(w) for w in all_waves}
    closed = [w for w in all_waves if states[w.id] == waves.WaveState.CLOSED]
    counts = results.load_counts([w.id for w in all_waves], closed=[w.id for w in closed])
    answered_ids = set().union(*(counts[w.id].question_ids for w in closed)) if closed else set()
    questions = [q for q in _questions(survey) if q.kind != QuestionKind.TEXT and
                 (q.retired_dt is None or q.id in answered_ids)]
    trends = []
    for question in questions:
        points = results.trend(question, [(w.number, counts[w.id]) for w in closed], minimum,
                               org.id if org else None)
        drawing = None
        if question.kind in results.SCALED:
            series = [chart.Series(_("Across all organisations"), "across",
                                   [p.across.mean if p.across.shown else None for p in points])]
            if org is not None:
                series.append(chart.Series(org.name, "own", [p.own.mean if p.own and p.own.shown else None
                                                             for p in points]))
            likert = question.kind == QuestionKind.LIKERT
            drawing = chart.build(series, [str(p.wave_number) for p in points], None, "",
                                  top=Decimal(5 if likert else 10), steps=5)
        trends.append({"question": question, "points": points, "chart": drawing, "measures": _measures(question)})
    wave_rows = []
    for w in all_waves:
        c = counts[w.id]
        wave_rows.append({"wave": w, "state": states[w.id], "responses": sum(c.responses.values()),
                          "own": c.responses.get(org.id, 0) if org else None})
    return render_template("surveys/results/survey.html", survey=survey, programme=programme, org=org,
                           organisations=organisations, minimum=minimum, trends=trends, wave_rows=wave_rows,
                           closed=closed, sees_all=_sees_every_organisation(programme), results=results,
                           QuestionKind=QuestionKind, ALL=ALL)


def _measures(question: Question) -> list[tuple[str, object]]:
    """The columns of a question's trend, after its number of answers: the mean (and the share agreeing, or
    the eNPS) of a scale; the share choosing each option of a choice question."""
    if question.kind == QuestionKind.LIKERT:
        return [(_("mean (1 to 5)"), "mean"), (_("agree (4 or 5)"), "agree")]
    if question.kind == QuestionKind.SCALE:
        return [(_("mean (0 to 10)"), "mean")] + ([(_("eNPS"), "enps")] if question.nps else [])
    return [(label, value) for value, label in results.options(question)]


# --- feeding the results tracker -------------------------------------------------------------------


def _return_wave(question: Question) -> Wave | None:
    """The wave page to go back to (``?wave=``), if it is a wave of the question's survey."""
    raw = request.args.get("wave", "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        return None
    wave = db.session.get(Wave, int(raw))
    return wave if wave is not None and wave.survey_id == question.survey_id else None


@bp.route("/questions/<int:question_id>/indicator", methods=["GET", "POST"])
@login_required
def question_indicator(question_id: int):
    """Link a question to a count or proportion indicator of the programme, and choose the answers that
    count (facilitators)."""
    question = load_in_programme(Question, question_id, lambda q: q.survey.programme, manage=True)
    survey, programme = question.survey, question.survey.programme
    if not feed.can_feed(question):
        abort(404)
    back = _return_wave(question)
    indicators = feed.linkable_indicators(programme)
    form = QuestionIndicatorForm(indicators=indicators, question=question)
    if not form.is_submitted():
        form.indicator.data = str(question.indicator_id or "")
        form.values.data = [str(v) for v in question.indicator_values or []]
    if form.validate_on_submit():
        chosen = next((i for i in indicators if str(i.id) == form.indicator.data), None)
        try:
            feed.link(question, chosen, [int(v) for v in form.values.data or []])
        except feed.FeedError as error:
            db.session.rollback()
            form.values.errors = [*form.values.errors, str(error)]
        else:
            db.session.commit()
            if chosen is None:
                flash(_("Question %(n)s no longer feeds an indicator", n=question.position + 1), "success")
            else:
                flash(_("Question %(n)s feeds indicator %(code)s", n=question.position + 1, code=chosen.code),
                      "success")
            if back is not None:
                return redirect(url_for("surveys.wave_results", wave_id=back.id))
            return redirect(url_for("surveys.survey_results", survey_id=survey.id))
    status = 422 if form.errors else 200
    return render_template("surveys/results/question_indicator.html", form=form, question=question, survey=survey,
                           programme=programme, back=back, has_indicators=bool(indicators),
                           minimum=results.minimum_group(programme)), status


@bp.route("/waves/<int:wave_id>/indicator-figures", methods=["GET", "POST"])
@login_required
def wave_figures(wave_id: int):
    """The figures a closed wave gives the indicators its questions feed, as a preview (new, changed or
    unchanged), entered in the results tracker when the facilitator confirms."""
    wave = load_in_programme(Wave, wave_id, lambda w: w.survey.programme, manage=True)
    survey, programme = wave.survey, wave.survey.programme
    form = FeedConfirmForm()
    message, status = None, 200
    if form.validate_on_submit():
        try:
            written = feed.confirm(wave, form.fingerprint.data, user=current_user())
        except feed.StaleFeed:
            db.session.rollback()
            message, status = _("The figures changed since you checked them. Check them again."), 409
        except StaleFigure:
            db.session.rollback()
            message, status = _("A figure changed while these were being entered. Check them again."), 409
        except feed.FeedError as error:
            db.session.rollback()
            message, status = str(error), 422
        else:
            db.session.commit()
            flash(ngettext("%(num)s figure entered in the results tracker",
                           "%(num)s figures entered in the results tracker", written), "success")
            return redirect(url_for("surveys.wave_results", wave_id=wave.id))
    elif form.is_submitted():
        message, status = _("Check the figures again before you enter them"), 422
    shown = feed.preview(wave)
    form.fingerprint.data = shown.fingerprint
    return render_template("surveys/results/figures.html", wave=wave, survey=survey, programme=programme,
                           preview=shown, form=form, message=message, feed=feed), status
