"""A network day under load: `popupstore serve` as shipped (2 workers) on PostgreSQL and on
SQLite, driven by Locust (headless) through a step ramp of simulated people
(`bench/scenario/locustfile.py` says who they are and what they do).

Five events: the national day, which takes every checkout (the store sells for one active
event at a time), and four earlier days of the series with 50 checkouts each, whose
visitors still open their receipts and whose staff screens are still up. Per step it
reports per endpoint the requests, failures and p50/p95/p99, and whether the store held
that many people: no failure and a p95 under 300 ms over every request but the
organiser's export downloads. Afterwards it counts the checkouts in the database: every
confirmed checkout stored once, none without a confirmation, numbers 1…N without a gap.

    python -m bench.scenario [--database postgresql|sqlite] [--steps 250,500,…]
                             [--step-seconds 40]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from ..common import (
    EVENT,
    ROOT,
    Store,
    add_checkouts,
    bench_server,
    print_table,
    temporary_store,
    write_results,
)

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
PAST_EVENTS = ("breda-2026", "zwolle-2026", "utrecht-2026", "groningen-2026")
PAST_CHECKOUTS = 50
STAFF_PASSWORD = "scenario-scherm-wachtwoord"
DEFAULT_STEPS = (250, 500, 1000, 1500, 2000, 2500)
P95_LIMIT_MS = 300.0
GOAL_PEOPLE = 2000


@contextmanager
def database(kind: str) -> Iterator[str | None]:
    """None for a temporary SQLite file; else the URL of a fresh PostgreSQL database on a
    server started for the run (Debian's binaries, durable settings as in production)."""
    if kind == "sqlite":
        yield None
        return
    sys.path.insert(0, str(ROOT))
    from tests.postgres import PostgresServer

    server = PostgresServer.start(durable=True)
    try:
        yield server.create_database("popupstore_scenario")
    finally:
        server.stop()


def _prepare(store: Store) -> dict[str, Any]:
    """The four earlier days with their checkouts, staff accounts and an organiser's token;
    the national day (EVENT) active and empty."""
    from popupstore.auth.services import create_token, create_user
    from popupstore.catalog.services import active_products, themes
    from popupstore.events.services import activate_event, create_event, get_event
    from popupstore.extensions import db

    app = store.app()
    with app.app_context():
        for number, slug in enumerate(PAST_EVENTS):
            create_event(
                slug,
                name=f"Samen Organiseren {slug.split('-')[0].title()}",
                city=slug.split("-")[0].title(),
                date=date(2026, 9, 1 + 7 * number),
                activate=True,
            )
            db.session.commit()
    past_tokens: list[str] = []
    for number, slug in enumerate(PAST_EVENTS):
        with app.app_context():
            activate_event(get_event(slug))
            db.session.commit()
        past_tokens += add_checkouts(store, PAST_CHECKOUTS, seed=number, event_slug=slug)
    with app.app_context():
        activate_event(get_event(EVENT))
        staff = []
        for number in range(3 * (len(PAST_EVENTS) + 1)):
            username = f"scherm-{number + 1}"
            create_user(username, STAFF_PASSWORD, "facilitator")
            staff.append((username, STAFF_PASSWORD))
        organiser = create_user("scenario-organisator", STAFF_PASSWORD, "organiser")
        token = create_token(organiser).token
        products = [product.slug for product in active_products()]
        shelves = [theme.slug for theme in themes()]
        db.session.commit()
    return {
        "active_event": EVENT,
        "events": [EVENT, *PAST_EVENTS],
        "past_tokens": past_tokens,
        "staff": staff,
        "organiser_token": token,
        "products": products,
        "themes": shelves,
    }


def _stored(store: Store) -> dict[str, Any]:
    """The national day's checkouts as the database has them."""
    from sqlalchemy import select

    from popupstore.basket.models import Checkout
    from popupstore.events.services import get_event
    from popupstore.extensions import db

    app = store.app()
    with app.app_context():
        event = get_event(EVENT)
        rows = db.session.execute(
            select(Checkout.number, Checkout.visitor_name).where(Checkout.event_id == event.id)
        ).all()
    return {"numbers": sorted(row[0] for row in rows), "names": [row[1] for row in rows]}


def run_one(kind: str, steps: list[int], step_seconds: int, settle_seconds: int) -> dict[str, Any]:
    with database(kind) as url, temporary_store(url) as store:
        config = _prepare(store)
        with bench_server(store) as root:
            results = store.folder / "scenario-results.json"
            # Each step adds its people within about five seconds.
            largest_rise = max(b - a for a, b in zip([0, *steps], steps, strict=False))
            config.update(
                steps=steps,
                step_seconds=step_seconds,
                settle_seconds=settle_seconds,
                spawn_rate=max(50, largest_rise / 5),
                results=str(results),
            )
            settings = store.folder / "scenario.json"
            settings.write_text(json.dumps(config), encoding="utf-8")
            log = store.folder / "locust.log"
            with open(log, "wb") as output:
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "locust",
                        "-f",
                        str(LOCUSTFILE),
                        "--headless",
                        "--host",
                        root,
                        "--only-summary",
                        "--loglevel",
                        "WARNING",
                        "--stop-timeout",
                        "15",
                        "--exit-code-on-error",
                        "0",
                    ],
                    env={**os.environ, "POPUPSTORE_SCENARIO": str(settings)},
                    cwd=ROOT,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    timeout=len(steps) * step_seconds + 300,
                    check=True,
                )
            measured = json.loads(results.read_text(encoding="utf-8"))
            locust_log = log.read_text(encoding="utf-8", errors="replace")
        stored = _stored(store)
    confirmed = measured["checked_out"]
    names = stored["names"]
    checkouts = {
        "attempted": measured["checkout_attempts"],
        "confirmed": len(confirmed),
        "stored": len(names),
        "confirmed_and_stored_once": sum(names.count(name) == 1 for name in confirmed),
        "stored_twice": len(names) - len(set(names)),
        "stored_without_confirmation": len(set(names) - set(confirmed)),
        "numbers_gap_free": stored["numbers"] == list(range(1, len(names) + 1)),
    }
    checkouts["none_lost_or_doubled"] = (
        checkouts["confirmed_and_stored_once"] == len(confirmed)
        and checkouts["stored_twice"] == 0
        and checkouts["numbers_gap_free"]
    )
    for step in measured["steps"]:
        served = step["all_but_export"]
        step["held"] = step["failures"] == 0 and served["p95_ms"] < P95_LIMIT_MS
    held = [step["users"] for step in measured["steps"] if step["held"]]
    return {
        "database": kind,
        "steps": measured["steps"],
        "largest_step_held": max(held) if held else 0,
        "checkouts": checkouts,
        "load_generator_saturated": "CPU usage above" in locust_log,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", action="append", choices=("postgresql", "sqlite"))
    parser.add_argument("--steps", default=",".join(map(str, DEFAULT_STEPS)))
    parser.add_argument("--step-seconds", type=int, default=40)
    parser.add_argument("--settle-seconds", type=int, default=10)
    args = parser.parse_args(argv)
    steps = [int(n) for n in args.steps.split(",")]
    runs = [
        run_one(kind, steps, args.step_seconds, args.settle_seconds)
        for kind in args.database or ("postgresql", "sqlite")
    ]
    results = {
        "server": "popupstore serve (defaults: 2 sync workers, access log on)",
        "p95_limit_ms": P95_LIMIT_MS,
        "goal_people": GOAL_PEOPLE,
        "step_seconds": args.step_seconds,
        "settle_seconds": args.settle_seconds,
        "runs": runs,
    }
    for run in runs:
        _print(run)
    print(f"written: {write_results('scenario', results)}")
    return results


def _print(run: dict[str, Any]) -> None:
    rows = [
        (
            step["users"],
            f"{step['all_but_export']['per_second']:.0f}",
            step["failures"],
            f"{step['all_but_export']['p50_ms']:.0f}",
            f"{step['all_but_export']['p95_ms']:.0f}",
            f"{step['all_but_export']['p99_ms']:.0f}",
            "held" if step["held"] else "—",
        )
        for step in run["steps"]
    ]
    print_table(
        f"Network day on {run['database']}: steps of people (p95 < {P95_LIMIT_MS:.0f} ms, "
        "no failure; the organiser's exports apart)",
        ("people", "req/s", "failures", "p50 ms", "p95 ms", "p99 ms", ""),
        rows,
    )
    shown = next(
        (s for s in reversed(run["steps"]) if s["users"] == run["largest_step_held"]),
        run["steps"][-1],
    )
    print_table(
        f"Per endpoint at {shown['users']} people ({run['database']})",
        ("endpoint", "requests", "failures", "p50 ms", "p95 ms", "p99 ms"),
        [
            (
                name,
                e["requests"],
                e["failures"],
                f"{e['p50_ms']:.0f}",
                f"{e['p95_ms']:.0f}",
                f"{e['p99_ms']:.0f}",
            )
            for name, e in shown["endpoints"].items()
        ],
    )
    c = run["checkouts"]
    print(
        f"checkouts: {c['confirmed']} confirmed of {c['attempted']} started, {c['stored']} "
        f"stored, {c['stored_twice']} twice, {c['stored_without_confirmation']} without a "
        f"confirmation, numbers gap-free: {c['numbers_gap_free']}; largest step held: "
        f"{run['largest_step_held']} people (goal {GOAL_PEOPLE})"
        + ("; the load generator ran out of CPU" if run["load_generator_saturated"] else "")
    )


def benchmark() -> bool:
    results = main([])
    return all(
        run["checkouts"]["none_lost_or_doubled"] and run["largest_step_held"] >= GOAL_PEOPLE
        for run in results["runs"]
    )
