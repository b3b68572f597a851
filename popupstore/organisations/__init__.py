"""Organisation names: normalisation and the municipality register.

The rules are in docs/architecture.md, "Matching rules".

The register is CBS "Gebieden in Nederland 2025" (Bron: CBS, licence CC BY 4.0),
copied into this package together with a list of common alternative names.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..spelling import edit_distance
from ..text import collapse_white_space

UNKNOWN_PROVINCE = "onbekend"
MUNICIPALITY_TYPE = "gemeente"
DEFAULT_TYPE = "anders"

ORGANISATION_TYPES: tuple[str, ...] = (
    "gemeente",
    "kredietbank",
    "woningcorporatie",
    "energie-water",
    "zorgverzekeraar",
    "rijk",
    "hulporganisatie",
    "bewindvoerder",
    "werkgever",
    "kennisorganisatie",
    "anders",
)

CBS_CREDIT = "Bron: CBS"

# Visitors often type "Gemeente Breda"; the prefix names the kind, not the place.
_MUNICIPALITY_PREFIX = "gemeente "


# Municipalities whose own name differs from the register's (apart from a province suffix).
NAMES_IN_USE = {"'s-Gravenhage": "Den Haag"}
_PROVINCE_SUFFIX = re.compile(r"\s*\([^)]*\)$")


@dataclass(frozen=True, slots=True)
class Municipality:
    cbs_code: str
    name: str
    province: str

    @property
    def display_name(self) -> str:
        """The name the municipality uses itself: "Middelburg (Z.)" is "Middelburg",
        "'s-Gravenhage" is "Den Haag"."""
        return NAMES_IN_USE.get(self.name) or _PROVINCE_SUFFIX.sub("", self.name)


@dataclass(frozen=True, slots=True)
class Organisation:
    """An organisation as the matching rules see it.

    `key` is equal for two names exactly when they denote the same organisation;
    `name` is what people see (for a municipality the name it uses itself).
    """

    key: str
    name: str
    province: str
    organisation_type: str
    municipality: Municipality | None


def clean_text(value: str) -> str:
    """Trim and collapse inner white space, as names are compared (the input rule itself,
    which also refuses controls and invisible values, is `popupstore.validation.FreeText`)."""
    return collapse_white_space(value)


def fold(value: str) -> str:
    """Trimmed, white space collapsed, accents removed, case folded."""
    decomposed = unicodedata.normalize("NFKD", clean_text(value))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()


def _read_csv(filename: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@cache
def municipalities() -> tuple[Municipality, ...]:
    """All municipalities of the register, sorted by name."""
    rows = _read_csv("gemeenten-2025.csv")
    found = [Municipality(r["cbs_code"], r["naam"], r["provincie"]) for r in rows]
    return tuple(sorted(found, key=lambda m: fold(m.name)))


@cache
def _lookup() -> dict[str, Municipality]:
    by_code = {m.cbs_code: m for m in municipalities()}
    table = {fold(m.name): m for m in municipalities()}
    for row in _read_csv("gemeenten-aliassen.csv"):
        table.setdefault(fold(row["alias"]), by_code[row["cbs_code"]])
    return table


def find_municipality(name: str) -> Municipality | None:
    """The municipality a name or alias denotes, if any."""
    folded = fold(name)
    table = _lookup()
    found = table.get(folded)
    if found is None and folded.startswith(_MUNICIPALITY_PREFIX):
        found = table.get(folded[len(_MUNICIPALITY_PREFIX) :].strip())
    return found


def normalise_organisation(
    name: str, organisation_type: str | None = None, province: str | None = None
) -> Organisation:
    """The organisation a visitor typed, as matching compares it.

    A name or alias of a municipality becomes that municipality (its key is the folded CBS
    name, its type `gemeente`, its own province wins over `province`); any other
    organisation keeps the type it was given (`anders` when none) and the work area
    `province` it was given (`onbekend` when none).
    """
    municipality = find_municipality(name)
    if municipality is not None:
        return Organisation(
            key=fold(municipality.name),
            name=municipality.display_name,
            province=municipality.province,
            organisation_type=MUNICIPALITY_TYPE,
            municipality=municipality,
        )
    return Organisation(
        key=fold(name),
        name=clean_text(name),
        province=province or UNKNOWN_PROVINCE,
        organisation_type=organisation_type or DEFAULT_TYPE,
        municipality=None,
    )


@cache
def _municipality_by_key() -> dict[str, Municipality]:
    return {fold(m.name): m for m in municipalities()}


def display_name(key: str, stored_name: str) -> str:
    """How an organisation with this normalised key is shown: a municipality by the name it
    uses itself (also for checkouts stored before that rule), anything else as stored."""
    municipality = _municipality_by_key().get(key)
    return municipality.display_name if municipality is not None else stored_name


@cache
def provinces() -> tuple[str, ...]:
    """The twelve provinces as the register writes them, sorted."""
    return tuple(sorted({m.province for m in municipalities()}))


@cache
def municipality_choices() -> tuple[str, ...]:
    """The names a visitor can pick for a municipality: the name it uses itself, or the
    register's name where two share one ("Bergen (L.)", "Bergen (NH.)"), sorted."""
    shown = [m.display_name for m in municipalities()]
    names = [
        shown_name if shown.count(shown_name) == 1 else m.name
        for m, shown_name in zip(municipalities(), shown, strict=True)
    ]
    return tuple(sorted(names, key=fold))


@cache
def known_partners() -> tuple[str, ...]:
    """Common chain partners (national bodies, knowledge bodies, help organisations,
    insurers, utilities, banks) as they write their names, from `ketenpartners.txt`."""
    text = resources.files(__package__).joinpath("ketenpartners.txt").read_text(encoding="utf-8")
    lines = (clean_text(line) for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def _near_limit(folded: str) -> int:
    """How many typing mistakes still count as "meant this": none for very short names
    (UWV is not Urk), one for short ones, two for long ones."""
    if len(folded) < 4:
        return 0
    return 1 if len(folded) <= 7 else 2


def suggest_municipality(name: str, also_known: tuple[str, ...] = ()) -> Municipality | None:
    """The municipality a visitor probably meant when `name` is a few typing mistakes away
    from its name or an alias (optimal string alignment on the folded names: "Bredaa" is
    Breda), else None: also for a name that already denotes a municipality, and for a known
    partner's name (`known_partners` and `also_known`)."""
    if find_municipality(name) is not None:
        return None
    folded = fold(name)
    if folded.startswith(_MUNICIPALITY_PREFIX):
        folded = folded[len(_MUNICIPALITY_PREFIX) :].strip()
    known = {fold(partner) for partner in (*known_partners(), *also_known)}
    limit = _near_limit(folded)
    if limit == 0 or fold(name) in known or folded in known:
        return None
    best: tuple[int, str] | None = None
    found: Municipality | None = None
    for key, municipality in _lookup().items():
        distance = edit_distance(folded, key, limit)
        if distance <= limit and (best is None or (distance, key) < best):
            best, found = (distance, key), municipality
    return found
