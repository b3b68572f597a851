"""Real servers the tests start themselves: redis-server and nginx from Debian's packages.

A test that needs Redis takes the `redis_url` fixture (tests/conftest.py): one
`redis-server` for the whole test session, on 127.0.0.1 and a free port, keeping nothing
on disk, emptied before each test and stopped at the end. `NginxServer` runs nginx in the
foreground with a configuration of the test's own, listening on 127.0.0.1 only. Without
a binary the tests fail and say how to install it; they are never skipped.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
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


# --- nginx ----------------------------------------------------------------------------------

DEBIAN_NGINX = "/usr/sbin/nginx"
NGINX_TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


class NginxUnavailable(RuntimeError):
    pass


def _nginx_binary() -> str:
    configured = os.environ.get("POPUPSTORE_NGINX")
    found = configured or shutil.which("nginx") or DEBIAN_NGINX
    if not Path(found).is_file():
        raise NginxUnavailable(
            f"nginx not found at {found}: install Debian's package (apt-get install nginx) "
            "or set POPUPSTORE_NGINX to the binary"
        )
    return found


def _worker_account() -> str | None:
    """The account nginx's workers run as when the tests run as root (as in CI): Debian's
    www-data, else nobody. None when not root: the workers then stay who we are."""
    if os.geteuid() != 0:
        return None
    for name in ("www-data", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise NginxUnavailable("running as root, but there is no www-data or nobody account")


@dataclass
class NginxServer:
    """nginx in the foreground (no daemon) with `site` inside its `http` block; its pid
    file, logs and temporary files in a folder of its own."""

    root: Path
    ports: tuple[int, ...]
    process: subprocess.Popen[bytes]

    @classmethod
    def start(cls, site: str, ports: Sequence[int]) -> NginxServer:
        """`site`: server blocks listening on 127.0.0.1 at `ports`, which must answer."""
        root = Path(tempfile.mkdtemp(prefix="popupstore-nginx-"))
        account = _worker_account()
        # The workers reach their temporary folders through this one.
        root.chmod(0o755)
        temp_lines = []
        for name in NGINX_TEMP_PATHS:
            folder = root / f"{name}_temp"
            folder.mkdir()
            if account is not None:
                entry = pwd.getpwnam(account)
                os.chown(folder, entry.pw_uid, entry.pw_gid)
            temp_lines.append(f"    {name}_temp_path {folder};")
        user = f"user {account};" if account else ""
        temp_paths = "\n".join(temp_lines)
        (root / "nginx.conf").write_text(
            f"""daemon off;
{user}
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {root}/access.log;
    default_type application/octet-stream;
{temp_paths}
{site}
}}
""",
            encoding="utf-8",
        )
        binary = _nginx_binary()
        configuration = [
            "-p",
            str(root),
            "-c",
            str(root / "nginx.conf"),
            "-e",
            str(root / "error.log"),
        ]
        checked = subprocess.run(
            [binary, "-t", *configuration], capture_output=True, text=True, timeout=60
        )
        if checked.returncode != 0:
            shutil.rmtree(root, ignore_errors=True)
            raise NginxUnavailable(f"nginx refused the configuration:\n{checked.stderr}")
        process = subprocess.Popen(
            [binary, *configuration], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        server = cls(root=root, ports=tuple(ports), process=process)
        server._wait()
        return server

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        waiting = list(self.ports)
        while waiting:
            if self.process.poll() is not None:
                log = (self.root / "error.log").read_text()
                self.stop()
                raise NginxUnavailable(f"nginx exited at start:\n{log}")
            try:
                with socket.create_connection(("127.0.0.1", waiting[0]), timeout=1):
                    waiting.pop(0)
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise NginxUnavailable("nginx did not listen within 30 seconds") from None
                time.sleep(0.05)

    @property
    def access_log(self) -> str:
        path = self.root / "access.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        try:
            if self.process.poll() is None:
                self.process.terminate()  # SIGTERM: nginx's fast shutdown
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=20)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def self_signed_certificate(folder: Path, address: str = "127.0.0.1") -> tuple[Path, Path]:
    """A certificate for `address` (an IP address) and its key, as PEM files in `folder`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, address)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = folder / "certificate.pem", folder / "key.pem"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return certificate_path, key_path
