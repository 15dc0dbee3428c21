"""Authorisation at the request level (SECURITY.md items 1–5).

The matrix is generated from ``app.url_map``: every rule is requested with GET and POST, as every actor,
against organisation B's objects, and the status must match the policy table below (Taiga's pattern:
one vector of statuses per endpoint and method). A rule whose endpoint is not in ``TARGETS`` fails
("new route without a rule"), so a new route cannot ship without a decision about who may use it.

Besides the status, every request checks:

- no leak: a refused response, and any response to someone who may not see organisation B, does not
  contain organisation B's card titles or action text;
- no change: a snapshot of every row of every table (``user_session.last_seen_dt`` aside) is the same
  before and after every refused request and every GET; a permitted POST must change it (so the form
  data sent is the kind that would do harm if it got through).

The test client shares one app context (and so ``g`` and the SQLAlchemy session) across requests,
because ``conftest`` keeps one pushed for the whole test. ``IsolatedClient`` starts every request
with an empty ``g`` and a fresh transaction, as production does; without it the permission cache in
``g`` and flask-wtf's cached CSRF token would leak from one actor's request into the next.
"""

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import url_for
from sqlalchemy import select
from werkzeug.routing import AnyConverter, IntegerConverter

from tests import factories
from tests.conftest import IsolatedClient
from tests.surveys.conftest import make_survey
from tracker import create_app
from tracker.api import services as api_services
from tracker.board import services as board_services
from tracker.board.models import Action, Card, Kind, Opportunity, ProgressUpdate, RoadmapColumn, card_link
from tracker.checkins.models import CheckIn
from tracker.core import mail
from tracker.exchange.models import PendingImport
from tracker.extensions import db
from tracker.programmes.models import Membership, Role
from tracker.results import services as results
from tracker.results.models import Direction, Figure, OutputReceipt, Unit, card_indicator

# --- plumbing ------------------------------------------------------------------------------------


#: Columns that record activity and may change on a read.
MOVES_ON_READ = {("user_session", "last_seen_dt"), ("api_token", "last_used_dt")}


def snapshot() -> dict[str, list]:
    """Every row of every table, in a stable order (``user_session.last_seen_dt`` may move on reads)."""
    db.session.rollback()
    connection = db.session.connection()
    state = {}
    for table in db.metadata.sorted_tables:
        columns = ", ".join(f'"{c.name}"' for c in table.columns
                            if (table.name, c.name) not in MOVES_ON_READ)
        rows = connection.exec_driver_sql(f'SELECT {columns} FROM "{table.name}"').all()  # noqa: S608
        state[table.name] = sorted((tuple(row) for row in rows), key=repr)
    db.session.rollback()
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


#: Organisation B's words that nobody outside organisation B (and the programme-wide roles) may read.
ORG_B_SECRETS = ("Review debt pathway", "Partnership meetings", "Call CAB", "Spare plan of B", "Figure note of B",
                 "Survey comment of B", "Check-in room of B")


