"""Touch and small screens, measured in real Chromium on every kiosk page.

Every link, button and field is at least 44 x 44 CSS px as rendered; no page scrolls
sideways on a landscape or portrait tablet, a 360-px phone, or at 320 px (200 % zoom).
"""

from __future__ import annotations

from typing import Any

import pytest

from popupstore.extensions import db

from .shop import (
    add_to_basket,
    check_out,
    kiosk_cookie,
    sideways_overflow,
    small_targets,
)

VIEWPORTS = {
    "tablet-landscape": {"width": 1280, "height": 800},
    "tablet-portrait": {"width": 800, "height": 1280},
    "phone-360": {"width": 360, "height": 740},
    "zoom-200-320": {"width": 320, "height": 640},
}


def kiosk_pages(page: Any, base: str, token: str) -> Any:
    """Walk a visitor through every kiosk page; yields each page's name once it is shown."""
    page.goto(base + "/")
    yield "start"
    page.goto(base + "/producten")
    yield "products"
    page.goto(base + "/producten?q=schulden&thema=vroegsignalering")
    yield "search"
    add_to_basket(page, base, "geldfit")
    yield "product"
    add_to_basket(page, base, "vroegsignalering", "Doen we al")
    page.goto(base + "/mandje")
    yield "basket"
    page.goto(base + "/afrekenen")
    yield "checkout"
    page.locator("form.checkout__form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    # The summary is in the DOM before the stylesheet has been applied: measure the page
    # as the visitor sees it, once it has loaded.
    page.wait_for_load_state("load")
    yield "checkout-errors"
    check_out(page, base)
    yield "kiosk-receipt"
    page.goto(f"{base}/r/{token}")
    yield "receipt"
    page.goto(f"{base}/r/{token}/wissen")
    yield "erase"
    page.goto(base + "/gewist")
    yield "erased"
    page.goto(base + "/bestaat-niet")
    yield "not-found"
    page.goto(base + "/kiosk/ontgrendelen")
    yield "unlock"


@pytest.mark.browser
@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=list(VIEWPORTS))
def test_kiosk_pages_fit_fingers_and_the_screen(
    viewport, browser, live_server, live_app, store, make_checkout, screenshot
):
    from popupstore.kiosk.services import set_pin

    set_pin("2468")
    db.session.commit()
    receipt = make_checkout({"geldfit": "want"}, name="Bram")
    mobile = viewport["width"] < 500
    context = browser.new_context(
        viewport=viewport, is_mobile=mobile, has_touch=True, locale="nl-NL"
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        problems: dict[str, Any] = {}
        for name in kiosk_pages(page, live_server.url, receipt["token"]):
            small = small_targets(page)
            overflow = sideways_overflow(page)
            if small or overflow > 0:
                problems[name] = {"small": small, "sideways_px": overflow}
            if name in ("start", "products", "basket", "kiosk-receipt", "receipt"):
                screenshot(page, name)
        assert problems == {}
        # The same pages as the booth tablet shows them, in kiosk mode.
        context.add_cookies([kiosk_cookie(live_app, live_server.url)])
        page.goto(live_server.url + "/")
        assert page.locator("body[data-kiosk=on]").count() == 1
        assert small_targets(page) == [] and sideways_overflow(page) == 0
    finally:
        context.close()
