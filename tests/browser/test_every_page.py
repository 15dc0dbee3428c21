"""Every page no other browser test reaches, opened by the person who uses it and checked with axe.

Together with the task tests beside this file, every GET page of the app is seen by axe-core. A new
page is listed here (or reached by a task test) so this stays true: ``test_every_get_page_is_listed``
fails for a page nobody visits.
"""

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from tests import factories
from tests.browser.pages import org_url
from tracker.board import services as board_services
from tracker.board.models import Action
from tracker.core import mail
from tracker.extensions import db
from tracker.programmes.models import Membership
from tracker.results import services as results
from tracker.results.models import Direction, Unit

#: Endpoints the other browser tests open with axe (see test_pages, test_board, test_cards,
#: test_results, test_exchange, test_tokens, test_surveys_builder, test_surveys_results, test_surveys_respond,
#: test_checkins).
VISITED_ELSEWHERE = {
    "accounts.sign_in", "programmes.dashboard", "programmes.show", "programmes.people", "board.organisation",
    "board.roadmap", "board.quick_wins", "board.opportunities", "board.opportunity", "board.card",
    "board.edit_card", "results.tracker", "results.framework", "results.new_outcome", "results.new_indicator",
    "results.indicator", "results.figure", "exchange.import_figures", "exchange.preview_import",
    "tokens.tokens", "tokens.revoke",
    # test_surveys_builder
    "surveys.surveys", "surveys.new_survey", "surveys.survey", "surveys.edit_survey", "surveys.preview",
    "surveys.new_question", "surveys.edit_question", "surveys.remove_question", "surveys.copy_questions",
    "surveys.survey_waves", "surveys.wave", "surveys.wave_dates",
    # test_surveys_results
    "surveys.wave_results", "surveys.text_answers", "surveys.survey_results", "surveys.question_indicator",
    "surveys.wave_figures",
    # test_surveys_respond
    "surveys.invitations", "surveys.shared_link", "surveys.remove_shared_link", "surveys.respond_link",
    "surveys.respond_survey", "surveys.respond_done",
    # test_checkins
    "checkins.calendar_page", "checkins.checkin", "checkins.edit", "checkins.status", "checkins.new",
    "checkins.edit_event", "checkins.feed",
}
#: Not pages: downloads, JSON and form targets (POST only).
NOT_PAGES_PREFIXES = ("api.", "exchange.export_results", "exchange.export_plans", "surveys.wave_results_download")
# The check-ins' calendar files: a check-in's download and the secret feed.
NOT_PAGES_PREFIXES += ("checkins.checkin_ics", "checkins.feed_ics")
# A self-assessment's report as .csv or .xlsx.
NOT_PAGES_PREFIXES += ("assessments.report_file",)


def pages(world, framework):
    programme, org = world.programme, world.org_a
    indicator, outcome = framework
    action = db.session.scalar(select(Action).where(Action.card_id == world.card_a.id))
    update = board_services.add_progress_update(world.card_a, on=date.today(), body="Called CAB", user=world.team_a)
    output = results.create_output(outcome, description="Narrative report")
    member = db.session.scalar(select(Membership).where(Membership.user_id == world.team_b.id))
    linked = factories.make_card(world.org_a, "Related quick win")
    board_services.link_cards(world.card_a, linked, user=world.team_a)
    message = mail.queue(to=world.team_a.email, subject="Staff survey: wave 1 is open", sender_name=programme.name,
                         text="Answer the survey:\nhttps://tracker.example.org/surveys/answer/" + "x" * 43 + "\n",
                         html="<p>Answer the survey</p>", kind="survey_invitation")
    db.session.commit()
    return {
        "accounts.users": (world.admin, "/accounts"),
        "accounts.new_user": (world.admin, "/accounts/new"),
        "accounts.edit_user": (world.admin, f"/accounts/{world.team_a.id}"),
        "accounts.outbox": (world.admin, "/accounts/outbox"),
        "accounts.outbox_message": (world.admin, f"/accounts/outbox/{message.id}"),
        "programmes.new_programme": (world.facilitator, "/programmes/new"),
        "programmes.edit": (world.facilitator, f"/programmes/{programme.slug}/edit"),
        "programmes.new_organisation": (world.facilitator, f"/programmes/{programme.slug}/organisations/new"),
        "programmes.initiatives": (world.facilitator, f"/programmes/{programme.slug}/initiatives"),
        "board.new_opportunity": (world.team_a, org_url(org) + "opportunities/new"),
        "board.edit_opportunity": (world.team_a, f"/opportunities/{world.opportunity_a.id}/edit"),
        "board.new_card": (world.team_a, org_url(org) + "cards/new"),
        "board.edit_sheet": (world.team_a, f"/cards/{world.idea_a.id}/prototype/edit"),
        "results.edit_indicator": (world.facilitator, f"/indicators/{indicator.id}/edit"),
        "results.new_output": (world.facilitator, f"/outcomes/{outcome.id}/outputs/new"),
        "exchange.export_page": (world.viewer, f"/programmes/{programme.slug}/export"),
        # Changing and archiving, and the confirmation pages before anything is archived or deleted.
        "board.archive": (world.team_a, org_url(org) + "archive"),
        "board.edit_action": (world.team_a, f"/actions/{action.id}/edit"),
        "board.archive_item": (world.team_a, f"/actions/{action.id}/archive"),
        "board.archive_item/updates": (world.team_a, f"/updates/{update.id}/archive"),
        "board.archive_card": (world.team_a, f"/cards/{world.card_a.id}/archive"),
        "board.archive_opportunity": (world.team_a, f"/opportunities/{world.opportunity_a.id}/archive"),
        "programmes.edit_organisation": (world.facilitator,
                                         f"/programmes/{programme.slug}/organisations/{org.slug}/edit"),
        "programmes.remove_person": (world.facilitator, f"/programmes/{programme.slug}/people/{member.id}/remove"),
        "results.edit_objective": (world.facilitator, f"/objectives/{outcome.objective_id}/edit"),
        "results.edit_outcome": (world.facilitator, f"/outcomes/{outcome.id}/edit"),
        "results.edit_output": (world.facilitator, f"/outputs/{output.id}/edit"),
        "results.delete": (world.facilitator, f"/indicators/{indicator.id}/delete"),
        "board.remove_link": (world.team_a, f"/cards/{world.card_a.id}/links/{linked.id}/remove"),
    }


