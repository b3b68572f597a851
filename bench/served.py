"""The reference: the smallest Flask page there is, in a gunicorn of its own.

A route returning a short fixed string, served by gunicorn with the same number of sync
workers as `popupstore serve` and gunicorn's defaults otherwise (no access log). Its
requests per second are the ceiling for any Flask page on this machine, so every page
figure is reported as a ratio against it, measured in the same run.
"""

from __future__ import annotations

import argparse
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


def reference_app() -> Flask:
    app = Flask("reference")

    @app.get("/")
    def hello() -> str:
        return "ok"

    return app


class ReferenceServer(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return reference_app()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    ReferenceServer(
        {
            "bind": f"127.0.0.1:{args.port}",
            "workers": args.workers,
            "worker_class": "sync",
            "loglevel": "warning",
            "control_socket_disable": True,
        }
    ).run()


if __name__ == "__main__":
    main()
