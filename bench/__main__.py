"""`make bench`: run every benchmark, print a summary of the targets, exit 1 if one is missed.

`python -m bench` runs them all; `python -m bench pages qr` runs only those.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable

from .common import print_table

# name -> function running that benchmark; each prints its own table and writes
# bench/results/<name>.json, and returns whether its targets were met.
BENCHMARKS: dict[str, Callable[[], bool]] = {
    "matching": lambda: importlib.import_module("bench.matching").run(),
    "export": lambda: importlib.import_module("bench.export").main([]) == 0,
    "pages": lambda: importlib.import_module("bench.pages").benchmark(),
    "checkout_load": lambda: importlib.import_module("bench.checkout_load").benchmark(),
    "qr": lambda: importlib.import_module("bench.qr").benchmark(),
    "scenario": lambda: importlib.import_module("bench.scenario").benchmark(),
}


def main(argv: list[str]) -> int:
    wanted = argv or list(BENCHMARKS)
    unknown = [name for name in wanted if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    outcome: list[tuple[str, str, str]] = []
    for name in wanted:
        print(f"\n=== bench.{name}", flush=True)
        started = time.monotonic()
        met = BENCHMARKS[name]()
        outcome.append((name, f"{time.monotonic() - started:.0f} s", "ok" if met else "MISSED"))
    print_table("Summary (details above and in bench/results/)", ("benchmark", "took", ""), outcome)
    return 0 if all(row[2] == "ok" for row in outcome) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
