"""The organiser's forms. The rules live in the services; these only carry the fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import InputRequired

from ..catalog.models import Product
from ..events.models import Event

SLUG_HINT = _l(
    "Kleine letters, cijfers en koppeltekens, bijvoorbeeld breda-2026. Later niet te wijzigen."
)


class EventForm(FlaskForm):
    slug = StringField(_l("Korte naam (slug)"), description=SLUG_HINT)
    name = StringField(_l("Naam"))
    city = StringField(_l("Plaats"))
    date = DateField(
        _l("Datum"), validators=[InputRequired(message=_l("Vul een datum in (JJJJ-MM-DD)."))]
    )
    venue = StringField(_l("Locatie"), description=_l("Bijvoorbeeld de zaal of het gebouw."))
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


class ProductForm(FlaskForm):
    slug = StringField(_l("Korte naam (slug)"), description=SLUG_HINT)
    name = StringField(_l("Naam"))
    theme = StringField(
        _l("Thema"), description=_l("Het schap waar het product ligt, bijvoorbeeld Preventie.")
    )
    summary = StringField(_l("Samenvatting"), description=_l("Eén zin; hoogstens 200 tekens."))
    description = TextAreaField(_l("Beschrijving"), render_kw={"rows": 6})
    owner = StringField(_l("Eigenaar"), description=_l("Wie de aanpak heeft bedacht of aanbiedt."))
    contact = StringField(_l("Contact (mag leeg blijven)"))
    tags = TagsField(_l("Tags (mag leeg blijven)"), description=_l("Gescheiden door komma's."))
    price = StringField(
        _l("Prijskaartje (mag leeg blijven)"), description=_l("Bijvoorbeeld 'Gratis'.")
    )
    active = BooleanField(_l("In de winkel"), default=True)

    @classmethod
    def for_product(cls, product: Product) -> ProductForm:
        form = cls(obj=product)
        del form.slug
        return form

    def product_data(self) -> dict[str, Any]:
        """The fields as a product file entry (empty optional fields left out)."""
        data: dict[str, Any] = {
            name: getattr(self, name).data or ""
            for name in ("name", "theme", "summary", "description", "owner")
        }
        if "slug" in self:
            data["slug"] = self.slug.data or ""
        for name in ("contact", "price"):
            value = (getattr(self, name).data or "").strip()
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