def leaked(body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace")
    return [secret for secret in ORG_B_SECRETS if secret in text]


def _write_endpoints():
    """The rules that accept POST, as the app declares them, read at collection time to name the cases."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    endpoints = sorted(r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods)
    with app.app_context():
        db.engine.dispose()
    return endpoints


WRITE_ENDPOINTS = _write_endpoints()

# --- the world as ids ----------------------------------------------------------------------------


#: ``extend(ids, world)`` functions that add a package's organisation-B objects to :class:`Ids` (each
#: ``tests/<package>/permission_rules.py`` appends one, with its LEVELS and TARGETS).
IDS_EXTENSIONS: list[Callable] = []


class Ids:
    """Organisation B's objects (and a few others) as plain values that survive a rollback.

    It adds to the world what the matrix needs: a spare org-B card (so a second link can be made), and
    a results framework (objective, outcome, indicator, output) with organisation B's figure for
    period 1 and card B linked to the indicator. The programme is moved to have started 30 days ago, so
    period 1 is open for figures.
    """

    def __init__(self, world: factories.World):
        self.world = world
        factories.make_card(world.org_b, "Spare plan of B", user=world.team_b)
        programme = world.programme
        programme.start_date = board_services.today() - timedelta(days=30)
        objective = results.create_objective(programme, "Reduce fall-out")
        outcome = results.create_outcome(objective, "Fewer households fall out")
        indicator = results.create_indicator(outcome, name="Households helped", unit=Unit.COUNT,
                                             direction=Direction.INCREASE, target=Decimal("10"))
        output = results.create_output(outcome, description="Narrative report")
        results.save_figure(indicator, world.org_b, 1, results.FigureValues(value="7", note="Figure note of B"),
                            user=world.team_b, today=board_services.today())
        results.set_card_indicators(world.card_b, [indicator])
        db.session.commit()
        self.objective, self.outcome, self.indicator, self.output = objective.id, outcome.id, indicator.id, output.id
        self.slug = world.programme.slug
        self.org_a, self.org_b = world.org_a.slug, world.org_b.slug
        self.org_a_id, self.org_b_id = world.org_a.id, world.org_b.id
        self.card_a, self.card_b = world.card_a.id, world.card_b.id
        self.idea_a, self.idea_b = world.idea_a.id, world.idea_b.id
        self.opportunity_a, self.opportunity_b = world.opportunity_a.id, world.opportunity_b.id
        self.action_b = db.session.scalar(select(Action.id).where(Action.card_id == world.card_b.id))
        self.member_team_b = db.session.scalar(select(Membership.id).where(
            Membership.programme_id == world.programme.id, Membership.user_id == world.team_b.id))
        pending = PendingImport(programme_id=world.programme.id, user_id=world.team_b.id, filename="f.csv", rows={
            "columns": ["code", "organisation", "period", "value"],
            "rows": [{"row": 2, "code": "1.1.1", "organisation": world.org_b.name, "period": "1", "value": "7"}]})
        db.session.add(pending)
        token, _secret = api_services.create_token(world.team_b, "Case system")
        db.session.commit()
        self.pending_b, self.token_b = pending.id, token.id
        message = mail.queue(to=world.team_b.email, subject="Survey invitation", text="https://example.org/s/abc",
                             html="<p>Survey</p>", sender_name=world.programme.name, kind="test")
        db.session.commit()
        self.outbox_message = message.id
        survey, earlier = make_survey(world.programme), make_survey(world.programme, "Earlier survey")
        self.survey, self.earlier_survey, self.question = survey.id, earlier.id, survey.questions[1].id
        self.earlier_questions = [str(q.id) for q in earlier.questions]
        wave = survey.waves[1]  # scheduled: the programme started 30 days ago
        self.wave, self.wave_dates = wave.id, {"opens_on": date_parts(*_dmy(wave.opens_on + timedelta(days=1))),
                                               "closes_on": date_parts(*_dmy(wave.closes_on + timedelta(days=1)))}
        self._spares_for_archiving(world)
        self._survey_results(world)
        self._survey_invitations(world)
        self.users = {name: user.id for name, user in world.users().items()}
        self.emails = {name: user.email for name, user in world.users().items()}
        self._n = itertools.count(1)
        self._checkins(world)
        self._agenda_checkins(world)
        for extend in IDS_EXTENSIONS:  # objects of the packages whose rules live beside their tests
            extend(self, world)

    def _survey_results(self, world) -> None:
        """A survey whose wave 1 has closed (it opened when the programme started, 30 days ago), with five
        responses from each organisation (B's free text is one of B's secrets), and its Likert question
        feeding the count indicator (4 and 5 count): B's figure for period 1 (7) would become 5."""
        from tests.surveys.test_results import respond_alike

        survey = make_survey(world.programme, "Results survey")
        wave = survey.waves[0]
        respond_alike(wave, world.org_a, survey, 5, likert=4, text="Survey comment of A")
        respond_alike(wave, world.org_b, survey, 5, likert=5, text="Survey comment of B")
        likert = survey.questions[0]
        likert.indicator_id, likert.indicator_values = self.indicator, [4, 5]
        db.session.commit()
        self.results_survey, self.results_wave = survey.id, wave.id
        self.results_likert, self.results_text = likert.id, survey.questions[4].id

    def results_question_link(self) -> dict:
        """A change to the Likert question's link: its counted answers toggled between 4–5 and 5."""
        db.session.rollback()
        from tracker.surveys.models import Question

        values = db.session.get(Question, self.results_likert).indicator_values
        return {"indicator": str(self.indicator), "values": ["5"] if values == [4, 5] else ["4", "5"]}

    def results_fingerprint(self) -> dict:
        """The figures preview's fingerprint, as the facilitator's confirmation sends it."""
        db.session.rollback()
        from flask import current_app

        from tracker.surveys import feed
        from tracker.surveys.models import Wave

        with current_app.test_request_context():
            return {"fingerprint": feed.preview(db.session.get(Wave, self.results_wave)).fingerprint}

    def _survey_invitations(self, world) -> None:
        """Organisation B's invitations to waves 2 and 3 of the survey (both scheduled), one each not yet
        used, and a shared link to each: two of everything, since team B and the facilitator may both send
        reminders and stop a shared link, and each must change something."""
        from tracker.surveys import invitations
        from tracker.surveys.models import Wave

        self.invitation_waves = []
        for number in (2, 3):
            wave = db.session.scalar(select(Wave).where(Wave.survey_id == self.survey, Wave.number == number))
            invitations.invite(wave, world.org_b, [f"staff{number}@council-b.example"],  # sent: as if open
                               link_for=lambda token: f"https://tracker.example/s/{token}", today=wave.opens_on)
            invitations.make_shared_link(wave, world.org_b)
            self.invitation_waves.append(wave.id)
        db.session.commit()

    def wave_to_remind(self) -> int:
        """A wave of ``invitation_waves`` whose organisation-B invitation has had no reminder today."""
        db.session.rollback()
        from tracker.core import clock

        keys = set(db.session.scalars(select(mail.OutboxMessage.dedupe_key)))
        today = clock.today().isoformat()
        return next((wave for wave in self.invitation_waves
                     if not any(k and k.startswith(f"survey-wave:{wave}:reminder:") and k.endswith(today)
                                for k in keys)), self.invitation_waves[-1])

    def wave_with_shared_link(self) -> int:
        """A wave of ``invitation_waves`` where organisation B still has a shared link."""
        db.session.rollback()
        from tracker.surveys.models import WaveOrganisation

        linked = set(db.session.scalars(select(WaveOrganisation.wave_id).where(
            WaveOrganisation.organisation_id == self.org_b_id, WaveOrganisation.shared_token_hash.is_not(None))))
        return next((wave for wave in self.invitation_waves if wave in linked), self.invitation_waves[-1])

    def _spares_for_archiving(self, world) -> None:
        """Organisation B's objects to archive and to restore: two of each, since two actors (team B and the
        facilitator) may do it and each must change something."""
        card_b = world.card_b
        for n in range(2):
            for archived in (False, True):
                card = board_services.create_card(world.org_b, kind=Kind.QUICK_WIN, title=f"Spare card {n}",
                                                  user=world.team_b)
                action = board_services.add_action(card_b, text=f"Spare action {n}", owner=None, due_on=None,
                                                   user=world.team_b)
                entry = board_services.add_progress_update(card_b, on=board_services.today(), body=f"Spare {n}",
                                                           user=world.team_b)
                opportunity = board_services.create_opportunity(world.org_b, title=f"Spare opportunity {n}")
                if archived:
                    board_services.archive_card(card, expected_version=card.version, user=world.team_b)
                    board_services.set_archived(action, archived=True, user=world.team_b)
                    board_services.set_archived(entry, archived=True, user=world.team_b)
                    board_services.archive_opportunity(opportunity)
        db.session.commit()

    @staticmethod
    def spare(model, *, archived: bool) -> int:
        """The first of organisation B's spare objects (see above) that is (or is not) archived now."""
        db.session.rollback()
        column, prefix = {Card: (Card.title, "Spare card"), Action: (Action.text, "Spare action"),
                          ProgressUpdate: (ProgressUpdate.body, "Spare"),
                          Opportunity: (Opportunity.title, "Spare opportunity")}[model]
        state = model.archived_dt.is_not(None) if archived else model.archived_dt.is_(None)
        return db.session.scalar(select(model.id).where(column.like(f"{prefix} %"), state).order_by(model.id))

    def fresh(self, text: str) -> str:
        """A new value every call, so a second permitted POST changes something too."""
        return f"{text} {next(self._n)}"

    @staticmethod
    def version(card_id: int) -> str:
        db.session.rollback()
        return str(db.session.scalar(select(Card.version).where(Card.id == card_id)))

    @staticmethod
    def other_column(card_id: int) -> str:
        db.session.rollback()
        column = db.session.scalar(select(Card.column).where(Card.id == card_id))
        return (RoadmapColumn.ON_HOLD if column == RoadmapColumn.COMPLETED else RoadmapColumn.COMPLETED).value

    @staticmethod
    def action_version(action_id: int) -> str:
        db.session.rollback()
        return str(db.session.scalar(select(Action.version).where(Action.id == action_id)))

    @staticmethod
    def action_done_value(action_id: int) -> str:
        db.session.rollback()
        return "0" if db.session.scalar(select(Action.is_done).where(Action.id == action_id)) else "1"

    def number(self) -> str:
        return str(100 + next(self._n))

    def figure_version(self) -> str:
        db.session.rollback()
        return str(db.session.scalar(select(Figure.version).where(
            Figure.indicator_id == self.indicator, Figure.organisation_id == self.org_b_id,
            Figure.period_number == 1)))

    def output_received_value(self) -> str:
        db.session.rollback()
        return "0" if db.session.scalar(select(OutputReceipt.id).where(
            OutputReceipt.output_id == self.output, OutputReceipt.organisation_id == self.org_b_id,
            OutputReceipt.period_number == 1)) else "1"

    def card_b_indicators_toggled(self) -> list[str]:
        db.session.rollback()
        linked = set(db.session.scalars(select(card_indicator.c.indicator_id).where(
            card_indicator.c.card_id == self.card_b)))
        return [] if self.indicator in linked else [str(self.indicator)]

    def unlinked_card_b(self) -> str:
        """An organisation-B card not yet related to card B."""
        db.session.rollback()
        linked = set(db.session.scalars(select(card_link.c.other_id).where(card_link.c.card_id == self.card_b)))
        candidates = db.session.scalars(select(Card.id).where(
            Card.organisation_id == self.org_b_id, Card.id != self.card_b).order_by(Card.id))
        return str(next(c for c in candidates if c not in linked))

    # Check-ins.

    def _checkins(self, world) -> None:
        """Organisation B's check-in of interval 1 (its place is one of B's secrets), organisation A's, and the
        mid-way staff event, made directly rather than by planning the calendar, so that planning still has
        check-ins to make."""
        from tracker.checkins.models import CheckIn, EventKind, ProgrammeEvent

        start = world.programme.start_date
        checkin_b = CheckIn(programme=world.programme, organisation=world.org_b, interval_number=1,
                            facilitator=world.facilitator, on=start + timedelta(days=60), place="Check-in room of B")
        checkin_a = CheckIn(programme=world.programme, organisation=world.org_a, interval_number=1,
                            facilitator=world.facilitator, on=start + timedelta(days=60), place="Room of A")
        event = ProgrammeEvent(programme=world.programme, kind=EventKind.MIDWAY, on=start + timedelta(days=180))
        db.session.add_all([checkin_b, checkin_a, event])
        db.session.commit()
        self.checkin_b, self.checkin_a, self.event = checkin_b.id, checkin_a.id, event.id

    def _agenda_checkins(self, world) -> None:
        """Organisation B's extra check-in a week after the programme's start (30 days ago): its day has come, so
        a facilitator may hold it."""
        from tracker.checkins.models import CheckIn

        due = CheckIn(programme=world.programme, organisation=world.org_b, interval_number=None,
                      facilitator=world.facilitator, on=world.programme.start_date + timedelta(days=7))
        db.session.add(due)
        db.session.commit()
        self.checkin_b_due = due.id

    @staticmethod
    def row_version(model, row_id: int) -> str:
        db.session.rollback()
        return str(db.session.scalar(select(model.version).where(model.id == row_id)))

    def checkin_form(self) -> dict:
        from tracker.checkins.models import CheckIn

        return {"on": date_parts(*_dmy(board_services.today() + timedelta(days=next(self._n)))),
                "start_time": "10:00", "place": self.fresh("Check-in room of B"),
                "version": self.row_version(CheckIn, self.checkin_b)}

    def checkin_status_toggled(self) -> dict:
        from tracker.checkins.models import CheckIn

        db.session.rollback()
        status = db.session.scalar(select(CheckIn.status).where(CheckIn.id == self.checkin_b))
        return {"status": "scheduled" if status.value == "cancelled" else "cancelled",
                "version": self.row_version(CheckIn, self.checkin_b)}

    def event_form(self) -> dict:
        from tracker.checkins.models import ProgrammeEvent

        return {"on": date_parts(*_dmy(board_services.today() + timedelta(days=next(self._n)))),
                "title": self.fresh("Hacked event"), "version": self.row_version(ProgrammeEvent, self.event)}


def _dmy(day) -> tuple[int, int, int]:
    return day.day, day.month, day.year


def date_parts(day: int, month: int, year: int) -> list[str]:
    """A GOV.UK date input posts three inputs of the same name."""
    return [str(day), str(month), str(year)]


def indicator_form(w: Ids) -> dict:
    return {"name": w.fresh("Hacked indicator"), "unit": Unit.COUNT.value, "direction": Direction.INCREASE.value,
            "target": "10"}


def programme_form(w: Ids) -> dict:
    return {"name": w.fresh("Hacked programme"), "aim": "Hacked", "expected_outcomes": "- Hacked",
            "start_date": date_parts(1, 2, 2026), "evaluation_months": "12", "checkin_interval_months": "3",
            "survey_interval_months": "3", "reporting_interval_months": "3", "figures_due_days": "14",
            "figures_lock_days": "90", "rag_band_percent": "15", "survey_min_group": "5",
            "stalled_weeks": "6", "survey_reminder_days": "3", "checkin_notice_days": "28",
            "checkin_reminder_days": "2"}


def url_for_endpoint(app, endpoint: str, w: Ids) -> str:
    """The URL the matrix uses for ``endpoint``; a route not in ``TARGETS`` yet gets its arguments from
    their names (org B's objects) or, failing that, their converters, so the header, CSRF and
    "GET is safe" tests cover it anyway."""
    (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    if endpoint in TARGETS:
        args = TARGETS[endpoint].args(w)
    else:
        by_name = {"slug": w.slug, "org_slug": w.org_b, "card_id": w.card_b, "other_id": w.idea_b,
                   "opportunity_id": w.opportunity_b, "action_id": w.action_b, "member_id": w.member_team_b,
                   "user_id": w.users["team_b"], "objective_id": w.objective, "outcome_id": w.outcome,
                   "indicator_id": w.indicator, "output_id": w.output, "period_number": 1, "period": 1}
        args = {}
        for name, converter in rule._converters.items():
            if name in by_name:
                args[name] = by_name[name]
            elif isinstance(converter, AnyConverter):
                args[name] = sorted(converter.items)[0]
            elif isinstance(converter, IntegerConverter):
                args[name] = 1
            else:
                args[name] = "x"
    with app.test_request_context():
        return url_for(endpoint, **args)


# --- the policy ----------------------------------------------------------------------------------

ACTORS = ("anonymous", "outsider", "admin", "team_a", "viewer_b", "viewer", "team_b", "facilitator")
#: Actors who may read organisation B's plans; everyone else must never see them in any response.
SEES_ORG_B = {"viewer_b", "viewer", "team_b", "facilitator"}

LOGIN = "login"  # GET: 302 to /sign-in?next=<this page>; POST: 401
DONE = "done"  # POST: 302 and the database changed
SHOWN = "shown"  # POST: 200 and the database changed (a new API token is shown once, never redirected)

#            anonymous outsider admin team_a viewer_b viewer team_b facilitator
LEVELS: dict[str, dict[str, tuple]] = {
    # The sign-in page itself: shown to anonymous people; signed-in people are sent on. An empty
    # form is shown again (200) to anybody.
    "sign_in": {"GET": (200, 302, 302, 302, 302, 302, 302, 302),
                "POST": (200, 200, 200, 200, 200, 200, 200, 200)},
    "sign_out": {"POST": (302, 302, 302, 302, 302, 302, 302, 302)},
    "signed_in": {"GET": (LOGIN, 200, 200, 200, 200, 200, 200, 200)},
    "site_admin": {"GET": (LOGIN, 403, 200, 403, 403, 403, 403, 403),
                   "POST": (LOGIN, 403, DONE, 403, 403, 403, 403, 403)},
    # Accounts flagged as facilitators (and site administrators) may create programmes.
    "programme_creator": {"GET": (LOGIN, 403, 200, 403, 403, 403, 403, 200),
                          "POST": (LOGIN, 403, DONE, 403, 403, 403, 403, DONE)},
    "programme_view": {"GET": (LOGIN, 404, 404, 200, 200, 200, 200, 200)},
    "programme_manage": {"GET": (LOGIN, 404, 404, 403, 403, 403, 403, 200),
                         "POST": (LOGIN, 404, 404, 403, 403, 403, 403, DONE)},
    "programme_manage_post": {"POST": (LOGIN, 404, 404, 403, 403, 403, 403, DONE)},
    "programme_view_manage": {"GET": (LOGIN, 404, 404, 200, 200, 200, 200, 200),
                              "POST": (LOGIN, 404, 404, 403, 403, 403, 403, DONE)},
    "org_view": {"GET": (LOGIN, 404, 404, 404, 200, 200, 200, 200)},
    "org_edit": {"GET": (LOGIN, 404, 404, 404, 403, 403, 200, 200),
                 "POST": (LOGIN, 404, 404, 404, 403, 403, DONE, DONE)},
    "org_edit_post": {"POST": (LOGIN, 404, 404, 404, 403, 403, DONE, DONE)},
    # Anyone who may change some organisation's figures may import; rows for others are refused.
    "programme_import": {"GET": (LOGIN, 404, 404, 200, 403, 403, 200, 200),
                         "POST": (LOGIN, 404, 404, DONE, 403, 403, DONE, DONE)},
    # An import in progress belongs to the person who uploaded it (team B here).
    "uploader_b": {"GET": (LOGIN, 404, 404, 404, 404, 404, 200, 404),
                   "POST": (LOGIN, 404, 404, 404, 404, 404, DONE, 404)},
    # Personal API tokens: each person sees and creates their own; a token is revoked by its owner only.
    "own_tokens": {"GET": (LOGIN, 200, 200, 200, 200, 200, 200, 200),
                   "POST": (LOGIN, SHOWN, SHOWN, SHOWN, SHOWN, SHOWN, SHOWN, SHOWN)},
    "token_owner_b": {"GET": (LOGIN, 404, 404, 404, 404, 404, 200, 404),
                      "POST": (LOGIN, 404, 404, 404, 404, 404, DONE, 404)},
    # The JSON API takes a bearer token, never the session cookie (tests/api covers tokens).
    "api": {"GET": (401,) * 8, "PUT": (401,) * 8},
    "public": {"GET": (200,) * 8},
    # An organisation's page that its readers see and its editors change (a figure).
    "org_view_edit": {"GET": (LOGIN, 404, 404, 404, 200, 200, 200, 200),
                      "POST": (LOGIN, 404, 404, 404, 403, 403, DONE, DONE)},
    # An organisation's page whose form only shows what it would do (pasted addresses: the preview).
    "org_edit_preview": {"GET": (LOGIN, 404, 404, 404, 403, 403, 200, 200),
                         "POST": (LOGIN, 404, 404, 404, 403, 403, 200, 200)},
    # An organisation's secret made and shown once, on the page the post returns (a shared survey link).
    "org_edit_shown": {"GET": (LOGIN, 404, 404, 404, 403, 403, 200, 200),
                       "POST": (LOGIN, 404, 404, 404, 403, 403, SHOWN, SHOWN)},
    # The survey respondents' public pages: only a valid link's token (or the cookie it is exchanged for)
    # gets in, and nobody here has one; being signed in gives nothing.
    "respondent_no_link": {"GET": (404,) * 8, "POST": (404,) * 8},
    # Check-ins: an organisation's check-in that its readers see and only the programme's facilitators change.
    "org_manage": {"GET": (LOGIN, 404, 404, 404, 403, 403, 403, 200),
                   "POST": (LOGIN, 404, 404, 404, 403, 403, 403, DONE)},
    # A person's own secret for a programme they take part in, made and shown once (a calendar address).
    "programme_member_shown": {"GET": (LOGIN, 404, 404, 200, 200, 200, 200, 200),
                               "POST": (LOGIN, 404, 404, SHOWN, SHOWN, SHOWN, SHOWN, SHOWN)},
    # A calendar feed: only a valid secret address gets in, and nobody here has one; a session gives nothing.
    "feed_no_address": {"GET": (404,) * 8},
    # A page comparing every organisation: for those who see them all (facilitators, programme-wide viewers).
    "programme_wide": {"GET": (LOGIN, 404, 404, 404, 404, 200, 404, 200)},
    # A check-in's button that only the programme's facilitators press (holding it, which keeps its agenda).
    "org_manage_post": {"POST": (LOGIN, 404, 404, 404, 403, 403, 403, DONE)},
}


@dataclass(frozen=True)
class Target:
    level: str
    args: Callable[[Ids], dict] = lambda w: {}
    data: Callable[[Ids], dict] | None = None


def org_b(w: Ids) -> dict:
    return {"slug": w.slug, "org_slug": w.org_b}


TARGETS: dict[str, Target] = {
    "accounts.sign_in": Target("sign_in", data=lambda w: {}),
    "accounts.sign_out": Target("sign_out", data=lambda w: {}),
    "accounts.users": Target("site_admin"),
    "accounts.new_user": Target("site_admin", data=lambda w: {
        "name": "Hacked", "email": w.fresh("hacked").replace(" ", "") + "@example.org",
        "password": "long-enough-password", "is_facilitator": "y"}),
    "accounts.edit_user": Target("site_admin", lambda w: {"user_id": w.users["team_b"]}, lambda w: {
        "name": w.fresh("Hacked"), "is_active": "y", "is_facilitator": "y"}),
    "accounts.end_sessions": Target("site_admin", lambda w: {"user_id": w.users["team_b"]}, lambda w: {}),
    "accounts.outbox": Target("site_admin"),
    "accounts.outbox_message": Target("site_admin", lambda w: {"message_id": w.outbox_message}),
    "programmes.dashboard": Target("signed_in"),
    "programmes.new_programme": Target("programme_creator", data=programme_form),
    "programmes.show": Target("programme_view", lambda w: {"slug": w.slug}),
    "programmes.edit": Target("programme_manage", lambda w: {"slug": w.slug}, programme_form),
    "programmes.new_organisation": Target("programme_manage", lambda w: {"slug": w.slug},
                                          lambda w: {"name": w.fresh("Hacked council")}),
    "programmes.people": Target("programme_view_manage", lambda w: {"slug": w.slug}, lambda w: {
        "email": w.emails["outsider"], "role": Role.VIEWER.value, "organisation": str(w.org_b_id)}),
    "programmes.remove_person": Target("programme_manage", lambda w: {"slug": w.slug,
                                                                      "member_id": w.member_team_b},
                                       lambda w: {}),
    "programmes.edit_organisation": Target("programme_manage", org_b, lambda w: {"name": w.fresh("Hacked council")}),
    "programmes.initiatives": Target("programme_view_manage", lambda w: {"slug": w.slug},
                                     lambda w: {"name": w.fresh("Hacked initiative")}),
    "board.organisation": Target("org_view", org_b),
    "board.roadmap": Target("org_view", org_b),
    "board.quick_wins": Target("org_view", org_b),
    "board.opportunities": Target("org_view", org_b),
    "board.new_opportunity": Target("org_edit", org_b, lambda w: {
        "title": w.fresh("Hacked"), "priority": "high", "assignee": ""}),
    "board.opportunity": Target("org_view", lambda w: {"opportunity_id": w.opportunity_b}),
    "board.edit_opportunity": Target("org_edit", lambda w: {"opportunity_id": w.opportunity_b}, lambda w: {
        "title": w.fresh("Hacked"), "priority": "high", "assignee": ""}),
    "board.new_card": Target("org_edit", org_b, lambda w: {
        "title": w.fresh("Hacked"), "kind": "quick_win", "priority": "high"}),
    "board.card": Target("org_view", lambda w: {"card_id": w.card_b}),
    "board.edit_card": Target("org_edit", lambda w: {"card_id": w.card_b}, lambda w: {
        "title": w.fresh("Hacked"), "kind": "quick_win", "priority": "high", "version": w.version(w.card_b)}),
    "board.move_card": Target("org_edit", lambda w: {"card_id": w.card_b}, lambda w: {
        "column": w.other_column(w.card_b), "version": w.version(w.card_b)}),
    "board.add_action": Target("org_edit", lambda w: {"card_id": w.card_b}, lambda w: {
        "text": "Hacked", "owner": "", "due_on": date_parts(1, 3, 2026)}),
    "board.set_action_done": Target("org_edit", lambda w: {"action_id": w.action_b}, lambda w: {
        "done": w.action_done_value(w.action_b)}),
    "board.edit_action": Target("org_edit", lambda w: {"action_id": w.action_b}, lambda w: {
        "text": w.fresh("Hacked action"), "owner": "", "version": w.action_version(w.action_b)}),
    # One endpoint for actions and progress updates: archived here as an action, restored as an update.
    "board.archive_item": Target("org_edit", lambda w: {"kind": "actions", "item_id": w.spare(Action, archived=False)},
                                 lambda w: {}),
    "board.restore_item": Target("org_edit_post", lambda w: {
        "kind": "updates", "item_id": w.spare(ProgressUpdate, archived=True)}, lambda w: {}),
    "board.archive_card": Target("org_edit", lambda w: {"card_id": w.spare(Card, archived=False)}, lambda w: {
        "version": w.version(w.spare(Card, archived=False))}),
    "board.restore_card": Target("org_edit_post", lambda w: {"card_id": w.spare(Card, archived=True)},
                                 lambda w: {}),
    "board.archive_opportunity": Target("org_edit", lambda w: {
        "opportunity_id": w.spare(Opportunity, archived=False)}, lambda w: {}),
    "board.restore_opportunity": Target("org_edit_post", lambda w: {
        "opportunity_id": w.spare(Opportunity, archived=True)}, lambda w: {}),
    "board.archive": Target("org_view", org_b),
    "board.add_update": Target("org_edit", lambda w: {"card_id": w.card_b}, lambda w: {
        "on": date_parts(1, 1, 2026), "body": "Hacked"}),
    "board.add_link": Target("org_edit", lambda w: {"card_id": w.card_b}, lambda w: {
        "other": w.unlinked_card_b()}),
    "board.remove_link": Target("org_edit", lambda w: {"card_id": w.card_b, "other_id": w.idea_b},
                                lambda w: {}),
    "board.edit_sheet": Target("org_edit", lambda w: {"card_id": w.idea_b, "sheet": "concept"}, lambda w: {
        "name": w.fresh("Hacked"), "version": w.version(w.idea_b)}),
    # The results tracker: the framework is the programme's (facilitators set it up, every member reads
    # it); figures and card links belong to an organisation. Someone who may not see organisation B is
    # shown their own organisation (or none) instead of B's figures.
    "results.tracker": Target("programme_view", lambda w: {"slug": w.slug, "organisation": w.org_b}),
    "results.framework": Target("programme_view_manage", lambda w: {"slug": w.slug},
                                lambda w: {"title": w.fresh("Hacked objective")}),
    "results.new_outcome": Target("programme_manage", lambda w: {"objective_id": w.objective},
                                  lambda w: {"title": w.fresh("Hacked outcome")}),
    "results.new_indicator": Target("programme_manage", lambda w: {"outcome_id": w.outcome}, indicator_form),
    "results.edit_indicator": Target("programme_manage", lambda w: {"indicator_id": w.indicator}, indicator_form),
    "results.edit_objective": Target("programme_manage", lambda w: {"objective_id": w.objective},
                                     lambda w: {"title": w.fresh("Hacked objective")}),
    "results.edit_outcome": Target("programme_manage", lambda w: {"outcome_id": w.outcome},
                                   lambda w: {"title": w.fresh("Hacked outcome")}),
    "results.edit_output": Target("programme_manage", lambda w: {"output_id": w.output}, lambda w: {
        "description": w.fresh("Hacked output"), "due_days_after_period": "14"}),
    "results.delete": Target("programme_manage", lambda w: {"kind": "indicator", "object_id": w.indicator},
                             lambda w: {}),
    "results.new_output": Target("programme_manage", lambda w: {"outcome_id": w.outcome}, lambda w: {
        "description": w.fresh("Hacked output"), "due_days_after_period": "14"}),
    "results.indicator": Target("programme_view", lambda w: {"indicator_id": w.indicator, "organisation": w.org_b}),
    "results.figure": Target("org_view_edit", lambda w: {"indicator_id": w.indicator, "org_slug": w.org_b,
                                                         "period_number": 1}, lambda w: {
        "value": w.number(), "note": "Figure note of B", "version": w.figure_version()}),
    "results.output_received": Target("programme_manage", lambda w: {"output_id": w.output, "org_slug": w.org_b,
                                                                     "period_number": 1},
                                      lambda w: {"received": w.output_received_value()}),
    "results.card_indicators": Target("org_edit", lambda w: {"card_id": w.card_b},
                                      lambda w: {"indicators": w.card_b_indicators_toggled()}),
    # Data out and in.
    "exchange.export_page": Target("programme_view", lambda w: {"slug": w.slug}),
    "exchange.export_results": Target("programme_view", lambda w: {"slug": w.slug, "fmt": "csv"}),
    "exchange.export_plans": Target("org_view", lambda w: {"slug": w.slug, "org_slug": w.org_b, "fmt": "csv"}),
    "exchange.import_figures": Target("programme_import", lambda w: {"slug": w.slug}, lambda w: {"file": (
        io.BytesIO(f"Indicator code,Organisation,Period number,Value\n1.1.1,{w.world.org_b.name},1,{w.number()}\n"
                   .encode()), "f.csv")}),
    "exchange.preview_import": Target("uploader_b", lambda w: {"import_id": w.pending_b}),
    "exchange.confirm_import": Target("uploader_b", lambda w: {"import_id": w.pending_b}, lambda w: {}),
    # Staff surveys: facilitators build them; every member of the programme reads them.
    "surveys.surveys": Target("programme_view", lambda w: {"slug": w.slug}),
    "surveys.new_survey": Target("programme_manage", lambda w: {"slug": w.slug}, lambda w: {
        "title": w.fresh("Hacked survey"), "privacy_note": "Hacked", "open_days": "14"}),
    "surveys.survey": Target("programme_view", lambda w: {"survey_id": w.survey}),
    "surveys.edit_survey": Target("programme_manage", lambda w: {"survey_id": w.survey}, lambda w: {
        "title": w.fresh("Hacked survey"), "privacy_note": "Hacked", "open_days": "14"}),
    "surveys.preview": Target("programme_view", lambda w: {"survey_id": w.survey}),
    "surveys.new_question": Target("programme_manage", lambda w: {"survey_id": w.survey}, lambda w: {
        "kind": "text", "text": w.fresh("Hacked question"), "required": "yes"}),
    "surveys.edit_question": Target("programme_manage", lambda w: {"question_id": w.question}, lambda w: {
        "kind": "scale", "text": w.fresh("Hacked question"), "required": "yes"}),
    "surveys.move_question": Target("programme_manage_post", lambda w: {"question_id": w.question},
                                    lambda w: {"direction": "up"}),
    "surveys.remove_question": Target("programme_manage", lambda w: {"question_id": w.question}, lambda w: {}),
    "surveys.copy_questions": Target("programme_manage", lambda w: {"survey_id": w.survey,
                                                                    "source": w.earlier_survey},
                                     lambda w: {"questions": w.earlier_questions}),
    "surveys.survey_waves": Target("programme_view", lambda w: {"survey_id": w.survey}),
    "surveys.wave": Target("programme_view", lambda w: {"wave_id": w.wave}),
    "surveys.wave_dates": Target("programme_manage", lambda w: {"wave_id": w.wave}, lambda w: w.wave_dates),
    # Survey results: every member reads them (team members and single-organisation viewers their own
    # organisation and the totals); facilitators link questions to indicators and enter their figures.
    "surveys.wave_results": Target("programme_view", lambda w: {"wave_id": w.results_wave, "organisation": w.org_b}),
    "surveys.wave_results_download": Target("programme_view", lambda w: {"wave_id": w.results_wave, "fmt": "csv"}),
    "surveys.text_answers": Target("programme_view", lambda w: {
        "wave_id": w.results_wave, "question_id": w.results_text, "organisation": "all"}),
    "surveys.survey_results": Target("programme_view", lambda w: {"survey_id": w.results_survey,
                                                                  "organisation": w.org_b}),
    "surveys.question_indicator": Target("programme_manage", lambda w: {"question_id": w.results_likert},
                                         lambda w: w.results_question_link()),
    "surveys.wave_figures": Target("programme_manage", lambda w: {"wave_id": w.results_wave},
                                   lambda w: w.results_fingerprint()),
    # Survey invitations: a team member for their own organisation, facilitators for any.
    "surveys.invitations": Target("org_edit_preview", lambda w: {**org_b(w), "wave_id": w.wave},
                                  lambda w: {"addresses": "someone@council-b.example"}),
    "surveys.send_invitations": Target("org_edit_post", lambda w: {**org_b(w), "wave_id": w.wave}, lambda w: {
        "addresses": w.fresh("new").replace(" ", "") + "@council-b.example"}),
    "surveys.send_reminders": Target("org_edit_post", lambda w: {**org_b(w), "wave_id": w.wave_to_remind()},
                                     lambda w: {}),
    "surveys.shared_link": Target("org_edit_shown", lambda w: {**org_b(w), "wave_id": w.wave}, lambda w: {}),
    "surveys.remove_shared_link": Target("org_edit", lambda w: {**org_b(w), "wave_id": w.wave_with_shared_link()},
                                         lambda w: {}),
    # Answering: public, by link only.
    "surveys.respond_link": Target("respondent_no_link", lambda w: {"token": "not-a-survey-link-" + "x" * 30}),
    "surveys.respond_survey": Target("respondent_no_link", data=lambda w: {}),
    "surveys.respond_send": Target("respondent_no_link", data=lambda w: {}),
    "surveys.respond_done": Target("respondent_no_link"),
    # API tokens and the API.
    "tokens.tokens": Target("own_tokens", data=lambda w: {"name": w.fresh("Script")}),
    "tokens.revoke": Target("token_owner_b", lambda w: {"token_id": w.token_b}, lambda w: {}),
    "api.openapi": Target("public"),
    "api.programmes": Target("api"),
    "api.programme": Target("api", lambda w: {"slug": w.slug}),
    "api.organisations": Target("api", lambda w: {"slug": w.slug}),
    "api.periods": Target("api", lambda w: {"slug": w.slug}),
    "api.indicators": Target("api", lambda w: {"slug": w.slug}),
    "api.figures": Target("api", lambda w: {"slug": w.slug}),
    "api.cards": Target("api", lambda w: {"slug": w.slug, "org_slug": w.org_b}),
    "api.put_figure": Target("api", lambda w: {"slug": w.slug, "indicator_code": "1.1.1", "org_slug": w.org_b,
                                               "period": 1}),
    # Check-ins: every member reads the calendar (team members and single-organisation viewers only their own
    # organisation's check-ins); facilitators plan, add, move and record them.
    "checkins.calendar_page": Target("programme_view", lambda w: {"slug": w.slug, "organisation": w.org_b}),
    "checkins.plan": Target("programme_manage_post", lambda w: {"slug": w.slug}, lambda w: {}),
    "checkins.new": Target("programme_manage", lambda w: {"slug": w.slug}, lambda w: {
        "organisation": str(w.org_b_id), "on": date_parts(1, 5, 2026), "place": w.fresh("Check-in room of B")}),
    "checkins.checkin": Target("org_view", lambda w: {"checkin_id": w.checkin_b}),
    "checkins.checkin_ics": Target("org_view", lambda w: {"checkin_id": w.checkin_b}),
    "checkins.edit": Target("org_manage", lambda w: {"checkin_id": w.checkin_b}, lambda w: w.checkin_form()),
    "checkins.status": Target("org_manage", lambda w: {"checkin_id": w.checkin_b},
                              lambda w: w.checkin_status_toggled()),
    "checkins.edit_event": Target("programme_manage", lambda w: {"event_id": w.event}, lambda w: w.event_form()),
    "checkins.feed": Target("programme_member_shown", lambda w: {"slug": w.slug}, lambda w: {}),
    "checkins.feed_ics": Target("feed_no_address", lambda w: {"token": "not-a-calendar-address-" + "x" * 30}),
    # The facilitator's overview and its downloads: every organisation side by side, so only for those who see
    # every organisation; team members and single-organisation viewers get a 404.
    "checkins.overview_page": Target("programme_wide", lambda w: {"slug": w.slug, "sort": "overdue", "dir": "desc"}),
    "checkins.overview_export": Target("programme_wide", lambda w: {"slug": w.slug, "fmt": "xlsx"}),
    # A check-in's agenda and meeting record: its organisation's readers read them (and every organisation's
    # agendas they may see, to print); only facilitators hold the check-in, record it and add actions arising.
    "checkins.agenda": Target("org_view", lambda w: {"checkin_id": w.checkin_b}),
    "checkins.all_agendas": Target("programme_view", lambda w: {"slug": w.slug}),
    "checkins.hold": Target("org_manage_post", lambda w: {"checkin_id": w.checkin_b_due}, lambda w: {
        "version": w.row_version(CheckIn, w.checkin_b_due)}),
    "checkins.record_page": Target("org_manage", lambda w: {"checkin_id": w.checkin_b}, lambda w: {
        "notes": w.fresh("Meeting notes of B"), "rag": "amber", "rag_reason": "Late figures",
        "version": w.row_version(CheckIn, w.checkin_b)}),
    "checkins.arising": Target("org_manage", lambda w: {"checkin_id": w.checkin_b}, lambda w: {
        "text": w.fresh("Action arising of B"), "card": "new"}),
    # The scheduler's heartbeat and job runs (tracker.scheduler.views): site administrators only.
    "scheduler.status": Target("site_admin"),
}

# --- the matrix ----------------------------------------------------------------------------------


@pytest.fixture
def signed_in(app, world, login):
    """One client per actor, signed in (the anonymous one is not), plus org B's ids."""
    ids = Ids(world)
    clients = {}
    for actor in ACTORS:
        clients[actor] = IsolatedClient(app, app.response_class, use_cookies=True)
        if actor != "anonymous":
            login(clients[actor], getattr(world, actor))
    return clients, ids


def _permitted_last(actors, expected):
    """Refused actors first, so a permitted POST (which changes things) cannot colour their result."""
    return sorted(actors, key=lambda actor: expected[actor] in (200, 302, DONE))


class Matrix:
    """Sends the requests of the matrix and collects every mismatch, so one run lists them all."""

    def __init__(self, app, clients: dict, w: Ids):
        self.app, self.clients, self.w = app, clients, w
        self.failures: list[str] = []
        self.rows = snapshot()

    def request(self, endpoint: str, actor: str, method: str, expected, *, htmx: bool = False) -> None:
        target = TARGETS[endpoint]
        url = url_for_endpoint(self.app, endpoint, self.w)
        headers = {"HX-Request": "true"} if htmx else {}
        data = target.data(self.w) if method == "POST" and target.data else {}
        if method == "PUT":  # the API's write: a JSON body, as a script would send it
            response = self.clients[actor].open(url, method=method, json={"value": "99"}, headers=headers)
        else:
            response = self.clients[actor].open(url, method=method, data=data, headers=headers)
        label = f"{method} {url} as {actor}{' (htmx)' if htmx else ''}"
        status = response.status_code
        want = {LOGIN: 302 if method == "GET" else 401, DONE: 302, SHOWN: 200}.get(expected, expected)
        if status != want:
            self.failures.append(f"{label}: {status}, expected {want}")
        if expected == LOGIN and method == "GET":
            location = response.headers.get("Location", "")
            if not location.startswith("/sign-in?next="):
                self.failures.append(f"{label}: redirected to {location!r}, not to sign in")
        denied = expected == LOGIN or expected in (401, 403, 404, 405)
        if (denied or actor not in SEES_ORG_B) and leaked(response.data):
            self.failures.append(f"{label}: leaks {leaked(response.data)}")
        if method in ("POST", "PUT"):
            self.compare(label, expected)

    def compare(self, label: str, expected=None) -> None:
        """Check the database against the last snapshot: changed by a permitted POST, otherwise not."""
        before, self.rows = self.rows, snapshot()
        changed = changed_tables(before, self.rows)
        if expected in (DONE, SHOWN) and not changed:
            self.failures.append(f"{label}: permitted POST changed nothing; the form data is not realistic")
        # Sign-in and sign-out (200/302 to anybody) may write sessions and failures; nothing else may.
        if expected not in (DONE, SHOWN, 200, 302) and changed:
            self.failures.append(f"{label}: changed {changed}")

    def expected(self, endpoint: str, method: str) -> dict:
        target = TARGETS[endpoint]
        policy = LEVELS[target.level]
        assert method in policy, f"{endpoint} allows {method} but level {target.level!r} has no {method} row"
        assert method != "POST" or target.data is not None, f"{endpoint}: no POST data in TARGETS"
        return dict(zip(ACTORS, policy[method], strict=True))

    def assert_ok(self) -> None:
        assert not self.failures, "\n".join(self.failures)


def test_every_route_has_a_rule(app):
    missing = [f"{r.endpoint} {r.rule}" for r in app.url_map.iter_rules()
               if r.endpoint != "static" and r.endpoint not in TARGETS]
    assert not missing, f"new route without a rule in TARGETS: {missing}"
    stale = set(TARGETS) - {r.endpoint for r in app.url_map.iter_rules()}
    assert not stale, f"rules in TARGETS for routes that no longer exist: {stale}"
    uncovered = [f"{r.endpoint} {sorted(extra)}" for r in app.url_map.iter_rules() if r.endpoint in TARGETS
                 for extra in [r.methods - {"GET", "HEAD", "OPTIONS", "POST"} - set(LEVELS[TARGETS[r.endpoint].level])]
                 if extra]
    assert not uncovered, f"the matrix only sends GET and POST; extend it for {uncovered}"


def test_matrix_reads(app, signed_in):
    """Every rule read (GET) by every actor, in one world: reads change nothing, so they can share it.
    A method a rule does not allow is refused by routing (405) before any view code runs."""
    clients, w = signed_in
    matrix = Matrix(app, clients, w)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        endpoint = rule.endpoint
        if endpoint == "static":
            continue
        if endpoint not in TARGETS:
            matrix.failures.append(f"new route without a rule: {endpoint} (add it to TARGETS)")
            continue
        for method in ("GET", "POST"):
            if method not in rule.methods:
                for actor in ("anonymous", "facilitator"):
                    matrix.request(endpoint, actor, method, 405)
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS", "POST"}):
            expected = matrix.expected(endpoint, method)
            for actor in ACTORS:
                matrix.request(endpoint, actor, method, expected[actor])
        if "GET" in rule.methods:
            expected = matrix.expected(endpoint, "GET")
            for actor in ACTORS:
                # Fragments (htmx requests) go through the same checks.
                if actor in ("team_a", "team_b"):
                    matrix.request(endpoint, actor, "GET", expected[actor], htmx=True)
                matrix.request(endpoint, actor, "GET", expected[actor])
        matrix.compare(f"GET {endpoint}")
    matrix.assert_ok()


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS)
def test_matrix_writes(app, signed_in, endpoint):
    """Every rule that accepts POST, posted to by every actor with data that would change something."""
    if endpoint not in TARGETS:
        pytest.fail(f"new route without a rule: {endpoint} (add it to TARGETS, with a level from LEVELS)")
    clients, w = signed_in
    matrix = Matrix(app, clients, w)
    expected = matrix.expected(endpoint, "POST")
    for actor in _permitted_last(ACTORS, expected):
        if actor == "team_a":  # the other organisation's team member, through htmx too
            matrix.request(endpoint, actor, "POST", expected[actor], htmx=True)
        matrix.request(endpoint, actor, "POST", expected[actor])
    matrix.assert_ok()


# --- mixed parents (SECURITY #3) -----------------------------------------------------------------


@pytest.fixture
def other_programme(world):
    """A second programme, with its own facilitator and organisation C."""
    from tracker.programmes import services as programmes

    host = factories.make_user("Other Facilitator", is_facilitator=True)
    programme = factories.make_programme(host, name="Other programme")
    org_c = programmes.add_organisation(programme, "Council C")
    db.session.commit()
    member = factories.add_member(programme, factories.make_user("Team C"), Role.TEAM_MEMBER, org_c)
    return programme.slug, org_c.slug, org_c.id, member.id


def _post_unchanged(client, url, data=None, headers=None):
    before = snapshot()
    response = client.post(url, data=data or {}, headers=headers or {})
    changed = changed_tables(before, snapshot())
    assert not changed, f"POST {url} changed {changed}"
    assert not leaked(response.data) or response.status_code < 400
    return response


@pytest.mark.parametrize("actor", ["team_a", "facilitator"])
def test_mixed_parent_ids_are_refused(client, world, login, actor):
    """An org-A object in the URL with an org-B id beside it: the second id is checked against the first."""
    login(client, getattr(world, actor))
    w = Ids(world)
    url = f"/cards/{w.card_a}/links/{w.card_b}/remove"
    assert _post_unchanged(client, url).status_code == 404

    response = _post_unchanged(client, f"/cards/{w.card_a}/links", {"other": str(w.card_b)})
    assert response.status_code == 422

    url = f"/programmes/{w.slug}/{w.org_a}/cards/new?opportunity={w.opportunity_b}"
    data = {"title": "Hacked", "kind": "idea", "priority": "high"}
    assert _post_unchanged(client, url, data).status_code == 404

    data = {"column": "backlog", "version": w.version(w.card_a), "after": str(w.card_b)}
    assert _post_unchanged(client, f"/cards/{w.card_a}/move", data).status_code == 409
    response = _post_unchanged(client, f"/cards/{w.card_a}/move", data, {"HX-Request": "true"})
    assert response.status_code == 409
    assert '"error": true' in response.headers["HX-Trigger"]

    # Another lane of the same organisation is refused too: a card only moves within its lane.
    data = {"column": "backlog", "version": w.version(w.card_a), "after": str(w.idea_a)}
    assert _post_unchanged(client, f"/cards/{w.card_a}/move", data).status_code == 409


def test_mixed_parents_across_programmes(client, world, login, other_programme):
    """A facilitator of one programme gets nothing out of another programme's ids."""
    slug_c, org_c, org_c_id, member_c = other_programme
    login(client, world.facilitator)
    slug = world.programme.slug
    assert client.get(f"/programmes/{slug}/{org_c}/roadmap").status_code == 404
    assert client.get(f"/programmes/{slug_c}/{org_c}/roadmap").status_code == 404
    assert _post_unchanged(client, f"/programmes/{slug}/people/{member_c}/remove").status_code == 404
    response = _post_unchanged(client, f"/programmes/{slug}/people", {
        "email": world.outsider.email, "role": "team_member", "organisation": str(org_c_id)})
    assert response.status_code == 200  # the form again: that organisation is not a choice
    assert b"govuk-error-summary" in response.data


# --- mass assignment (SECURITY #4) ---------------------------------------------------------------

EXTRA_FIELDS = {"organisation_id": None, "opportunity_id": None, "is_admin": "y", "is_facilitator": "y",
                "role": "facilitator", "column": "completed", "position": "99", "number": "42", "id": "1",
                "user_id": None, "card_id": None, "programme_id": "999", "slug": "evil", "email": None}


def _extras(world: factories.World) -> dict:
    extras = dict(EXTRA_FIELDS)
    extras.update(organisation_id=str(world.org_a.id), opportunity_id=str(world.opportunity_a.id),
                  user_id=str(world.facilitator.id), card_id=str(world.card_a.id), email="evil@example.org")
    return extras


def test_extra_fields_are_ignored_on_card_pages(client, world, login):
    login(client, world.team_b)
    w = Ids(world)
    extras = _extras(world)

    response = client.post(f"/cards/{w.card_b}/edit", data={
        **extras, "title": "Renamed", "kind": "quick_win", "priority": "low", "version": w.version(w.card_b)})
    assert response.status_code == 302
    card = db.session.get(Card, w.card_b)
    assert card.title == "Renamed"
    assert (card.organisation_id, card.opportunity_id, card.column, card.number) == (
        w.org_b_id, None, RoadmapColumn.BACKLOG, world.card_b.number)

    response = client.post(f"/programmes/{w.slug}/{w.org_b}/cards/new", data={
        **extras, "title": "New quick win", "kind": "quick_win", "priority": "low"})
    assert response.status_code == 302
    new = db.session.scalar(select(Card).where(Card.title == "New quick win"))
    assert (new.organisation_id, new.opportunity_id, new.column) == (w.org_b_id, None, RoadmapColumn.BACKLOG)

    response = client.post(f"/opportunities/{w.opportunity_b}/edit", data={
        **extras, "version": "99", "title": "Renamed opportunity", "priority": "low", "assignee": ""})
    assert response.status_code == 302
    opportunity = db.session.get(Opportunity, w.opportunity_b)
    assert (opportunity.title, opportunity.organisation_id, opportunity.number) == (
        "Renamed opportunity", w.org_b_id, world.opportunity_b.number)

    response = client.post(f"/cards/{w.card_b}/actions", data={**extras, "text": "Mine", "owner": ""})
    assert response.status_code == 302
    action = db.session.scalar(select(Action).where(Action.text == "Mine"))
    assert action.card_id == w.card_b

    team_b = db.session.get(type(world.team_b), w.users["team_b"])
    assert not team_b.is_admin and not team_b.is_facilitator and team_b.email == w.emails["team_b"]
    membership = db.session.scalar(select(Membership).where(Membership.user_id == w.users["team_b"]))
    assert (membership.role, membership.organisation_id) == (Role.TEAM_MEMBER, w.org_b_id)


def test_extra_fields_are_ignored_on_programme_and_account_pages(client, world, login):
    w = Ids(world)
    extras = _extras(world)
    login(client, world.facilitator)
    response = client.post(f"/programmes/{w.slug}/edit", data={**extras, **programme_form(w), "version": "5"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/programmes/{w.slug}"
    facilitator = db.session.get(type(world.facilitator), w.users["facilitator"])
    assert not facilitator.is_admin

    client.post("/sign-out")
    login(client, world.admin)
    extras = {k: v for k, v in extras.items() if k not in ("is_admin", "is_facilitator")}  # real fields here
    response = client.post(f"/accounts/{w.users['team_b']}", data={
        **extras, "name": "Team B", "is_active": "y"})
    assert response.status_code == 302
    team_b = db.session.get(type(world.team_b), w.users["team_b"])
    assert team_b.email == w.emails["team_b"]  # the form has no email field
    assert (team_b.id, team_b.is_admin, team_b.is_active) == (w.users["team_b"], False, True)


# --- revocation (SECURITY #5) --------------------------------------------------------------------


def test_removed_member_is_refused_on_the_next_request(app, world, login):
    w = Ids(world)
    team_b = login(IsolatedClient(app, app.response_class), world.team_b)
    facilitator = login(IsolatedClient(app, app.response_class), world.facilitator)
    pages = [f"/programmes/{w.slug}/{w.org_b}/roadmap", f"/programmes/{w.slug}/{w.org_b}/",
             f"/cards/{w.card_b}", f"/opportunities/{w.opportunity_b}", f"/programmes/{w.slug}"]
    for page in pages:
        assert team_b.get(page).status_code == 200, page

    response = facilitator.post(f"/programmes/{w.slug}/people/{w.member_team_b}/remove")
    assert response.status_code == 302

    for page in pages:
        response = team_b.get(page)
        assert response.status_code == 404, page
        assert not leaked(response.data), page
    response = team_b.get(f"/programmes/{w.slug}/{w.org_b}/roadmap", headers={"HX-Request": "true"})
    assert response.status_code == 404
    data = {"column": "completed", "version": w.version(w.card_b)}
    assert _post_unchanged(team_b, f"/cards/{w.card_b}/move", data).status_code == 404
    dashboard = team_b.get("/")
    assert dashboard.status_code == 200
    assert not leaked(dashboard.data) and w.slug.encode() not in dashboard.data


# --- email settings: each signed-in person's own, saved with a POST -----------------------------------

LEVELS["own_settings"] = {"GET": (LOGIN, 200, 200, 200, 200, 200, 200, 200),
                          "POST": (LOGIN, DONE, DONE, DONE, DONE, DONE, DONE, DONE)}
#: Each post turns one email off and the other on, so a second post by the same person changes something too.
_email_choices = itertools.cycle(({"email_notices": "y"}, {"email_digest": "y"}))
TARGETS["accounts.email_settings"] = Target("own_settings", data=lambda w: next(_email_choices))


# --- survey invitations held back from the scheduler, or released: the programme's facilitators only -----


def _hold_or_release(w: Ids) -> dict:
    """Holds organisation B's invitations to the first invitation wave back, or releases them if held."""
    from tracker.surveys.models import WaveOrganisation

    held = db.session.scalar(select(WaveOrganisation.held_back).where(
        WaveOrganisation.wave_id == w.invitation_waves[0], WaveOrganisation.organisation_id == w.org_b_id))
    return {"action": "release" if held else "hold"}


TARGETS["surveys.hold_invitations"] = Target(
    "org_manage_post", lambda w: {**org_b(w), "wave_id": w.invitation_waves[0]}, _hold_or_release)


# --- the language switch: anybody; a signed-in person's choice is kept on their account -------------------

LEVELS["language_switch"] = {"POST": (302, DONE, DONE, DONE, DONE, DONE, DONE, DONE)}
#: Each post chooses the other language, so a second post by the same person changes something too.
_languages = itertools.cycle(({"language": "cy"}, {"language": "en"}))
TARGETS["accounts.change_language"] = Target("language_switch", data=lambda w: next(_languages))
# The respondents' switch sets the language cookie only: it never looks at anyone's account.
LEVELS["respondent_switch"] = {"POST": (302,) * 8}
TARGETS["surveys.respond_language"] = Target("respondent_switch", data=lambda w: {"language": "cy"})


# --- discovery and evidence: each package's rules beside its own tests ----------------------------------

import tests.assessments.permission_rules  # noqa: E402,F401
import tests.audits.permission_rules  # noqa: E402,F401
import tests.insights.permission_rules  # noqa: E402,F401
