"""Every route is classified: public, or staff of named roles."""

from __future__ import annotations

from popupstore.security import PUBLIC, access_of


def test_every_route_is_public_or_names_its_roles(app):
    unclassified = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and access_of(app.view_functions[rule.endpoint]) is None
    ]
    assert unclassified == []


def test_staff_routes_name_known_roles(app):
    for rule in app.url_map.iter_rules():
        mark = access_of(app.view_functions[rule.endpoint])
        if mark in (None, PUBLIC):
            continue
        via, roles = mark
        assert via in ("session", "token")
        assert set(roles) <= {"facilitator", "organiser"} and roles
