"""Conversation groups per product and collaboration suggestions."""

from __future__ import annotations

from popupstore.events.services import get_event
from popupstore.facilitator.services import (
    CollaborationSuggestion,
    StaffVisitor,
    collaboration_suggestions,
    conversation_groups,
)

from .conftest import EVENT


def test_groups_name_who_wants_and_who_already_does(app, crowd):
    groups = conversation_groups(get_event("breda-2026"))
    assert [g.product for g in groups] == [
        "geldfit",
        "vroegsignalering",
        "gemeentepolis",
        "schuldhulpmaatje",
    ]
    geldfit = groups[0]
    assert geldfit.owner == "NVB en partners"
    assert geldfit.doing == [StaffVisitor(3, None, None)]
    assert geldfit.wanting == [
        StaffVisitor(1, "Anna de Vries", "Breda"),
        StaffVisitor(2, "Bram", "Tilburg"),
        StaffVisitor(5, "Eva", "Breda"),
    ]
    assert geldfit.organisations == ["Breda", "Tilburg"]
    assert groups[3].doing == [StaffVisitor(4, "Dirk", "Utrecht")]


def test_the_groups_page_marks_the_ones_to_learn_from(client, crowd, staff):
    html = client.get(EVENT + "/gesprekken").get_data(as_text=True)
    geldfit = html.split('id="group-geldfit"')[1].split("</section>")[0]
    doing, wanting = geldfit.split("Wil ik (3)")
    assert "Doen we al — leer van hen (1)" in doing and "bon 3" in doing
    assert "Anna de Vries" in wanting and "Eva" in wanting
    assert "<strong>Organisaties:</strong> Breda, Tilburg" in geldfit


def test_collaborations_name_the_owner_as_contact(app, client, crowd, staff):
    assert collaboration_suggestions(get_event("breda-2026")) == [
        CollaborationSuggestion(
            product="geldfit",
            name="Geldfit",
            province="Noord-Brabant",
            organisations=("Breda", "Tilburg"),
            owner="NVB en partners",
            contact=None,
        )
    ]
    html = client.get(EVENT + "/samenwerking").get_data(as_text=True)
    assert (
        '<th scope="row">Geldfit</th><td>Noord-Brabant</td><td>Breda, Tilburg</td>'
        "<td>NVB en partners</td>" in html
    )


def test_the_collaboration_page_lists_agreements(client, crowd, staff):
    client.post(
        f"/r/{crowd.zeger['token']}/samenwerking",
        data={"choice": "1:geldfit", "text": "Zeger vertelt hoe Geldfit bij ons loopt"},
    )
    html = client.get(EVENT + "/samenwerking").get_data(as_text=True)
    assert "Zeger vertelt hoe Geldfit bij ons loopt" in html
    assert "bon 3<br>Anna de Vries · Breda (bon 1)" in html


def test_groups_start_with_what_people_want_and_skip_what_everyone_does(
    app, client, crowd, staff, make_checkout
):
    # Vroegsignalering is now held by six (four already do it), Gemeentepolis by two who want
    # it; Collectief schuldregelen only by people who already do it.
    for name, organisation in (("Fien", "Zwolle"), ("Gijs", "Oss"), ("Hans", "Uden")):
        make_checkout(
            {"vroegsignalering": "have", "collectief-schuldregelen": "have"},
            name=name,
            organisation=organisation,
        )
    groups = conversation_groups(get_event("breda-2026"))
    assert [(g.product, len(g.wanting), len(g.doing)) for g in groups] == [
        ("geldfit", 3, 1),
        ("vroegsignalering", 2, 4),
        ("gemeentepolis", 2, 0),
        ("schuldhulpmaatje", 1, 1),
    ]
    make_checkout({"gemeentepolis": "want"}, name="Ina", organisation="Oss")
    groups = conversation_groups(get_event("breda-2026"))
    # Three want Gemeentepolis: it comes before Vroegsignalering, held by more but wanted by two.
    assert [g.product for g in groups] == [
        "geldfit",
        "gemeentepolis",
        "vroegsignalering",
        "schuldhulpmaatje",
    ]
    html = client.get(EVENT + "/gesprekken").get_data(as_text=True)
    assert 'id="group-collectief-schuldregelen"' not in html
    assert (
        "Iedereen die het koos, doet het al (geen gespreksgroep): Collectief Schuldregelen." in html
    )
