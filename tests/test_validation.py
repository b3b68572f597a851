"""The free-text rule itself, its WTForms validator, the form-error mapping, and the
output side (text any writer can take), as the services and forms call them."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField, TextAreaField

from popupstore.text import BIDI_CONTROLS
from popupstore.validation import (
    CleanText,
    FreeText,
    FreeTextError,
    one_line,
    safe_text,
    show_field_errors,
)

NAME = FreeText(20)
ROLE = FreeText(20, required=False)
NOTE = FreeText(40, multiline=True)


def refusal(rule: FreeText, value: object) -> str:
    with pytest.raises(FreeTextError) as refused:
        rule.clean(value)
    return refused.value.message


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [
        ("Anna", "Anna"),
        ("  Anna \t de\u00a0Vries\n ", "Anna de Vries"),
        ("Ange\u0301le", "Ang\u00e9le"),  # NFC
        ("\u3000Zo\u2028\u2029e\x85\x0b\x0c", "Zo e"),  # every kind of white space
        ("Jo\u200dsé", "Jo\u200dsé"),  # a zero-width joiner inside text stays
        ("\u0645\u062d\u0645\u062f", "\u0645\u062d\u0645\u062f"),  # right-to-left letters are text
    ],
)
def test_single_line_text_is_nfc_with_white_space_collapsed(value, cleaned):
    assert NAME.clean(value) == cleaned


def test_a_multi_line_field_keeps_its_line_breaks_and_trims_each_line():
    assert NOTE.clean(" een  twee \r\n drie\r\n\r\n\r\n\r\n vier\u2028vijf\n\n") == (
        "een twee\ndrie\n\nvier\nvijf"
    )


@pytest.mark.parametrize("char", sorted(BIDI_CONTROLS))
def test_every_bidirectional_control_is_refused(char):
    assert refusal(NAME, f"Anna{char}") == f"Bevat een teken dat hier niet mag (U+{ord(char):04X})."
    assert refusal(NOTE, f"een\n{char}twee") == (
        f"Bevat een teken dat hier niet mag (U+{ord(char):04X})."
    )


@pytest.mark.parametrize(
    "char", [chr(c) for c in [*range(0x00, 0x09), 0x0E, 0x1B, 0x1C, 0x1F, 0x7F, 0x80, 0x9F]]
)
def test_control_characters_other_than_white_space_are_refused(char):
    assert refusal(ROLE, f"a{char}b") == f"Bevat een teken dat hier niet mag (U+{ord(char):04X})."


def test_a_lone_surrogate_is_refused():
    assert refusal(NAME, "Anna\ud800") == "Bevat een teken dat hier niet mag (U+D800)."


@pytest.mark.parametrize(
    "value",
    ["\u200b", "\u200b\u200c\u200d\u2060\ufeff", " \u00ad ", "\u3164\u115f", "\u0301", "\u2800"],
)
def test_a_value_with_nothing_visible_is_refused_also_when_optional(value):
    assert refusal(NAME, value) == "Bevat geen zichtbare tekens."
    assert refusal(ROLE, value) == "Bevat geen zichtbare tekens."


@pytest.mark.parametrize("value", [None, "", "   ", "\t\n", "\u00a0\u3000"])
def test_empty_is_required_or_not_given(value):
    assert refusal(NAME, value) == "Vul dit in."
    assert ROLE.clean(value) is None


def test_length_counts_characters_after_cleaning():
    assert NAME.clean("  " + "e\u0301" * 20 + "  ") == "\u00e9" * 20
    assert refusal(NAME, "x" * 21) == "Hoogstens 20 tekens."
    assert NOTE.clean("a\n" * 19 + "bc") == "a\n" * 19 + "bc"  # line breaks count
    assert refusal(NOTE, "a\n" * 19 + "bcd") == "Hoogstens 40 tekens."


@pytest.mark.parametrize("value", [12, 1.5, True, ["a"], {"a": 1}])
def test_what_is_not_text_is_refused(value):
    assert refusal(ROLE, value) == "Moet tekst zijn."


def test_check_puts_the_message_at_its_path():
    fields: dict[str, str] = {}
    assert NAME.check(fields, "visitor.name", "\u202eAnna") is None
    assert ROLE.check(fields, "visitor.role", "  Beleid ") == "Beleid"
    assert fields == {"visitor.name": "Bevat een teken dat hier niet mag (U+202E)."}


class VisitorForm(Form):
    name = StringField(validators=[CleanText(NAME)])
    role = StringField(validators=[CleanText(ROLE)])
    note = TextAreaField(validators=[CleanText(NOTE)])


def test_the_wtforms_validator_cleans_or_stops_with_the_message():
    form = VisitorForm(MultiDict({"name": " Ange\u0301le ", "role": " ", "note": "a\r\nb"}))
    assert form.validate()
    assert (form.name.data, form.role.data, form.note.data) == ("Ang\u00e9le", None, "a\nb")
    form = VisitorForm(MultiDict({"name": "\u200b", "role": "x\x01", "note": ""}))
    assert not form.validate()
    assert form.errors == {
        "name": ["Bevat geen zichtbare tekens."],
        "role": ["Bevat een teken dat hier niet mag (U+0001)."],
        "note": ["Vul dit in."],
    }


def test_field_errors_by_dotted_path_land_on_their_fields_once():
    form = VisitorForm(MultiDict({"name": "\u200b"}))
    form.validate()
    unplaced = show_field_errors(
        form,
        {
            "visitor.name": "Bevat geen zichtbare tekens.",
            "visitor.role": "Te vaag.",
            "items.0.product": "Onbekend product.",
        },
        prefix="visitor.",
    )
    assert form.name.errors == ["Bevat geen zichtbare tekens."]
    assert form.role.errors == ["Te vaag."]
    assert unplaced == ["Onbekend product."]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("Anna", "Anna"),
        ("Anna\x01\x0b\x0c\x7f\x85", "Anna\ufffd\ufffd\ufffd\ufffd\ufffd"),
        ("a\tb\r\nc", "a\tb\r\nc"),
        ("\u202eAnna\u2066", "\ufffdAnna\ufffd"),
        ("x\ufffe\uffff\ud800", "x\ufffd\ufffd\ufffd"),
        ("Jo\u200dsé\u00ad", "Jo\u200dsé\u00ad"),
    ],
)
def test_safe_text_replaces_what_no_writer_takes(value, written):
    assert safe_text(value) == written


def test_one_line_puts_text_on_one_line():
    assert one_line(" Samen\r\nOrganiseren\x1c \u2028 Breda\u202e ") == (
        "Samen Organiseren\ufffd Breda\ufffd"
    )
