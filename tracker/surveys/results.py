"""Survey results: response counts, each question's distribution, means, eNPS, trends across waves, and the
minimum group rule that decides which of them may be shown.

Everything is computed from a handful of SQL aggregates (:func:`load_counts`: five statements, ``GROUP BY``
wave, organisation, question and value, however many responses and waves there are); the rules that turn
them into results are plain functions of those counts, which the tests call directly.

The minimum group rule (``programme.survey_min_group``, *k*, 5 unless set, never below 3)
---------------------------------------------------------------------------------------------------

A *cell* is one question's results for one group of respondents: one organisation in one wave, or all
organisations in one wave. Its size is the number of respondents who answered that question (for a
required question, the organisation's responses). For each wave and question, :func:`suppress` decides
once, whoever is looking, which cells are shown:

1. **Primary**: an organisation whose cell has fewer than *k* answers (1 to *k* − 1) is hidden: "Fewer than
   5 responses" when the organisation has fewer than *k* responses at all, "Fewer than 5 answers" when
   it has enough responses but an optional question was answered by fewer.
2. **Across all organisations** is shown when the wave has at least *k* answers to the question.
3. **Complementary cells (secondary suppression)**: when the total is shown, the total minus the shown
   organisations is the pooled cell of the hidden ones, so the hidden organisations together must have
   no answers or at least *k*. When their answers add up to 1 … *k* − 1, the shown organisation with the
   fewest answers (then the lowest id, so the choice never depends on who looks) is hidden too. One is
   always enough, since it has at least *k* answers itself.

   The other choice would be to hide the total. We hide an organisation instead: the total is the
   programme's headline figure, and this way every response still counts in a figure someone sees.

What a person sees is a subset of this one decision: facilitators and programme-wide viewers every
organisation; team members and single-organisation viewers their own organisation; everyone the totals.
Taking organisations away from a view only adds shown organisations (of at least *k* each) to the
derivable remainder, so no view, and no set of views put together, derives a group of 1 … *k* − 1.
Organisations with no answers to a question are neither shown nor hidden: there is nothing to protect.

Further rules that close the other ways round:

- **Waves are separate groups** (each wave's respondents answer anew; nothing links responses across
  waves), so trends are the same cells wave by wave, each under the rule above.
- **Results are shown only once a wave has closed.** While a wave is open, comparing results before and
  after one more response would give that response's answers; an open wave shows its invitations and
  responses (counts only, which say nothing of anyone's answers).
- **Free text** follows the same cells: an organisation's answers are listed only when its cell for that
  question is shown, and the list across all organisations only when the total is shown, and only to
  people who see every organisation (to a team member the list across all organisations minus their own
  would be the other organisations' words). Each question's answers are listed in an order of their own
  (a hash of the question and the random response id), so the *n*-th answers to two questions cannot be
  matched up as one person's.
- **Downloads** hold exactly the cells the page shows, aggregates only: no free text, no response rows.
- **The results tracker** is offered only the organisations shown under this rule (``feed.py``), so its
  own totals cannot be subtracted from the survey's to reach a hidden organisation.
- There are no other filters (no cross-tabulation of one question by another), which would make groups
  of their own.
"""

import enum
import hashlib
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, func, or_, select

from tracker.extensions import db
from tracker.surveys.models import (
    LIKERT_POINTS,
    Answer,
    Invitation,
    Question,
    QuestionKind,
    Response,
    WaveOrganisation,
)

#: Questions whose answers are numbers on a scale: they have a mean.
SCALED = (QuestionKind.LIKERT, QuestionKind.SCALE)
#: Questions whose answers are counted by value.
COUNTED = (QuestionKind.LIKERT, QuestionKind.SCALE, QuestionKind.SINGLE, QuestionKind.MULTIPLE)
#: The programme setting can never go below this.
SMALLEST_MINIMUM = 3


