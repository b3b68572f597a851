"""Run every benchmark module and exit non-zero when any of them misses a target."""

from __future__ import annotations

import importlib
import sys

# Each module has `run() -> bool`: print its figures, write bench/results/, targets met?
MODULES = ("bench.matching",)


def main(argv: list[str]) -> int:
    wanted = argv or list(MODULES)
    unknown = [name for name in wanted if f"bench.{name}" not in MODULES and name not in MODULES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(MODULES)}")
        return 2
    met = True
    for name in wanted:
        module = importlib.import_module(name if name.startswith("bench.") else f"bench.{name}")
        met = module.run() and met
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
