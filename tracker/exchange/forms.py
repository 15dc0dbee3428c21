"""The upload form and the confirmation of an import."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from tracker.core.fields import Form


class UploadForm(Form):
    file = FileField(_l("Upload a file"), widget=GovFileInput(),
                     description=_l("A .csv or .xlsx file, smaller than 2 MB, with at most 5,000 rows"),
                     validators=[FileRequired(message=_l("Choose a .csv or .xlsx file")),
                                 FileAllowed(["csv", "xlsx"], message=_l("The file must be a .csv or .xlsx file"))])
    submit = SubmitField(_l("Upload and check"), widget=GovSubmitInput())


class ConfirmForm(Form):
    submit = SubmitField(_l("Import figures"), widget=GovSubmitInput())
