"""Exports of the checkouts as CSV, XLSX and JSON (columns in the OpenAPI document and README).

Exporters are small classes (as in pretix): a subclass names its columns and yields
rows; the base class writes them as CSV, JSON or an XLSX sheet, once for all. The basket
lines are read from the database in batches (`yield_per`, a server-side cursor on
PostgreSQL) and written out as they come, so an export of 100,000 lines never holds them
all in memory.

Exports are anonymous: no visitor names and no e-mail addresses, except in the contact
list, which holds only visitors who agreed to be found and says so in its first row.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from flask import Response, current_app, stream_with_context
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import select

from ..basket.models import BasketLine, Checkout
from ..catalog.models import Product
from ..catalog.services import product_name_map
from ..errors import ValidationError
from ..events.models import Event
from ..extensions import db
from ..matching import Basket
from ..organisations import CBS_CREDIT, display_name
from ..validation import safe_text
from .stats import (
    ReportFigures,
    RouteSide,
    Statistics,
    compare_events,
    event_baskets,
    report_figures,
    statistics,
)

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BATCH_ROWS = 1000
FILE_CHUNK = 64 * 1024
BOM = "\ufeff"


def defuse(value: Any) -> Any:
    """A text value a spreadsheet would run gets a leading apostrophe; others stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def sheet_cell(value: Any) -> Any:
    """A value as a CSV or XLSX cell: text made writable first (rows stored before the
    input rule may hold controls or bidirectional controls, which XLSX refuses and which
    would reorder what the reader sees), then defused."""
    if isinstance(value, str):
        return defuse(safe_text(value))
    return value


def local_timestamp(moment: datetime, zone: ZoneInfo) -> str:
    """ISO 8601 in the store's time zone with its offset, e.g. 2026-11-12T14:03:00+01:00."""
    return moment.astimezone(zone).isoformat(timespec="seconds")


QUARTER_HOUR_MINUTES = 15


def quarter_hour(moment: datetime, zone: ZoneInfo) -> str:
    """`local_timestamp` rounded down to the quarter hour: exact times would tell who is
    who in an anonymous export to anyone who saw the booth."""
    local = moment.astimezone(zone)
    local = local.replace(
        minute=local.minute - local.minute % QUARTER_HOUR_MINUTES, second=0, microsecond=0
    )
    return local.isoformat(timespec="seconds")


def store_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


# --- formats ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportFormat:
    name: str
    extension: str
    mimetype: str
    label: str


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("csv", "csv", "text/csv", "CSV"),
        ExportFormat("csv-semicolon", "csv", "text/csv", "CSV (puntkomma, Excel NL)"),
        ExportFormat(
            "xlsx",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel (XLSX)",
        ),
        ExportFormat("json", "json", "application/json", "JSON"),
    )
}
DEFAULT_FORMAT = "csv"


def parse_format(value: str | None) -> ExportFormat:
    """The format asked for (default csv); any other value is a validation error (422)."""
    name = DEFAULT_FORMAT if value is None else value
    found = FORMATS.get(name)
    if found is None:
        raise ValidationError(
            str(_l("Onbekend exportformaat.")),
            {"format": str(_l("Kies een van: %(names)s.", names=", ".join(FORMATS)))},
        )
    return found


# --- exporters -------------------------------------------------------------------------------


