"""Handing mails to an SMTP server, with the standard library's `smtplib`.

Why not Flask-Mail or Flask-Mailman: the outbox needs, per mail, the server's own answer
(250, a 4xx "try later" or a 5xx "never") to decide between sent, back-off and failed, and
one connection kept open over a batch while every mail is claimed and recorded in its own
transaction. Both extensions wrap `smtplib` and hide exactly that (Flask-Mail collapses
errors, Flask-Mailman sends a list and answers with a count), so they would add a
dependency and a layer to peel off again. `smtplib` plus `email.message` is all it takes.
"""

from __future__ import annotations

import io
import smtplib
import ssl
from email import policy
from email.generator import BytesGenerator
from email.message import EmailMessage
from types import TracebackType

from ..config import MailServer
from ..redaction import redact

# smtplib closes the connection itself after a 421; any other refusal leaves it usable.
CLOSING_CODE = 421
# Headers are written out unfolded up to the limit of RFC 5322 (998): folding at 78 would
# turn a long List-Unsubscribe URL into an encoded word, which mail programs do not read
# as a link. The parts were encoded (quoted-printable, short lines) when they were set.
WIRE_POLICY = policy.SMTP.clone(max_line_length=998)
NEEDS_SMTPUTF8 = 553


class MailRefused(Exception):
    """The server answered a mail with an error code: 4xx for now, 5xx for good."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(code, text)
        self.code = code
        self.text = text

    @property
    def permanent(self) -> bool:
        return self.code >= 500

    @property
    def closes_connection(self) -> bool:
        return self.code == CLOSING_CODE

    def describe(self) -> str:
        """The server's answer for the organiser's screen, without any address in it."""
        return redact(f"{self.code} {self.text}")


class ServerUnreachable(Exception):
    """No conversation with the server: refused, timed out, TLS or login failed, or it
    hung up in the middle. Nothing can be said about the mail; it waits for the next run."""

    def describe(self) -> str:
        cause = self.__cause__ if self.__cause__ is not None else self
        text = str(cause) or type(cause).__name__
        return redact(text)


def wire_bytes(message: EmailMessage, *, utf8: bool = False) -> bytes:
    """The message as it goes over the wire (CRLF line ends)."""
    buffer = io.BytesIO()
    BytesGenerator(buffer, policy=WIRE_POLICY.clone(utf8=utf8)).flatten(message)
    return buffer.getvalue()


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        return reply.decode("utf-8", "replace")
    return str(reply)


class SmtpConnection:
    """One conversation with the mail server, used for a batch of mails.

    Opens lazily on the first `send`; after a 421 or a broken connection the next `send`
    opens a new one. STARTTLS is used whenever the server offers it (certificates are
    checked); `smtps` speaks TLS from the start.
    """

    def __init__(self, server: MailServer, *, timeout: float, local_hostname: str | None = None):
        self.server = server
        self.timeout = timeout
        self.local_hostname = local_hostname
        self.client: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpConnection:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _open(self) -> smtplib.SMTP:
        server = self.server
        context = ssl.create_default_context()
        try:
            client: smtplib.SMTP
            if server.implicit_tls:
                client = smtplib.SMTP_SSL(
                    server.host,
                    server.port,
                    local_hostname=self.local_hostname,
                    timeout=self.timeout,
                    context=context,
                )
            else:
                client = smtplib.SMTP(
                    server.host,
                    server.port,
                    local_hostname=self.local_hostname,
                    timeout=self.timeout,
                )
            try:
                client.ehlo()
                if not server.implicit_tls and client.has_extn("starttls"):
                    client.starttls(context=context)
                    client.ehlo()
                if server.username:
                    client.login(server.username, server.password or "")
            except BaseException:
                client.close()
                raise
        except (OSError, smtplib.SMTPException) as error:
            raise ServerUnreachable() from error
        return client

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        """Hand over one message; raises MailRefused or ServerUnreachable."""
        if self.client is None:
            self.client = self._open()
        international = not (sender.isascii() and recipient.isascii())
        options: list[str] = []
        if international:
            if not self.client.has_extn("smtputf8"):
                raise MailRefused(
                    NEEDS_SMTPUTF8, "the address needs SMTPUTF8, which this server lacks"
                )
            options = ["SMTPUTF8", "BODY=8BITMIME"]
        data = wire_bytes(message, utf8=international)
        try:
            self.client.sendmail(sender, [recipient], data, mail_options=options)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            self._forget_if_closed(code)
            raise MailRefused(code, _text(reply)) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            self._forget_if_closed(error.smtp_code)
            raise MailRefused(error.smtp_code, _text(error.smtp_error)) from None
        except smtplib.SMTPResponseException as error:
            self._forget_if_closed(error.smtp_code)
            raise MailRefused(error.smtp_code, _text(error.smtp_error)) from None
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise ServerUnreachable() from error

    def _forget_if_closed(self, code: int) -> None:
        if code == CLOSING_CODE:
            self.close()

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
