from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..organisations import ORGANISATION_TYPES
from .payload import EMAIL_LIMIT, NAME_LIMIT, ORGANISATION_LIMIT, ROLE_LIMIT, valid_email

TYPE_LABELS = {
    "gemeente": _l("Gemeente"),
    "kredietbank": _l("Gemeentelijke kredietbank"),
    "woningcorporatie": _l("Woningcorporatie"),
    "energie-water": _l("Energie- of waterbedrijf"),
    "zorgverzekeraar": _l("Zorgverzekeraar"),
    "rijk": _l("Rijksorganisatie (Belastingdienst, CJIB, UWV, SVB …)"),
    "hulporganisatie": _l("Hulporganisatie"),
    "bewindvoerder": _l("Bewindvoerder"),
    "werkgever": _l("Werkgever"),
    "kennisorganisatie": _l("Kennisorganisatie"),
    "anders": _l("Anders"),
}

ROLE_SUGGESTIONS = (
    _l("Schuldhulpverlening"),
    _l("Vroegsignalering"),
    _l("Werk en inkomen"),
    _l("Wijkteam"),
    _l("Beleid"),
    _l("Gemeentelijke belastingen"),
    _l("Klantmanager"),
    _l("Bestuur (wethouder)"),
    _l("Incasso en debiteurenbeheer"),
    _l("Vrijwilliger"),
)

# Autofill would offer the previous visitor's answers on a shared tablet.
NO_AUTOFILL = {"autocomplete": "off", "autocorrect": "off", "spellcheck": "false"}


def _email_check(form: Any, field: Any) -> None:
    value = (field.data or "").strip()
    if value and not valid_email(value):
        raise ValidationError(
            str(_l("Dit is geen geldig e-mailadres, bijvoorbeeld naam@gemeente.nl."))
        )


def _text(field: Any) -> str:
    return " ".join((field.data or "").split())


def _not_blank(form: Any, field: Any) -> None:
    if not _text(field):
        raise ValidationError(str(_l("Vul dit in.")))


class CheckoutForm(FlaskForm):
    name = StringField(
        _l("Je voornaam"),
        validators=[_not_blank, Length(max=NAME_LIMIT, message=_l("Hoogstens %(max)d tekens."))],
        render_kw=NO_AUTOFILL,
    )
    organisation = StringField(
        _l("Je organisatie"),
        description=_l("Kies je gemeente uit de lijst, of typ de naam van je organisatie."),
        validators=[
            _not_blank,
            Length(max=ORGANISATION_LIMIT, message=_l("Hoogstens %(max)d tekens.")),
        ],
        render_kw={**NO_AUTOFILL, "list": "gemeenten"},
    )
    organisation_type = SelectField(
        _l("Soort organisatie"),
        description=_l("Bij een gemeente vullen we dit zelf in."),
        choices=[SelectChoice("", _l("— kies als je geen gemeente bent —"))]
        + [SelectChoice(key, TYPE_LABELS[key]) for key in ORGANISATION_TYPES],
        validators=[Optional()],
        render_kw={"autocomplete": "off"},
    )
    role = StringField(
        _l("Je rol of afdeling"),
        description=_l("Bijvoorbeeld schuldhulpverlening of wijkteam. Mag leeg blijven."),
        validators=[Length(max=ROLE_LIMIT, message=_l("Hoogstens %(max)d tekens."))],
        render_kw={**NO_AUTOFILL, "list": "rollen"},
    )
    email = StringField(
        _l("Je e-mailadres (mag leeg blijven)"),
        description=_l("Alleen zichtbaar voor de organisatie, om je na afloop je bon te sturen."),
        validators=[Length(max=EMAIL_LIMIT, message=_l("Hoogstens %(max)d tekens.")), _email_check],
        render_kw={**NO_AUTOFILL, "inputmode": "email", "autocapitalize": "none"},
    )
    share_contact = BooleanField(
        _l("Anderen mogen mij als gesprekspartner zien"),
        description=_l(
            "Dan zien bezoekers met dezelfde keuzes je voornaam en organisatie op hun bon. "
            "Zonder vinkje zie jij wel je gesprekspartners, maar niemand ziet jou."
        ),
        default=False,
    )
    follow_up = BooleanField(
        _l("Mail mij mijn bon, en over twee weken een korte vraag hoe het ging"),
        description=_l(
            "Aparte keuze, los van gevonden worden. Je krijgt twee mails, niet meer; in elke "
            "mail kun je je met één klik afmelden. Vul hiervoor je e-mailadres in."
        ),
        default=False,
    )
    checkout_key = HiddenField()

    def visitor_data(self) -> dict[str, Any]:
        return {
            "name": _text(self.name),
            "organisation": _text(self.organisation),
            "organisation_type": self.organisation_type.data or None,
            "role": _text(self.role) or None,
            "email": (self.email.data or "").strip() or None,
            "share_contact": bool(self.share_contact.data),
            "follow_up": bool(self.follow_up.data),
        }


class IntentForm(FlaskForm):
    intent = HiddenField(validators=[InputRequired()])
    next = HiddenField()


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change something."""

    next = HiddenField()
