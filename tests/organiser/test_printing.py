"""Printed material: the A3 poster and the A4 shelf labels; their QR codes are read back."""

from __future__ import annotations

import io
import math
from typing import Any

import pytest
import zxingcpp
from PIL import Image, ImageDraw, PdfParser

from popupstore.catalog.services import active_products
from popupstore.organiser import printing
from popupstore.organiser.printing import A3, A4, DPI

POINTS_PER_MM = 72 / 25.4


def qr_texts(image: Image.Image) -> list[str]:
    return sorted(code.text for code in zxingcpp.read_barcodes(image))


def pdf_pages(data: bytes) -> list[tuple[list[float], Image.Image]]:
    """Each page's size in points and the picture printed on it (the PDFs are page images)."""
    assert data.startswith(b"%PDF-")
    parser = PdfParser.PdfParser(buf=data)
    pages = []
    for reference in parser.pages:
        page = parser.read_indirect(reference)
        [image_reference] = page[b"Resources"][b"XObject"].values()
        stream = parser.read_indirect(image_reference)
        pages.append((list(page[b"MediaBox"]), Image.open(io.BytesIO(stream.buf))))
    return pages


def assert_paper(media_box: list[float], width_mm: int, height_mm: int) -> None:
    assert media_box[2] == pytest.approx(width_mm * POINTS_PER_MM, abs=1)
    assert media_box[3] == pytest.approx(height_mm * POINTS_PER_MM, abs=1)


