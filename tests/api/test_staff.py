"""Staff endpoints: tokens, roles, overlap and tables."""

from __future__ import annotations

import pytest

from popupstore.auth.models import ApiToken
from popupstore.extensions import db
from popupstore.facilitator.models import ConversationPlan
from popupstore.tokens import hash_token

OVERLAP = "/api/v1/events/breda-2026/overlap"
TABLES = "/api/v1/events/breda-2026/tables"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("headers", [{}, bearer("wrong"), {"Authorization": "Basic abc"}])
def test_staff_endpoints_need_a_valid_token(client, store, headers):
    for method, url in (("get", OVERLAP), ("post", TABLES)):
        response = getattr(client, method)(url, headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_authentication_comes_before_the_resource(client, store):
    response = client.get("/api/v1/events/bestaat-niet/overlap")
    assert response.status_code == 401


def test_only_a_hash_of_the_token_is_stored(app, api_token):
    token = api_token("organiser")
    stored = db.session.execute(db.select(ApiToken.token_hash)).scalars().all()
    assert stored == [hash_token(token)]
    assert token not in stored


def test_overlap_counts_products_and_pairs(client, store, make_checkout, api_token):
    make_checkout({"geldfit": "want", "vroegsignalering": "have"}, name="A")
    make_checkout(
        {"geldfit": "have", "vroegsignalering": "want", "gemeentepolis": "want"}, name="B"
    )
    make_checkout({"gemeentepolis": "want"}, name="C")
    response = client.get(OVERLAP, headers=bearer(api_token("facilitator")))
    assert response.status_code == 200
    assert response.get_json() == {
        "checkouts": 3,
        "products": [
            {"product": "geldfit", "want": 1, "have": 1},
            {"product": "gemeentepolis", "want": 2, "have": 0},
            {"product": "vroegsignalering", "want": 1, "have": 1},
        ],
        "pairs": [
            {"a": "geldfit", "b": "gemeentepolis", "count": 1},
            {"a": "geldfit", "b": "vroegsignalering", "count": 2},
            {"a": "gemeentepolis", "b": "vroegsignalering", "count": 1},
        ],
    }


def test_staff_endpoints_work_for_inactive_events(client, store, make_event, api_token):
    make_event("oud", active=False)
    response = client.get("/api/v1/events/oud/overlap", headers=bearer(api_token("organiser")))
    assert response.status_code == 200
    assert response.get_json() == {"checkouts": 0, "products": [], "pairs": []}
    response = client.get("/api/v1/events/nope/overlap", headers=bearer(api_token("facilitator")))
    assert response.status_code == 404


def test_tables_seat_everyone_once(client, store, make_checkout, api_token):
    organisations = [
        "Breda",
        "Tilburg",
        "Utrecht",
        "Woonbron",
        "Eneco",
        "CZ",
        "Almere",
        "Assen",
        "Zwolle",
    ]
    products = ["geldfit", "vroegsignalering", "gemeentepolis", "schuldhulpmaatje"]
    for index, organisation in enumerate(organisations):
        make_checkout(
            {products[index % 4]: "want", products[(index + 1) % 4]: "have"},
            name=f"V{index}",
            organisation=organisation,
        )
    token = api_token("facilitator")
    response = client.post(TABLES, json={"min_size": 4, "max_size": 5}, headers=bearer(token))
    assert response.status_code == 200
    plan = response.get_json()
    members = sorted(n for table in plan["tables"] for n in table["members"])
    assert members == list(range(1, 10))
    assert all(4 <= len(t["members"]) <= 5 for t in plan["tables"])
    assert plan["total_score"] == round(sum(t["score"] for t in plan["tables"]), 4)
    again = client.post(TABLES, json={"min_size": 4, "max_size": 5}, headers=bearer(token))
    assert again.get_json() == plan
    # Defaults 4–6 with no body at all.
    default = client.post(TABLES, headers=bearer(token))
    assert default.status_code == 200
    assert all(4 <= len(t["members"]) <= 6 for t in default.get_json()["tables"])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"min_size": 1}, "min_size"),
        ({"max_size": 13}, "max_size"),
        ({"min_size": 7, "max_size": 6}, "min_size"),
        ({"min_size": "4"}, "min_size"),
        ({"min_size": True}, "min_size"),
        ({"max_size": 5.5}, "max_size"),
        ({"min_size": None}, "min_size"),
        ({"min_size": 4, "max_size": None}, "max_size"),
        ({"min_size": [4]}, "min_size"),
    ],
)
def test_bad_table_sizes_are_422(client, store, api_token, payload, field):
    response = client.post(TABLES, json=payload, headers=bearer(api_token("facilitator")))
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_tables_body_must_be_json(client, store, api_token):
    response = client.post(
        TABLES, data="min_size=4", content_type="text/plain", headers=bearer(api_token())
    )
    assert response.status_code == 415


def test_sizes_are_integers_as_json_schema_counts_them(client, store, make_checkout, api_token):
    """12.0 is an integer to JSON Schema (and so to the OpenAPI document): it is accepted."""
    for index, organisation in enumerate(["Breda", "Tilburg", "Utrecht"]):
        make_checkout({"geldfit": "want"}, name=f"V{index}", organisation=organisation)
    token = bearer(api_token("facilitator"))
    whole = client.post(TABLES, json={"min_size": 2.0, "max_size": 12.0}, headers=token)
    assert whole.status_code == 200, whole.get_json()
    assert (
        whole.get_json()
        == client.post(TABLES, json={"min_size": 2, "max_size": 12}, headers=token).get_json()
    )


def test_the_api_seats_through_the_facilitators_service(
    app, client, store, make_checkout, api_token
):
    """Every rule of the facilitator's button holds for the API: its limit, its sizes, and the
    plan it stores, which the tables page then shows."""
    for index, organisation in enumerate(["Breda", "Tilburg", "Utrecht"]):
        make_checkout({"geldfit": "want"}, name=f"V{index}", organisation=organisation)
    app.config["TABLES_LIMIT"] = 2
    token = bearer(api_token("facilitator"))
    refused = client.post(TABLES, json={"min_size": 2, "max_size": 3}, headers=token)
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "validation_error"
    assert "Tafels indelen kan tot 2 bezoekers" in error["message"]
    assert db.session.execute(db.select(ConversationPlan)).first() is None

    app.config["TABLES_LIMIT"] = 3
    made = client.post(TABLES, json={"min_size": 2, "max_size": 3}, headers=token)
    assert made.status_code == 200
    stored = db.session.execute(db.select(ConversationPlan)).scalar_one()
    assert stored.kind == "tables" and (stored.min_size, stored.max_size) == (2, 3)
    assert stored.plan == made.get_json()


def test_tables_for_an_event_with_one_checkout_or_none(
    client, store, make_event, make_checkout, api_token
):
    """The facilitator's button asks for two visitors; the API seats any event."""
    token = bearer(api_token("organiser"))
    make_event("leeg", active=False)
    empty = client.post("/api/v1/events/leeg/tables", headers=token)
    assert empty.status_code == 200
    assert empty.get_json() == {"tables": [], "total_score": 0.0}
    make_checkout({"geldfit": "want"})
    alone = client.post(TABLES, json={"min_size": 2}, headers=token)
    assert alone.status_code == 200
    assert alone.get_json() == {
        "tables": [{"topic": "geldfit", "members": [1], "score": 0.0}],
        "total_score": 0.0,
    }