def make_framework(world):
    world.programme.start_date = date.today() - timedelta(days=40)
    objective = results.create_objective(world.programme, "Reduce fall-out")
    outcome = results.create_outcome(objective, "Fewer households fall out")
    indicator = results.create_indicator(outcome, name="Households helped", unit=Unit.COUNT,
                                         direction=Direction.INCREASE, target=Decimal("10"))
    db.session.commit()
    return indicator, outcome


def declared_by_task_tests() -> set[str]:
    """The endpoints a task test says it opens with axe: its module's ``VISITED`` set (newer features list
    their pages beside their own browser tests)."""
    import importlib
    import pkgutil

    import tests.browser

    found = set()
    for info in pkgutil.iter_modules(tests.browser.__path__):
        if info.name.startswith("test_") and info.name != "test_every_page":
            found |= getattr(importlib.import_module(f"tests.browser.{info.name}"), "VISITED", set())
    return found


def test_every_get_page_is_listed(app, world):
    listed = set(pages(world, make_framework(world))) | VISITED_ELSEWHERE | declared_by_task_tests()
    get_pages = {rule.endpoint for rule in app.url_map.iter_rules()
                 if "GET" in rule.methods and rule.endpoint != "static"
                 and not rule.endpoint.startswith(NOT_PAGES_PREFIXES)}
    assert get_pages - listed == set(), "pages no browser test opens with axe"


def test_every_other_page_passes_axe(new_context, world, sign_in, visit):
    framework = make_framework(world)
    tabs = {}
    for endpoint, (user, path) in pages(world, framework).items():
        if user.id not in tabs:
            tabs[user.id] = sign_in(new_context(), user).new_page()
        visit(tabs[user.id], path)
        assert tabs[user.id].locator("h1").count() == 1, endpoint

# The facilitator's overview: opened, sorted and downloaded in test_checkin_overview; its downloads are files.
VISITED_ELSEWHERE |= {"checkins.overview_page"}
NOT_PAGES_PREFIXES += ("checkins.overview_export",)

# A check-in's agenda, its meeting record and actions arising, and every organisation's agendas to print:
# opened, printed and filled in by test_checkin_agenda. Holding is a button (POST only).
VISITED_ELSEWHERE |= {"checkins.agenda", "checkins.record_page", "checkins.arising", "checkins.all_agendas"}

# The email settings page (Account → Email settings): opened below.
VISITED_ELSEWHERE |= {"accounts.email_settings"}


def test_email_settings_page_passes_axe(new_context, world, sign_in, visit):
    page = sign_in(new_context(), world.team_a).new_page()
    visit(page, "/account/email")
    assert page.locator("h1").count() == 1

# The scheduler's page (site administrators), with a heartbeat, a run that did something and a failed one.
_pages_before_the_scheduler = pages


def pages(world, framework):  # noqa: F811 - the pages above, and the scheduler's
    from tracker.core.db import utcnow
    from tracker.scheduler.models import JobRun, SchedulerLease

    found = _pages_before_the_scheduler(world, framework)
    now = utcnow()
    db.session.merge(SchedulerLease(name="scheduler", holder="scheduler-host:4242:ab12cd", heartbeat_dt=now,
                                    expires_dt=now + timedelta(seconds=90)))
    db.session.add_all([
        JobRun(job="mail", moment_dt=now, started_dt=now, finished_dt=now,
               summary="Sent 3, failed 0, will retry 1, waiting 1."),
        JobRun(job="mail", moment_dt=now, started_dt=now, finished_dt=now,
               error="Traceback (most recent call last):\n  ...\nRuntimeError: could not connect to 127.0.0.1:25"),
    ])
    db.session.commit()
    found["scheduler.status"] = (world.admin, "/accounts/scheduler")
    return found
