"""The booth tablet left alone: "Ben je er nog?", then a clean start for the next visitor.

Runs with a short idle time (POPUPSTORE_KIOSK_IDLE_SECONDS) and countdown; kiosk mode is
switched on the way staff do it, through the login and the kiosk page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from popupstore.extensions import db

from .conftest import LiveServer
from .shop import add_to_basket, axe_violations, check_out, fill_basket, staff_login

IDLE_SECONDS = 5
WARNING_SECONDS = 3


@pytest.fixture
def kiosk_app(make_app: Callable[..., Flask], request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app with a short idle time, or the one a test names through `indirect`."""
    app = make_app(
        WTF_CSRF_ENABLED=True,
        KIOSK_IDLE_SECONDS=getattr(request, "param", IDLE_SECONDS),
        KIOSK_WARNING_SECONDS=WARNING_SECONDS,
    )
    with app.app_context():
        yield app


@pytest.fixture
def kiosk(kiosk_app: Flask, store: Any, make_user: Callable[..., Any], page: Any) -> Iterator[str]:
    """A live store whose browser staff have just put in kiosk mode; yields its URL."""
    from popupstore.kiosk.services import set_pin

    set_pin("2468")
    db.session.commit()
    make_user("fien", "facilitator")
    server = LiveServer(kiosk_app).start()
    try:
        staff_login(page, server.url, "fien")
        page.goto(server.url + "/kiosk")
        page.get_by_role("button", name="Zet dit apparaat in kioskmodus").click()
        page.wait_for_selector("body[data-kiosk=on]")
        yield server.url
    finally:
        server.stop()


def dialog(page: Any) -> Any:
    return page.get_by_role("alertdialog")


def wait_for_warning(page: Any) -> None:
    dialog(page).wait_for(state="visible", timeout=(IDLE_SECONDS + 5) * 1000)


@pytest.mark.browser
def test_idle_warning_is_an_accessible_modal_that_keeps_the_basket(kiosk, page, screenshot):
    add_to_basket(page, kiosk, "geldfit")
    page.goto(kiosk + "/afrekenen")
    page.get_by_label("Je voornaam").fill("Anna")

    wait_for_warning(page)
    assert dialog(page).get_attribute("aria-labelledby") == "idle-title"
    assert page.locator("#idle-title").inner_text() == "Ben je er nog?"
    # Announced as an alert dialog, with the reason as its description, focus on "Ja, verder".
    assert page.locator("#idle-dialog").get_attribute("aria-describedby") == "idle-text"
    assert "begint de winkel opnieuw" in page.locator("#idle-text").inner_text()
    # The number that counts down says what it counts.
    count, unit = page.locator(".idle-dialog__count").inner_text().split()
    assert int(count) <= WARNING_SECONDS and unit == "seconden"
    expect(page.get_by_role("button", name="Ja, verder")).to_be_focused()
    assert page.evaluate("document.getElementById('idle-dialog').open")
    assert axe_violations(page) == []
    screenshot(page, "idle-warning")
    # Focus stays in the dialog.
    for _ in range(4):
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('#idle-dialog')")
    # Escape means "still here": the dialog closes, nothing is lost.
    page.keyboard.press("Escape")
    dialog(page).wait_for(state="hidden")
    assert page.get_by_label("Je voornaam").input_value() == "Anna"
    assert page.locator("#basket-count").inner_text() == "1"

    wait_for_warning(page)
    first = int(page.locator("[data-idle-count]").inner_text())
    page.wait_for_timeout(1200)
    assert int(page.locator("[data-idle-count]").inner_text()) < first
    page.get_by_role("button", name="Ja, verder").click()
    dialog(page).wait_for(state="hidden")
    assert page.url.endswith("/afrekenen")
    assert page.get_by_label("Je voornaam").input_value() == "Anna"


@pytest.mark.browser
def test_nobody_touching_the_kiosk_clears_the_visitor(kiosk, page, screenshot):
    fill_basket(page, kiosk)
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    page.goto(kiosk + "/afrekenen")
    page.get_by_label("Your first name").fill("Anna")
    page.get_by_label("Your e-mail address (may be left empty)").fill("anna@breda.nl")

    wait_for_warning(page)
    assert page.locator("#idle-title").inner_text() == "Are you still there?"
    page.wait_for_url(kiosk + "/", timeout=(WARNING_SECONDS + 5) * 1000)
    # The start screen, in Dutch, with an empty basket and nothing of Anna.
    page.wait_for_selector("html[lang=nl]")
    assert page.locator("h1").inner_text() == "Welkom in de pop-up store"
    assert page.locator("#basket-count").inner_text() == "0"
    screenshot(page, "after-idle-reset")
    for step in ("back", "back", "reload"):
        if step == "back":
            page.go_back()
        else:
            page.reload()
        page.wait_for_load_state()
        content = page.content()
        assert "Anna" not in content and "anna@breda.nl" not in content
        assert page.locator("#basket-count").inner_text() == "0"


# A long idle time: these steps must not race the warning on a busy machine.
@pytest.mark.browser
@pytest.mark.parametrize("kiosk_app", [600], indirect=True)
def test_the_next_visitor_sees_nothing_of_the_one_before(kiosk, page):
    fill_basket(page, kiosk)
    check_out(page, kiosk, name="Anna", email="anna@breda.nl")
    assert "Bon nr. 1" in page.locator(".receipt__number").inner_text()
    page.get_by_role("button", name="Klaar — volgende bezoeker").click()
    page.wait_for_url(kiosk + "/")

    # Back through every page Anna saw, and reload each: nothing of her remains.
    for _ in range(6):
        page.go_back()
        page.wait_for_load_state()
        page.reload()
        content = page.content()
        assert "Anna" not in content and "anna@breda.nl" not in content, page.url
        assert "Bon nr." not in content, page.url
        assert page.locator("#basket-count").inner_text() == "0"
    # The next visitor's checkout form starts empty, with autofill off.
    fill_basket(page, kiosk)
    page.goto(kiosk + "/afrekenen")
    for label in ("Je voornaam", "Je organisatie", "Je e-mailadres (mag leeg blijven)"):
        field = page.get_by_label(label)
        assert field.input_value() == ""
        assert field.get_attribute("autocomplete") == "off"
    assert page.locator("form.checkout__form").get_attribute("autocomplete") == "off"


@pytest.mark.browser
@pytest.mark.parametrize("kiosk_app", [600], indirect=True)
def test_the_pin_takes_the_tablet_out_of_kiosk_mode(kiosk, page):
    page.goto(kiosk + "/facilitator/")
    assert page.url == kiosk + "/kiosk/ontgrendelen"
    page.get_by_label("PIN van de facilitator").fill("1111")
    page.get_by_role("button", name="Ontgrendelen").click()
    assert "Deze PIN klopt niet." in page.locator("#pin-error").inner_text()
    page.get_by_label("PIN van de facilitator").fill("2468")
    page.get_by_role("button", name="Ontgrendelen").click()
    page.wait_for_url(kiosk + "/login")
    assert page.locator("body[data-kiosk=on]").count() == 0
    assert page.locator("#idle-dialog").count() == 0
