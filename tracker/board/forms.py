"""Forms for opportunities, cards, moves, actions, progress updates, links and the sheets."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from tracker.board.models import Kind, Priority, RoadmapColumn


def _priority_choices():
    return [(p.value, p.label) for p in Priority]


class VersionedForm(FlaskForm):
    """Carries the card version the person saw, so a stale change is refused."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class OpportunityForm(FlaskForm):
    title = StringField(_l("Design opportunity"), widget=GovTextInput(),
                        description=_l("Start with “How might we…?”"),
                        validators=[InputRequired(message=_l("Enter the design opportunity")), Length(max=300)])
    rationale = TextAreaField(_l("How does this change support the objectives?"), widget=GovTextArea())
    priority = RadioField(_l("Priority"), widget=GovRadioInput(), default=Priority.MEDIUM.value,
                          validators=[InputRequired(message=_l("Choose a priority"))])
    assignee = SelectField(_l("Assigned to"), widget=GovSelect(), coerce=str)
    is_in_progress = BooleanField(_l("In progress"), widget=GovCheckboxInput())
    initiatives = SelectMultipleField(_l("Link to project aims or other initiatives"),
                                      widget=GovCheckboxesInput(), coerce=str)
    submit = SubmitField(_l("Save design opportunity"), widget=GovSubmitInput())

    def __init__(self, *args, people=(), initiatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.priority.choices = _priority_choices()
        self.assignee.choices = [("", _l("Nobody yet"))] + [(str(p.id), p.name) for p in people]
        self.initiatives.choices = [(str(i.id), i.name) for i in initiatives]


class CardForm(FlaskForm):
    title = StringField(_l("Name"), widget=GovTextInput(),
                        validators=[InputRequired(message=_l("Enter a name")), Length(max=300)])
    kind = RadioField(_l("Kind"), widget=GovRadioInput(), validators=[InputRequired(message=_l("Choose a kind"))])
    rationale = TextAreaField(_l("How does this change support the objectives?"), widget=GovTextArea())
    description = TextAreaField(_l("Description"), widget=GovTextArea(),
                                description=_l("You can use Markdown: *emphasis*, lists, links"))
    priority = RadioField(_l("Priority"), widget=GovRadioInput(), default=Priority.MEDIUM.value,
                          validators=[InputRequired(message=_l("Choose a priority"))])
    owners = SelectMultipleField(_l("Owners"), widget=GovCheckboxesInput(), coerce=str)
    initiatives = SelectMultipleField(_l("Link to project aims or other initiatives"),
                                      widget=GovCheckboxesInput(), coerce=str)
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())

    def __init__(self, *args, quick_win=False, people=(), initiatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [Kind.QUICK_WIN] if quick_win else [Kind.IDEA, Kind.CONCEPT, Kind.PROTOTYPE]
        self.kind.choices = [(k.value, k.label) for k in kinds]
        if quick_win:
            self.kind.data = Kind.QUICK_WIN.value
        self.priority.choices = _priority_choices()
        self.owners.choices = [(str(p.id), p.name) for p in people]
        self.initiatives.choices = [(str(i.id), i.name) for i in initiatives]


class MoveForm(VersionedForm):
    column = SelectField(_l("Move to"), choices=lambda: [(c.value, c.label) for c in RoadmapColumn],
                         validators=[InputRequired(message=_l("Choose a column"))])
    #: The card it should follow: empty = bottom of the column, 0 = top.
    after = IntegerField(widget=HiddenInput(), validators=[Optional()])


class ActionForm(FlaskForm):
    text = StringField(_l("Action"), widget=GovTextInput(),
                       validators=[InputRequired(message=_l("Enter the action")), Length(max=500)])
    owner = SelectField(_l("Owner"), widget=GovSelect(), coerce=str)
    due_on = DateField(_l("Due date"), widget=GovDateInput(), format="%d %m %Y", validators=[Optional()],
                       description=_l("For example, 31 1 2027"))
    submit = SubmitField(_l("Add action"), widget=GovSubmitInput())

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.owner.choices = [("", _l("Nobody yet"))] + [(str(p.id), p.name) for p in people]


class ActionDoneForm(FlaskForm):
    done = HiddenField()


class ProgressUpdateForm(FlaskForm):
    on = DateField(_l("Date"), widget=GovDateInput(), format="%d %m %Y",
                   validators=[InputRequired(message=_l("Enter the date of the update"))])
    body = TextAreaField(_l("Progress update"), widget=GovTextArea(),
                         description=_l("You can use Markdown"),
                         validators=[InputRequired(message=_l("Enter the progress update"))])
    submit = SubmitField(_l("Add progress update"), widget=GovSubmitInput())


class LinkForm(FlaskForm):
    other = SelectField(_l("Related card"), widget=GovSelect(), coerce=str,
                        validators=[InputRequired(message=_l("Choose a card"))])
    submit = SubmitField(_l("Add link"), widget=GovSubmitInput())

    def __init__(self, *args, cards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.other.choices = [("", _l("Choose a card"))] + [(str(c.id), f"{c.code} {c.title}") for c in cards]


class UnlinkForm(FlaskForm):
    """CSRF only."""


def _area(label, description=None):
    return TextAreaField(label, widget=GovTextArea(), description=description)


class ConceptSheetForm(VersionedForm):
    name = _area(_l("What is the name of your concept?"))
    how_it_works = _area(_l("How does your concept work?"))
    target_users = _area(_l("Who is the target user or users?"))
    value = _area(_l("What value does it bring? How does it address the design challenge?"))
    barriers = _area(_l("Are there any anticipated barriers or challenges to your concept?"))
    success_factors = _area(_l("What are the key factors for success?"))
    description = _area(_l("Describe your concept"))
    submit = SubmitField(_l("Save concept capture sheet"), widget=GovSubmitInput())


class PrototypePlanForm(VersionedForm):
    concept_tested = _area(_l("What is the concept we are testing?"))
    assumptions = _area(_l("What assumptions do we need to test?"))
    key_questions = _area(_l("What key questions do we have about how the concept should work? "
                             "Are there specific components we want to look at?"))
    how_to_test = _area(_l("How will we prototype key questions and assumptions? How will we capture feedback?"))
    scenarios_roles = _area(_l("If role play: what scenarios will we use? What are the roles required and who "
                               "will play them?"))
    needs = _area(_l("What do we need (activities, resources, people etc.) to implement the concept and turn "
                     "it into a reality?"))
    feedback_worked = _area(_l("Feedback: what worked"))
    feedback_improve = _area(_l("Feedback: what could be improved"))
    feedback_questions = _area(_l("Feedback: questions raised"))
    feedback_ideas = _area(_l("Feedback: new ideas"))
    submit = SubmitField(_l("Save prototyping plan"), widget=GovSubmitInput())


class FilterForm(FlaskForm):
    """The board's filters (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), widget=GovTextInput())
    owner = SelectField(_l("Owner"), widget=GovSelect(), coerce=str, validate_choice=False)
    priority = SelectField(_l("Priority"), widget=GovSelect(), validate_choice=False)
    kind = SelectField(_l("Kind"), widget=GovSelect(), validate_choice=False)
    indicator = SelectField(_l("Indicator"), widget=GovSelect(), validate_choice=False)
    overdue = BooleanField(_l("Only cards with overdue actions"), widget=GovCheckboxInput())

    def __init__(self, *args, people=(), indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator.choices = [("", _l("Any"))] + [(str(i.id), f"{i.code} {i.name[:60]}") for i in indicators]
        self.owner.choices = [("", _l("Anyone"))] + [(str(p.id), p.name) for p in people]
        self.priority.choices = [("", _l("Any"))] + _priority_choices()
        self.kind.choices = [("", _l("Any"))] + [(k.value, k.label) for k in Kind]
