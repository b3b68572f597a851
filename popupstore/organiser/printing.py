"""Printed material for the booth, drawn with Pillow: a poster and shelf labels.

The poster (A3) carries a large QR code to the store's own address, so visitors can shop
on their own phone while the tablet is busy. Shelf labels are cards of 95 by 69 mm, eight
to an A4 sheet, one per active product: its name, owner and theme colour, and a QR code
to the product page. Fonts are DejaVu (Debian's fonts-dejavu-core); where those are
missing, Pillow's own scalable default font takes over. Every text from the database is
drawn through `one_line`: rows stored before the input rule may hold line breaks,
controls or bidirectional controls.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask_babel import format_date
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont

from ..basket.qr import qr_image
from ..catalog.models import Product
from ..catalog.themes import PALETTE, theme_colour
from ..events.models import Event
from ..validation import one_line

DPI = 150
MM = DPI / 25.4
A3 = (round(297 * MM), round(420 * MM))
A4 = (round(210 * MM), round(297 * MM))
BRAND = "#1f5f8b"
INK = "#1b1f24"
MUTED = "#4d5660"
CUT_LINE = "#b8b2a7"
WHITE = "#ffffff"
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)
LABEL_COLUMNS = 2
LABEL_ROWS = 4
LABEL_MARGIN = round(10 * MM)
JPEG_QUALITY = 92

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font_file(bold: bool) -> Path | None:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return next((d / name for d in FONT_DIRS if (d / name).is_file()), None)


def font(size: int, *, bold: bool = False) -> Font:
    """DejaVu Sans at `size` pixels, or Pillow's built-in font when DejaVu is not installed."""
    path = _font_file(bold)
    if path is not None:
        try:
            return ImageFont.truetype(str(path), size)
        except OSError:
            pass
    return ImageFont.load_default(size)


