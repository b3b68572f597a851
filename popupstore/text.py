"""Characters and white space: the pure part of the free-text rule (no Flask, no forms).

`popupstore.validation` builds the rule for input on these; `popupstore.organisations`
uses the same white space when it compares organisation names.
"""

from __future__ import annotations

import re
import unicodedata

# Unicode's White_Space property (Python's str.isspace also counts U+001C–U+001F,
# which are controls, not white space).
_WHITE_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ANY_SPACE = re.compile(f"[{_WHITE_SPACE}]+")
_LINE_BREAK = re.compile("\r\n|[\n\v\f\r\x85\u2028\u2029]")
_INLINE_SPACE = re.compile("[\t \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")
WHITE_SPACE_CONTROLS = frozenset("\t\n\v\f\r\x85")

# Characters that reorder the text around them: a name could make another visitor's
# screen, the wall or an export read differently from what was typed.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern).
BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
REPLACEMENT = "\ufffd"


def code_point(char: str) -> str:
    """How a message names a character: U+0001."""
    return f"U+{ord(char):04X}"


def is_forbidden(char: str) -> bool:
    """A control (other than white space), a lone surrogate or a bidirectional control."""
    if char in BIDI_CONTROLS:
        return True
    category = unicodedata.category(char)
    return (category == "Cc" and char not in WHITE_SPACE_CONTROLS) or category == "Cs"


def is_visible(char: str) -> bool:
    """A letter, digit, punctuation mark or symbol that draws something."""
    return unicodedata.category(char)[0] in "LNPS" and char not in BLANK_GLYPHS


def collapse_white_space(text: str) -> str:
    """All white space, line breaks included, as single spaces; trimmed."""
    return _ANY_SPACE.sub(" ", text).strip()


def collapse_lines(text: str) -> str:
    """White space within each line collapsed, lines kept, at most one empty line between
    paragraphs; leading and trailing empty lines gone."""
    lines = [_INLINE_SPACE.sub(" ", line).strip() for line in _LINE_BREAK.split(text)]
    # One empty line separates paragraphs; more say nothing more.
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")
