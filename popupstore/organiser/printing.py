"""Printed material for the booth, drawn with Pillow: a poster and shelf labels.

The poster (A3) carries a large QR code to the store's own address, so visitors can shop
on their own phone while the tablet is busy. Shelf labels are cards of 95 by 69 mm, eight
to an A4 sheet, one per active product: its name, owner and theme colour, and a QR code
to the product page. A label is laid out first (`label_layout`, measured with the fonts
that draw it) so that no text runs into the QR code or its caption and a product's name is
always shown whole. Fonts are DejaVu (Debian's fonts-dejavu-core); where those are
missing, Pillow's own scalable default font takes over. Every text from the database is
drawn through `one_line`: rows stored before the input rule may hold line breaks,
controls or bidirectional controls.
"""

from __future__ import annotations

import io
import math
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


# Sizes in pixels at DPI, largest first: a product's name shrinks until it fits whole.
NAME_SIZES = (40, 36, 32, 28, 25, 22, 20)
OWNER_SIZES = (26, 24, 22, 20)
SUMMARY_SIZE = 24
CAPTION_SIZE = 20
LINE_SPACING = 1.2
NAME_LINES = 3
OWNER_LINES = 2
CAPTION_LINES = 2

Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class TextBlock:
    """Lines of one text drawn from `xy` downwards, and the box their ink fills."""

    lines: tuple[str, ...]
    xy: tuple[int, int]
    size: int
    bold: bool
    fill: str
    box: Box

    @property
    def text(self) -> str:
        return " ".join(self.lines)


@dataclass(frozen=True, slots=True)
class LabelLayout:
    """Where everything on one shelf label goes, in pixels from the card's top left corner.

    Every text block lies inside the card's padding; the product's name is never shortened
    (it gets a smaller size or another line instead), nor is the owner unless even the
    smallest size leaves no room; the summary gives way (fewer lines, an ellipsis) to what
    comes before it. No text block overlaps another, the QR code or its caption.
    """

    card: Box
    band: Box
    qr: Box
    caption: TextBlock
    name: TextBlock
    owner: TextBlock
    summary: TextBlock | None


def _line_height(size: int) -> int:
    return round(size * LINE_SPACING)


def _block(
    draw: ImageDraw.ImageDraw,
    lines: Sequence[str],
    xy: tuple[int, int],
    size: int,
    fill: str,
    *,
    bold: bool = False,
    right: int | None = None,
) -> TextBlock:
    """Measure `lines` drawn from `xy` (or, with `right`, aligned to that right edge)."""
    face = font(size, bold=bold)
    x, y = xy
    # The ink of every line, and at least the lines' own height (a line of only small
    # letters has less ink than the next block must stay clear of).
    anchor, line_x = ("la", x) if right is None else ("ra", right)
    boxes = [
        draw.textbbox((line_x, y + index * _line_height(size)), line, font=face, anchor=anchor)
        for index, line in enumerate(lines)
    ]
    nominal_bottom = y + (len(lines) - 1) * _line_height(size) + size
    ink = (
        math.floor(min((b[0] for b in boxes), default=line_x)),
        math.floor(min((b[1] for b in boxes), default=y)),
        math.ceil(max((b[2] for b in boxes), default=line_x)),
        math.ceil(max([nominal_bottom, *(b[3] for b in boxes)])),
    )
    return TextBlock(tuple(lines), xy, size, bold, fill, ink)


def _fits(draw: ImageDraw.ImageDraw, lines: Sequence[str], face: Font, width: float) -> bool:
    return all(draw.textlength(line, font=face) <= width for line in lines)


def _whole_text(
    draw: ImageDraw.ImageDraw,
    text: str,
    sizes: Sequence[int],
    width: float,
    height: float,
    most: int,
    *,
    bold: bool,
) -> tuple[list[str], int] | None:
    """The largest size at which `text` fits whole in `width` by `height` (at most `most`
    lines, no word wider than a line), with its lines; None when no size does."""
    for size in sizes:
        face = font(size, bold=bold)
        lines = wrap(draw, text, face, width)
        tall = len(lines) * _line_height(size)
        if len(lines) <= most and tall <= height and _fits(draw, lines, face, width):
            return lines, size
    return None


def _broken_words(draw: ImageDraw.ImageDraw, text: str, face: Font, width: float) -> list[str]:
    """`wrap`, with any word wider than a line broken over lines (a hyphen at each break)."""
    lines: list[str] = []
    for line in wrap(draw, text, face, width):
        while draw.textlength(line, font=face) > width:
            cut = len(line) - 1
            while cut > 1 and draw.textlength(line[:cut] + "-", font=face) > width:
                cut -= 1
            lines.append(line[:cut] + "-")
            line = line[cut:]
        lines.append(line)
    return lines


