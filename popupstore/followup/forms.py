"""The follow-up's forms. The rules live in the services; these carry the fields.

The evaluation's questions depend on the receipt, so its page reads them from the
request itself (`views.answers_from`); its form only carries the CSRF token.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import Optional

from .services import FOLLOW_UP_DAYS


class FollowUpForm(FlaskForm):
    send_on = DateField(
        _l("Datum van de vervolgmail"),
        description=_l("Leeg: %(days)d dagen na het evenement.", days=FOLLOW_UP_DAYS),
        validators=[Optional()],
    )
    text = TextAreaField(
        _l("Tekst van de vervolgmail"),
        description=_l(
            "Gewone tekst; een lege regel begint een nieuwe alinea. Leeg: de standaardtekst, "
            "in de taal van de bezoeker. De aanhef, de link naar de evaluatie en de "
            "afmeldlink zetten we er zelf bij."
        ),
        render_kw={"rows": 8},
    )


class EvaluationForm(FlaskForm):
    """Only the CSRF token: the questions are read from the request (see module doc)."""
