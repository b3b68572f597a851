"""Settings from the environment (contract §3) and the production server's needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from popupstore import create_app
from popupstore.config import ConfigError


def test_environment_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("POPUPSTORE_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.setenv("POPUPSTORE_SECRET_KEY", "from-env")
    monkeypatch.setenv("POPUPSTORE_BASE_URL", "https://popup.example.nl/")
    monkeypatch.setenv("POPUPSTORE_KIOSK_IDLE_SECONDS", "15")
    app = create_app(instance_path=str(tmp_path / "instance"))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/x.db"
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["BASE_URL"] == "https://popup.example.nl"
    assert app.config["KIOSK_IDLE_SECONDS"] == 15


def test_defaults_keep_the_database_and_a_generated_secret_in_instance(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "SECRET_KEY", "BASE_URL", "KIOSK_IDLE_SECONDS"):
        monkeypatch.delenv(f"POPUPSTORE_{name}", raising=False)
    instance = tmp_path / "instance"
    first = create_app(instance_path=str(instance))
    assert first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance}/popupstore.db"
    assert first.config["KIOSK_IDLE_SECONDS"] == 60
    assert first.config["BASE_URL"] is None
    secret = (instance / "secret_key").read_text()
    assert len(secret) >= 32
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0
    second = create_app(instance_path=str(instance))
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"] == secret


def test_postgresql_urls_use_psycopg3(monkeypatch, tmp_path):
    monkeypatch.setenv("POPUPSTORE_DATABASE_URL", "postgresql://u:p@127.0.0.1/db")
    app = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@127.0.0.1/db"


@pytest.mark.parametrize("value", ["soon", "0", "-5"])
def test_bad_idle_seconds_is_a_clear_error(monkeypatch, tmp_path, value):
    monkeypatch.setenv("POPUPSTORE_KIOSK_IDLE_SECONDS", value)
    with pytest.raises(ConfigError, match="POPUPSTORE_KIOSK_IDLE_SECONDS"):
        create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))


def test_serve_requires_a_secret_key(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    script = Path(sys.executable).parent / "popupstore"
    result = subprocess.run(
        [str(script), "serve", "--port", "8123"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "POPUPSTORE_SECRET_KEY" in result.stderr
