"""QR codes as PNG (qrcode + Pillow)."""

from __future__ import annotations

import io
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage


def qr_image(data: str, *, box_size: int = 10, border: int = 4) -> PilImage:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(data)
    code.make(fit=True)
    return code.make_image(image_factory=PilImage)


@lru_cache(maxsize=512)
def qr_png(data: str, box_size: int = 10) -> bytes:
    """A PNG QR code for `data`; kept in memory because 240 phones may ask at once."""
    buffer = io.BytesIO()
    qr_image(data, box_size=box_size).save(buffer, format="PNG")
    return buffer.getvalue()
