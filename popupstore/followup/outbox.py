"""The outbox: which mails are due, and sending each of them exactly once.

A checkout with "mail mij mijn bon" gets two rows here (`queue_mails`): the receipt mail,
due at once, and the follow-up, due on the event's follow-up date. The rows are the source
of truth; nothing is sent from anywhere else. Two ways lead to `send_due_mail`:

* right after the checkout's commit, this process's `ImmediateSender` thread tries the
  new receipt mail once, so the checkout never waits for the mail server;
* `popupstore send-mail` (cron, every few minutes) and the organiser's button send
  everything due: receipt mails not sent yet, follow-ups whose date has come, and mails
  whose back-off has passed.

Exactly once, also when runs overlap or die: a run claims a mail with one conditional
UPDATE (pending -> sending) and commits before talking to the server, so of two runs at
once only one gets it; after the server's answer it records the outcome and commits
again. A run killed between the server's "250" and its own commit leaves that one mail
"sending"; after MAIL_CLAIM_SECONDS another run sends it again, with the same Message-ID
(mail systems that already have it drop the copy). That window is milliseconds wide;
every other mail of a killed run is either recorded as sent or still pending.

The server's answers: 2xx sent; 4xx (also 421) tried again later with back-off
(MAIL_RETRY_SECONDS, doubling, at most MAIL_RETRY_MAX_SECONDS) until MAIL_MAX_ATTEMPTS;
5xx failed for good. When the server cannot be reached or hangs up, the mail goes back to
pending untouched and the run stops: the rest waits for the next run.

This module commits per mail, by design: a mail handed to the server is a fact outside
the database, and it must be on record before the next one goes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import queue
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.message import EmailMessage
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask, current_app, has_app_context, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, and_, delete, event, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..basket.models import Checkout
from ..config import parse_mail_url
from ..db import utcnow
from ..events.models import Event
from ..extensions import db
from ..i18n import select_locale, today
from .compose import (
    build_message,
    follow_up_content,
    message_id,
    receipt_content,
)
from .links import evaluation_url, receipt_url, unsubscribe_url
from .models import (
    CANCELLED,
    ERROR_LIMIT,
    FAILED,
    FOLLOW_UP,
    PENDING,
    RECEIPT,
    SENDING,
    SENT,
    OutboxMail,
)
from .services import follow_up_dates, follow_up_plan
from .settings import MAIL_SERVER, mail_server, sender_address
from .smtp import MailRefused, ServerUnreachable, SmtpConnection

NEW_MAIL = "popupstore_new_mail"
SENDER = "popupstore_mail_sender"
NONCE_BYTES = 12


# --- the receipt token, sealed while its mail waits ---------------------------------------


def _seal_key() -> bytes:
    secret = str(current_app.secret_key or "").encode("utf-8")
    return hmac.new(secret, b"outbox-receipt-token", hashlib.sha256).digest()


def seal_token(checkout_id: int, token: str) -> bytes:
    """The receipt token encrypted (AES-GCM) for the mail that carries it; bound to the
    checkout, so a seal copied to another row opens nothing."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    bound = str(checkout_id).encode("ascii")
    return nonce + AESGCM(_seal_key()).encrypt(nonce, token.encode("utf-8"), bound)


def unseal_token(checkout_id: int, sealed: bytes) -> str | None:
    try:
        plain = AESGCM(_seal_key()).decrypt(
            sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], str(checkout_id).encode("ascii")
        )
    except (InvalidTag, ValueError):
        return None
    return plain.decode("utf-8")


# --- queueing at checkout -----------------------------------------------------------------


