"""Security headers on every response: pages, static files, the API, errors and 304s."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from popupstore.security import PUBLIC

from .conftest import fresh_request
from .test_access_walk import routes

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def assert_security_headers(response, what: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives.get("frame-ancestors") == ["'none'"], what
    assert directives.get("script-src") == ["'self'"], what
    assert directives.get("style-src") == ["'self'"], what
    assert directives.get("object-src") == ["'none'"], what
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Referrer-Policy") == "no-referrer", what
    assert headers.get("X-Frame-Options") == "DENY", what


def test_every_public_get_route_sends_the_headers(app, store, make_checkout):
    token = make_checkout({"geldfit": "want"})["token"]
    client = app.test_client()
    seen = 0
    for route in routes(app):
        if route.method != "GET" or route.access != PUBLIC:
            continue
        url = re.sub(r"/r/bestaat-niet", f"/r/{token}", route.url)
        url = url.replace("/api/v1/receipts/bestaat-niet", f"/api/v1/receipts/{token}")
        response = fresh_request(client, "GET", url)
        assert response.status_code < 500, url
        assert_security_headers(response, url)
        seen += 1
    assert seen >= 10


def test_staff_pages_and_api_send_the_headers(app, store, client_as, api_token):
    page = fresh_request(client_as("organiser"), "GET", "/organisator/privacy")
    assert page.status_code == 200
    assert_security_headers(page, "staff page")
    assert page.headers["Cache-Control"] == "no-store, max-age=0"
    api = fresh_request(
        app.test_client(),
        "GET",
        "/api/v1/events/breda-2026/overlap",
        headers={"Authorization": f"Bearer {api_token('facilitator')}"},
    )
    assert api.status_code == 200
    assert_security_headers(api, "staff api")
    assert api.headers["Cache-Control"] == "no-store, max-age=0"


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/bestaat-niet", 404),
        ("GET", "/api/v1/bestaat-niet", 404),
        ("DELETE", "/privacy", 405),
        ("PUT", "/api/v1/products", 405),
        ("GET", "/api/v1/events/breda-2026/overlap", 401),
        ("GET", "/facilitator/", 302),
        ("POST", "/klaar", 302),
    ],
)
def test_errors_and_redirects_send_the_headers(client, store, method, url, status):
    response = fresh_request(client, method, url)
    assert response.status_code == status
    assert_security_headers(response, url)


def test_oversized_bodies_and_rate_limits_send_the_headers(make_app, store):
    app = make_app(RATELIMIT_TOKEN_LOOKUP="1 per minute")
    with app.app_context():
        client = app.test_client()
        big = fresh_request(
            client,
            "POST",
            "/api/v1/events/breda-2026/checkouts",
            data=b"x" * (300 * 1024),
            content_type="application/json",
        )
        assert big.status_code == 413
        assert_security_headers(big, "413")
        for _ in range(2):
            limited = fresh_request(client, "GET", "/r/raden")
        assert limited.status_code == 429
        assert_security_headers(limited, "429")


def test_server_errors_send_the_headers(app, client):
    def broken() -> str:
        raise RuntimeError("kapot")

    app.add_url_rule("/kapot", "broken", broken)
    page = fresh_request(client, "GET", "/kapot")
    assert page.status_code == 500
    assert_security_headers(page, "500")


def test_not_modified_answers_send_the_headers(client, store, make_checkout):
    static = fresh_request(client, "GET", "/static/css/store.css")
    assert static.status_code == 200
    assert_security_headers(static, "static")
    again = fresh_request(
        client, "GET", "/static/css/store.css", headers={"If-None-Match": static.headers["ETag"]}
    )
    assert again.status_code == 304
    assert_security_headers(again, "static 304")

    token = make_checkout({"geldfit": "want"})["token"]
    live = fresh_request(client, "GET", f"/r/{token}/partners")
    unchanged = fresh_request(
        client, "GET", f"/r/{token}/partners", headers={"If-None-Match": live.headers["ETag"]}
    )
    assert unchanged.status_code == 304
    assert_security_headers(unchanged, "partners 304")


def test_https_responses_ask_for_https_from_then_on(client, store):
    response = fresh_request(client, "GET", "/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in fresh_request(client, "GET", "/").headers


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


# The HTML parts of mails: never served as pages, so no CSP applies; mail programs need
# their styles in the mail itself. They are checked on their own below.
MAIL_TEMPLATES = TEMPLATES / "followup" / "mail"
PAGE_TEMPLATES = [p for p in sorted(TEMPLATES.rglob("*.html")) if MAIL_TEMPLATES not in p.parents]


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_hold_no_inline_script_style_or_handlers(template):
    # The CSP would block them in the browser; better to fail here with the file's name.
    source = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(source)
    assert not INLINE_STYLE.search(source)
    assert not INLINE_HANDLER.search(source)
    assert not JAVASCRIPT_URL.search(source)


@pytest.mark.parametrize("template", sorted(MAIL_TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_mail_templates_hold_no_script_handler_or_image(template):
    source = template.read_text(encoding="utf-8")
    assert not re.search(r"<script\b", source, re.IGNORECASE)
    assert not INLINE_HANDLER.search(source)
    assert not JAVASCRIPT_URL.search(source)
    # No tracking pixel and nothing fetched from elsewhere: no images at all.
    assert not re.search(r"<img\b|url\(", source, re.IGNORECASE)


def test_a_view_keeps_its_own_header_values_and_each_header_comes_once(app, client):
    from flask import Response

    from popupstore.security import public

    @public
    def framed() -> Response:
        response = Response("<p>ingebed</p>")
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Cache-Control"] = "private, max-age=60"
        return response

    app.add_url_rule("/ingebed", "framed", framed)
    response = fresh_request(client, "GET", "/ingebed")
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("Cache-Control") == ["private, max-age=60"]
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"):
        assert len(response.headers.getlist(name)) == 1, name
    # Without a policy of its own, an HTML page is not stored.
    assert fresh_request(client, "GET", "/").headers.getlist("Cache-Control") == [
        "no-store, max-age=0"
    ]
