"""JSON API v1 (the OpenAPI document at /api/v1/openapi.json describes it).

Order of checks: authentication (401/403), the addressed resource (404), the body
(413, 415, 400, 422), then state (409).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import lazy_gettext as _l

from ..auth.roles import ORGANISER, STAFF
from ..basket.checkout import check_idempotency_key, place_checkout
from ..basket.index import event_index
from ..basket.payload import parse_checkout_payload
from ..catalog.services import active_products
from ..db_setup import scrub_erased_data
from ..errors import DomainError
from ..events.services import active_event, get_event, list_events
from ..extensions import csrf
from ..facilitator.services import make_table_plan
from ..matching import overlap
from ..organiser.exports import export_response, parse_format, report_exporters
from ..organiser.stats import statistics
from ..privacy.erasure import erase_checkout
from ..receipts.services import checkout_view, find_checkout_by_token
from ..security import count_failed_lookup, public
from ..series.services import get_series, series_statistics
from ..transactions import committed
from ..web import JsonErrors, answer_errors_as_json, base_url
from .auth import token_required
from .errors import (
    ApiError,
    error_response,
    from_api_error,
    from_domain_error,
    from_http_exception,
)
from .openapi import openapi_document
from .schema import checkout_request, tables_request, validate
from .serializers import (
    checkout_created_json,
    event_json,
    overlap_json,
    product_json,
    receipt_json,
    series_stats_json,
    stats_json,
)

bp = Blueprint("api", __name__)
csrf.exempt(bp)


@bp.record_once
def _answer_errors_as_json(state: BlueprintSetupState) -> None:
    """Every error under the API's prefix, unknown addresses included, is answered as JSON."""
    answer_errors_as_json(
        state.app,
        JsonErrors(
            prefix=f"{state.url_prefix or ''}/",
            http_exception=from_http_exception,
            domain_error=from_domain_error,
            unexpected=lambda: error_response(500, "Something went wrong on our side."),
        ),
    )


@bp.before_request
def _limit_body_size() -> None:
    request.max_content_length = current_app.config["API_MAX_BODY_BYTES"]


def json_body(*, required: bool = True) -> dict[str, Any]:
    """The request body as a JSON object, checked in the contract's order (413, 415, 400)."""
    limit = current_app.config["API_MAX_BODY_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413)
    raw = request.get_data(cache=True)
    if not raw and not required:
        return {}
    if request.mimetype != "application/json":
        raise ApiError(415)
    # A streamed (chunked) body is cut off at the limit rather than refused, so reaching
    # the limit without a declared length means it was longer.
    if len(raw) > limit or (request.content_length is None and len(raw) >= limit):
        raise ApiError(413)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "The body is not valid UTF-8.") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise ApiError(400, "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return data


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return from_api_error(error)


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError) -> Response:
    return from_domain_error(error)


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    return jsonify(openapi_document(base_url()))


@bp.get("/products")
@public
def list_products() -> Response:
    return jsonify({"products": [product_json(p) for p in active_products()]})


@bp.get("/events/active")
@public
def show_active_event() -> Response:
    event = active_event()
    if event is None:
        raise ApiError(404, "No event is active.")
    return jsonify(event_json(event))


@bp.post("/events/<slug>/checkouts")
@public
def create_checkout(slug: str) -> tuple[Response, int, dict[str, str]]:
    event = get_event(slug)
    body = json_body()
    validate(checkout_request(), body, _l("De bestelling klopt niet."))
    key = request.headers.get("Idempotency-Key")
    check_idempotency_key(key)
    with committed():
        placed = place_checkout(event, parse_checkout_payload(body), idempotency_key=key)
        # Built before the commit, so a failure stores nothing; a replay shows today's matches.
        view = checkout_view(placed.checkout, index=placed.index)
        answer = checkout_created_json(view, placed.token, base_url())
    location = url_for("api.show_receipt", token=placed.token)
    return jsonify(answer), 201, {"Location": location}


def _receipt_or_404(token: str) -> Any:
    checkout = find_checkout_by_token(token)
    if checkout is None:
        count_failed_lookup()
        raise ApiError(404, "No receipt with this token.")
    return checkout


@bp.get("/receipts/<token>")
@public
def show_receipt(token: str) -> Response:
    checkout = _receipt_or_404(token)
    return jsonify(receipt_json(checkout_view(checkout)))


@bp.delete("/receipts/<token>")
@public
def delete_receipt(token: str) -> tuple[str, int]:
    checkout = _receipt_or_404(token)
    with committed():
        erase_checkout(checkout)
    scrub_erased_data()
    return "", 204


@bp.get("/events/<slug>/overlap")
@token_required(*STAFF)
def show_overlap(slug: str) -> Response:
    event = get_event(slug)
    return jsonify(overlap_json(overlap(event_index(event).baskets())))


@bp.post("/events/<slug>/tables")
@token_required(*STAFF)
def create_tables(slug: str) -> Response:
    """The facilitator's table plan, made and stored by the same service as their page."""
    event = get_event(slug)
    sizes = validate(tables_request(), json_body(required=False), _l("De tafelgrootte klopt niet."))
    with committed():
        stored = make_table_plan(event, sizes["min_size"], sizes["max_size"])
    return jsonify(stored.plan)


@bp.get("/events/<slug>/stats")
@token_required(ORGANISER)
def show_stats(slug: str) -> Response:
    event = get_event(slug)
    return jsonify(stats_json(statistics([event])))


@bp.get("/series/<slug>/stats")
@token_required(ORGANISER)
def show_series_stats(slug: str) -> Response:
    series = get_series(slug)
    return jsonify(series_stats_json(series_statistics(series)))


@bp.get("/events/<slug>/export")
@token_required(ORGANISER)
def export_event(slug: str) -> Response:
    event = get_event(slug)
    fmt = parse_format(request.args.get("format"))
    return export_response(fmt, report_exporters([event]), event.slug)


@bp.get("/export")
@token_required(ORGANISER)
def export_all() -> Response:
    fmt = parse_format(request.args.get("format"))
    return export_response(fmt, report_exporters(list_events()), "alle-evenementen")
