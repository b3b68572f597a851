"""Product proposals: the catalog grows from the floor.

A visitor proposes an approach the store does not sell ("Wij doen iets wat hier niet
ligt"); the organiser edits it, approves it (it becomes a product, credited "aangedragen
door <organisatie> tijdens <event>"), merges it into an existing product (the proposer's
organisation becomes a second owner), or declines it with a reason the proposer sees on
their receipt. Pending and declined proposals are never shown publicly; neither is any
proposal of a checkout a facilitator hid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..basket.models import Checkout
from ..catalog.models import Product
from ..catalog.services import add_product, theme_slug
from ..db import utcnow
from ..errors import ConflictError, NotFoundError, ValidationError
from ..events.models import Event
from ..extensions import db
from ..organisations import fold
from ..validation import FreeText
from .models import (
    APPROVED,
    CONTACT_LIMIT,
    DECLINED,
    DESCRIPTION_LIMIT,
    DESCRIPTION_WORDS,
    FROM_EVALUATION,
    FROM_VISITOR,
    MERGED,
    NAME_LIMIT,
    ORGANISATION_LIMIT,
    PENDING,
    PITCH_LIMIT,
    REASON_LIMIT,
    Proposal,
)

NAME = FreeText(NAME_LIMIT)
PITCH = FreeText(PITCH_LIMIT)
DESCRIPTION = FreeText(DESCRIPTION_LIMIT, multiline=True)
ORGANISATION = FreeText(ORGANISATION_LIMIT)
OPTIONAL_ORGANISATION = FreeText(ORGANISATION_LIMIT, required=False)
CONTACT = FreeText(CONTACT_LIMIT, required=False)
REASON = FreeText(REASON_LIMIT)
# An evaluation answer may be long; the proposal made of it is cut to the proposal's limits.
EVALUATION_TEXT = FreeText(20_000, multiline=True)
OWNER_LIMIT = 160

# A visitor proposes a few approaches at most; more is someone filling the queue.
MAX_PROPOSALS_PER_CHECKOUT = 10
# Proposals made on this device before checking out, linked to the checkout once it is made.
SESSION_KEY = "proposals"
SESSION_LIMIT = MAX_PROPOSALS_PER_CHECKOUT


@dataclass(frozen=True, slots=True)
class ProposalText:
    """A proposal's texts, cleaned by the free-text rule."""

    name: str
    pitch: str
    description: str
    organisation: str | None
    contact: str | None


def check_proposal(raw: Mapping[str, Any], *, organisation_required: bool = True) -> ProposalText:
    """Clean and check a proposal's fields (name, pitch, description, organisation, contact).

    Raises ValidationError naming every field that is wrong: empty where required, too long
    (the description also at most 150 words), or holding control characters.
    """
    fields: dict[str, str] = {}
    name = NAME.check(fields, "name", raw.get("name"))
    pitch = PITCH.check(fields, "pitch", raw.get("pitch"))
    description = DESCRIPTION.check(fields, "description", raw.get("description"))
    if description is not None and len(description.split()) > DESCRIPTION_WORDS:
        fields["description"] = str(
            _l(
                "Hoogstens %(limit)d woorden; het zijn er nu %(n)d.",
                limit=DESCRIPTION_WORDS,
                n=len(description.split()),
            )
        )
    rule = ORGANISATION if organisation_required else OPTIONAL_ORGANISATION
    organisation = rule.check(fields, "organisation", raw.get("organisation"))
    contact = CONTACT.check(fields, "contact", raw.get("contact"))
    if fields:
        raise ValidationError(str(_l("Het voorstel klopt niet.")), fields)
    return ProposalText(name or "", pitch or "", description or "", organisation, contact)


# --- proposing --------------------------------------------------------------------------------


