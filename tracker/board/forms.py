"""Forms for opportunities, cards, moves, actions, progress updates, links and the sheets."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, StringField, SubmitField
from wtforms.widgets import HiddenInput

from tracker.board.models import Kind, Priority, RoadmapColumn
from tracker.board.queries import TEAM_OWNER
from tracker.core.fields import (
    LONG_TEXT,
    DateField,
    Form,
    MaxLength,
    RadioField,
    Required,
    SelectField,
    SelectMultipleField,
    WholeNumberField,
    text,
)


def _priority_choices():
    return [(p.value, p.label) for p in Priority]


def _version(required=True):
    """The hidden version the person saw (a tampered one is refused like any other wrong number)."""
    return WholeNumberField(widget=HiddenInput(), called=_l("The version"),
                            required=_l("Reload the page and try again") if required else None)


class VersionedForm(Form):
    """Carries the card version the person saw, so a stale change is refused."""

    version = _version()


class OpportunityForm(Form):
    title = text(_l("Design opportunity"), limit=300, hint=_l("Start with “How might we…?”"),
                 required=_l("Enter the design opportunity"))
    rationale = text(_l("How does this change support the objectives?"), limit=LONG_TEXT, area=True,
                     called=_l("How the change supports the objectives"))
    priority = RadioField(_l("Priority"), widget=GovRadioInput(), default=Priority.MEDIUM.value,
                          validators=[Required(_l("Choose a priority"))], message=_l("Choose a priority"))
    assignee = SelectField(_l("Assigned to"), widget=GovSelect(), coerce=str,
                           message=_l("Choose a person from the list"))
    is_in_progress = BooleanField(_l("In progress"), widget=GovCheckboxInput())
    initiatives = SelectMultipleField(_l("Link to project aims or other initiatives"),
                                      widget=GovCheckboxesInput(), coerce=str,
                                      message=_l("Choose project aims or initiatives from the list"))
    submit = SubmitField(_l("Save design opportunity"), widget=GovSubmitInput())

    def __init__(self, *args, people=(), initiatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.priority.choices = _priority_choices()
        self.assignee.choices = [("", _l("Nobody yet"))] + [(str(p.id), p.name) for p in people]
        self.initiatives.choices = [(str(i.id), i.name) for i in initiatives]


class CardForm(Form):
    title = text(_l("Name"), limit=300, required=_l("Enter a name"))
    kind = RadioField(_l("Kind"), widget=GovRadioInput(), validators=[Required(_l("Choose a kind"))],
                      message=_l("Choose a kind"))
    rationale = text(_l("How does this change support the objectives?"), limit=LONG_TEXT, area=True,
                     called=_l("How the change supports the objectives"))
    description = text(_l("Description"), limit=LONG_TEXT, area=True,
                       hint=_l("You can use Markdown: **bold**, lists starting with -, links"))
    priority = RadioField(_l("Priority"), widget=GovRadioInput(), default=Priority.MEDIUM.value,
                          validators=[Required(_l("Choose a priority"))], message=_l("Choose a priority"))
    owners = SelectMultipleField(_l("Owners"), widget=GovCheckboxesInput(), coerce=str,
                                 message=_l("Choose owners from the list"))
    initiatives = SelectMultipleField(_l("Link to project aims or other initiatives"),
                                      widget=GovCheckboxesInput(), coerce=str,
                                      message=_l("Choose project aims or initiatives from the list"))
    version = _version(required=False)
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())

    def __init__(self, *args, quick_win=False, people=(), initiatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [Kind.QUICK_WIN] if quick_win else [Kind.IDEA, Kind.CONCEPT, Kind.PROTOTYPE]
        self.kind.choices = [(k.value, k.label) for k in kinds]
        if quick_win:
            self.kind.data = Kind.QUICK_WIN.value
        self.priority.choices = _priority_choices()
        # The seed's owner "Team": the whole project team owns it, as well as (or instead of) named people.
        self.owners.choices = [(TEAM_OWNER, _l("The project team"))] + [(str(p.id), p.name) for p in people]
        self.initiatives.choices = [(str(i.id), i.name) for i in initiatives]


class MoveForm(VersionedForm):
    column = SelectField(_l("Move to"), choices=lambda: [(c.value, c.label) for c in RoadmapColumn],
                         validators=[Required(_l("Choose a column"))], message=_l("Choose a column"))
    #: The card it should follow: empty = bottom of the column, 0 = top.
    after = WholeNumberField(widget=HiddenInput(), called=_l("The card to follow"))
    #: Or its place in the column, counted from 1 (the form without JavaScript); empty = the bottom.
    position = WholeNumberField(_l("Position"), called=_l("Position"), minimum=1)


class ActionForm(Form):
    text = text(_l("Action"), limit=500, called=_l("The action"), required=_l("Enter the action"))
    owner = SelectField(_l("Owner"), widget=GovSelect(), coerce=str, message=_l("Choose an owner from the list"))
    due_on = DateField(_l("Due date"), called=_l("Due date"), description=_l("For example, 31 1 2027"))
    submit = SubmitField(_l("Add action"), widget=GovSubmitInput())

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.owner.choices = [("", _l("Nobody yet"))] + [(str(p.id), p.name) for p in people]


class ActionEditForm(ActionForm):
    """Change an action; carries the version the person saw, so a stale change is refused."""

    version = _version()
    submit = SubmitField(_l("Save action"), widget=GovSubmitInput())


class VersionedConfirmForm(VersionedForm):
    """A confirmation of a change to a card, from the version the person saw."""


class ActionDoneForm(Form):
    done = HiddenField()


class ProgressUpdateForm(Form):
    on = DateField(_l("Date"), called=_l("Date of the update"), required=_l("Enter the date of the update"))
    body = text(_l("Progress update"), limit=LONG_TEXT, area=True, called=_l("The progress update"),
                hint=_l("You can use Markdown: **bold**, lists starting with -, links"),
                required=_l("Enter the progress update"))
    submit = SubmitField(_l("Add progress update"), widget=GovSubmitInput())


class LinkForm(Form):
    other = SelectField(_l("Related card"), widget=GovSelect(), coerce=str,
                        validators=[Required(_l("Choose a card"))], message=_l("Choose a card from the list"))
    submit = SubmitField(_l("Add link"), widget=GovSubmitInput())

    def __init__(self, *args, cards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.other.choices = [("", _l("Choose a card"))] + [(str(c.id), f"{c.code} {c.title}") for c in cards]


def _area(label):
    return text(label, limit=LONG_TEXT, area=True, called=_l("The answer"))


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


class FilterForm(Form):
    """The board's filters (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), widget=GovTextInput(), validators=[MaxLength(200, _l("Search"))])
    owner = SelectField(_l("Owner"), widget=GovSelect(), coerce=str, validate_choice=False)
    priority = SelectField(_l("Priority"), widget=GovSelect(), validate_choice=False)
    kind = SelectField(_l("Kind"), widget=GovSelect(), validate_choice=False)
    indicator = SelectField(_l("Indicator"), widget=GovSelect(), validate_choice=False)
    overdue = BooleanField(_l("Only cards with overdue actions"), widget=GovCheckboxInput())

    def __init__(self, *args, people=(), indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator.choices = [("", _l("Any"))] + [(str(i.id), f"{i.code} {i.name[:60]}") for i in indicators]
        self.owner.choices = [("", _l("Anyone")), (TEAM_OWNER, _l("The project team"))] + [
            (str(p.id), p.name) for p in people]
        self.priority.choices = [("", _l("Any"))] + _priority_choices()
        self.kind.choices = [("", _l("Any"))] + [(k.value, k.label) for k in Kind]
