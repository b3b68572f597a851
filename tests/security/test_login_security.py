"""Staff login: password hashing, the same answer for every failure, cookies, idle logout."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

import popupstore.auth.services as auth_services
from popupstore import create_app
from popupstore.auth.services import authenticate
from popupstore.config import ConfigError
from popupstore.extensions import db
from popupstore.kiosk.models import KioskPin
from popupstore.web import STAFF_SEEN_KEY

from ..conftest import STORE_DEFAULT
from .conftest import CSRF_FIELD, PASSWORD, fresh_request


def _login(client, username="fien", password=PASSWORD, *, next=None, **request_options):
    form = {"username": username, "password": password}
    if next is not None:
        form["next"] = next
    return fresh_request(client, "POST", "/login", data=form, **request_options)


def test_passwords_are_stored_as_scrypt_hashes(make_app, make_user):
    # The store's own hash method, as in production (the other tests use a cheaper one).
    with make_app(PASSWORD_HASH_METHOD=STORE_DEFAULT).app_context():
        stored = make_user("fien", "facilitator", PASSWORD).password_hash
        stand_in = auth_services._dummy_hash()
    assert stored.startswith("scrypt:")
    assert PASSWORD not in stored
    # werkzeug's own scrypt parameters, and the stand-in hash for unknown names costs the
    # same: same method, same parameters.
    method = stored.split("$", 1)[0]
    assert generate_password_hash("x").split("$", 1)[0] == method
    assert stand_in.split("$", 1)[0] == method


def test_the_hash_method_is_a_setting_and_old_hashes_keep_working(make_app, make_user):
    from popupstore.kiosk.services import pin_matches, set_pin

    strong = make_app(PASSWORD_HASH_METHOD=STORE_DEFAULT)
    with strong.app_context():
        make_user("fien", "facilitator", PASSWORD)
    cheap = make_app(PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    with cheap.app_context():
        user = make_user("gijs", "organiser", PASSWORD)
        set_pin("13579")
        db.session.commit()
        assert user.password_hash.startswith("pbkdf2:sha256:1000$")
        assert auth_services._dummy_hash().startswith("pbkdf2:sha256:1000$")
        assert authenticate("gijs", PASSWORD) is not None
        # A hash made with another method is read by its own prefix.
        assert authenticate("fien", PASSWORD) is not None
        assert authenticate("fien", "fout-wachtwoord") is None
        assert pin_matches("13579") and not pin_matches("97531")
        stored_pin = db.session.execute(select(KioskPin.pin_hash)).scalar_one()
        assert stored_pin.startswith("pbkdf2:sha256:1000$")
        db.session.rollback()


@pytest.fixture
def hash_checks(monkeypatch):
    """Count the password-hash checks `authenticate` makes."""
    calls: list[str] = []
    real = auth_services.check_password_hash

    def counting(hashed: str, password: str) -> bool:
        calls.append(hashed)
        return real(hashed, password)

    monkeypatch.setattr(auth_services, "check_password_hash", counting)
    return calls


def test_unknown_user_and_wrong_password_each_cost_one_hash_check(app, make_user, hash_checks):
    user = make_user("fien", "facilitator", PASSWORD)
    auth_services.prepare_password_checks()
    assert authenticate("niemand", PASSWORD) is None
    assert hash_checks == [auth_services._dummy_hash()]
    hash_checks.clear()
    assert authenticate("fien", "fout-wachtwoord") is None
    assert hash_checks == [user.password_hash]
    hash_checks.clear()
    assert authenticate("fien", PASSWORD) is user
    assert len(hash_checks) == 1


def test_unknown_user_and_wrong_password_get_the_same_page(app, client, make_user):
    make_user("fien", "facilitator", PASSWORD)
    unknown = _login(client, "niemand", "fout-wachtwoord")
    wrong = _login(client, "fien", "fout-wachtwoord")
    assert unknown.status_code == wrong.status_code == 200
    words = "Gebruikersnaam of wachtwoord klopt niet."
    assert words in unknown.get_data(as_text=True)
    # Apart from the name typed back into the field, the two pages are the same (the CSRF
    # token carries the second it was made in, which may differ between the two).

    def page(response) -> str:
        return CSRF_FIELD.sub("csrf_token", response.get_data(as_text=True))

    assert page(unknown).replace("niemand", "fien") == page(wrong)


def test_wrong_passwords_are_limited_per_account_whether_or_not_it_exists(make_app, make_user):
    app = make_app(RATELIMIT_LOGIN="3 per minute")
    with app.app_context():
        make_user("fien", "facilitator", PASSWORD)
        client = app.test_client()
        # The name is counted as typed, normalised: these are three tries at one account.
        statuses = [_login(client, name, "fout").status_code for name in ("fien", "Fien", " fien")]
        # Over the limit even the right password is refused, so guessing gains nothing.
        blocked = _login(client, "fien", PASSWORD)
        # A name that no account has is limited the same way.
        unknown = [_login(client, "niemand", "fout").status_code for _ in range(4)]
    assert statuses == [200, 200, 200]
    assert blocked.status_code == 429
    assert "Te veel pogingen" in blocked.get_data(as_text=True)
    assert 0 < int(blocked.headers["Retry-After"]) <= 60
    assert "popupstore_session" not in blocked.headers.get("Set-Cookie", "")
    assert unknown == [200, 200, 200, 429]


def test_a_burst_against_one_account_never_blocks_another_accounts_password(make_app, make_user):
    app = make_app(RATELIMIT_LOGIN="3 per minute", RATELIMIT_LOGIN_ADDRESS="6 per minute")
    with app.app_context():
        make_user("fien", "facilitator", PASSWORD)
        make_user("bram", "organiser", PASSWORD)
        burst = [_login(app.test_client(), "fien", "fout").status_code for _ in range(20)]
        # The venue's one address: another member of staff logs in all the same.
        other = _login(app.test_client(), "bram", PASSWORD).status_code
        # The address has a budget of its own, much larger, spent only by failures let
        # through: three for fien so far, three more names, then the address is refused.
        names = [_login(app.test_client(), f"naam-{i}", "fout").status_code for i in range(4)]
        after = _login(app.test_client(), "bram", PASSWORD).status_code
    assert burst == [200] * 3 + [429] * 17
    assert other == 302
    assert names == [200, 200, 200, 429]
    assert after == 429


def test_a_right_password_is_no_failure(make_app, make_user):
    app = make_app(RATELIMIT_LOGIN="2 per minute")
    with app.app_context():
        make_user("fien", "facilitator", PASSWORD)
        statuses = [
            _login(app.test_client(), "fien", password).status_code
            for password in ("fout", PASSWORD, "fout", PASSWORD)
        ]
    assert statuses == [200, 302, 200, 429]


def test_parallel_attempts_check_no_more_passwords_than_the_budget(
    make_app, make_user, hash_checks, monkeypatch
):
    """An attempt is counted before its password is checked, so two at once cannot both
    slip through the last place of the budget."""
    app = make_app(RATELIMIT_LOGIN="1 per minute")
    with app.app_context():
        make_user("fien", "facilitator", PASSWORD)
    hash_checks.clear()
    both_checking = threading.Barrier(2)
    counting = auth_services.check_password_hash

    def meeting(hashed: str, password: str) -> bool:
        # Wait for the other request to reach its hash check too, if it ever does.
        try:
            both_checking.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass
        return counting(hashed, password)

    monkeypatch.setattr(auth_services, "check_password_hash", meeting)
    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(
            pool.map(
                lambda password: _login(app.test_client(), "fien", password).status_code,
                ["fout", PASSWORD],
            )
        )
    # One password was checked; the other request was refused before its check.
    assert len(hash_checks) == 1
    assert statuses in ([200, 429], [302, 429])


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if "popupstore_session=" in c]
    assert cookies, response.headers
    return cookies[-1]


def test_session_cookie_is_httponly_and_samesite_lax(app, client, make_user):
    make_user("fien", "facilitator", PASSWORD)
    cookie = _session_cookie(_login(client))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    # Plain http (a developer's machine): a Secure cookie would never come back.
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_served_over_https(make_app, make_user):
    app = make_app(BASE_URL="https://popupstore.example.nl")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    with app.app_context():
        make_user("fien", "facilitator", PASSWORD)
        response = _login(app.test_client(), base_url="https://popupstore.example.nl")
    cookie = _session_cookie(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_follow_the_base_url_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("POPUPSTORE_BASE_URL", "https://popupstore.example.nl")
    app = create_app(
        {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/s.db"},
        instance_path=str(tmp_path),
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("POPUPSTORE_BASE_URL", "http://127.0.0.1:5000")
    app = create_app(
        {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/s.db"},
        instance_path=str(tmp_path),
    )
    assert app.config["SESSION_COOKIE_SECURE"] is False


CHECKOUT = {
    "items": [{"product": "geldfit", "intent": "want"}],
    "visitor": {"name": "Anna", "organisation": "Breda"},
}


def test_forwarded_headers_are_ignored_unless_a_proxy_is_trusted(client, store):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    response = client.post("/api/v1/events/breda-2026/checkouts", json=CHECKOUT, headers=headers)
    assert response.get_json()["receipt_url"].startswith("http://localhost/r/")
    assert "Strict-Transport-Security" not in response.headers


def test_one_trusted_proxy_makes_the_forwarded_scheme_count(make_app, load_test_products):
    app = make_app(TRUSTED_PROXIES=1)
    with app.app_context():
        from popupstore.events.services import create_event
        from popupstore.extensions import db

        load_test_products()
        create_event("breda-2026", name="B", city="Breda", date=date(2026, 1, 1), activate=True)
        db.session.commit()
        response = app.test_client().post(
            "/api/v1/events/breda-2026/checkouts",
            json=CHECKOUT,
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"},
        )
    data = response.get_json()
    # The scheme comes from the proxy; the host header of the request is kept as is.
    assert data["receipt_url"].startswith("https://localhost/r/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_trusted_proxy_gives_each_client_its_own_login_budget(make_app):
    app = make_app(TRUSTED_PROXIES=1, RATELIMIT_LOGIN_ADDRESS="2 per minute")
    with app.app_context():
        client = app.test_client()

        def attempt(address: str, name: str) -> int:
            headers = {"X-Forwarded-For": address}
            return _login(client, name, "y", headers=headers).status_code

        assert [attempt("10.0.0.1", f"x{i}") for i in range(3)] == [200, 200, 429]
        assert attempt("10.0.0.2", "x9") == 200


def test_without_a_trusted_proxy_a_forged_address_buys_no_extra_attempts(make_app):
    app = make_app(RATELIMIT_LOGIN_ADDRESS="2 per minute")
    with app.app_context():
        client = app.test_client()
        statuses = [
            _login(client, f"x{i}", "y", headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code
            for i in range(3)
        ]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("value", ["-1", "twee", "1.5"])
def test_bad_proxy_and_idle_settings_are_clear_errors(monkeypatch, tmp_path, value):
    monkeypatch.setenv("POPUPSTORE_TRUSTED_PROXIES", value)
    with pytest.raises(ConfigError, match="POPUPSTORE_TRUSTED_PROXIES"):
        create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    monkeypatch.delenv("POPUPSTORE_TRUSTED_PROXIES")
    monkeypatch.setenv("POPUPSTORE_STAFF_IDLE_MINUTES", value)
    with pytest.raises(ConfigError, match="POPUPSTORE_STAFF_IDLE_MINUTES"):
        create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        " //evil.example",
        "http:/evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "data:text/html,hoi",
        "evil.example",
        "",
    ],
)
def test_next_never_leaves_the_site(client, make_user, target):
    make_user("fien", "facilitator", PASSWORD)
    response = _login(client, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/facilitator/"


@pytest.mark.parametrize("target", ["/facilitator/evenement/x", "/organisator/privacy?x=1"])
def test_next_follows_local_paths(client, make_user, target):
    make_user("fien", "facilitator", PASSWORD)
    assert _login(client, next=target).headers["Location"] == target


def test_next_from_the_login_link_is_checked_before_it_reaches_the_form(client):
    html = fresh_request(client, "GET", "/login?next=//evil.example/").get_data(as_text=True)
    assert "evil.example" not in html
    html = fresh_request(client, "GET", "/login?next=/facilitator/").get_data(as_text=True)
    assert 'value="/facilitator/"' in html


# --- idle logout --------------------------------------------------------------------------


def _age_session(client, seconds: int) -> None:
    with client.session_transaction() as session:
        session[STAFF_SEEN_KEY] = int(time.time()) - seconds


def test_staff_are_logged_out_after_the_idle_time(app, client, make_user):
    assert app.config["STAFF_IDLE_MINUTES"] == 30
    make_user("fien", "facilitator", PASSWORD)
    _login(client)
    _age_session(client, 29 * 60)
    assert fresh_request(client, "GET", "/facilitator/").status_code == 200
    _age_session(client, 31 * 60)
    response = fresh_request(client, "GET", "/facilitator/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    login_page = fresh_request(client, "GET", "/login").get_data(as_text=True)
    assert "Je bent uitgelogd omdat je 30 minuten niets hebt gedaan." in login_page
    # Logged out for good: coming back fresh does not revive the session.
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert fresh_request(client, "GET", "/facilitator/").status_code == 302


def test_activity_keeps_staff_logged_in_but_background_refreshes_do_not(make_app, make_user):
    app = make_app(STAFF_IDLE_MINUTES=1)
    with app.app_context():
        make_user("fien", "facilitator", PASSWORD)
        client = app.test_client()
        _login(client)
        _age_session(client, 50)
        # A page the staff member opens is activity: the clock starts again.
        assert fresh_request(client, "GET", "/facilitator/").status_code == 200
        with client.session_transaction() as session:
            assert int(time.time()) - session[STAFF_SEEN_KEY] < 30
        _age_session(client, 50)
        # A page refreshing itself in the background is not.
        headers = {"X-Requested-With": "fetch"}
        assert fresh_request(client, "GET", "/facilitator/", headers=headers).status_code == 200
        with client.session_transaction() as session:
            assert int(time.time()) - session[STAFF_SEEN_KEY] >= 50
        _age_session(client, 61)
        assert fresh_request(client, "GET", "/facilitator/", headers=headers).status_code == 302


def test_a_session_without_an_activity_time_is_not_trusted(app, client, make_user):
    make_user("fien", "facilitator", PASSWORD)
    _login(client)
    with client.session_transaction() as session:
        session.pop(STAFF_SEEN_KEY)
    assert fresh_request(client, "GET", "/facilitator/").status_code == 302


def test_staff_pages_carry_the_idle_reload_script(app, client, make_user):
    make_user("fien", "facilitator", PASSWORD)
    _login(client)
    html = fresh_request(client, "GET", "/facilitator/").get_data(as_text=True)
    assert 'src="/static/js/staff-idle.js"' in html
    assert 'data-staff-idle-seconds="1800"' in html
    # Visitors' pages do not.
    visitor = fresh_request(client.application.test_client(), "GET", "/")
    assert "staff-idle.js" not in visitor.get_data(as_text=True)


# --- the rate limiter's storage ------------------------------------------------------------


def test_the_rate_limit_storage_is_a_setting(monkeypatch, tmp_path, redis_url):
    from limits.storage import RedisStorage

    from popupstore.ratelimits import rate_limit_storage
    from popupstore.ratelimits.storage import DatabaseStorage

    monkeypatch.delenv("POPUPSTORE_RATELIMIT_STORAGE_URI", raising=False)
    app = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    # By default every worker counts in the application database.
    assert app.config["RATELIMIT_STORAGE_URI"] == "database://"
    storage = rate_limit_storage(app)
    assert isinstance(storage, DatabaseStorage)
    with app.app_context():
        from popupstore.extensions import db

        assert storage.engine is db.engine
    monkeypatch.setenv("POPUPSTORE_RATELIMIT_STORAGE_URI", redis_url)
    app = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    storage = rate_limit_storage(app)
    assert isinstance(storage, RedisStorage)
    assert storage.check()


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        ("bogus://here", "must start with one of"),
        ("", "must start with one of"),
        ("async+memory://", "must start with one of"),
        # Counts kept in each worker's memory would let N workers allow N times the limit.
        ("memory://", "would count per worker process"),
        # A real store whose client library is not installed here.
        ("memcached://127.0.0.1:1", "prerequisite not available"),
    ],
)
def test_an_unusable_rate_limit_storage_stops_the_start(monkeypatch, tmp_path, uri, words):
    monkeypatch.setenv("POPUPSTORE_RATELIMIT_STORAGE_URI", uri)
    with pytest.raises(ConfigError, match="POPUPSTORE_RATELIMIT_STORAGE_URI") as raised:
        create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    assert words in str(raised.value)


@pytest.mark.parametrize(
    "name",
    [
        "RATELIMIT_LOGIN",
        "RATELIMIT_LOGIN_ADDRESS",
        "RATELIMIT_KIOSK_PIN",
        "RATELIMIT_TOKEN_LOOKUP",
    ],
)
@pytest.mark.parametrize("value", ["honderd per minuut", "0 per minute", ""])
def test_a_limit_that_is_no_limit_stops_the_start(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(f"POPUPSTORE_{name}", value)
    with pytest.raises(ConfigError, match=f"POPUPSTORE_{name} must be a limit such as"):
        create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))


def test_limits_are_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("POPUPSTORE_RATELIMIT_LOGIN_ADDRESS", "40 per hour")
    app = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    assert app.config["RATELIMIT_LOGIN_ADDRESS"] == "40 per hour"
    assert app.config["RATELIMIT_LOGIN"] == "10 per minute"


def test_a_changed_session_cookie_is_refused_after_the_real_one_was_accepted(
    app, client, make_user
):
    make_user("fien", "facilitator", PASSWORD)
    _login(client)
    real = client.get_cookie("popupstore_session").value
    assert fresh_request(client, "GET", "/facilitator/").status_code == 200
    # The same cookie beside another one still counts; it was checked before.
    headers = {"Cookie": f"popupstore_session={real}; voorkeur=donker"}
    anonymous = app.test_client(use_cookies=False)  # sends only the Cookie header given
    assert fresh_request(anonymous, "GET", "/facilitator/", headers=headers).status_code == 200
    # One character changed inside the signature (not its last one, whose low bits base64
    # ignores): not the cookie that was checked, so refused.
    changed = "A" if real[-10] != "A" else "B"
    forged = real[:-10] + changed + real[-9:]
    headers = {"Cookie": f"popupstore_session={forged}"}
    assert fresh_request(anonymous, "GET", "/facilitator/", headers=headers).status_code == 302


def test_the_session_remembers_the_browser_it_was_made_in(app, make_user):
    make_user("fien", "facilitator", PASSWORD)
    client = app.test_client()
    laptop = {"User-Agent": "Laptop van de balie"}
    _login(client, headers=laptop)
    assert fresh_request(client, "GET", "/facilitator/", headers=laptop).status_code == 200
    with client.session_transaction() as session:
        assert session["_fresh"] is True
        made_in = session["_id"]
    # Flask-Login's session protection ("basic"): from another browser the login is no
    # longer fresh. The identifier a worker remembers for the laptop is not reused.
    other = {"User-Agent": "Een andere browser"}
    assert fresh_request(client, "GET", "/facilitator/", headers=other).status_code == 200
    with client.session_transaction() as session:
        assert session["_id"] == made_in
        assert session["_fresh"] is False
