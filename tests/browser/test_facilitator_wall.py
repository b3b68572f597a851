"""The facilitator's round at a busy booth, measured in real Chromium: the wall on a 1080p
screen with 55 visitors at ten tables, the round timer, and a latecomer seated on the
booth tablet (1280 x 800) without anyone moving."""

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

from .shop import axe_violations, staff_login

SEED = Path(__file__).resolve().parents[2] / "seed_products.yaml"
WALL_SCREEN = {"width": 1920, "height": 1080}
TABLET = {"width": 1280, "height": 800}
ORGANISATIONS = [
    "Breda", "Tilburg", "Eindhoven", "'s-Hertogenbosch", "Helmond", "Oss", "Roosendaal",
    "Bergen op Zoom", "Oosterhout", "Waalwijk", "Veldhoven", "Uden", "Etten-Leur",
    "Zwolle", "Utrecht", "Rotterdam", "Kredietbank West-Brabant", "Woonstad",
]  # fmt: skip
PRODUCTS = [
    "vroegsignalering", "geldfit", "schuldhulpmaatje", "gemeentepolis", "voorzieningenwijzer",
    "week-van-het-geld", "schuldenwijzer", "fikks", "centenkwesties", "geregelde-betaling",
]  # fmt: skip
SEATS_JS = """() => [...document.querySelectorAll('.wall__seat')].map(li => ({
    overflows: li.scrollWidth > li.clientWidth,
    panelRight: li.closest('.wall__panel').getBoundingClientRect().right,
    panelBottom: li.closest('.wall__panel').getBoundingClientRect().bottom,
    text: li.innerText.replace(/\\s+/g, ' ').trim(), hidden: li.hidden,
    fontSize: parseFloat(getComputedStyle(li).fontSize),
    bottom: li.getBoundingClientRect().bottom, right: li.getBoundingClientRect().right}))"""


@pytest.fixture
def busy_day(live_app: Any, make_checkout: Any, make_user: Any) -> Iterator[Any]:
    """The shipped catalog, an active event and 55 visitors, a facilitator account."""
    load_products(SEED)
    event = create_event(
        "breda-2026",
        name="Samen Organiseren Breda",
        city="Breda",
        date=date(2026, 11, 12),
        activate=True,
    )
    db.session.commit()
    for number in range(55):
        picks = {
            PRODUCTS[number % 10]: "want",
            PRODUCTS[(number * 3 + 1) % 10]: "have",
            PRODUCTS[(number * 7 + 4) % 10]: "want",
        }
        make_checkout(
            picks,
            name=f"Bezoeker {number + 1}",
            organisation=ORGANISATIONS[number % len(ORGANISATIONS)],
            share_contact=number % 3 != 0,
        )
    make_user("fien", "facilitator")
    yield event


def open_as_facilitator(browser: Any, base: str, size: dict[str, int]) -> Any:
    context = browser.new_context(locale="nl-NL", viewport=size)
    page = context.new_page()
    page.set_default_timeout(10_000)
    staff_login(page, base, "fien")
    return page


def all_pages_of_seats(page: Any) -> list[str]:
    """Every seat the wall shows, page after page (the wall turns them every 8 s)."""
    seen: list[str] = []
    pages = page.locator(".wall__seats + .wall__page")
    total = 1
    if pages.count() and pages.is_visible():
        total = int(re.search(r"/ (\d+)", pages.inner_text()).group(1))
    for turn in range(total):
        if turn:
            # textContent on both sides: what to_have_text compares.
            before = page.locator(".wall__seat:not([hidden])").first.text_content()
            expect(page.locator(".wall__seat:not([hidden])").first).not_to_have_text(
                before, timeout=12_000
            )
        seen += [s["text"] for s in page.evaluate(SEATS_JS) if not s["hidden"]]
    return seen


