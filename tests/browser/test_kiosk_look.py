"""What a visitor sees and feels: the language switch, feedback on a tap, the printed receipt."""

from __future__ import annotations

import pytest

from .shop import add_to_basket


@pytest.mark.browser
def test_the_language_switch_keeps_the_basket_and_the_page(live_server, store, page, screenshot):
    base = live_server.url
    add_to_basket(page, base, "geldfit")
    page.goto(base + "/producten?thema=digitaal")
    assert page.locator("html").get_attribute("lang") == "nl"
    english = page.get_by_role("button", name="English")
    assert english.get_attribute("aria-pressed") == "false"
    english.click()
    page.wait_for_selector("html[lang=en]")
    assert page.url == base + "/producten?thema=digitaal"
    assert page.locator("h1").inner_text() == "Shelf: Digitaal"
    assert page.locator("#basket-count").inner_text() == "1"
    assert page.get_by_role("button", name="English").get_attribute("aria-pressed") == "true"
    page.goto(base + "/")
    assert page.locator("h1").inner_text() == "Welcome to the pop-up store"
    screenshot(page, "start-in-english")
    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_selector("html[lang=nl]")
    assert page.locator("h1").inner_text() == "Welkom in de pop-up store"
    assert page.locator("#basket-count").inner_text() == "1"


@pytest.mark.browser
@pytest.mark.parametrize(
    "selector",
    [
        ".hero .button--primary",
        ".tile",
        ".store-nav__link",
        ".lang-switch__button[aria-pressed=false]",
        "article.card .button--want",
    ],
)
def test_every_kind_of_tap_target_answers_the_moment_it_is_pressed(
    live_server, store, page, selector
):
    page.goto(live_server.url + ("/producten" if "card" in selector else "/"))
    target = page.locator(selector).first
    box = target.bounding_box()

    def look() -> tuple[str, str, str]:
        return target.evaluate(
            "el => { const s = getComputedStyle(el); "
            "return [s.transform, s.backgroundColor, s.boxShadow]; }"
        )

    resting = look()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(150)
    pressed = look()
    page.mouse.move(0, 0)
    page.mouse.up()
    assert pressed != resting


@pytest.mark.browser
def test_a_printed_receipt_is_just_the_paper(live_server, store, make_checkout, page):
    receipt = make_checkout({"geldfit": "want"}, name="Bram")
    page.goto(f"{live_server.url}/r/{receipt['token']}")
    assert page.get_by_role("button", name="Bon afdrukken").is_visible()
    page.emulate_media(media="print")
    for hidden in (".store-header", ".store-footer", ".erase-box", ".receipt-actions"):
        assert not page.locator(hidden).is_visible(), hidden
    assert page.locator(".receipt").is_visible()
    assert page.locator(".receipt .qr").is_visible()
    assert page.locator("body").evaluate("el => getComputedStyle(el).backgroundColor") in (
        "rgb(255, 255, 255)",
        "rgba(0, 0, 0, 0)",
    )
