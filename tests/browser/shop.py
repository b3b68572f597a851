"""What the browser tests do again and again: shop as a visitor, log in as staff, run axe."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
STAFF_PASSWORD = "geheim-wachtwoord"

# Everything a finger can land on.
TARGETS = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    "[role=button], [tabindex]:not([tabindex='-1'])"
)


def add_to_basket(page: Any, base: str, slug: str, button: str = "Wil ik") -> None:
    """Tap a product's button on its page and wait until the store says it is chosen
    (in place with JavaScript, on the page it returns to without)."""
    page.goto(f"{base}/product/{slug}")
    page.locator(".product__buy").get_by_role("button", name=button).click()
    page.locator(".product__buy button[aria-pressed=true]", has_text=button).wait_for()


def fill_basket(page: Any, base: str) -> None:
    add_to_basket(page, base, "geldfit", "Wil ik")
    add_to_basket(page, base, "vroegsignalering", "Doen we al")


# Where a checkout ends: the booth tablet's receipt, or a phone's own receipt page.
RECEIPT_URL = re.compile(r".*/(kassabon|r/[A-Za-z0-9_-]+)$")


def check_out(page: Any, base: str, name: str = "Anna", email: str = "") -> None:
    """Check out the basket on the store's own form; ends on the receipt (the booth's
    /kassabon in kiosk mode, else the device's own /r/<token>)."""
    page.goto(f"{base}/afrekenen")
    page.get_by_label("Je voornaam").fill(name)
    page.get_by_label("Je organisatie").fill("Breda")
    if email:
        page.get_by_label("Je e-mailadres (mag leeg blijven)").fill(email)
    page.get_by_label("Anderen mogen mij als gesprekspartner zien").check()
    page.locator("form.checkout__form button[type=submit]").click()
    page.wait_for_url(RECEIPT_URL)


def staff_login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


def kiosk_cookie(app: Flask, url: str) -> dict[str, Any]:
    """The cookie staff give the booth tablet, for tests that start in kiosk mode."""
    from popupstore.kiosk.services import KIOSK_COOKIE, turn_kiosk_on

    with app.test_request_context("/"):
        marked = Response()
        turn_kiosk_on(marked)
    value = marked.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
    return {"name": KIOSK_COOKIE, "value": value, "url": url}


def axe_violations(page: Any) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, one line each."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_AA,
    )
    lines = []
    for violation in result["violations"]:
        for node in violation["nodes"]:
            lines.append(
                f"{violation['id']} ({violation['impact']}): {json.dumps(node['target'])} "
                f"{node['failureSummary'].splitlines()[-1].strip()}"
            )
    return lines


def small_targets(page: Any, minimum: float = 44) -> list[str]:
    """Visible tap targets smaller than `minimum` CSS px either way, measured as rendered."""
    found: list[str] = page.evaluate(
        """([selector, minimum]) => {
            const out = [];
            for (const el of document.querySelectorAll(selector)) {
                if (el.closest('dialog:not([open])')) continue;
                const style = getComputedStyle(el);
                if (style.visibility === 'hidden' || style.display === 'none') continue;
                const box = el.getBoundingClientRect();
                if (box.width === 0 && box.height === 0) continue;
                if (box.width + 0.01 < minimum || box.height + 0.01 < minimum) {
                    const name = (el.innerText || el.value || el.name || el.id || '').trim();
                    out.push(`${el.tagName.toLowerCase()} "${name.slice(0, 40)}" `
                        + `${box.width.toFixed(1)}x${box.height.toFixed(1)}`);
                }
            }
            return out;
        }""",
        [TARGETS, minimum],
    )
    return found


def sideways_overflow(page: Any) -> float:
    """How many CSS px the page is wider than the window (0 when nothing scrolls sideways)."""
    width: float = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return width


def record_requests(page: Any) -> Callable[[], list[str]]:
    """Start noting every URL the page asks for; call the result to read them."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return lambda: list(seen)