def test_the_wall_fits_1080p_with_55_visitors_at_ten_tables(
    live_server, busy_day, browser, screenshot
):
    make_table_plan(get_event("breda-2026"))  # 4 to 6 a table: ten tables
    db.session.commit()
    page = open_as_facilitator(browser, live_server.url, WALL_SCREEN)
    page.goto(live_server.url + "/facilitator/evenement/breda-2026/wand")
    expect(page.locator(".wall__tables li")).to_have_count(10)

    screen = page.locator(".wall-screen").bounding_box()
    assert screen["y"] >= 0 and screen["y"] + screen["height"] <= 1080
    seats = page.evaluate(SEATS_JS)
    assert len(seats) == 55
    numbers = [int(s["text"].split(" ")[0]) for s in seats]
    assert numbers == sorted(numbers) == list(range(1, 56))
    for seat in seats:
        assert seat["fontSize"] >= 28, seat
        if not seat["hidden"]:
            # Inside its panel: not cut off at the side or the bottom.
            assert seat["bottom"] <= seat["panelBottom"] <= 1080, seat
            assert seat["right"] <= seat["panelRight"] <= 1920, seat
            assert not seat["overflows"], seat
    # Every visitor's "bon → tafel" line can be read, on one page or in turn.
    assert sorted(all_pages_of_seats(page), key=lambda t: int(t.split(" ")[0])) == [
        s["text"] for s in seats
    ]
    assert all(re.fullmatch(r"\d+ → aan tafel \d+|\d+ →\s?\d+", s["text"]) for s in seats)
    tables = page.evaluate(
        "() => [...document.querySelectorAll('.wall__tables li')]"
        ".map(li => [li.hidden, li.getBoundingClientRect().bottom])"
    )
    assert all(bottom <= 1080 for hidden, bottom in tables if not hidden)
    screenshot(page, "wall-1080p")

    # Full screen: no staff buttons and no staff list; the page does not scroll at all.
    page.get_by_role("button", name="Volledig scherm").click()
    expect(page.locator(":fullscreen")).to_have_count(1)
    expect(page.locator(".wall__tools")).to_be_hidden()
    for section in page.locator(".wall__sources").all():  # the wall link and the sources
        expect(section).to_be_hidden()
    expect(page.get_by_role("button", name="Ronde starten")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    expect(page.locator("[data-timer-display]")).to_be_visible()
    assert axe_violations(page) == []


def test_the_wall_keeps_fitting_as_it_refreshes(live_server, busy_day, browser, make_checkout):
    make_table_plan(get_event("breda-2026"))
    db.session.commit()
    page = open_as_facilitator(browser, live_server.url, WALL_SCREEN)
    page.goto(live_server.url + "/facilitator/evenement/breda-2026/wand")
    page.evaluate("window.__marker = 'no reload'")
    make_checkout({"geldfit": "want"}, name="Laat", organisation="Zundert")
    expect(page.locator(".wall__panel--seats .wall__note")).to_contain_text(
        "Bon 56", timeout=15_000
    )
    assert page.evaluate("window.__marker") == "no reload"
    box = page.locator(".wall-screen").bounding_box()
    assert box["y"] + box["height"] <= 1080
    for seat in page.evaluate(SEATS_JS):
        if not seat["hidden"]:
            assert seat["bottom"] <= 1080


def test_the_round_timer_starts_pauses_and_resets(live_server, busy_day, browser):
    page = open_as_facilitator(browser, live_server.url, WALL_SCREEN)
    page.goto(live_server.url + "/facilitator/evenement/breda-2026/wand")
    clock = page.locator("[data-timer-display]")
    expect(clock).to_have_text("20:00")
    font = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('[data-timer-display]')).fontSize)"
    )
    assert font >= 56
    page.get_by_label("Minuten").fill("2")
    page.get_by_label("Minuten").dispatch_event("change")
    expect(clock).to_have_text("2:00")
    page.evaluate("window.__marker = 'no reload'")
    page.get_by_role("button", name="Ronde starten").click()
    expect(clock).to_have_text(re.compile(r"1:5[0-8]"), timeout=5_000)
    assert page.evaluate("window.__marker") == "no reload"  # the buttons do not leave the page
    page.get_by_role("button", name="Ronde pauzeren").click()
    expect(page.get_by_role("button", name="Ronde hervatten")).to_be_visible()
    paused = clock.inner_text()
    # A refresh that left before the press and arrives after it (an older version, still
    # running) does not restart the clock.
    page.evaluate(
        "() => { const region = document.getElementById('wall-live');"
        " const old = region.querySelector('[data-round]').cloneNode();"
        " old.dataset.roundState = 'running'; old.dataset.roundVersion = '0';"
        " region.querySelector('[data-round]').replaceWith(old);"
        " region.dispatchEvent(new CustomEvent('poll:updated', {bubbles: true})); }"
    )
    page.wait_for_timeout(1_500)
    assert clock.inner_text() == paused
    # A reload (or another screen) finds the round where it was: the server keeps it.
    page.reload()
    expect(clock).to_have_text(paused)
    expect(page.get_by_role("button", name="Ronde hervatten")).to_be_visible()
    page.get_by_role("button", name="Ronde opnieuw").click()
    expect(clock).to_have_text("2:00")
    # Space starts and pauses from the keyboard too (in full screen, where buttons hide).
    page.locator("h1").click()
    page.keyboard.press(" ")
    expect(clock).to_have_text(re.compile(r"1:5\d"), timeout=5_000)
    # A length outside 1-90 minutes is refused with the reason, and nothing changes.
    page.keyboard.press("r")
    expect(clock).to_have_text("2:00")
    page.get_by_label("Minuten").fill("0")
    page.get_by_role("button", name="Ronde starten").click()
    expect(page.get_by_role("alert")).to_have_text("Een ronde duurt 1 tot 90 minuten.")
    expect(clock).to_have_text("2:00")


