"""Every API endpoint × every actor, with personal tokens (SECURITY.md items 1–3 for the API).

The targets are organisation B's data. For each request: the status matches the policy; nobody who may
not see organisation B reads a word of it; refused requests and every read leave the database exactly
as it was (``last_used_dt`` of tokens aside).
"""

import pytest
from sqlalchemy import select

from tests.api.conftest import ACTORS, SEES_ORG_B, leaked
from tracker.api.models import ApiToken
from tracker.extensions import db
from tracker.results.models import Figure


def snapshot() -> dict[str, list]:
    db.session.rollback()
    connection = db.session.connection()
    state = {}
    # The results version is a cache stamp, bumped by permitted writes (tests/results/test_table_cache.py).
    skip = {("user_session", "last_seen_dt"), ("api_token", "last_used_dt"), ("programme", "results_version")}
    for table in db.metadata.sorted_tables:
        columns = ", ".join(f'"{c.name}"' for c in table.columns if (table.name, c.name) not in skip)
        rows = connection.exec_driver_sql(f'SELECT {columns} FROM "{table.name}"').all()  # noqa: S608
        state[table.name] = sorted((tuple(row) for row in rows), key=repr)
    db.session.rollback()
    return state


def changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


#                       outsider admin team_a viewer_b viewer team_b facilitator
PROGRAMME_READ = dict(zip(ACTORS, (404, 404, 200, 200, 200, 200, 200), strict=True))
EVERYONE = dict(zip(ACTORS, (200,) * 7, strict=True))
ORG_B_READ = dict(zip(ACTORS, (404, 404, 404, 200, 200, 200, 200), strict=True))
ORG_B_WRITE = dict(zip(ACTORS, (404, 404, 404, 403, 403, "written", "written"), strict=True))

READS = {
    "/programmes": EVERYONE,
    "/programmes/{slug}": PROGRAMME_READ,
    "/programmes/{slug}/organisations": PROGRAMME_READ,
    "/programmes/{slug}/periods": PROGRAMME_READ,
    "/programmes/{slug}/indicators": PROGRAMME_READ,
    "/programmes/{slug}/figures": PROGRAMME_READ,
    "/programmes/{slug}/figures?organisation=council-b": PROGRAMME_READ,
    "/programmes/{slug}/figures?organisation=council-b&indicator=1.1.1&period=2": PROGRAMME_READ,
    "/programmes/{slug}/organisations/council-b/cards": ORG_B_READ,
    "/programmes/{slug}/organisations/council-b/cards?column=backlog&kind=quick_win": ORG_B_READ,
}


@pytest.mark.parametrize("path", list(READS))
def test_reads(client, api, path):
    url = "/api/v1" + path.format(slug=api.slug)
    before = snapshot()
    failures = []
    response = client.get(url)
    if response.status_code != 401 or not response.is_json:
        failures.append(f"GET {url} without a token: {response.status_code}")
    for actor in ACTORS:
        response = client.get(url, headers=api.headers(actor))
        expected = READS[path][actor]
        if response.status_code != expected:
            failures.append(f"GET {url} as {actor}: {response.status_code}, expected {expected}")
        if not response.is_json:
            failures.append(f"GET {url} as {actor}: not JSON")
        if actor not in SEES_ORG_B and leaked(response.data):
            failures.append(f"GET {url} as {actor}: leaks {leaked(response.data)}")
        if response.status_code >= 400 and response.get_json()["error"]["status"] != response.status_code:
            failures.append(f"GET {url} as {actor}: error body status differs")
    if changed(before, snapshot()):
        failures.append(f"GET {url} changed {changed(before, snapshot())}")
    assert not failures, "\n".join(failures)


