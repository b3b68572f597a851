from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.validators import InputRequired, Length


class PinForm(FlaskForm):
    pin = PasswordField(
        _l("PIN van de facilitator"),
        description=_l("Alleen voor medewerkers van de organisatie."),
        validators=[
            InputRequired(_l("Vul de PIN in.")),
            Length(max=12, message=_l("Hoogstens %(max)d cijfers.")),
        ],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"},
    )


class LanguageForm(FlaskForm):
    lang = HiddenField()
    next = HiddenField()
