"""An uploaded file of figures waiting for its uploader to confirm the preview."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.core.db import utcnow
from tracker.extensions import db
from tracker.programmes.models import Programme


class PendingImport(db.Model):
    """The parsed rows of an uploaded file, kept between the preview and the confirmation. Only the
    person who uploaded it may confirm it; it is deleted once imported, or after a day."""

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    filename: Mapped[str] = mapped_column(String(255), default="")
    #: ``{"columns": [...], "rows": [{"row": 2, "code": "1.1.1", ...}, ...]}`` as parsed from the file.
    rows: Mapped[dict] = mapped_column(JSON)

    programme: Mapped[Programme] = relationship()
    user: Mapped[User] = relationship()
