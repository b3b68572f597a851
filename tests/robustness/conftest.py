"""Running `popupstore serve` as a real process group, and small HTTP helpers."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
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


# --- a browser's view of one or more servers ------------------------------------------------

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Page:
    status: int
    body: bytes
    headers: Message

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def csrf_token(self) -> str:
        found = CSRF_FIELD.search(self.text)
        assert found, f"no CSRF token on this page ({self.status}):\n{self.text[:2000]}"
        return found.group(1)

    def form(self, action: str) -> dict[str, str]:
        """The fields of the form posting to `action` (a path; "" for a form without an
        action, which posts to the page itself), as the page filled them in."""
        reader = _FormReader(action)
        reader.feed(self.text)
        assert reader.found, f"no form to {action} on this page"
        return reader.fields


class _FormReader(HTMLParser):
    """The values of one form's inputs and text areas (checked boxes only)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.found = False
        self.fields: dict[str, str] = {}
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        target = values.get("action", "")
        if (
            tag == "form"
            and not self.found
            and (target == self.action or (self.action and target.endswith(self.action)))
        ):
            self.inside = self.found = True
        elif self.inside and tag == "input" and "name" in values:
            kind = values.get("type", "text")
            if kind not in ("checkbox", "radio", "submit") or "checked" in values:
                self.fields[values["name"]] = values.get("value", "y" if kind == "checkbox" else "")
        elif self.inside and tag == "textarea":
            self.textarea = values.get("name")
            self.fields[self.textarea or ""] = ""

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea is not None:
            # Browsers drop the line break that follows <textarea>.
            value = self.fields[self.textarea]
            self.fields[self.textarea] = value.removeprefix("\r\n").removeprefix("\n")
            self.textarea = None
        elif tag == "form":
            self.inside = False


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """One browser: it keeps its cookies (for 127.0.0.1 they go to every port, as they go to
    every server behind one proxy), posts forms with the CSRF token of the page they are
    on, and shows redirects instead of following them."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.cookies = http.cookiejar.CookieJar()
        handlers: list[urllib.request.BaseHandler] = [
            urllib.request.HTTPCookieProcessor(self.cookies),
            _KeepRedirects(),
        ]
        if ssl_context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=ssl_context))
        self.opener = urllib.request.build_opener(*handlers)
        self.opener.addheaders = [("User-Agent", "popupstore-tests-browser")]

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> Page:
        return self._open(urllib.request.Request(url, headers=dict(headers or {})))

    def post(self, url: str, fields: Mapping[str, str]) -> Page:
        data = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(url, data=data, method="POST"))

    def submit(self, page_url: str, action_url: str, fields: Mapping[str, str]) -> Page:
        """Open `page_url` and post its form to `action_url` with `fields`."""
        token = self.get(page_url).csrf_token()
        return self.post(action_url, {**fields, "csrf_token": token})

    def log_in(self, server: str, username: str, password: str = "geheim-wachtwoord") -> None:
        answer = self.submit(
            f"{server}/login", f"{server}/login", {"username": username, "password": password}
        )
        assert answer.status == 302, answer.text

    def _open(self, call: urllib.request.Request) -> Page:
        try:
            with self.opener.open(call, timeout=30) as response:
                return Page(response.status, response.read(), response.headers)
        except urllib.error.HTTPError as error:
            with error:
                return Page(error.code, error.read(), error.headers)


def io_bytes(pid: int) -> int:
    """Bytes a process has read and written so far, sockets included."""
    fields = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    return int(fields["rchar"]) + int(fields["wchar"])


def eventually(check: Callable[[], Any], what: str, seconds: float = 20.0) -> Any:
    """Ask `check` until it answers something true; fail with `what` after `seconds`.

    Servers see each other's changes within FRESHNESS_SECONDS; on a loaded test machine a
    request can take longer than that, so the tests poll with a generous deadline."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.2)
