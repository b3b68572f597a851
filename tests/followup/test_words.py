"""One term per thing on the visitor's side: a "product" on every page a visitor sees and in
the mails, and a "bon", never a "kassabon" (the /kassabon path stays: links use it)."""

from __future__ import annotations

import re

from sqlalchemy import select

from popupstore.basket.models import Checkout
from popupstore.extensions import db
from popupstore.followup.links import evaluation_token

from ..organiser.test_words import visible_text
from ..security.conftest import fresh_request
from .conftest import path_of, settle

# The one sentence on the start page that says what the products are.
EXPLAINED = "Hier liggen producten: aanpakken tegen schulden"


def other_terms(text: str) -> list[str]:
    """The words for the thing on the shelves (and for the receipt) a visitor should not see."""
    return re.findall(r"\baanpak\w*|\bapproach\w*|kassabon", text, re.I)


def test_every_page_a_visitor_sees_says_product(app, client, mail_checkout, past_event):
    answer = mail_checkout("anna@breda.nl", follow_up=False)
    receipt = path_of(answer["receipt_url"])
    checkout_id = db.session.execute(select(Checkout.id)).scalar_one()
    fresh_request(client, "POST", "/mandje/geldfit", data={"intent": "want"})
    pages = [
        "/",
        "/producten",
        "/producten?q=geldfit",
        "/product/geldfit",
        "/mandje",
        "/afrekenen",
        receipt,
        f"{receipt}/samenwerking",
        f"{receipt}/voorstellen",
        "/voorstellen",
        f"/evaluatie/{evaluation_token(checkout_id)}",
    ]
    for language in ("nl", "en"):
        fresh_request(client, "POST", "/taal", data={"lang": language, "next": "/"})
        for path in pages:
            response = fresh_request(client, "GET", path)
            assert response.status_code == 200, path
            page = response.get_data(as_text=True)
            assert f'<html lang="{language}">' in page, path
            text = " ".join(visible_text(page).split())
            if path == "/" and language == "nl":
                assert text.count(EXPLAINED) == 1
                text = text.replace(EXPLAINED, "")
            elif path == "/":
                assert "products: approaches against debt" in text
                text = text.replace("products: approaches against debt", "")
            assert other_terms(text) == [], (language, path)


def test_the_mails_say_bon_and_product(app, runner, mail_checkout, past_event, smtp_server):
    mail_checkout("anna@breda.nl")
    mail_checkout("ann@example.org", name="Ann", headers={"Accept-Language": "en"})
    settle(app)
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    mails = smtp_server.messages()
    assert len(mails) == 4  # the receipt mail and the follow-up, for each
    subjects = sorted(m.message["Subject"] for m in mails)
    assert "Je bon van Netwerkdag Utrecht" in subjects
    assert "Your receipt from Netwerkdag Utrecht" in subjects
    for mail in mails:
        text = " ".join([mail.message["Subject"], mail.part("plain"), mail.part("html")])
        assert other_terms(text) == [], mail.message["Subject"]
    follow_up = next(m for m in mails if m.message["Subject"].startswith("Hoe ging het"))
    assert "producten gekozen" in follow_up.part("plain")
