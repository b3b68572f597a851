"""The store and a reference route, served by one gunicorn with the same workers.

The reference is the smallest Flask page there is: a route returning a short fixed string.
Its requests per second are the ceiling for any Flask page on this machine, so every page
figure is reported as a ratio against it, measured in the same run.
"""

from __future__ import annotations

import argparse
from typing import Any

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from popupstore.server import PopupstoreServer

REFERENCE_PREFIX = "/__reference"


def reference_app() -> Flask:
    app = Flask("reference")

    @app.get("/")
    def hello() -> str:
        return "ok"

    return app


FLOOR_PATH = "/__floor"


class BenchServer(PopupstoreServer):
    def load(self) -> Any:
        from popupstore import create_app
        from popupstore.security import public

        app = create_app()

        # The same "ok", but inside the store: every hook, session and header the store
        # adds to a request, and nothing else. The floor under any page of the store.
        @public
        def floor() -> str:
            return "ok"

        app.add_url_rule(FLOOR_PATH, "bench_floor", floor)
        return DispatcherMiddleware(app, {REFERENCE_PREFIX: reference_app()})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    BenchServer(
        {
            "bind": f"127.0.0.1:{args.port}",
            "workers": args.workers,
            "worker_class": "sync",
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
        }
    ).run()


if __name__ == "__main__":
    main()
