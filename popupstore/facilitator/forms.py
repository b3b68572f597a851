from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import AnyOf, InputRequired, NumberRange, Optional

from ..matching.tables import DEFAULT_MAX_SIZE, DEFAULT_MIN_SIZE, MAX_TABLE_SIZE, MIN_TABLE_SIZE
from .rounds import MAX_MINUTES, MIN_MINUTES

# The browser hint; the table-size rule itself is checked by the service, which names the
# field that breaks it.
SIZE_INPUT = {"inputmode": "numeric", "min": MIN_TABLE_SIZE, "max": MAX_TABLE_SIZE}


class TablesForm(FlaskForm):
    min_size = IntegerField(
        _l("Minstens aan een tafel"),
        default=DEFAULT_MIN_SIZE,
        validators=[InputRequired(_l("Vul een heel getal in."))],
        render_kw=SIZE_INPUT,
    )
    max_size = IntegerField(
        _l("Hoogstens aan een tafel"),
        default=DEFAULT_MAX_SIZE,
        validators=[InputRequired(_l("Vul een heel getal in."))],
        render_kw=SIZE_INPUT,
    )
    # A new plan replaces a stored one only with this set (CONFIRMED), from the
    # confirmation step: it moves people who already sat down.
    confirm = HiddenField()


CONFIRMED = "ja"


class LatecomersForm(FlaskForm):
    """Only the CSRF token: one button seats (or pairs) everyone who came in after the plan."""


class PairsForm(FlaskForm):
    """One button makes the pairs. New pairs replace stored ones only with `confirm` set
    (CONFIRMED), from the confirmation step: they split duos that are already talking."""

    confirm = HiddenField()


ROUND_ACTIONS = ("start", "pause", "reset")


class RoundForm(FlaskForm):
    """The round timer's buttons: `action` is the button pressed. `minutes` is the next
    round's length; a screen leaves it out while a round runs (the field is disabled)."""

    action = StringField(
        validators=[
            InputRequired(_l("Kies starten, pauzeren of opnieuw.")),
            AnyOf(ROUND_ACTIONS, message=_l("Kies starten, pauzeren of opnieuw.")),
        ]
    )
    minutes = IntegerField(
        _l("Minuten"),
        validators=[
            Optional(),
            NumberRange(
                MIN_MINUTES,
                MAX_MINUTES,
                _l("Een ronde duurt %(min)d tot %(max)d minuten."),
            ),
        ],
    )
