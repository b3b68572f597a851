"""The `popupstore` console command: Flask's CLI group bound to the app factory."""

from __future__ import annotations

import sys

from . import create_app
from .cli import PopupstoreGroup


def main() -> None:
    group = PopupstoreGroup(create_app=create_app, help="Popupstore: the pop-up store CLI.")
    result = group.main()
    code = result if isinstance(result, int) else 0
    sys.exit(code)