def submit_proposal(
    event: Event, raw: Mapping[str, Any], *, checkout: Checkout | None = None
) -> Proposal:
    """A visitor's proposal made at `event`, linked to their checkout when they have one.

    Raises ValidationError for bad fields and ConflictError when the checkout already made
    MAX_PROPOSALS_PER_CHECKOUT proposals. A checkout's proposal belongs to its own event.
    """
    text = check_proposal(raw)
    if checkout is not None:
        made = db.session.execute(
            select(func.count(Proposal.id)).where(Proposal.checkout_id == checkout.id)
        ).scalar_one()
        if made >= MAX_PROPOSALS_PER_CHECKOUT:
            raise ConflictError(
                str(
                    _l(
                        "Je hebt al %(n)d voorstellen gedaan. Dank je wel!",
                        n=MAX_PROPOSALS_PER_CHECKOUT,
                    )
                )
            )
    proposal = Proposal(
        event_id=checkout.event_id if checkout is not None else event.id,
        checkout_id=checkout.id if checkout is not None else None,
        source=FROM_VISITOR,
        name=text.name,
        pitch=text.pitch,
        description=text.description,
        organisation=text.organisation,
        contact=text.contact,
    )
    db.session.add(proposal)
    db.session.flush()
    return proposal


_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def _shorten(text: str, limit: int, words: int | None = None) -> str:
    """`text` cut after a whole word to at most `limit` characters (and `words` words),
    ending in an ellipsis when something was cut; white space and line breaks stay."""
    kept: list[str] = []
    length = counted = 0
    for part in re.split(r"(\s+)", text):
        if not part:
            continue
        if not part.isspace():
            if (words is not None and counted >= words) or length + len(part) + 1 > limit:
                break
            counted += 1
        kept.append(part)
        length += len(part)
    else:
        return text
    shortened = "".join(kept).rstrip() or text[: limit - 1]
    return shortened + "…"


def propose_from_text(
    event: Event, text: str, organisation: str | None = None, *, checkout_id: int | None = None
) -> Proposal:
    """Turn a free answer (e.g. the evaluation's "Wat miste je in de winkel?") into a
    pending proposal of `event`, for the organiser to edit and decide on.

    Its name is the answer's first sentence, its pitch the start of the answer and its
    description the answer itself, each cut at a word boundary to the proposal's limits.
    `organisation` may be unknown (None); the organiser fills it in before approving.
    `checkout_id` is the visitor whose answer it is: their receipt then shows the proposal
    and its status, and one answer makes at most one proposal.
    Raises ValidationError (field `text`) for an empty answer or control characters, and
    ConflictError when this visitor's answer was already made into a proposal.
    """
    if checkout_id is not None and checkout_id in proposals_from_answers([checkout_id]):
        raise ConflictError(str(_l("Van dit antwoord is al een voorstel gemaakt.")))
    fields: dict[str, str] = {}
    answer = EVALUATION_TEXT.check(fields, "text", text)
    owner = OPTIONAL_ORGANISATION.check(fields, "organisation", organisation)
    if fields or answer is None:
        raise ValidationError(str(_l("Van dit antwoord kunnen we geen voorstel maken.")), fields)
    one_line = " ".join(answer.split())
    first_sentence = _SENTENCE_END.split(one_line, maxsplit=1)[0]
    proposal = Proposal(
        event_id=event.id,
        source=FROM_EVALUATION,
        name=_shorten(first_sentence, 80),
        pitch=_shorten(one_line, PITCH_LIMIT),
        description=_shorten(answer, DESCRIPTION_LIMIT, DESCRIPTION_WORDS),
        organisation=owner,
        checkout_id=checkout_id,
    )
    db.session.add(proposal)
    db.session.flush()
    return proposal


def proposals_from_answers(checkout_ids: Iterable[int]) -> dict[int, Proposal]:
    """The proposals made from these visitors' evaluation answers, by checkout id."""
    wanted = list(checkout_ids)
    if not wanted:
        return {}
    query = select(Proposal).where(
        Proposal.source == FROM_EVALUATION, Proposal.checkout_id.in_(wanted)
    )
    return {p.checkout_id: p for p in db.session.scalars(query) if p.checkout_id is not None}


def remember_proposal(session: MutableMapping[str, Any], proposal: Proposal) -> None:
    """Note on this device a proposal made before checking out, to link it at checkout."""
    kept = [i for i in session.get(SESSION_KEY, []) if isinstance(i, int)]
    session[SESSION_KEY] = [*kept, proposal.id][-SESSION_LIMIT:]


