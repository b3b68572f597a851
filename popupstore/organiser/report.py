"""The organiser's report: statistics turned into charts with Dutch titles and labels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from ..basket.forms import TYPE_LABELS
from ..charts import Chart, Row, bar_chart, column_chart
from .stats import EventSummary, ReportFigures, Statistics

TOP_PRODUCTS = 15
TOP_PAIRS = 10
# Pairs name two products: give their labels more room than the bars need.
PAIR_LABEL_WIDTH = 380


@dataclass(frozen=True, slots=True)
class ReportCharts:
    products: Chart
    provinces: Chart
    pairs: Chart
    basket_sizes: Chart
    organisation_types: Chart
    roles: Chart
    reach: Chart


def _name(names: Mapping[str, str], slug: str) -> str:
    return names.get(slug, slug)


def report_charts(
    stats: Statistics, figures: ReportFigures, product_names: Mapping[str, str]
) -> ReportCharts:
    """The report's charts; roles are shown by kind (`stats.ROLE_KINDS`), never as typed."""
    want, have = _("Wil ik"), _("Doen we al")
    products = [
        Row(p.name, (p.want, p.have)) for p in stats.top_products(product_names, TOP_PRODUCTS)
    ]
    pairs = [
        Row(f"{_name(product_names, p.a)} + {_name(product_names, p.b)}", (p.count,))
        for p in stats.pairs[:TOP_PAIRS]
    ]
    types = [
        Row(str(TYPE_LABELS.get(c.label, c.label)), (c.count,)) for c in stats.organisation_types
    ]
    reach = [
        Row(
            _(
                "%(province)s (%(reached)d van %(total)d)",
                province=r.province,
                reached=r.reached,
                total=r.total,
            ),
            (r.reached, r.total - r.reached),
        )
        for r in figures.reach
    ]
    return ReportCharts(
        products=bar_chart(
            _("Meest gekozen producten (top %(n)d)", n=TOP_PRODUCTS), products, (want, have)
        ),
        provinces=bar_chart(
            _("Waar bezoekers vandaan kwamen (per provincie)"),
            [Row(c.label, (c.count,)) for c in stats.every_province()],
            (_("Bezoekers"),),
        ),
        pairs=bar_chart(
            _("Producten die samen in een mandje zaten (top %(n)d)", n=TOP_PAIRS),
            pairs,
            (_("Mandjes"),),
            label_width=PAIR_LABEL_WIDTH,
        ),
        basket_sizes=column_chart(
            _("Aantal producten per mandje"),
            [Row(c.label, (c.count,)) for c in stats.basket_sizes],
            _("Mandjes"),
        ),
        organisation_types=bar_chart(_("Soort organisatie"), types, (_("Bezoekers"),)),
        roles=bar_chart(
            _("Soort werk van de bezoekers"),
            [Row(c.label, (c.count,)) for c in figures.role_kinds],
            (_("Bezoekers"),),
        ),
        reach=bar_chart(
            _("Gemeenten bereikt per provincie"),
            reach,
            (_("Bereikt"), _("Nog niet bereikt")),
            label_width=PAIR_LABEL_WIDTH,
        ),
    )


def comparison_chart(summaries: Sequence[EventSummary]) -> Chart:
    """The events side by side: checkouts, organisations and visitors who can be found."""
    rows = [
        Row(
            s.event.name,
            (s.statistics.checkouts, s.statistics.organisations, s.statistics.visitors_sharing),
        )
        for s in summaries
    ]
    return bar_chart(
        _("Evenementen naast elkaar"),
        rows,
        (_("Bezoekers"), _("Organisaties"), _("Vindbaar (toestemming)")),
        grouped=True,
    )
