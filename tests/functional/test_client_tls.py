"""A certificate failure says it is a certificate failure, not "could not connect".

A loopback HTTPS server with a self-signed certificate made in the test (the `cryptography`
package): the client, which trusts only the system's CAs for https, must say the certificate could
not be verified and why, and not try again (a certificate does not fix itself in a second).
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from faults import DEMO_AUTH, NOT_PLAIN, RecordingSleep

from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import NetworkError
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.sites import custom_site
from heatmap_tui.devserver import DevServer


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


class Answer(BaseHTTPRequestHandler):
    served = 0

    def do_GET(self) -> None:
        Answer.served += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[str]:
    cert_file, key_file = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    Answer.served = 0
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


async def test_a_self_signed_certificate_is_named_as_the_problem(tls_server: str) -> None:
    sleep = RecordingSleep()
    async with DatadogClient(custom_site(tls_server), DEMO_AUTH, sleep=sleep) as client:
        with pytest.raises(NetworkError) as info:
            await RumService(client).list_applications()
    text = str(info.value)
    assert text.startswith(f"Could not list the RUM applications on {tls_server}: "), text
    assert "TLS certificate could not be verified (self-signed certificate)" in text, text
    assert "could not connect" not in text
    assert not any(bad in text for bad in NOT_PLAIN), text
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert sleep.waits == [] and Answer.served == 0  # not retried, and no request got through


async def test_https_to_a_plain_http_server_is_a_tls_failure(devserver: DevServer) -> None:
    url = devserver.url.replace("http://", "https://")
    sleep = RecordingSleep()
    async with DatadogClient(custom_site(url), DEMO_AUTH, sleep=sleep) as client:
        with pytest.raises(NetworkError) as info:
            await RumService(client).list_applications()
    assert f"the TLS handshake with {url} failed" in str(info.value)
    assert sleep.waits == []
