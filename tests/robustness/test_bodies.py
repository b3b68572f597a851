"""Oversized bodies get 413, wrong content types 415 or 400, odd JSON 400 or 422: never a
crash, never an HTML page from the API, and nothing stored."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from popupstore.basket.models import Checkout
from popupstore.extensions import db

from ..security.conftest import fresh_request

URL = "/api/v1/events/breda-2026/checkouts"
BODY = (
    b'{"items": [{"product": "geldfit", "intent": "want"}], '
    b'"visitor": {"name": "Anna", "organisation": "Breda"}}'
)


def stored() -> int:
    db.session.expire_all()
    count = db.session.execute(select(func.count(Checkout.id))).scalar_one()
    db.session.rollback()
    return count


def api_error(response) -> str:
    assert response.is_json, response.get_data(as_text=True)[:200]
    return response.get_json()["error"]["code"]


def test_an_api_body_over_256_kib_is_413_with_or_without_a_length(client, store):
    big = b'{"pad": "' + b"x" * (256 * 1024) + b'"}'
    declared = fresh_request(client, "POST", URL, data=big, content_type="application/json")
    assert declared.status_code == 413 and api_error(declared) == "payload_too_large"
    # What gunicorn hands over for a chunked upload: a stream that ends, and no length.
    streamed = fresh_request(
        client,
        "POST",
        URL,
        input_stream=io.BytesIO(big),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert streamed.status_code == 413 and api_error(streamed) == "payload_too_large"
    assert stored() == 0


def test_a_form_body_over_2_mib_is_413(client, store):
    response = fresh_request(client, "POST", "/afrekenen", data={"name": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Dat bestand is te groot." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("content_type", "status", "code"),
    [
        ("text/plain", 415, "unsupported_media_type"),
        ("application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("multipart/form-data; boundary=x", 415, "unsupported_media_type"),
        ("application/xml", 415, "unsupported_media_type"),
        ("application/json-patch+json", 415, "unsupported_media_type"),
        (None, 415, "unsupported_media_type"),
    ],
)
def test_a_body_that_is_not_json_is_415(client, store, content_type, status, code):
    response = fresh_request(client, "POST", URL, data=BODY, content_type=content_type)
    assert response.status_code == status and api_error(response) == code
    assert stored() == 0


def test_json_with_a_charset_is_fine(client, store):
    response = fresh_request(
        client, "POST", URL, data=BODY, content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"\xef\xbb\xbf" + BODY, 400, "bad_request"),
        (b"[" * 100_000 + b"]" * 100_000, 400, "bad_request"),
        (b'{"items": ' + b"9" * 5000 + b"}", 400, "bad_request"),
        (b'{"items": NaN, "visitor": Infinity}', 422, "validation_error"),
        (b'{"a": 1, "a": 2}', 422, "validation_error"),
        (b"null", 400, "bad_request"),
        (b"\x00", 400, "bad_request"),
        (BODY.replace(b"Anna", b"An\\u0000na"), 422, "validation_error"),
        (BODY.replace(b"Anna", b"\\ud800"), 422, "validation_error"),
        (BODY.replace(b'"Anna"', b'{"\\udfff\\u0000": "\\ud800"}'), 422, "validation_error"),
    ],
)
def test_odd_json_is_a_clear_error(client, store, data, status, code):
    response = fresh_request(client, "POST", URL, data=data, content_type="application/json")
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if code:
        assert api_error(response) == code


def test_a_form_post_to_the_tables_endpoint_is_415(client, store, api_token):
    response = fresh_request(
        client,
        "POST",
        "/api/v1/events/breda-2026/tables",
        data={"min_size": "2"},
        headers={"Authorization": f"Bearer {api_token('facilitator')}"},
    )
    assert response.status_code == 415 and api_error(response) == "unsupported_media_type"


def test_a_wrong_method_is_405_json_with_allow(client, store):
    response = fresh_request(client, "PATCH", URL, data=BODY, content_type="application/json")
    assert response.status_code == 405 and api_error(response) == "method_not_allowed"
    assert "POST" in response.headers["Allow"]
