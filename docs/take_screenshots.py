"""Take the README's screenshots from the demo store that `make run` shows.

    .venv/bin/python docs/take_screenshots.py          # or: make screenshots

It builds the demo in a temporary folder (`popupstore bootstrap-demo --visitors 60`), serves
it on a free local port, lets a visitor check out on a phone (ticking the series box), and
photographs the pages with Debian's Chromium through Playwright, as the browser tests do.
The pictures go to docs/screenshots/; nothing else is written.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
VISITORS = "60"
TABLET = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WALL = {"width": 1920, "height": 1080}


def build_demo(folder: Path) -> tuple[object, str]:
    """The demo store in `folder`, and the password of a staff member made for the pictures."""
    sys.path.insert(0, str(ROOT))
    from popupstore import create_app
    from popupstore.auth.services import create_user
    from popupstore.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.db'}",
            "SECRET_KEY": secrets.token_hex(16),
        },
        instance_path=str(folder / "instance"),
    )
    result = app.test_cli_runner().invoke(args=["bootstrap-demo", "--visitors", VISITORS])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    password = secrets.token_urlsafe(12)
    with app.app_context():
        create_user("fotograaf", password, "organiser")
        db.session.commit()
    return app, password


def photograph(base: str, password: str) -> None:
    from playwright.sync_api import sync_playwright

    def shoot(page: object, name: str) -> None:
        path = str(TARGET / f"{name}.png")
        page.screenshot(path=path, full_page=True)  # type: ignore[attr-defined]
        print(f"docs/screenshots/{name}.png")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        tablet = browser.new_context(viewport=TABLET, locale="nl-NL").new_page()
        tablet.goto(base + "/")
        shoot(tablet, "kiosk-start")

        phone = browser.new_context(viewport=PHONE, is_mobile=True, locale="nl-NL").new_page()
        for slug, button in (("moneymaatje", "Wil ik"), ("week-van-het-geld", "Doen we al")):
            phone.goto(f"{base}/product/{slug}")
            phone.locator(".product__buy").get_by_role("button", name=button).click()
        phone.goto(base + "/afrekenen")
        phone.get_by_label("Je voornaam").fill("Sophie")
        phone.get_by_label("Je organisatie").fill("Tilburg")
        phone.get_by_label("Anderen mogen mij als gesprekspartner zien").check()
        phone.get_by_label("Laat me ook mensen van andere dagen in deze reeks zien").check()
        phone.locator("form.checkout__form button[type=submit]").click()
        phone.wait_for_url("**/kassabon")
        phone.get_by_role("link", name="Open je bon op dit apparaat").click()
        phone.wait_for_url("**/r/*")
        shoot(phone, "receipt-phone")

        staff = browser.new_context(viewport=TABLET, locale="nl-NL").new_page()
        staff.goto(base + "/login")
        staff.get_by_label("Gebruikersnaam").fill("fotograaf")
        staff.get_by_label("Wachtwoord").fill(password)
        staff.get_by_role("button", name="Inloggen").click()
        staff.wait_for_url("**/organisator/")
        staff.goto(base + "/facilitator/evenement/demo/wand")
        staff.set_viewport_size(WALL)
        shoot(staff, "facilitator-wall")
        staff.set_viewport_size(TABLET)
        staff.goto(base + "/organisator/evenementen/demo")
        shoot(staff, "organiser-statistics")
        staff.goto(base + "/organisator/reeksen/demo-reeks")
        shoot(staff, "organiser-series")
        staff.goto(base + "/organisator/voorstellen")
        staff.get_by_role("link", name="Budgetcafé in de bibliotheek").click()
        shoot(staff, "organiser-proposal")
        browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="popupstore-screenshots-") as folder:
        app, password = build_demo(Path(folder))
        server = make_server("127.0.0.1", 0, app, threaded=True)  # type: ignore[arg-type]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            photograph(f"http://127.0.0.1:{server.server_port}", password)
        finally:
            server.shutdown()
            thread.join(timeout=10)


if __name__ == "__main__":
    main()
