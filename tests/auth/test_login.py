"""The staff login page."""

from __future__ import annotations

import pytest


def test_login_page_has_username_and_password(client, app):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html
    assert 'type="password"' in html


def test_wrong_user_and_wrong_password_get_the_same_answer(client, make_user):
    make_user("fien", "facilitator", "geheim-wachtwoord")
    unknown = client.post("/login", data={"username": "niemand", "password": "geheim-wachtwoord"})
    wrong = client.post("/login", data={"username": "fien", "password": "fout-wachtwoord"})
    assert unknown.status_code == wrong.status_code == 200
    message = "Gebruikersnaam of wachtwoord klopt niet."
    assert message in unknown.get_data(as_text=True)
    assert message in wrong.get_data(as_text=True)


def test_login_redirects_to_the_staff_page_and_logout_ends_it(client, make_user):
    make_user("fien", "facilitator", "geheim-wachtwoord")
    assert client.get("/facilitator/").status_code == 302
    response = client.post("/login", data={"username": "fien", "password": "geheim-wachtwoord"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/facilitator/"
    assert client.get("/facilitator/").status_code == 200
    client.post("/logout")
    assert client.get("/facilitator/").status_code == 302


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/facilitator/evenement/x", "/facilitator/evenement/x"),
        ("https://evil.example/", "/facilitator/"),
        ("//evil.example/", "/facilitator/"),
        ("/\\evil.example", "/facilitator/"),
    ],
)
def test_next_is_followed_only_to_local_paths(client, make_user, target, expected):
    make_user("fien", "facilitator", "geheim-wachtwoord")
    response = client.post(
        "/login", data={"username": "fien", "password": "geheim-wachtwoord", "next": target}
    )
    assert response.headers["Location"] == expected


def test_login_is_rate_limited(make_app, store):
    app = make_app(RATELIMIT_LOGIN="3 per minute")
    with app.app_context():
        client = app.test_client()
        statuses = [
            client.post("/login", data={"username": "x", "password": "y"}).status_code
            for _ in range(4)
        ]
    assert statuses == [200, 200, 200, 429]


def test_facilitator_page_lists_checkouts_without_names_of_non_consenting(
    client, login, store, make_checkout
):
    make_checkout({"geldfit": "want"}, name="Open Olga", organisation="Breda")
    make_checkout(
        {"geldfit": "want"}, name="Stille Sien", organisation="Zwolle", share_contact=False
    )
    login("facilitator")
    html = client.get("/facilitator/").get_data(as_text=True)
    assert "Open Olga" in html
    assert "Stille Sien" not in html
    assert "Zwolle" not in html
