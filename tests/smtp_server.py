"""A real SMTP server for the tests (aiosmtpd), run as its own process by tests/mailserver.py.

    python tests/smtp_server.py --port P --spool DIR [--replies 421,451] [--delay S]
        [--die-after N] [--refuse ADDRESS=CODE ...] [--login USER:PASSWORD]

Every accepted message is written to DIR as <n>.eml (the bytes as received) with <n>.json
(envelope sender and recipients), renamed into place so a reader never sees half a file.
`--replies`: the answers to the first DATA commands before it accepts (a server that says
"try later" first); `--delay`: seconds to think before answering DATA (a slow server, so a
test can kill the client in the middle); `--die-after N`: after N accepted messages the
process dies at the next DATA, without a word (a server killed mid-batch); `--refuse`:
refuse a recipient with that code at RCPT; `--login`: demand AUTH with that user.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class RecordingHandler:
    def __init__(self, arguments: argparse.Namespace) -> None:
        self.spool = Path(arguments.spool)
        self.replies = [code for code in arguments.replies.split(",") if code]
        self.delay = float(arguments.delay)
        self.die_after = arguments.die_after
        self.refuse = dict(item.split("=", 1) for item in arguments.refuse)
        self.accepted = len(list(self.spool.glob("*.eml")))

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        code = self.refuse.get(address)
        if code is not None:
            return f"{code} 5.1.1 <{address}>: recipient refused by the test server"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            # Cancelled when the client hangs up meanwhile: nothing is recorded then.
            await asyncio.sleep(self.delay)
        if self.die_after is not None and self.accepted >= self.die_after:
            os._exit(3)
        if self.replies:
            code = self.replies.pop(0)
            return f"{code} 4.3.2 busy, try again later"
        self.accepted += 1
        name = f"{self.accepted:04d}"
        envelope_data = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos)}
        for suffix, data in (
            (".eml", envelope.original_content or envelope.content),
            (".json", json.dumps(envelope_data).encode("utf-8")),
        ):
            partial = self.spool / f".{name}{suffix}.part"
            partial.write_bytes(data)
            partial.rename(self.spool / f"{name}{suffix}")
        return "250 2.0.0 OK: queued"


def _authenticator(user: str, password: str) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        good = (
            isinstance(data, LoginPassword)
            and data.login.decode() == user
            and data.password.decode() == password
        )
        return AuthResult(success=good, handled=False)

    return check


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--spool", required=True)
    parser.add_argument("--replies", default="")
    parser.add_argument("--delay", default="0")
    parser.add_argument("--die-after", type=int, default=None)
    parser.add_argument("--refuse", action="append", default=[])
    parser.add_argument("--login", default=None)
    arguments = parser.parse_args()
    options: dict[str, Any] = {}
    if arguments.login:
        user, _, password = arguments.login.partition(":")
        options = {
            "authenticator": _authenticator(user, password),
            "auth_required": True,
            "auth_require_tls": False,
        }
    controller = Controller(
        RecordingHandler(arguments), hostname="127.0.0.1", port=arguments.port, **options
    )
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    while not stop.wait(0.2):
        pass
    controller.stop()


if __name__ == "__main__":
    main()
