"""Every mail's one-click unsubscribe (List-Unsubscribe with List-Unsubscribe-Post, RFC 8058)."""

from __future__ import annotations

from sqlalchemy import select

from popupstore.basket.models import Checkout
from popupstore.extensions import db
from popupstore.followup.links import evaluation_token, unsubscribe_token
from popupstore.followup.models import CANCELLED, FOLLOW_UP, SENT, OutboxMail

from ..security.conftest import fresh_request
from .conftest import by_recipient, path_of, settle

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def follow_up_status(address: str) -> tuple[str, bool]:
    db.session.expire_all()
    status, consent = db.session.execute(
        select(OutboxMail.status, Checkout.follow_up)
        .join(Checkout, Checkout.id == OutboxMail.checkout_id)
        .where(Checkout.email == address, OutboxMail.kind == FOLLOW_UP)
    ).one()
    return status, consent


def test_one_click_from_the_receipt_mail_cancels_the_follow_up(
    make_app, app, mail_checkout, past_event, smtp_server, runner
):
    mail_checkout("stop@breda.nl", name="Stijn")
    mail_checkout("door@breda.nl", name="Dora")
    settle(app)
    receipt = by_recipient(smtp_server.messages())["stop@breda.nl"][0]
    url = receipt.message["List-Unsubscribe"][1:-1]
    # A mail program posts without any CSRF token: the app as browsers meet it, CSRF on.
    browser_like = make_app(WTF_CSRF_ENABLED=True, MAIL_URL=smtp_server.url)
    with browser_like.app_context():
        mail_client = browser_like.test_client()
        # A GET (a link checker, a preview) only asks.
        asked = fresh_request(mail_client, "GET", path_of(url))
        assert asked.status_code == 200
        assert 'name="List-Unsubscribe" value="One-Click"' in asked.get_data(as_text=True)
        assert follow_up_status("stop@breda.nl") == ("pending", True)
        done = fresh_request(mail_client, "POST", path_of(url), data=ONE_CLICK)
        assert done.status_code == 200
        assert "Je bent afgemeld" in done.get_data(as_text=True)
        # Again: still fine, nothing more changes.
        assert fresh_request(mail_client, "POST", path_of(url), data=ONE_CLICK).status_code == 200
    assert follow_up_status("stop@breda.nl") == (CANCELLED, False)
    assert follow_up_status("door@breda.nl") == ("pending", True)

    result = runner.invoke(args=["send-mail"])
    assert result.output.startswith("1 verstuurd"), result.output
    received = by_recipient(smtp_server.messages())
    assert len(received["stop@breda.nl"]) == 1  # the receipt only
    assert len(received["door@breda.nl"]) == 2
    assert follow_up_status("door@breda.nl") == (SENT, True)


def test_unsubscribing_needs_the_one_click_body_and_its_own_link(
    app, client, mail_checkout, past_event
):
    mail_checkout("blijf@breda.nl")
    settle(app)
    checkout_id = db.session.execute(select(Checkout.id)).scalar_one()

    path = f"/mail/afmelden/{unsubscribe_token(checkout_id)}"
    assert fresh_request(client, "POST", path, data={}).status_code == 400
    assert fresh_request(client, "POST", path, data={"List-Unsubscribe": "ja"}).status_code == 400
    wrong = f"/mail/afmelden/{evaluation_token(checkout_id)}"
    assert fresh_request(client, "POST", wrong, data=ONE_CLICK).status_code == 404
    assert fresh_request(client, "GET", "/mail/afmelden/niets").status_code == 404
    assert follow_up_status("blijf@breda.nl") == ("pending", True)


def test_after_an_erasure_the_link_still_answers_and_changes_nothing(
    app, client, mail_checkout, past_event
):
    token = mail_checkout("weg@breda.nl")["token"]
    settle(app)
    checkout_id = db.session.execute(select(Checkout.id)).scalar_one()

    assert client.delete(f"/api/v1/receipts/{token}").status_code == 204
    path = f"/mail/afmelden/{unsubscribe_token(checkout_id)}"
    assert fresh_request(client, "POST", path, data=ONE_CLICK).status_code == 200
    assert db.session.execute(select(OutboxMail.id)).first() is None
