"""The visitor's evaluation after the day: from the follow-up mail's signed link, or from
the receipt page; through HTTP with the test client."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from popupstore.basket.models import Checkout
from popupstore.events.services import get_event
from popupstore.extensions import db
from popupstore.followup.evaluation import evaluation_state, missed_texts
from popupstore.followup.links import evaluation_token, unsubscribe_token

from ..security.conftest import fresh_request
from .conftest import days_ago, links_in, path_of, settle


@pytest.fixture
def three(app, mail_checkout, past_event):
    """Anna (Breda) with a partner, Bram (Tilburg), and a colleague, Carla (Breda)."""
    anna = mail_checkout("anna@breda.nl", {"geldfit": "want", "vroegsignalering": "have"})
    bram = mail_checkout(
        "bram@tilburg.nl", {"geldfit": "have"}, name="Bram", organisation="Tilburg"
    )
    carla = mail_checkout("carla@breda.nl", {"geldfit": "want"}, name="Carla")
    settle(app)
    return anna, bram, carla


def anna() -> Checkout:
    db.session.expire_all()
    return db.session.execute(db.select(Checkout).where(Checkout.number == 1)).scalar_one()


def answers() -> tuple:
    state = evaluation_state(anna())
    return (
        {p.number: p.answer for p in state.partners},
        {p.slug: p.status for p in state.products},
        state.rating,
        state.missed,
    )


def checked(html: str) -> set[str]:
    return set(
        re.findall(r'<input type="radio" name="[^"]+" id="([^"]+)" value="[^"]+" checked>', html)
    )


def test_the_follow_up_link_opens_the_evaluation_and_saving_again_keeps_the_latest(
    app, client, runner, three, smtp_server
):
    assert runner.invoke(args=["send-mail"]).output.startswith("3 verstuurd")
    follow_up = next(
        m
        for m in smtp_server.messages()
        if m.to == "anna@breda.nl" and m.message["Subject"].startswith("Hoe ging het")
    )
    link = next(url for url in links_in(follow_up.part("plain")) if "/evaluatie/" in url)
    assert link in follow_up.part("html")
    path = path_of(link)

    page = fresh_request(client, "GET", path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Bram · Tilburg" in html and "Carla · Breda (collega)" in html
    assert 'name="contact-2"' in html and 'name="contact-3"' in html
    assert 'name="product-geldfit"' in html
    assert 'name="product-vroegsignalering"' not in html  # had, not wanted
    assert html.count('name="rating"') == 5
    assert '<textarea class="field__input" id="missed" name="missed"' in html
    assert "<script" not in html.split("</main>")[0].split('<main id="main"')[1]

    saved = fresh_request(
        client,
        "POST",
        path,
        data={
            "contact-2": "yes",
            "contact-3": "planned",
            "product-geldfit": "started",
            "rating": "4",
            "missed": "Iets  over\r\nbeschermingsbewind",
        },
    )
    assert saved.status_code == 302 and saved.headers["Location"] == path
    assert answers() == (
        {2: "yes", 3: "planned"},
        {"geldfit": "started"},
        4,
        "Iets over\nbeschermingsbewind",
    )
    again = fresh_request(client, "GET", path).get_data(as_text=True)
    assert "Dank je wel! Je antwoorden zijn opgeslagen." in again
    assert checked(again) == {
        "contact-2-yes",
        "contact-3-planned",
        "product-geldfit-started",
        "rating-4",
    }
    assert "Iets over\nbeschermingsbewind</textarea>" in again

    # Saving again keeps the latest answers; a question left open keeps its answer.
    fresh_request(client, "POST", path, data={"contact-2": "no", "rating": "5", "missed": ""})
    assert answers() == ({2: "no", 3: "planned"}, {"geldfit": "started"}, 5, None)


def test_bad_answers_are_refused_at_their_questions_and_change_nothing(app, client, three):
    path = f"/evaluatie/{evaluation_token(anna().id)}"
    fresh_request(client, "POST", path, data={"contact-2": "yes", "rating": "3"})
    before = answers()
    bad = {
        "contact-2": "misschien",
        "contact-9": "yes",
        "product-geldfit": "klaar",
        "product-gemeentepolis": "started",
        "rating": "7",
        "missed": "tekst met \u202e omgekeerde richting",
    }
    refused = fresh_request(client, "POST", path, data=bad)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    for message in (
        "Kies ja, gepland of nee.",
        "Deze persoon staat niet op je bon.",
        "Kies gestart, in voorbereiding of niet.",
        "Dit product wilde je niet volgens je bon.",
        "Kies een cijfer van 1 tot en met 5.",
        "Bevat een teken dat hier niet mag (U+202E).",
    ):
        assert message in html, message
    assert 'id="error-summary"' in html and 'href="#rating"' in html
    assert answers() == before

    control = fresh_request(client, "POST", path, data={"missed": "bel\x07 mij"})
    assert control.status_code == 422
    assert "Bevat een teken dat hier niet mag (U+0007)." in control.get_data(as_text=True)
    invisible = fresh_request(client, "POST", path, data={"missed": "\u200b\u200b"})
    assert invisible.status_code == 422
    assert "Bevat geen zichtbare tekens." in invisible.get_data(as_text=True)
    long = fresh_request(client, "POST", path, data={"missed": "x" * 1001})
    assert long.status_code == 422
    assert "Hoogstens 1000 tekens." in long.get_data(as_text=True)
    assert answers() == before


def test_the_receipt_page_offers_the_evaluation_from_the_day_after_the_event(
    app, client, mail_checkout, load_test_products, make_event
):
    load_test_products()
    event = make_event("vandaag", name="Netwerkdag Vandaag", city="Assen", day=days_ago(0))
    token = mail_checkout("v@assen.nl", event="vandaag")["token"]
    page = fresh_request(client, "GET", f"/r/{token}").get_data(as_text=True)
    assert "Vertel ons hoe het ging" not in page
    # The evaluation itself opens anyway (the link is just not offered on the day).
    assert fresh_request(client, "GET", f"/r/{token}/evaluatie").status_code == 200

    event.date = days_ago(1)
    db.session.commit()
    page = fresh_request(client, "GET", f"/r/{token}").get_data(as_text=True)
    assert f'href="/r/{token}/evaluatie"' in page
    saved = fresh_request(client, "POST", f"/r/{token}/evaluatie", data={"rating": "2"})
    assert saved.status_code == 302 and saved.headers["Location"] == f"/r/{token}/evaluatie"


def test_the_booth_tablet_opens_no_evaluation(
    app, client, mail_checkout, past_event, turn_kiosk_on
):
    """The evaluation is for afterwards: on a kiosk it leads to the PIN, like staff pages."""
    other = mail_checkout("ander@breda.nl")["token"]
    turn_kiosk_on()
    for method in ("GET", "POST"):
        for path in (f"/r/{other}/evaluatie", f"/evaluatie/{evaluation_token(anna().id)}"):
            response = fresh_request(client, method, path, data={"rating": "1"})
            assert response.status_code == 302, path
            assert response.headers["Location"] == "/kiosk/ontgrendelen"
    assert answers()[2] is None


def test_a_link_for_another_purpose_a_forged_one_or_an_erased_visitors_is_a_404(
    app, client, runner, three
):
    checkout_id = anna().id
    good = f"/evaluatie/{evaluation_token(checkout_id)}"
    assert fresh_request(client, "GET", good).status_code == 200
    for wrong in (
        f"/evaluatie/{unsubscribe_token(checkout_id)}",
        good[:-3] + ("abc" if not good.endswith("abc") else "xyz"),
        "/evaluatie/" + "x" * 300,
        "/evaluatie/eyJjaGVja291dCI6MX0",
    ):
        assert fresh_request(client, "GET", wrong).status_code == 404, wrong
    # Hidden by a facilitator: closed.
    db.session.execute(
        update(Checkout)
        .where(Checkout.id == checkout_id)
        .values(hidden_at=db.func.now())
        .execution_options(bumps=())
    )
    db.session.commit()
    assert fresh_request(client, "GET", good).status_code == 404
    db.session.execute(
        update(Checkout)
        .where(Checkout.id == checkout_id)
        .values(hidden_at=None)
        .execution_options(bumps=())
    )
    db.session.commit()
    assert runner.invoke(args=["purge-personal-data", "utrecht-dag"]).exit_code == 0
    assert fresh_request(client, "GET", good).status_code == 404


def test_missed_texts_are_there_for_a_product_proposal(app, client, three, past_event):
    for number, text in ((1, "Aanpak voor ondernemers"), (2, "  "), (3, "Meer over\njongeren")):
        checkout = db.session.execute(
            db.select(Checkout).where(Checkout.number == number)
        ).scalar_one()
        fresh_request(
            client, "POST", f"/evaluatie/{evaluation_token(checkout.id)}", data={"missed": text}
        )
    event = get_event("utrecht-dag")
    found = missed_texts(event)
    assert [m.text for m in found] == ["Aanpak voor ondernemers", "Meer over\njongeren"]
    assert all(m.event_id == event.id and m.evaluation_id for m in found)
