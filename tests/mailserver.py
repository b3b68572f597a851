"""An SMTP server process for the tests: aiosmtpd (tests/smtp_server.py) on 127.0.0.1.

Each test that needs one starts it with the behaviour it needs (see smtp_server.py), reads
what arrived with `messages()`, and may kill it (SIGKILL) or start it again on the same
port with the same spool. The fixture in tests/followup/conftest.py stops it afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import smtplib
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from .postgres import _free_port as free_port

SCRIPT = Path(__file__).with_name("smtp_server.py")


@dataclass(frozen=True)
class ReceivedMail:
    """A message as the server received it, parsed back, with its envelope."""

    message: EmailMessage
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def to(self) -> str:
        return self.rcpt_tos[0]

    def part(self, subtype: str) -> str:
        found = self.message.get_body(preferencelist=(subtype,))
        assert found is not None and found.get_content_subtype() == subtype, subtype
        content: str = found.get_content()  # type: ignore[attr-defined]
        # Over the wire every line ends in CRLF; the tests compare text as written.
        return content.replace("\r\n", "\n")


@dataclass
class SmtpServer:
    spool: Path
    port: int = field(default_factory=free_port)
    options: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self, *options: str) -> SmtpServer:
        """Start (again) with these options, e.g. "--replies", "421,451"."""
        self.spool.mkdir(parents=True, exist_ok=True)
        self.options = list(options)
        log = open(self.spool.parent / f"smtp-{self.port}.log", "ab")  # noqa: SIM115
        with log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    str(SCRIPT),
                    "--port",
                    str(self.port),
                    "--spool",
                    str(self.spool),
                    *self.options,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process is not None
            assert self.process.poll() is None, "the SMTP server exited at start"
            try:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=2) as probe:
                    probe.noop()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the SMTP server did not answer within 30 seconds")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: the server is gone at once, in the middle of whatever it did."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def wait_until_dead(self, timeout: float = 30) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def messages(self) -> list[ReceivedMail]:
        """Every message received so far, in the order they were accepted."""
        found = []
        for eml in sorted(self.spool.glob("*.eml")):
            envelope = json.loads(eml.with_suffix(".json").read_text())
            raw = eml.read_bytes()
            message = BytesParser(policy=policy.default).parsebytes(raw)
            assert isinstance(message, EmailMessage)
            found.append(ReceivedMail(message, envelope["mail_from"], envelope["rcpt_tos"], raw))
        return found

    def wait_for(self, count: int, timeout: float = 20) -> list[ReceivedMail]:
        """Wait until at least `count` messages arrived; all of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(list(self.spool.glob("*.json"))) >= count:
                return self.messages()
            time.sleep(0.05)
        raise AssertionError(f"{count} messages expected, {len(self.messages())} arrived")