class _LineBuffer:
    """A file-like target for csv.writer that hands back what was written since last time."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, text: str) -> int:
        self._parts.append(text)
        return len(text)

    def take(self) -> str:
        text = "".join(self._parts)
        self._parts.clear()
        return text


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return sheet_cell(value)


class ReportData:
    """The statistics and report figures of a set of events, computed when first asked and
    then shared by every sheet of one workbook (so each is counted once per export)."""

    def __init__(self, events: Sequence[Event]) -> None:
        self.events = list(events)

    @cached_property
    def baskets(self) -> list[Basket]:
        return event_baskets(self.events)

    @cached_property
    def statistics(self) -> Statistics:
        return statistics(self.events, self.baskets)

    @cached_property
    def product_names(self) -> dict[str, str]:
        return product_name_map()

    @cached_property
    def figures(self) -> ReportFigures:
        return report_figures(self.events, self.statistics, self.product_names, self.baskets)


class Exporter:
    """Rows of one table over a set of events, written as CSV, JSON or an XLSX sheet.

    Subclasses only name their columns and yield rows; the writing happens here, once.
    Sheets of one workbook share `report` (the events' statistics and figures).
    """

    identifier: ClassVar[str]
    sheet_title: ClassVar[str]
    columns: ClassVar[tuple[str, ...]]
    # A first line above the header, for exports that must say what they hold (translated
    # when the file is written).
    notice: ClassVar[str | LazyString | None] = None

    def __init__(self, events: Sequence[Event], report: ReportData | None = None) -> None:
        self.events = list(events)
        self.event_ids = [event.id for event in self.events]
        self.report = report if report is not None else ReportData(self.events)

    def rows(self) -> Iterator[tuple[Any, ...]]:
        raise NotImplementedError

    def records(self) -> Iterator[dict[str, Any]]:
        for row in self.rows():
            yield dict(zip(self.columns, row, strict=True))

    def csv_chunks(self, delimiter: str = ",") -> Iterator[bytes]:
        """UTF-8 with a byte-order mark (Excel then reads the accents right), in batches."""
        buffer = _LineBuffer()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
        if self.notice:
            writer.writerow([str(self.notice)])
        writer.writerow(self.columns)
        yield (BOM + buffer.take()).encode("utf-8")
        pending = 0
        for row in self.rows():
            writer.writerow([_csv_cell(value) for value in row])
            pending += 1
            if pending == BATCH_ROWS:
                yield buffer.take().encode("utf-8")
                pending = 0
        rest = buffer.take()
        if rest:
            yield rest.encode("utf-8")

    def json_chunks(self) -> Iterator[bytes]:
        """An array of objects keyed by the columns (values unchanged), or with a notice
        an object {"notice", "rows"}."""
        opening, closing = "[", "]"
        if self.notice:
            notice = json.dumps(str(self.notice), ensure_ascii=False)
            opening, closing = '{"notice": ' + notice + ', "rows": [', "]}"
        yield opening.encode("utf-8")
        separator = "\n"
        parts: list[str] = []
        for record in self.records():
            parts.append(separator + json.dumps(record, ensure_ascii=False))
            separator = ",\n"
            if len(parts) == BATCH_ROWS:
                yield "".join(parts).encode("utf-8")
                parts.clear()
        yield ("".join(parts) + "\n" + closing).encode("utf-8")

    def write_sheet(self, workbook: Workbook) -> None:
        """A sheet of the rows under a header row (and the notice above it, if any)."""
        sheet = workbook.create_sheet(self.sheet_title)
        sheet.freeze_panes = "A3" if self.notice else "A2"
        if self.notice:
            sheet.append([str(self.notice)])
        sheet.append(list(self.columns))
        for row in self.rows():
            sheet.append([sheet_cell(value) for value in row])


BASKET_LINE_COLUMNS = (
    "event",
    "number",
    "organisation",
    "organisation_type",
    "province",
    "product",
    "intent",
    "checked_out_at",
)


class BasketLineExporter(Exporter):
    """One row per basket line: the anonymous export (README, "Exports")."""

    identifier = "mandregels"
    sheet_title = "mandregels"
    columns = BASKET_LINE_COLUMNS

    def rows(self) -> Iterator[tuple[Any, ...]]:
        zone = store_zone()
        query = (
            select(
                Event.slug,
                Checkout.number,
                Checkout.organisation_name,
                Checkout.organisation_type,
                Checkout.province,
                Product.slug,
                BasketLine.intent,
                Checkout.checked_out_at,
                Checkout.organisation_key,
            )
            .select_from(BasketLine)
            .join(Checkout, Checkout.id == BasketLine.checkout_id)
            .join(Event, Event.id == Checkout.event_id)
            .join(Product, Product.id == BasketLine.product_id)
            .where(Checkout.event_id.in_(self.event_ids), Checkout.hidden_at.is_(None))
            .order_by(Event.date, Event.slug, Checkout.number, BasketLine.id)
        )
        result = db.session.execute(query, execution_options={"yield_per": BATCH_ROWS})
        for slug, number, organisation, kind, province, product, intent, moment, key in result:
            yield (
                slug,
                number,
                display_name(key, organisation),
                kind,
                province,
                product,
                intent,
                quarter_hour(moment, zone),
            )


def yes_no(value: bool) -> str:
    """A yes-or-no cell in Dutch: spreadsheets would show a boolean in their own language."""
    return _("ja") if value else _("nee")


class ProductExporter(Exporter):
    """Per product: how often it was wanted and had; products nobody chose only when active."""

    identifier = "producten"
    sheet_title = "producten"
    columns = ("product", "naam", "schap", "eigenaar", "in de winkel", "wil ik", "doen we al")

    def rows(self) -> Iterator[tuple[Any, ...]]:
        counts = {p.product: p for p in self.report.statistics.products}
        products = db.session.execute(select(Product).order_by(Product.slug)).scalars()
        for product in products:
            count = counts.get(product.slug)
            if count is None and not product.active:
                continue
            want, have = (count.want, count.have) if count else (0, 0)
            yield (
                product.slug,
                product.name,
                product.theme,
                product.owner,
                yes_no(product.active),
                want,
                have,
            )


class PairExporter(Exporter):
    """Pairs of products held by the same checkout, most frequent first."""

    identifier = "combinaties"
    sheet_title = "combinaties"
    columns = ("product a", "product b", "mandjes")

    def rows(self) -> Iterator[tuple[Any, ...]]:
        for pair in self.report.statistics.pairs:
            yield (pair.a, pair.b, pair.count)


class EventExporter(Exporter):
    """One row per event with its totals, oldest first."""

    identifier = "evenementen"
    sheet_title = "evenementen"
    columns = (
        "evenement",
        "naam",
        "plaats",
        "datum",
        "locatie",
        "bezoekers die afrekenden",
        "organisaties",
        "vindbaar (toestemming)",
        "gesprekspartners getoond",
        "samenwerkingsafspraken",
    )

    def rows(self) -> Iterator[tuple[Any, ...]]:
        for summary in compare_events(self.events):
            event, stats = summary.event, summary.statistics
            yield (
                event.slug,
                event.name,
                event.city,
                event.date.isoformat(),
                event.venue,
                stats.checkouts,
                stats.organisations,
                stats.visitors_sharing,
                stats.matches_shown,
                stats.agreements,
            )


class ReachExporter(Exporter):
    """Per province: municipalities with at least one visitor, out of all its municipalities."""

    identifier = "gemeenten-bereikt"
    sheet_title = "gemeenten bereikt"
    columns = ("provincie", "gemeenten bereikt", "gemeenten totaal", "aandeel (%)")
    notice = CBS_CREDIT

    def rows(self) -> Iterator[tuple[Any, ...]]:
        for reach in self.report.figures.reach:
            yield (reach.province, reach.reached, reach.total, reach.percentage)


class ProductGapExporter(Exporter):
    """Per chosen product: wanted, already done and the difference, largest difference first."""

    identifier = "vraag-en-ervaring"
    sheet_title = "vraag en ervaring"
    columns = ("product", "naam", "wil ik", "doen we al", "verschil")

    def rows(self) -> Iterator[tuple[Any, ...]]:
        for gap in self.report.figures.gaps:
            yield (gap.product, gap.name, gap.want, gap.have, gap.gap)


def _named(side: RouteSide) -> str:
    return ", ".join(side.named)


class KnowledgeRouteExporter(Exporter):
    """Per product: organisations that already do it and organisations that want it, named
    only where a consenting visitor chose it for them, the others counted."""

    identifier = "kennisroutes"
    sheet_title = "kennisroutes"
    columns = (
        "product",
        "naam",
        "doet het al: organisaties",
        "doet het al: zonder naam",
        "wil het: organisaties",
        "wil het: zonder naam",
    )

    def rows(self) -> Iterator[tuple[Any, ...]]:
        for route in self.report.figures.routes:
            yield (
                route.product,
                route.name,
                _named(route.have),
                route.have.unnamed,
                _named(route.want),
                route.want.unnamed,
            )


class AgreementCountExporter(Exporter):
    """Per product: how many agreements visitors recorded (counts only, never their text)."""

    identifier = "afspraken"
    sheet_title = "afspraken"
    columns = ("product", "naam", "samenwerkingsafspraken")

    def rows(self) -> Iterator[tuple[Any, ...]]:
        names = self.report.product_names
        for count in self.report.figures.agreements:
            yield (count.label, names.get(count.label, count.label), count.count)


class RoleKindExporter(Exporter):
    """Visitors per kind of work; the roles as typed never leave the store."""

    identifier = "soort-werk"
    sheet_title = "soort werk"
    columns = ("soort werk", "bezoekers")

    def rows(self) -> Iterator[tuple[Any, ...]]:
        for kind in self.report.figures.role_kinds:
            yield (kind.label, kind.count)


class ContactListExporter(Exporter):
    """Visitors who agreed to be found (share_contact), with name and e-mail address.

    For the organiser's follow-up only; never part of the anonymous exports or the API.
    """

    identifier = "contactlijst"
    sheet_title = "contactlijst"
    columns = ("evenement", "bonnummer", "naam", "organisatie", "rol", "e-mailadres")

    notice = _l(
        "Contactlijst: alleen bezoekers die bij het afrekenen 'Anderen mogen mij als "
        "gesprekspartner zien' aanvinkten. Vertrouwelijk; niet verder delen."
    )

    def rows(self) -> Iterator[tuple[Any, ...]]:
        query = (
            select(
                Event.slug,
                Checkout.number,
                Checkout.visitor_name,
                Checkout.organisation_name,
                Checkout.role,
                Checkout.email,
                Checkout.organisation_key,
            )
            .join(Event, Event.id == Checkout.event_id)
            .where(
                Checkout.event_id.in_(self.event_ids),
                Checkout.share_contact.is_(True),
                Checkout.visitor_name.is_not(None),
                Checkout.hidden_at.is_(None),
            )
            .order_by(Event.date, Event.slug, Checkout.number)
        )
        for slug, number, name, organisation, role, email, key in db.session.execute(query):
            yield (slug, number, name, display_name(key, organisation), role, email)


REPORT_EXPORTERS: tuple[type[Exporter], ...] = (
    BasketLineExporter,
    ProductExporter,
    PairExporter,
    EventExporter,
    ReachExporter,
    ProductGapExporter,
    KnowledgeRouteExporter,
    AgreementCountExporter,
    RoleKindExporter,
)


# --- files ----------------------------------------------------------------------------------


def write_xlsx(exporters: Sequence[Exporter], path: str) -> None:
    """One sheet per exporter, the first one first.

    openpyxl's write-only mode streams each sheet to a temporary file as rows come.
    """
    workbook = Workbook(write_only=True)
    try:
        for exporter in exporters:
            exporter.write_sheet(workbook)
    except BaseException:
        # End the sheets' open streams now; left to the garbage collector, they would
        # write to files already closed, and the error would come out of nowhere.
        for sheet in workbook.worksheets:
            with suppress(Exception):
                sheet.close()
        raise
    workbook.save(path)


def _file_chunks(path: str) -> Iterator[bytes]:
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(FILE_CHUNK):
                yield chunk
    finally:
        _remove(path)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def xlsx_file(exporters: Sequence[Exporter]) -> str:
    """Write the workbook to a temporary file and return its path (the caller removes it)."""
    handle, path = tempfile.mkstemp(prefix="popupstore-export-", suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(exporters, path)
    except BaseException:
        _remove(path)
        raise
    return path


def export_chunks(
    fmt: ExportFormat, exporters: Sequence[Exporter]
) -> tuple[Iterator[bytes], Callable[[], None]]:
    """The file's bytes as they are made, and what to call when the response is closed.

    CSV and JSON hold the first exporter only; XLSX holds all of them as sheets.
    """
    if fmt.name == "xlsx":
        path = xlsx_file(exporters)
        return _file_chunks(path), lambda: _remove(path)
    first = exporters[0]
    if fmt.name == "json":
        return first.json_chunks(), lambda: None
    delimiter = ";" if fmt.name == "csv-semicolon" else ","
    return first.csv_chunks(delimiter), lambda: None


def export_filename(scope: str, identifier: str, fmt: ExportFormat) -> str:
    suffix = "-puntkomma" if fmt.name == "csv-semicolon" else ""
    return f"popupstore-{scope}-{identifier}{suffix}.{fmt.extension}"


def export_response(fmt: ExportFormat, exporters: Sequence[Exporter], scope: str) -> Response:
    """A download that streams while it is written; the request context stays for it."""
    chunks, cleanup = export_chunks(fmt, exporters)
    response = Response(stream_with_context(chunks), mimetype=fmt.mimetype)
    response.call_on_close(cleanup)
    filename = export_filename(scope, exporters[0].identifier, fmt)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# Sheets other packages add to the anonymous workbook after these (the outcome of the
# day, `followup.exports`), registered when the app is built: they build on this module's
# Exporter, so this module cannot name them itself.
ADDED_REPORT_EXPORTERS: list[type[Exporter]] = []


def add_report_exporters(*exporters: type[Exporter]) -> None:
    """Append sheets to the anonymous export (each once, in the order given)."""
    for exporter in exporters:
        if exporter not in ADDED_REPORT_EXPORTERS:
            ADDED_REPORT_EXPORTERS.append(exporter)


def report_exporters(events: Iterable[Event]) -> list[Exporter]:
    """The anonymous export: basket lines first, then products, pairs and events, the
    report's figures (municipalities reached, demand against experience, knowledge routes,
    agreements, kinds of work), then the sheets other packages added
    (`add_report_exporters`). The sheets share one `ReportData`."""
    chosen = list(events)
    report = ReportData(chosen)
    return [exporter(chosen, report) for exporter in (*REPORT_EXPORTERS, *ADDED_REPORT_EXPORTERS)]
