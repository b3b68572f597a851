from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired


class TablesForm(FlaskForm):
    # Ranges and min <= max are the service's rules; it names the field that is wrong.
    min_size = IntegerField(
        _l("Minstens aan een tafel"),
        default=4,
        validators=[InputRequired(_l("Vul een heel getal in."))],
        render_kw={"inputmode": "numeric", "min": 2, "max": 12},
    )
    max_size = IntegerField(
        _l("Hoogstens aan een tafel"),
        default=6,
        validators=[InputRequired(_l("Vul een heel getal in."))],
        render_kw={"inputmode": "numeric", "min": 2, "max": 12},
    )


class PairsForm(FlaskForm):
    """Only the CSRF token: one button makes the pairs."""
