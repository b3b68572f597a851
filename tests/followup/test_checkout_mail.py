"""At checkout: the choice "Mail mij mijn bon …", and the receipt mail that follows it.

Through the kiosk's form and the API, against a real SMTP server: the mail is parsed back
and its headers, both parts and its links (opened with the test client) are checked.
"""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

from sqlalchemy import select

from popupstore.basket.models import Checkout
from popupstore.extensions import db
from popupstore.followup.models import FOLLOW_UP, PENDING, RECEIPT, SENT, OutboxMail

from ..security.conftest import fresh_request
from .conftest import BASE, links_in, path_of, settle

CHOICE = "Mail mij mijn bon, en over twee weken een korte vraag hoe het ging"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]


def html_links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def kiosk_checkout(client, data: dict[str, str]):
    fresh_request(client, "POST", "/mandje/geldfit", data={"intent": "want"})
    page = fresh_request(client, "GET", "/afrekenen").get_data(as_text=True)
    key = re.search(r'name="checkout_key" type="hidden" value="([^"]+)"', page).group(1)
    form = {"name": "Dirk", "organisation": "Tilburg", "checkout_key": key, **data}
    return fresh_request(client, "POST", "/afrekenen", data=form)


def outbox() -> list[tuple[str, str, int]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(OutboxMail.kind, OutboxMail.status, OutboxMail.checkout_id).order_by(OutboxMail.id)
    )
    return [tuple(row) for row in rows]


def test_the_kiosk_offers_the_choice_unticked_and_apart_from_being_found(client, past_event):
    fresh_request(client, "POST", "/mandje/geldfit", data={"intent": "want"})
    page = fresh_request(client, "GET", "/afrekenen").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="follow_up"[^>]*>', page).group(0)
    assert 'type="checkbox"' in box and "checked" not in box
    assert CHOICE in page
    # Its own fieldset, after the e-mail address, not inside "Gevonden worden".
    choice = page.index('name="follow_up"')
    assert page.index('name="email"') < choice
    found = page.index("<legend>Gevonden worden</legend>")
    assert page.index("<legend>Na afloop</legend>") < choice
    assert not found < choice < page.index("</fieldset>", found)


def test_a_kiosk_checkout_with_the_choice_mails_the_receipt_link(
    app, client, past_event, smtp_server
):
    started = time.monotonic()
    done = kiosk_checkout(client, {"email": "dirk@tilburg.nl", "follow_up": "y"})
    assert done.status_code == 302
    receipt = fresh_request(client, "GET", "/kassabon").get_data(as_text=True)
    token = re.search(r"/r/([A-Za-z0-9_-]{20,})", receipt).group(1)
    [mail] = smtp_server.wait_for(1)
    assert time.monotonic() - started < 20

    message = mail.message
    assert mail.to == "dirk@tilburg.nl" and mail.mail_from == "winkel@popup.test"
    assert message["To"] == "dirk@tilburg.nl"
    assert message["From"] == "Pop-up store <winkel@popup.test>"
    assert message["Subject"] == "Je bon van Netwerkdag Utrecht"
    assert message["Content-Language"] == "nl"
    assert message["Auto-Submitted"] == "auto-generated"
    assert re.fullmatch(r"<popupstore\.\d+\.[0-9a-f]{24}@popup\.test>", message["Message-ID"])
    assert message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]

    text, html = mail.part("plain"), mail.part("html")
    receipt_url = f"{BASE}/r/{token}"
    assert "Hallo Dirk," in text and receipt_url in text
    parsed = html_links(html)
    assert receipt_url in parsed.hrefs
    # No images at all (no tracking pixel), every link to the store itself.
    assert "img" not in parsed.tags and "<img" not in html.lower()
    assert all(href.startswith(BASE + "/") for href in parsed.hrefs)
    assert all(url.startswith(BASE + "/") for url in links_in(text))

    # The link opens the receipt.
    opened = fresh_request(app.test_client(), "GET", path_of(receipt_url))
    assert opened.status_code == 200
    assert "Bon nr. 1" in opened.get_data(as_text=True)

    # One-click unsubscribe (RFC 8058), the same link in both parts.
    unsubscribe = message["List-Unsubscribe"]
    assert re.fullmatch(rf"<{re.escape(BASE)}/mail/afmelden/[^>]+>", unsubscribe)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Written out as the link itself, not as an encoded word mail programs would not follow.
    assert f"\r\nList-Unsubscribe: {unsubscribe}\r\n".encode() in mail.raw
    assert unsubscribe[1:-1] in text and unsubscribe[1:-1] in parsed.hrefs

    settle(app)
    checkout_id = db.session.execute(select(Checkout.id)).scalar_one()
    assert outbox() == [(RECEIPT, SENT, checkout_id), (FOLLOW_UP, PENDING, checkout_id)]


