"""Running `popupstore serve` as a real process group, and small HTTP helpers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ..postgres import _free_port as free_port

# Staff sessions for the fuzzers.
from ..security.conftest import client_as, staff_cookie  # noqa: F401

SCRIPT = Path(sys.executable).parent / "popupstore"
PRODUCTS = [
    "vroegsignalering",
    "schuldhulpmaatje",
    "jongeren-perspectief-fonds",
    "geldfit",
    "collectief-schuldregelen",
    "werkgeversaanpak",
    "gemeentepolis",
]


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


def request(
    url: str,
    method: str = "GET",
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 20,
) -> Answer:
    """One HTTP request; the answer's JSON body when it has one. Connection errors raise."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    sent = {"Content-Type": "application/json", **(headers or {})} if data else headers or {}
    call = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(call, timeout=timeout) as response:
            raw = response.read()
            status, answer_headers = response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        raw = error.read()
        status, answer_headers = error.code, dict(error.headers)
        error.close()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode("utf-8", "replace")
    return Answer(status=status, body=parsed, headers=answer_headers)


class Server:
    """`popupstore serve` in its own process group (so one signal reaches the workers)."""

    def __init__(
        self,
        database_url: str,
        workers: int,
        log: Path,
        port: int | None = None,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = (),
    ):
        self.database_url = database_url
        self.workers = workers
        self.log = log
        self.port = port or free_port()
        self.env = dict(env or {})
        self.args = list(args)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.log.parent),
            "POPUPSTORE_DATABASE_URL": self.database_url,
            "POPUPSTORE_SECRET_KEY": "robustness-test-secret",
            **self.env,
        }
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(
                [
                    str(SCRIPT),
                    "serve",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                    *self.args,
                ],
                env=env,
                cwd=self.log.parent,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if request(f"{self.url}/api/v1/events/active", timeout=2).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the server did not answer:\n{self.log.read_text()}")

    def worker_pids(self) -> list[int]:
        """The process ids of the gunicorn workers (the master's children)."""
        assert self.process is not None
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def _signal(self, which: signal.Signals, wait: float) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, which)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=wait)

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: no clean-up happens anywhere."""
        self._signal(signal.SIGKILL, 30)

    def stop(self) -> None:
        self._signal(signal.SIGTERM, 30)
        if self.process is not None and self.process.poll() is None:
            self.kill()
        # A killed master leaves its workers to die on their own; make sure they are gone.
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def serve(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start `popupstore serve` on the test database; every server is stopped afterwards."""
    servers: list[Server] = []

    def start(
        workers: int = 2,
        port: int | None = None,
        name: str = "server",
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = (),
    ) -> Server:
        """`env`: more environment variables for the server, e.g. POPUPSTORE_RATELIMIT_*;
        `args`: more options of `popupstore serve`, e.g. --no-access-log."""
        server = Server(
            database_url, workers, tmp_path / f"{name}.log", port=port, env=env, args=args
        )
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


def checkout_body(index: int) -> dict[str, Any]:
    """A distinct visitor with 1 to 4 products, so a half-stored basket would show."""
    count = 1 + index % 4
    items = [
        {"product": PRODUCTS[(index + k) % len(PRODUCTS)], "intent": ("want", "have")[k % 2]}
        for k in range(count)
    ]
    return {
        "items": items,
        "visitor": {
            "name": f"Bezoeker {index:03d}",
            "organisation": ("Breda", "Tilburg", "Woonstad Rotterdam", "Zwolle")[index % 4],
            "share_contact": index % 3 != 0,
        },
    }
