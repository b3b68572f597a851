"""A busy booth, measured in real Chromium at the sizes visitors use: a phone (390 x 844)
and the booth tablet (1280 x 800, both ways round), with the shipped catalog of 31
products.

A tap on "Wil ik" keeps the visitor where they were (with and without JavaScript), the
basket bar keeps "Afrekenen" in reach without covering a button, the checkout button is on
the first screen, a mistyped municipality gets "Bedoel je …?", a phone keeps its own receipt
and the receipt says whom to ask and where they sit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from popupstore.catalog.services import load_products
from popupstore.events.services import create_event, get_event
from popupstore.extensions import db
from popupstore.facilitator.services import make_table_plan

from .shop import kiosk_cookie, small_targets

SEED = Path(__file__).resolve().parents[2] / "seed_products.yaml"
PHONE = {"width": 390, "height": 844}
TABLET_LANDSCAPE = {"width": 1280, "height": 800}
TABLET_PORTRAIT = {"width": 800, "height": 1280}
SIZES = {"phone": PHONE, "tablet-landscape": TABLET_LANDSCAPE, "tablet-portrait": TABLET_PORTRAIT}
RECEIPT_PAGE = re.compile(r".*/r/[A-Za-z0-9_-]{32}$")


@pytest.fixture
def booth(live_app: Any) -> Any:
    """The shipped catalog and an active event."""
    load_products(SEED)
    event = create_event(
        "breda-2026",
        name="Samen Organiseren Breda",
        city="Breda",
        date=date(2026, 11, 12),
        activate=True,
    )
    db.session.commit()
    return event


@pytest.fixture
def open_device(browser: Any) -> Iterator[Any]:
    """Open a page on a new device of the given size (JavaScript on unless told)."""
    contexts: list[Any] = []

    def open_page(size: dict[str, int], javascript: bool = True) -> Any:
        context = browser.new_context(
            viewport=size,
            is_mobile=size["width"] < 500,
            has_touch=True,
            locale="nl-NL",
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def box(page: Any, selector: str) -> dict[str, float]:
    found: dict[str, float] = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return found


def tap(page: Any, selector: str) -> None:
    """A finger on the middle of the element as it is on the screen now (Playwright's own
    click would first scroll it into view, which no finger does)."""
    target = box(page, selector)
    page.touchscreen.tap(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2)


def card_buttons_clear_of_the_bar(page: Any, card: str) -> None:
    """The card's buttons lie wholly in the window and above the basket bar."""
    bar_top = box(page, ".basket-bar")["y"]
    for button in page.locator(f"{card} .intent-form button").all():
        b = button.bounding_box()
        assert b["y"] >= 0 and b["y"] + b["height"] <= bar_top + 0.5, (b, bar_top)


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES.values(), ids=list(SIZES))
def test_a_tap_far_down_the_shelf_keeps_the_visitor_at_the_card(
    size, live_server, booth, open_device, screenshot
):
    page = open_device(size)
    page.goto(live_server.url + "/producten")
    assert page.locator("article.card").count() == 31
    card = "#product-moneymaatje"
    page.locator(card).evaluate("el => el.scrollIntoView({block: 'center'})")
    page.evaluate("window.stillHere = true")
    before_scroll = page.evaluate("window.scrollY")
    before_card = box(page, card)["y"]
    assert before_scroll > 1500  # far down a long shelf

    tap(page, f"{card} .button--want")
    expect(page.locator(f"{card} .button--want")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-basket-count]")).to_have_text("1")
    # No new page, not one pixel moved.
    assert page.evaluate("window.stillHere") is True
    assert page.evaluate("window.scrollY") == before_scroll
    assert abs(box(page, card)["y"] - before_card) < 1
    assert page.url == live_server.url + "/producten"
    # A visible confirmation, a spoken one, and the way to the checkout.
    bar = page.locator(".basket-bar")
    expect(bar).to_be_visible()
    expect(bar.locator("[data-basket-note]")).to_contain_text("MoneyMaatje staat in je mandje")
    expect(page.locator("#announcer")).to_contain_text("MoneyMaatje staat in je mandje")
    expect(bar.get_by_role("link", name="Mandje (1)")).to_be_visible()
    expect(bar.get_by_role("link", name="Afrekenen")).to_have_attribute("href", "/afrekenen")
    expect(page.locator("#basket-count")).to_have_text("1")
    card_buttons_clear_of_the_bar(page, card)
    assert small_targets(page) == []

    # Switching to "Doen we al" moves the check mark, still in place.
    tap(page, f"{card} .button--have")
    expect(page.locator(f"{card} .button--have")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"{card} .button--want")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("[data-basket-count]")).to_have_text("1")
    assert page.evaluate("window.scrollY") == before_scroll

    # At the very end of the shelf the bar covers no button either.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last = page.locator("article.card").last.get_attribute("id")
    card_buttons_clear_of_the_bar(page, f"#{last}")
    screenshot(page, "tapped")