def mail_base_url() -> str:
    """The store's address for the links in a mail: POPUPSTORE_BASE_URL, else the host the
    visitor checked out on."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return str(configured)
    if has_request_context():
        return request.host_url.rstrip("/")
    raise RuntimeError("set POPUPSTORE_BASE_URL: a mail needs the store's address")


def queue_mails(checkout: Checkout, token: str) -> tuple[OutboxMail, OutboxMail]:
    """The receipt mail and the follow-up of a checkout whose visitor asked for them.

    Call within the checkout's transaction, after its flush. In the visitor's language of
    the moment. After the commit this process tries the receipt mail once (`ImmediateSender`).
    """
    common = {"checkout_id": checkout.id, "locale": select_locale(), "base_url": mail_base_url()}
    receipt = OutboxMail(kind=RECEIPT, token_sealed=seal_token(checkout.id, token), **common)
    follow_up = OutboxMail(kind=FOLLOW_UP, **common)
    db.session.add_all([receipt, follow_up])
    db.session.flush()
    db.session.info.setdefault(NEW_MAIL, []).append(receipt.id)
    return receipt, follow_up


# --- what is due ----------------------------------------------------------------------------


def _claimable(now: dt.datetime) -> Any:
    stale = now - dt.timedelta(seconds=float(current_app.config["MAIL_CLAIM_SECONDS"]))
    waiting = and_(
        OutboxMail.status == PENDING,
        or_(OutboxMail.not_before.is_(None), OutboxMail.not_before <= now),
    )
    abandoned = and_(OutboxMail.status == SENDING, OutboxMail.claimed_at < stale)
    return or_(waiting, abandoned)


def due_mail_ids(now: dt.datetime, only: Sequence[int] | None = None) -> list[int]:
    """Mails to send now, oldest first: receipt mails, and follow-ups whose event's
    follow-up date has come (in the store's time zone). Hidden checkouts' mails wait."""
    query = (
        select(OutboxMail.id, OutboxMail.kind, Checkout.event_id)
        .join(Checkout, Checkout.id == OutboxMail.checkout_id)
        .where(_claimable(now), Checkout.hidden_at.is_(None))
        .order_by(OutboxMail.id)
    )
    if only is not None:
        query = query.where(OutboxMail.id.in_(list(only)))
    rows = db.session.execute(query).all()
    follow_up_events = {event_id for _, kind, event_id in rows if kind == FOLLOW_UP}
    dates: dict[int, dt.date] = {}
    if follow_up_events:
        events = db.session.execute(select(Event).where(Event.id.in_(follow_up_events))).scalars()
        dates = follow_up_dates(events)
    day = today()
    return [
        mail_id for mail_id, kind, event_id in rows if kind == RECEIPT or dates[event_id] <= day
    ]


# --- sending --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FailedMail:
    """A mail that failed for good, as the command reports it (never with the address)."""

    event: str
    number: int
    kind: str
    error: str


@dataclass(slots=True)
class SendReport:
    """What one run did. `waiting`: due mails this run left for the next one."""

    mail_off: bool = False
    sent: int = 0
    retry_later: int = 0
    cancelled: int = 0
    failed: list[FailedMail] = field(default_factory=list)
    waiting: int = 0
    unreachable: str | None = None


def _rowcount(statement: Any) -> int:
    result: CursorResult[Any] = db.session.execute(statement)  # type: ignore[assignment]
    return int(result.rowcount or 0)


def claim(mail_id: int, now: dt.datetime) -> OutboxMail | None:
    """Take a due mail for this run, atomically and committed; None if another run has it
    or it is no longer due."""
    taken = _rowcount(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, _claimable(now))
        .values(status=SENDING, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken != 1:
        db.session.rollback()
        return None
    db.session.commit()
    return db.session.get(OutboxMail, mail_id, populate_existing=True)


def _back_off(attempts: int) -> dt.timedelta:
    config = current_app.config
    seconds = float(config["MAIL_RETRY_SECONDS"]) * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(seconds, float(config["MAIL_RETRY_MAX_SECONDS"])))


def _finish(
    mail: OutboxMail, status: str, error: str | None = None, *, moment: dt.datetime | None = None
) -> None:
    """Record how a claimed mail ended, and commit."""
    mail.status = status
    mail.claimed_at = None
    mail.last_attempt_at = moment or utcnow()
    mail.last_error = error[:ERROR_LIMIT] if error else None
    if status != PENDING:
        mail.token_sealed = None
    try:
        db.session.commit()
    except StaleDataError:
        # The visitor erased their data meanwhile: the mail went with the checkout.
        db.session.rollback()


def _refused(mail: OutboxMail, refusal: MailRefused) -> bool:
    """Record a refusal; True when the mail is given up (5xx, or too many tries)."""
    moment = utcnow()
    mail.attempts += 1
    limit = int(current_app.config["MAIL_MAX_ATTEMPTS"])
    if refusal.permanent or mail.attempts >= limit:
        _finish(mail, FAILED, refusal.describe(), moment=moment)
        return True
    mail.not_before = moment + _back_off(mail.attempts)
    _finish(mail, PENDING, refusal.describe(), moment=moment)
    return False


def _release(mail_id: int) -> None:
    """Give a claimed mail back as it was (after a fault of ours while preparing it)."""
    db.session.rollback()
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.status == SENDING)
        .values(status=PENDING, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


@dataclass(frozen=True, slots=True)
class PreparedMail:
    message: EmailMessage
    recipient: str


class Unsendable(Exception):
    """This mail can never go (e.g. an address no mail system accepts)."""


def _prepare(mail: OutboxMail) -> PreparedMail | None:
    """The message of a claimed mail; None when it is no longer wanted (purged, erased,
    unsubscribed). Raises Unsendable when it can never be sent."""
    checkout = mail.checkout
    address = checkout.email
    if address is None or checkout.token_hash is None or not checkout.follow_up:
        return None
    event = checkout.event
    sender = sender_address()
    leave = unsubscribe_url(mail.base_url, checkout.id)
    privacy = f"{mail.base_url}/privacy"
    name = checkout.visitor_name or ""
    if mail.kind == RECEIPT:
        token = unseal_token(checkout.id, mail.token_sealed or b"")
        if token is None:
            raise Unsendable(str(_l("De link naar de bon kan niet meer worden gemaakt.")))
        content = receipt_content(
            locale=mail.locale,
            name=name,
            event=event,
            receipt_url=receipt_url(mail.base_url, token),
            unsubscribe_url=leave,
            privacy_url=privacy,
            follow_up_on=follow_up_plan(event).send_on,
        )
    else:
        content = follow_up_content(
            locale=mail.locale,
            name=name,
            event=event,
            evaluation_url=evaluation_url(mail.base_url, checkout.id),
            unsubscribe_url=leave,
            privacy_url=privacy,
            text=follow_up_plan(event).text,
        )
    try:
        message = build_message(
            content,
            sender=sender,
            recipient=address,
            locale=mail.locale,
            unsubscribe_url=leave,
            identifier=message_id(mail.id, sender),
        )
    except (ValueError, HeaderParseError):
        raise Unsendable(str(_l("Dit e-mailadres kan niet worden gebruikt."))) from None
    return PreparedMail(message, address)


def send_due_mail(*, limit: int | None = None, only: Sequence[int] | None = None) -> SendReport:
    """Send every mail that is due (at most `limit`; only those of `only` if given).

    Commits per mail (see the module's docstring). With mail off it sends nothing and
    says so (`mail_off`).
    """
    server = mail_server()
    report = SendReport()
    if server is None:
        report.mail_off = True
        return report
    now = utcnow()
    due = due_mail_ids(now, only)
    db.session.rollback()
    sender = sender_address()
    timeout = float(current_app.config["MAIL_TIMEOUT_SECONDS"])
    with SmtpConnection(server, timeout=timeout) as connection:
        for position, mail_id in enumerate(due):
            if limit is not None and report.sent + report.retry_later + len(report.failed) >= limit:
                report.waiting = len(due) - position
                break
            mail = claim(mail_id, now)
            if mail is None:
                continue
            label = (mail.checkout.event.slug, mail.checkout.number, mail.kind)
            try:
                prepared = _prepare(mail)
            except Unsendable as problem:
                _finish(mail, FAILED, str(problem))
                report.failed.append(FailedMail(*label, str(problem)))
                continue
            except Exception:
                # A fault of ours: give the mail back rather than leave it claimed.
                _release(mail_id)
                raise
            if prepared is None:
                _finish(mail, CANCELLED)
                report.cancelled += 1
                continue
            try:
                connection.send(prepared.message, sender, prepared.recipient)
            except MailRefused as refusal:
                if _refused(mail, refusal):
                    report.failed.append(FailedMail(*label, refusal.describe()))
                else:
                    report.retry_later += 1
            except ServerUnreachable as away:
                # Not this mail's fault: back to pending as it was, and stop.
                _finish(mail, PENDING, away.describe())
                report.unreachable = away.describe()
                report.waiting = len(due) - position
                break
            else:
                mail.sent_at = utcnow()
                mail.not_before = None
                _finish(mail, SENT, moment=mail.sent_at)
                report.sent += 1
    return report


# --- right after the checkout ---------------------------------------------------------------


class ImmediateSender:
    """Per process: one thread that tries each new receipt mail once, right after its
    checkout was committed, so the checkout's answer never waits for the mail server.

    What it does not manage stays pending for `popupstore send-mail`. The thread starts
    with the first mail (after a fork, in the process that sends) and lives as long as
    the process.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.queue: queue.Queue[list[int]] = queue.Queue()
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.unfinished = 0
        self.thread: threading.Thread | None = None

    def submit(self, mail_ids: Iterable[int]) -> None:
        ids = list(mail_ids)
        if not ids or self.app.extensions.get(MAIL_SERVER) is None:
            return
        with self.lock:
            self.unfinished += 1
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._run, name="popupstore-mail", daemon=True
                )
                self.thread.start()
        self.queue.put(ids)

    def _run(self) -> None:
        while True:
            ids = self.queue.get()
            try:
                with self.app.app_context():
                    try:
                        send_due_mail(only=ids)
                    except Exception:
                        db.session.rollback()
                        # The app's log filter keeps the frames and withholds the messages.
                        self.app.logger.exception("Trying new mails right after checkout failed")
                    finally:
                        db.session.remove()
            finally:
                with self.lock:
                    self.unfinished -= 1
                    self.idle.notify_all()

    def wait_until_idle(self, timeout: float) -> bool:
        """Wait until every submitted mail was tried; False when `timeout` ran out first."""
        with self.lock:
            return self.idle.wait_for(lambda: self.unfinished == 0, timeout=timeout)


def immediate_sender(app: Flask | None = None) -> ImmediateSender:
    found: ImmediateSender = (app or current_app).extensions[SENDER]
    return found


def _after_commit(session: Session) -> None:
    ids = session.info.pop(NEW_MAIL, None)
    if ids and has_app_context():
        immediate_sender().submit(ids)


def _after_rollback(session: Session) -> None:
    session.info.pop(NEW_MAIL, None)


# --- consent withdrawn, erasure, purge ------------------------------------------------------


def cancel_mails(checkout_ids: Any) -> int:
    """Cancel the mails of these checkouts that were not sent yet (ids or a subquery)."""
    return _rowcount(
        update(OutboxMail)
        .where(
            OutboxMail.checkout_id.in_(checkout_ids),
            OutboxMail.status.in_((PENDING, SENDING)),
        )
        .values(status=CANCELLED, token_sealed=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def unsubscribe(checkout_id: int) -> None:
    """The visitor wants no more mail: their consent goes and their pending mails too."""
    cancel_mails([checkout_id])
    # No derived copy shows `follow_up` (kept pages, indexes and polls leave it out), so
    # this bumps no version.
    db.session.execute(
        update(Checkout)
        .where(Checkout.id == checkout_id, Checkout.follow_up.is_(True))
        .values(follow_up=False)
        .execution_options(synchronize_session=False, bumps=())
    )
    db.session.flush()


def delete_mails(checkout_id: int) -> int:
    return _rowcount(
        delete(OutboxMail)
        .where(OutboxMail.checkout_id == checkout_id)
        .execution_options(synchronize_session=False)
    )


def purge_mails(checkout_ids: Any) -> int:
    """For a purge: cancel what was not sent, and drop every sealed receipt token."""
    cancelled = cancel_mails(checkout_ids)
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.checkout_id.in_(checkout_ids), OutboxMail.token_sealed.is_not(None))
        .values(token_sealed=None)
        .execution_options(synchronize_session=False)
    )
    return cancelled


# --- the organiser's overview ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MailProblem:
    """A mail that failed, or waits after a refusal, with the address it was for."""

    number: int
    email: str | None
    kind: str
    status: str
    attempts: int
    error: str | None
    moment: dt.datetime | None
    not_before: dt.datetime | None


@dataclass(frozen=True, slots=True)
class MailOverview:
    counts: dict[tuple[str, str], int]
    problems: list[MailProblem]

    def count(self, kind: str, *statuses: str) -> int:
        return sum(self.counts.get((kind, status), 0) for status in statuses)

    @property
    def follow_ups_to_come(self) -> int:
        """Visitors who will get the follow-up: not sent, not given up, not cancelled."""
        return self.count(FOLLOW_UP, PENDING, SENDING)


def mail_overview(event: Event) -> MailOverview:
    """Mails of an event by kind and status (hidden checkouts' mails left out), and the
    ones the organiser should look at."""
    of_event = and_(Checkout.event_id == event.id, Checkout.hidden_at.is_(None))
    counts = {
        (kind, status): int(count)
        for kind, status, count in db.session.execute(
            select(OutboxMail.kind, OutboxMail.status, func.count(OutboxMail.id))
            .join(Checkout, Checkout.id == OutboxMail.checkout_id)
            .where(of_event)
            .group_by(OutboxMail.kind, OutboxMail.status)
        )
    }
    rows = db.session.execute(
        select(OutboxMail, Checkout.number, Checkout.email)
        .join(Checkout, Checkout.id == OutboxMail.checkout_id)
        .where(
            of_event,
            or_(
                OutboxMail.status == FAILED,
                and_(OutboxMail.status == PENDING, OutboxMail.last_error.is_not(None)),
            ),
        )
        .order_by(Checkout.number, OutboxMail.kind)
    ).all()
    problems = [
        MailProblem(
            number=number,
            email=email,
            kind=mail.kind,
            status=mail.status,
            attempts=mail.attempts,
            error=mail.last_error,
            moment=mail.last_attempt_at,
            not_before=mail.not_before,
        )
        for mail, number, email in rows
    ]
    return MailOverview(counts=counts, problems=problems)


def init_mail(app: Flask) -> None:
    """The mail server of this app (None: mail off), its sender thread, and the hooks that
    hand new receipt mails to that thread once their checkout is committed."""
    url = app.config.get("MAIL_URL")
    app.extensions[MAIL_SERVER] = parse_mail_url(url) if url else None
    app.extensions[SENDER] = ImmediateSender(app)
    # On the extension's session, shared by every app in the process (tests build many);
    # the listeners find their app through the app context.
    for name, listener in (("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
