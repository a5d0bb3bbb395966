"""A DNS server on loopback for the SSO email domain verification tests: Wirebook's resolver
(SSO_DNS_NAMESERVERS) asks it over real UDP, as it would ask a recursive resolver, and gets what
the test published -- TXT records, NXDOMAIN for unknown names, SERVFAIL, or no answer at all.

    def test_something(dns):
        dns.publish("a.example", "wirebook-verification=...")
        dns.mode = "timeout"  # or "servfail"
"""

import socket
import threading

import pytest
from dnslib import QTYPE, RCODE, RR, TXT, DNSRecord


class LoopbackDNS:
    def __init__(self):
        self.records: dict[str, list[str]] = {}
        self.mode: str | None = None  # None answers; "timeout" never replies; "servfail" fails
        self.queries: list[tuple[str, str]] = []
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._socket is not None
        return self._socket.getsockname()[1]

    def start(self) -> "LoopbackDNS":
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._serve, name="loopback-dns", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._socket is not None:
            self._socket.close()

    def reset(self) -> None:
        self.records.clear()
        self.queries.clear()
        self.mode = None

    def publish(self, name: str, text: str) -> None:
        self.records.setdefault(name.lower().rstrip("."), []).append(text)

    def unpublish(self, name: str) -> None:
        self.records.pop(name.lower().rstrip("."), None)

    def _answer(self, data: bytes) -> bytes | None:
        request = DNSRecord.parse(data)
        name = str(request.q.qname).rstrip(".").lower()
        self.queries.append((name, QTYPE[request.q.qtype]))
        if self.mode == "timeout":
            return None
        reply = request.reply()
        if self.mode == "servfail":
            reply.header.rcode = RCODE.SERVFAIL
        elif name not in self.records:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for text in self.records[name]:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(text), ttl=60))
        return reply.pack()

    def _serve(self) -> None:
        assert self._socket is not None
        while True:
            try:
                data, peer = self._socket.recvfrom(4096)
            except OSError:
                return  # closed
            try:
                answer = self._answer(data)
            except Exception:  # noqa: S112 -- a malformed query gets no answer, as on the wire
                continue
            if answer is not None:
                self._socket.sendto(answer, peer)


_server: LoopbackDNS | None = None


def loopback_dns() -> LoopbackDNS:
    """The process's loopback DNS server, started on first use."""
    global _server
    if _server is None:
        _server = LoopbackDNS().start()
    return _server


@pytest.fixture
def dns(settings):
    """The loopback DNS server, emptied, as Wirebook's resolver (one-second lookups)."""
    server = loopback_dns()
    server.reset()
    settings.SSO_DNS_NAMESERVERS = [("127.0.0.1", server.port)]
    settings.SSO_DNS_TIMEOUT = 1
    yield server
    server.reset()
