"""The organiser's A4 report in real Chromium, laid out for print: the summary fills no more
than the first page, and the details start on the next one."""

from __future__ import annotations

from typing import Any

from .shop import STAFF_PASSWORD, staff_login

# A4 portrait minus the report's @page margins (14 mm top and bottom, 12 mm left and right),
# in CSS pixels (96 per inch).
PX_PER_MM = 96 / 25.4
PRINTABLE_WIDTH = round((210 - 2 * 12) * PX_PER_MM)
PRINTABLE_HEIGHT = (297 - 2 * 14) * PX_PER_MM

# A busy day: municipalities of four provinces, chain partners, every kind of role, and
# products wanted and done, so every list of the summary is full.
MUNICIPALITIES = [
    "Breda",
    "Tilburg",
    "Eindhoven",
    "Zwolle",
    "Deventer",
    "Utrecht",
    "Amersfoort",
    "Groningen",
    "Assen",
    "Helmond",
]
ROLES = [
    "Schuldhulpverlening",
    "Klantmanager",
    "Wijkteam",
    "Beleidsmedewerker",
    "Vrijwilliger",
    "Incasso",
    "Vroegsignalering",
    "Coördinator",
]
PRODUCTS = ["geldfit", "vroegsignalering", "gemeentepolis", "schuldhulpmaatje", "werkgeversaanpak"]


def fill_a_busy_day(make_checkout: Any) -> None:
    for index in range(30):
        organisation = MUNICIPALITIES[index % len(MUNICIPALITIES)]
        items = {
            PRODUCTS[(index + shift) % len(PRODUCTS)]: "have"
            if (index + shift) % 3 == 0
            else "want"
            for shift in range(1 + index % 3)
        }
        make_checkout(
            items,
            name=f"Bezoeker {index}",
            organisation=organisation,
            role=ROLES[index % len(ROLES)],
            share_contact=index % 2 == 0,
        )


def test_the_a4_report_opens_with_a_summary_that_fits_one_page(
    live_server, store, make_checkout, make_user, page
):
    fill_a_busy_day(make_checkout)
    make_user("a4-olga", "organiser", STAFF_PASSWORD)
    page.set_viewport_size({"width": PRINTABLE_WIDTH, "height": 1100})
    staff_login(page, live_server.url, "a4-olga")
    page.goto(live_server.url + "/organisator/statistiek/rapport")
    page.emulate_media(media="print")
    layout = page.evaluate(
        """() => {
            const summary = document.querySelector('.report__summary');
            const next = summary.nextElementSibling;
            const charts = document.querySelector('svg.chart__svg');
            const top = (el) => el.getBoundingClientRect().top + window.scrollY;
            return {
                summaryBottom: summary.getBoundingClientRect().bottom + window.scrollY,
                nextTop: top(next),
                chartTop: top(charts),
                breakAfter: getComputedStyle(summary).breakAfter,
                lists: [...summary.querySelectorAll('.summary-list')].map(l => l.children.length),
                nav: getComputedStyle(document.querySelector('.staff-header')).display,
            };
        }"""
    )
    # Printed, the staff header is gone and the summary ends within the first page.
    assert layout["nav"] == "none"
    assert layout["summaryBottom"] <= PRINTABLE_HEIGHT, layout
    assert layout["breakAfter"] == "page"
    # Every chart comes after the summary, and the summary's four lists have their rows.
    assert layout["chartTop"] >= layout["summaryBottom"]
    assert layout["nextTop"] >= layout["summaryBottom"]
    assert layout["lists"] == [5, 5, 5, 5], layout
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF-")
