"""nginx from Debian's package in front of two `popupstore serve` processes, configured by
deploy/nginx.conf (the file the README's deployment section shows): a visitor's whole
checkout on the kiosk form, over HTTPS, with the requests spread over both servers."""

from __future__ import annotations

import io
import re
import ssl
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from popupstore.basket.models import Checkout
from popupstore.extensions import db

from ..postgres import _free_port as free_port
from ..servers import NginxServer, self_signed_certificate
from .conftest import Browser, io_bytes

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "nginx.conf"
EXAMPLE_SERVERS = (
    "    server 10.0.0.11:8000 max_fails=3 fail_timeout=10s;\n"
    "    server 10.0.0.12:8000 max_fails=3 fail_timeout=10s;\n"
)


def site_for_tests(
    upstreams: list[int], http_port: int, https_port: int, certificate: Path, key: Path, log: Path
) -> str:
    """deploy/nginx.conf with the example's addresses, certificate and log replaced."""
    text = DEPLOY.read_text(encoding="utf-8")
    replacements = {
        EXAMPLE_SERVERS: "".join(
            f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n" for port in upstreams
        ),
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "/etc/letsencrypt/live/popupstore.example.nl/fullchain.pem": str(certificate),
        "/etc/letsencrypt/live/popupstore.example.nl/privkey.pem": str(key),
        "/var/log/nginx/popupstore.access.log": str(log),
    }
    for example, value in replacements.items():
        assert example in text, f"deploy/nginx.conf no longer has {example!r}"
        text = text.replace(example, value)
    return text


def test_the_readme_shows_the_nginx_configuration_the_tests_run():
    assert DEPLOY.read_text(encoding="utf-8") in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_checkout_walks_through_nginx_to_two_servers_over_https(app, store, serve, tmp_path):
    certificate, key = self_signed_certificate(tmp_path)
    http_port, https_port = free_port(), free_port()
    public = f"https://127.0.0.1:{https_port}"
    env = {"POPUPSTORE_BASE_URL": public, "POPUPSTORE_TRUSTED_PROXIES": "1"}
    with ThreadPoolExecutor(max_workers=2) as pool:
        servers = list(
            pool.map(
                lambda name: serve(workers=2, name=name, env=env, args=["--no-access-log"]),
                ("a", "b"),
            )
        )
    log = tmp_path / "nginx-access.log"
    site = site_for_tests(
        [server.port for server in servers], http_port, https_port, certificate, key, log
    )
    proxy = NginxServer.start(site, [http_port, https_port])
    try:
        before = {pid: io_bytes(pid) for server in servers for pid in server.worker_pids()}
        tablet = Browser(ssl.create_default_context(cafile=str(certificate)))

        start = tablet.get(f"{public}/")
        assert start.status == 200
        # The store saw the visitor's scheme through the one proxy it trusts.
        assert start.headers["Strict-Transport-Security"].startswith("max-age=")
        for slug, intent in (("geldfit", "want"), ("vroegsignalering", "have")):
            put = tablet.submit(
                f"{public}/product/{slug}", f"{public}/mandje/{slug}", {"intent": intent}
            )
            assert put.status == 302, put.text
        assert tablet.cookies and all(cookie.secure for cookie in tablet.cookies)

        fields = tablet.get(f"{public}/afrekenen").form("/afrekenen")
        fields.update(name="Anna Visser", organisation="Breda", share_contact="y")
        done = tablet.post(f"{public}/afrekenen", fields)
        assert done.status == 302, done.text
        # Not a kiosk: the device lands on its own receipt page, whose address it keeps.
        landed = re.fullmatch(r"(?:https://[^/]+)?/r/([A-Za-z0-9_-]+)", done.headers["Location"])
        assert landed, done.headers["Location"]
        token = landed.group(1)
        receipt = tablet.get(f"{public}/r/{token}")
        assert receipt.status == 200 and "Anna Visser" in receipt.text

        # The QR code takes the visitor to the public address, through the proxy.
        qr = tablet.get(f"{public}/r/{token}/qr.png")
        [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.body)))
        assert code.text == f"{public}/r/{token}"
        phone = Browser(ssl.create_default_context(cafile=str(certificate)))
        page = phone.get(code.text)
        assert page.status == 200 and "Anna Visser" in page.text

        # Plain HTTP is sent to HTTPS.
        plain = Browser().get(f"http://127.0.0.1:{http_port}/r/{token}")
        assert plain.status == 301
        assert plain.headers["Location"].startswith("https://127.0.0.1")

        # Both servers answered part of it.
        grew = {
            server.log.stem: sum(io_bytes(pid) - before[pid] for pid in server.worker_pids())
            for server in servers
        }
        assert all(amount > 1000 for amount in grew.values()), grew
    finally:
        proxy.stop()

    db.session.remove()
    [stored] = db.session.execute(select(Checkout).options(selectinload(Checkout.lines))).scalars()
    assert stored.visitor_name == "Anna Visser"
    assert sorted((line.product.slug, line.intent) for line in stored.lines) == [
        ("geldfit", "want"),
        ("vroegsignalering", "have"),
    ]
    db.session.rollback()
    # nginx's own log has every request, and no token.
    lines = log.read_text()
    assert "GET /r/[token]/qr.png HTTP/1.1" in lines and "POST /afrekenen HTTP/1.1" in lines
    assert token not in lines