class Hidden(enum.StrEnum):
    """Why a cell is not shown."""

    #: The organisation (or the wave) has fewer responses than the minimum.
    FEW_RESPONSES = "few_responses"
    #: Enough responses, but fewer than the minimum answered this (optional) question.
    FEW_ANSWERS = "few_answers"
    #: Hidden as well, so that a smaller hidden group cannot be worked out from the total.
    COMPLEMENT = "complement"


def hidden_message(reason: Hidden, minimum: int) -> str:
    """What a person is told in place of a hidden cell."""
    if reason == Hidden.FEW_RESPONSES:
        return ngettext("Fewer than %(num)s response: results hidden to protect anonymity",
                        "Fewer than %(num)s responses: results hidden to protect anonymity", minimum)
    if reason == Hidden.FEW_ANSWERS:
        return ngettext("Fewer than %(num)s answer to this question: hidden to protect anonymity",
                        "Fewer than %(num)s answers to this question: hidden to protect anonymity", minimum)
    return ngettext("Hidden to protect anonymity: with the figures across all organisations, it would show the "
                    "answers of another group of fewer than %(num)s",
                    "Hidden to protect anonymity: with the figures across all organisations, it would show the "
                    "answers of another group of fewer than %(num)s", minimum)


def minimum_group(programme) -> int:
    """The programme's minimum group size, never below :data:`SMALLEST_MINIMUM` whatever is stored."""
    return max(int(programme.survey_min_group or 0), SMALLEST_MINIMUM)


# --- the minimum group rule --------------------------------------------------------------------------


@dataclass(frozen=True)
class Suppression:
    """One wave's decision for one question: the organisations shown, those hidden (and why), and whether
    the total across all organisations is shown."""

    shown: frozenset[int]
    hidden: Mapping[int, Hidden]
    total_shown: bool
    total: int

    def reason(self, organisation_id: int) -> Hidden | None:
        return self.hidden.get(organisation_id)


def suppress(answered: Mapping[int, int], minimum: int, responses: Mapping[int, int] | None = None) -> Suppression:
    """Apply the minimum group rule (see the module's docstring) to one question of one wave.

    :param answered: respondents who answered the question, by organisation id.
    :param minimum: the programme's minimum group size.
    :param responses: responses by organisation, to tell "fewer responses" from "fewer answers".
    """
    responses = responses or {}
    sizes = {org: n for org, n in answered.items() if n > 0}
    hidden: dict[int, Hidden] = {}
    shown = set()
    for org, n in sizes.items():
        if n >= minimum:
            shown.add(org)
        else:
            hidden[org] = Hidden.FEW_RESPONSES if responses.get(org, n) < minimum else Hidden.FEW_ANSWERS
    hidden_size = sum(sizes[org] for org in hidden)
    if 0 < hidden_size < minimum and shown:
        smallest = min(shown, key=lambda org: (sizes[org], org))
        shown.remove(smallest)
        hidden[smallest] = Hidden.COMPLEMENT
    total = sum(sizes.values())
    return Suppression(frozenset(shown), hidden, total >= minimum, total)


# --- what the database holds, as counts --------------------------------------------------------------


@dataclass
class WaveCounts:
    """One wave's aggregates: everything its results are computed from."""

    #: Responses by organisation.
    responses: dict[int, int] = field(default_factory=dict)
    #: Invitations by organisation.
    invited: dict[int, int] = field(default_factory=dict)
    #: Organisations that used a shared link.
    shared: set[int] = field(default_factory=set)
    #: Respondents who answered, by (question, organisation).
    answered: dict[tuple[int, int], int] = field(default_factory=dict)
    #: How many chose each value, by (question, organisation): {value: count}.
    values: dict[tuple[int, int], dict[int, int]] = field(default_factory=lambda: defaultdict(dict))

    def answered_by_org(self, question_id: int) -> dict[int, int]:
        return {org: n for (q, org), n in self.answered.items() if q == question_id}

    @property
    def question_ids(self) -> set[int]:
        return {q for q, _org in self.answered}