def claim_proposals(session: MutableMapping[str, Any], checkout: Checkout) -> int:
    """Link the proposals this device made before checking out (at the same event) to the
    new checkout, so its receipt shows them; returns how many. Forgets them on the device."""
    ids = [i for i in session.pop(SESSION_KEY, []) or [] if isinstance(i, int)]
    if not ids:
        return 0
    found = db.session.execute(
        select(Proposal).where(
            Proposal.id.in_(ids[-SESSION_LIMIT:]),
            Proposal.checkout_id.is_(None),
            Proposal.event_id == checkout.event_id,
            Proposal.source == FROM_VISITOR,
        )
    ).scalars()
    claimed = 0
    for proposal in found:
        proposal.checkout_id = checkout.id
        claimed += 1
    db.session.flush()
    return claimed


# --- reading --------------------------------------------------------------------------------


def _shown() -> Any:
    """Proposals not made through a checkout a facilitator hid."""
    hidden = select(Checkout.id).where(Checkout.hidden_at.is_not(None))
    return or_(Proposal.checkout_id.is_(None), Proposal.checkout_id.not_in(hidden))


def get_proposal(proposal_id: int) -> Proposal:
    found = db.session.get(Proposal, proposal_id)
    if found is None:
        raise NotFoundError(str(_l("Dit voorstel bestaat niet (meer).")))
    return found


def proposals_of(checkout: Checkout) -> list[Proposal]:
    """The proposals a visitor made, oldest first (for their own receipt)."""
    query = (
        select(Proposal)
        .where(Proposal.checkout_id == checkout.id)
        .order_by(Proposal.created_at, Proposal.id)
    )
    return list(db.session.execute(query).scalars())


@dataclass(frozen=True, slots=True)
class ProposalQueue:
    pending: list[Proposal]  # oldest first: first come, first reviewed
    decided: list[Proposal]  # newest decision first


def proposal_queue(decided_limit: int = 50) -> ProposalQueue:
    """What the organiser reviews: every pending proposal, and the latest decisions."""
    pending = select(Proposal).where(Proposal.status == PENDING, _shown())
    decided = (
        select(Proposal)
        .where(Proposal.status != PENDING, _shown())
        .order_by(Proposal.decided_at.desc(), Proposal.id.desc())
        .limit(decided_limit)
    )
    return ProposalQueue(
        pending=list(
            db.session.execute(pending.order_by(Proposal.created_at, Proposal.id)).scalars()
        ),
        decided=list(db.session.execute(decided).scalars()),
    )


def pending_count() -> int:
    query = select(func.count(Proposal.id)).where(Proposal.status == PENDING, _shown())
    return int(db.session.execute(query).scalar_one())


@dataclass(frozen=True, slots=True)
class Credit:
    """Who brought a product into the store, and at which event."""

    organisation: str
    event: str


def product_credit(product: Product) -> Credit | None:
    """The credit of a product that came from an approved proposal, else None."""
    row = db.session.execute(
        select(Proposal.organisation, Event.name)
        .join(Event, Event.id == Proposal.event_id)
        .where(Proposal.product_id == product.id, Proposal.status == APPROVED)
        .order_by(Proposal.decided_at, Proposal.id)
        .limit(1)
    ).first()
    if row is None or not row[0]:
        return None
    return Credit(organisation=row[0], event=row[1])


@dataclass(frozen=True, slots=True)
class ProposalTally:
    """Proposals made at one event, and what became of them."""

    event: Event
    proposals: int
    approved: int
    merged: int
    declined: int

    @property
    def pending(self) -> int:
        return self.proposals - self.approved - self.merged - self.declined


def proposal_tallies(events: Iterable[Event]) -> list[ProposalTally]:
    """Per event (by date), the proposals made there and their outcome, in one query."""
    events = sorted(events, key=lambda e: (e.date, e.name))
    ids = [event.id for event in events]
    counts: dict[tuple[int, str], int] = {}
    if ids:
        rows = db.session.execute(
            select(Proposal.event_id, Proposal.status, func.count(Proposal.id))
            .where(Proposal.event_id.in_(ids), _shown())
            .group_by(Proposal.event_id, Proposal.status)
        )
        counts = {(event_id, status): int(n) for event_id, status, n in rows}
    tallies = []
    for event in events:
        by_status = {
            status: counts.get((event.id, status), 0)
            for status in (PENDING, APPROVED, MERGED, DECLINED)
        }
        tallies.append(
            ProposalTally(
                event=event,
                proposals=sum(by_status.values()),
                approved=by_status[APPROVED],
                merged=by_status[MERGED],
                declined=by_status[DECLINED],
            )
        )
    return tallies


# --- the organiser's decisions ------------------------------------------------------------------


