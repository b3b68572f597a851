"""API tokens expire, can be revoked, and are made and revoked on the command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import column, insert, select, table, update

from popupstore import create_app
from popupstore.auth.models import ApiToken, User
from popupstore.db import UTCDateTime
from popupstore.extensions import db
from popupstore.tokens import hash_token

from ..conftest import SECRET

OVERLAP = "/api/v1/events/breda-2026/overlap"


def overlap_status(client: Any, token: str) -> tuple[int, str | None]:
    response = client.get(OVERLAP, headers={"Authorization": f"Bearer {token}"})
    body = response.get_json()
    return response.status_code, (body or {}).get("error", {}).get("code")


def create_token(runner: Any, username: str, *options: str) -> tuple[str, datetime, list[str]]:
    """Run `create-token`; the token (last line), its expiry (line before) and all lines."""
    result = runner.invoke(args=["create-token", username, *options])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    expiry = datetime.fromisoformat(lines[-2].split()[-1])
    return lines[-1], expiry, lines


def stored_tokens() -> list[tuple[str, datetime]]:
    db.session.remove()
    rows = db.session.execute(select(ApiToken.token_hash, ApiToken.expires_at)).all()
    return [(row.token_hash, row.expires_at) for row in rows]


@pytest.mark.parametrize(("options", "days"), [((), 90), (("--days", "7"), 7), (("--days=1",), 1)])
def test_create_token_prints_its_expiry_then_the_token(app, runner, make_user, options, days):
    make_user("fien", "facilitator")
    before = datetime.now(UTC)
    token, expiry, lines = create_token(runner, "fien", *options)
    after = datetime.now(UTC)
    assert len(lines) == 3
    assert lines[-1] == token and " " not in token and len(token) >= 43
    # The expiry line is an ISO 8601 moment with its offset, `days` days from now.
    assert expiry.tzinfo is not None
    assert before + timedelta(days=days) <= expiry + timedelta(seconds=1)
    assert expiry <= after + timedelta(days=days)
    # Only the hash is kept, with exactly that expiry.
    [(stored_hash, stored_expiry)] = stored_tokens()
    assert stored_hash == hash_token(token)
    assert abs(stored_expiry - expiry) < timedelta(seconds=1)


@pytest.mark.parametrize("days", ["0", "-3", "abc", "1.5", "", " ", "7d", "3651", "99999999999"])
def test_a_bad_days_value_exits_2_with_one_line_and_writes_nothing(app, runner, make_user, days):
    make_user("fien", "facilitator")
    result = runner.invoke(args=["create-token", "fien", "--days", days])
    assert result.exit_code == 2, result.output
    message = result.output.strip().splitlines()
    assert len(message) == 1, result.output
    assert "--days" in message[0] or "dagen" in message[0]
    assert stored_tokens() == []


def test_create_token_for_an_unknown_user_exits_2_and_writes_nothing(app, runner):
    result = runner.invoke(args=["create-token", "niemand", "--days", "5"])
    assert result.exit_code == 2 and "niemand" in result.output
    assert stored_tokens() == []


def test_an_expired_token_is_unauthorized(app, client, runner, make_user, store):
    make_user("fien", "facilitator")
    token, _expiry, _lines = create_token(runner, "fien", "--days", "1")
    assert overlap_status(client, token) == (200, None)
    # A day later (the stored expiry moved back instead of the clock forward).
    db.session.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    db.session.commit()
    assert overlap_status(client, token) == (401, "unauthorized")


def test_revoke_tokens_stops_every_token_of_that_user_at_once(
    app, client, runner, make_user, store
):
    make_user("fien", "facilitator")
    make_user("olga", "organiser")
    fiens = [create_token(runner, "fien")[0] for _ in range(3)]
    olgas = create_token(runner, "olga")[0]
    assert {overlap_status(client, t) for t in [*fiens, olgas]} == {(200, None)}
    result = runner.invoke(args=["revoke-tokens", "fien"])
    assert result.exit_code == 0, result.output
    assert "3" in result.output
    assert {overlap_status(client, t) for t in fiens} == {(401, "unauthorized")}
    assert overlap_status(client, olgas) == (200, None)
    # Nothing of a revoked token is kept; a new one works again.
    assert [h for h, _ in stored_tokens()] == [hash_token(olgas)]
    fresh = create_token(runner, "fien")[0]
    assert overlap_status(client, fresh) == (200, None)
    # Revoking when there is nothing to revoke is fine, too.
    again = runner.invoke(args=["revoke-tokens", "olga"])
    assert again.exit_code == 0
    assert runner.invoke(args=["revoke-tokens", "olga"]).exit_code == 0


def test_revoke_tokens_of_an_unknown_user_exits_2_and_revokes_nothing(
    app, client, runner, make_user, store
):
    make_user("fien", "facilitator")
    token = create_token(runner, "fien")[0]
    result = runner.invoke(args=["revoke-tokens", "niemand"])
    assert result.exit_code == 2 and "niemand" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert overlap_status(client, token) == (200, None)


def test_tokens_made_before_expiry_existed_get_90_days_from_the_migration(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> None:
    """A database at the schema before expiry: its tokens get 90 days from the upgrade."""
    from flask_migrate import upgrade

    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database("popupstore_0005")
    app = create_app(
        {"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url}, instance_path=str(tmp_path)
    )
    staff_user = table(
        "staff_user",
        column("id"),
        column("username"),
        column("password_hash"),
        column("role"),
        column("created_at", UTCDateTime()),
    )
    api_token = table(
        "api_token", column("user_id"), column("token_hash"), column("created_at", UTCDateTime())
    )
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    with app.app_context():
        upgrade(revision="0005")
        db.session.execute(
            insert(staff_user).values(
                id=1, username="fien", password_hash="x", role="facilitator", created_at=long_ago
            )
        )
        db.session.execute(
            insert(api_token).values(user_id=1, token_hash=hash_token("oud"), created_at=long_ago)
        )
        db.session.commit()
        before = datetime.now(UTC)
        upgrade()
        after = datetime.now(UTC)
        db.session.remove()
        [expiry] = db.session.execute(select(ApiToken.expires_at)).scalars().all()
        versions = db.session.execute(select(User.session_version)).scalars().all()
        db.session.remove()
        db.engine.dispose()
    assert before + timedelta(days=90) - timedelta(seconds=1) <= expiry
    assert expiry <= after + timedelta(days=90)
    assert versions == [0]
