"""Staff commands: create-user and create-token."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash

from popupstore.auth.models import ApiToken, User
from popupstore.extensions import db
from popupstore.tokens import hash_token


def test_create_user_with_password_from_environment(app, runner, monkeypatch):
    monkeypatch.setenv("POPUPSTORE_PASSWORD", "een-lang-wachtwoord")
    result = runner.invoke(args=["create-user", "fien", "--role", "facilitator"])
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).where(User.username == "fien")).scalar_one()
    assert user.role == "facilitator"
    assert user.password_hash != "een-lang-wachtwoord"
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert check_password_hash(user.password_hash, "een-lang-wachtwoord")


def test_create_user_prompts_for_the_password(app, runner, monkeypatch):
    monkeypatch.delenv("POPUPSTORE_PASSWORD", raising=False)
    result = runner.invoke(
        args=["create-user", "olga", "--role", "organiser"],
        input="nog-een-wachtwoord\nnog-een-wachtwoord\n",
    )
    assert result.exit_code == 0, result.output
    assert (
        db.session.execute(select(User.role).where(User.username == "olga")).scalar_one()
        == "organiser"
    )


def test_bad_users_exit_2(app, runner, monkeypatch):
    monkeypatch.setenv("POPUPSTORE_PASSWORD", "een-lang-wachtwoord")
    assert runner.invoke(args=["create-user", "fien", "--role", "facilitator"]).exit_code == 0
    again = runner.invoke(args=["create-user", "fien", "--role", "organiser"])
    assert again.exit_code == 2 and "fien" in again.output
    assert runner.invoke(args=["create-user", "bas", "--role", "admin"]).exit_code == 2
    monkeypatch.setenv("POPUPSTORE_PASSWORD", "kort")
    short = runner.invoke(args=["create-user", "bas", "--role", "facilitator"])
    assert short.exit_code == 2 and "password" in short.output
    names = db.session.execute(select(User.username)).scalars().all()
    assert names == ["fien"]


def test_create_token_prints_the_token_last_and_stores_a_hash(app, runner, make_user, client):
    make_user("fien", "facilitator")
    result = runner.invoke(args=["create-token", "fien"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert len(token) >= 32
    stored = db.session.execute(select(ApiToken.token_hash)).scalars().all()
    assert stored == [hash_token(token)]
    missing = runner.invoke(args=["create-token", "niemand"])
    assert missing.exit_code == 2 and "niemand" in missing.output
