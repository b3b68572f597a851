"""The import graph of the package: no cycles, and every layer imports only the ones below.

The layers are those of docs/architecture.md, section 1. Imports are read with `ast` from
every module, those inside functions included, so a cycle hidden in a function body is
found too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "popupstore"

PLUMBING = (
    "popupstore.config",
    "popupstore.db",
    "popupstore.db_setup",
    "popupstore.errors",
    "popupstore.extensions",
    "popupstore.forms",
    "popupstore.i18n",
    "popupstore.pagecache",
    "popupstore.passwords",
    "popupstore.ratelimits",
    "popupstore.redaction",
    "popupstore.resources",
    "popupstore.security",
    "popupstore.tokens",
    "popupstore.transactions",
    "popupstore.validation",
    "popupstore.versions",
    "popupstore.web",
)
PURE = (
    "popupstore.charts",
    "popupstore.matching",
    "popupstore.organisations",
    "popupstore.spelling",
    "popupstore.text",
)
COMPOSITION = (
    "popupstore",
    "popupstore.cli",
    "popupstore.console",
    "popupstore.demo",
    "popupstore.server",
)


def module_names() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = module_names()


def _target(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    anchor = module.split(".")
    if MODULES[module].name != "__init__.py":
        anchor = anchor[:-1]
    anchor = anchor[: len(anchor) - (node.level - 1)]
    return ".".join(anchor + ([node.module] if node.module else []))


def imports_of(module: str) -> set[str]:
    """The package's modules that `module` imports (a name imported from a package that is
    itself a module counts as that module)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = _target(module, node)
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in MODULES else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: imports_of(module) for module in MODULES}


def within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_the_package_has_no_import_cycles():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(GRAPH[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert cycles == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if within(m, PLUMBING)))
def test_plumbing_imports_no_domain_package(module):
    assert {m for m in GRAPH[module] if not within(m, (*PLUMBING, *PURE))} == set()


@pytest.mark.parametrize("module", sorted(m for m in MODULES if within(m, PURE)))
def test_pure_packages_import_nothing_of_the_app(module):
    assert {m for m in GRAPH[module] if not within(m, PURE)} == set()
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    libraries = {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and not node.level
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert libraries.isdisjoint({"flask", "flask_babel", "sqlalchemy", "wtforms", "werkzeug"})


def _is_view_level(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last == "views" or module in COMPOSITION or within(module, ("popupstore.api",))


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if not _is_view_level(m) and m not in COMPOSITION)
)
def test_services_and_models_never_reach_up_to_views_the_api_or_the_cli(module):
    assert {m for m in GRAPH[module] if _is_view_level(m)} == set()


def test_the_layer_lists_name_real_modules():
    for name in (*PLUMBING, *PURE, *COMPOSITION):
        assert name in MODULES, name


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


# Packages that still import each other, each for one step of the visitor's flow: the shop
# floor shows the session's basket and the basket reads the catalog; a checkout queues its
# receipt mail and claims the proposals made before it, and those packages read checkouts.
# Files form no cycle (above); a new pair fails here.
TWO_WAY_PACKAGES = {
    ("popupstore.basket", "popupstore.catalog"),
    ("popupstore.basket", "popupstore.followup"),
    ("popupstore.basket", "popupstore.proposals"),
}


def test_packages_import_each_other_only_where_listed():
    arrows = {
        (package_of(module), package_of(other))
        for module, targets in GRAPH.items()
        for other in targets
        if package_of(module) != package_of(other)
    }
    both_ways = {tuple(sorted(pair)) for pair in arrows if pair[::-1] in arrows}
    assert both_ways == TWO_WAY_PACKAGES
