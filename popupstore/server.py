"""The production server: gunicorn with N worker processes, each with its own app.

The access log is on by default (a bare server at a venue has nothing else that records
requests) and can be switched off with `popupstore serve --no-access-log` where a reverse
proxy logs already. When on, it must stay cheap: gunicorn's own log line copies every
request header, response header and WSGI variable into a dictionary, and redacting each
of them took longer than serving a kept page. `AccessLog` builds only the fields of the
log format, redacts only those that can carry a receipt token or an e-mail address, and
hands the finished record to a thread of the worker that writes it, so a slow terminal or
journal never holds up a request.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Mapping
from logging.handlers import QueueHandler, QueueListener, WatchedFileHandler
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from .redaction import escape_controls, redact, redact_encoded, redact_request_target

# Apache's "combined" format, gunicorn's default: address, time, request line, status,
# size, referrer, user agent.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'


class QueuedWriter(QueueHandler):
    """Hands log records to a thread of the current process, which writes them to `targets`.

    gunicorn's master builds the logger and forks the workers; a thread does not survive a
    fork, so each process starts its own writer at its first record, and writes what is
    still queued when it exits normally (a SIGKILL loses at most the lines not yet written).
    """

    def __init__(self, targets: list[logging.Handler]) -> None:
        super().__init__(queue.SimpleQueue())
        self.targets = targets
        self.listener: QueueListener | None = None
        self.owner: int | None = None
        self.start_lock = threading.Lock()

    def enqueue(self, record: logging.LogRecord) -> None:
        if self.owner != os.getpid():
            self.start_writing()
        self.queue.put_nowait(record)

    def start_writing(self) -> None:
        with self.start_lock:
            pid = os.getpid()
            if self.owner == pid:
                return
            # A fresh queue: what the parent had queued is the parent's to write.
            self.queue = queue.SimpleQueue()
            self.listener = QueueListener(self.queue, *self.targets, respect_handler_level=True)
            self.listener.start()
            self.owner = pid
            atexit.register(self.stop_writing)

    def stop_writing(self) -> None:
        """Write everything queued, then end the thread (in the process that started it)."""
        with self.start_lock:
            if self.listener is not None and self.owner == os.getpid():
                self.listener.stop()
                self.listener = None
                self.owner = None


class AccessLog(Logger):
    """gunicorn's logger with a cheap access log that never holds a receipt token or an
    e-mail address, and whose lines no request can break (control characters escaped).

    The access-log fields are gunicorn's one-letter ones (h l u t r s m U q H b B f a T D M
    L p); header and environment fields (`{name}i`, `{name}o`, `{name}e`) are not offered
    and log as "-". Log files are reopened by themselves when logrotate moves them.
    """

    writer: QueuedWriter | None = None
    stamp_second = -1
    stamp = ""

    def setup(self, cfg: Any) -> None:
        self.stop_access_writer()
        super().setup(cfg)
        targets = [_reopening(handler) for handler in self.access_log.handlers]
        for handler in list(self.access_log.handlers):
            self.access_log.removeHandler(handler)
        if targets:
            self.writer = QueuedWriter(targets)
            self.access_log.addHandler(self.writer)

    def stop_access_writer(self) -> None:
        if self.writer is not None:
            self.writer.stop_writing()
            self.access_log.removeHandler(self.writer)
            for target in self.writer.targets:
                target.close()
            self.writer = None

    def now(self) -> str:
        # The time in Apache's format; strftime once per second, not once per request.
        second = int(time.time())
        if second != self.stamp_second:
            self.stamp = time.strftime("[%d/%b/%Y:%H:%M:%S %z]", time.localtime(second))
            self.stamp_second = second
        return self.stamp

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        method = environ.get("REQUEST_METHOD", "-")
        protocol = environ.get("SERVER_PROTOCOL", "-")
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        target = redact_request_target(environ.get("RAW_URI", path), path, query)
        seconds, microseconds = request_time.seconds, request_time.microseconds
        return {
            "h": environ.get("REMOTE_ADDR", "-"),
            "l": "-",
            "u": "-",
            "t": self.now(),
            "r": escape_controls(f"{method} {target} {protocol}"),
            "s": status,
            "m": method,
            "U": escape_controls(redact(path)),
            "q": escape_controls(redact_encoded(query, form=True)),
            "H": protocol,
            "b": str(sent) if sent is not None else "-",
            "B": sent,
            "f": escape_controls(redact_encoded(environ.get("HTTP_REFERER", "-"))),
            "a": escape_controls(redact(environ.get("HTTP_USER_AGENT", "-"))),
            "T": seconds,
            "D": seconds * 1_000_000 + microseconds,
            "M": seconds * 1000 + microseconds // 1000,
            "L": f"{seconds}.{microseconds:06d}",
            "p": f"<{os.getpid()}>",
        }


def _reopening(handler: logging.Handler) -> logging.Handler:
    """A log file handler that reopens its file after logrotate moved it (no USR1 needed:
    the writer thread holds the handler, out of gunicorn's reach)."""
    if not isinstance(handler, logging.FileHandler):
        return handler
    reopening = WatchedFileHandler(handler.baseFilename, encoding=handler.encoding)
    reopening.setFormatter(handler.formatter)
    handler.close()
    return reopening


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


def server_options(host: str, port: int, workers: int, access_log: bool) -> dict[str, Any]:
    """gunicorn's settings for `popupstore serve` (the benchmarks start that command)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "timeout": 60,
        "graceful_timeout": 20,
        # None: no access log at all (gunicorn's own default).
        "accesslog": "-" if access_log else None,
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "logger_class": AccessLog,
        # gunicorn's control socket (in $HOME, for `gunicornc`) is not part of the store, and
        # two servers on one machine would take each other's.
        "control_socket_disable": True,
    }


def run_production_server(
    app_factory: AppFactory, host: str, port: int, workers: int, access_log: bool = True
) -> None:
    """Serve the apps `app_factory` builds (one per worker) with gunicorn until stopped."""
    PopupstoreServer(server_options(host, port, workers, access_log), app_factory).run()
