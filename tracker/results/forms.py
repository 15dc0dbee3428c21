"""Forms for the results framework, figures, outputs and card links."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, StringField, SubmitField
from wtforms.widgets import HiddenInput

from tracker.core.fields import (
    LONG_TEXT,
    Form,
    MaxLength,
    NumberField,
    RadioField,
    Required,
    SelectMultipleField,
    WholeNumberField,
    text,
)
from tracker.results.models import Direction, Unit

#: Figures' sources and the API's limit for them.
SOURCE_LENGTH = 1_000


class ObjectiveForm(Form):
    title = text(_l("Objective"), limit=LONG_TEXT, area=True, called=_l("The objective"),
                 hint=_l("For example, To reduce prevention ‘fallout’ from the homelessness system"),
                 required=_l("Enter the objective"))
    submit = SubmitField(_l("Add objective"), widget=GovSubmitInput())


class OutcomeForm(Form):
    title = text(_l("Outcome"), limit=LONG_TEXT, area=True, called=_l("The outcome"), required=_l("Enter the outcome"))
    submit = SubmitField(_l("Add outcome"), widget=GovSubmitInput())


class IndicatorForm(Form):
    name = text(_l("Indicator"), limit=LONG_TEXT, area=True, called=_l("The indicator"),
                hint=_l("What is measured, e.g. Proportion of unique households under Prevention duty categorised "
                        "as ‘fall-out’ during the three-month period"),
                required=_l("Enter the indicator"))
    definition = text(_l("Indicator definition"), limit=LONG_TEXT, area=True, called=_l("The definition"),
                      hint=_l("What success looks like, e.g. Number of households recorded as ‘fallen out’ under "
                              "Prevention duty reduced"))
    unit = RadioField(_l("Unit"), widget=GovRadioInput(), default=Unit.COUNT.value,
                      validators=[Required(_l("Choose a unit"))], message=_l("Choose a unit"))
    numerator_label = text(_l("Numerator (proportions only)"), limit=200, called=_l("The numerator"),
                           hint=_l("What the numerator counts, e.g. households that fell out"))
    denominator_label = text(_l("Denominator (proportions only)"), limit=200, called=_l("The denominator"),
                             hint=_l("What the denominator counts, e.g. households under Prevention duty"))
    direction = RadioField(_l("Which direction is better?"), widget=GovRadioInput(),
                           default=Direction.INCREASE.value,
                           validators=[Required(_l("Choose which direction is better"))],
                           message=_l("Choose which direction is better"))
    baseline = NumberField(_l("Baseline"), called=_l("Baseline"),
                           description=_l("A number, like 12 or 0.5. For proportions, a percentage"))
    target = NumberField(_l("Target"), called=_l("Target"),
                         description=_l("A number, like 12 or 0.5. For proportions, a percentage"))
    frequency = text(_l("Data collection frequency"), limit=500, called=_l("The frequency"))
    data_source = text(_l("Data source"), limit=500, called=_l("The data source"))
    who_collects = text(_l("Who will collect data"), limit=500, called=_l("Who will collect data"))
    submit = SubmitField(_l("Save indicator"), widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = [(u.value, u.label) for u in Unit]
        self.direction.choices = [(d.value, d.label) for d in Direction]


class OutputForm(Form):
    description = text(_l("Output"), limit=LONG_TEXT, area=True, called=_l("The output"),
                       hint=_l("For example, LAs implement actions for prevention duty following action plan"),
                       required=_l("Enter the output"))
    evidence = text(_l("How it is evidenced"), limit=LONG_TEXT, area=True, called=_l("How it is evidenced"),
                    hint=_l("For example, Narrative report describing prevention action plan implementation"))
    due_days_after_period = WholeNumberField(
        _l("Due this many days after each reporting period"), default=14, called=_l("The number of days"),
        minimum=0, maximum=365, required=_l("Enter the number of days"),
        range_message=_l("Enter a number of days from 0 to 365"))
    submit = SubmitField(_l("Add output"), widget=GovSubmitInput())


class FigureForm(Form):
    """The numbers are text here: ``results.services.validate_figure`` reads them (one format, one set of
    messages for forms, imports and the API)."""

    value = StringField(_l("Value"), widget=GovTextInput(), description=_l("A whole number, like 12"),
                        validators=[MaxLength(60, _l("The value"))])
    numerator = StringField(_l("Numerator"), widget=GovTextInput(), description=_l("A number, like 14"),
                            validators=[MaxLength(60, _l("The numerator"))])
    denominator = StringField(_l("Denominator"), widget=GovTextInput(), description=_l("A number, like 115"),
                              validators=[MaxLength(60, _l("The denominator"))])
    flag = RadioField(_l("Answer"), widget=GovRadioInput(), choices=lambda: [("yes", _l("Yes")), ("no", _l("No"))],
                      message=_l("Choose yes or no"))
    narrative = text(_l("Narrative"), limit=LONG_TEXT, area=True, called=_l("The narrative"))
    is_testing_phase = BooleanField(_l("This figure comes from the organisation's testing phase"),
                                    widget=GovCheckboxInput(), default=True)
    note = text(_l("Note"), limit=LONG_TEXT, area=True, called=_l("The note"))
    source = text(_l("Source"), limit=SOURCE_LENGTH, called=_l("The source"),
                  hint=_l("Where the figure comes from, e.g. the case management system report"))
    version = WholeNumberField(widget=HiddenInput(), called=_l("The version"))
    submit = SubmitField(_l("Save figure"), widget=GovSubmitInput())


class CardIndicatorsForm(Form):
    indicators = SelectMultipleField(_l("Indicators this card is meant to move"), widget=GovCheckboxesInput(),
                                     coerce=str, message=_l("Choose indicators from the list"))
    submit = SubmitField(_l("Save linked indicators"), widget=GovSubmitInput())

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators.choices = [(str(i.id), f"{i.code} {i.name}") for i in indicators]


class ObjectiveEditForm(ObjectiveForm):
    submit = SubmitField(_l("Save objective"), widget=GovSubmitInput())


class OutcomeEditForm(OutcomeForm):
    submit = SubmitField(_l("Save outcome"), widget=GovSubmitInput())


class OutputEditForm(OutputForm):
    submit = SubmitField(_l("Save output"), widget=GovSubmitInput())
