"""The OpenAPI 3.1 document of API v1, built from the same facts the views use."""

from __future__ import annotations

from typing import Any

from ..basket.checkout import IDEMPOTENCY_KEY
from ..basket.models import INTENTS
from ..organiser.exports import BASKET_LINE_COLUMNS, DEFAULT_FORMAT, FORMATS
from .schema import checkout_request, tables_request

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _errors(*statuses: int) -> dict[str, Any]:
    """Error answers of an operation; every one may answer 400 to an unreadable request."""
    texts = {
        400: "The request cannot be read: malformed JSON, not UTF-8, not an object, "
        "or a NUL character in the address",
        401: "No token, or an unknown, expired or revoked one",
        403: "Token of the wrong role",
        404: "Not found",
        409: "Conflict with the current state",
        413: "Body over 256 KiB",
        415: "Body is not application/json",
        422: "Validation error; `fields` names each problem by dotted path",
        429: "Rate limited",
    }
    return {str(s): _error(texts[s]) for s in sorted({400, *statuses})}


SLUG_PARAM = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 64},
}
TOKEN_PARAM = {
    "name": "token",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 128},
}
IDEMPOTENCY_PARAM = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Repeat the same body under the same key (per event) to get the first "
    "answer again; another body under a used key is a 409. 1 to 80 printable ASCII "
    "characters: another value is a 422 with `fields` naming `Idempotency-Key`.",
    "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY.pattern},
}
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


