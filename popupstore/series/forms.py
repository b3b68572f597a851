"""Forms of the series pages; the rules live in `series.services`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField


class SeriesForm(FlaskForm):
    slug = StringField(
        _l("Korte naam (slug)"),
        description=_l("Kleine letters, cijfers en koppeltekens, bijvoorbeeld samen-2027."),
    )
    name = StringField(
        _l("Naam"), description=_l("Bijvoorbeeld 'Samen Organiseren 2027: vijf regiodagen'.")
    )


class AddEventForm(FlaskForm):
    # The service checks the choice (an event already in another series gets its own message).
    event = SelectField(_l("Evenement toevoegen"), validate_choice=False)
