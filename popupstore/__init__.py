"""Popupstore."""
