"""Fuzz the JSON API: schemathesis from the app's own OpenAPI document, and hypothesis
with checkout bodies that reach past validation. No input gives a 5xx, every error has
the contract's shape, and every answer matches the document."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.generation import GenerationMode

from popupstore.api.errors import CODES

from ..hypothesis_profiles import examples
from ..security.conftest import fresh_request

ERROR_CODES = set(CODES.values())
FUZZ_SETTINGS = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def assert_contract_answer(status: int, content_type: str, body: bytes, what: str) -> None:
    """No 5xx; an error is {"error": {"code", "message"[, "fields"]}} in JSON."""
    assert status < 500, f"{what}: {status} {body[:500]!r}"
    if status < 400:
        return
    assert content_type.startswith("application/json"), f"{what}: {content_type}"
    data = json.loads(body)
    assert set(data) == {"error"}, what
    error = data["error"]
    assert set(error) in ({"code", "message"}, {"code", "message", "fields"}), what
    assert error["code"] in ERROR_CODES, what
    assert isinstance(error["message"], str) and error["message"], what
    if "fields" in error:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in error["fields"].items())
    if status == 422:
        assert error["code"] == "validation_error" and "fields" in error, what


def check_each_answer(
    strategy: Any, count: int, label: str, staff: dict[str, str], seen: Counter[tuple[str, int]]
) -> Any:
    """A hypothesis test that sends each generated case and checks what comes back."""

    @given(case=strategy)
    @settings(FUZZ_SETTINGS, max_examples=count)
    def fuzz(case: Any) -> None:
        response = case.call(headers=staff)
        seen[(label, response.status_code)] += 1
        headers = {k.lower(): v for k, v in response.headers.items()}
        assert_contract_answer(
            response.status_code,
            headers.get("content-type", [""])[0],
            response.content,
            f"{case.method} {case.formatted_path} {case.body!r:.300}",
        )
        # Every other check schemathesis knows: statuses, content types, response schemas
        # and headers as documented, negative data rejected. Schema-valid data may still
        # break a rule (an unknown product), so no 2xx is promised for it.
        excluded = [positive_data_acceptance]
        if case.method == "GET":
            # Unknown query parameters are ignored, as unknown fields of a body are; for a
            # GET that is the one "violation" schemathesis can add, so it proves nothing.
            excluded.append(negative_data_rejection)
        case.validate_response(response, headers=staff, excluded_checks=excluded)

    return fuzz


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_schemathesis_finds_no_server_error_and_no_answer_off_the_document(
    app, store, api_token, make_checkout, mode
):
    staff = {"Authorization": f"Bearer {api_token('organiser')}"}
    receipts = {
        "GET": make_checkout({"geldfit": "want"}, name="Lees")["token"],
        "DELETE": make_checkout({"geldfit": "have"}, name="Wis")["token"],
    }
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    statuses: Counter[tuple[str, int]] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        # Mostly the real event and receipts, so bodies are checked; sometimes anything.
        real: dict[str, Any] = {}
        if "{slug}" in operation.path:
            real["slug"] = "breda-2026"
        if "{token}" in operation.path:
            real["token"] = receipts[operation.method.upper()]
        for parameters, count in ((real or None, examples(80)), (None, examples(20))):
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=parameters)
            try:
                check_each_answer(strategy, count, operation.label, staff, statuses)()
            except Unsatisfiable:
                # Nothing to make invalid (no parameters, no body): nothing to send.
                assert mode is GenerationMode.NEGATIVE
    # The fuzz reached past authentication and into the bodies.
    labels = {label for label, _ in statuses}
    assert "POST /events/{slug}/checkouts" in labels
    if mode is GenerationMode.POSITIVE:
        assert statuses[("POST /events/{slug}/tables", 200)] > 0
        assert statuses[("GET /receipts/{token}", 200)] > 0
    else:
        assert statuses[("POST /events/{slug}/checkouts", 422)] > 0


ACTIVE = ["geldfit", "vroegsignalering", "schuldhulpmaatje", "gemeentepolis"]
PRODUCTS = [*ACTIVE, "oude-aanpak", "bestaat-niet"]
wild_text = st.one_of(
    st.text(max_size=130),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(["", " ", "\x00", "a\x00b", "Breda", "'s-Hertogenbosch", "ﬀ", "\u202e"]),
)
plain_text = st.text(
    alphabet=st.characters(categories=["L", "N", "Zs", "Pd", "Po"]), min_size=1, max_size=90
)
any_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | wild_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


# Bodies that mostly pass validation, so the checkout itself (and its receipt) runs.
def _with_intents(slugs: list[str]) -> Any:
    intents = st.lists(st.sampled_from(["want", "have"]), min_size=len(slugs), max_size=len(slugs))
    return intents.map(
        lambda chosen: [{"product": p, "intent": i} for p, i in zip(slugs, chosen, strict=True)]
    )


good_items = st.lists(st.sampled_from(ACTIVE), min_size=1, max_size=4, unique=True).flatmap(
    _with_intents
)
good_visitor = st.fixed_dictionaries(
    {"name": plain_text, "organisation": st.one_of(plain_text, st.sampled_from(["Breda", "Ede"]))},
    optional={
        "organisation_type": st.sampled_from([None, "", "gemeente", "rijk", "anders"]),
        "role": st.one_of(st.none(), plain_text),
        "email": st.one_of(st.none(), st.emails()),
        "share_contact": st.booleans(),
    },
)
# And bodies with anything anywhere.
odd_visitor = st.fixed_dictionaries(
    {"name": wild_text, "organisation": wild_text},
    optional={
        "organisation_type": st.one_of(st.none(), wild_text),
        "role": st.one_of(st.none(), wild_text),
        "email": st.one_of(st.none(), wild_text),
        "share_contact": any_json,
        "extra": any_json,
    },
)
odd_item = st.fixed_dictionaries(
    {
        "product": st.one_of(st.sampled_from(PRODUCTS), wild_text, any_json),
        "intent": st.one_of(st.sampled_from(["want", "have"]), any_json),
    }
)
checkout_body = st.one_of(
    st.fixed_dictionaries({"items": good_items, "visitor": good_visitor}),
    st.fixed_dictionaries(
        {"items": st.one_of(good_items, st.lists(odd_item, max_size=4)), "visitor": odd_visitor},
        optional={"extra": any_json},
    ),
    any_json,
)
idempotency_key = st.one_of(
    st.none(),
    st.none(),
    st.sampled_from(["k1", "k2"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=80),
    # Any text an HTTP client can send as a header value (no line breaks or NUL).
    st.text(max_size=90).filter(lambda key: not {"\r", "\n", "\x00"} & set(key)),
)


GELDFIT = [{"product": "geldfit", "intent": "want"}]
ANNA = {"name": "Anna", "organisation": "Breda"}


@given(body=checkout_body, key=idempotency_key)
@settings(FUZZ_SETTINGS, max_examples=examples(300))
# Bodies that gave a 500 on PostgreSQL before json_body refused NUL characters.
@example(body={"items": GELDFIT, "visitor": {**ANNA, "name": "a\x00b"}}, key=None)
@example(body={"items": [{"product": "gel\x00dfit", "intent": "want"}], "visitor": ANNA}, key="k")
@example(body={"items": GELDFIT, "visitor": {**ANNA, "e\x00": 1}}, key=None)
@example(body={"items": GELDFIT, "visitor": {**ANNA, "email": "a@b.nl\x00"}}, key=None)
@example(body={"items": GELDFIT, "visitor": ANNA, "x": [[[[[["\x00"]]]]]]}, key=None)
def test_checkout_bodies_never_break_the_api(app, store, body, key):
    headers = {}
    if key is not None:
        try:
            key.encode("latin-1")
        except UnicodeEncodeError:
            key = key.encode("utf-8").decode("latin-1")
        headers["Idempotency-Key"] = key
    response = fresh_request(
        app.test_client(),
        "POST",
        "/api/v1/events/breda-2026/checkouts",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )
    assert_contract_answer(
        response.status_code, response.content_type, response.get_data(), json.dumps(body)[:300]
    )
    if response.status_code == 201:
        token = response.get_json()["token"]
        receipt = fresh_request(app.test_client(), "GET", f"/api/v1/receipts/{token}")
        assert receipt.status_code == 200
        page = fresh_request(app.test_client(), "GET", f"/r/{token}")
        assert page.status_code == 200
