"""Views and commands end their unit of work one way: `transactions.committed()`.

A view that calls `db.session.commit()` itself can commit half of what a service did
before a later step raises, and reads differently from every other view. Parsed with
`ast`; the files that may commit are listed with their reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "popupstore"
MAY_COMMIT = {
    "transactions.py": "the one pattern itself",
    "db_setup.py": "creates the schema on its own connection, before any request",
    "followup/outbox.py": "send-mail commits once per mail, so a crash halfway loses none",
}


def commits_in(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
    ]


def test_only_the_listed_files_commit():
    found = {
        f"{path.relative_to(PACKAGE_DIR)}:{line}"
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if str(path.relative_to(PACKAGE_DIR)) not in MAY_COMMIT
        for line in commits_in(path)
    }
    assert found == set()


def test_the_check_sees_a_commit(tmp_path):
    view = tmp_path / "views.py"
    view.write_text("def save():\n    change()\n    db.session.commit()\n", encoding="utf-8")
    assert commits_in(view) == [3]
    assert all((PACKAGE_DIR / name).exists() for name in MAY_COMMIT)
