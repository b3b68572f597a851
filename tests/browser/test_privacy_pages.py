"""In real Chromium: the privacy page, the organiser's retention date and purge, and not
one Content-Security-Policy violation on any page on the way."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from popupstore.basket.models import Checkout
from popupstore.events.services import get_event
from popupstore.extensions import db

PASSWORD = "geheim-wachtwoord"


def test_organiser_sets_retention_and_purges_without_csp_violations(
    live_server, store, make_user, make_checkout, page, screenshot
):
    make_user("olga", "organiser", PASSWORD)
    make_checkout({"geldfit": "want"}, name="Zichtbare Zoë", email="zoe@breda.nl")
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    # A visitor reads the privacy page from the footer.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Privacy").click()
    page.wait_for_url("**/privacy")
    assert page.locator("h1").inner_text() == "Privacy in de pop-up store"
    assert "12 december 2026" in page.locator("table.privacy-dates").inner_text()
    screenshot(page, "1-privacy-page")
    for path in ("/producten", "/product/geldfit", "/mandje", "/login"):
        page.goto(live_server.url + path)

    page.get_by_label("Gebruikersnaam").fill("olga")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(live_server.url + "/organisator/privacy")
    screenshot(page, "2-organiser-overview")
    page.get_by_role("link", name="Samen Organiseren Breda").click()

    page.get_by_label("Persoonsgegevens bewaren tot en met").fill("2026-11-30")
    page.get_by_role("button", name="Bewaardatum opslaan").click()
    assert "bewaard tot en met 2026-11-30" in page.locator(".flashes").inner_text()

    page.get_by_role("link", name="Persoonsgegevens wissen …").click()
    screenshot(page, "3-confirm-purge")
    page.get_by_role("button", name="Ja, wis de persoonsgegevens").click()
    # Without the tick nothing happens, and the error sits at the box.
    assert page.locator("#confirm-error").inner_text().endswith("Zet het vinkje om te bevestigen.")
    page.get_by_label("Ik begrijp dat namen").check()
    page.get_by_role("button", name="Ja, wis de persoonsgegevens").click()
    assert "1 bonnen zijn nu anoniem" in page.locator(".flashes").inner_text()
    screenshot(page, "4-purged")

    page.goto(live_server.url + "/organisator/privacy/tekst")
    page.get_by_label("Welke gegevens, en waarvoor?").fill("Alleen om elkaar te vinden.")
    page.get_by_role("button", name="Opslaan").click()
    page.goto(live_server.url + "/privacy")
    assert "Alleen om elkaar te vinden." in page.locator("main").inner_text()

    assert violations == []
    db.session.expire_all()
    assert get_event("breda-2026").retention_until == date(2026, 11, 30)
    assert db.session.execute(select(Checkout.visitor_name)).scalars().all() == [None]