def _has_answer():
    return or_(Answer.value.is_not(None), and_(Answer.text.is_not(None), func.length(func.trim(Answer.text)) > 0))


#: Closed waves' answer aggregates kept per process (a closed wave takes no more responses).
CACHE_SIZE = 64
_cache_lock = threading.Lock()


def _cache() -> OrderedDict:
    return current_app.extensions.setdefault("survey_counts", OrderedDict())


def load_counts(wave_ids: Iterable[int], *, closed: Iterable[int] = ()) -> dict[int, WaveCounts]:
    """The aggregates of the given waves: five statements whatever their number of responses and waves,
    three when every wave is in ``closed`` and its answer aggregates are kept from an earlier request.

    A closed wave takes no more responses, and a response is never changed, so its answers' aggregates are
    kept (per process, the last :data:`CACHE_SIZE` waves) under the wave's id and a signature of its
    responses read afresh every time: their number, smallest and largest (random) id per organisation. A
    response added or taken away (an organisation deleted) changes the number; all of them replaced by as
    many others (a database restored, a test's fresh data under the same ids) changes the random ids.
    """
    wave_ids = sorted(set(wave_ids))
    counts = {wave_id: WaveCounts() for wave_id in wave_ids}
    if not wave_ids:
        return counts
    signatures: dict[int, list] = defaultdict(list)
    for wave_id, org, n, first, last in db.session.execute(
            select(Response.wave_id, Response.organisation_id, func.count(), func.min(Response.id),
                   func.max(Response.id))
            .where(Response.wave_id.in_(wave_ids)).group_by(Response.wave_id, Response.organisation_id)):
        counts[wave_id].responses[org] = n
        signatures[wave_id].append((org, n, first, last))
    for wave_id, org, n in db.session.execute(
            select(Invitation.wave_id, Invitation.organisation_id, func.count())
            .where(Invitation.wave_id.in_(wave_ids), Invitation.sent.is_(True))  # a listed one was never emailed
            .group_by(Invitation.wave_id, Invitation.organisation_id)):
        counts[wave_id].invited[org] = n
    for wave_id, org in db.session.execute(
            select(WaveOrganisation.wave_id, WaveOrganisation.organisation_id)
            .where(WaveOrganisation.wave_id.in_(wave_ids), WaveOrganisation.shared_token_hash.is_not(None))):
        counts[wave_id].shared.add(org)
    closed = set(closed)
    keys = {wave_id: (wave_id, tuple(sorted(signatures[wave_id]))) for wave_id in wave_ids}
    cache = _cache()
    missing = []
    with _cache_lock:
        for wave_id in wave_ids:
            kept = cache.get(keys[wave_id]) if wave_id in closed else None
            if kept is None:
                missing.append(wave_id)
            else:
                cache.move_to_end(keys[wave_id])
                counts[wave_id].answered, counts[wave_id].values = kept
    if missing:
        _load_answers(missing, counts)
        with _cache_lock:
            for wave_id in closed & set(missing):
                cache[keys[wave_id]] = (counts[wave_id].answered, counts[wave_id].values)
                while len(cache) > CACHE_SIZE:
                    cache.popitem(last=False)
    return counts


