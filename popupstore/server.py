"""The production server: gunicorn with N worker processes, each with its own app."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from .redaction import redacted_atoms


class RedactingLogger(Logger):
    """gunicorn's access log without receipt tokens in the request line."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        return redacted_atoms(super().atoms(resp, req, environ, request_time))


AppFactory = Callable[[Mapping[str, Any]], Flask]


class PopupstoreServer(BaseApplication):
    def __init__(self, options: dict[str, Any], app_factory: AppFactory) -> None:
        self.options = options
        self.app_factory = app_factory
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        from .auth.services import prepare_password_checks

        # Each worker builds its own app (and database pool) after the fork.
        app = self.app_factory({"SECRET_KEY_REQUIRED": True})
        prepare_password_checks()
        return app


def run_production_server(app_factory: AppFactory, host: str, port: int, workers: int) -> None:
    """Serve the apps `app_factory` builds (one per worker) with gunicorn until stopped."""
    PopupstoreServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "sync",
            "timeout": 60,
            "graceful_timeout": 20,
            "accesslog": "-",
            "errorlog": "-",
            "logger_class": RedactingLogger,
        },
        app_factory,
    ).run()
