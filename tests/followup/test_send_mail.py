"""`popupstore send-mail`: every due mail exactly once, against a real SMTP server that
says "try later", refuses for good, dies in the middle, or is slow while the command dies."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from popupstore.db import utcnow
from popupstore.extensions import db
from popupstore.followup.models import (
    FAILED,
    FOLLOW_UP,
    PENDING,
    RECEIPT,
    SENDING,
    SENT,
    OutboxMail,
)
from popupstore.followup.outbox import send_due_mail

from ..conftest import SECRET
from ..mailserver import SmtpServer
from .conftest import by_recipient, days_ago, settle

SCRIPT = Path(sys.executable).parent / "popupstore"
FOLLOW_UP_SUBJECT = "Hoe ging het na Netwerkdag Utrecht?"


def mails(kind: str | None = None) -> list[OutboxMail]:
    db.session.expire_all()
    query = select(OutboxMail).order_by(OutboxMail.id)
    if kind is not None:
        query = query.where(OutboxMail.kind == kind)
    return list(db.session.execute(query).scalars())


def statuses(kind: str) -> list[str]:
    return [mail.status for mail in mails(kind)]


def test_without_mail_settings_the_command_says_mail_is_off_and_exits_0(make_app):
    app = make_app()
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "Mail staat uit (POPUPSTORE_MAIL_URL is niet ingesteld): niets verstuurd."
    )


def test_follow_ups_go_on_their_date_exactly_once(
    app, runner, mail_checkout, make_event, past_event, smtp_server
):
    mail_checkout("oud@breda.nl", name="Olga", event="utrecht-dag")
    make_event("zwolle-dag", name="Netwerkdag Zwolle", city="Zwolle", day=days_ago(3))
    mail_checkout("vers@zwolle.nl", name="Vera", organisation="Zwolle", event="zwolle-dag")
    settle(app)
    assert len(smtp_server.messages()) == 2  # the receipt mails, right after checkout

    first = runner.invoke(args=["send-mail"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "1 verstuurd, 0 mislukt, 0 later opnieuw, 0 wachtend."
    second = runner.invoke(args=["send-mail"])
    assert second.output.strip() == "0 verstuurd, 0 mislukt, 0 later opnieuw, 0 wachtend."

    received = by_recipient(smtp_server.messages())
    assert [m.message["Subject"] for m in received["oud@breda.nl"]] == [
        "Je bon van Netwerkdag Utrecht",
        FOLLOW_UP_SUBJECT,
    ]
    # Zwolle was three days ago: its follow-up comes on day 14.
    assert [m.message["Subject"] for m in received["vers@zwolle.nl"]] == [
        "Je bon van Netwerkdag Zwolle"
    ]
    assert statuses(FOLLOW_UP) == [SENT, PENDING]
    follow_up = received["oud@breda.nl"][1]
    assert "Hallo Olga," in follow_up.part("plain")
    assert "/evaluatie/" in follow_up.part("plain")
    assert follow_up.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_organisers_date_and_text_are_used(
    app, runner, mail_checkout, make_event, load_test_products, smtp_server, login, client
):
    load_test_products()
    make_event("utrecht-dag", name="Netwerkdag Utrecht", city="Utrecht", day=days_ago(3))
    mail_checkout("tekst@breda.nl", name="Tom")
    settle(app)
    assert runner.invoke(args=["send-mail"]).output.startswith("0 verstuurd")

    login("organiser")
    saved = client.post(
        "/organisator/evenementen/utrecht-dag/mail",
        data={
            "send_on": days_ago(0).isoformat(),
            "text": "Beste deelnemer,\r\n\r\nHoe staat het met  je plannen?\r\nLaat het weten.",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    result = runner.invoke(args=["send-mail"])
    assert result.output.startswith("1 verstuurd"), result.output
    follow_up = smtp_server.messages()[-1]
    text = follow_up.part("plain")
    assert "Beste deelnemer,\n\nHoe staat het met je plannen?\nLaat het weten." in text
    assert "We zijn benieuwd" not in text  # the default text is replaced
    assert "<p>Hoe staat het met je plannen?<br>Laat het weten.</p>" in follow_up.part("html")


def test_a_server_that_says_try_later_gets_the_mail_again_with_back_off(
    app, runner, mail_checkout, past_event, smtp_server
):
    app.config["MAIL_RETRY_SECONDS"] = 1
    smtp_server.stop()
    smtp_server.start("--replies", "421,451")
    mail_checkout("geduld@breda.nl", name="Gerda", follow_up=True)
    settle(app)  # right after checkout: 421
    [receipt] = mails(RECEIPT)
    assert (receipt.status, receipt.attempts) == (PENDING, 1)
    assert receipt.last_error.startswith("421 ")
    assert receipt.not_before - receipt.last_attempt_at == dt.timedelta(seconds=1)

    # Not yet: the receipt waits out its back-off; the follow-up (due) meets the 451.
    early = runner.invoke(args=["send-mail"])
    assert early.output.strip() == "0 verstuurd, 0 mislukt, 1 later opnieuw, 0 wachtend."
    [receipt] = mails(RECEIPT)
    assert receipt.attempts == 1
    [follow_up] = mails(FOLLOW_UP)
    assert (follow_up.attempts, follow_up.last_error[:4]) == (1, "451 ")

    time.sleep(1.2)
    result = runner.invoke(args=["send-mail"])
    assert result.output.strip() == "2 verstuurd, 0 mislukt, 0 later opnieuw, 0 wachtend."
    assert statuses(RECEIPT) == [SENT] and statuses(FOLLOW_UP) == [SENT]
    received = smtp_server.messages()
    assert len(received) == 2 and {m.to for m in received} == {"geduld@breda.nl"}


def test_the_back_off_doubles_and_a_mail_gives_up_after_the_last_attempt(
    app, runner, mail_checkout, past_event, smtp_server
):
    app.config.update(MAIL_RETRY_SECONDS=60, MAIL_MAX_ATTEMPTS=3)
    smtp_server.stop()
    smtp_server.start("--replies", "451,451,451,451")
    mail_checkout("nooit@breda.nl", follow_up=False)  # no mail at all
    mail_checkout("blijft@breda.nl")
    settle(app)
    waits = []
    for _ in range(2):
        [receipt] = mails(RECEIPT)
        waits.append(receipt.not_before - receipt.last_attempt_at)
        db.session.execute(update(OutboxMail).values(not_before=utcnow()))
        db.session.commit()
        runner.invoke(args=["send-mail"])
    assert waits == [dt.timedelta(seconds=60), dt.timedelta(seconds=120)]
    [receipt] = mails(RECEIPT)
    assert (receipt.status, receipt.attempts) == (FAILED, 3)
    assert receipt.token_sealed is None


def test_a_permanent_refusal_is_reported_per_address_and_not_tried_again(
    app, runner, mail_checkout, past_event, smtp_server, login, client
):
    smtp_server.stop()
    smtp_server.start("--refuse", "weg@nergens.nl=550")
    mail_checkout("goed@breda.nl", name="Gijs")
    mail_checkout("weg@nergens.nl", name="Wim", organisation="Tilburg")
    settle(app)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert lines[-1] == "1 verstuurd, 1 mislukt, 0 later opnieuw, 0 wachtend."
    assert lines[0].startswith("Mislukt: utrecht-dag bon 2 (follow_up): 550 ")
    # The command's output goes to cron's mail and logs: no address in it.
    assert "weg@nergens.nl" not in result.output and "[e-mail]" in result.output

    again = runner.invoke(args=["send-mail"])
    assert again.output.strip() == "0 verstuurd, 0 mislukt, 0 later opnieuw, 0 wachtend."
    assert {m.to for m in smtp_server.messages()} == {"goed@breda.nl"}

    login("organiser")
    page = client.get("/organisator/evenementen/utrecht-dag/mail").get_data(as_text=True)
    problems = page[page.index("Mislukt of opnieuw te proberen") :]
    assert "weg@nergens.nl" in problems and "goed@breda.nl" not in problems
    assert "550 5.1.1" in problems


def test_a_server_killed_mid_batch_loses_nothing_and_doubles_nothing(
    app, runner, mail_checkout, past_event, smtp_server
):
    addresses = [f"bezoeker{i}@breda.nl" for i in range(6)]
    for index, address in enumerate(addresses):
        mail_checkout(address, name=f"Bezoeker{index}")
    settle(app)
    assert len(smtp_server.wait_for(6)) == 6  # the receipts

    smtp_server.stop()
    smtp_server.start("--die-after", "8")  # two follow-ups, then gone at the third
    cut = runner.invoke(args=["send-mail"])
    assert smtp_server.wait_until_dead() == 3
    assert cut.exit_code == 1
    assert "2 verstuurd, 0 mislukt, 0 later opnieuw, 4 wachtend." in cut.output
    assert "Mailserver niet bereikbaar" in cut.output
    assert statuses(FOLLOW_UP).count(SENT) == 2
    assert SENDING not in statuses(FOLLOW_UP)

    smtp_server.start()
    rest = runner.invoke(args=["send-mail"])
    assert rest.output.strip() == "4 verstuurd, 0 mislukt, 0 later opnieuw, 0 wachtend."
    received = by_recipient(smtp_server.messages())
    assert sorted(received) == sorted(addresses)
    for address in addresses:
        subjects = [m.message["Subject"] for m in received[address]]
        assert subjects == ["Je bon van Netwerkdag Utrecht", FOLLOW_UP_SUBJECT], address


def _command_env(app, smtp_server: SmtpServer, home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "POPUPSTORE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "POPUPSTORE_SECRET_KEY": SECRET,
        "POPUPSTORE_MAIL_URL": smtp_server.url,
        "POPUPSTORE_MAIL_FROM": "winkel@popup.test",
        "POPUPSTORE_BASE_URL": "http://localhost",
    }


def test_a_run_killed_mid_batch_sends_the_rest_once_and_its_last_mail_after_the_claim(
    app, runner, mail_checkout, past_event, smtp_server, tmp_path
):
    addresses = [f"gast{i}@tilburg.nl" for i in range(5)]
    for index, address in enumerate(addresses):
        mail_checkout(address, name=f"Gast{index}", organisation="Tilburg")
    settle(app)
    assert len(smtp_server.wait_for(5)) == 5

    smtp_server.stop()
    smtp_server.start("--delay", "1.5")
    command = subprocess.Popen(
        [str(SCRIPT), "send-mail"],
        env=_command_env(app, smtp_server, tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        smtp_server.wait_for(7, timeout=60)  # two follow-ups arrived, the third is under way
    finally:
        os.kill(command.pid, signal.SIGKILL)
        command.wait(timeout=30)
        command.stdout.close()
    time.sleep(1.6)  # what the server was thinking about when the command died
    assert len(smtp_server.messages()) == 7
    assert statuses(FOLLOW_UP).count(SENDING) == 1

    smtp_server.stop()
    smtp_server.start()
    rest = runner.invoke(args=["send-mail"])
    assert rest.output.strip() == "2 verstuurd, 0 mislukt, 0 later opnieuw, 0 wachtend."
    # The mail the dead run had claimed waits until its claim runs out, then goes once.
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.status == SENDING)
        .values(claimed_at=utcnow() - dt.timedelta(seconds=app.config["MAIL_CLAIM_SECONDS"] + 1))
    )
    db.session.commit()
    last = runner.invoke(args=["send-mail"])
    assert last.output.strip() == "1 verstuurd, 0 mislukt, 0 later opnieuw, 0 wachtend."
    received = by_recipient(smtp_server.messages())
    for address in addresses:
        subjects = [m.message["Subject"] for m in received[address]]
        assert subjects == ["Je bon van Netwerkdag Utrecht", FOLLOW_UP_SUBJECT], address
    assert statuses(FOLLOW_UP) == [SENT] * 5


def test_two_runs_at_once_send_each_mail_once(app, mail_checkout, past_event, smtp_server):
    addresses = [f"dubbel{i}@breda.nl" for i in range(8)]
    for index, address in enumerate(addresses):
        mail_checkout(address, name=f"Dubbel{index}")
    settle(app)
    smtp_server.wait_for(8)
    smtp_server.stop()
    smtp_server.start("--delay", "0.1")
    reports = []
    start = threading.Barrier(2)

    def run() -> None:
        with app.app_context():
            start.wait()
            reports.append(send_due_mail())
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(report.sent for report in reports) == 8
    assert all(report.sent > 0 for report in reports), "the runs did not overlap"
    received = by_recipient(smtp_server.messages())
    assert all(len(received[address]) == 2 for address in addresses)


@pytest.mark.parametrize(("password", "sent"), [("geheim", True), ("fout", False)])
def test_the_mail_url_carries_a_user_and_password(
    make_app, load_test_products, make_event, tmp_path, password, sent
):
    server = SmtpServer(spool=tmp_path / "login-spool").start("--login", "winkel:geheim")
    try:
        app = make_app(MAIL_URL=f"smtp://winkel:{password}@127.0.0.1:{server.port}")
        with app.app_context():
            load_test_products()
            make_event("utrecht-dag", name="Netwerkdag Utrecht", city="Utrecht", day=days_ago(1))
            client = app.test_client()
            body = {
                "items": [{"product": "geldfit", "intent": "want"}],
                "visitor": {
                    "name": "Lia",
                    "organisation": "Breda",
                    "email": "lia@breda.nl",
                    "follow_up": True,
                },
            }
            assert client.post("/api/v1/events/utrecht-dag/checkouts", json=body).status_code
            settle(app)
            result = app.test_cli_runner().invoke(args=["send-mail"])
            if sent:
                assert [m.to for m in server.wait_for(1)] == ["lia@breda.nl"]
                assert statuses(RECEIPT) == [SENT]
            else:
                assert result.exit_code == 1
                assert "Mailserver niet bereikbaar" in result.output
                assert "fout" not in result.output  # the password is never shown
                assert statuses(RECEIPT) == [PENDING]
                assert server.messages() == []
    finally:
        server.stop()


def test_the_organisers_button_sends_what_is_due(
    app, client, login, mail_checkout, past_event, smtp_server
):
    smtp_server.stop()
    mail_checkout("knop@breda.nl", name="Kees")
    settle(app)
    smtp_server.start()
    login("organiser")
    response = client.post("/organisator/evenementen/utrecht-dag/mail/versturen")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 mails verstuurd, 0 mislukt." in page
    assert {m.message["Subject"] for m in smtp_server.messages()} == {
        "Je bon van Netwerkdag Utrecht",
        FOLLOW_UP_SUBJECT,
    }


def test_an_erasure_while_its_mail_is_under_way_leaves_nothing_and_the_run_goes_on(
    app, client, mail_checkout, past_event, smtp_server
):
    tokens = [mail_checkout(f"wis{i}@breda.nl", name=f"Wis{i}")["token"] for i in range(3)]
    settle(app)
    smtp_server.wait_for(3)
    smtp_server.stop()
    smtp_server.start("--delay", "1.5")
    reports = []

    def run() -> None:
        with app.app_context():
            reports.append(send_due_mail())
            db.session.remove()

    sender = threading.Thread(target=run)
    sender.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and SENDING not in statuses(FOLLOW_UP):
        time.sleep(0.05)
    assert statuses(FOLLOW_UP)[0] == SENDING
    assert client.delete(f"/api/v1/receipts/{tokens[0]}").status_code == 204
    sender.join(timeout=60)
    [report] = reports
    assert report.sent == 3 and report.failed == []
    assert statuses(FOLLOW_UP) == [SENT, SENT]
    assert sorted(m.to for m in smtp_server.messages()[3:]) == [
        "wis0@breda.nl",
        "wis1@breda.nl",
        "wis2@breda.nl",
    ]