def _load_answers(wave_ids: list[int], counts: dict[int, WaveCounts]) -> None:
    """The answers' aggregates of the waves, in two statements: how many chose each value, by organisation
    and question; and how many respondents answered each multiple choice and free-text question."""
    joined = select().select_from(Answer).join(Response, Response.id == Answer.response_id)
    for wave_id, org, question, value, n in db.session.execute(
            joined.add_columns(Response.wave_id, Response.organisation_id, Answer.question_id, Answer.value,
                               func.count())
            .where(Response.wave_id.in_(wave_ids), Answer.value.is_not(None))
            .group_by(Response.wave_id, Response.organisation_id, Answer.question_id, Answer.value)):
        counts[wave_id].values[(question, org)][value] = n
        # One answer per respondent (Likert, 0–10, one choice): the respondents are the answers. Several
        # choices and free text are counted below.
        counts[wave_id].answered[(question, org)] = counts[wave_id].answered.get((question, org), 0) + n
    several = (joined.join(Question, Question.id == Answer.question_id)
               .where(Question.kind.in_([QuestionKind.MULTIPLE, QuestionKind.TEXT])))
    for wave_id, org, question, n in db.session.execute(
            several.add_columns(Response.wave_id, Response.organisation_id, Answer.question_id,
                                func.count(Answer.response_id.distinct()))
            .where(Response.wave_id.in_(wave_ids), _has_answer())
            .group_by(Response.wave_id, Response.organisation_id, Answer.question_id)):
        counts[wave_id].answered[(question, org)] = n


def text_answers(wave_id: int, question: Question, organisation_id: int | None) -> list[str]:
    """A free-text question's answers in one organisation (``None``: all), in the question's own random
    order. The caller has checked that the cell is shown."""
    stmt = (select(Answer.response_id, Answer.text).join(Response, Response.id == Answer.response_id)
            .where(Response.wave_id == wave_id, Answer.question_id == question.id, Answer.text.is_not(None)))
    if organisation_id is not None:
        stmt = stmt.where(Response.organisation_id == organisation_id)
    rows = [(response_id, text.strip()) for response_id, text in db.session.execute(stmt) if text and text.strip()]
    return [text for _key, text in sorted((shuffle_key(question.id, response_id), text)
                                          for response_id, text in rows)]


def shuffle_key(question_id: int, response_id: str) -> str:
    """A question's own order of its answers: unrelated to the order of any other question's."""
    return hashlib.sha256(f"{question_id}:{response_id}".encode()).hexdigest()


# --- distributions, means and eNPS -------------------------------------------------------------------


def percent(count: int, of: int) -> Decimal | None:
    """A whole percentage, half up; ``None`` of nothing."""
    if not of:
        return None
    return (Decimal(count) * 100 / Decimal(of)).quantize(Decimal(1), ROUND_HALF_UP)


def options(question: Question) -> list[tuple[int, str]]:
    """The values a question's answers can take, with their words in the page's language (a choice's Welsh
    where it has one), in order. Answers store the value, so both languages' answers count as one."""
    if question.kind == QuestionKind.LIKERT:
        return [(value, str(label)) for value, label in LIKERT_POINTS.items()]
    if question.kind == QuestionKind.SCALE:
        return [(value, str(value)) for value in range(11)]
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return list(enumerate(question.shown_choices))
    return []


def option_label(question: Question, value: int) -> str:
    known = dict(options(question))
    return known.get(value) or _("Option %(n)s (no longer offered)", n=value + 1)


@dataclass(frozen=True)
class Row:
    """One answer of a distribution: its value and words, how many gave it and their share of those who
    answered (for a multiple choice question the shares add up to more than 100%)."""

    value: int
    label: str
    count: int
    percent: Decimal | None


@dataclass(frozen=True)
class Cell:
    """One question's results for one group (an organisation, or all of them), or why they are hidden.
    A hidden cell carries its number of answers only."""

    answered: int
    hidden: Hidden | None = None
    rows: tuple[Row, ...] = ()
    mean: Decimal | None = None
    #: % 9–10 minus % 0–6, for 0–10 questions scored eNPS-style.
    enps: int | None = None

    @property
    def shown(self) -> bool:
        return self.hidden is None and self.answered > 0


