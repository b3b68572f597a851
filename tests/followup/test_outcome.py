"""The outcome report, checked against a seeded day: the funnel, the answers, the ratings
and the "missed" texts, on the page, in the A4 print view and in the exports."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from popupstore.agreements.services import record_agreement
from popupstore.basket.models import Checkout
from popupstore.events.services import activate_event, get_event
from popupstore.extensions import db
from popupstore.followup.links import evaluation_token
from popupstore.followup.outcome import outcome_report
from popupstore.proposals.services import proposals_of

from ..security.conftest import fresh_request
from .conftest import days_ago, settle

EVENT = "utrecht-dag"
OUTCOME_COLUMNS = [
    "evenement",
    "afgerekend",
    "kregen gesprekspartners",
    "evaluaties",
    "hadden contact",
    "legden een afspraak vast",
    "zijn een product gestart",
    "cijfer 1",
    "cijfer 2",
    "cijfer 3",
    "cijfer 4",
    "cijfer 5",
    "gemiddeld cijfer",
]
UTRECHT_ROW = [EVENT, 5, 3, 4, 3, 2, 2, 0, 0, 1, 2, 1, 4.0]


def checkout(number: int, event: str = EVENT) -> Checkout:
    return db.session.execute(
        select(Checkout)
        .join(Checkout.event)
        .where(Checkout.number == number, Checkout.event.has(slug=event))
    ).scalar_one()


def evaluate(client, number: int, event: str = EVENT, **answers: str) -> None:
    path = f"/evaluatie/{evaluation_token(checkout(number, event).id)}"
    response = fresh_request(client, "POST", path, data=answers)
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def seeded_day(app, client, mail_checkout, past_event, login, make_event):
    """Five visitors who count and one a facilitator hid, with evaluations and agreements.

    Receipts at checkout: Anna (1) none yet; Bram (2) Anna; Carla (3) Bram and colleague
    Anna; Dirk (4) no one; Eva (5, not findable) Anna; Fred (6) three, but hidden later.
    """
    mail_checkout("a@breda.nl", {"geldfit": "want", "vroegsignalering": "want"}, name="Anna")
    mail_checkout("b@tilburg.nl", {"geldfit": "have"}, name="Bram", organisation="Tilburg")
    mail_checkout("c@breda.nl", {"geldfit": "want"}, name="Carla")
    mail_checkout("d@zwolle.nl", {"schuldhulpmaatje": "want"}, name="Dirk", organisation="Zwolle")
    mail_checkout(
        "e@assen.nl",
        {"vroegsignalering": "have"},
        name="Eva",
        organisation="Assen",
        share_contact=False,
    )
    mail_checkout("f@ede.nl", {"geldfit": "want"}, name="Fred", organisation="Ede")
    settle(app)
    evaluate(
        client,
        1,
        **{
            "contact-2": "yes",
            "contact-3": "planned",
            "product-geldfit": "started",
            "product-vroegsignalering": "preparing",
            "rating": "5",
            "missed": "Iets voor werkgevers",
        },
    )
    evaluate(client, 2, **{"contact-1": "yes", "contact-3": "no", "rating": "4"})
    evaluate(
        client,
        3,
        **{
            "contact-1": "yes",
            "contact-2": "no",
            "product-geldfit": "not",
            "rating": "3",
            "missed": "Meer over jongeren",
        },
    )
    evaluate(client, 4, **{"product-schuldhulpmaatje": "started", "rating": "4"})
    evaluate(client, 6, **{"contact-1": "yes", "rating": "1", "missed": "Fred's spam"})
    record_agreement(checkout(1), 2, "geldfit", "Samen de zelftest uitrollen")
    record_agreement(checkout(3), 6, "geldfit", "Verborgen afspraak")
    db.session.commit()
    login("facilitator")
    assert client.post(f"/facilitator/evenement/{EVENT}/bon/6/verbergen").status_code == 302
    client.post("/logout")
    # A second, later day with one visitor, for the report over all events.
    make_event("zwolle-dag", name="Netwerkdag Zwolle", city="Zwolle", day=days_ago(16))
    mail_checkout("z@zwolle.nl", {"geldfit": "want"}, name="Zoë", event="zwolle-dag")
    settle(app)
    evaluate(client, 1, event="zwolle-dag", rating="2")
    activate_event(get_event(EVENT))
    db.session.commit()


def test_the_outcome_adds_up_to_the_seeded_day(app, seeded_day):
    [(event, outcome)] = outcome_report([get_event(EVENT)]).per_event
    assert event.slug == EVENT
    assert outcome.funnel() == [
        ("Afgerekend", 5),
        ("Kregen gesprekspartners op de bon", 3),
        ("Hadden contact (volgens de evaluatie)", 3),
        ("Legden een afspraak vast", 2),
        ("Zijn een product gestart", 2),
    ]
    assert outcome.evaluations == 4
    assert dict(outcome.contact_answers) == {"yes": 3, "planned": 1, "no": 2}
    assert dict(outcome.product_answers) == {
        ("geldfit", "started"): 1,
        ("geldfit", "not"): 1,
        ("vroegsignalering", "preparing"): 1,
        ("schuldhulpmaatje", "started"): 1,
    }
    assert dict(outcome.ratings) == {5: 1, 4: 2, 3: 1}
    assert outcome.average_rating == 4.0

    both = outcome_report([get_event(EVENT), get_event("zwolle-dag")])
    assert [e.slug for e, _ in both.per_event] == [EVENT, "zwolle-dag"]
    assert (both.total.checkouts, both.total.evaluations) == (6, 5)
    assert both.total.average_rating == pytest.approx(3.6)
    assert [m.text for m in both.missed] == ["Iets voor werkgevers", "Meer over jongeren"]


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))


def test_the_organiser_sees_the_outcome_with_charts_tables_and_missed_texts(
    app, client, login, seeded_day
):
    login("organiser")
    html = client.get(f"/organisator/evenementen/{EVENT}/uitkomst").get_data(as_text=True)
    assert figures(html) == {
        "Afgerekend": "5",
        "Kregen gesprekspartners op de bon": "3",
        "Vulden de evaluatie in": "4",
        "Hadden contact": "3",
        "Legden een afspraak vast": "2",
        "Zijn een product gestart": "2",
        "Gemiddeld cijfer": "4,0",
    }
    assert html.count('<svg class="chart__svg') == 4
    assert '<tr><th scope="row">Gestart</th>' not in html  # statuses are series, not rows
    assert re.search(
        r'<th scope="row">Geldfit</th><td class="num">1</td><td class="num">0</td>'
        r'<td class="num">1</td>',
        html,
    )
    assert '<tr><th scope="row">Ja</th><td class="num">3</td></tr>' in html
    assert '<tr><th scope="row">4</th><td class="num">2</td></tr>' in html
    assert "Iets voor werkgevers" in html and "Meer over jongeren" in html
    assert "Fred" not in html and "spam" not in html
    for name in ("Anna", "Bram", "Carla", "@"):
        assert name not in html.split('<main id="main"')[1].split("</main>")[0], name

    everything = client.get("/organisator/uitkomst").get_data(as_text=True)
    assert figures(everything)["Afgerekend"] == "6"
    assert figures(everything)["Gemiddeld cijfer"] == "3,6"
    assert "Uitkomst per evenement" in everything
    assert "(Netwerkdag Utrecht)" in everything  # missed texts say which day

    # The A4 print views carry the same section, every table open.
    for path in (f"/organisator/evenementen/{EVENT}/rapport", "/organisator/statistiek/rapport"):
        report = client.get(path).get_data(as_text=True)
        assert "Wat kwam ervan?" in report and "Iets voor werkgevers" in report
        assert report.count('id="report-outcome-funnel"') == 1


def test_the_outcome_exports_are_anonymous_and_hold_the_numbers(app, client, login, seeded_day):
    login("organiser")
    base = "/organisator/exports/uitkomst"
    response = client.get(f"{base}?event={EVENT}&format=csv")
    assert (
        'filename="popupstore-utrecht-dag-uitkomst.csv"'
        in (response.headers["Content-Disposition"])
    )
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == OUTCOME_COLUMNS
    assert rows[1:] == [[str(v) for v in UTRECHT_ROW]]

    records = json.loads(client.get(f"{base}?format=json").get_data(as_text=True))
    assert [r["evenement"] for r in records] == [EVENT, "zwolle-dag"]
    assert list(records[0].values()) == UTRECHT_ROW

    workbook = load_workbook(io.BytesIO(client.get(f"{base}?event={EVENT}&format=xlsx").data))
    assert workbook.sheetnames == ["uitkomst", "evaluatie-antwoorden", "gemist"]
    answers = [tuple(row) for row in workbook["evaluatie-antwoorden"].iter_rows(values_only=True)]
    assert answers[0] == ("evenement", "bonnummer", "vraag", "onderwerp", "antwoord")
    assert (EVENT, 1, "contact", 2, "yes") in answers
    assert (EVENT, 4, "product", "schuldhulpmaatje", "started") in answers
    assert (EVENT, 1, "rating", None, 5) in answers
    assert not any(row[1] == 6 for row in answers[1:])  # hidden
    assert not any(row[3] == 6 for row in answers[1:])  # nor answers about the hidden one
    missed = [tuple(row) for row in workbook["gemist"].iter_rows(values_only=True)]
    assert missed == [
        ("evenement", "tekst"),
        (EVENT, "Iets voor werkgevers"),
        (EVENT, "Meer over jongeren"),
    ]

    everything = b"".join(
        [client.get(f"{base}?format=xlsx").data, client.get(f"{base}?format=csv").data]
    )
    for secret in (b"Anna", b"Bram", b"@breda.nl", b"Fred"):
        assert secret not in everything

    anonymous = load_workbook(
        io.BytesIO(client.get(f"/organisator/exports/anoniem?event={EVENT}&format=xlsx").data)
    )
    assert anonymous.sheetnames[-3:] == ["uitkomst", "evaluatie-antwoorden", "gemist"]
    assert [c.value for c in next(anonymous["uitkomst"].iter_rows(min_row=2))] == UTRECHT_ROW
    assert client.get(f"{base}?format=pdf").status_code == 422


PROPOSE = re.compile(r'action="(/organisator/uitkomst/gemist/(\d+)/voorstel)"')


def test_a_missed_answer_becomes_one_pending_proposal_on_the_visitors_receipt(
    app, client, login, seeded_day
):
    from popupstore.proposals.models import FROM_EVALUATION, PENDING, Proposal

    login("organiser")
    page = client.get(f"/organisator/evenementen/{EVENT}/uitkomst").get_data(as_text=True)
    # One button per shown answer (Fred's hidden checkout has none).
    actions = PROPOSE.findall(page)
    assert len(actions) == 2
    first = actions[0][0]
    answer = "Iets voor werkgevers"

    response = client.post(first)
    assert response.status_code == 302
    [proposal] = db.session.scalars(select(Proposal)).all()
    assert (proposal.source, proposal.status) == (FROM_EVALUATION, PENDING)
    assert (proposal.name, proposal.description) == (answer, answer)
    assert proposal.checkout_id == checkout(1).id
    assert response.headers["Location"].endswith(f"/organisator/voorstellen/{proposal.id}")
    assert answer in client.get("/organisator/voorstellen").get_data(as_text=True)

    # The page now links the proposal instead of offering the button again ...
    page = client.get(f"/organisator/evenementen/{EVENT}/uitkomst").get_data(as_text=True)
    assert [a for a, _ in PROPOSE.findall(page)] == [actions[1][0]]
    assert f'href="/organisator/voorstellen/{proposal.id}"' in page
    # ... and a second press makes no second proposal.
    again = client.post(first, follow_redirects=True).get_data(as_text=True)
    assert "Van dit antwoord is al een voorstel gemaakt." in again
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 1

    # The visitor whose answer it was finds it among their proposals, with its status.
    assert [p.id for p in proposals_of(checkout(1))] == [proposal.id]


def test_only_an_organiser_turns_shown_answers_into_proposals(app, client, login, seeded_day):
    from popupstore.followup.models import Evaluation
    from popupstore.proposals.models import Proposal

    hidden = db.session.scalar(
        select(Evaluation.id).where(Evaluation.checkout_id == checkout(6).id)
    )
    login("organiser")
    assert client.post(f"/organisator/uitkomst/gemist/{hidden}/voorstel").status_code == 404
    assert client.post("/organisator/uitkomst/gemist/999999/voorstel").status_code == 404
    client.post("/logout")
    login("facilitator")
    shown = db.session.scalar(select(Evaluation.id).where(Evaluation.checkout_id == checkout(1).id))
    assert client.post(f"/organisator/uitkomst/gemist/{shown}/voorstel").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0
