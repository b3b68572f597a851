"""Kiosk mode of the booth tablet: idle reset, language switch and the staff PIN."""
