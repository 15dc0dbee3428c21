"""Forms for the results framework, figures, outputs and card links."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from tracker.results.models import Direction, Unit


class ObjectiveForm(FlaskForm):
    title = TextAreaField(_l("Objective"), widget=GovTextArea(),
                          description=_l("For example, To reduce prevention ‘fallout’ from the homelessness system"),
                          validators=[InputRequired(message=_l("Enter the objective"))])
    submit = SubmitField(_l("Add objective"), widget=GovSubmitInput())


class OutcomeForm(FlaskForm):
    title = TextAreaField(_l("Outcome"), widget=GovTextArea(),
                          validators=[InputRequired(message=_l("Enter the outcome"))])
    submit = SubmitField(_l("Add outcome"), widget=GovSubmitInput())


class IndicatorForm(FlaskForm):
    name = TextAreaField(_l("Indicator"), widget=GovTextArea(),
                         description=_l("What is measured, e.g. Proportion of unique households under Prevention duty "
                                        "categorised as ‘fall-out’ during the three-month period"),
                         validators=[InputRequired(message=_l("Enter the indicator"))])
    definition = TextAreaField(_l("Indicator definition"), widget=GovTextArea(),
                               description=_l("What success looks like, e.g. Number of households recorded as "
                                              "‘fallen out’ under Prevention duty reduced"))
    unit = RadioField(_l("Unit"), widget=GovRadioInput(), default=Unit.COUNT.value,
                      validators=[InputRequired(message=_l("Choose a unit"))])
    numerator_label = StringField(_l("Numerator (proportions only)"), widget=GovTextInput(),
                                  description=_l("What the numerator counts, e.g. households that fell out"),
                                  validators=[Length(max=200)])
    denominator_label = StringField(_l("Denominator (proportions only)"), widget=GovTextInput(),
                                    description=_l("What the denominator counts, e.g. households under Prevention "
                                                   "duty"), validators=[Length(max=200)])
    direction = RadioField(_l("Which direction is better?"), widget=GovRadioInput(),
                           default=Direction.INCREASE.value,
                           validators=[InputRequired(message=_l("Choose which direction is better"))])
    baseline = DecimalField(_l("Baseline"), widget=GovTextInput(), places=None, validators=[Optional()],
                            description=_l("For proportions, a percentage"))
    target = DecimalField(_l("Target"), widget=GovTextInput(), places=None, validators=[Optional()],
                          description=_l("For proportions, a percentage"))
    frequency = StringField(_l("Data collection frequency"), widget=GovTextInput(), validators=[Length(max=500)])
    data_source = StringField(_l("Data source"), widget=GovTextInput(), validators=[Length(max=500)])
    who_collects = StringField(_l("Who will collect data"), widget=GovTextInput(), validators=[Length(max=500)])
    submit = SubmitField(_l("Save indicator"), widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = [(u.value, u.label) for u in Unit]
        self.direction.choices = [(d.value, d.label) for d in Direction]


class OutputForm(FlaskForm):
    description = TextAreaField(_l("Output"), widget=GovTextArea(),
                                description=_l("For example, LAs implement actions for prevention duty following "
                                               "action plan"),
                                validators=[InputRequired(message=_l("Enter the output"))])
    evidence = TextAreaField(_l("How it is evidenced"), widget=GovTextArea(),
                             description=_l("For example, Narrative report describing prevention action plan "
                                            "implementation"))
    due_days_after_period = IntegerField(_l("Due this many days after each reporting period"),
                                         widget=GovTextInput(), default=14, validators=[
        InputRequired(message=_l("Enter the number of days")),
        NumberRange(min=0, max=365, message=_l("Enter a number of days from 0 to 365"))])
    submit = SubmitField(_l("Add output"), widget=GovSubmitInput())


class FigureForm(FlaskForm):
    value = StringField(_l("Value"), widget=GovTextInput())
    numerator = StringField(_l("Numerator"), widget=GovTextInput())
    denominator = StringField(_l("Denominator"), widget=GovTextInput())
    flag = RadioField(_l("Answer"), widget=GovRadioInput(), choices=lambda: [("yes", _l("Yes")), ("no", _l("No"))],
                      validators=[Optional()])
    narrative = TextAreaField(_l("Narrative"), widget=GovTextArea())
    is_testing_phase = BooleanField(_l("This figure comes from the organisation's testing phase"),
                                    widget=GovCheckboxInput(), default=True)
    note = TextAreaField(_l("Note"), widget=GovTextArea())
    source = StringField(_l("Source"), widget=GovTextInput(),
                         description=_l("Where the figure comes from, e.g. the case management system report"))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("Save figure"), widget=GovSubmitInput())


class CardIndicatorsForm(FlaskForm):
    indicators = SelectMultipleField(_l("Indicators this card is meant to move"), widget=GovCheckboxesInput(),
                                     coerce=str)
    submit = SubmitField(_l("Save linked indicators"), widget=GovSubmitInput())

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators.choices = [(str(i.id), f"{i.code} {i.name}") for i in indicators]
