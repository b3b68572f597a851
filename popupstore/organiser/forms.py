"""The organiser's forms. The rules live in the services; these only carry the fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from ..catalog.models import Product
from ..catalog.services import MAX_TAGS, PRODUCT_TAG, PRODUCT_TEXT
from ..events.models import Event
from ..events.services import EVENT_CITY, EVENT_NAME, EVENT_VENUE
from ..validation import CleanText, FreeText

# The tags as typed: MAX_TAGS tags and a comma and space between each two.
TAG_LINE = FreeText(MAX_TAGS * (PRODUCT_TAG.limit + 2), required=False)

SLUG_HINT = _l(
    "Kleine letters, cijfers en koppeltekens, bijvoorbeeld breda-2026. Later niet te wijzigen."
)


def _text(rule: FreeText) -> list[CleanText]:
    return [CleanText(rule)]


class EventForm(FlaskForm):
    # A slug is not free text: the service holds it to its own pattern.
    slug = StringField(_l("Korte naam (slug)"), description=SLUG_HINT)
    name = StringField(_l("Naam"), validators=_text(EVENT_NAME))
    city = StringField(_l("Plaats"), validators=_text(EVENT_CITY))
    date = DateField(
        _l("Datum"), validators=[InputRequired(message=_l("Vul dit in als JJJJ-MM-DD."))]
    )
    venue = StringField(
        _l("Locatie"),
        description=_l("Bijvoorbeeld de zaal of het gebouw."),
        validators=_text(EVENT_VENUE),
    )
    activate = BooleanField(
        _l("Meteen actief maken"),
        description=_l("De kiosk verkoopt dan voor dit evenement; het vorige stopt."),
    )

    @classmethod
    def for_event(cls, event: Event) -> EventForm:
        form = cls(obj=event)
        del form.slug
        del form.activate
        return form

    def details(self) -> dict[str, Any]:
        return {
            "name": self.name.data or "",
            "city": self.city.data or "",
            "date": self.date.data,
            "venue": self.venue.data or None,
        }


class TagsField(StringField):
    """Tags as one line of text, separated by commas; a product's list shows the same way."""

    def process_data(self, value: Any) -> None:
        if isinstance(value, list | tuple):
            value = ", ".join(str(tag) for tag in value)
        super().process_data(value)

    def tags(self) -> list[str]:
        text = self.data if isinstance(self.data, str) else ""
        return [tag.strip() for tag in text.split(",") if tag.strip()]


# The choice in the shelf list that asks for a new shelf (no theme can be named this).
NEW_SHELF = "__nieuw__"


class ProductForm(FlaskForm):
    """A product; its shelf is picked from the shelves there are, and a new shelf is made
    only on purpose ("Nieuw schap…" plus its name), so a typo never opens a shelf."""

    slug = StringField(_l("Korte naam (slug)"), description=SLUG_HINT)
    name = StringField(_l("Naam"), validators=_text(PRODUCT_TEXT["name"]))
    theme = SelectField(
        _l("Schap"),
        description=_l("Het schap in de winkel waar het product ligt."),
        validate_choice=False,
    )
    new_theme = StringField(
        _l("Naam van het nieuwe schap"),
        description=_l("Alleen invullen als je hierboven 'Nieuw schap…' kiest."),
        validators=_text(FreeText(PRODUCT_TEXT["theme"].limit, required=False)),
    )
    shelves: tuple[str, ...] = ()  # set by offer_shelves
    summary = StringField(
        _l("Samenvatting"),
        description=_l("Eén zin; hoogstens 200 tekens."),
        validators=_text(PRODUCT_TEXT["summary"]),
    )
    description = TextAreaField(
        _l("Beschrijving"),
        validators=_text(PRODUCT_TEXT["description"]),
        render_kw={"rows": 6},
    )
    owner = StringField(
        _l("Eigenaar"),
        description=_l("Wie het product heeft bedacht of aanbiedt."),
        validators=_text(PRODUCT_TEXT["owner"]),
    )
    contact = StringField(
        _l("Contact (mag leeg blijven)"), validators=_text(PRODUCT_TEXT["contact"])
    )
    # One line of tags; the service then holds each tag to the tag rule.
    tags = TagsField(
        _l("Tags (mag leeg blijven)"),
        description=_l("Gescheiden door komma's."),
        validators=_text(TAG_LINE),
    )
    price = StringField(
        _l("Prijskaartje (mag leeg blijven)"),
        description=_l("Bijvoorbeeld 'Gratis'."),
        validators=_text(PRODUCT_TEXT["price"]),
    )
    active = BooleanField(_l("In de winkel"), default=True)

    @classmethod
    def for_product(cls, product: Product, shelves: list[str]) -> ProductForm:
        form = cls(obj=product)
        del form.slug
        form.offer_shelves(shelves)
        return form

    def offer_shelves(self, shelves: list[str]) -> None:
        """The shelves to choose from (`catalog.services.shelf_names`)."""
        self.shelves = tuple(shelves)
        self.theme.choices = [
            SelectChoice("", _l("— kies een schap —")),
            *(SelectChoice(name, name) for name in shelves),
            SelectChoice(NEW_SHELF, _l("Nieuw schap…")),
        ]

    def validate_theme(self, field: SelectField) -> None:
        if field.data == NEW_SHELF:
            return
        if field.data not in self.shelves:
            raise ValidationError(str(_l("Kies er een uit de lijst.")))

    def validate_new_theme(self, field: StringField) -> None:
        typed = " ".join((field.data or "").split())
        if self.theme.data == NEW_SHELF and not typed:
            raise ValidationError(str(_l("Vul dit in, of kies een bestaand schap.")))
        if self.theme.data != NEW_SHELF and typed:
            raise ValidationError(
                str(_l("Kies eerst 'Nieuw schap…' in de lijst, of laat dit veld leeg."))
            )

    def chosen_theme(self) -> str:
        """The shelf chosen; a new name that only differs in case from a shelf there is
        goes on that shelf."""
        if self.theme.data != NEW_SHELF:
            return self.theme.data or ""
        typed = " ".join((self.new_theme.data or "").split())
        same = [name for name in self.shelves if name.lower() == typed.lower()]
        return same[0] if same else typed

    def product_data(self) -> dict[str, Any]:
        """The fields as a product file entry (empty optional fields left out)."""
        data: dict[str, Any] = {
            name: getattr(self, name).data or ""
            for name in ("name", "summary", "description", "owner")
        }
        data["theme"] = self.chosen_theme()
        if "slug" in self:
            data["slug"] = self.slug.data or ""
        for name in ("contact", "price"):
            value = getattr(self, name).data
            if value:
                data[name] = value
        tags = self.tags.tags()
        if tags:
            data["tags"] = tags
        data["active"] = bool(self.active.data)
        return data


class ProductFileForm(FlaskForm):
    file = FileField(
        _l("Productbestand (YAML)"),
        description=_l(
            "Zelfde vorm als bij 'popupstore load-products'. Alles of niets: bij één fout "
            "verandert er niets."
        ),
        validators=[FileRequired(message=_l("Kies een bestand."))],
        render_kw={"accept": ".yaml,.yml,application/yaml,text/yaml"},
    )
