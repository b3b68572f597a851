"""A visitor proposes a product on their phone; the organiser takes it into the store; the
visitor's receipt says so, and the shop credits them (real Chromium)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .shop import add_to_basket, axe_violations, staff_login


def test_propose_on_a_phone_and_approve_as_organiser(
    live_server, store, make_user, browser, page, screenshot
):
    base = live_server.url
    phone_context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="nl-NL"
    )
    phone = phone_context.new_page()
    # The visitor shops and checks out on their own phone.
    add_to_basket(phone, base, "geldfit")
    phone.goto(f"{base}/afrekenen")
    phone.get_by_label("Je voornaam").fill("Lisa")
    phone.get_by_label("Je organisatie").fill("Breda")
    phone.locator("form.checkout__form button[type=submit]").click()
    # A phone is not the booth's kiosk: it lands on its own receipt page.
    phone.wait_for_url("**/r/*")
    receipt_url = phone.url

    phone.get_by_role("link", name="Stel een product voor").click()
    assert phone.get_by_label("Organisatie die het uitvoert").input_value() == "Breda"
    # Nothing filled in: the errors are shown and the summary takes the focus.
    phone.get_by_role("button", name="Voorstel insturen").click()
    expect(phone.locator("#error-summary")).to_be_focused()
    assert "Naam van het product: Vul dit in." in phone.locator("#error-summary").inner_text()
    assert axe_violations(phone) == []
    screenshot(phone, "1-proposal-errors")
    phone.get_by_label("Naam van het product").fill("Budgetcafé")
    phone.get_by_label("In één zin: wat is het?").fill("Elke week een inloop voor geldvragen.")
    phone.get_by_label("Wat doet het?").fill("Vrijwilligers helpen met post.\n\nZonder afspraak.")
    phone.get_by_label("Organisatie die het uitvoert").fill("Bibliotheek Breda")
    phone.get_by_label("Contact (mag leeg blijven)").fill("lisa@bibliotheek.example")
    phone.get_by_role("button", name="Voorstel insturen").click()
    phone.wait_for_url(receipt_url + "#voorstellen")
    assert "Dank je!" in phone.locator(".flashes").inner_text()
    mine = phone.locator("#voorstellen")
    assert "Budgetcafé: de organisatie bekijkt je voorstel." in " ".join(mine.inner_text().split())
    screenshot(phone, "2-proposal-on-receipt")

    # The organiser sees it waiting and takes it into the store.
    make_user("olga", "organiser")
    staff_login(page, base, "olga")
    menu = page.locator(".store-nav").get_by_role(
        "link", name=re.compile(r"^Voorstellen\W+1 wacht$")
    )
    menu.click()
    assert "1 voorstel wacht" in page.locator("#pending-title").inner_text()
    page.get_by_role("link", name="Budgetcafé").click()
    assert page.get_by_label("Korte naam (slug)").input_value() == "budgetcafe"
    page.get_by_label("Thema").fill("Preventie")
    screenshot(page, "3-review")
    page.get_by_role("button", name="Opnemen", exact=True).click()
    page.wait_for_url("**/organisator/voorstellen")
    assert "'Budgetcafé' ligt nu in de winkel." in page.locator(".flashes").inner_text()

    # The visitor's receipt says so (it refreshes on a reload), and the shop credits them.
    phone.reload()
    mine = " ".join(phone.locator("#voorstellen").inner_text().split())
    assert "ligt nu in de winkel als 'Budgetcafé'." in mine
    phone.locator("#voorstellen").get_by_role("link", name="Bekijk het product").click()
    phone.wait_for_url("**/product/budgetcafe")
    credit = phone.locator(".product__text").inner_text()
    assert "Aangedragen door Bibliotheek Breda tijdens Samen Organiseren Breda." in credit
    assert "lisa@bibliotheek.example" not in phone.content()
    screenshot(phone, "4-product-with-credit")
    phone_context.close()
