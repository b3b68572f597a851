"""A visitor walks through the kiosk in real Chromium: shop, basket, checkout, receipt, QR."""

from __future__ import annotations

import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from popupstore.basket.models import Checkout
from popupstore.extensions import db

from .shop import kiosk_cookie


def checkouts() -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count(Checkout.id))).scalar_one()


def test_visitor_shops_checks_out_and_takes_the_receipt_home(
    live_server, live_app, store, page, screenshot, tmp_path
):
    # The booth tablet, put in kiosk mode by staff.
    page.context.add_cookies([kiosk_cookie(live_app, live_server.url)])
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Welkom in de pop-up store"
    screenshot(page, "1-start")

    page.get_by_role("link", name="Digitaal").click()
    card = page.locator("article.card", has_text="Geldfit")
    card.get_by_role("button", name="Wil ik").click()
    expect(page.locator("[data-basket-note]")).to_contain_text("staat in je mandje als 'Wil ik'")
    expect(page.locator("#basket-count")).to_have_text("1")

    page.goto(live_server.url + "/product/vroegsignalering")
    page.get_by_role("button", name="Doen we al").click()
    expect(page.locator("#basket-count")).to_have_text("2")
    page.locator(".store-nav__basket").click()
    screenshot(page, "2-basket")
    assert page.locator(".basket__line").count() == 2

    page.get_by_role("link", name="Afrekenen").click()
    page.get_by_label("Je voornaam").fill("Anna")
    page.get_by_label("Je organisatie").fill("Breda")
    page.get_by_label("Je rol of afdeling").fill("Schuldhulpverlening")
    consent = page.get_by_label("Anderen mogen mij als gesprekspartner zien")
    assert not consent.is_checked()
    consent.check()
    screenshot(page, "3-checkout")
    # A double tap on "Afrekenen" must give one checkout.
    page.locator("form.checkout__form button[type=submit]").dblclick()
    page.wait_for_url("**/kassabon")
    assert "Bon nr. 1" in page.locator(".receipt__number").inner_text()
    screenshot(page, "4-receipt")
    assert checkouts() == 1

    qr_src = page.locator("img.qr").get_attribute("src")
    png = page.request.get(live_server.url + qr_src)
    assert png.status == 200
    image_path = tmp_path / "qr.png"
    image_path.write_bytes(png.body())
    [code] = zxingcpp.read_barcodes(Image.open(image_path))
    assert code.text.startswith(live_server.url + "/r/")

    phone = page.context.browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    mobile = phone.new_page()
    mobile.goto(code.text)
    assert "Bon nr. 1" in mobile.locator(".receipt__number").inner_text()
    assert "Geldfit" in mobile.locator(".receipt__items").inner_text()
    screenshot(mobile, "5-receipt-on-phone")
    phone.close()

    page.get_by_role("button", name="Klaar — volgende bezoeker").click()
    page.wait_for_url(live_server.url + "/")
    assert page.locator("#basket-count").inner_text() == "0"
    # The next visitor: neither back nor reload shows anything of Anna.
    page.go_back()
    page.reload()
    assert "Anna" not in page.content()
    assert "Bon nr." not in page.content()
    screenshot(page, "6-after-reset")
