"""Rendered pages kept per worker process, keyed by everything they show.

The start page and the receipt pages are what a crowd opens at once. Rendering them
means several queries, the matching engine and a few hundred translated strings; the
result only changes when the database does. So a worker keeps the HTML it rendered,
under a key built from one cheap query (the event's receipt counter and data version,
the catalog's last change …) plus what the visitor's session adds (language, basket
size, kiosk mode, the path). Nothing here is shared between workers, and nothing needs
to be: each worker checks the database before it answers.

The session's CSRF token is the one part that differs per visitor on an otherwise equal
page, so it is rendered as a placeholder and filled in per request. Pages with flashed
messages or for logged-in staff are never kept. Entries hang in groups (an event); when
a group's version moves on — a checkout was erased, personal data purged — all its older
pages are dropped at once, so erased data do not linger in memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import generate_csrf

EXTENSION = "popupstore_pages"
FRESHNESS = "popupstore_freshness"
DEFAULT_SIZE = 512
CSRF_HOLE = "\x1fcsrf-token\x1f"


class PageCache:
    """An LRU of rendered pages in groups; a group's pages share one version."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._pages: OrderedDict[tuple[Hashable, Hashable], str] = OrderedDict()
        self._versions: dict[Hashable, Hashable] = {}

    def get_or_render(
        self, group: Hashable, version: Hashable, key: Hashable, render: Callable[[], str]
    ) -> str:
        with self._lock:
            if self._versions.get(group, version) != version:
                self._drop_group(group)
            self._versions[group] = version
            found = self._pages.get((group, key))
            if found is not None:
                self._pages.move_to_end((group, key))
                return found
        page = render()
        with self._lock:
            if self._versions.get(group) == version:
                self._pages[(group, key)] = page
                while len(self._pages) > self._size:
                    self._pages.popitem(last=False)
        return page

    def _drop_group(self, group: Hashable) -> None:
        for stored in [k for k in self._pages if k[0] == group]:
            del self._pages[stored]

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._versions.clear()


class Freshness:
    """Small facts read from the database (versions, token → checkout), reused for at most
    `ttl` seconds by this worker.

    At a busy moment every request would otherwise ask the database the same question
    (has anything changed?); with a TTL of a second the answer is asked once a second. A
    worker forgets what it changed itself at once; what other workers change shows within
    the TTL. A TTL of 0 asks every time.
    """

    def __init__(self, ttl: float, size: int = 8192) -> None:
        self._ttl = ttl
        self._size = size
        self._lock = threading.Lock()
        self._values: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        found = self.peek(key)
        if found is not None:
            return found
        value = load()
        self.put(key, value)
        return value

    def peek(self, key: Hashable) -> Any:
        """The remembered value if it is still fresh, else None."""
        with self._lock:
            found = self._values.get(key)
        if found is not None and time.monotonic() - found[0] < self._ttl:
            return found[1]
        return None

    def put(self, key: Hashable, value: Any) -> None:
        if self._ttl <= 0:
            return
        with self._lock:
            self._values[key] = (time.monotonic(), value)
            self._values.move_to_end(key)
            while len(self._values) > self._size:
                self._values.popitem(last=False)

    def forget(self, key: Hashable | None = None) -> None:
        with self._lock:
            if key is None:
                self._values.clear()
            else:
                self._values.pop(key, None)


def init_page_cache(app: Flask) -> None:
    app.extensions[EXTENSION] = PageCache(app.config.get("PAGE_CACHE_SIZE", DEFAULT_SIZE))
    app.extensions[FRESHNESS] = Freshness(float(app.config.get("FRESHNESS_SECONDS", 1.0)))


def freshness() -> Freshness:
    found: Freshness = current_app.extensions[FRESHNESS]
    return found


def page_cache() -> PageCache:
    cache: PageCache = current_app.extensions[EXTENSION]
    return cache


def cacheable() -> bool:
    """Whether this request's page may come from (and go into) the cache."""
    # Flask-Login keeps a logged-in user's id under "_user_id"; asking the session is
    # cheaper than loading current_user on every kept page.
    return bool(
        current_app.config.get("PAGE_CACHE", True)
        and not session.get("_flashes")
        and "_user_id" not in session
    )


def visitor_variant(*extra: Any) -> tuple[Any, ...]:
    """What the visitor's session and request add to a page, besides the database."""
    from .basket.services import SessionBasket
    from .i18n import select_locale
    from .kiosk.services import kiosk_mode

    return (
        request.full_path,
        select_locale(),
        kiosk_mode(),
        len(SessionBasket(session)),
        *extra,
    )


def cached_page(
    group: Hashable, version: Hashable, key: Hashable, render: Callable[[], str]
) -> str:
    """The page for `key`, rendered once per version with a placeholder CSRF token."""
    if not cacheable():
        return render()

    def render_with_hole() -> str:
        field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        real = g.pop(field, None)
        setattr(g, field, CSRF_HOLE)
        try:
            return render()
        finally:
            g.pop(field, None)
            if real is not None:
                setattr(g, field, real)

    page = page_cache().get_or_render(group, version, key, render_with_hole)
    if CSRF_HOLE in page:
        page = page.replace(CSRF_HOLE, generate_csrf())
    return page
