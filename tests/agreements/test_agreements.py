"""The samenwerkingsbon: recording an agreement on the receipt page, and where it shows."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from popupstore.agreements.models import Agreement
from popupstore.agreements.services import (
    agreements_of,
    count_agreements,
    record_agreement,
)
from popupstore.errors import ConflictError, ValidationError
from popupstore.events.services import get_event
from popupstore.extensions import db
from popupstore.receipts.services import find_checkout_by_token


def stored() -> int:
    return db.session.execute(select(func.count(Agreement.id))).scalar_one()


@pytest.fixture
def pair(store, make_checkout):
    """Anna (Breda) and Bram (Tilburg) both want geldfit; Anna also has vroegsignalering."""
    anna = make_checkout(
        {"geldfit": "want", "vroegsignalering": "have"}, name="Anna", organisation="Breda"
    )
    bram = make_checkout(
        {"geldfit": "want", "vroegsignalering": "want"}, name="Bram", organisation="Tilburg"
    )
    return anna, bram


def form_url(token: str) -> str:
    return f"/r/{token}/samenwerking"


def test_the_form_offers_matches_with_their_shared_products(client, pair):
    anna, _ = pair
    html = client.get(form_url(anna["token"])).get_data(as_text=True)
    assert '<optgroup label="Bram · Tilburg (bon 2)">' in html
    assert '<option value="2:geldfit">Geldfit — met Bram · Tilburg (bon 2)</option>' in html
    assert 'value="2:vroegsignalering"' in html
    assert 'maxlength="200"' in html


def test_an_agreement_shows_on_both_receipt_pages(client, pair):
    anna, bram = pair
    response = client.post(
        form_url(anna["token"]),
        data={"choice": "2:geldfit", "text": "  We  plannen in maart   een werkbezoek. "},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/r/{anna['token']}#afspraken"
    mine = client.get(f"/r/{anna['token']}").get_data(as_text=True)
    theirs = client.get(f"/r/{bram['token']}").get_data(as_text=True)
    for html in (mine, theirs):
        assert "“We plannen in maart een werkbezoek.”" in html
        assert "Geldfit" in html
    assert "met Bram · Tilburg (bon 2)" in mine
    assert "Door jou vastgelegd" in mine
    assert "met Anna · Breda (bon 1)" in theirs
    assert "Door de ander vastgelegd" in theirs


def test_the_partner_of_a_visitor_without_consent_sees_only_a_number(client, store, make_checkout):
    silent = make_checkout(
        {"geldfit": "want"}, name="Zeger", organisation="Stichting Stilte", share_contact=False
    )
    open_one = make_checkout({"geldfit": "want"}, name="Bram", organisation="Tilburg")
    assert (
        client.post(
            form_url(silent["token"]), data={"choice": "2:geldfit", "text": "Samen beginnen"}
        ).status_code
        == 302
    )
    theirs = client.get(f"/r/{open_one['token']}").get_data(as_text=True)
    assert "met bon 1" in theirs
    assert "Zeger" not in theirs and "Stichting Stilte" not in theirs


@pytest.mark.parametrize(
    ("choice", "text", "field", "message"),
    [
        ("2:geldfit", "", "text", "Vul dit in."),
        ("2:geldfit", "x" * 201, "text", "Hoogstens 200 tekens."),
        ("2:geldfit", "bel\x07teken", "text", "Bevat een teken dat hier niet mag (U+0007)."),
        ("1:geldfit", "met mezelf", "choice", "Kies iemand uit je gesprekspartners"),
        ("9:geldfit", "onbekend", "choice", "Kies iemand uit je gesprekspartners"),
        ("2:gemeentepolis", "niet gedeeld", "choice", "Kies een product dat jullie allebei"),
        ("onzin", "wat dan ook", "choice", "Kies iemand uit je gesprekspartners"),
        ("", "leeg", "choice", "Kies iemand uit je gesprekspartners"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, pair, choice, text, field, message):
    anna, _ = pair
    response = client.post(form_url(anna["token"]), data={"choice": choice, "text": text})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "De afspraak is niet vastgelegd." in html
    assert message in html
    assert f'id="{field}-error"' in html
    assert f'aria-describedby="{field}-hint {field}-error"' in html
    assert stored() == 0


def test_the_same_agreement_twice_is_a_conflict_either_way(client, pair):
    anna, bram = pair
    data = {"choice": "2:geldfit", "text": "Samen een pilot"}
    assert client.post(form_url(anna["token"]), data=data).status_code == 302
    again = client.post(form_url(anna["token"]), data=data)
    assert again.status_code == 409
    assert "Jullie afspraak over Geldfit staat al op je bon." in again.get_data(as_text=True)
    back = client.post(form_url(bram["token"]), data={"choice": "1:geldfit", "text": "Ook"})
    assert back.status_code == 409
    other_product = {"choice": "2:vroegsignalering", "text": "Anna laat zien hoe het werkt"}
    assert client.post(form_url(anna["token"]), data=other_product).status_code == 302
    assert stored() == 2


def test_a_visitor_without_matches_is_told_so(client, store, make_checkout):
    alone = make_checkout({"geldfit": "want"}, name="Anna", organisation="Breda")
    html = client.get(form_url(alone["token"])).get_data(as_text=True)
    assert "Je hebt nog geen gesprekspartners" in html
    assert 'name="choice"' not in html


def test_an_unknown_token_is_404(client, store):
    assert client.get(form_url("geen-echte-bon")).status_code == 404
    assert client.post(form_url("geen-echte-bon"), data={"text": "x"}).status_code == 404


def test_erasing_either_receipt_deletes_the_agreement(client, pair):
    anna, bram = pair
    client.post(form_url(anna["token"]), data={"choice": "2:geldfit", "text": "Samen"})
    assert stored() == 1
    assert client.delete(f"/api/v1/receipts/{bram['token']}").status_code == 204
    db.session.expire_all()
    assert stored() == 0
    html = client.get(f"/r/{anna['token']}").get_data(as_text=True)
    assert "Samen”" not in html


def test_erasing_on_the_receipt_page_deletes_it_too(client, pair):
    anna, _ = pair
    client.post(form_url(anna["token"]), data={"choice": "2:geldfit", "text": "Samen"})
    assert client.post(f"/r/{anna['token']}/wissen").status_code == 302
    db.session.expire_all()
    assert stored() == 0


def test_counts_per_event_for_the_statistics(app, client, pair, make_event, make_checkout):
    anna, bram = pair
    client.post(form_url(anna["token"]), data={"choice": "2:geldfit", "text": "Samen"})
    client.post(form_url(bram["token"]), data={"choice": "1:vroegsignalering", "text": "Leren"})
    make_event("zwolle-2026", name="Zwolle", city="Zwolle")
    breda, zwolle = get_event("breda-2026"), get_event("zwolle-2026")
    assert count_agreements([breda]) == 2
    assert count_agreements([zwolle]) == 0
    assert count_agreements([breda, zwolle]) == 2
    assert count_agreements([]) == 0


def test_the_service_checks_what_the_form_cannot(app, pair):
    anna, _ = pair
    checkout = find_checkout_by_token(anna["token"])
    agreement = record_agreement(checkout, 2, "geldfit", "Samen\tverder")
    assert (agreement.text, agreement.partner.number, agreement.product.slug) == (
        "Samen verder",
        2,
        "geldfit",
    )
    with pytest.raises(ConflictError):
        record_agreement(checkout, 2, "geldfit", "nog eens")
    with pytest.raises(ValidationError) as problem:
        record_agreement(checkout, None, None, None)
    assert set(problem.value.fields) == {"choice", "text"}
    db.session.commit()
    lines = agreements_of(checkout)
    assert [(line.author.number, line.partner.number, line.text) for line in lines] == [
        (1, 2, "Samen verder")
    ]
    assert lines[0].other_than(1).name == "Bram"


def test_a_visitor_can_record_at_most_twenty(app, store, make_checkout, monkeypatch):
    from popupstore.agreements import services

    monkeypatch.setattr(services, "MAX_AGREEMENTS_PER_VISITOR", 1)
    anna = make_checkout({"geldfit": "want", "vroegsignalering": "want"}, name="Anna")
    make_checkout(
        {"geldfit": "want", "vroegsignalering": "want"}, name="Bram", organisation="Tilburg"
    )
    checkout = find_checkout_by_token(anna["token"])
    record_agreement(checkout, 2, "geldfit", "een")
    with pytest.raises(ConflictError, match="al 1 afspraken"):
        record_agreement(checkout, 2, "vroegsignalering", "twee")


def test_the_form_needs_its_csrf_token(make_app, store, make_checkout):
    anna = make_checkout({"geldfit": "want"}, name="Anna")
    make_checkout({"geldfit": "want"}, name="Bram", organisation="Tilburg")
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = guarded.post(form_url(anna["token"]), data={"choice": "2:geldfit", "text": "x"})
    assert response.status_code == 400
    assert stored() == 0


def test_guessing_tokens_is_rate_limited(make_app, store):
    limited = make_app(RATELIMIT_TOKEN_LOOKUP="3 per minute").test_client()
    codes = [limited.get(form_url(f"gok-{n}")).status_code for n in range(5)]
    assert codes == [404, 404, 404, 429, 429]