def label_layout(
    draw: ImageDraw.ImageDraw, size: tuple[int, int], product: Product, code_size: int
) -> LabelLayout:
    """The layout of `product`'s label on a card of `size` with a QR code of `code_size`."""
    width, height = size
    pad = round(4 * MM)
    gap = round(1.5 * MM)
    band = round(12 * MM)
    bottom_strip = round(2 * MM)
    inner_left, inner_right = pad, width - pad
    inner_bottom = height - bottom_strip - pad

    code_x, code_y = inner_right - code_size, inner_bottom - code_size
    caption_text = _("Meer weten? Scan mij")
    caption_face = font(CAPTION_SIZE)
    caption_lines = _fit_lines(draw, caption_text, caption_face, code_size, CAPTION_LINES)
    caption_top = code_y - gap - len(caption_lines) * _line_height(CAPTION_SIZE)
    caption = _block(
        draw, caption_lines, (code_x, caption_top), CAPTION_SIZE, MUTED, right=inner_right
    )
    # Left of the QR code and its caption, and (for the name only) across the card above
    # the caption.
    column_width = code_x - gap - inner_left
    top = band + pad

    name_text = one_line(product.name)
    across = _whole_text(
        draw,
        name_text,
        NAME_SIZES,
        inner_right - inner_left,
        caption.box[1] - gap - top,
        NAME_LINES,
        bold=True,
    )
    if across is None:
        column = _whole_text(
            draw,
            name_text,
            NAME_SIZES,
            column_width,
            inner_bottom - top,
            NAME_LINES + 2,
            bold=True,
        )
        if column is None:
            smallest = NAME_SIZES[-1]
            face = font(smallest, bold=True)
            column = (_broken_words(draw, name_text, face, column_width), smallest)
        across = column
    name_lines, name_size = across
    name = _block(draw, name_lines, (inner_left, top), name_size, INK, bold=True)

    owner_top = name.box[3] + gap
    owner_text = one_line(product.owner)
    fitted = _whole_text(
        draw,
        owner_text,
        OWNER_SIZES,
        column_width,
        inner_bottom - owner_top,
        OWNER_LINES,
        bold=False,
    )
    if fitted is None:
        smallest = OWNER_SIZES[-1]
        fitted = (
            _fit_lines(draw, owner_text, font(smallest), column_width, OWNER_LINES),
            smallest,
        )
    owner = _block(draw, fitted[0], (inner_left, owner_top), fitted[1], MUTED)

    summary_top = owner.box[3] + gap
    room = (inner_bottom - summary_top) // _line_height(SUMMARY_SIZE)
    summary = None
    if room > 0:
        summary_lines = _fit_lines(
            draw, one_line(product.summary), font(SUMMARY_SIZE), column_width, room
        )
        summary = _block(draw, summary_lines, (inner_left, summary_top), SUMMARY_SIZE, INK)
    return LabelLayout(
        card=(0, 0, width, height),
        band=(0, 0, width, band),
        qr=(code_x, code_y, code_x + code_size, code_y + code_size),
        caption=caption,
        name=name,
        owner=owner,
        summary=summary,
    )


def _draw_block(draw: ImageDraw.ImageDraw, block: TextBlock, origin: tuple[int, int]) -> None:
    face = font(block.size, bold=block.bold)
    x, y = origin
    for index, line in enumerate(block.lines):
        line_y = y + block.xy[1] + index * _line_height(block.size)
        draw.text((x + block.xy[0], line_y), line, font=face, fill=block.fill, anchor="la")


def _draw_label(
    image: Image.Image, origin: tuple[int, int], size: tuple[int, int], product: Product, url: str
) -> None:
    draw = ImageDraw.Draw(image)
    x, y = origin
    width, height = size
    pad = round(4 * MM)
    draw.rectangle((x, y, x + width - 1, y + height - 1), outline=CUT_LINE, width=2)
    colour = theme_colour(product.theme)
    code = qr_block(url, round(30 * MM))
    layout = label_layout(draw, size, product, code.width)
    band = layout.band[3]
    draw.rectangle((x + 1, y + 1, x + width - 2, y + band), fill=colour)
    draw.text(
        (x + pad, y + band / 2),
        one_line(product.theme),
        font=font(30, bold=True),
        fill=WHITE,
        anchor="lm",
    )
    image.paste(code, (x + layout.qr[0], y + layout.qr[1]))
    for block in (layout.name, layout.owner, layout.summary):
        if block is not None:
            _draw_block(draw, block, origin)
    caption = layout.caption
    face = font(caption.size)
    for index, line in enumerate(caption.lines):
        line_y = y + caption.xy[1] + index * _line_height(caption.size)
        draw.text((x + width - pad, line_y), line, font=face, fill=caption.fill, anchor="ra")
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