def test_an_api_checkout_in_english_gets_the_mail_in_english(
    app, mail_checkout, past_event, smtp_server
):
    mail_checkout("ann@example.org", name="Ann", headers={"Accept-Language": "en"})
    [mail] = smtp_server.wait_for(1)
    assert mail.message["Subject"] == "Your receipt from Netwerkdag Utrecht"
    assert mail.message["Content-Language"] == "en"
    assert "Hello Ann," in mail.part("plain")
    assert 'lang="en"' in mail.part("html")
    assert "Open your receipt" in mail.part("html")


def test_the_choice_without_an_address_is_refused_at_both_doors(app, client, past_event):
    api = client.post(
        "/api/v1/events/utrecht-dag/checkouts",
        json={
            "items": [{"product": "geldfit", "intent": "want"}],
            "visitor": {"name": "Eva", "organisation": "Breda", "follow_up": True},
        },
    )
    assert api.status_code == 422
    assert set(api.get_json()["error"]["fields"]) == {"visitor.follow_up"}
    page = kiosk_checkout(client, {"follow_up": "y"})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'id="follow_up-error"' in html
    assert "Vul je e-mailadres in als je je bon en de vraag achteraf wilt ontvangen." in html
    assert db.session.execute(select(Checkout.id)).first() is None
    assert outbox() == []


def test_without_the_choice_nothing_is_queued_or_sent(
    app, mail_checkout, past_event, smtp_server, runner
):
    mail_checkout("geen@mail.nl", follow_up=False)
    settle(app)
    assert outbox() == []
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "0 verstuurd, 0 mislukt" in result.output
    assert smtp_server.messages() == []


def test_the_checkout_does_not_wait_for_a_slow_mail_server(
    app, mail_checkout, past_event, smtp_server
):
    smtp_server.stop()
    smtp_server.start("--delay", "4")
    started = time.monotonic()
    mail_checkout("traag@server.nl")
    answered = time.monotonic() - started
    assert answered < 2.5, answered
    assert smtp_server.messages() == []  # still thinking
    [mail] = smtp_server.wait_for(1, timeout=30)
    assert mail.to == "traag@server.nl"


def test_a_mail_server_that_is_away_leaves_the_receipt_mail_for_send_mail(
    app, mail_checkout, past_event, smtp_server, runner
):
    smtp_server.stop()
    mail_checkout("later@breda.nl", event="utrecht-dag")
    settle(app)
    [(kind, status, _id), _follow_up] = outbox()
    assert (kind, status) == (RECEIPT, PENDING)
    mail = db.session.execute(select(OutboxMail).where(OutboxMail.kind == RECEIPT)).scalar_one()
    assert mail.attempts == 0 and mail.last_error  # not the mail's fault: no back-off

    away = runner.invoke(args=["send-mail"])
    assert away.exit_code == 1
    assert "Mailserver niet bereikbaar" in away.output

    smtp_server.start()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    # The follow-up of this event (20 days ago) is due as well.
    assert "2 verstuurd, 0 mislukt, 0 later opnieuw, 0 wachtend." in result.output
    again = runner.invoke(args=["send-mail"])
    assert "0 verstuurd" in again.output
    mails = smtp_server.messages()
    assert sorted(m.message["Subject"] for m in mails) == [
        "Hoe ging het na Netwerkdag Utrecht?",
        "Je bon van Netwerkdag Utrecht",
    ]
