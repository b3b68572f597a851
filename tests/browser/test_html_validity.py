"""Every HTML page the browser tests were sent is valid HTML: the Nu Html Checker (vnu.jar,
the W3C's checker) finds no error in any of them.

The live servers keep each distinct document they send (tests/browser/nu_checker.py); this
module runs after every other browser test (tests/browser/conftest.py orders it last) and
checks them all in one run of the checker. The documents are left under
tests/browser/artifacts/html/ to look at. Under pytest-xdist the browser tests must share
one worker (`--dist loadgroup`, as `make test` runs them), or this sees only a share.
"""

from __future__ import annotations

from .conftest import ARTIFACTS
from .nu_checker import SERVED_DOCUMENTS, ServedDocument, ServedDocuments, nu_errors

# A page that breaks two of the rules the store's own pages once broke.
INVALID = b"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Bon</title></head>
<body><h1>Kassabon</h1><h3>Gesprekspartners</h3>
<p><time datetime="2026-11-12 10:15:00.123456">12 november</time></p></body></html>
"""
VALID = INVALID.replace(b"<h3>Gesprekspartners</h3>", b"<h2>Gesprekspartners</h2>").replace(
    b".123456", b""
)


def test_the_checker_reports_what_is_invalid_and_passes_what_is_not(tmp_path):
    served = ServedDocuments()
    served.record("GET", "/r/fout", "text/html; charset=utf-8", INVALID)
    served.record("GET", "/r/goed", "text/html; charset=utf-8", VALID)
    # Fragments polled by staff screens and other content types are not documents.
    served.record("GET", "/live", "text/html; charset=utf-8", b"<li>3 bezoekers</li>")
    served.record("GET", "/x.json", "application/json", b"<!doctype html>")
    served.record("GET", "/r/goed", "text/html; charset=utf-8", VALID)
    assert [document.request for document in served.documents] == ["GET /r/fout", "GET /r/goed"]

    errors = nu_errors(served.documents, tmp_path / "html")
    assert {error.request for error in errors} == {"GET /r/fout"}
    messages = " ".join(error.message for error in errors)
    assert "datetime" in messages and "fraction of a second" in messages
    assert "h3" in messages and "skipping 1 heading level" in messages
    assert len(errors) == 2


def test_every_page_the_browser_tests_were_sent_is_valid_html():
    documents: list[ServedDocument] = list(SERVED_DOCUMENTS.documents)
    assert documents, (
        "No page was recorded: this test checks what the other browser tests were sent, "
        "so run it with them (pytest tests/browser)."
    )
    errors = nu_errors(documents, ARTIFACTS / "html")
    pages = len(SERVED_DOCUMENTS.requests())
    # The same error on the same page is listed once, with one of its documents.
    first_of_each = {(error.request, error.message): error for error in reversed(errors)}
    assert not errors, (
        f"{len(errors)} HTML errors in {len(documents)} documents of {pages} pages:\n"
        + "\n".join(str(error) for error in sorted(first_of_each.values(), key=str))
    )
