"""The mail after the day in real Chromium: a visitor ticks the choice on a phone, the mails
arrive at a real SMTP server, the follow-up's link opens the evaluation on a phone-sized
page without JavaScript, and the answers are saved; the organiser sees what came of it.

Screenshots of the mails (their HTML parts rendered by Chromium) and of the outcome report
go to tests/browser/artifacts/; docs/screenshots/ holds the ones the README shows.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from popupstore.agreements.services import record_agreement
from popupstore.basket.models import Checkout
from popupstore.catalog.services import load_products
from popupstore.events.services import create_event, get_event
from popupstore.extensions import db
from popupstore.followup.evaluation import evaluation_state, save_evaluation
from popupstore.followup.outbox import immediate_sender
from popupstore.followup.outcome import outcome_report

from ..conftest import TEST_PRODUCTS
from ..followup.conftest import days_ago, links_in
from ..mailserver import SmtpServer
from .conftest import LiveServer
from .shop import add_to_basket, axe_violations, sideways_overflow, small_targets, staff_login

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def smtp(tmp_path: Any) -> Any:
    server = SmtpServer(spool=tmp_path / "spool").start()
    yield server
    server.stop()


@pytest.fixture
def mail_live(make_app, smtp, load_test_products):
    """The store as a browser meets it (CSRF on), with mail to the test's SMTP server."""
    app = make_app(WTF_CSRF_ENABLED=True, MAIL_URL=smtp.url, MAIL_FROM="winkel@popup.test")
    with app.app_context():
        server = LiveServer(app).start()
        yield app, server
        server.stop()
        assert immediate_sender(app).wait_until_idle(30)
        db.session.remove()


def phone(browser: Any, *, javascript: bool = True) -> Any:
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="nl-NL",
        java_script_enabled=javascript,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def render_mail(browser: Any, html: str, screenshot: Any, step: str) -> None:
    """The mail's HTML part as a mail program shows it: Chromium, offline, no scripts."""
    page = phone(browser, javascript=False)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_content(html)
    assert requests == []  # nothing fetched from anywhere
    assert sideways_overflow(page) == 0
    screenshot(page, step)
    page.context.close()


@pytest.mark.browser
def test_a_mailed_link_opens_the_evaluation_on_a_phone_and_saves_it(
    browser,
    mail_live,
    smtp,
    make_user,
    screenshot,
):
    app, server = mail_live
    base = server.url
    load_products(TEST_PRODUCTS)
    create_event(
        "utrecht-dag", name="Netwerkdag Utrecht", city="Utrecht", date=days_ago(20), activate=True
    )
    db.session.commit()
    # Someone checked out before, so the visitor's receipt names a partner.
    other = app.test_client().post(
        "/api/v1/events/utrecht-dag/checkouts",
        json={
            "items": [{"product": "geldfit", "intent": "have"}],
            "visitor": {"name": "Bram", "organisation": "Tilburg", "share_contact": True},
        },
    )
    assert other.status_code == 201

    # On a phone: the basket, the checkout with the choice ticked, the receipt.
    page = phone(browser)
    add_to_basket(page, base, "geldfit", "Wil ik")
    page.goto(f"{base}/afrekenen")
    page.get_by_label("Je voornaam").fill("Anna")
    page.get_by_label("Je organisatie").fill("Breda")
    page.get_by_label("Je e-mailadres (mag leeg blijven)").fill("anna@breda.nl")
    choice = page.get_by_label("Mail mij mijn bon, en over twee weken een korte vraag hoe het ging")
    assert not choice.is_checked()
    choice.check()
    page.get_by_label("Anderen mogen mij als gesprekspartner zien").check()
    page.locator("form.checkout__form button[type=submit]").click()
    # The receipt: right after checkout, or (on a visitor's own phone) their receipt page.
    page.wait_for_url(re.compile(r".*/(kassabon|r/[A-Za-z0-9_-]+)$"))
    page.context.close()

    [receipt] = smtp.wait_for(1)
    assert receipt.to == "anna@breda.nl"
    render_mail(browser, receipt.part("html"), screenshot, "mail-receipt")
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.output.startswith("1 verstuurd"), result.output
    follow_up = smtp.wait_for(2)[1]
    render_mail(browser, follow_up.part("html"), screenshot, "mail-follow-up")
    link = next(url for url in links_in(follow_up.part("plain")) if "/evaluatie/" in url)
    assert link.startswith(base + "/evaluatie/")

    # The link, on a phone, without JavaScript.
    page = phone(browser, javascript=False)
    page.goto(link)
    assert page.get_by_role("heading", name="Hoe ging het na Netwerkdag Utrecht?").is_visible()
    assert sideways_overflow(page) == 0
    assert small_targets(page) == []
    assert axe_violations_without_script(page) == []
    partner = page.get_by_role("group", name="Bram · Tilburg")
    partner.get_by_label("Ja").check()
    page.get_by_role("group", name="Geldfit").get_by_label("In voorbereiding").check()
    page.get_by_role("group", name="Welk cijfer geef je de pop-up store?").get_by_label("4").check()
    page.get_by_label("Wat miste je in de winkel?").fill("Een aanpak voor ondernemers")
    screenshot(page, "evaluation-filled")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    assert page.get_by_text("Dank je wel! Je antwoorden zijn opgeslagen.").is_visible()
    assert page.get_by_role("group", name="Bram · Tilburg").get_by_label("Ja").is_checked()
    screenshot(page, "evaluation-saved")
    page.context.close()

    db.session.expire_all()
    anna = db.session.execute(select(Checkout).where(Checkout.visitor_name == "Anna")).scalar_one()
    state = evaluation_state(anna)
    assert [(p.name, p.answer) for p in state.partners] == [("Bram", "yes")]
    assert [(p.slug, p.status) for p in state.products] == [("geldfit", "preparing")]
    assert (state.rating, state.missed) == (4, "Een aanpak voor ondernemers")

    # More visitors answered; the organiser's report of what came of it.
    seed_a_day_of_answers(app)
    make_user("organisator", "organiser")
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    staff = desk.new_page()
    staff_login(staff, base, "organisator")
    staff.goto(f"{base}/organisator/evenementen/utrecht-dag/uitkomst")
    total = outcome_report([get_event("utrecht-dag")]).total
    assert total.evaluations == 8 and total.contacts_made >= 6
    shown = staff.locator(".figures").inner_text()
    assert re.search(rf"Vulden de evaluatie in\s*{total.evaluations}\b", shown)
    assert re.search(rf"Hadden contact\s*{total.contacts_made}\b", shown)
    assert re.search(rf"Legden een afspraak vast\s*{total.agreements_recorded}\b", shown)
    assert "Een aanpak voor ondernemers" in staff.content()
    assert axe_violations(staff) == []
    screenshot(staff, "organiser-outcome")
    staff.goto(f"{base}/organisator/evenementen/utrecht-dag/mail")
    assert axe_violations(staff) == []
    screenshot(staff, "organiser-mail")
    desk.close()


