"""The JSON API's error shape: {"error": {"code", "message", "fields"?}}."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from ..errors import DomainError

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}

MESSAGES = {
    400: "The request could not be read.",
    401: "A valid API token is required.",
    403: "This token's role may not do this.",
    404: "Not found.",
    405: "This method is not allowed here.",
    409: "Conflict with the current state.",
    413: "The body is larger than 256 KiB.",
    415: "The body must be application/json.",
    422: "The request is not valid.",
    429: "Too many requests; try again later.",
}


class ApiError(Exception):
    def __init__(
        self, status: int, message: str | None = None, fields: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message or MESSAGES.get(status, ""))
        self.status = status
        self.message = message or MESSAGES.get(status, "Error.")
        self.fields = dict(fields or {})


def error_response(
    status: int, message: str | None = None, fields: Mapping[str, str] | None = None
) -> Response:
    body: dict[str, object] = {
        "code": CODES.get(status, "internal_error" if status >= 500 else "error"),
        "message": message or MESSAGES.get(status, "Error."),
    }
    if fields or status == 422:
        body["fields"] = dict(fields or {})
    response = jsonify({"error": body})
    response.status_code = status
    return response


def from_api_error(error: ApiError) -> Response:
    return error_response(error.status, error.message, error.fields)


def from_domain_error(error: DomainError) -> Response:
    return error_response(error.status, error.message, error.fields)


def from_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    response = error_response(status, MESSAGES.get(status) or error.description)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    for name, value in error.get_headers():
        if name.lower() == "retry-after":
            response.headers["Retry-After"] = value
    return response
