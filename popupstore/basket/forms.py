from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from ..organisations import ORGANISATION_TYPES, provinces
from ..validation import CleanText, FreeText
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
    if field.data and not valid_email(field.data):
        raise ValidationError(
            str(_l("Controleer het @-teken en de punt, bijvoorbeeld naam@gemeente.nl."))
        )


class CheckoutForm(FlaskForm):
    name = StringField(
        _l("Je voornaam"),
        validators=[CleanText(FreeText(NAME_LIMIT))],
        render_kw=NO_AUTOFILL,
    )
    organisation = StringField(
        _l("Je organisatie"),
        description=_l(
            "Kies je gemeente of organisatie uit de lijst, of typ de naam van je organisatie."
        ),
        validators=[CleanText(FreeText(ORGANISATION_LIMIT))],
        render_kw={**NO_AUTOFILL, "list": "organisaties"},
    )
    organisation_type = SelectField(
        _l("Soort organisatie"),
        description=_l("Bij een gemeente vullen we dit zelf in."),
        choices=[SelectChoice("", _l("— kies als je geen gemeente bent —"))]
        + [SelectChoice(key, TYPE_LABELS[key]) for key in ORGANISATION_TYPES],
        validators=[Optional()],
        render_kw={"autocomplete": "off"},
    )
    province = SelectField(
        _l("Werkgebied (provincie)"),
        description=_l(
            "Alleen als je organisatie geen gemeente is: de provincie waar jullie werken. "
            "Zo vind je partners uit je eigen provincie."
        ),
        choices=lambda: (
            [SelectChoice("", _l("— kies als je geen gemeente bent —"))]
            + [SelectChoice(name, name) for name in provinces()]
        ),
        validators=[Optional()],
        render_kw={"autocomplete": "off"},
    )
    role = StringField(
        _l("Je rol of afdeling"),
        description=_l("Bijvoorbeeld schuldhulpverlening of wijkteam. Mag leeg blijven."),
        validators=[CleanText(FreeText(ROLE_LIMIT, required=False))],
        render_kw={**NO_AUTOFILL, "list": "rollen"},
    )
    email = StringField(
        _l("Je e-mailadres (mag leeg blijven)"),
        description=_l("Alleen zichtbaar voor de organisatie, om je na afloop je bon te sturen."),
        validators=[CleanText(FreeText(EMAIL_LIMIT, required=False)), _email_check],
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
    # Shown only when the active event is in a series (templates/basket/_across_series.html).
    across_series = BooleanField(
        _l("Laat me ook mensen van andere dagen in deze reeks zien"),
        description=_l(
            "Dan zie je op je bon ook bezoekers van de andere dagen die hetzelfde aanvinkten, "
            "ook van dagen die nog komen. Gaf je hierboven toestemming, dan zien zij jou ook."
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
    # "Bedoel je Breda?": the name the suggestion was made for, and the visitor's answer
    # (the buttons of the suggestion send one of the two).
    suggested_for = HiddenField()
    use_organisation = HiddenField()
    keep_organisation = HiddenField()

    def visitor_data(self) -> dict[str, Any]:
        """The visitor's details as the checkout takes them (after `validate`: cleaned)."""
        return {
            "name": self.name.data or "",
            "organisation": self.organisation.data or "",
            "organisation_type": self.organisation_type.data or None,
            "province": self.province.data or None,
            "role": self.role.data or None,
            "email": self.email.data or None,
            "share_contact": bool(self.share_contact.data),
            "across_series": bool(self.across_series.data),
            "follow_up": bool(self.follow_up.data),
        }


class IntentForm(FlaskForm):
    intent = HiddenField(validators=[InputRequired()])
    next = HiddenField()
