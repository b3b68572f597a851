"""Shared parts of the benchmarks: a store to measure, servers, wrk, result files."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
WRK_REPORT = BENCH_DIR / "wrk_report.lua"
SECRET = "benchmark-secret-key"
EVENT = "bench"
ORGANISATIONS = (
    "Breda",
    "Tilburg",
    "Utrecht",
    "Zwolle",
    "Den Haag",
    "Rotterdam",
    "Amsterdam",
    "Assen",
    "Woonstad Rotterdam",
    "Eneco",
    "CZ",
    "Kredietbank Limburg",
    "UWV",
    "Humanitas",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Store:
    """A store in a temporary SQLite database, set up in this process."""

    folder: Path
    url: str

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "POPUPSTORE_DATABASE_URL": self.url,
            "POPUPSTORE_SECRET_KEY": SECRET,
        }

    def app(self) -> Any:
        from popupstore import create_app

        return create_app(
            {"SQLALCHEMY_DATABASE_URI": self.url, "SECRET_KEY": SECRET},
            instance_path=str(self.folder / "instance"),
        )


@contextmanager
def temporary_store(database_url: str | None = None) -> Iterator[Store]:
    """A store with the seed catalog and the active event EVENT, in a temporary SQLite file
    or in the (empty) database at `database_url`."""
    with tempfile.TemporaryDirectory(prefix="popupstore-bench-") as folder:
        path = Path(folder)
        store = Store(folder=path, url=database_url or f"sqlite:///{path / 'bench.db'}")
        app = store.app()
        with app.app_context():
            from popupstore.catalog.services import load_products
            from popupstore.db_setup import upgrade_schema
            from popupstore.events.services import create_event
            from popupstore.extensions import db

            upgrade_schema()
            load_products(ROOT / "seed_products.yaml")
            create_event(
                EVENT, name="Benchmark", city="Utrecht", date=date(2026, 11, 12), activate=True
            )
            db.session.commit()
        yield store


def checkout_body(rng: random.Random, slugs: Sequence[str], index: int) -> dict[str, Any]:
    chosen = rng.sample(list(slugs), rng.randint(2, 6))
    return {
        "items": [{"product": s, "intent": rng.choice(("want", "have"))} for s in chosen],
        "visitor": {
            "name": f"Bezoeker {index}",
            "organisation": rng.choice(ORGANISATIONS),
            "share_contact": rng.random() < 0.6,
        },
    }


def add_checkouts(store: Store, count: int, seed: int = 7, event_slug: str = EVENT) -> list[str]:
    """Check out `count` synthetic visitors through the service; returns their tokens.

    The event need not be active: these are the checkouts of a day that is over."""
    from popupstore.basket.checkout import place_checkout
    from popupstore.basket.payload import parse_checkout_payload
    from popupstore.catalog.services import active_products
    from popupstore.events.services import get_event
    from popupstore.extensions import db

    rng = random.Random(seed)
    tokens: list[str] = []
    app = store.app()
    with app.app_context():
        slugs = [p.slug for p in active_products()]
        for i in range(count):
            event = get_event(event_slug)
            placed = place_checkout(event, parse_checkout_payload(checkout_body(rng, slugs, i)))
            db.session.commit()
            tokens.append(placed.token)
    return tokens


STAFF_USER = "bench-facilitator"
STAFF_PASSWORD = "bench-facilitator-password"
STAFF_BROWSER = "popupstore-bench-browser"


def add_facilitator(store: Store) -> None:
    from popupstore.auth.services import create_user
    from popupstore.extensions import db

    app = store.app()
    with app.app_context():
        create_user(STAFF_USER, STAFF_PASSWORD, "facilitator")
        db.session.commit()


def staff_session(root: str) -> str:
    """Log the benchmark's facilitator in over HTTP; returns the session cookie header."""
    import http.cookiejar
    import re
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    # The staff screen polls from the browser it logged in with; Flask-Login's session
    # protection compares the user agent, so the load generator must send the same one.
    opener.addheaders = [("User-Agent", STAFF_BROWSER)]
    with opener.open(f"{root}/login") as page:
        html = page.read().decode("utf-8")
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the login page"
    form = urllib.parse.urlencode(
        {"csrf_token": match.group(1), "username": STAFF_USER, "password": STAFF_PASSWORD}
    ).encode()
    opener.open(f"{root}/login", data=form).read()
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    assert "popupstore_session" in cookies
    return f"Cookie: {cookies}"


def staff_headers(root: str) -> list[str]:
    """The headers of a logged-in staff screen's background poll."""
    return [staff_session(root), f"User-Agent: {STAFF_BROWSER}", "X-Requested-With: fetch"]


POPUPSTORE = Path(sys.executable).parent / "popupstore"


@contextmanager
def _process(command: list[str], env: dict[str, str], log: Path, probe: str) -> Iterator[str]:
    """Run `command` in its own process group until the block ends; yields its root URL
    once `probe` (a path) answers."""
    port = free_port()
    root = f"http://127.0.0.1:{port}"
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(root + probe, timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{command[0]} did not start; see {log}") from None
                time.sleep(0.2)
        yield root
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


@contextmanager
def bench_server(store: Store, *options: str) -> Iterator[str]:
    """`popupstore serve` exactly as an operator starts it (its defaults: 2 sync workers,
    the access log on standard output, here into a file), on a free port."""
    with _process(
        [str(POPUPSTORE), "serve", *options],
        store.env,
        store.folder / f"serve{''.join(options)}.log",
        "/api/v1/events/active",
    ) as root:
        yield root


@contextmanager
def reference_server(folder: Path, workers: int = 2) -> Iterator[str]:
    """The hello-world Flask app in a gunicorn of its own (`bench/served.py`)."""
    command = [sys.executable, "-m", "bench.served", "--workers", str(workers)]
    with _process(command, dict(os.environ), folder / "reference.log", "/") as root:
        yield root


def wrk(
    url: str,
    *,
    seconds: int,
    connections: int = 32,
    threads: int = 2,
    headers: Sequence[str] = (),
    script: Path = WRK_REPORT,
) -> dict[str, Any]:
    """Run wrk against `url` and return its figures (requests/s, errors, latencies)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(script)]
    for header in headers:
        command += ["-H", header]
    result = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    line = [row for row in result.stdout.splitlines() if row.startswith("{")][-1]
    figures: dict[str, Any] = json.loads(line)
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1_000_000)
    return figures


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


def write_results(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print("  ".join(value.ljust(widths[i]) for i, value in enumerate(row)))
        if index == 0:
            print("  ".join("-" * w for w in widths))
