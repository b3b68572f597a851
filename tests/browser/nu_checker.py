"""The HTML documents the browser tests' live servers send, and the Nu Html Checker over them.

`LiveServer` hands every text/html answer to `SERVED_DOCUMENTS`; test_html_validity.py,
which runs after the other browser tests, checks them all with vnu.jar (installed by
`make install-test` from tests/browser/vnu/package-lock.json) on the machine's Java.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

VNU_JAR = Path(__file__).parent / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
DOCTYPE = re.compile(rb"\s*<!doctype html", re.IGNORECASE)


@dataclass(frozen=True)
class ServedDocument:
    request: str  # "GET /producten?thema=digitaal"
    body: bytes


@dataclass
class ServedDocuments:
    """Every distinct HTML document the servers sent, in the order they were first sent.

    Only whole documents (starting with a doctype) are kept: the fragments that staff
    screens poll for are parts of pages that were checked whole. The same bytes at the
    same request are kept once.
    """

    documents: list[ServedDocument] = field(default_factory=list)
    _seen: set[tuple[str, str]] = field(default_factory=set)
    # The live servers answer on several threads.
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, method: str, path: str, content_type: str, body: bytes) -> None:
        if not content_type.startswith("text/html") or not DOCTYPE.match(body):
            return
        request = f"{method} {path}"
        key = (request, hashlib.sha256(body).hexdigest())
        with self._lock:
            if key not in self._seen:
                self._seen.add(key)
                self.documents.append(ServedDocument(request, body))

    def requests(self) -> set[str]:
        return {document.request for document in self.documents}


# Filled by every LiveServer of this test process.
SERVED_DOCUMENTS = ServedDocuments()


@dataclass(frozen=True)
class NuError:
    request: str
    file: str
    line: int | None
    message: str
    extract: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{self.request} ({where}): {self.message}\n    {self.extract.strip()!r}"


def java() -> str:
    found = shutil.which("java")
    if found is None:
        raise AssertionError("Java is missing: apt-get install default-jre-headless")
    return found


def vnu_jar() -> Path:
    if not VNU_JAR.exists():
        raise AssertionError(f"{VNU_JAR} is missing: run `make install-test` (npm ci)")
    return VNU_JAR


def nu_errors(documents: list[ServedDocument], folder: Path) -> list[NuError]:
    """Write each document into `folder` and return every error the Nu Html Checker finds."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    requests: dict[str, str] = {}
    for number, document in enumerate(documents, start=1):
        slug = re.sub(r"[^A-Za-z0-9]+", "-", document.request).strip("-")[:80]
        path = folder / f"{number:04d}-{slug}.html"
        path.write_bytes(document.body)
        requests[path.name] = document.request
    result = subprocess.run(
        [
            java(),
            "-jar",
            str(vnu_jar()),
            "--errors-only",
            "--format",
            "json",
            "--stdout",
            "--exit-zero-always",
            *sorted(str(path) for path in folder.iterdir()),
        ],
        capture_output=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    report = json.loads(result.stdout)
    errors = []
    for message in report["messages"]:
        # vnu names each file by a file: URL; its last part is the name written above.
        name = message.get("url", "").rsplit("/", 1)[-1]
        errors.append(
            NuError(
                request=requests.get(name, "?"),
                file=name,
                line=message.get("lastLine"),
                message=f"{message['type']}: {message['message']}",
                extract=message.get("extract", ""),
            )
        )
    return errors
