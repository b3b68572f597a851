"""Privacy of the mail after the day: consent apart from being found; erasure, purge and
retention reach the mails and the answers; no e-mail address in any log."""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import func, select

from popupstore.basket.models import Checkout
from popupstore.extensions import db
from popupstore.followup.links import evaluation_token
from popupstore.followup.models import (
    CANCELLED,
    FOLLOW_UP,
    PENDING,
    SENT,
    Evaluation,
    EvaluationContact,
    EvaluationProduct,
    OutboxMail,
)
from popupstore.redaction import redact

from ..privacy.conftest import text_columns_holding
from ..security.conftest import fresh_request
from .conftest import days_ago, settle


def checkout_id(number: int) -> int:
    return db.session.execute(select(Checkout.id).where(Checkout.number == number)).scalar_one()


def evaluate(client, number: int, **answers: str) -> None:
    path = f"/evaluatie/{evaluation_token(checkout_id(number))}"
    assert fresh_request(client, "POST", path, data=answers).status_code == 302


def count(model) -> int:
    db.session.expire_all()
    return int(db.session.execute(select(func.count()).select_from(model)).scalar_one())


def outbox_states() -> list[tuple[int, str, str, bool]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Checkout.number, OutboxMail.kind, OutboxMail.status, OutboxMail.token_sealed)
        .join(Checkout, Checkout.id == OutboxMail.checkout_id)
        .order_by(Checkout.number, OutboxMail.kind)
    )
    return [(n, kind, status, sealed is not None) for n, kind, status, sealed in rows]


def test_mail_consent_is_apart_from_being_found(app, mail_checkout, past_event, smtp_server):
    mail_checkout("mail@zonder.nl", share_contact=False, follow_up=True)
    mail_checkout("gevonden@zonder.nl", name="Geert", share_contact=True, follow_up=False)
    settle(app)
    assert [m.to for m in smtp_server.messages()] == ["mail@zonder.nl"]
    assert [(n, kind) for n, kind, *_ in outbox_states()] == [(1, FOLLOW_UP), (1, "receipt")]


def test_an_erasure_deletes_the_visitors_mails_and_every_answer_naming_them(
    app, client, mail_checkout, past_event
):
    anna = mail_checkout("anna@breda.nl", {"geldfit": "want"})
    mail_checkout("bram@tilburg.nl", {"geldfit": "want"}, name="Bram", organisation="Tilburg")
    settle(app)
    evaluate(client, 1, **{"contact-2": "yes", "product-geldfit": "started", "rating": "5"})
    evaluate(client, 2, **{"contact-1": "planned", "product-geldfit": "preparing", "rating": "3"})
    assert (count(Evaluation), count(EvaluationContact), count(EvaluationProduct)) == (2, 2, 2)

    assert client.delete(f"/api/v1/receipts/{anna['token']}").status_code == 204
    # Anna's own answers, her mails, and Bram's answer about her are gone; Bram keeps the rest.
    assert [n for n, *_ in outbox_states()] == [2, 2]
    assert count(EvaluationContact) == 0
    assert count(Evaluation) == 1 and count(EvaluationProduct) == 1
    assert db.session.execute(select(Evaluation.rating)).scalar_one() == 3


def test_a_purge_cancels_pending_mails_and_empties_what_visitors_wrote(
    app, client, runner, mail_checkout, past_event, smtp_server
):
    canary = "Kanarie" + secrets.token_hex(5)
    smtp_server.stop()  # nothing goes: the receipts wait with their sealed tokens
    mail_checkout(f"{canary.lower()}@breda.nl", {"geldfit": "want"}, name=canary)
    mail_checkout("bram@tilburg.nl", {"geldfit": "want"}, name="Bram", organisation="Tilburg")
    settle(app)
    evaluate(client, 1, **{"contact-2": "yes", "rating": "4", "missed": f"Meer van {canary}"})
    assert all(sealed for n, kind, status, sealed in outbox_states() if kind == "receipt")
    assert text_columns_holding(canary)

    result = runner.invoke(args=["purge-personal-data", "utrecht-dag"])
    assert result.exit_code == 0, result.output
    assert outbox_states() == [
        (1, FOLLOW_UP, CANCELLED, False),
        (1, "receipt", CANCELLED, False),
        (2, FOLLOW_UP, CANCELLED, False),
        (2, "receipt", CANCELLED, False),
    ]
    assert text_columns_holding(canary) == []
    # The answers that name no one any more stay, like the agreements: anonymous outcome.
    assert count(EvaluationContact) == 1
    assert db.session.execute(select(Evaluation.rating, Evaluation.missed)).one() == (4, None)

    smtp_server.start()
    assert runner.invoke(args=["send-mail"]).output.startswith("0 verstuurd")
    assert smtp_server.messages() == []
    again = runner.invoke(args=["purge-personal-data", "utrecht-dag"])
    assert again.exit_code == 0 and outbox_states()[0] == (1, FOLLOW_UP, CANCELLED, False)