def test_the_poster_png_is_a3_with_a_qr_code_to_the_store(organiser, store):
    response = organiser.get("/organisator/drukwerk/poster.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert "popupstore-poster-a3.png" in response.headers["Content-Disposition"]
    image = Image.open(io.BytesIO(response.data))
    assert image.size == A3 == (1754, 2480)
    assert image.info["dpi"] == pytest.approx((DPI, DPI), abs=0.1)
    assert qr_texts(image) == ["http://localhost/"]


def test_the_poster_follows_the_configured_base_url(make_app, store):
    app = make_app(BASE_URL="https://winkel.example.nl/")
    with app.app_context():
        client = app.test_client()
        from popupstore.auth.services import create_user
        from popupstore.extensions import db

        create_user("olga", "geheim-wachtwoord", "organiser")
        db.session.commit()
        client.post("/login", data={"username": "olga", "password": "geheim-wachtwoord"})
        image = Image.open(io.BytesIO(client.get("/organisator/drukwerk/poster.png").data))
        assert qr_texts(image) == ["https://winkel.example.nl/"]
        [(_box, page)] = pdf_pages(client.get("/organisator/drukwerk/poster.pdf").data)
        assert qr_texts(page) == ["https://winkel.example.nl/"]


def test_the_poster_pdf_is_one_a3_page_with_the_same_qr_code(organiser, store):
    response = organiser.get("/organisator/drukwerk/poster.pdf")
    assert response.mimetype == "application/pdf"
    [(box, page)] = pdf_pages(response.data)
    assert_paper(box, 297, 420)
    assert page.size == A3
    assert qr_texts(page) == ["http://localhost/"]


def test_the_poster_preview_is_shown_inline(organiser, store):
    response = organiser.get("/organisator/drukwerk/poster.png?voorbeeld=1")
    assert response.headers["Content-Disposition"].startswith("inline;")
    page = organiser.get("/organisator/drukwerk").get_data(as_text=True)
    assert 'src="/organisator/drukwerk/poster.png?voorbeeld=1"' in page
    assert 'alt="Voorbeeld van de poster' in page


def test_shelf_labels_have_one_card_per_active_product_with_its_qr_code(organiser, store):
    response = organiser.get("/organisator/drukwerk/schapkaartjes.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pages = pdf_pages(response.data)
    products = active_products()
    assert len(products) == 7
    assert len(pages) == math.ceil(len(products) / 8) == 1
    found = []
    for box, image in pages:
        assert_paper(box, 210, 297)
        assert image.size == A4
        found += qr_texts(image)
    assert found == sorted(f"http://localhost/product/{p.slug}" for p in products)
    assert "http://localhost/product/oude-aanpak" not in found  # retired


def test_shelf_labels_run_over_as_many_sheets_as_needed(app, store):
    products = active_products() * 3  # 21 cards: three sheets of eight
    pages = printing.shelf_label_pages("https://winkel.nl", products)
    assert len(pages) == 3
    per_page = [len(qr_texts(page)) for page in pages]
    assert per_page == [8, 8, 5]


def test_every_label_url_opens_its_product_page(organiser, store):
    [(_box, image)] = pdf_pages(organiser.get("/organisator/drukwerk/schapkaartjes.pdf").data)
    for url in qr_texts(image):
        assert organiser.get(url.removeprefix("http://localhost")).status_code == 200


def test_a_label_has_its_theme_colour(app, store):
    [product] = [p for p in active_products() if p.slug == "geldfit"]
    [page] = printing.shelf_label_pages("https://winkel.nl", [product])
    sheet = printing.LabelSheet.a4()
    x, y = sheet.origin(0)
    band = page.getpixel((x + sheet.card_width - 20, y + 10))
    assert "#" + bytes(band).hex() == printing.theme_colour("Digitaal")


def test_without_dejavu_the_material_is_drawn_with_the_built_in_font(app, store, monkeypatch):
    assert str(printing.font(40, bold=True).path).endswith("DejaVuSans-Bold.ttf")
    with monkeypatch.context() as patched:
        patched.setattr(printing, "FONT_DIRS", ())
        printing._font_file.cache_clear()
        try:
            face = printing.font(40)
            assert not isinstance(getattr(face, "path", None), str)  # Pillow's own font
            image = printing.poster_image("https://winkel.nl/", None)
            assert qr_texts(image) == ["https://winkel.nl/"]
            assert len(printing.shelf_label_pages("https://winkel.nl", active_products())) == 1
        finally:
            printing._font_file.cache_clear()
    assert str(printing.font(40, bold=True).path).endswith("DejaVuSans-Bold.ttf")


# --- the layout of a shelf label -----------------------------------------------------------------

LONG_NAME = (
    "Jongeren Perspectief Fonds met een extra lange naam die niet op twee regels past en "
    "toch helemaal zichtbaar blijft"
)
ONE_LONG_WORD = "Schuldhulpverleningsondersteuningsprogrammacoördinatie"


def label_product(name: str, owner: str = "Nibud", summary: str = "Kort.") -> Any:
    from popupstore.catalog.models import Product

    return Product(slug="x", name=name, owner=owner, theme="Digitaal", summary=summary)


def overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def layout_of(product: Any) -> Any:
    sheet = printing.LabelSheet.a4()
    draw = ImageDraw.Draw(Image.new("RGB", (sheet.card_width, sheet.card_height)))
    code = printing.qr_block("https://winkel.nl/product/x", round(30 * printing.MM))
    return printing.label_layout(draw, (sheet.card_width, sheet.card_height), product, code.width)


@pytest.mark.parametrize(
    "product",
    [
        label_product("Geldfit"),
        label_product("Werkgeversaanpak werkende armen", "Alle gemeenten en werkgevers"),
        label_product(LONG_NAME, summary="Een lang verhaal. " * 20),
        label_product(ONE_LONG_WORD, owner="Landelijk Netwerk Schuldhulpverlening " * 4),
    ],
    ids=["short", "two-lines", "long-name", "one-long-word"],
)
def test_label_texts_stay_inside_the_card_and_clear_of_the_qr_code_and_its_caption(app, product):
    with app.test_request_context():
        layout = layout_of(product)
    pad = round(4 * printing.MM)
    width, height = layout.card[2], layout.card[3]
    blocks = [b for b in (layout.name, layout.owner, layout.summary, layout.caption) if b]
    for block in blocks:
        left, top, right, bottom = block.box
        # Inside the padding, give or take a glyph's overhang ("J" reaches a little left).
        assert left >= pad - 3 and right <= width - pad + 3, block
        assert top >= layout.band[3] and bottom <= height - round(2 * printing.MM), block
        assert not overlap(block.box, layout.qr), block
    for index, block in enumerate(blocks):
        for other in blocks[index + 1 :]:
            assert not overlap(block.box, other.box), (block, other)
    # The caption sits above the code, no wider than it.
    assert layout.caption.box[3] < layout.qr[1]
    assert layout.caption.box[0] >= layout.qr[0] - 1
    assert layout.caption.text == "Meer weten? Scan mij"


@pytest.mark.parametrize(
    "name", ["Geldfit", "Werkgeversaanpak werkende armen", LONG_NAME], ids=["1", "2", "long"]
)
def test_a_product_name_is_never_cut_off(app, name):
    with app.test_request_context():
        layout = layout_of(label_product(name))
    assert layout.name.text == name
    assert "…" not in layout.name.text


def test_a_word_longer_than_a_line_is_broken_not_cut(app):
    with app.test_request_context():
        layout = layout_of(label_product(ONE_LONG_WORD))
    lines = layout.name.lines
    assert len(lines) >= 2
    assert "".join(line.removesuffix("-") for line in lines) == ONE_LONG_WORD


def test_a_long_name_gets_a_smaller_size_rather_than_an_ellipsis(app):
    with app.test_request_context():
        short, long = layout_of(label_product("Geldfit")), layout_of(label_product(LONG_NAME))
    assert short.name.size == printing.NAME_SIZES[0]
    assert long.name.size < short.name.size


def test_the_drawn_label_matches_its_layout(app):
    product = label_product(LONG_NAME)
    with app.test_request_context():
        [page] = printing.shelf_label_pages("https://winkel.nl", [product])
        layout = layout_of(product)
    sheet = printing.LabelSheet.a4()
    x, y = sheet.origin(0)
    card = page.crop((x, y, x + sheet.card_width, y + sheet.card_height)).convert("L")
    # Ink inside the name's box, none between the name and the caption's box.
    left, top, right, bottom = layout.name.box
    assert card.crop((left, top, right, bottom)).getextrema()[0] < 100
    gap = (layout.qr[0], layout.name.box[3] + 1, layout.qr[2], layout.caption.box[1] - 1)
    if gap[3] > gap[1]:
        assert card.crop(gap).getextrema()[0] > 200
    assert qr_texts(page) == ["https://winkel.nl/product/x"]
