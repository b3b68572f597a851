"""Fuzz the HTML forms and query strings with hypothesis: never a server error."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from popupstore.basket.session import SessionBasket

from ..hypothesis_profiles import examples
from ..security.conftest import fresh_request

FUZZ = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    max_examples=examples(60),
)
wild = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "\x00", "a\x00", "\ud7ff", "𝕏" * 90, "2026-02-30", "y", "on"]),
    st.text(alphabet="0123456789-", max_size=12),
)
# Every field any of the store's forms has, and some it has not.
FIELDS = [
    "username",
    "password",
    "next",
    "intent",
    "name",
    "organisation",
    "organisation_type",
    "role",
    "email",
    "share_contact",
    "checkout_key",
    "controller",
    "purpose",
    "retention",
    "rights",
    "retention_until",
    "confirm",
    "csrf_token",
    "follow_up",
    "send_on",
    "text",
    "rating",
    "missed",
    "contact-1",
    "contact-2",
    "product-geldfit",
    "product-",
]
form_data = st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=10)), wild)

# (method, url, staff role or None); {slug} and {token} are filled in by the test.
FORMS = [
    ("POST", "/login", None),
    ("POST", "/logout", None),
    ("POST", "/mandje/{slug}", None),
    ("POST", "/mandje/{slug}/verwijderen", None),
    ("POST", "/afrekenen", None),
    ("POST", "/klaar", None),
    ("POST", "/r/{token}/wissen", None),
    ("POST", "/organisator/privacy/tekst", "organiser"),
    ("POST", "/organisator/privacy/evenement/{slug}", "organiser"),
    ("POST", "/organisator/privacy/evenement/{slug}/wissen", "organiser"),
    ("POST", "/r/{token}/evaluatie", None),
    ("POST", "/organisator/evenementen/{slug}/mail", "organiser"),
    ("POST", "/organisator/evenementen/{slug}/mail/versturen", "organiser"),
]


@given(
    form=st.sampled_from(FORMS),
    data=form_data,
    slug=st.one_of(st.sampled_from(["geldfit", "breda-2026"]), wild.filter(bool)),
)
@FUZZ
@example(form=FORMS[4], data={"name": "Anna\x00", "organisation": "Breda"}, slug="geldfit")
@example(form=FORMS[0], data={"username": "a\x00", "password": "x"}, slug="geldfit")
@example(form=FORMS[8], data={"retention_until": "9999-12-31"}, slug="breda-2026")
@example(form=FORMS[8], data={"retention_until": "0001-01-01"}, slug="breda-2026")
def test_no_form_input_gives_a_server_error(app, store, client_as, make_checkout, form, data, slug):
    method, template, role = form
    client = client_as(role)
    with client.session_transaction() as session:
        # A basket, so the checkout form gets past "your basket is empty".
        session[SessionBasket.KEY] = {"geldfit": "want"}
    token = make_checkout({"geldfit": "want"}, name="Fuzz")["token"]
    url = template.format(slug=quote(slug, safe=""), token=token)
    response = fresh_request(client, method, url, data=data)
    assert response.status_code < 500, (url, data, response.status_code)


@given(
    path=st.sampled_from(
        [
            "/producten?q={v}",
            "/producten?thema={v}",
            "/producten?q={v}&thema={v}",
            "/login?next={v}",
            "/product/{v}",
            "/r/{v}",
            "/r/{v}/partners",
            "/facilitator/evenement/{v}",
            "/organisator/privacy/evenement/{v}",
            "/api/v1/events/{v}/checkouts",
            "/api/v1/receipts/{v}",
            "/static/{v}",
        ]
    ),
    value=wild,
)
@FUZZ
@example(path="/product/{v}", value="\x00")
@example(path="/producten?q={v}", value="\x00")
def test_no_url_gives_a_server_error(app, store, client_as, path, value):
    url = path.format(v=quote(value, safe=""))
    for role in (None, "organiser"):
        response = fresh_request(client_as(role), "GET", url)
        assert response.status_code < 500, (url, response.status_code)
