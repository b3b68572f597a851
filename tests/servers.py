"""Real servers the tests start themselves: redis-server from Debian's package.

A test that needs Redis takes the `redis_url` fixture (tests/conftest.py): one
`redis-server` for the whole test session, on 127.0.0.1 and a free port, keeping nothing
on disk, emptied before each test and stopped at the end. Without the binary the tests
fail and say how to install it; they are never skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from .postgres import _free_port as free_port

DEBIAN_REDIS_SERVER = "/usr/bin/redis-server"


class RedisUnavailable(RuntimeError):
    pass


def _redis_binary() -> str:
    configured = os.environ.get("POPUPSTORE_REDIS_SERVER")
    found = configured or shutil.which("redis-server") or DEBIAN_REDIS_SERVER
    if not Path(found).is_file():
        raise RedisUnavailable(
            f"redis-server not found at {found}: install Debian's package "
            "(apt-get install redis-server) or set POPUPSTORE_REDIS_SERVER to the binary"
        )
    return found


@dataclass
class RedisServer:
    """One redis-server process on 127.0.0.1, without persistence."""

    port: int
    root: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=10)

    @classmethod
    def start(cls) -> RedisServer:
        root = Path(tempfile.mkdtemp(prefix="popupstore-redis-"))
        port = free_port()
        command = [
            _redis_binary(),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(root),
            # Nothing on disk: no snapshots, no append-only file.
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
            "--logfile",
            str(root / "redis.log"),
        ]
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=root
        )
        server = cls(port=port, root=root, process=process)
        server._wait()
        return server

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        client = self.client()
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    log = self.root / "redis.log"
                    text = log.read_text() if log.exists() else ""
                    raise RedisUnavailable(f"redis-server exited at start:\n{text}")
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    time.sleep(0.05)
        finally:
            client.close()
        self.stop()
        raise RedisUnavailable("redis-server did not answer within 30 seconds")

    def flush(self) -> None:
        client = self.client()
        try:
            client.flushall()
        finally:
            client.close()

    def stop(self) -> None:
        try:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=20)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
