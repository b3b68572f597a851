"""Checking out on the kiosk: the form, its errors, double taps, the receipt and the reset."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from popupstore.basket.models import Checkout
from popupstore.extensions import db

FORM = {
    "name": "Anna",
    "organisation": "Breda",
    "organisation_type": "",
    "role": "Schuldhulpverlening",
    "email": "",
}


def fill_basket(client) -> None:
    client.post("/mandje/geldfit", data={"intent": "want"})
    client.post("/mandje/vroegsignalering", data={"intent": "have"})


def checkout_key(client) -> str:
    html = client.get("/afrekenen").get_data(as_text=True)
    match = re.search(r'name="checkout_key" type="hidden" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def stored() -> list[Checkout]:
    db.session.expire_all()
    return list(db.session.execute(select(Checkout)).scalars())


def test_checkout_form_fields(client, store):
    fill_basket(client)
    html = client.get("/afrekenen").get_data(as_text=True)
    assert 'list="organisaties"' in html
    assert html.count("<option value=") >= 342
    assert "Bron: CBS" in html
    consent = re.search(r'<input[^>]*id="share_contact"[^>]*>', html).group(0)
    assert "checked" not in consent
    assert "Anderen mogen mij als gesprekspartner zien" in html
    for name in ("name", "organisation", "role", "email"):
        field = re.search(rf'<input[^>]*id="{name}"[^>]*>', html).group(0)
        assert 'autocomplete="off"' in field


def test_empty_basket_cannot_check_out(client, store):
    response = client.get("/afrekenen")
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "  "}, "name", "Vul dit in."),
        ({"organisation": ""}, "organisation", "Vul dit in."),
        ({"email": "anna@"}, "email", "Controleer het @-teken en de punt"),
        ({"name": "x" * 81}, "name", "Hoogstens 80 tekens."),
        ({"organisation_type": "bank"}, "organisation_type", "Not a valid choice"),
    ],
)
def test_invalid_form_shows_dutch_messages_next_to_fields(client, store, change, field, message):
    fill_basket(client)
    key = checkout_key(client)
    response = client.post("/afrekenen", data={**FORM, **change, "checkout_key": key})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="field__error" id="{field}-error">([^<]*)</p>', html)
    assert error, html
    if field != "organisation_type":
        assert message in error.group(1)
    described = re.search(rf'<(?:input|select)[^>]*id="{field}"[^>]*>', html).group(0)
    assert f"{field}-error" in described
    assert 'aria-invalid="true"' in described
    # Nothing is lost: the basket is still there and nothing was stored.
    assert "Geldfit" in html and "Vroegsignalering" in html
    assert stored() == []


def test_checkout_stores_and_shows_the_receipt(client, store):
    fill_basket(client)
    key = checkout_key(client)
    response = client.post(
        "/afrekenen",
        data={**FORM, "share_contact": "y", "email": "anna@breda.nl", "checkout_key": key},
    )
    assert response.status_code == 302
    receipt_page = response.headers["Location"]
    assert receipt_page.startswith("/r/")  # not a kiosk: this device's own receipt page
    [checkout] = stored()
    assert (checkout.visitor_name, checkout.organisation_name, checkout.province) == (
        "Anna",
        "Breda",
        "Noord-Brabant",
    )
    assert checkout.organisation_type == "gemeente"
    assert checkout.share_contact is True and checkout.email == "anna@breda.nl"
    assert {(line.product.slug, line.intent) for line in checkout.lines} == {
        ("geldfit", "want"),
        ("vroegsignalering", "have"),
    }
    html = client.get(receipt_page).get_data(as_text=True)
    assert "Bon nr. 1" in html
    assert "Geldfit" in html
    assert re.search(r'id="basket-count"[^>]*>0<', html)
    assert 'src="/r/' in html


def test_double_tap_creates_one_checkout(client, store):
    fill_basket(client)
    key = checkout_key(client)
    data = {**FORM, "checkout_key": key}
    first = client.post("/afrekenen", data=data)
    second = client.post("/afrekenen", data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert first.headers["Location"].startswith("/r/")
    assert len(stored()) == 1


def test_double_tap_from_a_stale_cookie_creates_one_checkout(client, store):
    """Both taps leave the browser with the same cookie before either answer arrives."""
    fill_basket(client)
    key = checkout_key(client)
    cookie = client.get_cookie("popupstore_session").value
    data = {**FORM, "checkout_key": key}
    assert client.post("/afrekenen", data=data).status_code == 302
    client.set_cookie("popupstore_session", cookie)
    again = client.post("/afrekenen", data=data)
    assert again.status_code == 302
    assert len(stored()) == 1


def test_receipt_page_and_qr_code(client, store, make_checkout):
    fill_basket(client)
    done = client.post(
        "/afrekenen", data={**FORM, "share_contact": "y", "checkout_key": checkout_key(client)}
    )
    later = make_checkout({"geldfit": "have"}, name="Bram", organisation="Tilburg")
    token = done.headers["Location"].removeprefix("/r/")

    png = client.get(f"/r/{token}/qr.png", base_url="http://booth.local")
    assert png.status_code == 200 and png.mimetype == "image/png"
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert decoded.text == f"http://booth.local/r/{token}"

    page = client.get(f"/r/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Bram" in html and "Tilburg" in html
    assert "doet het al" in html
    assert "no-store" in page.headers["Cache-Control"]
    assert later["matches"][0]["name"] == "Anna"


def test_partners_fragment_uses_etags(client, store, make_checkout):
    first = make_checkout({"geldfit": "want"}, name="Anna")
    url = f"/r/{first['token']}/partners"
    response = client.get(url)
    etag = response.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    make_checkout({"geldfit": "want"}, name="Bram", organisation="Tilburg")
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "Bram" in changed.get_data(as_text=True)


def test_visitor_erases_own_data_from_the_receipt_page(client, store, make_checkout):
    mine = make_checkout({"geldfit": "want"}, name="Anna")
    confirm = client.get(f"/r/{mine['token']}/wissen")
    assert "Weet je het zeker?" in confirm.get_data(as_text=True)
    response = client.post(f"/r/{mine['token']}/wissen")
    assert response.status_code == 302 and response.headers["Location"] == "/gewist"
    assert client.get(f"/r/{mine['token']}").status_code == 404
    assert stored() == []


def test_finish_forgets_the_visitor(client, store):
    fill_basket(client)
    done = client.post("/afrekenen", data={**FORM, "checkout_key": checkout_key(client)})
    # A phone is sent on from the booth's receipt to its own page, until "Klaar".
    assert client.get("/kassabon").headers["Location"] == done.headers["Location"]
    response = client.post("/klaar")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    again = client.get("/kassabon")
    assert again.status_code == 302 and again.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert "Anna" not in html
    assert re.search(r'id="basket-count"[^>]*>0<', html)


def test_checkout_without_an_active_event_keeps_the_basket(client, app, load_test_products):
    load_test_products()
    fill_basket(client)
    response = client.post("/afrekenen", data={**FORM, "checkout_key": checkout_key(client)})
    assert response.status_code == 409
    assert "geen evenement actief" in response.get_data(as_text=True)
    assert "Geldfit" in client.get("/mandje").get_data(as_text=True)
    assert db.session.execute(select(func.count(Checkout.id))).scalar_one() == 0


def test_a_typo_in_a_municipality_gets_a_suggestion_before_it_counts_as_an_organisation(
    client, store
):
    fill_basket(client)
    key = checkout_key(client)
    asked = client.post("/afrekenen", data={**FORM, "organisation": "Bredaa", "checkout_key": key})
    assert asked.status_code == 422
    html = asked.get_data(as_text=True)
    assert "Bedoel je Breda?" in html
    assert re.search(r'name="suggested_for" type="hidden" value="Bredaa"', html)
    assert re.search(r'<button type="submit" name="use_organisation" value="Breda"', html)
    assert re.search(r'<button type="submit" name="keep_organisation" value="Bredaa"', html)
    assert stored() == []

    taken = client.post(
        "/afrekenen",
        data={
            **FORM,
            "organisation": "Bredaa",
            "suggested_for": "Bredaa",
            "use_organisation": "Breda",
            "checkout_key": key,
        },
    )
    assert taken.status_code == 302
    [checkout] = stored()
    assert (checkout.organisation_name, checkout.organisation_type, checkout.province) == (
        "Breda",
        "gemeente",
        "Noord-Brabant",
    )


def test_a_visitor_may_keep_the_name_they_typed(client, store):
    fill_basket(client)
    key = checkout_key(client)
    kept = client.post(
        "/afrekenen",
        data={
            **FORM,
            "organisation": "Bredaa",
            "suggested_for": "Bredaa",
            "keep_organisation": "Bredaa",
            "checkout_key": key,
        },
    )
    assert kept.status_code == 302
    [checkout] = stored()
    assert (checkout.organisation_name, checkout.organisation_type) == ("Bredaa", "anders")


def test_an_answer_to_an_old_suggestion_does_not_carry_over_to_a_new_name(client, store):
    fill_basket(client)
    key = checkout_key(client)
    changed = client.post(
        "/afrekenen",
        data={
            **FORM,
            "organisation": "Tilbrug",
            "suggested_for": "Bredaa",
            "use_organisation": "Breda",
            "checkout_key": key,
        },
    )
    assert changed.status_code == 422
    assert "Bedoel je Tilburg?" in changed.get_data(as_text=True)
    assert stored() == []


@pytest.mark.parametrize(
    "change",
    [
        {"organisation": "UWV"},  # three letters: too short to guess at (Urk is two away)
        {"organisation": "Alwel"},  # a known chain partner
        {"organisation": "Bredaa", "organisation_type": "woningcorporatie"},
        {"organisation": "Gemeente Breda"},
        {"organisation": "Den Bosch"},  # an alias
    ],
)
def test_no_suggestion_for_partners_and_exact_names(client, store, change):
    fill_basket(client)
    response = client.post(
        "/afrekenen", data={**FORM, **change, "checkout_key": checkout_key(client)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert len(stored()) == 1


def test_the_organisation_list_offers_partners_and_this_events_named_organisations(
    client, store, make_checkout
):
    make_checkout({"geldfit": "want"}, name="Wim", organisation="Woonstichting Zuid")
    make_checkout(
        {"geldfit": "want"}, name="Nel", organisation="Stille Stichting", share_contact=False
    )
    fill_basket(client)
    html = client.get("/afrekenen").get_data(as_text=True)
    options = re.findall(
        r'<option value="([^"]+)"',
        re.search(r'<datalist id="organisaties">.*?</datalist>', html, re.S).group(0),
    )
    assert {"Breda", "Den Haag", "Middelburg", "Bergen (L.)", "UWV", "Alwel"} <= set(options)
    assert "Woonstichting Zuid" in options
    # A visitor who did not consent is never named, not even as a suggestion.
    assert "Stille Stichting" not in options
    assert "'s-Gravenhage" not in options and "Middelburg (Z.)" not in options


def test_the_checkout_button_stays_in_reach(client, store):
    fill_basket(client)
    html = client.get("/afrekenen").get_data(as_text=True)
    assert re.search(r'<div class="checkout__submit">\s*<button type="submit"', html)


def test_a_phone_lands_on_its_own_receipt_page_with_the_link_to_keep(client, store):
    fill_basket(client)
    response = client.post("/afrekenen", data={**FORM, "checkout_key": checkout_key(client)})
    page = response.headers["Location"]
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{32}", page)
    html = client.get(page).get_data(as_text=True)
    assert "bewaar deze link" in html
    assert f">http://localhost{page}</a>" in html
    assert "Klaar — volgende bezoeker" not in html
    assert 'action="/klaar"' not in html
