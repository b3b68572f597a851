"""The installed `popupstore` command, run as a user would run it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(sys.executable).parent / "popupstore"
ROOT = Path(__file__).resolve().parents[1]


def run(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120, input=stdin
    )


@pytest.fixture
def console_env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "POPUPSTORE_DATABASE_URL": f"sqlite:///{tmp_path}/store.db",
        "POPUPSTORE_SECRET_KEY": "console-test-secret",
    }


@pytest.fixture
def migrated_console_env(console_env: dict[str, str], sqlite_template: Path) -> dict[str, str]:
    """`console_env` whose database `init-db` has already built (a copy of the migrated
    template: the same upgrade, without starting a process for it)."""
    shutil.copyfile(sqlite_template, console_env["POPUPSTORE_DATABASE_URL"][len("sqlite:///") :])
    return console_env


def test_commands_end_to_end(console_env):
    assert run("init-db", env=console_env).returncode == 0
    # init-db is idempotent.
    assert run("init-db", env=console_env).returncode == 0
    loaded = run("load-products", str(ROOT / "seed_products.yaml"), env=console_env)
    assert loaded.returncode == 0, loaded.stderr
    made = run(
        "create-event",
        "breda",
        "--name",
        "Breda",
        "--city",
        "Breda",
        "--date",
        "2026-06-01",
        "--activate",
        env=console_env,
    )
    assert made.returncode == 0, made.stderr
    user = run(
        "create-user",
        "olga",
        "--role",
        "organiser",
        env={**console_env, "POPUPSTORE_PASSWORD": "lang-genoeg-wachtwoord"},
    )
    assert user.returncode == 0, user.stderr
    token = run("create-token", "olga", env=console_env)
    assert token.returncode == 0
    assert len(token.stdout.strip().splitlines()[-1]) >= 32


@pytest.mark.parametrize(
    "args",
    [
        ("create-event", "breda", "--name", "B", "--city", "B", "--date", "morgen"),
        ("create-event", "breda", "--city", "B", "--date", "2026-01-01"),
        ("activate-event", "bestaat-niet"),
        ("create-token", "niemand"),
        ("create-user", "x", "--role", "baas"),
        ("load-products", "/does/not/exist.yaml"),
    ],
)
def test_bad_input_exits_2_with_one_line(migrated_console_env, args):
    result = run(*args, env=migrated_console_env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_runs_gunicorn_with_workers(migrated_console_env):
    console_env = migrated_console_env
    port = _free_port()
    server = subprocess.Popen(
        [str(SCRIPT), "serve", "--port", str(port), "--workers", "2"],
        env=console_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        body = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/v1/products", timeout=2
                ) as r:
                    body = r.read()
                    break
            except OSError:
                time.sleep(0.2)
        assert body is not None, "server did not answer"
        assert body.startswith(b'{"products":')
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "gunicorn" in output.lower()
    assert output.lower().count("booting worker") == 2