def test_figures_are_only_those_of_visible_organisations(client, api):
    url = f"/api/v1/programmes/{api.slug}/figures"
    seen = {}
    for actor in ACTORS:
        response = client.get(url, headers=api.headers(actor))
        if response.status_code == 200:
            seen[actor] = {f["organisation"] for f in response.get_json()["figures"]}
    assert seen == {"team_a": {"council-a"}, "viewer_b": {"council-b"}, "team_b": {"council-b"},
                    "viewer": {"council-a", "council-b"}, "facilitator": {"council-a", "council-b"}}
    # Asking for organisation B by name gets team A nothing.
    response = client.get(url + "?organisation=council-b", headers=api.headers("team_a"))
    assert response.get_json() == {"figures": []}
    response = client.get(url + "?organisation=council-b&period=2&indicator=1.1.1", headers=api.headers("team_b"))
    (figure,) = response.get_json()["figures"]
    assert figure["value"] == "12" and figure["note"] == "Figure note of B" and figure["version"] == 1


def test_organisations_listed_are_the_visible_ones(client, api):
    url = f"/api/v1/programmes/{api.slug}/organisations"
    listed = {actor: [(o["slug"], o["can_edit"]) for o in client.get(url, headers=api.headers(actor))
                      .get_json()["organisations"]] for actor in ("team_a", "viewer_b", "viewer", "team_b",
                                                                   "facilitator")}
    assert listed == {
        "team_a": [("council-a", True)],
        "viewer_b": [("council-b", False)],
        "viewer": [("council-a", False), ("council-b", False)],
        "team_b": [("council-b", True)],
        "facilitator": [("council-a", True), ("council-b", True)],
    }


def test_programmes_list_is_the_members_own(client, api):
    for actor in ACTORS:
        programmes = client.get("/api/v1/programmes", headers=api.headers(actor)).get_json()["programmes"]
        assert [p["slug"] for p in programmes] == ([] if actor in ("outsider", "admin") else [api.slug]), actor


def test_cards_show_codes_owners_and_indicators(client, api):
    response = client.get(f"/api/v1/programmes/{api.slug}/organisations/council-b/cards",
                          headers=api.headers("viewer_b"))
    cards = {c["title"]: c for c in response.get_json()["cards"]}
    assert set(cards) == {"Review debt pathway", "Partnership meetings"}
    assert cards["Review debt pathway"]["indicators"] == ["1.1.1"]
    assert cards["Review debt pathway"]["code"] == "1" and cards["Review debt pathway"]["kind"] == "quick_win"
    assert cards["Partnership meetings"]["code"] == "1.1" and cards["Partnership meetings"]["opportunity"] == 1
    response = client.get(f"/api/v1/programmes/{api.slug}/organisations/council-b/cards?kind=idea",
                          headers=api.headers("viewer_b"))
    assert [c["title"] for c in response.get_json()["cards"]] == ["Partnership meetings"]
    response = client.get(f"/api/v1/programmes/{api.slug}/organisations/council-b/cards?column=nonsense",
                          headers=api.headers("viewer_b"))
    assert response.status_code == 422 and "column" in response.get_json()["error"]["details"]


@pytest.mark.parametrize("org", ["council-b", "council-a"])
def test_writes(client, api, org):
    """PUT a figure into organisation B (and A): who may, who may not, and nothing changes when refused."""
    policy = dict(ORG_B_WRITE)
    if org == "council-a":
        policy.update(team_a="written", team_b=404, viewer_b=404)
    url = f"/api/v1/programmes/{api.slug}/figures/{api.count_code}/{org}/3"
    failures = []
    # Refused actors first, so a permitted write cannot colour their result.
    for n, actor in enumerate(sorted(ACTORS, key=lambda a: policy[a] == "written")):
        before = snapshot()
        response = client.put(url, json={"value": str(50 + n), "note": f"by {actor}"}, headers=api.headers(actor))
        after = snapshot()
        expected = policy[actor]
        if expected == "written":
            if response.status_code not in (200, 201):
                failures.append(f"PUT {url} as {actor}: {response.status_code} {response.data[:300]}")
            elif not ({"figure", "figure_change"} <= set(changed(before, after))
                      and all(name.startswith("figure") for name in changed(before, after))):
                failures.append(f"PUT {url} as {actor} changed {changed(before, after)}")
        else:
            if response.status_code != expected:
                failures.append(f"PUT {url} as {actor}: {response.status_code}, expected {expected}")
            if changed(before, after):
                failures.append(f"PUT {url} as {actor} (refused) changed {changed(before, after)}")
            if leaked(response.data) and org == "council-b" and actor not in SEES_ORG_B:
                failures.append(f"PUT {url} as {actor}: leaks {leaked(response.data)}")
            body = response.get_json()
            if not body or body["error"]["status"] != expected:
                failures.append(f"PUT {url} as {actor}: not a JSON error")
    assert not failures, "\n".join(failures)


