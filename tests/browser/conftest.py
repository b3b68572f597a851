"""Browser tests: real Chromium (Debian's) driven by Playwright, against a live server.

These never skip: without Chromium they fail, so CI cannot pass without running them.

Wait with `expect(...)` (to_be_focused, to_have_count …), never with
`page.wait_for_function`: Playwright polls that one with `eval` in the page, which the
store's Content-Security-Policy refuses, so it only passes when the condition already
holds at the first look — a race a slower CI machine loses.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from .nu_checker import SERVED_DOCUMENTS, ServedDocuments

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
HERE = Path(__file__).parent
# Checks the pages that the other browser tests were sent, so it runs after them.
LAST = HERE / "test_html_validity.py"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives Chromium: mark it `browser` before `-m` selects, so
    `-m "not browser"` leaves out a new module that forgot its own mark. Under pytest-xdist
    they form one group (`--dist loadgroup`): one worker, one Chromium, in this order."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))
    items.sort(key=lambda item: item.path == LAST)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install chromium (browser tests never skip)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


def _read_whole(app: Any, documents: ServedDocuments) -> Any:
    """Hand werkzeug's development server complete bodies, with files already closed, and
    keep each HTML document for the Nu Html Checker.

    When the browser drops a request half-way (back, reload), that server can give up
    before closing the response; a static file left open then surfaces later as a
    ResourceWarning in an unrelated test. Reading each body at once avoids that.
    """

    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        content_type = ""

        def note_content_type(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            nonlocal content_type
            content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
            return start_response(status, headers, *args)

        body = app(environ, note_content_type)
        try:
            chunks = list(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        query = environ.get("QUERY_STRING")
        path = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
        documents.record(environ["REQUEST_METHOD"], path, content_type, b"".join(chunks))
        return chunks

    return wsgi


class LiveServer:
    def __init__(self, app: Flask, documents: ServedDocuments = SERVED_DOCUMENTS) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, _read_whole(app, documents), threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


@pytest.fixture
def live_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """The app as a browser meets it: CSRF on, the real settings."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(live_app).start()
    yield server
    server.stop()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """Save a screenshot under tests/browser/artifacts/<test>-<step>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")

    def take(page: Any, step: str) -> Path:
        path = ARTIFACTS / f"{name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
