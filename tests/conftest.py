"""Test fixtures: the app on a real SQLite file and on a real PostgreSQL server.

Every test that uses `app` (or `client`, `runner`, the factories) runs once per
database in POPUPSTORE_TEST_DATABASES (default: both), on a database of its own: a copy of
a migrated SQLite file, or the session's migrated PostgreSQL database emptied before it.
Under pytest-xdist every worker has its own files and its own PostgreSQL server.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g, request_started
from flask.testing import FlaskClient, FlaskCliRunner

from popupstore import create_app
from popupstore.extensions import db

from .hypothesis_profiles import load_profile
from .postgres import PostgresServer
from .servers import RedisServer

DATA = Path(__file__).parent / "data"
TEST_PRODUCTS = DATA / "products.yaml"
DATABASES = [
    name.strip()
    for name in os.environ.get("POPUPSTORE_TEST_DATABASES", "sqlite,postgresql").split(",")
    if name.strip()
]
SECRET = "test-secret-key-not-for-production"
# `make_app(SETTING=STORE_DEFAULT)` leaves SETTING to the store's own default, as in production.
STORE_DEFAULT: Any = object()


def pytest_configure(config: pytest.Config) -> None:
    load_profile()


def _config(url: str, **extra: Any) -> dict[str, Any]:
    settings = {
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_LOGIN": "1000 per minute",
        "RATELIMIT_LOGIN_ADDRESS": "1000 per minute",
        "RATELIMIT_TOKEN_LOOKUP": "1000 per minute",
        # Tests see every change at once; tests/test_freshness.py covers the TTL itself.
        "FRESHNESS_SECONDS": 0,
        # The same scrypt at 1/32 of the store's cost: hundreds of staff users are made and
        # logged in. tests/security/test_login_security.py checks the store's own default.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        **extra,
    }
    return {name: value for name, value in settings.items() if value is not STORE_DEFAULT}


def _migrate(url: str, instance: Path) -> None:
    from popupstore.db_setup import upgrade_schema

    app = create_app(_config(url), instance_path=str(instance))
    with app.app_context():
        upgrade_schema()
        db.engine.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The session's migrated PostgreSQL database; `database_url` empties it for each test."""
    url = postgres_server.create_database("popupstore_test")
    _migrate(url, tmp_path_factory.mktemp("pg-instance"))
    return url


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """Debian's redis-server on a free local port for the whole session (see servers.py)."""
    server = RedisServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The URL of an empty Redis: whatever an earlier test left there is gone."""
    redis_server.flush()
    return redis_server.url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.db"
    _migrate(f"sqlite:///{path}", folder)
    return path


# Empty every table but alembic_version and restart every sequence: the database as a fresh
# migration leaves it. DELETE with foreign-key triggers off (session_replication_role) takes a
# fifth of the time of TRUNCATE … RESTART IDENTITY CASCADE on tables this small, and measured
# no slower than a CREATE DATABASE … TEMPLATE and DROP DATABASE per test. The tables are
# looked up each time, in the same round trip.
EMPTY_POSTGRES_DATABASE = """
DO $$
DECLARE
    name text;
BEGIN
    SET LOCAL session_replication_role = replica;
    FOR name IN SELECT tablename FROM pg_tables
                WHERE schemaname = 'public' AND tablename <> 'alembic_version' LOOP
        EXECUTE format('DELETE FROM %I', name);
    END LOOP;
    FOR name IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' LOOP
        EXECUTE format('ALTER SEQUENCE %I RESTART', name);
    END LOOP;