def _schemas() -> dict[str, Any]:
    intent = {"type": "string", "enum": list(INTENTS)}
    product_counts = {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["product", "want", "have"],
            "properties": {
                "product": {"type": "string"},
                "want": {"type": "integer"},
                "have": {"type": "integer"},
            },
        },
    }
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {
                            "type": "string",
                            "enum": [
                                "bad_request",
                                "unauthorized",
                                "forbidden",
                                "not_found",
                                "method_not_allowed",
                                "conflict",
                                "payload_too_large",
                                "unsupported_media_type",
                                "validation_error",
                                "rate_limited",
                            ],
                        },
                        "message": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                }
            },
        },
        "Product": {
            "type": "object",
            "required": ["slug", "name", "theme", "summary", "owner", "tags"],
            "properties": {
                "slug": {"type": "string"},
                "name": {"type": "string"},
                "theme": {"type": "string"},
                "summary": {"type": "string"},
                "owner": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
        },
        "Event": {
            "type": "object",
            "required": ["slug", "name", "city", "date"],
            "properties": {
                "slug": {"type": "string"},
                "name": {"type": "string"},
                "city": {"type": "string"},
                "date": {"type": "string", "format": "date"},
            },
        },
        "CheckoutRequest": checkout_request().json_schema(),
        "SharedProduct": {
            "type": "object",
            "required": ["product", "mine", "theirs"],
            "properties": {"product": {"type": "string"}, "mine": intent, "theirs": intent},
        },
        "Match": {
            "type": "object",
            "required": ["number", "name", "organisation", "score", "shared"],
            "properties": {
                "number": {"type": "integer"},
                "name": {"type": "string"},
                "organisation": {"type": "string"},
                "score": {"type": "number"},
                "shared": {"type": "array", "items": _ref("SharedProduct")},
            },
        },
        "Collaboration": {
            "type": "object",
            "required": ["product", "province", "organisations", "unnamed", "owner"],
            "properties": {
                "product": {"type": "string"},
                "province": {"type": "string"},
                "organisations": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "The asking visitor's own organisation and those wanted by "
                    "a visitor who shares contact details, by the names they use.",
                },
                "unnamed": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "How many more organisations want it through visitors who "
                    "do not share contact details (counted, never named).",
                },
                "owner": {"type": "string"},
            },
        },
        "SeriesMatch": {
            "description": "A visitor of another event of the receipt's series who set both "
            "`share_contact` and `across_series`, scored with N and n_p counted over every "
            "event of the series; ordered by score, then the event's date, then number.",
            "allOf": [
                _ref("Match"),
                {
                    "type": "object",
                    "required": ["event"],
                    "properties": {"event": {"type": "string", "description": "event slug"}},
                },
            ],
        },
        "CheckoutCreated": {
            "type": "object",
            "required": ["number", "token", "receipt_url", "qr_url", "matches", "colleagues"],
            "properties": {
                "number": {"type": "integer", "minimum": 1},
                "token": {"type": "string"},
                "receipt_url": {"type": "string", "format": "uri"},
                "qr_url": {"type": "string", "format": "uri"},
                "matches": {"type": "array", "items": _ref("Match"), "maxItems": 5},
                "colleagues": {"type": "array", "items": _ref("Match"), "maxItems": 5},
            },
        },
        "Receipt": {
            "type": "object",
            "required": [
                "number",
                "event",
                "items",
                "visitor",
                "matches",
                "colleagues",
                "collaborations",
                "series_matches",
            ],
            "properties": {
                "number": {"type": "integer"},
                "event": {
                    "type": "object",
                    "required": ["slug", "name"],
                    "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
                },
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["product", "intent"],
                        "properties": {"product": {"type": "string"}, "intent": intent},
                    },
                },
                "visitor": {
                    "type": "object",
                    "required": ["name", "organisation"],
                    "properties": {
                        "name": {"type": ["string", "null"]},
                        "organisation": {"type": "string"},
                    },
                },
                "matches": {"type": "array", "items": _ref("Match")},
                "colleagues": {"type": "array", "items": _ref("Match")},
                "collaborations": {"type": "array", "items": _ref("Collaboration")},
                "series_matches": {
                    "type": "array",
                    "items": _ref("SeriesMatch"),
                    "maxItems": 5,
                    "description": "Empty unless the visitor set `across_series` and the event "
                    "is in a series",
                },
            },
        },
        "Overlap": {
            "type": "object",
            "required": ["checkouts", "products", "pairs"],
            "properties": {
                "checkouts": {"type": "integer"},
                "products": product_counts,
                "pairs": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["a", "b", "count"],
                        "properties": {
                            "a": {"type": "string"},
                            "b": {"type": "string"},
                            "count": {"type": "integer"},
                        },
                    },
                },
            },
        },
        "Stats": {
            "type": "object",
            "required": [
                "checkouts",
                "visitors_sharing",
                "products",
                "organisations",
                "by_province",
            ],
            "properties": {
                "checkouts": {"type": "integer"},
                "visitors_sharing": {"type": "integer"},
                "products": product_counts,
                "organisations": {
                    "type": "integer",
                    "description": "Distinct organisations after normalisation",
                },
                "by_province": {
                    "type": "array",
                    "description": "By checkouts, highest first, then name; onbekend included",
                    "items": {
                        "type": "object",
                        "required": ["province", "checkouts"],
                        "properties": {
                            "province": {"type": "string"},
                            "checkouts": {"type": "integer"},
                        },
                    },
                },
            },
        },
        "SeriesStats": {
            "type": "object",
            "required": [
                "events",
                "checkouts",
                "organisations",
                "returning_organisations",
                "products",
            ],
            "properties": {
                "events": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Slugs of the series' events, by date",
                },
                "checkouts": {"type": "integer", "description": "Over all events of the series"},
                "organisations": {
                    "type": "integer",
                    "description": "Distinct organisations after normalisation, over the series",
                },
                "returning_organisations": {
                    "type": "integer",
                    "description": "Organisations (normalised) with checkouts at two or more "
                    "events of the series",
                },
                "products": product_counts,
            },
        },
        "ExportRow": {
            "type": "object",
            "description": "One basket line; no visitor names, no e-mail addresses",
            "required": list(BASKET_LINE_COLUMNS),
            "properties": {
                "event": {"type": "string"},
                "number": {"type": "integer"},
                "organisation": {"type": "string"},
                "organisation_type": {"type": "string"},
                "province": {"type": "string"},
                "role": {"type": ["string", "null"]},
                "product": {"type": "string"},
                "intent": intent,
                "checked_out_at": {
                    "type": "string",
                    "format": "date-time",
                    "description": "ISO 8601 with offset, in Europe/Amsterdam local time",
                },
            },
        },
        "TablesRequest": tables_request().json_schema(),
        "Tables": {
            "type": "object",
            "required": ["tables", "total_score"],
            "properties": {
                "tables": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["topic", "members", "score"],
                        "properties": {
                            "topic": {"type": "string"},
                            "members": {"type": "array", "items": {"type": "integer"}},
                            "score": {"type": "number"},
                        },
                    },
                },
                "total_score": {"type": "number"},
            },
        },
    }


