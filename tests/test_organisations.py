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
    ("typed", "register_name", "shown", "province"),
    [
        ("Den Haag", "'s-Gravenhage", "Den Haag", "Zuid-Holland"),
        ("  den   HAAG ", "'s-Gravenhage", "Den Haag", "Zuid-Holland"),
        ("The Hague", "'s-Gravenhage", "Den Haag", "Zuid-Holland"),
        ("'s-Gravenhage", "'s-Gravenhage", "Den Haag", "Zuid-Holland"),
        ("Den Bosch", "'s-Hertogenbosch", "'s-Hertogenbosch", "Noord-Brabant"),
        ("Hengelo", "Hengelo (O.)", "Hengelo", "Overijssel"),
        ("Middelburg", "Middelburg (Z.)", "Middelburg", "Zeeland"),
        ("Sudwest-Fryslan", "Súdwest-Fryslân", "Súdwest-Fryslân", "Friesland"),
        ("súdwest-fryslân", "Súdwest-Fryslân", "Súdwest-Fryslân", "Friesland"),
        ("Gemeente Breda", "Breda", "Breda", "Noord-Brabant"),
        (
            "nuenen c.a.",
            "Nuenen, Gerwen en Nederwetten",
            "Nuenen, Gerwen en Nederwetten",
            "Noord-Brabant",
        ),
    ],
)
def test_municipality_names_and_aliases(typed, register_name, shown, province):
    organisation = normalise_organisation(typed, "woningcorporatie", "Utrecht")
    # Shown by the name the municipality uses itself, compared by its register name.
    assert organisation.name == shown
    assert organisation.province == province
    assert organisation.organisation_type == "gemeente"
    assert organisation.key == fold(register_name)


def test_an_organisation_that_is_no_municipality_keeps_the_work_area_it_was_given():
    organisation = normalise_organisation(
        "Woonstichting Alwel", "woningcorporatie", "Noord-Brabant"
    )
    assert (organisation.province, organisation.organisation_type) == (
        "Noord-Brabant",
        "woningcorporatie",
    )


def test_other_organisations_keep_their_type_and_province_is_unknown():
    organisation = normalise_organisation("  Woonstad   Rotterdam ", "woningcorporatie")
    assert organisation.name == "Woonstad Rotterdam"
    assert organisation.key == "woonstad rotterdam"
    assert organisation.province == "onbekend"
    assert organisation.organisation_type == "woningcorporatie"
    assert normalise_organisation("Kredietbank Nederland").organisation_type == "anders"


def test_fold_removes_accents_collapses_space_and_folds_case():
    assert fold("  Café   ÉÉN\tStraße ") == "cafe een strasse"