END
$$
"""


class PostgresEmptier:
    """Empties the test database before each test, on a connection kept for the session."""

    def __init__(self, url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        address = make_url(url)
        self.connection = psycopg.connect(
            host=address.host,
            port=address.port,
            user=address.username,
            dbname=address.database,
            autocommit=True,
        )

    def empty(self) -> None:
        self.connection.execute(EMPTY_POSTGRES_DATABASE)

    def close(self) -> None:
        self.connection.close()


@pytest.fixture(scope="session")
def postgres_emptier(postgres_url: str) -> Iterator[PostgresEmptier]:
    emptier = PostgresEmptier(postgres_url)
    yield emptier
    emptier.close()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "popupstore.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    emptier: PostgresEmptier = request.getfixturevalue("postgres_emptier")
    emptier.empty()
    return url


def _fresh_g(sender: Flask, **extra: Any) -> None:
    """Each request starts with an empty `g`, as it does in production.

    A test keeps an app context open around its requests (the `app` fixture), and Flask
    reuses that context for every request of the test instead of pushing a new one, so `g`
    would carry over from one request to the next, across test clients too: Flask-Login
    keeps the request's user there, and one client's anonymous request would make another
    client's next request anonymous (or the reverse).
    """
    for name in list(vars(g)):
        delattr(g, name)


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app on the test database with extra settings."""
    apps: list[Flask] = []

    def build(**extra: Any) -> Flask:
        app = create_app(_config(database_url, **extra), instance_path=str(tmp_path / "instance"))
        request_started.connect(_fresh_g, app)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    application = make_app()
    with application.app_context():
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


# --- factories ------------------------------------------------------------------------------


@pytest.fixture
def load_test_products(app: Flask) -> Callable[[], None]:
    from popupstore.catalog.services import load_products

    def load() -> None:
        load_products(TEST_PRODUCTS)
        db.session.commit()

    return load


@pytest.fixture
def make_event(app: Flask) -> Callable[..., Any]:
    from popupstore.events.services import create_event

    def make(
        slug: str = "breda-2026",
        *,
        name: str = "Samen Organiseren Breda",
        city: str = "Breda",
        day: date = date(2026, 11, 12),
        active: bool = True,
    ) -> Any:
        event = create_event(slug, name=name, city=city, date=day, activate=active)
        db.session.commit()
        return event

    return make


@pytest.fixture
def store(load_test_products: Callable[[], None], make_event: Callable[..., Any]) -> Any:
    """A store with the test catalog and one active event."""
    load_test_products()
    return make_event()


@pytest.fixture
def make_checkout(app: Flask, client: FlaskClient) -> Callable[..., dict[str, Any]]:
    """Check out through the public API; returns the 201 body."""

    def checkout(
        items: dict[str, str] | list[tuple[str, str]],
        *,
        name: str = "Anna",
        organisation: str = "Breda",
        share_contact: bool = True,
        event: str = "breda-2026",
        **visitor: Any,
    ) -> dict[str, Any]:
        pairs = items.items() if isinstance(items, dict) else items
        body = {
            "items": [{"product": p, "intent": i} for p, i in pairs],
            "visitor": {
                "name": name,
                "organisation": organisation,
                "share_contact": share_contact,
                **visitor,
            },
        }
        response = client.post(f"/api/v1/events/{event}/checkouts", json=body)
        assert response.status_code == 201, response.get_json()
        result: dict[str, Any] = response.get_json()
        return result

    return checkout


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    from popupstore.auth.services import create_user

    def make(
        username: str = "fien", role: str = "facilitator", password: str = "geheim-wachtwoord"
    ) -> Any:
        user = create_user(username, password, role)
        db.session.commit()
        return user

    return make


@pytest.fixture
def api_token(app: Flask, make_user: Callable[..., Any]) -> Callable[[str], str]:
    from popupstore.auth.services import create_token

    def token(role: str = "facilitator") -> str:
        user = make_user(f"api-{role}", role)
        value = create_token(user).token
        db.session.commit()
        return value

    return token


@pytest.fixture
def login(client: FlaskClient, make_user: Callable[..., Any]) -> Callable[[str], Any]:
    made: set[str] = set()

    def do_login(role: str = "facilitator") -> Any:
        # One account per role, made the first time: a test may log in with it again.
        if role not in made:
            make_user(f"staff-{role}", role, "geheim-wachtwoord")
            made.add(role)
        response = client.post(
            "/login", data={"username": f"staff-{role}", "password": "geheim-wachtwoord"}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do_login
