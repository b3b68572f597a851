"""Public catalog and event endpoints, the OpenAPI document and the error shape."""

from __future__ import annotations

from openapi_spec_validator import validate


def test_products_are_active_and_sorted_by_theme_then_name(client, store):
    data = client.get("/api/v1/products").get_json()
    products = data["products"]
    assert "oude-aanpak" not in [p["slug"] for p in products]
    keys = [(p["theme"], p["name"]) for p in products]
    assert keys == sorted(keys)
    assert products[0] == {
        "slug": "geldfit",
        "name": "Geldfit",
        "theme": "Digitaal",
        "summary": "Eén ingang met een zelftest die mensen naar de juiste hulp leidt.",
        "owner": "NVB en partners",
        "tags": ["zelftest", "online"],
    }


def test_active_event(client, app, load_test_products, make_event):
    response = client.get("/api/v1/events/active")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    make_event("later", active=False)
    make_event()
    assert client.get("/api/v1/events/active").get_json() == {
        "slug": "breda-2026",
        "name": "Samen Organiseren Breda",
        "city": "Breda",
        "date": "2026-11-12",
    }


def test_unknown_api_paths_and_methods_answer_json(client, store):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    response = client.put("/api/v1/products")
    assert response.status_code == 405
    assert response.is_json


def test_openapi_document_is_valid_and_complete(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    documented = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)
