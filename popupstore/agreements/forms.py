from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField

from ..matching import Match
from ..validation import CleanText
from .models import TEXT_LIMIT
from .services import AGREEMENT_TEXT

RECEIPT_NUMBER = re.compile("[0-9]{1,9}")


def choice_value(number: int, product: str) -> str:
    return f"{number}:{product}"


class AgreementForm(FlaskForm):
    # The service checks partner and product against the visitor's current matches, with
    # messages that say what is wrong; WTForms' own choice check would only say "invalid".
    # The text is checked here and again by the service, by the same rule.
    choice = SelectField(
        _l("Met wie, over welk product?"),
        description=_l("Je kunt kiezen uit je gesprekspartners en collega's op je bon."),
        validate_choice=False,
    )
    text = TextAreaField(
        _l("Wat gaan jullie doen? (één regel)"),
        validators=[CleanText(AGREEMENT_TEXT)],
        description=_l(
            "Hoogstens %(limit)d tekens. Deze regel staat op jullie bonnen en op het scherm "
            "in de zaal: zet er geen namen of contactgegevens in.",
            limit=TEXT_LIMIT,
        ),
        render_kw={"maxlength": TEXT_LIMIT, "rows": 3},
    )

    def offer(self, partners: Sequence[Match], product_names: Mapping[str, str]) -> None:
        """One group of options per partner: the products both of them chose."""
        groups: dict[str, list[tuple[str, str]]] = {}
        for match in partners:
            who = str(
                _l(
                    "%(name)s · %(organisation)s (bon %(number)d)",
                    name=match.name,
                    organisation=match.organisation,
                    number=match.number,
                )
            )
            # A closed select shows only the option, not its group: the option names both.
            groups[who] = [
                (
                    choice_value(match.number, shared.product),
                    str(
                        _l(
                            "%(product)s — met %(who)s",
                            product=product_names.get(shared.product, shared.product),
                            who=who,
                        )
                    ),
                )
                for shared in match.shared
            ]
        self.choice.choices = groups

    def chosen(self) -> tuple[int | None, str | None]:
        """The partner's receipt number and the product slug picked; None for nonsense."""
        number, _, product = (self.choice.data or "").partition(":")
        # ASCII digits only: str.isdigit also accepts "²", which int() refuses.
        if not RECEIPT_NUMBER.fullmatch(number) or not product:
            return None, None
        return int(number), product
