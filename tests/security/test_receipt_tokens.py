"""Receipt tokens: long and random, stored only as a hash, compared in constant time,
a plain 404 when wrong, and guessing is rate-limited."""

from __future__ import annotations

import base64
import hashlib

import pytest
from sqlalchemy import select, text

import popupstore.receipts.services as receipt_services
from popupstore.basket.models import Checkout
from popupstore.extensions import db
from popupstore.receipts.services import find_checkout_by_token

from .conftest import CSRF_FIELD, checkout_token, fresh_request


def test_tokens_carry_at_least_128_random_bits_and_only_their_hash_is_stored(
    client, store, make_checkout
):
    tokens = [make_checkout({"geldfit": "want"}, name=f"V{i}")["token"] for i in range(5)]
    assert len(set(tokens)) == 5
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128
    db.session.expire_all()
    hashes = db.session.execute(select(Checkout.token_hash).order_by(Checkout.number)).scalars()
    assert list(hashes) == [hashlib.sha256(t.encode()).hexdigest() for t in tokens]
    # No column of any checkout holds the token itself.
    rows = db.session.execute(text("SELECT * FROM checkout")).all()
    assert not any(token in str(value) for row in rows for value in row for token in tokens)


def test_lookup_goes_through_the_hash_and_a_constant_time_compare(
    client, store, make_checkout, monkeypatch
):
    token = make_checkout({"geldfit": "want"})["token"]
    compared: list[tuple[str, str]] = []
    real = receipt_services.hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(receipt_services.hmac, "compare_digest", spy)
    assert find_checkout_by_token(token) is not None
    wanted = hashlib.sha256(token.encode()).hexdigest()
    assert compared == [(wanted, wanted)]
    assert find_checkout_by_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


@pytest.mark.parametrize("suffix", ["", "/partners", "/qr.png", "/wissen"])
def test_a_wrong_token_and_an_erased_one_get_the_same_plain_404(
    client, store, make_checkout, suffix
):
    erased = make_checkout({"geldfit": "want"})["token"]
    assert client.delete(f"/api/v1/receipts/{erased}").status_code == 204
    never = "x" * len(erased)
    answers = [fresh_request(client, "GET", f"/r/{t}{suffix}") for t in (erased, never)]
    assert [a.status_code for a in answers] == [404, 404]
    # Byte for byte, but for the CSRF token of the page's forms: it carries the time in
    # seconds, so it differs when the two requests fall in different seconds.
    pages = [CSRF_FIELD.sub("csrf", a.get_data(as_text=True)) for a in answers]
    assert pages[0] == pages[1]
    assert "gewist" not in answers[0].get_data(as_text=True).lower()
    api = [fresh_request(client, "GET", f"/api/v1/receipts/{t}") for t in (erased, never)]
    assert [a.status_code for a in api] == [404, 404]
    assert (
        api[0].get_json()
        == api[1].get_json()
        == {"error": {"code": "not_found", "message": "No receipt with this token."}}
    )


@pytest.mark.parametrize("token", ["a" * 129, "a" * 5000, "%C3%A9", "..", "a.b"])
def test_odd_tokens_are_a_404(client, store, token):
    assert fresh_request(client, "GET", f"/r/{token}").status_code == 404
    assert fresh_request(client, "GET", f"/api/v1/receipts/{token}").status_code == 404


@pytest.mark.parametrize(
    "wrong",
    ["/r/{t}", "/r/{t}/partners", "/r/{t}/qr.png", "/api/v1/receipts/{t}"],
)
def test_guessing_tokens_is_rate_limited_but_honest_polling_is_not(
    make_app, load_test_products, make_event, wrong
):
    app = make_app(RATELIMIT_TOKEN_LOOKUP="3 per minute")
    with app.app_context():
        load_test_products()
        make_event()
        client = app.test_client()
        token = checkout_token(client)
        honest = [
            fresh_request(client, "GET", f"/r/{token}/partners").status_code for _ in range(6)
        ]
        guesses = [
            fresh_request(client, "GET", wrong.format(t=f"raden-{i}")).status_code for i in range(4)
        ]
        another_route = fresh_request(client, "GET", "/api/v1/receipts/raden-api")
        holder = fresh_request(client, "GET", f"/api/v1/receipts/{token}")
    assert honest == [200] * 6
    assert guesses == [404, 404, 404, 429]
    # One budget over every route that looks up a token.
    assert another_route.status_code == 429
    assert another_route.get_json()["error"]["code"] == "rate_limited"
    assert int(another_route.headers["Retry-After"]) > 0
    # Only guessing is refused: a whole venue shares one address, and a visitor who holds
    # a real token keeps their receipt while someone else there is being stopped.
    assert holder.status_code == 200


def test_wrong_staff_tokens_spend_the_same_budget(make_app, load_test_products, make_event):
    app = make_app(RATELIMIT_TOKEN_LOOKUP="3 per minute")
    with app.app_context():
        load_test_products()
        make_event()
        client = app.test_client()
        wrong = {"Authorization": "Bearer geraden-token"}
        staff = [
            fresh_request(
                client, "GET", "/api/v1/events/breda-2026/overlap", headers=wrong
            ).status_code
            for _ in range(4)
        ]
        receipt_guess = fresh_request(client, "GET", "/r/raden").status_code
    assert staff == [401, 401, 401, 429]
    assert receipt_guess == 429
