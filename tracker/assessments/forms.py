"""Forms of the self-assessment toolkit: the toolkit's questions, an assessment and its team, the evidence
schedule, the evidence proforma, the judgement and an improvement action."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSelect, GovSubmitInput
from wtforms import HiddenField, SubmitField
from wtforms.validators import ValidationError

from tracker.assessments import services
from tracker.assessments.models import (
    QUESTION_LENGTH,
    REF_LENGTH,
    SOURCE_LENGTH,
    TITLE_LENGTH,
    EvidenceKind,
    Judgement,
)
from tracker.board.models import Kind
from tracker.core.fields import DateField, Form, RadioField, Required, SelectField, SelectMultipleField
from tracker.core.fields import text as text_field

#: The longest texts people may give (the hints say so).
DESCRIPTION_LENGTH, EVIDENCE_LENGTH, NOTE_LENGTH = 5_000, 20_000, 5_000
MARKDOWN_HINT = _l("You can use Markdown: **bold**, lists starting with -, links")


def _kind_choices():
    return [(k.value, k.label) for k in EvidenceKind]


class ToolkitForm(Form):
    title = text_field(_l("Title"), limit=TITLE_LENGTH, called=_l("The title"), required=_l("Enter the title"),
                 hint=_l("For example, Housing advice and homelessness"))
    description = text_field(_l("Description (optional)"), limit=DESCRIPTION_LENGTH, called=_l("The description"),
                       area=True)
    submit = SubmitField(_l("Save toolkit"), widget=GovSubmitInput())


class SectionForm(Form):
    ref = text_field(_l("Reference (optional)"), limit=REF_LENGTH, called=_l("The reference"),
                     hint=_l("For example, A1"))
    title = text_field(_l("Section"), limit=TITLE_LENGTH, called=_l("The section"), required=_l("Enter the section"),
                 hint=_l("For example, User focus"))
    submit = SubmitField(_l("Save section"), widget=GovSubmitInput())


class HeadlineForm(Form):
    ref = text_field(_l("Reference (optional)"), limit=REF_LENGTH, called=_l("The reference"),
               hint=_l("For example, A1.1"))
    text = text_field(_l("Headline question"), limit=QUESTION_LENGTH, called=_l("The headline question"), area=True,
                      required=_l("Enter the headline question"),
                      hint=_l("For example, Are our services accessible for users?"))
    submit = SubmitField(_l("Save headline question"), widget=GovSubmitInput())


def _source(kind: EvidenceKind):
    """One place to gather evidence: what exactly (optional).

    Called while the class is defined (at import), so everything stays lazy: translated when the page is shown,
    in the person's language.
    """
    return text_field(_l("%(kind)s (optional)", kind=kind.lazy_label), limit=NOTE_LENGTH, called=kind.lazy_label,
                      hint=kind.lazy_hint, area=True)


class QuestionForm(Form):
    """A key question, what to look for, and one text for each place to gather evidence."""

    ref = text_field(_l("Reference (optional)"), limit=REF_LENGTH, called=_l("The reference"),
               hint=_l("For example, A1 1.1"))
    text = text_field(_l("Key question"), limit=QUESTION_LENGTH, called=_l("The key question"),
                required=_l("Enter the key question"), area=True)
    look_for = text_field(_l("What to look for (optional)"), limit=DESCRIPTION_LENGTH, called=_l("What to look for"),
                    hint=MARKDOWN_HINT, area=True)
    documents = _source(EvidenceKind.DOCUMENTS)
    interviews = _source(EvidenceKind.INTERVIEWS)
    focus_groups = _source(EvidenceKind.FOCUS_GROUPS)
    observation = _source(EvidenceKind.OBSERVATION)
    user_opinion = _source(EvidenceKind.USER_OPINION)
    submit = SubmitField(_l("Save key question"), widget=GovSubmitInput())

    def sources(self) -> dict:
        return {kind.value: getattr(self, kind.value).data for kind in EvidenceKind}

    def fill_sources(self, sources: dict) -> None:
        for kind in EvidenceKind:
            getattr(self, kind.value).data = (sources or {}).get(kind.value, "")


def _people(field, people, empty=None):
    field.choices = ([("", empty)] if empty else []) + [(str(p.id), p.name) for p in people]


class TeamFields:
    def set_people(self, people) -> None:
        _people(self.coordinator, people, _l("Nobody yet"))
        _people(self.team, people)


class AssessmentForm(TeamFields, Form):
    toolkit = SelectField(_l("Toolkit"), widget=GovSelect(), coerce=str, validators=[Required(_l("Choose a toolkit"))],
                          message=_l("Choose a toolkit from the list"))
    title = text_field(_l("Title"), limit=TITLE_LENGTH, called=_l("The title"), required=_l("Enter the title"),
                 hint=_l("For example, Self-assessment 2026"))
    starts_on = DateField(_l("Start date (optional)"), called=_l("The start date"),
                          description=_l("For example, 27 3 2026"))
    coordinator = SelectField(_l("Coordinator"), widget=GovSelect(), coerce=str,
                              message=_l("Choose a coordinator from the list"),
                              description=_l("Organises the evidence gathering and draws the evidence together"))
    team = SelectMultipleField(_l("Assessment team"), widget=GovCheckboxesInput(), coerce=str,
                               message=_l("Choose people from the list"))
    submit = SubmitField(_l("Start assessment"), widget=GovSubmitInput())

    def __init__(self, *args, toolkits=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.toolkit.choices = [("", _l("Choose a toolkit"))] + [(str(t.id), t.title) for t in toolkits]
        self.set_people(people)


class TeamForm(TeamFields, Form):
    coordinator = SelectField(_l("Coordinator"), widget=GovSelect(), coerce=str,
                              message=_l("Choose a coordinator from the list"))
    team = SelectMultipleField(_l("Assessment team"), widget=GovCheckboxesInput(), coerce=str,
                               message=_l("Choose people from the list"))
    submit = SubmitField(_l("Save team"), widget=GovSubmitInput())

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_people(people)


class TaskForm(Form):
    kind = RadioField(_l("Kind of evidence"), widget=GovRadioInput(), choices=_kind_choices,
                      validators=[Required(_l("Choose the kind of evidence"))],
                      message=_l("Choose the kind of evidence"))
    description = text_field(_l("Task"), limit=SOURCE_LENGTH, called=_l("The task"), required=_l("Enter the task"),
                       hint=_l("For example, Interview the Housing Benefit key officer"))
    question = SelectField(_l("Key question (optional)"), widget=GovSelect(), coerce=str,
                           message=_l("Choose a key question from the list"))
    assignee = SelectField(_l("Who"), widget=GovSelect(), coerce=str, message=_l("Choose a person from the list"))
    due_on = DateField(_l("Due date (optional)"), called=_l("Due date"), description=_l("For example, 31 1 2027"))
    submit = SubmitField(_l("Add task"), widget=GovSubmitInput())

    def __init__(self, *args, questions=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.question.choices = [("", _l("Any"))] + [(str(q.id), f"{q.ref} {q.text}".strip()[:120]) for q in questions]
        _people(self.assignee, people, _l("Nobody yet"))


class TaskEditForm(TaskForm):
    submit = SubmitField(_l("Save task"), widget=GovSubmitInput())


class EvidenceForm(Form):
    """The evidence proforma: the source, what was found, and the evidence in full."""

    kind = RadioField(_l("Kind of evidence"), widget=GovRadioInput(), choices=_kind_choices,
                      validators=[Required(_l("Choose the kind of evidence"))],
                      message=_l("Choose the kind of evidence"))
    source = text_field(_l("Source"), limit=SOURCE_LENGTH, called=_l("The source"), required=_l("Enter the source"),
                  hint=_l("For example, Interview with the Housing Options Manager"))
    found = text_field(_l("What was found"), limit=NOTE_LENGTH, called=_l("What was found"),
                 required=_l("Enter what was found"), area=True)
    evidence = text_field(_l("The evidence in full"), limit=EVIDENCE_LENGTH, called=_l("The evidence"),
                    required=_l("Enter the evidence in full"),
                    hint=_l("Yes/no answers are not sufficient: give the full evidence for the answer. You can use "
                            "Markdown: **bold**, lists starting with -, links"), area=True)
    submit = SubmitField(_l("Save evidence"), widget=GovSubmitInput())

    def validate_evidence(self, field):
        if services.is_only_yes_no(field.data):
            raise ValidationError(_l("Give the full evidence for the answer, not only yes or no"))


class JudgementForm(Form):
    judgement = RadioField(_l("Judgement"), widget=GovRadioInput(),
                           choices=lambda: [(j.value, j.label) for j in Judgement],
                           validators=[Required(_l("Choose green, amber or red"))],
                           message=_l("Choose green, amber or red"))
    reason = text_field(_l("Reason"), limit=NOTE_LENGTH, called=_l("The reason"),
                        required=_l("Enter the reason for the judgement"),
                        hint=_l("Why the evidence supports this judgement"), area=True)
    strengths = text_field(_l("Strengths (optional)"), limit=NOTE_LENGTH, called=_l("The strengths"),
                           hint=MARKDOWN_HINT, area=True)
    improvements = text_field(_l("Areas for improvement (optional)"), limit=NOTE_LENGTH,
                        called=_l("The areas for improvement"), hint=MARKDOWN_HINT, area=True)
    #: What the judgement was when the page was shown (:func:`services.judgement_seen`).
    seen = HiddenField()
    submit = SubmitField(_l("Save judgement"), widget=GovSubmitInput())


class ImprovementForm(Form):
    kind = RadioField(_l("What should it become?"), widget=GovRadioInput(),
                      choices=lambda: [(k.value, k.label) for k in (Kind.QUICK_WIN, Kind.IDEA)],
                      validators=[Required(_l("Choose a quick win or an idea"))],
                      message=_l("Choose a quick win or an idea"))
    opportunity = SelectField(_l("Design opportunity (for an idea)"), widget=GovSelect(), coerce=str,
                              message=_l("Choose a design opportunity from the list"))
    title = text_field(_l("Title"), limit=300, called=_l("The title"), required=_l("Enter the title"))
    description = text_field(_l("Description (optional)"), limit=EVIDENCE_LENGTH, called=_l("The description"),
                       hint=MARKDOWN_HINT, area=True)
    submit = SubmitField(_l("Add to the action plan"), widget=GovSubmitInput())

    def __init__(self, *args, opportunities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.opportunity.choices = [("", _l("Choose a design opportunity"))] + [
            (str(o.id), f"{o.number}. {o.title}"[:150]) for o in opportunities]
