"""Forms for building a survey: its details, a question, copying questions, a wave's dates."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovCheckboxInput, GovRadioInput, GovSubmitInput
from wtforms import BooleanField, SubmitField

from tracker.core.fields import (
    LONG_TEXT,
    DateField,
    Form,
    RadioField,
    Required,
    SelectMultipleField,
    WholeNumberField,
)
from tracker.core.fields import (
    text as text_field,
)
from tracker.surveys.builder import MAX_OPEN_DAYS, MIN_OPEN_DAYS
from tracker.surveys.models import QuestionKind

#: A choice question's options as typed, one a line (20 of 200 characters fit).
CHOICES_LENGTH = 5_000

#: The hints of the optional Welsh fields, beside their English ones.
WELSH_HINT = _l("People reading the survey in Welsh see this. If you leave it blank, they see the English")
WELSH_MARKDOWN_HINT = _l("People reading the survey in Welsh see this. If you leave it blank, they see the "
                         "English. You can use Markdown: **bold**, lists starting with -, links")


class SurveyForm(Form):
    title = text_field(_l("Title"), limit=200, called=_l("The title"), hint=_l("For example, Staff pulse survey"),
                 required=_l("Enter the survey’s title"))
    title_cy = text_field(_l("Title in Welsh (optional)"), limit=200, called=_l("The title in Welsh"),
                          hint=WELSH_HINT)
    introduction = text_field(_l("Introduction"), limit=LONG_TEXT, area=True, called=_l("The introduction"),
                        hint=_l("Shown on the survey’s first page: why you ask and how the answers will be used. "
                                "You can use Markdown: **bold**, lists starting with -, links"))
    introduction_cy = text_field(_l("Introduction in Welsh (optional)"), limit=LONG_TEXT, area=True,
                                 called=_l("The introduction in Welsh"), hint=WELSH_MARKDOWN_HINT)
    privacy_note = text_field(_l("Privacy note"), limit=LONG_TEXT, area=True, called=_l("The privacy note"),
                        hint=_l("Shown before the first question: exactly what is stored and what is not. You can "
                                "use Markdown: **bold**, lists starting with -, links"),
                        required=_l("Enter the privacy note"))
    privacy_note_cy = text_field(_l("Privacy note in Welsh (optional)"), limit=LONG_TEXT, area=True,
                                 called=_l("The privacy note in Welsh"), hint=WELSH_MARKDOWN_HINT)
    open_days = WholeNumberField(
        _l("How many days each wave stays open"), default=14, called=_l("The number of days"),
        description=_l("Waves already planned keep their dates: change them on the survey’s waves page"),
        minimum=MIN_OPEN_DAYS, maximum=MAX_OPEN_DAYS, required=_l("Enter how many days each wave stays open"),
        range_message=_l("Enter a number of days from %(min)s to %(max)s", min=MIN_OPEN_DAYS, max=MAX_OPEN_DAYS))
    submit = SubmitField(_l("Save survey"), widget=GovSubmitInput())


class NewSurveyForm(SurveyForm):
    submit = SubmitField(_l("Create survey"), widget=GovSubmitInput())


REQUIRED_CHOICES = [("yes", _l("Yes, an answer is required")), ("no", _l("No, it is optional"))]


class QuestionForm(Form):
    kind = RadioField(_l("Kind of question"), widget=GovRadioInput(),
                      choices=lambda: [(k.value, k.label) for k in QuestionKind],
                      validators=[Required(_l("Choose the kind of question"))],
                      message=_l("Choose the kind of question"))
    text = text_field(_l("Question"), limit=500, called=_l("The question"),
                hint=_l("For example, The changes being made are improving how we work with customers"),
                required=_l("Enter the question"), area=True)
    text_cy = text_field(_l("Question in Welsh (optional)"), limit=500, called=_l("The question in Welsh"),
                         hint=WELSH_HINT, area=True)
    hint = text_field(_l("Hint (optional)"), limit=500, called=_l("The hint"),
                hint=_l("Shown under the question, to help people answer it"))
    hint_cy = text_field(_l("Hint in Welsh (optional)"), limit=500, called=_l("The hint in Welsh"), hint=WELSH_HINT)
    required = RadioField(_l("Must people answer this question?"), widget=GovRadioInput(), default="yes",
                          choices=lambda: REQUIRED_CHOICES,
                          validators=[Required(_l("Choose whether an answer is required"))],
                          message=_l("Choose whether an answer is required"))
    choices = text_field(_l("Choices"), limit=CHOICES_LENGTH, area=True, called=_l("The choices"),
                   hint=_l("For one-choice and several-choice questions only: one choice on each line, 2 to 20 "
                           "choices"))
    choices_cy = text_field(_l("Choices in Welsh (optional)"), limit=CHOICES_LENGTH, area=True,
                            called=_l("The choices in Welsh"),
                            hint=_l("One choice on each line, in the same order as the English choices. If you "
                                    "leave them blank, people reading in Welsh see the English"))
    nps = BooleanField(_l("Score as eNPS"), widget=GovCheckboxInput(),
                       description=_l("For questions from 0 to 10 only: the percentage who answer 9 or 10 minus the "
                                      "percentage who answer 0 to 6"))
    submit = SubmitField(_l("Add question"), widget=GovSubmitInput())


class QuestionEditForm(QuestionForm):
    submit = SubmitField(_l("Save question"), widget=GovSubmitInput())


class MoveQuestionForm(Form):
    """The "Move up" and "Move down" buttons: the button pressed says which."""

    direction = RadioField(choices=lambda: [("up", _l("Up")), ("down", _l("Down"))],
                           validators=[Required(_l("Choose up or down"))], message=_l("Choose up or down"))


class CopySourceForm(Form):
    """Which survey to copy from (a GET form: nothing changes until the questions are chosen)."""

    source = RadioField(_l("Which survey do you want to copy questions from?"), widget=GovRadioInput(), coerce=str,
                        validators=[Required(_l("Choose a survey to copy questions from"))],
                        message=_l("Choose a survey from the list"))
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())

    def __init__(self, *args, surveys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.source.choices = [(str(s.id), s.title) for s in surveys]


class CopyQuestionsForm(Form):
    questions = SelectMultipleField(_l("Questions to copy"), widget=GovCheckboxesInput(), coerce=str,
                                    validators=[Required(_l("Choose at least one question to copy"))],
                                    message=_l("Choose questions from the list"))
    submit = SubmitField(_l("Copy questions"), widget=GovSubmitInput())

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions.choices = [(str(q.id), q.text) for q in questions]


class WaveDatesForm(Form):
    opens_on = DateField(_l("Opening date"), called=_l("Opening date"), description=_l("For example, 1 4 2026"),
                         required=_l("Enter the opening date"))
    closes_on = DateField(_l("Closing date"), called=_l("Closing date"),
                          description=_l("The last day people can answer, for example, 14 4 2026"),
                          required=_l("Enter the closing date"))
    submit = SubmitField(_l("Save dates"), widget=GovSubmitInput())
