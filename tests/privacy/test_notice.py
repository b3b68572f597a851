"""The public privacy page, the organiser's text for it, and consent at checkout."""

from __future__ import annotations

import re

from sqlalchemy import select

from popupstore.basket.models import Checkout
from popupstore.extensions import db
from popupstore.privacy.models import PrivacyNotice

from ..security.conftest import fresh_request

EDIT = "/organisator/privacy/tekst"
PARTS = {
    "controller": "Gemeente Breda, Claudius Prinsenlaan 10.\n\nMail privacy@breda.nl.",
    "purpose": "Om je te verbinden met anderen.",
    "retention": "Tot 30 dagen na de dag.",
    "rights": "Inzien, verbeteren, wissen.\r\n\r\nKlagen bij de AP.",
}


def test_the_privacy_page_is_public_and_names_controller_purpose_retention_and_rights(
    client, store
):
    response = fresh_request(client, "GET", "/privacy")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for heading in (
        "Wie is verantwoordelijk?",
        "Welke gegevens, en waarvoor?",
        "Hoe lang bewaren we ze?",
        "Wat zijn je rechten?",
    ):
        assert f">{heading}</h2>" in html
    # The default text covers the essentials in plain Dutch.
    assert "verwerkingsverantwoordelijke" in html
    assert "Mijn gegevens wissen" in html
    assert "Autoriteit Persoonsgegevens" in html
    # The active event's retention date: 12 November 2026 + 30 days.
    assert "Samen Organiseren Breda" in html
    assert "12 december 2026" in html


def test_every_page_links_to_the_privacy_page(client, store):
    for url in ("/", "/producten", "/login", "/mandje"):
        assert 'href="/privacy"' in fresh_request(client, "GET", url).get_data(as_text=True)


def test_the_organiser_sets_the_text(app, store, client_as):
    organiser = client_as("organiser")
    form = fresh_request(organiser, "GET", EDIT).get_data(as_text=True)
    # The form starts from the text now shown.
    assert "verwerkingsverantwoordelijke" in form
    saved = fresh_request(organiser, "POST", EDIT, data=PARTS)
    assert saved.status_code == 302
    html = fresh_request(app.test_client(), "GET", "/privacy").get_data(as_text=True)
    assert "<p>Gemeente Breda, Claudius Prinsenlaan 10.</p>" in html
    assert "<p>Mail privacy@breda.nl.</p>" in html
    assert "<p>Inzien, verbeteren, wissen.</p>" in html
    assert "<p>Klagen bij de AP.</p>" in html
    assert "Laatst bijgewerkt" in html
    db.session.expire_all()
    stored = db.session.execute(select(PrivacyNotice)).scalar_one()
    assert stored.updated_by == "walk-organiser"
    # Saving again updates the one row.
    fresh_request(organiser, "POST", EDIT, data={**PARTS, "purpose": "Nieuw doel."})
    db.session.expire_all()
    assert [n.purpose for n in db.session.execute(select(PrivacyNotice)).scalars()] == [
        "Nieuw doel."
    ]


def test_the_text_is_shown_as_plain_text(app, store, client_as):
    organiser = client_as("organiser")
    evil = {**PARTS, "purpose": '<script>alert("x")</script> <b>vet</b>'}
    assert fresh_request(organiser, "POST", EDIT, data=evil).status_code == 302
    html = fresh_request(app.test_client(), "GET", "/privacy").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>vet</b>" not in html
    assert "&lt;script&gt;" in html


def test_an_incomplete_text_is_refused_with_the_error_at_the_field(app, store, client_as):
    organiser = client_as("organiser")
    response = fresh_request(organiser, "POST", EDIT, data={**PARTS, "rights": "   "})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="rights-error"' in html
    textarea = re.search(r'<textarea[^>]*id="rights"[^>]*>', html).group(0)
    assert 'aria-describedby="rights-hint rights-error"' in textarea
    assert 'aria-invalid="true"' in textarea
    too_long = fresh_request(organiser, "POST", EDIT, data={**PARTS, "purpose": "x" * 5001})
    assert too_long.status_code == 422
    assert db.session.execute(select(PrivacyNotice)).first() is None


def test_facilitators_cannot_change_the_text(app, store, client_as):
    response = fresh_request(client_as("facilitator"), "POST", EDIT, data=PARTS)
    assert response.status_code == 403
    assert db.session.execute(select(PrivacyNotice)).first() is None


# --- consent -------------------------------------------------------------------------------


def test_consent_on_the_kiosk_is_explicit_and_unticked(app, client, store):
    fresh_request(client, "POST", "/mandje/geldfit", data={"intent": "want"})
    html = fresh_request(client, "GET", "/afrekenen").get_data(as_text=True)
    box = re.search(r'<input[^>]*id="share_contact"[^>]*>', html).group(0)
    assert 'type="checkbox"' in box and "checked" not in box
    assert "Anderen mogen mij als gesprekspartner zien" in html
    assert "Zonder vinkje zie jij wel je gesprekspartners, maar niemand ziet jou." in html
    key = re.search(r'name="checkout_key" type="hidden" value="([^"]+)"', html).group(1)
    # Sending the form as it comes (no tick) stores no consent.
    done = fresh_request(
        client,
        "POST",
        "/afrekenen",
        data={"name": "Anna", "organisation": "Breda", "checkout_key": key},
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.execute(select(Checkout.share_contact)).scalars().all() == [False]


def test_consent_in_the_api_defaults_to_no(client, store):
    response = client.post(
        "/api/v1/events/breda-2026/checkouts",
        json={
            "items": [{"product": "geldfit", "intent": "want"}],
            "visitor": {"name": "Anna", "organisation": "Breda"},
        },
    )
    assert response.status_code == 201
    db.session.expire_all()
    assert db.session.execute(select(Checkout.share_contact)).scalars().all() == [False]


def test_the_default_notice_names_buttons_and_boxes_as_the_screens_show_them(app):
    """Every 'quoted' name in the default privacy text is the label of a button or box that
    a visitor sees, word for word."""
    import re
    from pathlib import Path

    from popupstore.privacy.services import default_notice

    templates = Path(__file__).resolve().parents[2] / "templates"
    shown = "\n".join(path.read_text(encoding="utf-8") for path in templates.rglob("*.html"))
    forms = (Path(__file__).resolve().parents[2] / "popupstore" / "basket" / "forms.py").read_text(
        encoding="utf-8"
    )
    notice = default_notice()
    quoted = re.findall(r"'([^']+)'", " ".join([notice.purpose, notice.rights]))
    assert {"Mijn gegevens wissen", "Klaar — volgende bezoeker"} <= set(quoted)
    for name in quoted:
        assert f'_("{name}")' in shown or f'_l("{name}")' in forms, name
