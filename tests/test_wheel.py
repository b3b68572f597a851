"""The built wheel carries the top-level templates, migrations and seed catalog."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]

RENDER = """
import sys
from popupstore import create_app
from popupstore.db_setup import upgrade_schema
from popupstore.demo import bootstrap_demo
from popupstore.extensions import db

app = create_app({"SECRET_KEY": "wheel", "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1]},
                 instance_path=sys.argv[2])
with app.app_context():
    bootstrap_demo()
    db.session.commit()
page = app.test_client().get("/")
assert page.status_code == 200, page.status_code
html = page.get_data(as_text=True)
assert "Welkom in de pop-up store" in html, html[:500]
assert "Vroegsignalering" in html
# The compiled English catalog travels in the wheel too.
client = app.test_client()
with client.session_transaction() as session:
    session["lang"] = "en"
english = client.get("/").get_data(as_text=True)
assert "Welcome to the pop-up store" in english, english[:500]
import popupstore
print(popupstore.__file__)
"""


def test_wheel_installs_into_a_fresh_venv_and_renders_the_start_page(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    [wheel] = dist.glob("popupstore-*.whl")
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
        timeout=900,
    )
    result = subprocess.run(
        [str(python), "-c", RENDER, str(tmp_path / "w.db"), str(tmp_path / "instance")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert str(target) in result.stdout
