"""The English catalog is complete and compiled: every Dutch msgid in the code has a translation.

New text without a translation fails here; `make messages` extracts and merges, then the
new entries of popupstore/translations/en/LC_MESSAGES/messages.po need an English text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "popupstore" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO_FILE = PO_FILE.with_suffix(".mo")
TEMPLATES = ROOT / "templates"


def _keywords() -> list[str]:
    """The extraction keywords of `make messages`, so both always extract the same."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = re.search(r"^BABEL_KEYWORDS := (.+)$", makefile, re.MULTILINE)
    assert line, "Makefile lost its BABEL_KEYWORDS line"
    return line.group(1).split()


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    target = tmp_path_factory.mktemp("i18n") / "messages.pot"
    args = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), *_keywords()]
    args += ["-o", str(target), str(ROOT)]
    CommandLineInterface().run(args)
    with target.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def english() -> Catalog:
    with PO_FILE.open("rb") as handle:
        return read_po(handle)


def _ids(catalog: Catalog) -> set[object]:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def test_extraction_finds_the_store_texts(extracted):
    ids = _ids(extracted)
    # A broken babel.cfg would extract nothing and make the other checks pass vacuously.
    assert "Welkom in de pop-up store" in ids  # a template
    assert "Je voornaam" in ids  # lazy_gettext in a form
    assert ("%(num)d product", "%(num)d producten") in ids  # a plural
    assert len(ids) > 200


def test_every_message_in_the_code_is_in_the_english_catalog(extracted, english):
    missing = sorted(map(str, _ids(extracted) - _ids(english)))
    assert missing == [], "run `make messages` and translate: " + "; ".join(missing)


def test_the_english_catalog_holds_no_messages_the_code_no_longer_uses(extracted, english):
    stale = sorted(map(str, _ids(english) - _ids(extracted)))
    assert stale == [], "run `make messages` to drop: " + "; ".join(stale)


def test_every_message_is_translated_and_not_fuzzy(english):
    untranslated = []
    for message in english:
        if not message.id:
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy or not all(s.strip() for s in strings):
            untranslated.append(str(message.id))
    assert untranslated == []


def test_translations_keep_their_placeholders(english):
    problems = [(str(message.id), [str(e) for e in errors]) for message, errors in english.check()]
    assert problems == []


def test_the_compiled_catalog_matches_the_po_file(english):
    with MO_FILE.open("rb") as handle:
        compiled = read_mo(handle)
    expected = {m.id if isinstance(m.id, str) else tuple(m.id): m.string for m in english if m.id}
    found = {
        m.id if isinstance(m.id, str) else tuple(m.id): m.string
        if isinstance(m.string, str)
        else tuple(m.string)
        for m in compiled
        if m.id
    }
    expected = {k: v if isinstance(v, str) else tuple(v) for k, v in expected.items()}
    assert found == expected, "the .mo is stale: run `make translations` and commit it"


class _VisibleText(HTMLParser):
    """Text a person would see or hear, left after the Jinja expressions are cut out."""

    SPOKEN_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label", "aria-roledescription")

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("code", "script", "style", "svg"):
            self._skip += 1
        for name, value in attrs:
            if name in self.SPOKEN_ATTRIBUTES and value and re.search(r"[^\W\d_]", value):
                self.found.append(f"{name}={value!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("code", "script", "style", "svg") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and re.search(r"[^\W\d_]", data):
            self.found.append(data.strip())


def _without_jinja(source: str) -> str:
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.DOTALL)
    # The body_class block holds CSS class names, not text.
    source = re.sub(r"\{%-?\s*block body_class\s*-?%\}.*?\{%", "{%", source, flags=re.DOTALL)
    source = re.sub(r"\{%.*?%\}", " ", source, flags=re.DOTALL)
    return re.sub(r"\{\{.*?\}\}", " ", source, flags=re.DOTALL)


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_show_no_text_outside_gettext(template):
    parser = _VisibleText()
    parser.feed(_without_jinja(template.read_text(encoding="utf-8")))
    assert parser.found == []


def _texts(message: Message) -> str:
    ids = [message.id] if isinstance(message.id, str) else list(message.id)
    strings = [message.string] if isinstance(message.string, str) else list(message.string)
    return " ".join(s for s in (*ids, *strings) if s).lower()


def test_the_thing_on_the_shelves_is_a_product_in_both_languages(english):
    # One term per thing: a "product" (an "aanpak" or "approach" only in the one sentence
    # on the start page that says what the products are), and a "bon", never a "kassabon".
    explaining = [m for m in english if m.id and re.search(r"aanpak|approach", _texts(m))]
    assert len(explaining) == 1, [m.id for m in explaining]
    [sentence] = explaining
    assert "producten: aanpakken" in sentence.id and "products: approaches" in sentence.string
    assert not [m.id for m in english if m.id and "kassabon" in _texts(m)]
