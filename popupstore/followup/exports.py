"""The outcome of the day as anonymous exports: no names, no e-mail addresses.

Three tables, written by the exporters' shared base (`organiser.exports.Exporter`): the
outcome per event, the evaluation answers by receipt number, and the "missed" texts
without who wrote them. As sheets of the anonymous XLSX export, and as a file of their own
(CSV and JSON hold the first table). Like the organiser's sheets, the sheet names, headers
and file names are Dutch; the answers stay the codes they are stored as (`contact`,
`product`, `rating`; `yes`, `started` …), as the basket lines keep `want` and `have`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..basket.models import Checkout
from ..catalog.models import Product
from ..events.models import Event
from ..extensions import db
from ..organiser.exports import Exporter
from .evaluation import missed_texts
from .models import RATINGS, Evaluation, EvaluationContact, EvaluationProduct
from .outcome import outcomes


class OutcomeExporter(Exporter):
    """One row per event: the funnel, the number of evaluations and the ratings."""

    identifier = "uitkomst"
    sheet_title = "uitkomst"
    columns = (
        "evenement",
        "afgerekend",
        "kregen gesprekspartners",
        "evaluaties",
        "hadden contact",
        "legden een afspraak vast",
        "zijn een product gestart",
        *(f"cijfer {r}" for r in RATINGS),
        "gemiddeld cijfer",
    )

    def rows(self) -> Iterator[tuple[Any, ...]]:
        for event, outcome in outcomes(self.events):
            average = outcome.average_rating
            yield (
                event.slug,
                outcome.checkouts,
                outcome.partners_shown,
                outcome.evaluations,
                outcome.contacts_made,
                outcome.agreements_recorded,
                outcome.products_started,
                *(outcome.ratings.get(r, 0) for r in RATINGS),
                round(average, 2) if average is not None else None,
            )


class EvaluationAnswerExporter(Exporter):
    """Every answer by receipt number: `contact` (subject: the partner's receipt number),
    `product` (subject: the product) and `rating`."""

    identifier = "evaluatie-antwoorden"
    sheet_title = "evaluatie-antwoorden"
    columns = ("evenement", "bonnummer", "vraag", "onderwerp", "antwoord")

    def rows(self) -> Iterator[tuple[Any, ...]]:
        visible = (Checkout.event_id.in_(self.event_ids), Checkout.hidden_at.is_(None))
        order = (Event.date, Event.slug, Checkout.number)
        for slug, number, rating in db.session.execute(
            select(Event.slug, Checkout.number, Evaluation.rating)
            .join(Checkout, Checkout.id == Evaluation.checkout_id)
            .join(Event, Event.id == Checkout.event_id)
            .where(*visible, Evaluation.rating.is_not(None))
            .order_by(*order)
        ):
            yield (slug, number, "rating", "", rating)
        partner = aliased(Checkout)
        for slug, number, partner_number, answer in db.session.execute(
            select(Event.slug, Checkout.number, partner.number, EvaluationContact.answer)
            .join(Checkout, Checkout.id == EvaluationContact.checkout_id)
            .join(partner, partner.id == EvaluationContact.partner_id)
            .join(Event, Event.id == Checkout.event_id)
            .where(*visible, partner.hidden_at.is_(None))
            .order_by(*order, partner.number)
        ):
            yield (slug, number, "contact", partner_number, answer)
        for slug, number, product, status in db.session.execute(
            select(Event.slug, Checkout.number, Product.slug, EvaluationProduct.status)
            .join(Checkout, Checkout.id == EvaluationProduct.checkout_id)
            .join(Product, Product.id == EvaluationProduct.product_id)
            .join(Event, Event.id == Checkout.event_id)
            .where(*visible)
            .order_by(*order, Product.slug)
        ):
            yield (slug, number, "product", product, status)


class MissedTextExporter(Exporter):
    """ "Wat miste je in de winkel?": the texts per event, sorted by text, so that neither a
    receipt number nor a moment ties them to whoever wrote them."""

    identifier = "gemist"
    sheet_title = "gemist"
    columns = ("evenement", "tekst")

    def rows(self) -> Iterator[tuple[Any, ...]]:
        slugs = {event.id: event.slug for event in self.events}
        texts = sorted((slugs[m.event_id], m.text) for m in missed_texts(events=self.events))
        yield from texts


OUTCOME_EXPORTERS: tuple[type[Exporter], ...] = (
    OutcomeExporter,
    EvaluationAnswerExporter,
    MissedTextExporter,
)


def outcome_exporters(events: Iterable[Event]) -> list[Exporter]:
    chosen = list(events)
    return [exporter(chosen) for exporter in OUTCOME_EXPORTERS]
