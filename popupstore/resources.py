"""Where the store finds the files it ships: the package, or the checkout it runs from."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_path(name: str) -> Path:
    """A top-level project file or folder (templates, migrations, the seed catalog), or its
    copy inside an installed wheel."""
    packaged = PACKAGE_DIR / name
    return packaged if packaged.exists() else PACKAGE_DIR.parent / name
