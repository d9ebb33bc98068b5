def test_me_returns_the_signed_in_user(me):
    response = me.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["email"] == "me@example.com"
