"""JSON shapes of the API (described by the OpenAPI document, api/openapi.py)."""

from __future__ import annotations

from typing import Any

from ..catalog.models import Product
from ..events.models import Event
from ..matching import Collaboration, Match, Overlap, SeriesMatch, TablePlan
from ..organiser.stats import Statistics
from ..receipts.services import CheckoutView
from ..series.services import SeriesStatistics


def product_json(product: Product) -> dict[str, Any]:
    return {
        "slug": product.slug,
        "name": product.name,
        "theme": product.theme,
        "summary": product.summary,
        "owner": product.owner,
        "tags": list(product.tags or []),
    }


def event_json(event: Event) -> dict[str, Any]:
    return {
        "slug": event.slug,
        "name": event.name,
        "city": event.city,
        "date": event.date.isoformat(),
    }


def match_json(match: Match) -> dict[str, Any]:
    return {
        "number": match.number,
        "name": match.name,
        "organisation": match.organisation,
        "score": match.score,
        "shared": [
            {"product": s.product, "mine": s.mine, "theirs": s.theirs} for s in match.shared
        ],
    }


def series_match_json(found: SeriesMatch) -> dict[str, Any]:
    return {**match_json(found.match), "event": found.event}


def collaboration_json(collaboration: Collaboration) -> dict[str, Any]:
    return {
        "product": collaboration.product,
        "province": collaboration.province,
        "organisations": list(collaboration.organisations),
        "unnamed": collaboration.unnamed,
        "owner": collaboration.owner,
    }


def receipt_urls(base_url: str, token: str) -> dict[str, str]:
    return {
        "receipt_url": f"{base_url}/r/{token}",
        "qr_url": f"{base_url}/r/{token}/qr.png",
    }


def checkout_created_json(view: CheckoutView, token: str, base_url: str) -> dict[str, Any]:
    return {
        "number": view.checkout.number,
        "token": token,
        **receipt_urls(base_url, token),
        "matches": [match_json(m) for m in view.matches],
        "colleagues": [match_json(m) for m in view.colleagues],
    }


def receipt_json(view: CheckoutView) -> dict[str, Any]:
    checkout = view.checkout
    return {
        "number": checkout.number,
        "event": {"slug": checkout.event.slug, "name": checkout.event.name},
        "items": [{"product": line.product.slug, "intent": line.intent} for line in checkout.lines],
        "visitor": {"name": checkout.visitor_name, "organisation": view.basket.organisation_name},
        "matches": [match_json(m) for m in view.matches],
        "colleagues": [match_json(m) for m in view.colleagues],
        "collaborations": [collaboration_json(c) for c in view.collaborations],
        "series_matches": [series_match_json(m) for m in view.series_matches],
    }


def overlap_json(overlap: Overlap) -> dict[str, Any]:
    return {
        "checkouts": overlap.checkouts,
        "products": [
            {"product": p.product, "want": p.want, "have": p.have} for p in overlap.products
        ],
        "pairs": [{"a": p.a, "b": p.b, "count": p.count} for p in overlap.pairs],
    }


def tables_json(plan: TablePlan) -> dict[str, Any]:
    return {
        "tables": [
            {"topic": t.topic, "members": list(t.members), "score": t.score} for t in plan.tables
        ],
        "total_score": plan.total_score,
    }


def stats_json(stats: Statistics) -> dict[str, Any]:
    return {
        "checkouts": stats.checkouts,
        "visitors_sharing": stats.visitors_sharing,
        "products": [
            {"product": p.product, "want": p.want, "have": p.have} for p in stats.products
        ],
        "organisations": stats.organisations,
        "by_province": [{"province": c.label, "checkouts": c.count} for c in stats.by_province],
    }


def series_stats_json(stats: SeriesStatistics) -> dict[str, Any]:
    return {
        "events": [day.slug for day in stats.series.days],
        "checkouts": stats.checkouts,
        "organisations": stats.organisations,
        "returning_organisations": stats.returning_organisations,
        "products": [
            {"product": p.product, "want": p.want, "have": p.have} for p in stats.products
        ],
    }
