"""Who may see and change which organisation's plans."""

from tracker.programmes import permissions as p


def test_roles_decide_from_the_organisation(world):
    a, b = world.org_a, world.org_b
    expected = {
        # user: (view A, edit A, view B, edit B)
        "facilitator": (True, True, True, True),
        "team_a": (True, True, False, False),
        "team_b": (False, False, True, True),
        "viewer": (True, False, True, False),
        "viewer_b": (False, False, True, False),
        "outsider": (False, False, False, False),
        "admin": (False, False, False, False),
    }
    for name, user in world.users().items():
        got = (p.can_view_org(user, a), p.can_edit_org(user, a), p.can_view_org(user, b), p.can_edit_org(user, b))
        assert got == expected[name], name


def test_visible_organisations_are_those_each_person_may_view(world):
    for name, user in [*world.users().items(), ("anonymous", None)]:
        expected = [org for org in world.programme.organisations if p.can_view_org(user, org)]
        assert p.visible_organisations(user, world.programme) == expected, name
    assert [o.name for o in p.visible_organisations(world.viewer_b, world.programme)] == ["Council B"]


def test_anonymous_sees_nothing(world):
    assert not p.can_view_org(None, world.org_a)
    assert not p.can_view_programme(None, world.programme)


def test_only_facilitators_manage_the_programme(world):
    managers = {name for name, user in world.users().items() if p.can_manage_programme(user, world.programme)}
    assert managers == {"facilitator"}
