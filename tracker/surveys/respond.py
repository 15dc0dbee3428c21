"""Answering a survey, anonymously: from a link to a stored response that says nothing of who sent it.

- **The link** (``/s/<token>``) is a one-use invitation's token or an organisation's shared link. It is
  looked up by its hash (:func:`access_for_token`) and exchanged at once for a short-lived signed cookie
  (:func:`sign`, :func:`read`): the pages that follow have no token in their URL. The cookie holds the
  ids of the invitation and of its survey, wave and organisation (or the shared link's organisation and
  hash); it is signed with the app's secret key, so it cannot be made up or changed, and it lasts
  :data:`ACCESS_MAX_AGE`.
- **The visit** (:func:`visit`) says what the person may do: answer (the wave is open and the link
  unused), or why not (used, closed, not open yet, already sent from this browser).
- **The questions** (:func:`questions`, :func:`answer_form`): the survey's questions that are not retired,
  as one form; answers are checked (required questions, choices that exist) and shown again as given.
- **Sending** (:func:`submit`) writes, in one transaction, the invitation's use — whose primary key
  refuses a second use, so two submissions at once give one response — and the response with its answers.
  The response's id is random (``uuid4``), its date is the UK day; nothing stores the time, the
  invitation, the email or the token next to it. A shared link's response has no use.
"""

