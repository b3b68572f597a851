"""Product proposals through HTTP and the services: proposing, bad input, the organiser's
review (edit, approve, merge, decline), what the proposer sees, and privacy."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from popupstore.catalog.models import Product
from popupstore.events.services import get_event
from popupstore.extensions import db
from popupstore.proposals.models import Proposal

PROPOSAL = {
    "name": "Budgetcafé",
    "pitch": "Elke week een inloop waar vrijwilligers helpen met post en geld.",
    "description": "Inwoners lopen binnen met hun post.\n\nVrijwilligers helpen ter plekke.",
    "organisation": "Bibliotheek Breda",
    "contact": "lisa@bibliotheek.example",
}


def proposals() -> list[Proposal]:
    db.session.expire_all()
    return list(db.session.execute(select(Proposal).order_by(Proposal.id)).scalars())


def products() -> int:
    return db.session.execute(select(func.count(Product.id))).scalar_one()


@pytest.fixture
def receipt(store: Any, make_checkout: Any) -> dict[str, Any]:
    return make_checkout({"geldfit": "want"}, name="Anna", organisation="Breda")


def propose(client: Any, url: str, **changes: Any) -> Any:
    return client.post(url, data={**PROPOSAL, **changes})


# --- proposing -----------------------------------------------------------------------------------


def test_propose_from_a_receipt_page_and_see_it_there(client, receipt):
    token = receipt["token"]
    form = client.get(f"/r/{token}/voorstellen").get_data(as_text=True)
    # The form says what becomes public: the organisation, once taken into the store.
    assert "aangedragen door" in form and "Het komt niet in de winkel te staan" in form
    # The visitor's organisation is filled in already.
    assert 'value="Breda"' in form
    response = propose(client, f"/r/{token}/voorstellen")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/r/{token}#voorstellen"
    [stored] = proposals()
    assert (stored.name, stored.status, stored.organisation) == (
        "Budgetcafé",
        "pending",
        "Bibliotheek Breda",
    )
    assert stored.description == PROPOSAL["description"]  # line breaks kept
    assert stored.event_id == get_event("breda-2026").id
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert "Budgetcafé" in page and "de organisatie bekijkt je voorstel." in page


def test_propose_on_the_shop_floor_before_checking_out(client, store):
    assert "Wij doen iets wat hier niet ligt" in client.get("/").get_data(as_text=True)
    response = propose(client, "/voorstellen")
    assert response.headers["Location"] == "/voorstellen/bedankt"
    [stored] = proposals()
    assert stored.checkout_id is None
    # Checking out on the same device links it: the receipt shows it.
    client.post("/mandje/geldfit", data={"intent": "want"})
    client.post("/afrekenen", data={"name": "Bo", "organisation": "Tilburg"})
    page = client.get("/kassabon", follow_redirects=True).get_data(as_text=True)
    assert "Budgetcafé" in page and "de organisatie bekijkt je voorstel." in page
    [stored] = proposals()
    assert stored.checkout_id is not None
    # The next visitor on the tablet starts without it.
    client.post("/klaar")
    client.post("/mandje/geldfit", data={"intent": "want"})
    client.post("/afrekenen", data={"name": "Cor", "organisation": "Oss"})
    assert "Budgetcafé" not in client.get("/kassabon", follow_redirects=True).get_data(as_text=True)


def test_after_checking_out_a_proposal_goes_on_the_receipt(client, store):
    client.post("/mandje/geldfit", data={"intent": "want"})
    client.post("/afrekenen", data={"name": "Bo", "organisation": "Tilburg"})
    assert 'value="Tilburg"' in client.get("/voorstellen").get_data(as_text=True)
    response = propose(client, "/voorstellen")
    assert response.headers["Location"] == "/kassabon#voorstellen"
    assert "Budgetcafé" in client.get("/kassabon", follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": ""}, "name", "Vul dit in."),
        ({"name": "   \u200b "}, "name", "Bevat geen zichtbare tekens."),
        ({"name": "x" * 10_000}, "name", "Hoogstens 120 tekens."),
        ({"pitch": "y" * 10_000}, "pitch", "Hoogstens 200 tekens."),
        ({"description": "z" * 10_000}, "description", "Hoogstens 1500 tekens."),
        ({"description": "woord " * 151}, "description", "Hoogstens 150 woorden"),
        ({"name": "Budget\x07café"}, "name", "U+0007"),
        ({"organisation": "Biblio\u202etheek"}, "organisation", "U+202E"),
        ({"contact": "lisa\x00@example"}, "contact", None),
        ({"organisation": ""}, "organisation", "Vul dit in."),
    ],
)
def test_bad_proposals_are_refused_at_the_field_and_store_nothing(
    client, receipt, changes, field, words
):
    response = propose(client, f"/r/{receipt['token']}/voorstellen", **changes)
    if words is None:  # a NUL byte never reaches the form: the whole request is refused
        assert response.status_code == 400
    else:
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert "Het voorstel klopt niet." in page
        assert f'id="{field}-error"' in page and words in page
    assert proposals() == []


def test_no_active_event_no_proposal(client, load_test_products):
    load_test_products()
    assert "geen evenement actief" in client.get("/voorstellen").get_data(as_text=True)
    response = propose(client, "/voorstellen")
    assert response.status_code == 409
    assert proposals() == []


def test_a_visitor_proposes_ten_at_most(client, receipt):
    for number in range(10):
        assert (
            propose(client, f"/r/{receipt['token']}/voorstellen", name=f"A{number}").status_code
            == 302
        )
    refused = propose(client, f"/r/{receipt['token']}/voorstellen", name="Nog één")
    assert refused.status_code == 409 and len(proposals()) == 10


def test_a_wrong_token_is_a_plain_404(client, store):
    assert client.get("/r/bestaat-niet/voorstellen").status_code == 404
    assert propose(client, "/r/bestaat-niet/voorstellen").status_code == 404
    assert proposals() == []


# --- the organiser --------------------------------------------------------------------------------


@pytest.fixture
def pending(client: Any, receipt: dict[str, Any]) -> Proposal:
    assert propose(client, f"/r/{receipt['token']}/voorstellen").status_code == 302
    return proposals()[0]


def test_only_organisers_review(client, pending, login):
    login("facilitator")
    assert client.get("/organisator/voorstellen").status_code == 403
    assert (
        client.post(
            f"/organisator/voorstellen/{pending.id}/afwijzen", data={"reason": "Nee"}
        ).status_code
        == 403
    )
    assert proposals()[0].status == "pending"


def test_approve_puts_it_in_the_catalog_with_its_credit(client, receipt, pending, login):
    login("organiser")
    assert "1 voorstel wacht" in client.get("/organisator/voorstellen").get_data(as_text=True)
    review = client.get(f"/organisator/voorstellen/{pending.id}").get_data(as_text=True)
    assert 'value="budgetcafe"' in review  # a slug suggested from the name
    # The organiser edits the pitch first.
    edited = client.post(
        f"/organisator/voorstellen/{pending.id}",
        data={**PROPOSAL, "pitch": "Inloop voor geldvragen."},
    )
    assert edited.status_code == 302
    assert proposals()[0].pitch == "Inloop voor geldvragen."
    before = products()
    response = client.post(
        f"/organisator/voorstellen/{pending.id}/opnemen",
        data={"slug": "budgetcafe", "theme": "Preventie"},
    )
    assert response.status_code == 302
    product = db.session.execute(select(Product).where(Product.slug == "budgetcafe")).scalar_one()
    assert products() == before + 1
    assert (product.name, product.theme, product.summary, product.owner, product.contact) == (
        "Budgetcafé",
        "Preventie",
        "Inloop voor geldvragen.",
        "Bibliotheek Breda",
        None,  # the proposer's contact was for the organiser only
    )
    [decided] = proposals()
    assert (decided.status, decided.product_id, decided.decided_by) == (
        "approved",
        product.id,
        "staff-organiser",
    )
    shop = client.get("/product/budgetcafe").get_data(as_text=True)
    assert "Aangedragen door Bibliotheek Breda tijdens Samen Organiseren Breda." in shop
    assert "lisa@bibliotheek.example" not in shop
    # In the YAML download, which loads back as it is.
    download = client.get("/organisator/catalogus/producten.yaml")
    entries = {p["slug"]: p for p in yaml.safe_load(download.get_data(as_text=True))["products"]}
    assert entries["budgetcafe"]["owner"] == "Bibliotheek Breda"
    # The proposer sees it on the receipt.
    receipt_page = client.get(f"/r/{receipt['token']}").get_data(as_text=True)
    assert "ligt nu in de winkel als 'Budgetcafé'." in receipt_page
    # A second decision is refused.
    again = client.post(
        f"/organisator/voorstellen/{pending.id}/afwijzen", data={"reason": "Toch niet"}
    )
    assert again.status_code == 409 and proposals()[0].status == "approved"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"slug": "Budget Café", "theme": "Preventie"}, "kleine letters"),
        ({"slug": "geldfit", "theme": "Preventie"}, "bestaat al"),
        ({"slug": "budgetcafe", "theme": ""}, "Vul dit in."),
    ],
)
def test_a_bad_approval_changes_nothing(client, pending, login, data, words):
    login("organiser")
    before = products()
    response = client.post(f"/organisator/voorstellen/{pending.id}/opnemen", data=data)
    assert response.status_code in (409, 422)
    assert words in response.get_data(as_text=True)
    assert products() == before and proposals()[0].status == "pending"


def test_merge_adds_the_organisation_as_a_second_owner(client, receipt, pending, login):
    login("organiser")
    response = client.post(
        f"/organisator/voorstellen/{pending.id}/samenvoegen", data={"product": "geldfit"}
    )
    assert response.status_code == 302
    geldfit = db.session.execute(select(Product).where(Product.slug == "geldfit")).scalar_one()
    assert geldfit.owner == "NVB en partners; Bibliotheek Breda"
    assert proposals()[0].status == "merged"
    page = client.get(f"/r/{receipt['token']}").get_data(as_text=True)
    assert "samengevoegd met 'Geldfit'; je organisatie staat erbij." in page


def test_merge_into_a_retired_or_unknown_product_is_refused(client, pending, login):
    login("organiser")
    retired = client.post(
        f"/organisator/voorstellen/{pending.id}/samenvoegen", data={"product": "oude-aanpak"}
    )
    assert retired.status_code == 422
    assert "ligt niet meer in de winkel" in retired.get_data(as_text=True)
    unknown = client.post(
        f"/organisator/voorstellen/{pending.id}/samenvoegen", data={"product": "nee"}
    )
    assert unknown.status_code == 422
    db.session.expire_all()
    old = db.session.execute(select(Product).where(Product.slug == "oude-aanpak")).scalar_one()
    assert old.owner == "Niemand meer" and proposals()[0].status == "pending"


def test_decline_needs_a_reason_that_the_proposer_sees(client, receipt, pending, login):
    login("organiser")
    empty = client.post(f"/organisator/voorstellen/{pending.id}/afwijzen", data={"reason": " "})
    assert empty.status_code == 422 and proposals()[0].status == "pending"
    response = client.post(
        f"/organisator/voorstellen/{pending.id}/afwijzen",
        data={"reason": "Lijkt op Geldfit; kijk daar eens."},
    )
    assert response.status_code == 302
    assert proposals()[0].status == "declined"
    page = client.get(f"/r/{receipt['token']}").get_data(as_text=True)
    assert "niet opgenomen. Reden: Lijkt op Geldfit; kijk daar eens." in page
    # Declined proposals are never public.
    for url in ("/", "/producten", "/producten?q=budget"):
        assert "Budgetcafé" not in client.get(url).get_data(as_text=True)


def test_unknown_proposals_are_404(client, store, login):
    login("organiser")
    assert client.get("/organisator/voorstellen/999").status_code == 404
    assert (
        client.post("/organisator/voorstellen/999/afwijzen", data={"reason": "x"}).status_code
        == 404
    )


def test_statistics_count_proposals_per_event(client, receipt, login, make_event, make_checkout):
    login("organiser")
    for name in ("Een", "Twee", "Drie"):
        propose(client, f"/r/{receipt['token']}/voorstellen", name=name)
    first, second, _third = proposals()
    client.post(
        f"/organisator/voorstellen/{first.id}/opnemen", data={"slug": "een", "theme": "Digitaal"}
    )
    client.post(f"/organisator/voorstellen/{second.id}/afwijzen", data={"reason": "Bestaat al"})
    page = client.get("/organisator/statistiek").get_data(as_text=True)
    section = page.split('id="proposal-stats-title"')[1]
    row = section.split("Samen Organiseren Breda</th>")[1].split("</tr>")[0]
    assert re.findall(r">(\d+)<", row) == ["3", "1", "0", "1", "1"]
    event_page = client.get("/organisator/evenementen/breda-2026").get_data(as_text=True)
    assert "Voorstellen van bezoekers" in event_page


def test_a_hidden_visitors_proposals_leave_the_queue(client, receipt, pending, login):
    login("organiser")
    assert "Budgetcafé" in client.get("/organisator/voorstellen").get_data(as_text=True)
    client.post("/facilitator/evenement/breda-2026/bon/1/verbergen")
    assert "Budgetcafé" not in client.get("/organisator/voorstellen").get_data(as_text=True)


# --- privacy -----------------------------------------------------------------------------------


def test_erasure_takes_pending_proposals_and_keeps_only_the_credit(client, receipt, login):
    token = receipt["token"]
    for name in ("Blijft", "Gaat"):
        propose(client, f"/r/{token}/voorstellen", name=name)
    kept, _gone = proposals()
    login("organiser")
    client.post(
        f"/organisator/voorstellen/{kept.id}/opnemen", data={"slug": "blijft", "theme": "Digitaal"}
    )
    assert client.delete(f"/api/v1/receipts/{token}").status_code == 204
    [left] = proposals()
    assert (left.name, left.organisation, left.contact, left.checkout_id) == (
        "Blijft",
        "Bibliotheek Breda",
        None,
        None,
    )
    assert "Aangedragen door Bibliotheek Breda" in client.get("/product/blijft").get_data(
        as_text=True
    )


def test_purge_empties_proposal_contacts_of_the_event(client, receipt, runner):
    propose(client, f"/r/{receipt['token']}/voorstellen")
    result = runner.invoke(args=["purge-personal-data", "breda-2026"])
    assert result.exit_code == 0
    [stored] = proposals()
    assert stored.contact is None and stored.name == "Budgetcafé"


# --- from an evaluation answer -----------------------------------------------------------------


def test_propose_from_text_makes_a_pending_proposal(app, store):
    from popupstore.errors import ValidationError
    from popupstore.proposals.services import propose_from_text

    answer = (
        "Een spreekuur over schulden in de moskee. Daar komen mensen die nergens anders "
        "komen.\nWe doen dat in Tilburg sinds 2022. " + "Heel goed. " * 200
    )
    made = propose_from_text(store, answer)
    db.session.commit()
    assert (made.status, made.source, made.organisation, made.checkout_id) == (
        "pending",
        "evaluation",
        None,
        None,
    )
    assert made.name == "Een spreekuur over schulden in de moskee."
    assert len(made.pitch) <= 200 and made.pitch.startswith("Een spreekuur")
    assert len(made.description.split()) <= 150 and made.description.endswith("…")
    assert "\n" in made.description
    with_owner = propose_from_text(store, "Budgetcoaches aan huis", "Humanitas")
    db.session.commit()
    assert (with_owner.name, with_owner.description, with_owner.organisation) == (
        "Budgetcoaches aan huis",
        "Budgetcoaches aan huis",
        "Humanitas",
    )
    for bad in ("", "   ", "beep\x07"):
        with pytest.raises(ValidationError):
            propose_from_text(store, bad)
    db.session.rollback()
    assert len(proposals()) == 2


def test_a_proposal_from_an_evaluation_needs_an_organisation_before_approval(
    app, client, store, login
):
    from popupstore.proposals.services import propose_from_text

    made = propose_from_text(store, "Een budgetcafé in de bibliotheek.")
    db.session.commit()
    login("organiser")
    refused = client.post(
        f"/organisator/voorstellen/{made.id}/opnemen", data={"slug": "cafe", "theme": "Preventie"}
    )
    assert refused.status_code == 422
    assert "Vul eerst de organisatie in" in refused.get_data(as_text=True)
    assert "uit de evaluatie" in client.get("/organisator/voorstellen").get_data(as_text=True)
