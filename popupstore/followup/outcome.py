"""What came of a network day: the outcome report, per event and over all events.

The funnel counts visitors (checkouts), each step on its own: who checked out, whose
receipt named partners or colleagues, who had contact with at least one of them (their
evaluation says "ja"), who recorded an agreement (author or partner of one), and who
started a product they wanted. Hidden checkouts and agreements count nowhere, as in the
statistics. No names: numbers only, and the "missed" texts without who wrote them.

A fixed number of queries whatever the number of checkouts; each is grouped by event, so
the report over all events is the sum of the events' own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select, union
from sqlalchemy.orm import aliased

from ..agreements.models import Agreement
from ..basket.models import Checkout
from ..catalog.models import Product
from ..charts import Chart, Row, bar_chart, column_chart
from ..events.models import Event
from ..extensions import db
from .evaluation import MissedText, missed_texts
from .models import CONTACT_ANSWERS, PRODUCT_STATUSES, RATINGS, Evaluation, EvaluationContact
from .models import EvaluationProduct as ProductAnswer


@dataclass(slots=True)
class Outcome:
    """The outcome of one event, or of several added up."""

    checkouts: int = 0
    partners_shown: int = 0
    evaluations: int = 0
    contacts_made: int = 0
    agreements_recorded: int = 0
    products_started: int = 0
    ratings: Counter[int] = field(default_factory=Counter)
    contact_answers: Counter[str] = field(default_factory=Counter)
    # (product slug, status) -> answers
    product_answers: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, other: Outcome) -> None:
        self.checkouts += other.checkouts
        self.partners_shown += other.partners_shown
        self.evaluations += other.evaluations
        self.contacts_made += other.contacts_made
        self.agreements_recorded += other.agreements_recorded
        self.products_started += other.products_started
        self.ratings.update(other.ratings)
        self.contact_answers.update(other.contact_answers)
        self.product_answers.update(other.product_answers)

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def average_rating(self) -> float | None:
        if not self.rated:
            return None
        return sum(r * n for r, n in self.ratings.items()) / self.rated

    def funnel(self) -> list[tuple[str, int]]:
        """The steps of the funnel with their labels, in order."""
        return [
            (_("Afgerekend"), self.checkouts),
            (_("Kregen gesprekspartners op de bon"), self.partners_shown),
            (_("Hadden contact (volgens de evaluatie)"), self.contacts_made),
            (_("Legden een afspraak vast"), self.agreements_recorded),
            (_("Zijn een product gestart"), self.products_started),
        ]


@dataclass(frozen=True, slots=True)
class OutcomeReport:
    """Each event's outcome (oldest first), their total and the "missed" texts."""

    per_event: list[tuple[Event, Outcome]]
    total: Outcome
    missed: list[MissedText]
    products: Mapping[str, str]

    @property
    def single(self) -> bool:
        return len(self.per_event) == 1


def _visible(alias: Any = Checkout) -> Any:
    return alias.hidden_at.is_(None)


def outcome_report(events: Sequence[Event]) -> OutcomeReport:
    """The outcome of these events, each and together, with the "missed" texts."""
    per_event = outcomes(events)
    total = Outcome()
    for _event, own in per_event:
        total.add(own)
    names = dict(db.session.execute(select(Product.slug, Product.name)).all())
    return OutcomeReport(
        per_event=per_event,
        total=total,
        missed=missed_texts(events=[event for event, _ in per_event]),
        products=names,
    )


