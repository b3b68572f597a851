from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired

from ..matching.tables import DEFAULT_MAX_SIZE, DEFAULT_MIN_SIZE, MAX_TABLE_SIZE, MIN_TABLE_SIZE

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
