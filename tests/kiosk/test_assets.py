"""The booth works offline: every asset is served by the store, and no icon needs an emoji font."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "popupstore" / "static"
TEMPLATES = ROOT / "templates"
# An SVG file names its XML namespace with this URL; nothing is ever fetched from it.
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
EXTERNAL = re.compile(r"(?:https?:)?//[^\s\"')]+", re.IGNORECASE)
# Symbols and pictographs that fall back to an empty box without an emoji font.
EMOJI = re.compile("[\u2600-\u27bf\u2b00-\u2bff\ufe0f\U0001f000-\U0001faff]")
URL_ATTRIBUTES = ("src", "href", "action", "srcset", "poster", "data", "formaction")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value:
                self.urls.append(value)


def _pages(client, make_checkout) -> dict[str, str]:
    receipt = make_checkout({"geldfit": "want"}, name="Bram")
    client.post("/mandje/geldfit", data={"intent": "want"})
    paths = [
        "/",
        "/producten",
        "/producten?q=schulden",
        "/product/geldfit",
        "/mandje",
        "/afrekenen",
        f"/r/{receipt['token']}",
        f"/r/{receipt['token']}/wissen",
        "/gewist",
        "/login",
        "/bestaat-niet",
    ]
    pages = {}
    for language in ("nl", "en"):
        client.post("/taal", data={"lang": language})
        for path in paths:
            pages[f"{language} {path}"] = client.get(path).get_data(as_text=True)
    return pages


def test_rendered_pages_load_nothing_from_elsewhere(client, store, make_checkout):
    assets: set[str] = set()
    for name, html in _pages(client, make_checkout).items():
        links = _Links()
        links.feed(html)
        assert links.urls, name
        outside = [url for url in links.urls if EXTERNAL.match(url) or ":" in url.split("/")[0]]
        assert outside == [], name
        assert "<style" not in html and " style=" not in html, name
        assert EMOJI.findall(html) == [], name
        assets.update(url for url in links.urls if url.startswith("/static/"))
    assert "/static/css/store.css" in assets
    for url in sorted(assets):
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url


@pytest.mark.parametrize(
    "path",
    sorted(p for p in STATIC.rglob("*") if p.suffix in {".css", ".js", ".svg"}),
    ids=lambda p: str(p.relative_to(STATIC)),
)
def test_static_files_point_nowhere_else(path):
    text = path.read_text(encoding="utf-8")
    found = [url for url in EXTERNAL.findall(text) if url != SVG_NAMESPACE]
    # `//` starts a comment in JavaScript; only a quoted or url() address would load something.
    if path.suffix == ".js":
        found = re.findall(r"[\"'`](?:https?:)?//[^\"'`]+", text)
    assert found == []
    assert "@import" not in text
    for target in re.findall(r"url\(\s*[\"']?([^\"')]+)", text):
        assert not target.startswith(("http:", "https:", "//")), target
        assert (path.parent / target).resolve().is_file(), target
    assert EMOJI.findall(text) == []


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_use_svg_icons_not_emoji(path):
    assert EMOJI.findall(path.read_text(encoding="utf-8")) == []