def outcomes(events: Sequence[Event]) -> list[tuple[Event, Outcome]]:
    """Each event's outcome, oldest event first (the numbers only)."""
    ordered = sorted(events, key=lambda e: (e.date, e.name))
    ids = [e.id for e in ordered]
    found: dict[int, Outcome] = defaultdict(Outcome)
    in_events = and_(Checkout.event_id.in_(ids), _visible())

    for event_id, checkouts, shown in db.session.execute(
        select(
            Checkout.event_id,
            func.count(Checkout.id),
            func.coalesce(func.sum(case((Checkout.matches_shown > 0, 1), else_=0)), 0),
        )
        .where(in_events)
        .group_by(Checkout.event_id)
    ):
        found[event_id].checkouts = int(checkouts)
        found[event_id].partners_shown = int(shown)

    for event_id, rating, count in db.session.execute(
        select(Checkout.event_id, Evaluation.rating, func.count(Evaluation.id))
        .join(Checkout, Checkout.id == Evaluation.checkout_id)
        .where(in_events)
        .group_by(Checkout.event_id, Evaluation.rating)
    ):
        found[event_id].evaluations += int(count)
        if rating is not None:
            found[event_id].ratings[int(rating)] += int(count)

    partner = aliased(Checkout)
    for event_id, answer, answers, people in db.session.execute(
        select(
            Checkout.event_id,
            EvaluationContact.answer,
            func.count(EvaluationContact.id),
            func.count(func.distinct(EvaluationContact.checkout_id)),
        )
        .join(Checkout, Checkout.id == EvaluationContact.checkout_id)
        .join(partner, partner.id == EvaluationContact.partner_id)
        .where(in_events, _visible(partner))
        .group_by(Checkout.event_id, EvaluationContact.answer)
    ):
        found[event_id].contact_answers[answer] += int(answers)
        if answer == "yes":
            found[event_id].contacts_made = int(people)

    author, other = aliased(Checkout), aliased(Checkout)
    shown_agreements = (
        select(Agreement.author_id, Agreement.partner_id)
        .join(author, author.id == Agreement.author_id)
        .join(other, other.id == Agreement.partner_id)
        .where(
            Agreement.event_id.in_(ids),
            Agreement.hidden_at.is_(None),
            _visible(author),
            _visible(other),
        )
        .subquery()
    )
    parties = union(
        select(shown_agreements.c.author_id.label("checkout_id")),
        select(shown_agreements.c.partner_id.label("checkout_id")),
    ).subquery()
    for event_id, people in db.session.execute(
        select(Checkout.event_id, func.count(Checkout.id))
        .join(parties, parties.c.checkout_id == Checkout.id)
        .group_by(Checkout.event_id)
    ):
        found[event_id].agreements_recorded = int(people)

    for event_id, slug, status, answers in db.session.execute(
        select(Checkout.event_id, Product.slug, ProductAnswer.status, func.count(ProductAnswer.id))
        .join(Checkout, Checkout.id == ProductAnswer.checkout_id)
        .join(Product, Product.id == ProductAnswer.product_id)
        .where(in_events)
        .group_by(Checkout.event_id, Product.slug, ProductAnswer.status)
    ):
        found[event_id].product_answers[(slug, status)] += int(answers)

    for event_id, people in db.session.execute(
        select(Checkout.event_id, func.count(func.distinct(ProductAnswer.checkout_id)))
        .join(Checkout, Checkout.id == ProductAnswer.checkout_id)
        .where(in_events, ProductAnswer.status == "started")
        .group_by(Checkout.event_id)
    ):
        found[event_id].products_started = int(people)

    return [(event, found.get(event.id, Outcome())) for event in ordered]


# --- charts ---------------------------------------------------------------------------------


def contact_label(answer: str) -> str:
    return {"yes": _("Ja"), "planned": _("Gepland"), "no": _("Nee")}[answer]


def status_label(status: str) -> str:
    return {"started": _("Gestart"), "preparing": _("In voorbereiding"), "not": _("Niet")}[status]


@dataclass(frozen=True, slots=True)
class OutcomeCharts:
    funnel: Chart
    ratings: Chart
    contacts: Chart
    products: Chart


def outcome_charts(outcome: Outcome, products: Mapping[str, str]) -> OutcomeCharts:
    """The charts of one outcome: SVG geometry, with the numbers as a table beside."""
    slugs = sorted(
        {slug for slug, _status in outcome.product_answers},
        key=lambda s: (-outcome.product_answers[(s, "started")], products.get(s, s)),
    )
    return OutcomeCharts(
        funnel=bar_chart(
            _("Van afrekenen tot samen aan de slag"),
            [Row(label, (count,)) for label, count in outcome.funnel()],
            (_("Bezoekers"),),
            label_width=300,
        ),
        ratings=column_chart(
            _("Cijfer voor de pop-up store"),
            [Row(str(r), (outcome.ratings.get(r, 0),)) for r in RATINGS],
            _("Bezoekers"),
        ),
        contacts=bar_chart(
            _("Contact gehad met de mensen op de bon?"),
            [Row(contact_label(a), (outcome.contact_answers.get(a, 0),)) for a in CONTACT_ANSWERS],
            (_("Antwoorden"),),
        ),
        products=bar_chart(
            _("Hoe staat het met de gekozen producten?"),
            [
                Row(
                    products.get(slug, slug),
                    tuple(outcome.product_answers.get((slug, s), 0) for s in PRODUCT_STATUSES),
                )
                for slug in slugs
            ],
            tuple(status_label(s) for s in PRODUCT_STATUSES),
        ),
    )