def test_the_wall_link_screen_counts_down_the_round_the_facilitator_starts(
    live_server, busy_day, browser
):
    from popupstore.facilitator.wall_links import make_wall_link

    token = make_wall_link(busy_day)
    db.session.commit()
    context = browser.new_context(locale="nl-NL", viewport=WALL_SCREEN)
    screen = context.new_page()
    screen.goto(f"{live_server.url}/facilitator/wand/{token}")
    timer = screen.locator("[data-round-timer]")
    expect(timer).to_be_hidden()  # no round yet: an all-day screen shows no idle clock
    expect(screen.get_by_role("button", name=re.compile("Ronde"))).to_have_count(0)

    tablet = open_as_facilitator(browser, live_server.url, TABLET)
    tablet.goto(live_server.url + "/facilitator/evenement/breda-2026/wand")
    tablet.get_by_label("Minuten").fill("5")
    tablet.get_by_role("button", name="Ronde starten").click()
    expect(tablet.locator("[data-timer-display]")).to_have_text(re.compile(r"4:5\d"))
    # The screen's next refresh brings the round; it counts down by itself from there.
    # (In front again: a page that is not visible does not refresh, and the tablet's page
    # opened on top of it.)
    screen.bring_to_front()
    expect(timer).to_be_visible(timeout=15_000)
    clock = screen.locator("[data-timer-display]")
    expect(clock).to_have_text(re.compile(r"4:[45]\d"))
    first = clock.inner_text()
    expect(clock).not_to_have_text(first, timeout=3_000)
    tablet.bring_to_front()
    tablet.get_by_role("button", name="Ronde pauzeren").click()
    expect(tablet.get_by_role("button", name="Ronde hervatten")).to_be_visible()
    paused = tablet.locator("[data-timer-display]").inner_text()
    screen.bring_to_front()
    expect(clock).to_have_text(paused, timeout=15_000)
    context.close()


def seats_on_the_tables_page(page: Any) -> dict[int, int]:
    """Receipt number -> table number, as the tables page lists them."""
    seats: dict[int, int] = {}
    for index, card in enumerate(page.locator(".plan-table").all(), start=1):
        for number in re.findall(r"bon (\d+)", card.inner_text()):
            seats[int(number)] = index
    return seats


