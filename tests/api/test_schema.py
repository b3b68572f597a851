"""The request bodies are described once: the OpenAPI document shows the description and the
API validates with it. A JSON Schema validator (jsonschema, Draft 2020-12 as OpenAPI 3.1
uses) reading the document must agree with the API on every body."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from popupstore.api.schema import Object, checkout_request, tables_request, validate
from popupstore.errors import ValidationError
from popupstore.facilitator.services import table_sizes_or_error

from ..hypothesis_profiles import examples

TABLES = "/api/v1/events/breda-2026/tables"


def document_validator(client: Any, name: str) -> Draft202012Validator:
    document = client.get("/api/v1/openapi.json").get_json()
    schema = document["components"]["schemas"][name]
    return Draft202012Validator(schema, format_checker=None)


def accepted(body: Object, value: Any) -> bool:
    try:
        validate(body, value, "x")
    except ValidationError:
        return False
    return True


def test_the_document_shows_the_descriptions_the_api_validates_with(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert schemas["TablesRequest"] == tables_request().json_schema()
    assert schemas["CheckoutRequest"] == checkout_request().json_schema()
    Draft202012Validator.check_schema(schemas["TablesRequest"])
    Draft202012Validator.check_schema(schemas["CheckoutRequest"])


SIZES = [None, True, False, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 2.0, 12.0, 4.5, "4", [4]]
ABSENT = object()


@pytest.mark.parametrize(
    "min_size", [ABSENT, *SIZES], ids=lambda v: "absent" if v is ABSENT else repr(v)
)
def test_the_document_and_the_service_agree_on_every_pair_of_table_sizes(app, client, min_size):
    """Types and bounds come from the description, min_size <= max_size from the service's
    rule; the document states both."""
    validator = document_validator(client, "TablesRequest")
    for max_size in [ABSENT, *SIZES]:
        body = {
            name: value
            for name, value in (("min_size", min_size), ("max_size", max_size))
            if value is not ABSENT
        }
        try:
            sizes = validate(tables_request(), body, "x")
            table_sizes_or_error(sizes["min_size"], sizes["max_size"])
            api_says = True
        except ValidationError:
            api_says = False
        assert validator.is_valid(body) == api_says, body


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 60) | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=4,
)
# Bodies near the boundary: every field present and mostly of the right kind ...
good_item = st.fixed_dictionaries(
    {"product": st.sampled_from(["geldfit", "x"]), "intent": st.sampled_from(["want", "have"])}
)
odd_item = st.fixed_dictionaries(
    {},
    optional={
        "product": st.sampled_from(["geldfit", "", "a\x00b", 7]),
        "intent": st.sampled_from(["want", "maybe", None]),
    },
)
near_item = st.one_of(good_item, good_item, good_item, odd_item)
near_visitor = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["Anna", "Anna", "Anna", " ", "", "A\x00", None]),
        "organisation": st.sampled_from(["Breda", "Breda", "Breda", "", ["Breda"]]),
    },
    optional={
        "organisation_type": st.sampled_from(["gemeente", "", None, "bank", " rijk"]),
        "role": st.sampled_from([None, "", "coach", 3]),
        "email": st.sampled_from([None, "", "a@b.nl", "geen"]),
        "share_contact": st.sampled_from([True, False, None, 0, "ja"]),
        "province": st.sampled_from(["Utrecht", "", None, "utrecht", 12]),
        "follow_up": st.sampled_from([True, False, None, "nee"]),
        "across_series": st.sampled_from([True, False, None, 1]),
        "extra": json_values,
    },
)
near_body = st.fixed_dictionaries(
    {
        "items": st.one_of(
            st.lists(near_item, min_size=1, max_size=3),
            st.lists(good_item, min_size=49, max_size=52),
            st.just([]),
        ),
        "visitor": near_visitor,
    },
    optional={"extra": json_values},
)
# ... and bodies with anything anywhere.
wild_body = st.fixed_dictionaries(
    {},
    optional={
        "items": st.one_of(st.lists(near_item, max_size=2), json_values),
        "visitor": st.one_of(near_visitor, json_values),
        "extra": json_values,
    },
)
checkout_bodies = st.one_of(near_body, wild_body)


@settings(
    max_examples=examples(400),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(body=checkout_bodies)
def test_the_document_and_the_api_agree_on_the_shape_of_a_checkout(app, body):
    validator = Draft202012Validator(checkout_request().json_schema())
    assert validator.is_valid(body) == accepted(checkout_request(), body), body


def test_json_schema_semantics(app):
    """12.0 is an integer and true is not; null only where allowed; defaults when absent."""
    assert validate(tables_request(), {"min_size": 2.0, "max_size": 12.0}, "x") == {
        "min_size": 2,
        "max_size": 12,
    }
    assert validate(tables_request(), {}, "x") == {"min_size": 4, "max_size": 6}
    for wrong in (None, True, "4", 4.5, float("inf")):
        with pytest.raises(ValidationError) as raised:
            validate(tables_request(), {"min_size": wrong}, "De tafelgrootte klopt niet.")
        assert raised.value.fields == {"min_size": "Vul een heel getal in."}
        assert raised.value.message == "De tafelgrootte klopt niet."


def test_every_problem_is_named_by_its_path(app):
    body = {
        "items": [{"product": "geldfit", "intent": "maybe"}, {"intent": "want"}, 7],
        "visitor": {"name": 3, "organisation": "", "share_contact": "ja", "email": "a\x00"},
    }
    with pytest.raises(ValidationError) as raised:
        validate(checkout_request(), body, "x")
    assert set(raised.value.fields) == {
        "items.0.intent",
        "items.1.product",
        "items.2",
        "visitor.name",
        "visitor.organisation",
        "visitor.share_contact",
        "visitor.email",
    }


@pytest.mark.parametrize(("min_size", "max_size"), list(itertools.product([2, 6, 12], [2, 6, 12])))
def test_the_api_answers_as_the_document_says(client, store, api_token, min_size, max_size):
    validator = document_validator(client, "TablesRequest")
    body = {"min_size": min_size, "max_size": max_size}
    response = client.post(
        TABLES, json=body, headers={"Authorization": f"Bearer {api_token('facilitator')}"}
    )
    assert response.status_code == (200 if validator.is_valid(body) else 422)