def wrap(draw: ImageDraw.ImageDraw, text: str, face: Font, width: float) -> list[str]:
    """Words on lines no wider than `width`; a word longer than a line gets a line of its own."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and draw.textlength(candidate, font=face) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _fit_lines(
    draw: ImageDraw.ImageDraw, text: str, face: Font, width: float, most: int
) -> list[str]:
    lines = wrap(draw, text, face, width)
    if len(lines) <= most:
        return lines
    kept = lines[:most]
    last = kept[-1]
    while last and draw.textlength(last + "…", font=face) > width:
        last = last[:-1].rstrip()
    kept[-1] = last + "…"
    return kept


def qr_block(data: str, size: int) -> Image.Image:
    """A QR code scaled by a whole number of pixels per module, as close to `size` as fits."""
    code = qr_image(data, box_size=1, border=4).get_image().convert("L")
    scale = max(1, size // code.width)
    return code.resize((code.width * scale, code.height * scale), Image.Resampling.NEAREST)


def _draw_lines(
    draw: ImageDraw.ImageDraw,
    lines: Sequence[str],
    xy: tuple[float, float],
    face: Font,
    fill: str,
    *,
    spacing: float = 1.25,
    anchor: str = "la",
) -> float:
    """Draw lines from the top; return the y below the last one."""
    x, y = xy
    height = face.size if isinstance(face, ImageFont.FreeTypeFont) else 12
    for line in lines:
        draw.text((x, y), line, font=face, fill=fill, anchor=anchor)
        y += height * spacing
    return y


# --- the poster --------------------------------------------------------------------------------


def poster_image(store_url: str, event: Event | None) -> Image.Image:
    """An A3 portrait poster inviting visitors to shop on their own phone."""
    width, height = A3
    image = Image.new("RGB", A3, WHITE)
    draw = ImageDraw.Draw(image)
    margin = round(18 * MM)
    centre = width / 2

    band = round(62 * MM)
    draw.rectangle((0, 0, width, band), fill=BRAND)
    draw.text(
        (margin, band * 0.42), _("Pop-up store"), font=font(130, bold=True), fill=WHITE, anchor="ls"
    )
    draw.text(
        (margin, band * 0.72), _("verbinden schuldendomein"), font=font(64), fill=WHITE, anchor="ls"
    )

    y: float = band + round(16 * MM)
    headline = font(112, bold=True)
    lines = wrap(draw, _("Shop mee op je eigen telefoon"), headline, width - 2 * margin)
    y = _draw_lines(draw, lines, (centre, y), headline, INK, spacing=1.15, anchor="ma")
    lead = font(50)
    text = _(
        "Is de tablet bezet? Scan de code, kies wat je wilt ('Wil ik') of al doet "
        "('Doen we al') en reken af: je bon met gesprekspartners staat op je telefoon."
    )
    y = _draw_lines(
        draw,
        wrap(draw, text, lead, width - 2 * margin),
        (centre, y + 20),
        lead,
        MUTED,
        anchor="ma",
    )

    code = qr_block(store_url, round(150 * MM))
    top = round(y + 10 * MM)
    image.paste(code, (round(centre - code.width / 2), top))
    y = top + code.height + round(4 * MM)
    draw.text((centre, y), store_url, font=font(60, bold=True), fill=INK, anchor="ma")

    steps = [
        _("1. Scan de code met je camera"),
        _("2. Kies 'Wil ik' of 'Doen we al'"),
        _("3. Reken af en vind elkaar"),
    ]
    y += round(22 * MM)
    step_font = font(54)
    for step in steps:
        draw.text((margin + round(30 * MM), y), step, font=step_font, fill=INK, anchor="la")
        y += round(12 * MM)

    strip = round(14 * MM)
    if event is not None:
        where = ", ".join(one_line(part) for part in (event.venue, event.city) if part)
        footer = f"{one_line(event.name)} · {where} · {format_date(event.date, 'long')}"
        draw.text(
            (centre, height - strip - round(10 * MM)),
            footer,
            font=font(44),
            fill=MUTED,
            anchor="ms",
        )
    step_width = width / len(PALETTE)
    for index, colour in enumerate(PALETTE):
        draw.rectangle(
            (round(index * step_width), height - strip, round((index + 1) * step_width), height),
            fill=colour,
        )
    return image


def poster_png(store_url: str, event: Event | None) -> bytes:
    buffer = io.BytesIO()
    poster_image(store_url, event).save(buffer, format="PNG", dpi=(DPI, DPI), optimize=True)
    return buffer.getvalue()


def poster_pdf(store_url: str, event: Event | None) -> bytes:
    return pdf_pages([poster_image(store_url, event)])


def pdf_pages(pages: Sequence[Image.Image]) -> bytes:
    """Pages at DPI as one PDF (each page one image, so it prints the same everywhere)."""
    buffer = io.BytesIO()
    first, *rest = pages
    first.save(
        buffer,
        format="PDF",
        save_all=True,
        append_images=rest,
        resolution=DPI,
        quality=JPEG_QUALITY,
        title=_("Pop-up store"),
    )
    return buffer.getvalue()


# --- shelf labels ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelSheet:
    """Where the cards of one A4 sheet go: columns by rows of equal cards inside the margins."""

    card_width: int
    card_height: int

    @classmethod
    def a4(cls) -> LabelSheet:
        width, height = A4
        return cls(
            card_width=(width - 2 * LABEL_MARGIN) // LABEL_COLUMNS,
            card_height=(height - 2 * LABEL_MARGIN) // LABEL_ROWS,
        )

    @property
    def per_page(self) -> int:
        return LABEL_COLUMNS * LABEL_ROWS

    def origin(self, slot: int) -> tuple[int, int]:
        column, row = slot % LABEL_COLUMNS, slot // LABEL_COLUMNS
        return LABEL_MARGIN + column * self.card_width, LABEL_MARGIN + row * self.card_height


def product_url(store_url: str, product: Product) -> str:
    return f"{store_url.rstrip('/')}/product/{product.slug}"


def _draw_label(
    image: Image.Image, origin: tuple[int, int], size: tuple[int, int], product: Product, url: str
) -> None:
    draw = ImageDraw.Draw(image)
    x, y = origin
    width, height = size
    pad = round(4 * MM)
    draw.rectangle((x, y, x + width - 1, y + height - 1), outline=CUT_LINE, width=2)
    band = round(12 * MM)
    colour = theme_colour(product.theme)
    draw.rectangle((x + 1, y + 1, x + width - 2, y + band), fill=colour)
    draw.text(
        (x + pad, y + band / 2),
        one_line(product.theme),
        font=font(30, bold=True),
        fill=WHITE,
        anchor="lm",
    )

    code = qr_block(url, round(30 * MM))
    code_x = x + width - pad - code.width
    code_y = y + height - pad - code.height
    image.paste(code, (code_x, code_y))

    text_width = code_x - x - 2 * pad
    name_font = font(40, bold=True)
    lines = _fit_lines(draw, one_line(product.name), name_font, width - 2 * pad, 2)
    bottom = _draw_lines(draw, lines, (x + pad, y + band + pad), name_font, INK, spacing=1.2)
    owner_font = font(26)
    owner = _fit_lines(draw, one_line(product.owner), owner_font, text_width, 2)
    bottom = _draw_lines(draw, owner, (x + pad, bottom + pad / 2), owner_font, MUTED)
    summary_font = font(24)
    summary = _fit_lines(draw, one_line(product.summary), summary_font, text_width, 3)
    _draw_lines(draw, summary, (x + pad, bottom + pad / 2), summary_font, INK)
    draw.text(
        (x + width - pad, code_y - 4),
        _("Meer weten? Scan mij"),
        font=font(20),
        fill=MUTED,
        anchor="rd",
    )
    draw.rectangle((x + 1, y + height - round(2 * MM), x + width - 2, y + height - 2), fill=colour)


def shelf_label_pages(store_url: str, products: Sequence[Product]) -> list[Image.Image]:
    """A4 sheets with one card per product, in the order given (at least one sheet)."""
    sheet = LabelSheet.a4()
    pages: list[Image.Image] = []
    for index, product in enumerate(products):
        slot = index % sheet.per_page
        if slot == 0:
            pages.append(Image.new("RGB", A4, WHITE))
        _draw_label(
            pages[-1],
            sheet.origin(slot),
            (sheet.card_width, sheet.card_height),
            product,
            product_url(store_url, product),
        )
    return pages or [Image.new("RGB", A4, WHITE)]


def shelf_labels_pdf(store_url: str, products: Sequence[Product]) -> bytes:
    return pdf_pages(shelf_label_pages(store_url, products))
