"""The SSRF-safe client (tenants/outbound.py) over real sockets: local HTTP(S) servers in threads
of this process stand for internal services. There is no internet here, so public destinations
are checked with `address_allowed` alone."""

import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tenants.outbound import DestinationRefused, ResponseTooLarge, address_allowed, host_check, outbound_session
from tests.identity_providers import key_pair

BODY_LIMIT = 1000


class LocalServer:
    """An internal service: records the paths it was asked for."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None):
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def do_GET(self):
                url = urlsplit(self.path)
                server.hits.append(url.path)
                if url.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", parse_qs(url.query)["to"][0])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if url.path == "/slow":
                    time.sleep(2)
                body = b"x" * (BODY_LIMIT + 1) if url.path.startswith("/big") else f"hello from {host}".encode()
                self.send_response(200)
                if url.path != "/big-undeclared":  # then the body ends when the connection closes
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://{host}:{self.port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def server():
    local = LocalServer()
    yield local
    local.stop()


@pytest.fixture
def other_server(server):
    """Another internal service, on 127.0.0.2 (all of 127.0.0.0/8 is loopback on Linux), same port."""
    local = LocalServer("127.0.0.2", server.port)
    yield local
    local.stop()


@pytest.fixture(autouse=True)
def production_policy(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    settings.OUTBOUND_ALLOWED_NETWORKS = []


# --- Which addresses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "2a00:1450:4001:82b::200e", "::ffff:8.8.8.8"],
)
def test_public_addresses_are_allowed(address):
    assert address_allowed(address)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.3.2.1", "::1",  # loopback
        "10.0.0.1", "172.16.5.4", "192.168.1.1", "fc00::1", "fd12:3456::1",  # private, unique-local
        "169.254.169.254", "fe80::1", "fe80::1%lo",  # link-local: cloud metadata
        "100.64.0.1", "100.127.255.254",  # CGNAT
        "224.0.0.1", "239.255.255.250", "ff02::1",  # multicast
        "0.0.0.0", "::", "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",  # noqa: S104 -- unspecified, reserved
        "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "::10.0.0.1",  # IPv4 inside IPv6
        "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1",  # NAT64 and 6to4 of 169.254.169.254
        "not an address",
    ],
)  # fmt: skip
def test_non_public_addresses_are_refused(address):
    assert not address_allowed(address)


def test_allowed_networks_open_only_themselves(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["10.20.0.0/16"]

    assert address_allowed("10.20.1.2")
    assert not address_allowed("10.21.1.2")
    assert not address_allowed("169.254.169.254")


def test_host_check_resolves_names():
    assert "127.0.0.1" in host_check("localhost")
    assert "not a public address" in host_check("169.254.169.254")
    assert "not a public address" in host_check("[::1]")
    assert host_check("8.8.8.8") is None
    assert host_check("no-such-host.invalid") is None  # connecting will tell


# --- Connections ------------------------------------------------------------------------------------


def test_the_client_refuses_internal_services_before_connecting(server):
    session = outbound_session(allow_http=True, timeout=5)

    for url in [
        f"{server.url}/hello",
        f"http://localhost:{server.port}/hello",
        f"http://[::1]:{server.port}/hello",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/latest/meta-data/",
        f"http://[::ffff:127.0.0.1]:{server.port}/hello",
    ]:
        with pytest.raises(DestinationRefused, match="not a public address"):
            session.get(url)

    assert server.hits == []


def test_with_private_networks_allowed_the_same_requests_go_through(server, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True

    response = outbound_session(allow_http=True).get(f"http://localhost:{server.port}/hello")

    assert response.status_code == 200
    assert response.text == "hello from 127.0.0.1"
    assert server.hits == ["/hello"]


def test_each_redirect_is_checked_again(server, other_server, settings):
    # given: only the first server is allowed
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    session = outbound_session(allow_http=True)

    # when it redirects to another internal address, then the redirect is not followed
    for target in [f"{other_server.url}/hello", "http://169.254.169.254/latest/meta-data/"]:
        with pytest.raises(DestinationRefused):
            session.get(f"{server.url}/redirect", params={"to": target})
    assert server.hits == ["/redirect", "/redirect"]
    assert other_server.hits == []

    # and once the other address is allowed too, the same redirect is followed
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    response = session.get(f"{server.url}/redirect", params={"to": f"{other_server.url}/hello"})
    assert response.text == "hello from 127.0.0.2"


def test_the_name_is_resolved_once_per_connection(server, other_server, settings, monkeypatch):
    """DNS rebinding: the checked answer is the address connected to, not a later one."""
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["127.0.0.1", "127.0.0.2", "127.0.0.2"])
    lookups = []

    def rebinding_dns(host, port, *args, **kwargs):
        if host == "rebind.test":
            lookups.append(host)
            host = next(answers)
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)

    response = outbound_session(allow_http=True).get(f"http://rebind.test:{server.port}/hello")

    assert response.text == "hello from 127.0.0.1"
    assert lookups == ["rebind.test"]
    assert other_server.hits == []
    with pytest.raises(DestinationRefused, match=r"rebind.test \(127.0.0.2\)"):
        outbound_session(allow_http=True).get(f"http://rebind.test:{server.port}/hello")


def test_only_http_and_https(server, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    session = outbound_session(allow_http=False)

    with pytest.raises(DestinationRefused, match="Only https"):
        session.get(f"{server.url}/hello")
    for url in ["file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1:6379/_INFO"]:
        with pytest.raises(requests.exceptions.InvalidSchema):
            session.get(url)
    with pytest.raises(requests.exceptions.InvalidSchema):
        outbound_session(allow_http=True).get(f"{server.url}/redirect", params={"to": "file:///etc/passwd"})
    assert server.hits == ["/redirect"]


def test_proxies_from_the_environment_are_ignored_and_explicit_ones_refused(server, settings, monkeypatch):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    session = outbound_session(allow_http=True)

    assert session.get(f"{server.url}/hello").status_code == 200
    with pytest.raises(DestinationRefused, match="proxies"):
        session.get(f"{server.url}/hello", proxies={"http": "http://10.9.9.9:3128"})


def test_bodies_larger_than_the_limit_are_refused(server, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    session = outbound_session(allow_http=True, max_bytes=BODY_LIMIT)

    for path in ["/big", "/big-undeclared"]:
        with pytest.raises(ResponseTooLarge):
            session.get(f"{server.url}{path}")
    assert session.get(f"{server.url}/hello").text == "hello from 127.0.0.1"


def test_there_is_always_a_timeout(server, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    settings.OUTBOUND_HTTP_TIMEOUT = 0.5

    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        outbound_session(allow_http=True).get(f"{server.url}/slow")
    assert time.monotonic() - started < 1.5


# --- TLS ----------------------------------------------------------------------------------------------


@pytest.fixture
def tls_server(tmp_path):
    """An https server whose certificate names only `localhost` (not 127.0.0.1)."""
    keys = key_pair("localhost", tls_hosts=("localhost",))
    certificate_file = tmp_path / "localhost.pem"
    key_file = tmp_path / "localhost.key"
    certificate_file.write_bytes(keys.certificate_pem)
    key_file.write_bytes(keys.private_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate_file, key_file)
    local = LocalServer(tls=context)
    local.ca_bundle = str(certificate_file)
    yield local
    local.stop()


def test_tls_is_verified_against_the_host_name_not_the_address_connected_to(tls_server, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    session = outbound_session()

    response = session.get(f"https://localhost:{tls_server.port}/hello", verify=tls_server.ca_bundle)

    assert response.text == "hello from 127.0.0.1"
    with pytest.raises(requests.exceptions.SSLError):  # the certificate does not name 127.0.0.1
        session.get(f"https://127.0.0.1:{tls_server.port}/hello", verify=tls_server.ca_bundle)
    with pytest.raises(requests.exceptions.SSLError):  # nor is it trusted by default
        session.get(f"https://localhost:{tls_server.port}/hello")