import enum
import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import (
    and_,
    bindparam,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from tracker.core import clock, secrets
from tracker.core.fields import Form, RadioField, Required, SelectMultipleField
from tracker.core.fields import text as text_field
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme
from tracker.surveys import waves
from tracker.surveys.models import (
    LIKERT_POINTS,
    Invitation,
    InvitationUse,
    Question,
    QuestionKind,
    QuestionWords,
    Survey,
    SurveyWords,
    Wave,
    WaveOrganisation,
)

#: How long the cookie from a link lets its browser answer.
ACCESS_MAX_AGE = timedelta(hours=4)
#: A free-text answer's limit, stated in its hint.
MAX_TEXT = 2_000

_SALT = "survey-access"
INVITATION, SHARED, SENT = "i", "s", "d"


# --- the cookie ----------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def sign(payload: dict) -> str:
    """The cookie's value: ``payload``, signed and dated."""
    return _serializer().dumps(payload)


def read(value: str | None) -> dict | None:
    """The payload of a cookie this app signed less than :data:`ACCESS_MAX_AGE` ago, else ``None``."""
    if not value or not isinstance(value, str) or len(value) > 1000:
        return None
    try:
        payload = _serializer().loads(value, max_age=int(ACCESS_MAX_AGE.total_seconds()))
    except (BadSignature, ValueError, TypeError):
        return None
    return payload if isinstance(payload, dict) else None


def access_for_token(token: str) -> dict | None:
    """The cookie payload a link's token is exchanged for, or ``None`` for a token that is not a link."""
    if not token or len(token) > 200:
        return None
    hashed = secrets.token_hash(token)
    invitation = db.session.execute(
        select(Invitation.id, Wave.survey_id, Invitation.wave_id, Invitation.organisation_id)
        .join(Wave, Wave.id == Invitation.wave_id).where(Invitation.token_hash == hashed)).first()
    if invitation is not None:  # its survey, wave and organisation too, for :func:`submit_known`
        return {"k": INVITATION, "i": invitation[0], "s": invitation[1], "w": invitation[2], "o": invitation[3]}
    shared = db.session.scalar(select(WaveOrganisation.id).where(WaveOrganisation.shared_token_hash == hashed))
    if shared is not None:
        return {"k": SHARED, "w": shared, "h": hashed}
    return None


def sent_payload(current: "Visit") -> dict:
    """What the cookie says once the answers are sent: which survey they went to, nothing more."""
    return {"k": SENT, "w": current.wave.id, "o": current.organisation.id}


# --- the visit -----------------------------------------------------------------------------------


class State(enum.StrEnum):
    OPEN = "open"
    NOT_OPEN = "not_open"
    CLOSED = "closed"
    USED = "used"
    #: This browser has just sent its answers.
    SENT = "sent"


@dataclass(frozen=True)
class WaveFacts:
    id: int
    number: int
    opens_on: date
    closes_on: date


@dataclass(frozen=True)
class SurveyFacts(SurveyWords):
    id: int
    title: str
    introduction: str
    privacy_note: str
    title_cy: str
    introduction_cy: str
    privacy_note_cy: str
    #: The programme's smallest group whose results are shown.
    min_group: int


@dataclass(frozen=True)
class OrganisationFacts:
    id: int
    name: str
    #: Its staff surveys' language ("both", "cy" or "en"): which one a respondent's pages open in.
    language: str = "both"


@dataclass
class Visit:
    """What a respondent's cookie leads to, as plain values read in one statement."""

    state: State
    wave: WaveFacts
    organisation: OrganisationFacts
    survey: SurveyFacts
    #: The one-use invitation whose link this is; ``None`` for a shared link.
    invitation_id: int | None = None

    @property
    def shared(self) -> bool:
        return self.invitation_id is None


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


_FACTS = (Wave.id, Wave.number, Wave.opens_on, Wave.closes_on, Survey.id, Survey.title, Survey.introduction,
          Survey.privacy_note, Survey.title_cy, Survey.introduction_cy, Survey.privacy_note_cy,
          Programme.survey_min_group, Organisation.id, Organisation.name, Organisation.language)


@cache
def _visit_statement(kind: str):
    """The one statement of :func:`visit`, made once per kind of cookie (its key is ``:key``)."""
    query = (select(*_FACTS).select_from(Wave).join(Survey, Survey.id == Wave.survey_id)
             .join(Programme, Programme.id == Survey.programme_id))
    key = bindparam("key")
    if kind == INVITATION:
        query = (query.add_columns(Invitation.id, InvitationUse.invitation_id)
                 .join(Invitation, Invitation.wave_id == Wave.id)
                 .join(Organisation, Organisation.id == Invitation.organisation_id)
                 .outerjoin(InvitationUse, InvitationUse.invitation_id == Invitation.id)
                 .where(Invitation.id == key))
    elif kind == SHARED:
        query = (query.add_columns(WaveOrganisation.shared_token_hash)
                 .join(WaveOrganisation, WaveOrganisation.wave_id == Wave.id)
                 .join(Organisation, Organisation.id == WaveOrganisation.organisation_id)
                 .where(WaveOrganisation.id == key))
    else:
        query = query.join(Organisation, Organisation.id == bindparam("organisation")).where(Wave.id == key)
    return query.where(Organisation.programme_id == Survey.programme_id)


#: How many columns each kind of visit adds after :data:`_FACTS`.
_EXTRA = {INVITATION: 2, SHARED: 1, SENT: 0}
_QUESTION_COLUMNS = (Question.id, Question.kind, Question.text, Question.hint, Question.required, Question.choices,
                     Question.nps, Question.text_cy, Question.hint_cy, Question.choices_cy)


#: The questions' columns, then the survey's questions version (the same on every row): see :func:`submit_known`.
_ASKED_COLUMNS = (*_QUESTION_COLUMNS, Survey.questions_version)


@cache
def _visit_and_questions_statement(kind: str):
    """:func:`_visit_statement` with the survey's asked questions joined on: one row per question."""
    return (_visit_statement(kind).add_columns(*_ASKED_COLUMNS)
            .outerjoin(Question, and_(Question.survey_id == Survey.id, Question.retired_dt.is_(None)))
            .order_by(Question.position, Question.id))


def _params(payload: dict | None) -> tuple[str, dict] | None:
    if not payload:
        return None
    kind = payload.get("k")
    if kind == INVITATION and _is_id(payload.get("i")):
        return kind, {"key": payload["i"]}
    if kind == SHARED and _is_id(payload.get("w")) and isinstance(payload.get("h"), str):
        return kind, {"key": payload["w"]}
    if kind == SENT and _is_id(payload.get("w")) and _is_id(payload.get("o")):
        return kind, {"key": payload["w"], "organisation": payload["o"]}
    return None


def visit(payload: dict | None, today: date | None = None) -> Visit | None:
    """What the cookie's holder may do now, or ``None`` if the cookie is not (or no longer) a way in:
    missing, forged, expired, its invitation gone, its shared link replaced or removed.

    One statement: the wave, its survey, the organisation (of the survey's programme) and, for an
    invitation, whether it has been used; read as plain values (a submission reads nothing else)."""
    found = _params(payload)
    if found is None:
        return None
    kind, params = found
    row = db.session.connection().execute(_visit_statement(kind), params).first()
    return None if row is None else _visit_of(kind, payload, row, today or clock.today())


def visit_and_questions(payload: dict | None, today: date | None = None) -> tuple[Visit | None, list["Asked"]]:
    """:func:`visit` and, for a visit, the questions asked (:func:`questions`), in one statement: what sending
    the answers reads."""
    found = _params(payload)
    if found is None:
        return None, []
    kind, params = found
    rows = db.session.connection().execute(_visit_and_questions_statement(kind), params).all()
    if not rows:
        return None, []
    current = _visit_of(kind, payload, rows[0], today or clock.today())
    start = len(_FACTS) + _EXTRA[kind]
    rows = [row[start:] for row in rows if row[start] is not None]
    asked = [_asked(*row[:len(_QUESTION_COLUMNS)]) for row in rows]
    if current is not None and rows:
        _remember(current.survey.id, asked, rows[0][-1])
    return current, asked


def _visit_of(kind: str, payload: dict, row, today: date) -> Visit | None:
    wave, survey = WaveFacts(*row[0:4]), SurveyFacts(*row[4:12])
    organisation, extra = OrganisationFacts(*row[12:15]), row[15:]
    invitation_id = None
    if kind == SENT:
        state = State.SENT
    elif kind == SHARED and (extra[0] is None or not secrets.same(extra[0], payload["h"])):
        return None  # the shared link was replaced or stopped
    elif kind == INVITATION and extra[1] is not None:
        invitation_id, state = extra[0], State.USED  # an answer given is kept, whatever the dates say now
    else:
        invitation_id = extra[0] if kind == INVITATION else None
        state = {waves.WaveState.SCHEDULED: State.NOT_OPEN, waves.WaveState.OPEN: State.OPEN,
                 waves.WaveState.CLOSED: State.CLOSED}[waves.state(wave, today)]
    return Visit(state, wave, organisation, survey, invitation_id)


# --- the questions and the form ------------------------------------------------------------------


@dataclass(frozen=True)
class Asked(QuestionWords):
    """A question as it is asked: what its field is made from. (A form is kept per language and these, so
    an edited question gets a new one.)"""

    id: int
    kind: QuestionKind
    text: str
    hint: str
    required: bool
    choices: tuple
    nps: bool
    text_cy: str = ""
    hint_cy: str = ""
    #: The options in Welsh, in the order of ``choices`` (an option without its Welsh is shown in English).
    choices_cy: tuple = ()


@cache
def _questions_statement():
    return (select(*_ASKED_COLUMNS).join(Survey, Survey.id == Question.survey_id)
            .where(Question.survey_id == bindparam("survey"), Question.retired_dt.is_(None))
            .order_by(Question.position, Question.id))


def _asked(id_, kind, text_, hint, required, choices, nps, text_cy, hint_cy, choices_cy) -> Asked:
    return Asked(id_, QuestionKind(kind), text_, hint or "", bool(required), tuple(choices or ()), bool(nps),
                 text_cy or "", hint_cy or "", tuple(choices_cy or ()))


def questions(survey_id: int) -> list[Asked]:
    """The questions asked, in order: the survey's, without the retired ones."""
    rows = db.session.connection().execute(_questions_statement(), {"survey": survey_id}).all()
    asked = [_asked(*row[:len(_QUESTION_COLUMNS)]) for row in rows]
    if rows:
        _remember(survey_id, asked, rows[0][-1])
    return asked


# --- questions kept between requests ------------------------------------------------------------

#: Survey id → (its questions version, the questions asked), as last read by this process.
_known: OrderedDict[int, tuple[int, list[Asked]]] = OrderedDict()
_KNOWN_SURVEYS = 64
_known_lock = threading.Lock()  # a threaded server's requests share the process


def _remember(survey_id: int, asked: list[Asked], version: int) -> None:
    with _known_lock:
        _known[survey_id] = (version, asked)
        _known.move_to_end(survey_id)
        while len(_known) > _KNOWN_SURVEYS:
            _known.popitem(last=False)


#: The hidden field that carries :func:`fingerprint` from the questions and "Check your answers" pages.
FINGERPRINT_FIELD = "asked"


def fingerprint(asked: list[Asked]) -> str:
    """What the questions were when a page was shown: their ids, kinds, words, choices and rules. An answer
    is an option's index or a point, so one given to a question changed meanwhile (its choices reordered or
    reworded, its kind changed) would be kept with a meaning the person never saw."""
    shapes = [[q.id, q.kind.value, q.text, q.hint, q.required, list(q.choices), q.nps, q.text_cy, q.hint_cy,
               list(q.choices_cy)] for q in asked]
    return hashlib.sha256(json.dumps(shapes, ensure_ascii=False).encode()).hexdigest()[:32]


def questions_changed(posted, asked: list[Asked]) -> bool:
    """Whether the page that posted ``posted`` showed other questions than ``asked`` (a form without the
    field, from before it existed, is taken as it stands)."""
    given = posted.get(FINGERPRINT_FIELD)
    return isinstance(given, str) and given != fingerprint(asked)


def field_name(question: Asked) -> str:
    return f"q{question.id}"


def _choices(question) -> list[tuple[str, str]]:
    if question.kind == QuestionKind.LIKERT:
        return [(str(value), str(label)) for value, label in LIKERT_POINTS.items()]
    if question.kind == QuestionKind.SCALE:
        ends = ({0: _("not at all likely"), 10: _("extremely likely")} if question.nps
                else {0: _("the lowest"), 10: _("the highest")})
        return [(str(n), _("%(n)s (%(end)s)", n=n, end=ends[n]) if n in ends else str(n)) for n in range(11)]
    return [(str(index), shown) for index, shown in enumerate(question.shown_choices)]


def _field(question: Asked, number: int):
    label = _("%(n)s. %(text)s", n=number, text=question.shown_text)
    hint = question.shown_hint or None
    choices = [SelectChoice(value, shown) for value, shown in _choices(question)]
    if question.kind == QuestionKind.TEXT:
        return text_field(label, limit=MAX_TEXT, area=True, hint=hint,
                          called=_("Your answer to question %(n)s", n=number),
                          required=_("Enter your answer to question %(n)s", n=number) if question.required else None)
    if question.kind == QuestionKind.MULTIPLE:
        required = _("Choose at least one answer to question %(n)s", n=number)
        return SelectMultipleField(label, widget=GovCheckboxesInput(), coerce=str, choices=choices,
                                   description=hint, validators=[Required(required)] if question.required else [],
                                   message=_("Choose from the answers given for question %(n)s", n=number))
    required = _("Choose an answer to question %(n)s", n=number)
    return RadioField(label, widget=GovRadioInput(), choices=choices, description=hint,
                      validators=[Required(required)] if question.required else [],
                      message=_("Choose one of the answers given for question %(n)s", n=number))


@lru_cache(maxsize=64)
def _form_class(_locale: str, shapes: tuple[Asked, ...]) -> type[Form]:
    class AnswerForm(Form):
        pass

    for number, shape in enumerate(shapes, 1):
        setattr(AnswerForm, f"q{shape.id}", _field(shape, number))
    return AnswerForm


def answer_form(asked: list[Asked], **kwargs) -> Form:
    """One form of every question asked (fields ``q<question id>``), read from the posted form. The form's
    class is made once per language and survey as it is now (its labels and messages are words)."""
    return _form_class(str(get_locale()), tuple(asked))(**kwargs)


@dataclass(frozen=True)
class AnswerValue:
    question_id: int
    item: int
    value: int | None
    text: str | None


def answer_values(form: Form, asked: list[Asked]) -> list[AnswerValue]:
    """The validated form's answers as rows: a choice's index or point, one row per option chosen, the
    text trimmed (its new lines as LF). Questions left blank give no row."""
    values = []
    for question in asked:
        data = form[field_name(question)].data
        if question.kind == QuestionKind.TEXT:
            if isinstance(data, str) and data.strip():  # browsers send new lines as CR LF: kept as LF
                values.append(AnswerValue(question.id, 0, None, data.strip().replace("\r\n", "\n")))
        elif question.kind == QuestionKind.MULTIPLE:
            for item in sorted({int(v) for v in data or []}):
                values.append(AnswerValue(question.id, item, item, None))
        elif isinstance(data, str) and data.strip():  # an optional question's blank (or spaces) is no answer
            values.append(AnswerValue(question.id, 0, int(data), None))
    return values


def _points(question: Asked) -> frozenset[str]:
    """The values a choice question's field accepts: its points, or its options' places."""
    if question.kind == QuestionKind.LIKERT:
        return frozenset(str(point) for point in LIKERT_POINTS)
    if question.kind == QuestionKind.SCALE:
        return frozenset(str(n) for n in range(11))
    return frozenset(str(n) for n in range(len(question.choices)))


def checked_values(posted, asked: list[Asked]) -> list[AnswerValue] | None:
    """:func:`answer_values` of the posted answers, or ``None`` where :func:`answer_form` would find an error:
    the same rules without building the form, for answers sent without reading first (:func:`submit_known`),
    where an error only means going the ordinary way, which builds the form and shows it. (A property test
    holds the two to the same answers for any posted data.)"""
    values = []
    for question in asked:
        raw = posted.getlist(field_name(question))
        first = raw[0] if raw else ""
        if question.required and not first.strip():
            return None
        if question.kind == QuestionKind.TEXT:
            if len(first) > MAX_TEXT:
                return None
            if first.strip():
                values.append(AnswerValue(question.id, 0, None, first.strip().replace("\r\n", "\n")))
        elif question.kind == QuestionKind.MULTIPLE:
            points = _points(question)
            if any(value not in points for value in raw):
                return None
            values.extend(AnswerValue(question.id, item, item, None) for item in sorted({int(v) for v in raw}))
        elif first.strip():
            if first not in _points(question):
                return None
            values.append(AnswerValue(question.id, 0, int(first), None))
    return values


@dataclass(frozen=True)
class Summary:
    question: Asked
    number: int
    field: str
    #: The answer in words, one entry per option chosen; empty when not answered.
    answer: list[str]


def summary(form: Form, asked: list[Asked]) -> list[Summary]:
    """Each question with the answer given, in words, for "Check your answers"."""
    rows = []
    for number, question in enumerate(asked, 1):
        data = form[field_name(question)].data
        if question.kind == QuestionKind.TEXT:
            shown = [data.strip()] if isinstance(data, str) and data.strip() else []
        else:
            labels = dict(_choices(question))
            chosen = data if isinstance(data, list) else ([data] if data not in (None, "") else [])
            shown = [labels[v] for v in chosen if v in labels]
        rows.append(Summary(question, number, field_name(question), shown))
    return rows


# --- sending -------------------------------------------------------------------------------------


class AlreadyUsed(Exception):
    """The link was used meanwhile: its answer is kept, this one is not."""


class NotOpen(Exception):
    """The wave is not open (closed, or not open yet)."""


class QuestionsChanged(Exception):
    """A question answered was deleted while the answers were being written: nothing is kept."""


#: SQLite's inserts of a submission, sent as they are (``exec_driver_sql``: its write lock is held while they
#: run, so the less work between them the better). Both tables are ``WITHOUT ROWID`` (``models.Response``):
#: no hidden row id counts them in the order written.
_USE_SQLITE = "INSERT INTO survey_invitation_use (invitation_id) VALUES (:invitation_id)"
_RESPONSE_SQLITE = ("INSERT INTO survey_response (id, wave_id, organisation_id, submitted_on) "
                    "VALUES (:id, :wave_id, :organisation_id, :today)")
_ANSWER_SQLITE = ("INSERT INTO survey_answer (response_id, question_id, item, value, text) "
                  "VALUES (:response_id, :question_id, :item, :value, :text)")


def _answer_rows(response_id: str, values: list[AnswerValue]) -> list[dict]:
    return [{"response_id": response_id, "question_id": v.question_id, "item": v.item, "value": v.value,
             "text": v.text} for v in values]


#: PostgreSQL's submission as one statement (one round trip instead of three): the link's use, the response
#: and its answers, each written only if the one before it was. The answers come as four arrays, so the
#: statement is the same whatever the number of answers. A shared link has no invitation: nothing is used.
_SUBMIT_POSTGRESQL = text("""
WITH used AS (
    INSERT INTO survey_invitation_use (invitation_id)
    SELECT CAST(:invitation_id AS integer) WHERE CAST(:invitation_id AS integer) IS NOT NULL
    RETURNING invitation_id
), response AS (
    INSERT INTO survey_response (id, wave_id, organisation_id, submitted_on)
    SELECT :id, :wave_id, :organisation_id, :submitted_on
    WHERE CAST(:invitation_id AS integer) IS NULL OR EXISTS (SELECT FROM used)
    RETURNING id
)
INSERT INTO survey_answer (response_id, question_id, item, value, text)
SELECT response.id, answer.question_id, answer.item, answer.value, answer.text
FROM response, unnest(CAST(:question_ids AS integer[]), CAST(:items AS integer[]), CAST(:answer_values AS integer[]),
                      CAST(:texts AS text[])) AS answer (question_id, item, value, text)
""")


def _answer_arrays(values: list[AnswerValue]) -> dict:
    """The answers as the four arrays both PostgreSQL statements unnest."""
    return {"question_ids": [v.question_id for v in values], "items": [v.item for v in values],
            "answer_values": [v.value for v in values], "texts": [v.text for v in values]}


def _submit_postgresql(connection, current: Visit, response_id: str, values: list[AnswerValue], today: date) -> None:
    """The three writes of :func:`submit` as one statement; which constraint failed says which error it is."""
    try:
        connection.execute(_SUBMIT_POSTGRESQL, {
            "invitation_id": current.invitation_id, "id": response_id, "wave_id": current.wave.id,
            "organisation_id": current.organisation.id, "submitted_on": today, **_answer_arrays(values)})
    except IntegrityError as error:
        if getattr(getattr(error.orig, "diag", None), "table_name", None) == "survey_answer":
            raise QuestionsChanged() from None  # a question removed (it had no answers) since it was read
        raise AlreadyUsed() from None


#: :func:`submit_known`'s one statement on PostgreSQL: the link's use, the response and its answers, written
#: only if the invitation's wave is open today and the survey's questions are still the ones the answers were
#: checked against (its questions version unchanged); it returns the response's wave and organisation, or no
#: row.
_SUBMIT_KNOWN = text("""
WITH fresh AS (
    SELECT invitation.id, invitation.wave_id, invitation.organisation_id
    FROM survey_invitation AS invitation
    JOIN survey_wave AS wave ON wave.id = invitation.wave_id
    JOIN survey ON survey.id = wave.survey_id
    JOIN organisation ON organisation.id = invitation.organisation_id
    WHERE invitation.id = :invitation_id AND survey.id = :survey_id
      AND organisation.programme_id = survey.programme_id
      AND wave.opens_on <= :today AND :today <= wave.closes_on AND survey.questions_version = :version
), used AS (
    INSERT INTO survey_invitation_use (invitation_id) SELECT id FROM fresh RETURNING invitation_id
), response AS (
    INSERT INTO survey_response (id, wave_id, organisation_id, submitted_on)
    SELECT :id, fresh.wave_id, fresh.organisation_id, :today FROM fresh JOIN used ON used.invitation_id = fresh.id
    RETURNING id, wave_id, organisation_id
), answers AS (
    INSERT INTO survey_answer (response_id, question_id, item, value, text)
    SELECT response.id, answer.question_id, answer.item, answer.value, answer.text
    FROM response, unnest(CAST(:question_ids AS integer[]), CAST(:items AS integer[]),
                          CAST(:answer_values AS integer[]), CAST(:texts AS text[]))
                   AS answer (question_id, item, value, text)
    RETURNING 1
)
SELECT wave_id, organisation_id FROM response
""")


#: :func:`submit_known` on SQLite, in the write transaction the request begins with: the link's use, written
#: only on the conditions of :data:`_SUBMIT_KNOWN` (and for the wave and organisation the cookie names), then
#: (if it was) the response and its answers as :func:`submit` writes them.
_USE_KNOWN_SQLITE = """
INSERT INTO survey_invitation_use (invitation_id)
SELECT invitation.id
FROM survey_invitation AS invitation
JOIN survey_wave AS wave ON wave.id = invitation.wave_id
JOIN survey ON survey.id = wave.survey_id
JOIN organisation ON organisation.id = invitation.organisation_id
WHERE invitation.id = :invitation_id AND invitation.wave_id = :wave_id
  AND invitation.organisation_id = :organisation_id AND survey.id = :survey_id
  AND organisation.programme_id = survey.programme_id
  AND wave.opens_on <= :today AND :today <= wave.closes_on AND survey.questions_version = :version
"""


def submit_known(payload: dict | None, today: date | None = None) -> dict | None:
    """Send the posted answers without reading anything first, where that is safe: through a one-use link,
    when this process has read the survey's questions before. The answers are checked against the questions
    as last read, and written only if the survey's questions version is still the one read with them (any
    change to a question bumps it) and the wave is open: on PostgreSQL in one statement
    (:data:`_SUBMIT_KNOWN`), on SQLite in the three inserts of :func:`submit`, the first guarded
    (:data:`_USE_KNOWN_SQLITE`), in the one write transaction the request begins with.

    Returns the cookie's payload once sent; ``None`` when anything is not as expected — nothing is then
    written, and the caller sends the answers the ordinary way (:func:`visit_and_questions`, :func:`submit`),
    which reads everything and says what is wrong."""
    if not payload or payload.get("k") != INVITATION:
        return None
    invitation_id, survey_id = payload.get("i"), payload.get("s")
    known = _known.get(survey_id) if _is_id(invitation_id) and _is_id(survey_id) else None
    if known is None:
        return None  # before any statement: on SQLite the first would begin the write transaction
    version, asked = known
    values = checked_values(request.form, asked)
    if values is None or questions_changed(request.form, asked):
        return None
    today = today or clock.today()
    params = {"invitation_id": invitation_id, "survey_id": survey_id, "version": version, "id": uuid.uuid4().hex}
    connection = db.session.connection()
    try:
        if connection.dialect.name == "postgresql":
            row = connection.execute(_SUBMIT_KNOWN, {**params, "today": today, **_answer_arrays(values)}).first()
        elif _is_id(payload.get("w")) and _is_id(payload.get("o")):
            row = _submit_known_sqlite(connection, {**params, "wave_id": payload["w"], "organisation_id": payload["o"],
                                                    "today": today.isoformat()}, values)
        else:
            row = None  # a cookie from before the wave and organisation were in it
    except IntegrityError:  # the link used meanwhile, or a question removed: the ordinary way says which
        row = None
    if row is None:
        db.session.rollback()
        return None
    return {"k": SENT, "w": row[0], "o": row[1]}


def _submit_known_sqlite(connection, params: dict, values: list[AnswerValue]) -> tuple[int, int] | None:
    """The response's wave and organisation once written; ``None`` (nothing written) when the guard failed."""
    if connection.exec_driver_sql(_USE_KNOWN_SQLITE, params).rowcount != 1:
        return None
    connection.exec_driver_sql(_RESPONSE_SQLITE, params)
    if values:
        connection.exec_driver_sql(_ANSWER_SQLITE, _answer_rows(params["id"], values))
    return params["wave_id"], params["organisation_id"]


def submit(current: Visit, values: list[AnswerValue], today: date | None = None) -> str:
    """Write the response and its answers, and (for a one-use link) the invitation's use, in the current
    transaction; the caller commits. Returns the response's id (which the pages neither show nor keep).

    The use is written first: a second submission of the link, at the same moment or later, fails on its
    primary key, and nothing of it is written. The rows are written without the unit of work: on
    PostgreSQL in one statement (:data:`_SUBMIT_POSTGRESQL`), on SQLite in three plain ``INSERT``
    statements, into tables with no hidden row id (``models.Response``), so that nothing there says in
    what order responses came. (PostgreSQL keeps rows in the order written: see
    ``invitations.forget_addresses``.)

    :raises AlreadyUsed: the link has been used.
    :raises NotOpen: the wave is closed or not open yet.
    :raises QuestionsChanged: a question answered no longer exists (the caller rolls back: nothing is kept).
    """
    today = today or clock.today()
    if waves.state(current.wave, today) != waves.WaveState.OPEN:
        raise NotOpen()
    connection = db.session.connection()
    response_id = uuid.uuid4().hex
    if connection.dialect.name == "postgresql":
        _submit_postgresql(connection, current, response_id, values, today)
        return response_id
    if current.invitation_id is not None:
        try:
            connection.exec_driver_sql(_USE_SQLITE, {"invitation_id": current.invitation_id})
        except IntegrityError:
            raise AlreadyUsed() from None
    connection.exec_driver_sql(_RESPONSE_SQLITE, {
        "id": response_id, "wave_id": current.wave.id, "organisation_id": current.organisation.id,
        "today": today.isoformat()})
    if values:
        try:
            connection.exec_driver_sql(_ANSWER_SQLITE, _answer_rows(response_id, values))
        except IntegrityError:  # a question removed (it had no answers) after the questions were read
            raise QuestionsChanged() from None
    return response_id


#: What the pages call each state (their headings).
STATE_HEADINGS = {
    State.NOT_OPEN: _l("This survey is not open yet"),
    State.CLOSED: _l("This survey has closed"),
    State.USED: _l("This link has already been used"),
    State.SENT: _l("Your answers have been sent"),
}
