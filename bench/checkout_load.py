"""Checkouts under load: 32 concurrent connections posting checkouts through the API.

The event already holds 2,000 checkouts. Reports throughput and latency percentiles, and
counts the checkouts afterwards: every answered request must be stored, none twice.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path
from typing import Any

from .common import (
    EVENT,
    ORGANISATIONS,
    add_checkouts,
    bench_server,
    print_table,
    summary,
    temporary_store,
    write_results,
    wrk,
)

EXISTING = 2_000
PRODUCTS = ("vroegsignalering", "geldfit", "schuldhulpmaatje", "gemeentepolis", "nazorg", "fikks")


def _script(folder: Path) -> Path:
    """The Lua checkout script with the product and organisation lists filled in."""
    here = Path(__file__).parent
    # wrk takes one script: the checkout requests, then the shared JSON report.
    lua = (here / "checkout.lua").read_text(encoding="utf-8") + (here / "wrk_report.lua").read_text(
        encoding="utf-8"
    )
    products = ", ".join(f'"{p}"' for p in PRODUCTS)
    organisations = ", ".join(f'"{o}"' for o in ORGANISATIONS)
    header = f"PRODUCTS = {{{products}}}\nORGANISATIONS = {{{organisations}}}\n"
    path = folder / "checkout.lua"
    path.write_text(header + lua, encoding="utf-8")
    return path


def _stored(store: Any) -> tuple[int, int]:
    from sqlalchemy import func, select

    from popupstore.basket.models import BasketLine, Checkout
    from popupstore.extensions import db

    app = store.app()
    with app.app_context():
        checkouts = db.session.execute(select(func.count(Checkout.id))).scalar_one()
        numbers = db.session.execute(
            select(func.count(func.distinct(Checkout.number)))
        ).scalar_one()
        lines = db.session.execute(select(func.count(BasketLine.id))).scalar_one()
        assert numbers == checkouts, "receipt numbers are not unique"
        return int(checkouts), int(lines)


def run(seconds: int = 10, repeats: int = 3) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    with temporary_store() as store, tempfile.TemporaryDirectory() as folder:
        add_checkouts(store, EXISTING)
        script = _script(Path(folder))
        before, lines_before = _stored(store)
        with bench_server(store) as root:
            for _ in range(repeats):
                figures = wrk(
                    f"{root}/api/v1/events/{EVENT}/checkouts", seconds=seconds, script=script
                )
                runs.append(figures)
        after, lines_after = _stored(store)
    answered = sum(r["requests"] - r["status_errors"] for r in runs)
    return {
        "existing_checkouts": EXISTING,
        "connections": 32,
        "seconds": seconds,
        "throughput": summary([r["rps"] for r in runs]),
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "p95_ms": statistics.median(r["p95_ms"] for r in runs),
        "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "answered_201": answered,
        "stored": after - before,
        "lines_stored": lines_after - lines_before,
        # wrk stops mid-flight: requests the server finished after wrk hung up are stored but
        # not counted as answered. Lost means answered with 201 and not stored.
        "lost": max(0, answered - (after - before)),
        "finished_after_wrk_stopped": max(0, (after - before) - answered),
        "meets_target": sum(r["errors"] for r in runs) == 0 and answered <= after - before,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    results = run(args.seconds, args.repeats)
    throughput = results["throughput"]
    print_table(
        f"Checkouts under load (event holds {EXISTING:,}, 32 connections)",
        ("checkouts/s median (min–max)", "p50 ms", "p95 ms", "p99 ms", "errors", "lost", ""),
        [
            (
                f"{throughput['median']:.0f} ({throughput['min']:.0f}–{throughput['max']:.0f})",
                f"{results['p50_ms']:.1f}",
                f"{results['p95_ms']:.1f}",
                f"{results['p99_ms']:.1f}",
                results["errors"],
                results["lost"],
                "ok" if results["meets_target"] else "MISSED",
            )
        ],
    )
    print(f"written: {write_results('checkout_load', results)}")
    return results


def benchmark() -> bool:
    return bool(main([])["meets_target"])


if __name__ == "__main__":
    main()