SEED = [
    ("Carla", "Breda", {"geldfit": "want", "schuldhulpmaatje": "want"}, "5", ""),
    ("Dirk", "Tilburg", {"schuldhulpmaatje": "have", "geldfit": "have"}, "4", ""),
    ("Eva", "Zwolle", {"vroegsignalering": "want", "geldfit": "want"}, "4", "Iets over incasso"),
    ("Femke", "Woonstad Rotterdam", {"vroegsignalering": "have"}, "3", ""),
    ("Gijs", "Eneco", {"vroegsignalering": "have", "geldfit": "want"}, "5", ""),
    ("Hanna", "Utrecht", {"jongeren-perspectief-fonds": "want", "geldfit": "want"}, "4", ""),
    ("Ivo", "Den Haag", {"jongeren-perspectief-fonds": "have"}, "2", "Meer voor jongeren"),
]


def seed_a_day_of_answers(app: Any) -> None:
    """Seven more visitors with evaluations and two agreements, for a report worth a look."""
    client = app.test_client()
    for name, organisation, items, _rating, _missed in SEED:
        answer = client.post(
            "/api/v1/events/utrecht-dag/checkouts",
            json={
                "items": [{"product": p, "intent": i} for p, i in items.items()],
                "visitor": {"name": name, "organisation": organisation, "share_contact": True},
            },
        )
        assert answer.status_code == 201, answer.get_json()
    checkouts = {c.visitor_name: c for c in db.session.execute(select(Checkout)).scalars()}
    for index, (name, _organisation, _items, rating, missed) in enumerate(SEED):
        state = evaluation_state(checkouts[name])
        save_evaluation(
            checkouts[name],
            contacts={
                p.number: ("yes", "planned", "no")[(index + k) % 3 if k else 0]
                for k, p in enumerate(state.partners)
            },
            products={
                p.slug: ("started", "preparing", "not")[(index + k) % 3]
                for k, p in enumerate(state.products)
            },
            rating=rating,
            missed=missed,
        )
    record_agreement(checkouts["Carla"], checkouts["Dirk"].number, "schuldhulpmaatje", "Samen")
    record_agreement(
        checkouts["Hanna"], checkouts["Ivo"].number, "jongeren-perspectief-fonds", "Fonds opzetten"
    )
    db.session.commit()


def axe_violations_without_script(page: Any) -> list[str]:
    """axe needs JavaScript: scan the same page again in a context that has it."""
    context = page.context.browser.new_context(viewport=PHONE, is_mobile=True, locale="nl-NL")
    scan = context.new_page()
    scan.goto(page.url)
    found = axe_violations(scan)
    context.close()
    return found
