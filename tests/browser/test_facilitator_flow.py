"""Two visitors with overlapping baskets check out at the kiosk; the facilitator sees them
linked, the overview updates by itself, and one button press seats them at one table."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def shop_and_check_out(page, base: str, picks: dict[str, str], name: str, organisation: str):
    for slug, button in picks.items():
        page.goto(f"{base}/product/{slug}")
        page.get_by_role("button", name=button).first.click()
        page.locator("button[aria-pressed=true]", has_text=button).first.wait_for()
    page.locator(".store-nav__basket").click()
    page.get_by_role("link", name="Afrekenen").click()
    page.get_by_label("Je voornaam").fill(name)
    page.get_by_label("Je organisatie").fill(organisation)
    page.get_by_label("Anderen mogen mij als gesprekspartner zien").check()
    page.locator("form.checkout__form button[type=submit]").click()
    # Not a kiosk: the device lands on its own receipt page; the next visitor starts over.
    page.wait_for_url(re.compile(r".*/r/[A-Za-z0-9_-]+$"))
    number = page.locator(".receipt__number").inner_text()
    page.goto(base + "/")
    return number


def test_facilitator_sees_two_visitors_linked_and_seats_them_together(
    live_server, store, make_user, page, screenshot
):
    base = live_server.url
    assert "Bon nr. 1" in shop_and_check_out(
        page, base, {"geldfit": "Wil ik", "vroegsignalering": "Doen we al"}, "Anna", "Breda"
    )
    assert "Bon nr. 2" in shop_and_check_out(
        page, base, {"geldfit": "Wil ik", "vroegsignalering": "Wil ik"}, "Bram", "Tilburg"
    )

    make_user("fien", "facilitator", "geheim-wachtwoord")
    page.goto(base + "/login")
    page.get_by_label("Gebruikersnaam").fill("fien")
    page.get_by_label("Wachtwoord").fill("geheim-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/facilitator/")
    expect(page.get_by_role("link", name="Overzicht")).to_have_attribute("aria-current", "page")
    checkouts = page.locator('[data-count="checkouts"]')
    expect(checkouts).to_have_text("2")
    screenshot(page, "1-overview")

    # A third visitor checks out elsewhere: the overview catches up without a reload.
    response = page.request.post(
        base + "/api/v1/events/breda-2026/checkouts",
        data={
            "items": [{"product": "gemeentepolis", "intent": "want"}],
            "visitor": {"name": "Carla", "organisation": "Zwolle", "share_contact": True},
        },
    )
    assert response.status == 201
    page.evaluate("window.__marker = 'no reload'")
    expect(checkouts).to_have_text("3", timeout=15_000)
    assert page.evaluate("window.__marker") == "no reload"

    page.get_by_role("link", name="Overlap").click()
    network = page.locator("svg.network")
    expect(network.locator("g.network__node")).to_have_count(3)
    assert network.locator("line.network__link").count() == 1
    page.get_by_text("Toon als tabel").nth(1).click()
    link_row = page.locator("table.network-table tbody tr").first
    expect(link_row).to_contain_text("Anna (bon 1)")
    expect(link_row).to_contain_text("Bram (bon 2)")
    expect(link_row).to_contain_text("Geldfit, Vroegsignalering")
    screenshot(page, "2-overlap")

    page.get_by_role("link", name="Tafels en duo's").click()
    page.get_by_label("Minstens aan een tafel").fill("2")
    page.get_by_label("Hoogstens aan een tafel").fill("2")
    page.get_by_role("button", name="Tafels indelen").click()
    page.wait_for_url(re.compile(r".*/tafels#tafels$"))
    tables = page.locator(".plan-table")
    anna_table = tables.filter(has_text="Anna")
    expect(anna_table).to_have_count(1)
    expect(anna_table).to_contain_text("Bram")
    expect(anna_table).to_contain_text("onderwerp: Geldfit")
    screenshot(page, "3-tables")

    page.get_by_role("link", name="Wandscherm").click()
    wall = page.locator("#wall-live")
    # Both sit at table 1: the wall lists "bon → tafel" by receipt number.
    seats = wall.locator(".wall__seat")
    expect(seats.nth(0)).to_have_text(re.compile(r"^1 →\s*(aan tafel )?1$"))
    expect(seats.nth(1)).to_have_text(re.compile(r"^2 →\s*(aan tafel )?1$"))
    assert "Anna" not in wall.inner_text() and "Bram" not in wall.inner_text()
    screenshot(page, "4-wall")