@pytest.mark.browser
def test_without_javascript_the_visitor_comes_back_to_the_same_card(
    live_server, booth, open_device
):
    page = open_device(PHONE, javascript=False)
    page.goto(live_server.url + "/producten?thema=jongeren")
    card = "#product-reset-rotterdam"
    page.locator(card).scroll_into_view_if_needed()
    tap(page, f"{card} .button--have")
    page.wait_for_url("**/producten?thema=jongeren#product-reset-rotterdam")
    expect(page.locator(f"{card} .button--have")).to_have_attribute("aria-pressed", "true")
    # The card is on the screen again, not the top of the shelf.
    assert page.evaluate("window.scrollY") > 0
    card_buttons_clear_of_the_bar(page, card)
    expect(page.locator(".basket-bar [data-basket-note]")).to_contain_text(
        "Reset Rotterdam staat in je mandje als 'Doen we al'."
    )


@pytest.mark.browser
def test_the_shelves_fold_into_one_list_on_a_phone(live_server, booth, open_device):
    phone = open_device(PHONE)
    phone.goto(live_server.url + "/producten")
    expect(phone.locator("nav.chips")).to_be_hidden()
    picker = phone.get_by_label("Schap", exact=True)
    expect(picker).to_be_visible()
    assert box(phone, ".shelf-picker")["height"] < 150
    picker.select_option("jongeren")
    phone.get_by_role("button", name="Toon").click()
    phone.wait_for_url("**/producten?thema=jongeren")
    assert phone.locator("article.card").count() == 4
    tablet = open_device(TABLET_LANDSCAPE)
    tablet.goto(live_server.url + "/producten")
    expect(tablet.locator("nav.chips")).to_be_visible()
    expect(tablet.locator(".shelf-picker")).to_be_hidden()


def fill_basket_and_open_checkout(page: Any, base: str) -> None:
    page.goto(base + "/producten?thema=digitaal")
    page.locator("#product-geldfit").get_by_role("button", name="Wil ik").click()
    expect(page.locator("[data-basket-count]")).to_have_text("1")
    page.locator(".basket-bar").get_by_role("link", name="Afrekenen").click()
    page.wait_for_url("**/afrekenen")


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES.values(), ids=list(SIZES))
def test_the_checkout_button_is_on_the_first_screen(
    size, live_server, booth, open_device, screenshot
):
    page = open_device(size)
    fill_basket_and_open_checkout(page, live_server.url)
    button = box(page, ".checkout__submit button")
    assert button["y"] >= 0 and button["y"] + button["height"] <= size["height"], button
    screenshot(page, "checkout")
    # Every field scrolls clear of it when it gets focus.
    for label in ("Je voornaam", "Je organisatie", "Je rol of afdeling"):
        page.get_by_label(label).focus()
        field = page.get_by_label(label).bounding_box()
        assert field["y"] + field["height"] <= box(page, ".checkout__submit")["y"] + 0.5, label
    page.get_by_label("Anderen mogen mij als gesprekspartner zien").focus()
    consent = page.get_by_label("Anderen mogen mij als gesprekspartner zien").bounding_box()
    assert consent["y"] + consent["height"] <= box(page, ".checkout__submit")["y"] + 0.5


@pytest.mark.browser
def test_a_mistyped_municipality_gets_a_suggestion_while_typing_and_on_sending(
    live_server, booth, open_device, screenshot
):
    page = open_device(TABLET_LANDSCAPE)
    fill_basket_and_open_checkout(page, live_server.url)
    page.get_by_label("Je voornaam").fill("Anna")
    organisation = page.get_by_label("Je organisatie")
    organisation.fill("Bredaa")
    hint = page.locator("[data-suggestion]")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("Bedoel je Breda?")
    hint.get_by_role("button", name="Breda?").click()
    expect(organisation).to_have_value("Breda")
    expect(hint).to_be_hidden()

    # Sent anyway with a typo: the server asks before it takes the name.
    organisation.fill("Tilbrug")
    page.locator(".checkout__submit button").click()
    suggestion = page.locator("#organisation-suggestion")
    expect(suggestion).to_contain_text("Bedoel je Tilburg?")
    expect(suggestion).to_be_focused()
    screenshot(page, "suggestion")
    suggestion.get_by_role("button", name="Ja, Tilburg").click()
    page.wait_for_url(RECEIPT_PAGE)
    expect(page.locator(".receipt__visitor")).to_contain_text("Anna · Tilburg")


