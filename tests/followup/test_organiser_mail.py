"""The organiser's page of the mail after the day, and the mail settings."""

from __future__ import annotations

import datetime as dt

import pytest

from popupstore import create_app
from popupstore.config import ConfigError, MailServer, parse_mail_url
from popupstore.extensions import db
from popupstore.followup.models import FollowUpSettings

from .conftest import days_ago, settle

PAGE = "/organisator/evenementen/utrecht-dag/mail"


def test_the_page_shows_who_gets_the_follow_up_its_date_and_a_preview(
    app, client, login, mail_checkout, past_event, smtp_server
):
    smtp_server.stop()
    mail_checkout("een@breda.nl")
    mail_checkout("twee@breda.nl", name="Bea")
    mail_checkout("geen@breda.nl", name="Cas", follow_up=False)
    settle(app)
    login("organiser")
    html = client.get(PAGE).get_data(as_text=True)
    assert f"Mail gaat via 127.0.0.1:{smtp_server.port}, als afzender winkel@popup.test." in html
    assert "<dt>Krijgen de vervolgmail</dt><dd>2</dd>" in html
    assert "<dt>Bon nog te versturen</dt><dd>2</dd>" in html
    follow_up_on = days_ago(20) + dt.timedelta(days=14)
    assert f"Gaat op {follow_up_on.day} " in html
    # The preview: the default text in Dutch, and in English on request.
    assert "Hoe ging het na Netwerkdag Utrecht?" in html
    assert "We zijn benieuwd wat ervan gekomen is." in html
    english = client.get(PAGE + "?taal=en").get_data(as_text=True)
    assert "How did it go after Netwerkdag Utrecht?" in english
    assert "We would like to know what came of it." in english
    # Waiting for the server is shown per address.
    assert "een@breda.nl" in html and "Wacht op de mailserver" in html

    event_page = client.get("/organisator/evenementen/utrecht-dag").get_data(as_text=True)
    assert "2 bezoekers krijgen de vervolgmail" in event_page
    assert f'href="{PAGE}"' in event_page


def test_the_page_says_when_mail_is_off(make_app, load_test_products, make_event):
    app = make_app()
    with app.app_context():
        load_test_products()
        make_event("utrecht-dag", day=days_ago(2))
        client = app.test_client()
        from popupstore.auth.services import create_user

        create_user("org", "geheim-wachtwoord", "organiser")
        db.session.commit()
        client.post("/login", data={"username": "org", "password": "geheim-wachtwoord"})
        html = client.get(PAGE).get_data(as_text=True)
        assert "Mail staat uit" in html and "POPUPSTORE_MAIL_URL is niet ingesteld" in html
        event_page = client.get("/organisator/evenementen/utrecht-dag").get_data(as_text=True)
        assert "Mail staat uit: POPUPSTORE_MAIL_URL is niet ingesteld." in event_page
        sent = client.post(PAGE + "/versturen")
        page = client.get(sent.headers["Location"]).get_data(as_text=True)
        assert "Mail staat uit: er is niets verstuurd." in page


def test_the_organiser_sets_the_date_and_text_and_sees_them_in_the_preview(
    app, client, login, past_event
):
    login("organiser")
    day = days_ago(1)
    saved = client.post(PAGE, data={"send_on": day.isoformat(), "text": "Hoi!\r\n\r\nTot ziens."})
    assert saved.status_code == 302
    stored = db.session.get(FollowUpSettings, past_event.id)
    assert (stored.send_on, stored.text, stored.updated_by) == (
        day,
        "Hoi!\n\nTot ziens.",
        "staff-organiser",
    )
    html = client.get(PAGE).get_data(as_text=True)
    assert "<p>Hoi!</p>" in html and "<p>Tot ziens.</p>" in html
    assert "We zijn benieuwd" not in html
    # Empty again: the default date and text.
    client.post(PAGE, data={"send_on": "", "text": ""})
    db.session.expire_all()
    stored = db.session.get(FollowUpSettings, past_event.id)
    assert (stored.send_on, stored.text) == (None, None)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"send_on": "gisteren"}, "send_on", "Ongeldige datum."),
        ({"send_on": "EVENT"}, "send_on", "Kies een datum van"),
        (
            {"send_on": "RETENTION+1"},
            "send_on",
            "de bewaardatum; daarna zijn de e-mailadressen gewist",
        ),
        ({"text": "stuur\x0bgeld\x1b"}, "text", "Bevat een teken dat hier niet mag (U+001B)."),
        ({"text": "x" * 2001}, "text", "Hoogstens 2000 tekens."),
    ],
)
def test_a_wrong_date_or_text_is_refused_at_its_field_and_nothing_is_saved(
    app, client, login, past_event, data, field, message
):
    login("organiser")
    if data.get("send_on") == "EVENT":
        data = {"send_on": past_event.date.isoformat()}
    elif data.get("send_on") == "RETENTION+1":
        data = {"send_on": (past_event.retention_date + dt.timedelta(days=1)).isoformat()}
    refused = client.post(PAGE, data=data)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert db.session.get(FollowUpSettings, past_event.id) is None


def test_facilitators_may_not_open_the_organisers_mail_pages(app, client, login, past_event):
    login("facilitator")
    for path in (PAGE, "/organisator/uitkomst", "/organisator/evenementen/utrecht-dag/uitkomst"):
        assert client.get(path).status_code == 403
    assert client.post(PAGE + "/versturen").status_code == 403


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:2525", MailServer("smtp", "127.0.0.1", 2525)),
        ("smtp://mail.example.nl", MailServer("smtp", "mail.example.nl", 25)),
        (
            "smtps://u%40x:p%3Aw@mail.example.nl",
            MailServer("smtps", "mail.example.nl", 465, "u@x", "p:w"),
        ),
    ],
)
def test_mail_urls_are_read_as_the_contract_says(url, expected):
    assert parse_mail_url(url) == expected
    assert "p:w" not in repr(parse_mail_url(url))


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("POPUPSTORE_MAIL_URL", "http://mail.example.nl", "must start with smtp:// or smtps://"),
        ("POPUPSTORE_MAIL_URL", "smtp://", "names no host"),
        ("POPUPSTORE_MAIL_URL", "smtp://mail.example.nl:poort", "port"),
        ("POPUPSTORE_MAIL_URL", "smtp://mail.example.nl/pad", "takes no path"),
        ("POPUPSTORE_MAIL_FROM", "geen adres", "must be one e-mail address"),
        ("POPUPSTORE_MAIL_FROM", "a@b.nl, c@d.nl", "must be one e-mail address"),
    ],
)
def test_a_wrong_mail_setting_stops_the_start_with_its_name(
    monkeypatch, tmp_path, variable, value, words
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable) as raised:
        create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    assert words in str(raised.value)


def test_mail_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("POPUPSTORE_MAIL_URL", raising=False)
    monkeypatch.delenv("POPUPSTORE_MAIL_FROM", raising=False)
    quiet = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    assert quiet.config["MAIL_URL"] is None and quiet.config["MAIL_FROM"] == "popupstore@localhost"
    monkeypatch.setenv("POPUPSTORE_MAIL_URL", "smtp://relay.example.nl:587")
    monkeypatch.setenv("POPUPSTORE_MAIL_FROM", "netwerkdag@example.nl")
    app = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    assert app.config["MAIL_URL"] == "smtp://relay.example.nl:587"
    assert app.config["MAIL_FROM"] == "netwerkdag@example.nl"