def _paths() -> dict[str, Any]:
    return {
        "/products": {
            "get": {
                "operationId": "listProducts",
                "summary": "Active products, sorted by theme then name",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["products"],
                            "properties": {"products": {"type": "array", "items": _ref("Product")}},
                        },
                        "The catalog",
                    )
                },
            }
        },
        "/events/active": {
            "get": {
                "operationId": "showActiveEvent",
                "summary": "The event the kiosk sells for",
                "responses": {"200": _json(_ref("Event"), "The active event"), **_errors(404)},
            }
        },
        "/events/{slug}/checkouts": {
            "post": {
                "operationId": "createCheckout",
                "summary": "A visitor's checkout",
                "parameters": [SLUG_PARAM, IDEMPOTENCY_PARAM],
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": _ref("CheckoutRequest")}},
                },
                "responses": {
                    "201": _json(_ref("CheckoutCreated"), "Stored (or replayed) checkout"),
                    **_errors(400, 404, 409, 413, 415, 422),
                },
            }
        },
        "/receipts/{token}": {
            "get": {
                "operationId": "showReceipt",
                "summary": "A receipt, recomputed on each call",
                "parameters": [TOKEN_PARAM],
                "responses": {"200": _json(_ref("Receipt"), "The receipt"), **_errors(404, 429)},
            },
            "delete": {
                "operationId": "deleteReceipt",
                "summary": "Erase the visitor's personal data and basket",
                "parameters": [TOKEN_PARAM],
                "responses": {"204": {"description": "Erased"}, **_errors(404, 429)},
            },
        },
        "/events/{slug}/overlap": {
            "get": {
                "operationId": "showOverlap",
                "summary": "Product counts and product pairs of an event (staff)",
                "security": BEARER,
                "parameters": [SLUG_PARAM],
                "responses": {
                    "200": _json(_ref("Overlap"), "The overlap"),
                    **_errors(401, 403, 404, 429),
                },
            }
        },
        "/events/{slug}/tables": {
            "post": {
                "operationId": "createTables",
                "summary": "Seat every checkout of the event at a table (staff)",
                "security": BEARER,
                "parameters": [SLUG_PARAM],
                "requestBody": {
                    "required": False,
                    "content": {JSON: {"schema": _ref("TablesRequest")}},
                },
                "responses": {
                    "200": _json(_ref("Tables"), "The table plan"),
                    **_errors(400, 401, 403, 404, 413, 415, 422, 429),
                },
            }
        },
    }


FORMAT_PARAM = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "csv (comma, UTF-8 with BOM), csv-semicolon (Dutch Excel), xlsx (first sheet "
    "the basket lines, then sheets with Dutch names: products, pairs, events, municipalities "
    "reached per province, demand against experience, knowledge routes, agreements, kinds of "
    "work) or json; any other value is a 422. Demo events are never part of the export of all "
    "events",
    "schema": {"type": "string", "enum": list(FORMATS), "default": DEFAULT_FORMAT},
}


def _export_operation(operation_id: str, summary: str, parameters: list[Any]) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "security": BEARER,
            "parameters": [*parameters, FORMAT_PARAM],
            "responses": {
                "200": {
                    "description": "A file with one row per basket line (a header row first "
                    "in CSV and XLSX); text cells starting with =, +, -, @, tab or CR get a "
                    "leading ' in CSV and XLSX",
                    "content": {
                        "text/csv": {"schema": {"type": "string"}},
                        FORMATS["xlsx"].mimetype: {
                            "schema": {"type": "string", "contentEncoding": "binary"}
                        },
                        JSON: {"schema": {"type": "array", "items": _ref("ExportRow")}},
                    },
                },
                **_errors(401, 403, 404, 422, 429),
            },
        }
    }


def _organiser_paths() -> dict[str, Any]:
    return {
        "/events/{slug}/stats": {
            "get": {
                "operationId": "showStats",
                "summary": "Statistics of an event (organiser)",
                "security": BEARER,
                "parameters": [SLUG_PARAM],
                "responses": {
                    "200": _json(_ref("Stats"), "The statistics"),
                    **_errors(401, 403, 404, 429),
                },
            }
        },
        "/series/{slug}/stats": {
            "get": {
                "operationId": "showSeriesStats",
                "summary": "Statistics of a series of events (organiser)",
                "security": BEARER,
                "parameters": [SLUG_PARAM],
                "responses": {
                    "200": _json(_ref("SeriesStats"), "The statistics over the series' events"),
                    **_errors(401, 403, 404, 429),
                },
            }
        },
        "/events/{slug}/export": _export_operation(
            "exportEvent", "Anonymous export of an event's basket lines (organiser)", [SLUG_PARAM]
        ),
        "/export": _export_operation(
            "exportAll", "Anonymous export of the basket lines of all events (organiser)", []
        ),
    }


def openapi_document(server_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Popupstore API",
            "version": "1.0.0",
            "description": "The pop-up store for the debt domain: catalog, checkouts, "
            "receipts and the staff views of an event.",
        },
        "servers": [{"url": f"{server_url}/api/v1"}],
        "paths": {**_paths(), **_organiser_paths()},
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A staff API token from `popupstore create-token USERNAME "
                    "[--days N]` (valid N days, default 90); `popupstore revoke-tokens "
                    "USERNAME` ends all of a user's tokens at once.",
                }
            },
        },
    }
