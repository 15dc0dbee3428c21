"""Forms for a check-in's meeting record: holding it, the record itself, and an action arising."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSelect, GovSubmitInput
from wtforms import SubmitField
from wtforms.validators import ValidationError
from wtforms.widgets import HiddenInput

from tracker.checkins.models import CheckInRag
from tracker.core.fields import (
    DateField,
    Form,
    RadioField,
    Required,
    SelectField,
    SelectMultipleField,
    WholeNumberField,
    text,
)

#: The longest notes, reason and list of other names people may give (the hints say so).
NOTES_LENGTH, REASON_LENGTH, NAMES_LENGTH, NAME_LENGTH = 20_000, 2_000, 2_000, 200
#: The card choice that makes a new quick win for the action.
NEW_QUICK_WIN = "new"


def _version():
    return WholeNumberField(widget=HiddenInput(), called=_l("The version"),
                            required=_l("Reload the page and try again"))


class HoldForm(Form):
    """Mark a check-in held, which freezes its agenda: carries the version the person saw."""

    version = _version()
    submit = SubmitField(_l("Mark as held and keep this agenda"), widget=GovSubmitInput())


class RecordForm(Form):
    """The meeting record: who came, the notes, and the overall judgement with its reason."""

    attendees = SelectMultipleField(_l("People in the programme who came"), widget=GovCheckboxesInput(), coerce=str,
                                    message=_l("Choose people from the list"))
    other_names = text(_l("Other people who came (optional)"), limit=NAMES_LENGTH, called=_l("The other names"),
                       hint=_l("One name on each line"), area=True)
    notes = text(_l("Notes (optional)"), limit=NOTES_LENGTH, called=_l("The notes"),
                 hint=_l("You can use Markdown: **bold**, lists starting with -, links"), area=True)
    rag = RadioField(_l("Overall, how is the organisation doing?"), widget=GovRadioInput(),
                     choices=lambda: [(r.value, r.label) for r in CheckInRag],
                     message=_l("Choose green, amber or red"))
    rag_reason = text(_l("Why? (optional)"), limit=REASON_LENGTH, called=_l("The reason"), area=True)
    version = _version()
    submit = SubmitField(_l("Save meeting record"), widget=GovSubmitInput())

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.attendees.choices = [(str(p.id), p.name) for p in people]

    def validate_other_names(self, field):
        if any(len(name) > NAME_LENGTH for name in names(field.data)):
            raise ValidationError(_l("Each name must be 200 characters or fewer"))

    def validate_rag_reason(self, field):
        if (field.data or "").strip() and not self.rag.data:
            raise ValidationError(_l("Choose green, amber or red for this reason"))


def names(value: str | None) -> list[str]:
    """The typed names, one a line, blank lines and repeats left out."""
    seen, result = set(), []
    for line in (value or "").splitlines():
        name = " ".join(line.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    return result


class ArisingForm(Form):
    """An action arising: onto one of the organisation's cards, or as a new quick win."""

    text = text(_l("Action"), limit=500, called=_l("The action"), required=_l("Enter the action"),
                hint=_l("What needs doing, for example “Send the new letter to the tenancy team”"))
    card = SelectField(_l("Card"), widget=GovSelect(), coerce=str, validators=[Required(_l("Choose a card"))],
                       message=_l("Choose a card from the list"),
                       description=_l("The action goes on this card, or on a new quick win with the action as "
                                      "its title"))
    owner = SelectField(_l("Owner"), widget=GovSelect(), coerce=str, message=_l("Choose an owner from the list"))
    due_on = DateField(_l("Due date (optional)"), called=_l("Due date"), description=_l("For example, 31 1 2027"))
    submit = SubmitField(_l("Add action arising"), widget=GovSubmitInput())

    def __init__(self, *args, cards=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.card.choices = ([("", _l("Choose a card")), (NEW_QUICK_WIN, _l("A new quick win"))]
                             + [(str(c.id), f"{c.code} {c.title}") for c in cards])
        self.owner.choices = [("", _l("Nobody yet"))] + [(str(p.id), p.name) for p in people]