def test_a_latecomer_sits_down_and_nobody_moves(
    live_server, busy_day, browser, make_checkout, screenshot
):
    page = open_as_facilitator(browser, live_server.url, TABLET)
    tables_url = live_server.url + "/facilitator/evenement/breda-2026/tafels"
    page.goto(tables_url)
    page.get_by_role("button", name="Tafels indelen").click()
    page.wait_for_url(re.compile(r".*/tafels#tafels$"))
    before = seats_on_the_tables_page(page)
    topics = page.locator(".plan-table__topic").all_inner_texts()
    assert sorted(before) == list(range(1, 56)) and len(topics) == 10

    make_checkout({"geldfit": "want", "fikks": "have"}, name="Laat", organisation="Zundert")
    page.goto(tables_url)
    expect(page.get_by_text("1 bezoeker heeft nog geen tafel.")).to_be_visible()
    page.get_by_role("button", name="Nakomers aan tafel zetten").click()
    page.wait_for_url(re.compile(r".*/tafels#tafels$"))
    after = seats_on_the_tables_page(page)
    assert {n: t for n, t in after.items() if n != 56} == before
    assert 56 in after
    assert page.locator(".plan-table__topic").all_inner_texts() == topics
    expect(page.locator(".flash")).to_contain_text(f"bon 56 aan tafel {after[56]}")
    # The topic is large on the card, and who already does it is marked.
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.plan-table__topic')).fontSize)"
    )
    assert size >= 24  # half as large again as the names
    assert page.locator(".people__asker").count() > 0
    screenshot(page, "latecomer-seated")
    assert axe_violations(page) == []

    # A full re-plan is a separate step that asks first; going back changes nothing.
    page.get_by_role("button", name="Opnieuw indelen…").click()
    expect(page.get_by_role("heading", name="Opnieuw indelen?")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Terug", exact=True).click()
    expect(page.get_by_role("heading", name="Tafels en duo's")).to_be_visible()
    expect(page.locator(".plan-table")).to_have_count(10)
    assert seats_on_the_tables_page(page) == after
    page.get_by_role("button", name="Opnieuw indelen…").click()
    page.get_by_role("button", name="Ja, iedereen opnieuw indelen").click()
    page.wait_for_url(re.compile(r".*/tafels#tafels$"))
    assert sorted(seats_on_the_tables_page(page)) == list(range(1, 57))


LABEL_BOXES_JS = """(selector) => {
    const svg = document.querySelector(selector);
    const frame = svg.getBoundingClientRect();
    const parts = selector === 'svg.network' ? 'g.network__node' : 'text.heatmap__label';
    const boxes = [...svg.querySelectorAll(parts)].map(e => { const r = e.getBoundingClientRect();
                    return [r.left, r.top, r.right, r.bottom, e.textContent]; });
    return {frame: [frame.left, frame.top, frame.right, frame.bottom], boxes};
}"""


def intersect(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_network_and_heatmap_labels_neither_overlap_nor_clip(
    live_server, busy_day, browser, screenshot
):
    page = open_as_facilitator(browser, live_server.url, TABLET)
    page.goto(live_server.url + "/facilitator/evenement/breda-2026/overlap")
    network = page.evaluate(LABEL_BOXES_JS, "svg.network")
    assert len(network["boxes"]) == 55
    left, top, right, bottom = network["frame"]
    for index, box in enumerate(network["boxes"]):
        assert left <= box[0] and box[2] <= right and top <= box[1] and box[3] <= bottom, box
        for other in network["boxes"][index + 1 :]:
            assert not intersect(box, other), (box, other)
    heat = page.evaluate(LABEL_BOXES_JS, "svg.heatmap")
    assert len(heat["boxes"]) == 2 * 10  # ten products chosen
    left, top, right, bottom = heat["frame"]
    for box in heat["boxes"]:
        assert left <= box[0] and box[2] <= right and top <= box[1] and box[3] <= bottom, box
    screenshot(page, "overlap")
    assert axe_violations(page) == []


def test_the_wall_link_fills_one_screen_without_a_login(live_server, busy_day, browser, screenshot):
    make_table_plan(get_event("breda-2026"))
    db.session.commit()
    staff = open_as_facilitator(browser, live_server.url, WALL_SCREEN)
    staff.goto(live_server.url + "/facilitator/evenement/breda-2026/wand")
    staff.get_by_role("button", name="Wandlink maken").click()
    link = re.search(r"https?://\S+/wand/[\w-]+", staff.locator(".flash").inner_text()).group(0)

    # The screen on the wall: its own browser, never logged in.
    context = browser.new_context(locale="nl-NL", viewport=WALL_SCREEN)
    screen = context.new_page()
    screen.goto(link)
    expect(screen.locator(".wall__seat")).to_have_count(55)
    assert screen.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    expect(screen.get_by_role("link", name="Terug naar het overzicht")).to_have_count(0)
    expect(screen.locator(".wall__sources")).to_have_count(0)
    assert "Bezoeker" not in screen.locator("body").inner_text()
    screenshot(screen, "wall-link")
    assert axe_violations(screen) == []

    # Revoked: the next refresh finds nothing.
    staff.get_by_role("button", name="Wandlink intrekken").click()
    expect(staff.locator(".flash")).to_contain_text("De wandlink is ingetrokken")
    assert screen.goto(link).status == 404
    context.close()


# The first line of each group names its members; the second is the conversation starter.
# Members by receipt number, leaving out the starter line (which may name one too).
GROUPS_JS = (
    "() => [...document.querySelectorAll('.plan__pairs > li')].map(li => {"
    " const copy = li.cloneNode(true); copy.querySelector('.plan__starter')?.remove();"
    " return (copy.textContent.match(/bon \\d+/g) || []); })"
)


def test_duos_trios_and_groups_at_the_booth_tablet(
    live_server, busy_day, browser, screenshot, make_checkout
):
    page = open_as_facilitator(browser, live_server.url, TABLET)
    page.goto(live_server.url + "/facilitator/evenement/breda-2026/tafels")
    page.get_by_role("button", name="Duo's maken").click()
    page.wait_for_url(re.compile(r".*/tafels#duos$"))
    groups = page.locator(".plan__pairs > li")
    before = page.evaluate(GROUPS_JS)
    sizes = [len(group) for group in before]
    assert sum(sizes) == 55 and set(sizes) <= {2, 3} and 3 in sizes
    expect(page.get_by_text("Zonder duo")).to_have_count(0)
    starters = page.locator(".plan__starter").all_inner_texts()
    assert len(starters) == groups.count()
    assert all(re.search(r"(vraag hoe|willen|wat werkt)", line) for line in starters)
    screenshot(page, "duos")

    # Two latecomers: they pair up with each other and no duo splits.
    make_checkout({PRODUCTS[0]: "want"}, name="Laat", organisation="Zwolle")
    make_checkout({PRODUCTS[0]: "have"}, name="Later", organisation="Oss")
    page.reload()
    expect(page.get_by_text("2 bezoekers hebben nog geen duo.")).to_be_visible()
    page.get_by_role("button", name="Nakomers koppelen").click()
    page.wait_for_url(re.compile(r".*/tafels#duos$"))
    expect(page.locator(".flash")).to_contain_text("bon 56 bij bon 57")
    after = page.evaluate(GROUPS_JS)
    assert after[: len(before)] == before
    assert after[len(before) :] == [["bon 56", "bon 57"]]
    expect(page.get_by_text("Iedereen heeft een duo.")).to_be_visible()
    # A whole new round is a separate step that asks first.
    page.get_by_role("button", name="Opnieuw koppelen…").click()
    expect(page.get_by_role("heading", name="Iedereen krijgt een nieuw duo")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Terug").click()
    expect(page.locator(".plan__pairs > li")).to_have_count(len(after))
    assert page.evaluate(GROUPS_JS) == after

    page.goto(live_server.url + "/facilitator/evenement/breda-2026/gesprekken")
    wants = [
        int(re.search(r"\((\d+)\)", text).group(1))
        for text in page.locator("h3", has_text="Wil ik").all_inner_texts()
    ]
    assert wants and all(count > 0 for count in wants) and wants == sorted(wants, reverse=True)
    assert axe_violations(page) == []


def test_a_smaller_screen_shows_the_seats_a_page_at_a_time(live_server, busy_day, browser):
    """A projector of 1024 x 600 cannot hold 55 lines: they come a page at a time, each
    page inside the screen, and together they are everyone."""
    from popupstore.facilitator.wall_links import make_wall_link

    make_table_plan(get_event("breda-2026"))
    token = make_wall_link(get_event("breda-2026"))
    db.session.commit()
    context = browser.new_context(locale="nl-NL", viewport={"width": 1024, "height": 600})
    screen = context.new_page()
    screen.goto(f"{live_server.url}/facilitator/wand/{token}")
    expect(screen.locator(".wall__seats + .wall__page")).to_be_visible()
    assert screen.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    for seat in screen.evaluate(SEATS_JS):
        if not seat["hidden"]:
            assert seat["bottom"] <= seat["panelBottom"] <= 600, seat
            assert seat["fontSize"] >= 28
    seen = all_pages_of_seats(screen)
    assert sorted(int(text.split(" ")[0]) for text in seen) == list(range(1, 56))
    context.close()