@pytest.mark.browser
def test_a_phone_keeps_its_own_receipt_and_the_booth_tablet_says_klaar(
    live_server, live_app, booth, open_device, screenshot
):
    phone = open_device(PHONE)
    fill_basket_and_open_checkout(phone, live_server.url)
    phone.get_by_label("Je voornaam").fill("Anna")
    phone.get_by_label("Je organisatie").fill("Breda")
    phone.locator(".checkout__submit button").click()
    phone.wait_for_url(RECEIPT_PAGE)
    keep = phone.locator(".save-link")
    expect(keep).to_be_visible()
    expect(keep).to_contain_text("bewaar deze link")
    link = keep.locator("a[data-save-url]")
    expect(link).to_have_text(phone.url)
    assert box(phone, ".save-link")["y"] < PHONE["height"]  # on the first screen
    expect(phone.get_by_role("button", name="Klaar — volgende bezoeker")).to_have_count(0)
    assert small_targets(phone) == []
    screenshot(phone, "phone-receipt")
    # Opening the link again, later, shows the same receipt.
    phone.goto(phone.url)
    expect(phone.locator(".receipt__number")).to_contain_text("Bon nr. 1")

    tablet = open_device(TABLET_LANDSCAPE)
    tablet.context.add_cookies([kiosk_cookie(live_app, live_server.url)])
    fill_basket_and_open_checkout(tablet, live_server.url)
    tablet.get_by_label("Je voornaam").fill("Bram")
    tablet.get_by_label("Je organisatie").fill("Tilburg")
    tablet.locator(".checkout__submit button").click()
    tablet.wait_for_url("**/kassabon")
    expect(tablet.get_by_role("button", name="Klaar — volgende bezoeker")).to_be_visible()
    expect(tablet.locator("img.qr")).to_be_visible()
    expect(tablet.locator(".save-link")).to_have_count(0)


@pytest.mark.browser
def test_the_receipt_says_whom_to_ask_and_where_everyone_sits(
    live_server, booth, make_checkout, open_device, screenshot
):
    make_checkout(
        {"geldfit": "have", "vroegsignalering": "want"},
        name="Bram",
        organisation="'s-Gravenhage",
        role="Schuldhulpverlening",
    )
    make_checkout({"geldfit": "want"}, name="Cor", organisation="Middelburg (Z.)")
    make_checkout({"vroegsignalering": "want"}, name="Dirk", organisation="Zwolle")
    phone = open_device(PHONE)
    fill_basket_and_open_checkout(phone, live_server.url)
    phone.get_by_label("Je voornaam").fill("Anna")
    phone.get_by_label("Je organisatie").fill("Breda")
    phone.get_by_label("Anderen mogen mij als gesprekspartner zien").check()
    phone.locator(".checkout__submit button").click()
    phone.wait_for_url(RECEIPT_PAGE)
    ask_how = phone.locator(
        "section", has=phone.get_by_role("heading", name="Doet het al — vraag hoe")
    )
    same = phone.locator("section", has=phone.get_by_role("heading", name="Wil hetzelfde"))
    expect(ask_how).to_contain_text("Bram · Den Haag · Schuldhulpverlening")
    expect(same).to_contain_text("Cor · Middelburg")
    expect(phone.locator(".receipt")).not_to_contain_text("'s-Gravenhage")
    expect(phone.locator(".receipt")).not_to_contain_text("Middelburg (Z.)")
    expect(phone.locator("#own-table")).to_have_count(0)

    make_table_plan(get_event("breda-2026"), min_size=2, max_size=2)
    db.session.commit()
    phone.reload()
    own = phone.locator("#own-table")
    expect(own).to_have_text(re.compile(r"Jouw tafel: \d+"))
    expect(ask_how.locator(".match__table")).to_have_text(re.compile(r"tafel \d+"))
    screenshot(phone, "receipt-with-tables")
