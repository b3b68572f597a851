"""axe-core scans every page in real Chromium and fails on any WCAG 2.1 A or AA violation.

A new page is one line in PAGES: its path, and if needed the staff role to log in as,
kiosk mode, or a step before (fill the basket) or after opening it (submit a bad form).
While scanning, every request the page makes must go to the store itself (no CDN).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from popupstore.extensions import db
from popupstore.followup.links import evaluation_token, unsubscribe_token
from popupstore.receipts.services import find_checkout_by_token

from .shop import (
    add_to_basket,
    axe_violations,
    check_out,
    fill_basket,
    kiosk_cookie,
    record_requests,
    staff_login,
)

Step = Callable[[Any, str], None]


def submit_empty_checkout(page: Any, base: str) -> None:
    page.locator("form.checkout__form button[type=submit]").click()
    page.wait_for_selector("#error-summary")


def fill_and_check_out(page: Any, base: str) -> None:
    fill_basket(page, base)
    check_out(page, base)


def tap_want_on_a_card(page: Any, base: str) -> None:
    page.locator("article.card .button--want").first.click()
    page.locator(".basket-bar:not(.is-empty)").wait_for()


def type_a_municipality_wrong(page: Any, base: str) -> None:
    page.get_by_label("Je voornaam").fill("Anna")
    page.get_by_label("Je organisatie").fill("Bredaa")
    page.locator("[data-suggestion]:not([hidden])").wait_for()
    page.locator("form.checkout__form .checkout__submit button").click()
    page.wait_for_selector("#organisation-suggestion")


def wrong_login(page: Any, base: str) -> None:
    page.get_by_label("Gebruikersnaam").fill("niemand")
    page.get_by_label("Wachtwoord").fill("fout-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_selector(".error-summary")


def wrong_pin(page: Any, base: str) -> None:
    page.get_by_label("PIN van de facilitator").fill("0000")
    page.get_by_role("button", name="Ontgrendelen").click()
    page.wait_for_selector("#pin-error")


def make_tables_and_pairs(page: Any, base: str) -> None:
    for button in ("Tafels indelen", "Duo's maken"):
        with page.expect_navigation():
            page.get_by_role("button", name=button).click()
    page.get_by_text("Tafel 1").first.wait_for()


def unsubscribe(page: Any, base: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Afmelden").click()
    page.get_by_text("Je bent afgemeld").wait_for()


def wrong_follow_up_date(page: Any, base: str) -> None:
    page.get_by_label("Datum van de vervolgmail").fill("2026-11-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    page.wait_for_selector("#send_on-error")


def submit_empty_proposal(page: Any, base: str) -> None:
    page.get_by_label("Naam van het product").fill("")
    page.get_by_role("button", name="Voorstel insturen").click()
    page.wait_for_selector("#error-summary")


def submit_bad_approval(page: Any, base: str) -> None:
    page.get_by_label("Korte naam (slug)").fill("Geen Slug")
    page.get_by_role("button", name="Opnemen", exact=True).click()
    page.wait_for_selector("#error-summary")


def make_series_and_proposals(make_checkout: Any) -> None:
    """breda-2026 in a series with a later day that has a visitor who ticked the series box;
    a proposal waiting, and one taken into the store as 'budgetcafe'."""
    from datetime import date

    from popupstore.events.services import activate_event, create_event, get_event
    from popupstore.proposals.services import approve_proposal, submit_proposal
    from popupstore.series.services import add_event_to_series, create_series

    series = create_series("samen-2026", name="Samen Organiseren 2026")
    breda = get_event("breda-2026")
    zwolle = create_event("zwolle-2026", name="Zwolle", city="Zwolle", date=date(2026, 12, 10))
    add_event_to_series(series, breda)
    add_event_to_series(series, zwolle)
    activate_event(zwolle)
    db.session.commit()
    make_checkout(
        {"geldfit": "have"},
        name="Dirk",
        organisation="Zwolle",
        across_series=True,
        event="zwolle-2026",
    )
    activate_event(breda)
    text = {"pitch": "Een inloop voor geldvragen.", "description": "Wekelijks, met vrijwilligers."}
    submit_proposal(breda, {**text, "name": "Budgetcafé", "organisation": "Bibliotheek"})
    taken = submit_proposal(breda, {**text, "name": "Geldcafé", "organisation": "Bibliotheek"})
    approve_proposal(taken, slug="budgetcafe", theme="Preventie", by="olga")
    db.session.commit()


def in_english(page: Any, base: str) -> None:
    page.goto(base + "/")
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")


@dataclass(frozen=True)
class Page:
    name: str
    # "{token}" stands for the receipt token of a visitor who checked out; "{evaluation}" and
    # "{unsubscribe}" for the signed links of that visitor's mails.
    path: str
    role: str | None = None  # log in as this staff role first
    kiosk: bool = False  # the booth tablet in kiosk mode
    before: Step | None = None
    after: Step | None = None
    status: int = 200
    series: bool = False  # breda-2026 in a series, visitors across it, proposals


PAGES = [
    Page("start", "/"),
    Page("start-english", "/", before=in_english),
    Page("products", "/producten"),
    Page("shelf", "/producten?thema=digitaal"),
    Page("search", "/producten?q=schulden"),
    Page("search-nothing-found", "/producten?q=xyzzy"),
    Page("product", "/product/geldfit", before=lambda p, b: add_to_basket(p, b, "geldfit")),
    Page("basket-empty", "/mandje"),
    Page("basket", "/mandje", before=fill_basket),
    Page("checkout", "/afrekenen", before=fill_basket),
    Page("checkout-errors", "/afrekenen", before=fill_basket, after=submit_empty_checkout),
    Page("kiosk-receipt", "/kassabon", kiosk=True, before=fill_and_check_out),
    Page("receipt-after-checkout", "/kassabon", before=fill_and_check_out),
    Page("shelf-with-basket", "/producten?thema=digitaal&q=geld", before=fill_basket),
    Page("shelf-after-a-tap", "/producten?thema=digitaal", after=tap_want_on_a_card),
    Page("checkout-suggestion", "/afrekenen", before=fill_basket, after=type_a_municipality_wrong),
    Page("receipt", "/r/{token}"),
    Page("erase", "/r/{token}/wissen"),
    Page("erased", "/gewist"),
    Page("evaluation", "/r/{token}/evaluatie"),
    Page("evaluation-from-mail", "/evaluatie/{evaluation}"),
    Page("unsubscribe", "/mail/afmelden/{unsubscribe}"),
    Page("unsubscribed", "/mail/afmelden/{unsubscribe}", after=unsubscribe),
    Page("login", "/login"),
    Page("login-error", "/login", after=wrong_login),
    Page("not-found", "/bestaat-niet", status=404),
    Page("kiosk-start", "/", kiosk=True),
    Page("kiosk-basket", "/mandje", kiosk=True, before=fill_basket),
    Page("kiosk-unlock", "/kiosk/ontgrendelen", kiosk=True),
    Page("kiosk-unlock-error", "/kiosk/ontgrendelen", kiosk=True, after=wrong_pin),
    Page("kiosk-settings", "/kiosk", role="facilitator"),
    Page("facilitator", "/facilitator/", role="facilitator"),
    Page("facilitator-event", "/facilitator/evenement/breda-2026", role="organiser"),
    Page("facilitator-overlap", "/facilitator/evenement/breda-2026/overlap", role="facilitator"),
    Page("facilitator-groups", "/facilitator/evenement/breda-2026/gesprekken", role="facilitator"),
    Page(
        "facilitator-collaborations",
        "/facilitator/evenement/breda-2026/samenwerking",
        role="facilitator",
    ),
    Page("facilitator-tables", "/facilitator/evenement/breda-2026/tafels", role="facilitator"),
    Page(
        "facilitator-tables-made",
        "/facilitator/evenement/breda-2026/tafels",
        role="facilitator",
        after=make_tables_and_pairs,
    ),
    Page("facilitator-wall", "/facilitator/evenement/breda-2026/wand", role="facilitator"),
    Page("agreement", "/r/{token}/samenwerking"),
    Page("privacy", "/privacy"),
    Page("organiser", "/organisator/", role="organiser"),
    Page("organiser-events", "/organisator/evenementen", role="organiser"),
    Page("organiser-new-event", "/organisator/evenementen/nieuw", role="organiser"),
    Page("organiser-event", "/organisator/evenementen/breda-2026", role="organiser"),
    Page("organiser-edit-event", "/organisator/evenementen/breda-2026/bewerken", role="organiser"),
    Page("organiser-event-report", "/organisator/evenementen/breda-2026/rapport", role="organiser"),
    Page("organiser-catalog", "/organisator/catalogus", role="organiser"),
    Page("organiser-new-product", "/organisator/catalogus/nieuw", role="organiser"),
    Page("organiser-edit-product", "/organisator/catalogus/geldfit/bewerken", role="organiser"),
    Page("organiser-upload", "/organisator/catalogus/uploaden", role="organiser"),
    Page("organiser-mail", "/organisator/evenementen/breda-2026/mail", role="organiser"),
    Page(
        "organiser-mail-errors",
        "/organisator/evenementen/breda-2026/mail",
        role="organiser",
        after=wrong_follow_up_date,
    ),
    Page("organiser-outcome", "/organisator/evenementen/breda-2026/uitkomst", role="organiser"),
    Page("organiser-outcome-all", "/organisator/uitkomst", role="organiser"),
    Page("organiser-statistics", "/organisator/statistiek", role="organiser"),
    Page("organiser-statistics-report", "/organisator/statistiek/rapport", role="organiser"),
    Page("organiser-exports", "/organisator/exports", role="organiser"),
    Page("organiser-printing", "/organisator/drukwerk", role="organiser"),
    Page("organiser-privacy", "/organisator/privacy", role="organiser"),
    Page("organiser-privacy-text", "/organisator/privacy/tekst", role="organiser"),
    Page("organiser-privacy-event", "/organisator/privacy/evenement/breda-2026", role="organiser"),
    Page(
        "organiser-privacy-purge",
        "/organisator/privacy/evenement/breda-2026/wissen",
        role="organiser",
    ),
    Page("propose", "/voorstellen"),
    Page("propose-errors", "/r/{token}/voorstellen", after=submit_empty_proposal),
    Page("proposal-thanks", "/voorstellen/bedankt"),
    Page("product-credit", "/product/budgetcafe", series=True),
    Page("receipt-series", "/r/{token}", series=True),
    Page("kiosk-receipt-series", "/kassabon", before=fill_and_check_out, series=True),
    Page("checkout-series", "/afrekenen", before=fill_basket, series=True),
    Page("organiser-proposals", "/organisator/voorstellen", role="organiser", series=True),
    Page("organiser-proposal", "/organisator/voorstellen/1", role="organiser", series=True),
    Page(
        "organiser-proposal-errors",
        "/organisator/voorstellen/1",
        role="organiser",
        series=True,
        after=submit_bad_approval,
    ),
    Page("organiser-proposal-decided", "/organisator/voorstellen/2", role="organiser", series=True),
    Page("organiser-series-list", "/organisator/reeksen", role="organiser", series=True),
    Page("organiser-series", "/organisator/reeksen/samen-2026", role="organiser", series=True),
    Page("facilitator-series", "/facilitator/reeks/samen-2026", role="facilitator", series=True),
    Page(
        "facilitator-wall-series",
        "/facilitator/evenement/breda-2026/wand",
        role="facilitator",
        series=True,
    ),
]


@pytest.mark.browser
@pytest.mark.parametrize("target", PAGES, ids=lambda target: target.name)
def test_page_meets_wcag_21_aa(
    target, live_server, live_app, store, make_checkout, make_user, page
):
    from popupstore.kiosk.services import set_pin

    base = live_server.url
    if target.series:
        make_series_and_proposals(make_checkout)
    receipt = make_checkout(
        {"geldfit": "want", "vroegsignalering": "have"}, name="Bram", across_series=target.series
    )
    make_checkout({"geldfit": "have"}, name="Chris", organisation="Tilburg", share_contact=False)
    if target.kiosk:
        set_pin("2468")
        db.session.commit()
        page.context.add_cookies([kiosk_cookie(live_app, base)])
    if target.role:
        make_user(f"a11y-{target.role}", target.role)
        staff_login(page, base, f"a11y-{target.role}")
    if target.before:
        target.before(page, base)
    requests = record_requests(page)
    # The receipt's own checkout: in a series other days have the same receipt numbers.
    checkout_id = find_checkout_by_token(receipt["token"]).id
    path = target.path.format(
        token=receipt["token"],
        evaluation=evaluation_token(checkout_id),
        unsubscribe=unsubscribe_token(checkout_id),
    )
    response = page.goto(base + path)
    assert response is not None and response.status == target.status
    if target.after:
        target.after(page, base)
    assert axe_violations(page) == []
    elsewhere = [url for url in requests() if not url.startswith(base + "/")]
    assert elsewhere == []