def distribution(question: Question, values: Mapping[int, int], answered: int,
                 known: list[tuple[int, str]] | None = None) -> Cell:
    """A shown cell: every option with its count and percentage (unknown values after the known ones),
    the mean of a scale and the eNPS of a 0–10 question marked for it. ``known`` is ``options(question)``
    when the caller has it already."""
    known = options(question) if known is None else known
    seen = {value for value, _label in known}
    extra = sorted(value for value in values if value not in seen)
    rows = tuple(Row(value, label, values.get(value, 0), percent(values.get(value, 0), answered))
                 for value, label in known + [(v, option_label(question, v)) for v in extra])
    mean = enps = None
    if question.kind in SCALED and answered:
        total = sum(value * n for value, n in values.items())
        mean = (Decimal(total) / Decimal(sum(values.values()) or 1)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    if question.kind == QuestionKind.SCALE and question.nps and answered:
        scored = sum(values.values()) or 1
        promoters = sum(n for value, n in values.items() if value >= 9)
        detractors = sum(n for value, n in values.items() if value <= 6)
        enps = int((Decimal(promoters - detractors) * 100 / Decimal(scored)).quantize(Decimal(1), ROUND_HALF_UP))
    return Cell(answered, None, rows, mean, enps)


def format_enps(score: int | None) -> str:
    """``+20``, ``0``, ``−15`` (a real minus sign)."""
    if score is None:
        return ""
    return f"+{score}" if score > 0 else (f"\u2212{-score}" if score < 0 else "0")


# --- a wave's results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationSummary:
    """An organisation's (or the wave's) invitations and responses: counts only, always shown."""

    organisation_id: int | None
    invited: int
    responses: int
    shared: bool
    #: Set when the group has fewer responses than the minimum: all its results are hidden.
    hidden: Hidden | None

    @property
    def rate(self) -> Decimal | None:
        """Responses as a percentage of invitations; ``None`` without invitations (a shared link)."""
        return percent(self.responses, self.invited) if self.invited else None


@dataclass(frozen=True)
class QuestionResults:
    question: Question
    suppression: Suppression
    across: Cell
    by_organisation: Mapping[int, Cell]

    #: The organisations whose cells were worked out (``None``: all).
    detail: frozenset[int] | None = None

    def cell(self, organisation_id: int | None) -> Cell:
        """The cell of one organisation (``None``: across all organisations)."""
        if organisation_id is None:
            return self.across
        if self.detail is not None and organisation_id not in self.detail:
            raise KeyError(f"organisation {organisation_id}'s cells were not worked out")
        return self.by_organisation.get(organisation_id, Cell(0))


@dataclass(frozen=True)
class WaveResults:
    minimum: int
    across: OrganisationSummary
    organisations: Mapping[int, OrganisationSummary]
    questions: tuple[QuestionResults, ...]

    def summary(self, organisation_id: int | None) -> OrganisationSummary:
        if organisation_id is None:
            return self.across
        return self.organisations.get(organisation_id) or OrganisationSummary(organisation_id, 0, 0, False, None)

    def question(self, question_id: int) -> QuestionResults | None:
        return next((q for q in self.questions if q.question.id == question_id), None)

    def hidden_throughout(self, organisation_id: int | None) -> Hidden | None:
        """The reason, when every answered question of a group (``None``: all organisations) is hidden for
        the same reason: the page says it once rather than under every question."""
        reasons = {q.cell(organisation_id).hidden for q in self.questions if q.cell(organisation_id).answered}
        return next(iter(reasons)) if len(reasons) == 1 else None


def question_results(question: Question, counts: WaveCounts, minimum: int,
                     detail: Iterable[int] | None = None) -> QuestionResults:
    """One question's cells in one wave, each shown or hidden under the minimum group rule. The rule
    always looks at every organisation; ``detail`` limits the organisations whose cells are worked out
    to those a page shows (``None``: all)."""
    answered = counts.answered_by_org(question.id)
    decision = suppress(answered, minimum, counts.responses)
    detail = None if detail is None else frozenset(detail)
    known = options(question)
    by_org = {}
    pooled: dict[int, int] = defaultdict(int)
    for org, n in answered.items():
        values = counts.values.get((question.id, org), {})
        for value, k in values.items():
            pooled[value] += k
        if detail is not None and org not in detail:
            continue
        if org in decision.shown:
            by_org[org] = distribution(question, values, n, known)
        else:
            by_org[org] = Cell(n, decision.reason(org))
    total = sum(answered.values())
    if decision.total_shown:
        across = distribution(question, pooled, total, known)
    else:
        few_responses = sum(counts.responses.values()) < minimum
        across = Cell(total, (Hidden.FEW_RESPONSES if few_responses else Hidden.FEW_ANSWERS) if total else None)
    return QuestionResults(question, decision, across, by_org, detail)


def wave_results(questions: Iterable[Question], counts: WaveCounts, minimum: int,
                 detail: Iterable[int] | None = None) -> WaveResults:
    """A wave's results: invitations and responses of every organisation and in all, and every question's
    cells (of the organisations in ``detail``; ``None``: all). Questions no longer asked appear only where
    they have answers in this wave."""
    organisations = {}
    for org in set(counts.responses) | set(counts.invited) | counts.shared:
        responses = counts.responses.get(org, 0)
        organisations[org] = OrganisationSummary(org, counts.invited.get(org, 0), responses, org in counts.shared,
                                                 Hidden.FEW_RESPONSES if 0 < responses < minimum else None)
    responses = sum(counts.responses.values())
    across = OrganisationSummary(None, sum(counts.invited.values()), responses, bool(counts.shared),
                                 Hidden.FEW_RESPONSES if 0 < responses < minimum else None)
    answered = counts.question_ids
    asked = [q for q in questions if q.retired_dt is None or q.id in answered]
    return WaveResults(minimum, across, organisations,
                       tuple(question_results(q, counts, minimum, detail) for q in asked))


# --- trends ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """One wave of a question's trend: the cell across all organisations and the chosen organisation's."""

    wave_number: int
    across: Cell
    own: Cell | None


def trend(question: Question, waves: Iterable[tuple[int, WaveCounts]], minimum: int,
          organisation_id: int | None) -> list[TrendPoint]:
    """A question's results wave by wave (``waves``: wave number and counts, closed waves only), each wave
    under the minimum group rule on its own."""
    points = []
    for number, counts in waves:
        results = question_results(question, counts, minimum, () if organisation_id is None else (organisation_id,))
        own = results.cell(organisation_id) if organisation_id is not None else None
        points.append(TrendPoint(number, results.across, own))
    return points


def share(cell: Cell, counted: Iterable[int]) -> Decimal | None:
    """The percentage of a shown cell's respondents who gave one of the ``counted`` values (a single-valued
    question: the shares add up)."""
    if not cell.shown:
        return None
    counted = set(counted)
    return percent(sum(row.count for row in cell.rows if row.value in counted), cell.answered)


def side_by_side(cells: list[Cell]) -> list[tuple[str, list[Row | None]]]:
    """The answers of several shown cells of one question as table rows: each answer's words, then its row
    in each cell (``None`` where a cell has no such answer)."""
    order: list[tuple[int, str]] = []
    seen: set[int] = set()
    for cell in cells:
        for row in cell.rows:
            if row.value not in seen:
                seen.add(row.value)
                order.append((row.value, row.label))
    by_value = [{row.value: row for row in cell.rows} for cell in cells]
    return [(label, [rows.get(value) for rows in by_value]) for value, label in order]


def hidden_short(reason: Hidden, minimum: int) -> str:
    """A hidden cell in a table: "Hidden: fewer than 5 answers"."""
    if reason == Hidden.FEW_RESPONSES:
        return ngettext("Hidden: fewer than %(num)s response", "Hidden: fewer than %(num)s responses", minimum)
    if reason == Hidden.FEW_ANSWERS:
        return ngettext("Hidden: fewer than %(num)s answer", "Hidden: fewer than %(num)s answers", minimum)
    return _("Hidden: it would show a smaller group")


#: Likert answers that count as agreeing.
AGREE = (4, 5)
