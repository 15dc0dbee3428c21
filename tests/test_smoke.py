def test_sign_in_and_board(client, world, login):
    login(client, world.team_a)
    org = world.org_a
    response = client.get(f"/programmes/{world.programme.slug}/{org.slug}/roadmap")
    assert response.status_code == 200
    assert b"Make letters friendlier" in response.data
    assert b"Review debt pathway" not in response.data
