"""`python -m bench.scenario`: the network day under load (see bench/scenario/__init__.py)."""

from . import main

main()