def test_refused_write_to_an_existing_figure_leaves_it_alone(client, api):
    """The existing organisation-B figure (period 2), with a correct version, from every refused actor."""
    url = f"/api/v1/programmes/{api.slug}/figures/{api.count_code}/council-b/2"
    figure_id = db.session.scalar(select(Figure.id).where(Figure.period_number == 2, Figure.note == "Figure note of B"))
    for actor in ("outsider", "admin", "team_a", "viewer_b", "viewer"):
        before = snapshot()
        response = client.put(url, json={"value": "0", "version": 1}, headers=api.headers(actor))
        assert response.status_code in (403, 404), actor
        assert not changed(before, snapshot()), actor
        assert b"Figure note of B" not in response.data
    db.session.rollback()
    assert db.session.get(Figure, figure_id).value == 12


def test_other_programme_is_invisible(client, api):
    from tests import factories
    from tracker.api import services
    from tracker.programmes import services as programmes

    host = factories.make_user("Other host", is_facilitator=True)
    other = factories.make_programme(host, "Other programme")
    programmes.add_organisation(other, "Council C")
    db.session.commit()
    _row, host_token = services.create_token(host, "host")
    db.session.commit()
    for actor in ("facilitator", "viewer", "team_a"):
        headers = api.headers(actor)
        for path in ("", "/organisations", "/periods", "/indicators", "/figures", "/organisations/council-c/cards"):
            assert client.get(f"/api/v1/programmes/{other.slug}{path}", headers=headers).status_code == 404
        assert client.put(f"/api/v1/programmes/{other.slug}/figures/1.1.1/council-c/1", json={"value": 1},
                          headers=headers).status_code == 404
        # Organisation C through this programme's slug is not found either.
        assert client.get(f"/api/v1/programmes/{api.slug}/organisations/council-c/cards",
                          headers=headers).status_code == 404
    # And the other programme's facilitator sees nothing of this one.
    headers = {"Authorization": f"Bearer {host_token}"}
    response = client.get(f"/api/v1/programmes/{api.slug}/figures", headers=headers)
    assert response.status_code == 404 and not leaked(response.data)


def test_revoked_membership_is_denied_on_the_next_request(client, api):
    from tracker.programmes.models import Membership

    url = f"/api/v1/programmes/{api.slug}/organisations/council-b/cards"
    assert client.get(url, headers=api.headers("team_b")).status_code == 200
    db.session.rollback()
    member = db.session.scalar(select(Membership).where(Membership.user_id == api.world.team_b.id))
    db.session.delete(member)
    db.session.commit()
    response = client.get(url, headers=api.headers("team_b"))
    assert response.status_code == 404 and not leaked(response.data)
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == api.world.team_b.id)) is not None


def test_cards_leave_out_archived_work_and_say_when_the_team_owns_them(client, api):
    from tracker.board import services as board
    from tracker.board.models import Card
    from tracker.extensions import db

    cards = {c.title: c for c in db.session.scalars(db.select(Card))}
    review, partnership = cards["Review debt pathway"], cards["Partnership meetings"]
    board.update_card(review, expected_version=review.version, user=None, owners=[], initiatives=[],
                      team_owned=True)
    board.archive_opportunity(partnership.opportunity)
    db.session.commit()
    url = f"/api/v1/programmes/{api.slug}/organisations/council-b/cards"
    listed = client.get(url, headers=api.headers("viewer_b")).get_json()["cards"]
    assert [(c["title"], c["team_owned"], c["owners"]) for c in listed] == [("Review debt pathway", True, [])]
    board.archive_card(review, expected_version=review.version, user=None)
    db.session.commit()
    assert client.get(url, headers=api.headers("viewer_b")).get_json()["cards"] == []
