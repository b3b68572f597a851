"""The store uses other packages through their public API only.

Every .py file under popupstore/ is parsed with `ast` (never imported for this) and
checked for three ways of reaching into another package's internals. "Another package"
is anything outside popupstore — Flask, Flask-Login, Flask-WTF, Werkzeug, SQLAlchemy …
and the standard library too. "Private" is a name with one leading underscore; dunder
names such as `__future__` or `__name__` are public.

1. Imports of private names: `from flask_login.utils import _create_identifier`,
   `from _typeshed.wsgi import StartResponse`, `import werkzeug._internal`.
2. A private attribute of a name imported from another package, however it was
   imported: `flask_login.utils._create_identifier`, `session._get_current_object()`,
   `current_user._get_current_object()`, and the same through `getattr`, `setattr`,
   `hasattr` or `delattr` with a constant name.
3. A subclass of another package's class that touches its parent's private names:
   `self._session_identifier_generator = …` (set in LoginManager's own code) or a method
   `_load_user` that overrides one of the parent's. The parent class is imported to
   look its names up.

Not seen: private attributes of objects that reach our code as values (a function's
argument, a call's result), since that needs types, not syntax; mypy and review cover
those.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

PACKAGE = "popupstore"
PACKAGE_DIR = Path(__file__).resolve().parent.parent / PACKAGE
REFLECTION = {"getattr", "setattr", "hasattr", "delattr"}


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def is_ours(module: str | None, level: int) -> bool:
    return level > 0 or module == PACKAGE or (module or "").startswith(PACKAGE + ".")


def _imported_names(tree: ast.AST) -> dict[str, tuple[str, str | None]]:
    """Local name → (module, attribute) for every import from another package."""
    names: dict[str, tuple[str, str | None]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if is_ours(alias.name, 0):
                    continue
                if alias.asname:
                    names[alias.asname] = (alias.name, None)
                else:
                    root = alias.name.partition(".")[0]
                    names[root] = (root, None)
        elif isinstance(node, ast.ImportFrom) and not is_ours(node.module, node.level):
            for alias in node.names:
                names[alias.asname or alias.name] = (node.module or "", alias.name)
    return names


def _chain(node: ast.expr) -> tuple[str | None, list[str]]:
    """The root name and the attributes of `a.b.c` (root None for any other expression)."""
    attributes: list[str] = []
    while isinstance(node, ast.Attribute):
        attributes.append(node.attr)
        node = node.value
    root = node.id if isinstance(node, ast.Name) else None
    return root, attributes[::-1]


def _resolve(module: str, attribute: str | None, attributes: list[str]) -> object | None:
    try:
        found: object = importlib.import_module(module)
        for name in ([attribute] if attribute else []) + attributes:
            found = getattr(found, name)
    except (ImportError, AttributeError):
        return None
    return found


def _parents_private_names(parent: type) -> set[str]:
    """Private names the parent's classes define or set on `self` in their own code."""
    names: set[str] = set()
    for klass in parent.__mro__:
        if klass is object or klass.__module__ == "builtins":
            continue
        names.update(name for name in vars(klass) if is_private(name))
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        names.update(re.findall(r"\bself\.(_[A-Za-z0-9]\w*)", source))
    return {name for name in names if is_private(name)}


def private_uses(source: str, filename: str = "<source>") -> list[str]:
    """Every way `source` reaches into another package's private names, one line each."""
    tree = ast.parse(source, filename)
    imported = _imported_names(tree)
    found: list[str] = []

    def report(node: ast.AST, what: str) -> None:
        found.append(f"{filename}:{getattr(node, 'lineno', 0)}: {what}")

    for node in ast.walk(tree):
        # 1. imports of private names
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not is_ours(alias.name, 0) and any(map(is_private, alias.name.split("."))):
                    report(node, f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and not is_ours(node.module, node.level):
            module = node.module or ""
            for alias in node.names:
                if any(map(is_private, module.split("."))) or is_private(alias.name):
                    report(node, f"from {module} import {alias.name}")
        # 2. private attributes of imported names
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            root, attributes = _chain(node)
            if root in imported and not any(map(is_private, attributes[:-1])):
                report(node, f"{root}.{'.'.join(attributes)}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in REFLECTION
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and is_private(node.args[1].value)
        ):
            root, _attributes = _chain(node.args[0])
            if root in imported:
                report(node, f"{node.func.id}({ast.unparse(node.args[0])}, {node.args[1].value!r})")
        # 3. subclasses touching their parent's private names
        elif isinstance(node, ast.ClassDef):
            for base in node.bases:
                root, attributes = _chain(base)
                if root not in imported:
                    continue
                parent = _resolve(*imported[root], attributes)
                if not isinstance(parent, type):
                    continue
                theirs = _parents_private_names(parent)
                for inner in ast.walk(node):
                    if (
                        isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef)
                        and inner.name in theirs
                    ):
                        report(inner, f"{node.name}.{inner.name} overrides {parent.__name__}'s")
                    elif (
                        isinstance(inner, ast.Attribute)
                        and isinstance(inner.value, ast.Name)
                        and inner.value.id == "self"
                        and inner.attr in theirs
                    ):
                        report(inner, f"{node.name} uses {parent.__name__}'s self.{inner.attr}")
    return found


def test_the_store_uses_other_packages_through_their_public_api_only():
    files = sorted(PACKAGE_DIR.rglob("*.py"))
    assert len(files) > 50  # the whole package, not an empty folder
    found = [
        use
        for path in files
        for use in private_uses(
            path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE_DIR))
        )
    ]
    assert found == []


# --- the check itself finds what it should, and only that -------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from flask_login.utils import _create_identifier", "import _create_identifier"),
        ("from _typeshed.wsgi import StartResponse", "from _typeshed.wsgi import"),
        ("import werkzeug._internal", "import werkzeug._internal"),
        ("import werkzeug._internal as w", "import werkzeug._internal"),
        ("import flask_login.utils\nflask_login.utils._create_identifier()", "_create_identifier"),
        ("from flask_login import utils\nutils._create_identifier()", "utils._create_identifier"),
        ("from flask import session\nsession._get_current_object()", "session._get_current_"),
        (
            "from flask_login import current_user as cu\ncu._get_current_object()",
            "cu._get_current_object",
        ),
        ("import flask_login\ngetattr(flask_login.utils, '_create_identifier')", "getattr("),
        (
            "from flask_login import LoginManager\n"
            "class Mine(LoginManager):\n"
            "    def __init__(self):\n"
            "        self._session_identifier_generator = self.make\n",
            "Mine uses LoginManager's self._session_identifier_generator",
        ),
        (
            "from flask_login import LoginManager\n"
            "class Mine(LoginManager):\n"
            "    def _load_user(self):\n"
            "        return None\n",
            "Mine._load_user overrides LoginManager's",
        ),
    ],
)
def test_each_kind_of_private_use_is_found(source, expected):
    found = private_uses(source)
    assert len(found) == 1, found
    assert expected in found[0]


def test_public_names_and_our_own_private_names_pass():
    source = (
        "from __future__ import annotations\n"
        "import flask_login\n"
        "from flask import session\n"
        "from flask_login import LoginManager, login_required\n"
        "from .db import _private_helper\n"
        "from popupstore.pagecache import _internal\n"
        "class Store(LoginManager):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self._my_own_cache = {}\n"
        "    def _my_own_helper(self):\n"
        "        return self._my_own_cache\n"
        "session.get('lang'); flask_login.__version__\n"
    )
    assert private_uses(source) == []
