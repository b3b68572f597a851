"""Put the project's top-level folders inside the package when a real wheel is built."""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

TRAVELLERS = {
    "templates": "popupstore/templates",
    "migrations": "popupstore/migrations",
    "seed_products.yaml": "popupstore/seed_products.yaml",
}


class CustomBuildHook(BuildHookInterface):  # type: ignore[misc]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        # An editable install runs from the checkout, where these already sit.
        if version == "standard":
            build_data["force_include"].update(TRAVELLERS)
