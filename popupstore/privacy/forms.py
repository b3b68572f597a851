from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, TextAreaField
from wtforms.validators import InputRequired

from ..validation import CleanText
from .services import NOTICE_PART

_PART = [CleanText(NOTICE_PART)]
_HINT = _l("Gewone tekst. Een lege regel begint een nieuwe alinea.")


class NoticeForm(FlaskForm):
    controller = TextAreaField(
        _l("Wie is verantwoordelijk, en hoe bereik je die?"),
        description=_l(
            "De verwerkingsverantwoordelijke (de organisator) en een contactadres. %(hint)s",
            hint=_HINT,
        ),
        validators=_PART,
        render_kw={"rows": 5},
    )
    purpose = TextAreaField(
        _l("Welke gegevens, en waarvoor?"),
        description=_HINT,
        validators=_PART,
        render_kw={"rows": 10},
    )
    retention = TextAreaField(
        _l("Hoe lang bewaren we ze?"),
        description=_l(
            "De bewaardatum van elk evenement staat er vanzelf onder. %(hint)s", hint=_HINT
        ),
        validators=_PART,
        render_kw={"rows": 5},
    )
    rights = TextAreaField(
        _l("Welke rechten heeft een bezoeker?"),
        description=_HINT,
        validators=_PART,
        render_kw={"rows": 7},
    )


class RetentionForm(FlaskForm):
    retention_until = DateField(
        _l("Persoonsgegevens bewaren tot en met"),
        description=_l("Op de dag erna wist de dagelijkse opruimtaak namen en e-mailadressen."),
        validators=[InputRequired(_l("Vul een datum in."))],
    )


class PurgeForm(FlaskForm):
    confirm = BooleanField(
        _l("Ik begrijp dat namen, e-mailadressen en bonnen van dit evenement voorgoed weg zijn"),
        validators=[InputRequired(_l("Zet het vinkje om te bevestigen."))],
    )
