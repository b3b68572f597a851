"""Organisation names are compared after normalisation (contract §5)."""

from __future__ import annotations

import pytest

from popupstore.organisations import (
    fold,
    municipalities,
    normalise_organisation,
    provinces,
)


def test_the_register_has_342_municipalities_in_12_provinces():
    assert len(municipalities()) == 342
    assert len(provinces()) == 12


@pytest.mark.parametrize(
    ("typed", "name", "province"),
    [
        ("Den Haag", "'s-Gravenhage", "Zuid-Holland"),
        ("  den   HAAG ", "'s-Gravenhage", "Zuid-Holland"),
        ("The Hague", "'s-Gravenhage", "Zuid-Holland"),
        ("Den Bosch", "'s-Hertogenbosch", "Noord-Brabant"),
        ("Hengelo", "Hengelo (O.)", "Overijssel"),
        ("Sudwest-Fryslan", "Súdwest-Fryslân", "Friesland"),
        ("súdwest-fryslân", "Súdwest-Fryslân", "Friesland"),
        ("Gemeente Breda", "Breda", "Noord-Brabant"),
        ("nuenen c.a.", "Nuenen, Gerwen en Nederwetten", "Noord-Brabant"),
    ],
)
def test_municipality_names_and_aliases(typed, name, province):
    organisation = normalise_organisation(typed, "woningcorporatie")
    assert organisation.name == name
    assert organisation.province == province
    assert organisation.organisation_type == "gemeente"
    assert organisation.key == fold(name)


def test_other_organisations_keep_their_type_and_province_is_unknown():
    organisation = normalise_organisation("  Woonstad   Rotterdam ", "woningcorporatie")
    assert organisation.name == "Woonstad Rotterdam"
    assert organisation.key == "woonstad rotterdam"
    assert organisation.province == "onbekend"
    assert organisation.organisation_type == "woningcorporatie"
    assert normalise_organisation("Kredietbank Nederland").organisation_type == "anders"


def test_fold_removes_accents_collapses_space_and_folds_case():
    assert fold("  Café   ÉÉN\tStraße ") == "cafe een strasse"
