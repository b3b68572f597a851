"""Forms of proposals. They carry the fields; the rules live in `proposals.services`."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from ..basket.forms import NO_AUTOFILL
from .models import Proposal

FIELDS = ("name", "pitch", "description", "organisation", "contact")


class ProposalForm(FlaskForm):
    name = StringField(
        _l("Naam van het product"),
        description=_l("Hoe heet het bij jullie? Bijvoorbeeld 'Budgetcafé'."),
        render_kw=NO_AUTOFILL,
    )
    pitch = StringField(
        _l("In één zin: wat is het?"),
        description=_l("Hoogstens 200 tekens."),
        render_kw=NO_AUTOFILL,
    )
    description = TextAreaField(
        _l("Wat doet het?"),
        description=_l("Voor wie, wat jullie doen en wat het oplevert. Hoogstens 150 woorden."),
        render_kw={**NO_AUTOFILL, "rows": 6},
    )
    organisation = StringField(
        _l("Organisatie die het uitvoert"),
        description=_l(
            "Nemen we je voorstel op, dan staat deze organisatie in de winkel bij het "
            "product: 'aangedragen door … tijdens …'."
        ),
        render_kw=NO_AUTOFILL,
    )
    contact = StringField(
        _l("Contact (mag leeg blijven)"),
        description=_l(
            "Een e-mailadres of telefoonnummer, alleen voor de organisatie van de winkel als "
            "er vragen zijn. Het komt niet in de winkel te staan."
        ),
        render_kw=NO_AUTOFILL,
    )

    @classmethod
    def for_proposal(cls, proposal: Proposal) -> ProposalForm:
        return cls(obj=proposal)

    def proposal_data(self) -> dict[str, Any]:
        return {name: self[name].data for name in FIELDS}


class ApproveForm(FlaskForm):
    slug = StringField(
        _l("Korte naam (slug)"),
        description=_l("Kleine letters, cijfers en koppeltekens. Later niet te wijzigen."),
    )
    theme = StringField(
        _l("Thema"),
        description=_l("Het schap waar het product komt te liggen."),
        render_kw={"list": "themes"},
    )


class MergeForm(FlaskForm):
    # Choices are checked by the service (a retired product gets its own message).
    product = SelectField(
        _l("Samenvoegen met"),
        description=_l("De organisatie van de indiener komt erbij als eigenaar."),
        validate_choice=False,
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Reden"),
        description=_l("De indiener ziet deze reden op de eigen bon."),
        render_kw={"rows": 3},
    )
