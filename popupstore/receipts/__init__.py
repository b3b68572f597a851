"""A visitor's receipt: partners, colleagues and collaborations, on the page and its QR code."""
