"""Event commands: create-event and activate-event."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from popupstore.events.models import Event
from popupstore.extensions import db


def events() -> list[tuple[str, bool]]:
    db.session.expire_all()
    rows = db.session.execute(select(Event.slug, Event.is_active).order_by(Event.slug))
    return [(slug, active) for slug, active in rows]


def test_create_and_activate_events(app, runner):
    result = runner.invoke(
        args=[
            "create-event",
            "breda",
            "--name",
            "Breda",
            "--city",
            "Breda",
            "--date",
            "2026-03-01",
            "--activate",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "create-event",
            "zwolle",
            "--name",
            "Zwolle",
            "--city",
            "Zwolle",
            "--date",
            "2026-04-01",
        ]
    )
    assert result.exit_code == 0, result.output
    assert events() == [("breda", True), ("zwolle", False)]
    event = db.session.execute(select(Event).where(Event.slug == "zwolle")).scalar_one()
    assert (event.name, event.city, event.date) == ("Zwolle", "Zwolle", date(2026, 4, 1))

    result = runner.invoke(args=["activate-event", "zwolle"])
    assert result.exit_code == 0
    assert events() == [("breda", False), ("zwolle", True)]
    # Activating the active one again changes nothing.
    assert runner.invoke(args=["activate-event", "zwolle"]).exit_code == 0
    assert events() == [("breda", False), ("zwolle", True)]
    # A new event created with --activate takes over.
    runner.invoke(
        args=[
            "create-event",
            "assen",
            "--name",
            "Assen",
            "--city",
            "Assen",
            "--date",
            "2026-05-01",
            "--activate",
        ]
    )
    assert [slug for slug, active in events() if active] == ["assen"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ["create-event", "Breda Dag", "--name", "B", "--city", "B", "--date", "2026-01-01"],
            "slug",
        ),
        (["create-event", "breda", "--name", "B", "--city", "B", "--date", "01-01-2026"], "--date"),
        (["create-event", "breda", "--name", "B", "--city", "B", "--date", "2026-02-30"], "--date"),
        (["create-event", "breda", "--name", " ", "--city", "B", "--date", "2026-01-01"], "name"),
        (["activate-event", "bestaat-niet"], "bestaat-niet"),
    ],
)
def test_bad_event_input_exits_2_and_writes_nothing(app, runner, args, words):
    result = runner.invoke(args=args)
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert events() == []


def test_existing_slug_exits_2(app, runner):
    args = [
        "create-event",
        "breda",
        "--name",
        "B",
        "--city",
        "B",
        "--date",
        "2026-01-01",
        "--activate",
    ]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=[*args[:-1]])
    assert result.exit_code == 2
    assert "breda" in result.output
    assert events() == [("breda", True)]
