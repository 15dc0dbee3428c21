"""Programme rules: slugs, organisations, members, initiatives."""

import pytest

from tests import factories
from tracker.extensions import db
from tracker.programmes import services
from tracker.programmes.models import Role


def test_programme_creator_is_its_first_facilitator_and_slugs_are_unique(app):
    user = factories.make_user(is_facilitator=True)
    first = factories.make_programme(user, "Welsh pilot")
    second = factories.make_programme(user, "Welsh pilot")
    assert (first.slug, second.slug) == ("welsh-pilot", "welsh-pilot-2")
    assert [m.role for m in first.memberships] == [Role.FACILITATOR]


def test_organisations_are_unique_by_name(world):
    with pytest.raises(services.ProgrammeError):
        services.add_organisation(world.programme, "council a")


def test_members_need_an_account_and_team_members_an_organisation(world):
    with pytest.raises(services.ProgrammeError, match="no account"):
        services.add_member(world.programme, email="nobody@example.org", role=Role.VIEWER, organisation=None)
    newcomer = factories.make_user("Newcomer")
    with pytest.raises(services.ProgrammeError, match="organisation"):
        services.add_member(world.programme, email=newcomer.email, role=Role.TEAM_MEMBER, organisation=None)
    member = services.add_member(world.programme, email=newcomer.email.upper(), role=Role.TEAM_MEMBER,
                                 organisation=world.org_a)
    assert member.organisation_id == world.org_a.id
    with pytest.raises(services.ProgrammeError, match="already"):
        services.add_member(world.programme, email=newcomer.email, role=Role.VIEWER, organisation=None)


def test_an_organisation_of_another_programme_is_refused(world):
    other = factories.make_programme(world.facilitator, "Other programme")
    foreign = services.add_organisation(other, "Elsewhere")
    newcomer = factories.make_user("Newcomer")
    with pytest.raises(services.ProgrammeError):
        services.add_member(world.programme, email=newcomer.email, role=Role.TEAM_MEMBER, organisation=foreign)


def test_the_last_facilitator_cannot_be_removed(world):
    facilitator_membership = next(m for m in world.programme.memberships if m.role == Role.FACILITATOR)
    with pytest.raises(services.ProgrammeError):
        services.remove_member(facilitator_membership)
    db.session.rollback()


def test_initiatives_are_unique(world):
    services.add_initiative(world.programme, "RRTPs")
    with pytest.raises(services.ProgrammeError):
        services.add_initiative(world.programme, "rrtps")