def test_purge_expired_cancels_the_follow_ups_of_events_past_their_retention_date(
    app, runner, mail_checkout, make_event, load_test_products, smtp_server
):
    load_test_products()
    event = make_event("oud", name="Oude dag", city="Ede", day=days_ago(40))
    assert event.retention_date < days_ago(0)
    mail_checkout("oud@ede.nl", event="oud")
    settle(app)
    result = runner.invoke(args=["purge-expired"])
    assert result.exit_code == 0, result.output
    assert [status for n, kind, status, _ in outbox_states() if kind == FOLLOW_UP] == [CANCELLED]
    assert runner.invoke(args=["send-mail"]).output.startswith("0 verstuurd")
    assert [m.message["Subject"] for m in smtp_server.messages()] == ["Je bon van Oude dag"]


def test_no_e_mail_address_reaches_a_log(
    app, client, runner, mail_checkout, past_event, smtp_server, caplog
):
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy.engine", "popupstore", "mail.log", "aiosmtpd"):
        caplog.set_level(logging.DEBUG, logger=name)
    smtp_server.stop()
    smtp_server.start("--refuse", "lek.geheim@nergens.nl=550")
    mail_checkout("lek.geheim@nergens.nl", name="Lek")
    mail_checkout("ook.geheim@breda.nl", name="Ook")
    settle(app)
    output = runner.invoke(args=["send-mail"]).output
    smtp_server.stop()  # an unreachable server, logged as well
    mail_checkout("derde.geheim@breda.nl", name="Derde")
    settle(app)
    runner.invoke(args=["send-mail"])

    logged = "\n".join([record.getMessage() for record in caplog.records] + [caplog.text, output])
    assert "550 5.1.1 <[e-mail]>" in logged
    for secret in ("lek.geheim", "ook.geheim", "derde.geheim"):
        assert secret not in logged, secret
    # The server's answer is kept for the organiser without the address in it.
    errors = db.session.execute(select(OutboxMail.last_error)).scalars().all()
    assert any(e and e.startswith("550 ") for e in errors)
    assert not any(e and "geheim" in e for e in errors)
    assert redact("550 <lek.geheim@nergens.nl>: refused") == "550 <[e-mail]>: refused"
    assert [status for n, kind, status, _ in outbox_states() if kind == FOLLOW_UP].count(SENT) == 1
    assert PENDING in {status for *_, status, _sealed in outbox_states()}


def test_a_fault_while_trying_new_mails_is_logged_without_its_message(
    app, mail_checkout, past_event, smtp_server, caplog
):
    caplog.set_level(logging.DEBUG, logger="popupstore")
    app.config["MAIL_TIMEOUT_SECONDS"] = "geheim.adres@lek.nl"  # a fault of ours
    mail_checkout("fout@breda.nl", name="Fout")
    settle(app)
    [record] = [r for r in caplog.records if r.getMessage().startswith("Trying new mails")]
    logged = logging.Formatter().format(record)
    assert logged.startswith("Trying new mails right after checkout failed\nTraceback")
    assert "ValueError: [message withheld]" in logged
    assert "geheim" not in logged and "fout@breda.nl" not in logged
    # The thread lives on, and the mail waits for the next run, unclaimed.
    assert [status for n, kind, status, _ in outbox_states() if kind == "receipt"] == [PENDING]
    app.config["MAIL_TIMEOUT_SECONDS"] = 30
    mail_checkout("goed@breda.nl", name="Goed")
    settle(app)
    assert {m.to for m in smtp_server.messages()} == {"goed@breda.nl"}
