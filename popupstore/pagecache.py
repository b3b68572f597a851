"""Rendered pages kept per worker process, each under the versions of what it shows.

The start page and the receipt pages are what a crowd opens at once. Rendering them means
several queries, the matching engine and a few hundred translated strings, while the
result only changes when the data behind it does. So a worker keeps the HTML it rendered
under a key (the page and what the visitor's session adds: language, basket size, kiosk
mode) together with the named versions the page declared (`popupstore.versions`); a page
whose versions moved on is rendered again.

Kept pages hold other visitors' names (a receipt names partners), so they must not outlive
an erasure: whenever a worker learns that a name moved on, it drops every kept page that
was rendered under an older value of that name, whatever page is asked for; and no page is
kept longer than `MAX_AGE` seconds. Pages with flashed messages or for logged-in staff are
never kept.

The session's CSRF token differs per visitor on an otherwise equal page. While a page is
rendered for keeping, the template global `csrf_token()` writes a placeholder, which each
answer replaces with the visitor's own token (Flask-WTF's `generate_csrf`).

This module is plumbing: it knows nothing of the domain; callers pass the versions.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from flask import Flask, current_app, g, get_flashed_messages
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

EXTENSION = "popupstore_pages"
DEFAULT_SIZE = 512
MAX_AGE = 600.0
# Printable, so the filter every printed value passes (web.screen_text) leaves it alone.
CSRF_PLACEHOLDER = "\u27e6csrf-token\u27e7"
RENDERING_FLAG = "popupstore_keeping_page"


@dataclass(frozen=True, slots=True)
class KeptPage:
    html: str
    versions: tuple[tuple[str, int], ...]
    kept_at: float


class KeptPages:
    """An LRU of rendered pages; each remembers the (name, version) pairs it was made under."""

    def __init__(self, size: int = DEFAULT_SIZE, max_age: float = MAX_AGE) -> None:
        self._size = size
        self._max_age = max_age
        self._lock = threading.Lock()
        self._pages: OrderedDict[Hashable, KeptPage] = OrderedDict()
        self._latest: dict[str, int] = {}

    def get_or_render(
        self, key: Hashable, versions: Sequence[tuple[str, int]], render: Callable[[], str]
    ) -> str:
        wanted = tuple(versions)
        now = time.monotonic()
        with self._lock:
            self._learn(wanted)
            found = self._pages.get(key)
            if (
                found is not None
                and found.versions == wanted
                and now - found.kept_at < self._max_age
            ):
                self._pages.move_to_end(key)
                return found.html
        html = render()
        with self._lock:
            # Keep it only if nothing newer was learnt while it was rendered.
            if all(self._latest.get(name, value) == value for name, value in wanted):
                self._pages[key] = KeptPage(html, wanted, now)
                self._pages.move_to_end(key)
                while len(self._pages) > self._size:
                    self._pages.popitem(last=False)
        return html

    def _learn(self, versions: tuple[tuple[str, int], ...]) -> None:
        moved = [name for name, value in versions if self._latest.get(name, value) < value]
        for name, value in versions:
            if self._latest.get(name, -1) < value:
                self._latest[name] = value
        if moved:
            stale = [
                key
                for key, page in self._pages.items()
                if any(self._latest.get(name, value) > value for name, value in page.versions)
            ]
            for key in stale:
                del self._pages[key]

    def __len__(self) -> int:
        return len(self._pages)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._latest.clear()


def init_page_cache(app: Flask) -> None:
    app.extensions[EXTENSION] = KeptPages(app.config.get("PAGE_CACHE_SIZE", DEFAULT_SIZE))

    # Replaces Flask-WTF's own `csrf_token` template global with one that leaves a
    # placeholder while a page is rendered for keeping.
    @app.template_global("csrf_token")
    def csrf_token() -> str:
        if g.get(RENDERING_FLAG):
            return CSRF_PLACEHOLDER
        return generate_csrf()


def kept_pages() -> KeptPages:
    pages: KeptPages = current_app.extensions[EXTENSION]
    return pages


def may_keep() -> bool:
    """Whether this request's page may come from (and go into) the kept pages."""
    if not current_app.config.get("PAGE_CACHE", True):
        return False
    if current_user.is_authenticated:
        return False
    # Peeking keeps the messages for the page that shows them.
    return not get_flashed_messages()


def kept_page(key: Hashable, versions: Sequence[tuple[str, int]], render: Callable[[], str]) -> str:
    """The page for `key`, rendered once per set of `versions` (name, value) pairs."""
    if not may_keep():
        return render()

    def render_for_keeping() -> str:
        setattr(g, RENDERING_FLAG, True)
        try:
            return render()
        finally:
            setattr(g, RENDERING_FLAG, False)

    page = kept_pages().get_or_render(key, versions, render_for_keeping)
    if CSRF_PLACEHOLDER in page:
        page = page.replace(CSRF_PLACEHOLDER, generate_csrf())
    return page