def _still_pending(proposal: Proposal) -> None:
    if proposal.status != PENDING:
        raise ConflictError(str(_l("Over dit voorstel is al besloten.")))


def _decided(proposal: Proposal, status: str, by: str) -> None:
    proposal.status = status
    proposal.decided_by = by
    proposal.decided_at = utcnow()


def edit_proposal(proposal: Proposal, raw: Mapping[str, Any]) -> Proposal:
    """Change a pending proposal's texts (by the same rules; the organisation may stay
    open until approval). Raises ValidationError or ConflictError when already decided."""
    _still_pending(proposal)
    text = check_proposal(raw, organisation_required=False)
    proposal.name = text.name
    proposal.pitch = text.pitch
    proposal.description = text.description
    proposal.organisation = text.organisation
    proposal.contact = text.contact
    db.session.flush()
    return proposal


def _organisation_known(proposal: Proposal) -> str:
    if not proposal.organisation:
        raise ValidationError(
            str(_l("Vul eerst de organisatie in die het product uitvoert.")),
            {"organisation": str(_l("Vul dit in."))},
        )
    return proposal.organisation


def suggested_slug(proposal: Proposal) -> str:
    """A slug made of the proposal's name, for the approval form."""
    return theme_slug(proposal.name)[:64].strip("-")


def approve_proposal(proposal: Proposal, *, slug: str, theme: str, by: str) -> Product:
    """Take a pending proposal into the catalog as a new product on the shelf `theme`.

    Its name, pitch (summary) and description become the product's; its organisation the
    owner. The proposer's contact is not copied: it was given to the organiser only.
    Raises ValidationError (the product's rules: `slug`, `theme`, ...), ConflictError for a
    slug in use or a decided proposal.
    """
    _still_pending(proposal)
    owner = _organisation_known(proposal)
    product = add_product(
        {
            "slug": slug or "",
            "name": proposal.name,
            "theme": theme or "",
            "summary": proposal.pitch,
            "description": proposal.description,
            "owner": owner,
            "active": True,
        }
    )
    proposal.product_id = product.id
    _decided(proposal, APPROVED, by)
    db.session.flush()
    return product


def merge_proposal(proposal: Proposal, product: Product, *, by: str) -> Product:
    """Merge a pending proposal into an existing product: the proposer's organisation is
    added to the product's owners ("<owner>; <organisation>") unless it is named already.

    Raises ValidationError for a retired product or an owner line that would grow over
    160 characters, ConflictError for a decided proposal.
    """
    _still_pending(proposal)
    organisation = _organisation_known(proposal)
    if not product.active:
        raise ValidationError(
            str(
                _l(
                    "'%(name)s' ligt niet meer in de winkel. Kies een ander product of haal "
                    "het eerst terug in de winkel.",
                    name=product.name,
                )
            ),
            {"product": str(_l("Kies een product dat in de winkel ligt."))},
        )
    if fold(organisation) not in fold(product.owner):
        owner = f"{product.owner}; {organisation}"
        if len(owner) > OWNER_LIMIT:
            raise ValidationError(
                str(
                    _l(
                        "De eigenaar van '%(name)s' wordt dan langer dan %(limit)d tekens. "
                        "Kort die eerst in.",
                        name=product.name,
                        limit=OWNER_LIMIT,
                    )
                ),
                {"product": str(_l("De eigenaar wordt te lang."))},
            )
        product.owner = owner
    proposal.product_id = product.id
    _decided(proposal, MERGED, by)
    db.session.flush()
    return product


def decline_proposal(proposal: Proposal, reason: str | None, *, by: str) -> Proposal:
    """Decline a pending proposal with a reason the proposer sees on their receipt.

    Raises ValidationError (field `reason`) or ConflictError for a decided proposal.
    """
    _still_pending(proposal)
    fields: dict[str, str] = {}
    cleaned = REASON.check(fields, "reason", reason)
    if fields:
        raise ValidationError(str(_l("Geef een reden die de indiener te zien krijgt.")), fields)
    proposal.decline_reason = cleaned
    _decided(proposal, DECLINED, by)
    db.session.flush()
    return proposal


def merge_targets() -> Sequence[Product]:
    """The products a proposal may be merged into: those in the store, by name."""
    query = select(Product).where(Product.active.is_(True)).order_by(Product.name, Product.slug)
    return list(db.session.execute(query).scalars())
