"""Checkout time as an event grows, and the time to seat 500 people.

Fills events of N = 200, 2,000 and 20,000 synthetic checkouts over the seed catalog (bulk
inserts into a temporary SQLite database), then times 200 checkouts at each N through the
real service path: in a request context, `get_event`, `place_checkout` (with an idempotency
key, as the kiosk sends) and the commit. The three events take turns, one checkout each, so a
busy moment on the machine hits every N alike. The first checkout of each event loads its
index into the process; it is reported apart, as "first".

Targets: p95 at N = 20,000 at most 3 x p95 at N = 200; seating 500 checkouts under 2 s.
Writes bench/results/matching.json.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from flask import Flask
from sqlalchemy import insert, select, update

from popupstore import create_app, versions
from popupstore.basket.checkout import place_checkout
from popupstore.basket.index import event_index, forget_event_indexes
from popupstore.basket.models import BasketLine, Checkout
from popupstore.basket.payload import CheckoutRequest, VisitorDetails
from popupstore.catalog.models import Product
from popupstore.catalog.services import load_products
from popupstore.db_setup import upgrade_schema
from popupstore.events.models import Event
from popupstore.events.services import activate_event, create_event, get_event
from popupstore.extensions import db
from popupstore.facilitator.services import make_table_plan
from popupstore.matching import conversation_pairs, seat_tables
from popupstore.organisations import municipalities, normalise_organisation

SIZES = (200, 2_000, 20_000)
SAMPLES = 200
TABLES_SIZE = 500
TARGET_RATIO = 3.0
TABLES_TARGET_SECONDS = 2.0
SEED = 20_261_112
ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results" / "matching.json"
OTHER_ORGANISATIONS = (
    "Kredietbank Nederland",
    "Woonstad Rotterdam",
    "Vitens",
    "CZ",
    "CJIB",
    "UWV",
    "Humanitas",
    "Schuldhulpmaatje",
    "Bewindvoering Noord",
    "Nibud",
)


class Catalog:
    """What the synthetic visitors choose from: the seed catalog, some products more popular."""

    def __init__(self, slugs: list[str], ids: dict[str, int]) -> None:
        self.slugs = slugs
        self.ids = ids
        # Zipf-like popularity: the first products are chosen far more often than the last.
        weights = np.array([1.0 / (rank + 1) ** 0.8 for rank in range(len(slugs))])
        self.weights = weights / weights.sum()
        towns = [m.name for m in municipalities()]
        self.organisations = towns[:120] + list(OTHER_ORGANISATIONS)

    def basket(self, rng: np.random.Generator) -> dict[str, str]:
        size = int(rng.integers(1, 7))
        chosen = rng.choice(len(self.slugs), size=size, replace=False, p=self.weights)
        return {self.slugs[int(i)]: ("have" if rng.random() < 0.35 else "want") for i in chosen}

    def organisation(self, rng: np.random.Generator) -> str:
        return self.organisations[int(rng.integers(len(self.organisations)))]


def build_app(folder: Path) -> Flask:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}", "SECRET_KEY": "bench"},
        instance_path=str(folder / "instance"),
    )
    with app.app_context():
        upgrade_schema()
        load_products(ROOT / "seed_products.yaml")
        db.session.commit()
    return app


def load_catalog() -> Catalog:
    rows = db.session.execute(
        select(Product.slug, Product.id).where(Product.active.is_(True)).order_by(Product.id)
    ).all()
    return Catalog([slug for slug, _ in rows], {slug: id_ for slug, id_ in rows})


def fill_event(slug: str, size: int, catalog: Catalog, rng: np.random.Generator) -> float:
    """Create an active-able event with `size` checkouts in bulk; returns seconds taken."""
    started = time.perf_counter()
    event = create_event(slug, name=f"Bench {size}", city="Utrecht", date=date(2026, 11, 12))
    normalised = {name: normalise_organisation(name) for name in catalog.organisations}
    first_id = (db.session.execute(select(db.func.max(Checkout.id))).scalar() or 0) + 1
    checkouts: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    for offset in range(size):
        name = catalog.organisation(rng)
        organisation = normalised[name]
        checkout_id = first_id + offset
        checkouts.append(
            {
                "id": checkout_id,
                "event_id": event.id,
                "number": offset + 1,
                "token_hash": hashlib.sha256(f"{slug}-{offset}".encode()).hexdigest(),
                "visitor_name": f"Bezoeker {offset + 1}",
                "organisation": name,
                "organisation_key": organisation.key,
                "organisation_name": organisation.name,
                "organisation_type": organisation.organisation_type,
                "province": organisation.province,
                "share_contact": bool(rng.random() < 0.7),
                "matches_shown": 0,
            }
        )
        for product, intent in catalog.basket(rng).items():
            lines.append(
                {"checkout_id": checkout_id, "product_id": catalog.ids[product], "intent": intent}
            )
    db.session.execute(insert(Checkout), checkouts)
    db.session.execute(insert(BasketLine), lines)
    db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(last_number=size)
        .execution_options(bumps=versions.event_names(event.id))
    )
    db.session.commit()
    return time.perf_counter() - started


def one_checkout(app: Flask, slug: str, catalog: Catalog, rng: np.random.Generator) -> float:
    """Seconds for one checkout as the API does it, commit included."""
    request = CheckoutRequest(
        items=tuple(catalog.basket(rng).items()),
        visitor=VisitorDetails(
            name="Bench",
            organisation=catalog.organisation(rng),
            share_contact=bool(rng.random() < 0.7),
        ),
    )
    key = f"bench-{rng.integers(1 << 62)}"
    # One event is active at a time: switch to this one first, outside the clock.
    with app.app_context():
        activate_event(get_event(slug))
        db.session.commit()
    with app.test_request_context(f"/api/v1/events/{slug}/checkouts", method="POST"):
        started = time.perf_counter()
        event = get_event(slug)
        place_checkout(event, request, idempotency_key=key)
        db.session.commit()
        return time.perf_counter() - started


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def measure() -> dict[str, Any]:
    rng = np.random.default_rng(SEED)
    with tempfile.TemporaryDirectory(prefix="popupstore-bench-") as folder:
        app = build_app(Path(folder))
        with app.app_context():
            catalog = load_catalog()
            fill = {size: fill_event(f"bench-{size}", size, catalog, rng) for size in SIZES}
            fill[TABLES_SIZE] = fill_event("bench-tables", TABLES_SIZE, catalog, rng)
        first = {size: one_checkout(app, f"bench-{size}", catalog, rng) for size in SIZES}
        samples: dict[int, list[float]] = {size: [] for size in SIZES}
        for _ in range(SAMPLES):
            for size in SIZES:
                samples[size].append(one_checkout(app, f"bench-{size}", catalog, rng))

        with app.test_request_context("/facilitator/evenement/bench-tables/tafels", method="POST"):
            event = get_event("bench-tables")
            baskets = event_index(event).baskets()
            engine_seconds, _ = timed(lambda: seat_tables(baskets))
            pairs_seconds, _ = timed(lambda: conversation_pairs(baskets))
            forget_event_indexes()

            def press_button() -> None:
                make_table_plan(get_event("bench-tables"))
                db.session.commit()

            # The button as the facilitator presses it, index load from the database included.
            tables_seconds, _ = timed(press_button)
        with app.app_context():
            db.engine.dispose()

    checkout = [
        {
            "n": size,
            "median_ms": round(float(np.median(samples[size])) * 1000, 2),
            "p95_ms": round(float(np.percentile(samples[size], 95)) * 1000, 2),
            "first_ms": round(first[size] * 1000, 1),
            "fill_seconds": round(fill[size], 1),
        }
        for size in SIZES
    ]
    ratio = checkout[-1]["p95_ms"] / checkout[0]["p95_ms"]
    return {
        "benchmark": "matching",
        "database": "sqlite (temporary file)",
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {platform.system()}",
        "samples": SAMPLES,
        "checkout": checkout,
        "checkout_p95_ratio": round(ratio, 2),
        "checkout_p95_ratio_target": TARGET_RATIO,
        "checkout_target_met": ratio <= TARGET_RATIO,
        "tables": {
            "checkouts": TABLES_SIZE,
            "button_seconds": round(tables_seconds, 3),
            "seat_tables_seconds": round(engine_seconds, 3),
            "pairs_seconds": round(pairs_seconds, 3),
            "target_seconds": TABLES_TARGET_SECONDS,
        },
        "tables_target_met": tables_seconds < TABLES_TARGET_SECONDS,
    }


def report(result: dict[str, Any]) -> str:
    rows = [("measure", "figure", "target", "")]
    for entry in result["checkout"]:
        rows.append((f"checkout median, N = {entry['n']:,}", f"{entry['median_ms']} ms", "", ""))
        rows.append((f"checkout p95, N = {entry['n']:,}", f"{entry['p95_ms']} ms", "", ""))
        rows.append(
            (f"first checkout (loads index), N = {entry['n']:,}", f"{entry['first_ms']} ms", "", "")
        )
    rows.append(
        (
            "p95 at 20,000 / p95 at 200",
            f"{result['checkout_p95_ratio']} x",
            f"<= {TARGET_RATIO} x",
            "ok" if result["checkout_target_met"] else "MISSED",
        )
    )
    tables = result["tables"]
    rows.append(
        (
            f"tables for {tables['checkouts']} (button, stored)",
            f"{tables['button_seconds']} s",
            f"< {TABLES_TARGET_SECONDS} s",
            "ok" if result["tables_target_met"] else "MISSED",
        )
    )
    rows.append(
        (f"seat_tables alone, {tables['checkouts']}", f"{tables['seat_tables_seconds']} s", "", "")
    )
    rows.append((f"1:1 pairs, {tables['checkouts']}", f"{tables['pairs_seconds']} s", "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run() -> bool:
    print(f"bench.matching: filling events of {', '.join(f'{n:,}' for n in SIZES)} checkouts …")
    result = measure()
    print(report(result))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return bool(result["checkout_target_met"] and result["tables_target_met"])


if __name__ == "__main__":
    sys.exit(0 if run() else 1)
