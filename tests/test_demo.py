"""`popupstore bootstrap-demo --visitors N`: a living demo store, in demo events only."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from popupstore.agreements.models import Agreement
from popupstore.auth.models import User
from popupstore.basket.models import Checkout
from popupstore.events.models import Event
from popupstore.extensions import db
from popupstore.facilitator.models import ConversationPlan
from popupstore.proposals.models import Proposal
from popupstore.series.models import SeriesMember


def checkouts_per_event() -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Event.slug, func.count(Checkout.id))
        .join(Checkout, Checkout.event_id == Event.id)
        .group_by(Event.slug)
    )
    return dict(rows.all())


def test_bootstrap_demo_fills_demo_events_with_a_realistic_mix(app, runner, client, login):
    result = runner.invoke(args=["bootstrap-demo", "--visitors", "40"])
    assert result.exit_code == 0, result.output
    assert "Demo visitors: 40 added to demo, 20 to demo-eerder" in result.output
    assert checkouts_per_event() == {"demo": 40, "demo-eerder": 20}
    events = {e.slug: e for e in db.session.execute(select(Event)).scalars()}
    assert all(event.is_demo for event in events.values())
    assert events["demo"].is_active and not events["demo-eerder"].is_active
    assert len(db.session.execute(select(SeriesMember)).scalars().all()) == 2
    rows = db.session.execute(select(Checkout)).scalars().all()
    consenting = sum(1 for row in rows if row.share_contact) / len(rows)
    assert 0.4 <= consenting <= 0.8
    types = Counter(row.organisation_type for row in rows)
    assert types["gemeente"] >= 20 and len(types) >= 4
    assert {row.province for row in rows if row.organisation_type == "gemeente"} == {
        "Noord-Brabant"
    }
    assert {row.province for row in rows} == {"Noord-Brabant"}  # partners work there too
    assert all(row.email is None for row in rows)
    products = Counter(line.product.slug for row in rows for line in row.lines)
    top, *_, bottom = products.most_common()
    assert top[1] >= 3 * bottom[1]  # some approaches are far more popular than others
    assert db.session.execute(select(func.count(Agreement.id))).scalar_one() >= 1
    assert db.session.execute(select(func.count(ConversationPlan.id))).scalar_one() == 1
    [proposal] = db.session.execute(select(Proposal)).scalars().all()
    assert proposal.status == "pending"
    # A second run (each `make run`) adds nothing; a larger N tops up.
    again = runner.invoke(args=["bootstrap-demo", "--visitors", "40"])
    assert again.exit_code == 0 and checkouts_per_event() == {"demo": 40, "demo-eerder": 20}
    more = runner.invoke(args=["bootstrap-demo", "--visitors", "50"])
    assert more.exit_code == 0 and checkouts_per_event() == {"demo": 50, "demo-eerder": 25}
    assert db.session.execute(select(func.count(Proposal.id))).scalar_one() == 1
    # The demo shows: a busy live view, a receipt with series matches, a proposal queued.
    login("organiser")
    live = client.get("/facilitator/evenement/demo/live").get_data(as_text=True)
    assert "50" in live
    assert "1 voorstel wacht" in client.get("/organisator/voorstellen").get_data(as_text=True)
    stats = client.get("/organisator/reeksen/demo-reeks").get_data(as_text=True)
    assert "Organisaties die terugkwamen" in stats


def test_simulated_visitors_never_go_into_a_real_event(app, runner, make_event, load_test_products):
    load_test_products()
    make_event("breda-2026", day=date(2026, 11, 12), active=True)
    result = runner.invoke(args=["bootstrap-demo", "--visitors", "10"])
    assert result.exit_code == 2
    assert "alleen in het demo-evenement" in result.output
    assert checkouts_per_event() == {}
    assert [e.slug for e in db.session.execute(select(Event)).scalars()] == ["breda-2026"]
    # Nothing else was written either (no demo organiser).
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 0


def test_bad_visitor_numbers_exit_2(app, runner):
    for value in ("-1", "veel", "100000"):
        result = runner.invoke(args=["bootstrap-demo", "--visitors", value])
        assert result.exit_code == 2, result.output
    assert checkouts_per_event() == {}
