"""The one HTTP client for requests to addresses that users choose (STYLE: "Outbound HTTP goes
through one SSRF-safe client"): an organization's OpenID Connect issuer today, webhooks later.

An admin of any organization can type a URL; without care Wirebook's server would fetch it from
inside our network (cloud metadata at 169.254.169.254, Redis, PostgreSQL, admin ports on
localhost). `outbound_session()` is a `requests.Session` that:

- connects only to public addresses: each connection resolves the host name once, refuses it if
  any of its addresses is loopback, private (RFC 1918, fc00::/7), link-local, CGNAT
  (100.64.0.0/10), multicast, reserved or unspecified (IPv4 embedded in IPv6 counts as the IPv4
  address), and connects to the address it checked, so a second DNS answer cannot slip in
  between (DNS rebinding). TLS still verifies the certificate against the host name (SNI too);
- checks every redirect hop the same way (each hop is a new connection through this adapter);
- speaks https, and http only where the caller allows it; other schemes are refused by requests;
- always has a timeout (`OUTBOUND_HTTP_TIMEOUT` unless the caller gives one), never uses proxies
  or credentials from the environment, and reads at most `max_bytes` of each response body.

`OUTBOUND_ALLOW_PRIVATE_NETWORKS` lifts the address check (development and the test suite, whose
identity providers listen on 127.0.0.1); `OUTBOUND_ALLOWED_NETWORKS` lifts it for listed networks
only (a self-hosted identity provider on the company network).

Refusals raise `DestinationRefused`, a `requests.ConnectionError`: code that handles "the server
could not be reached" (allauth does) handles them too.
"""

import ipaddress
import logging
import socket
import sys
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from requests import ConnectionError as RequestsConnectionError
from requests import PreparedRequest, RequestException, Response, Session
from requests.adapters import HTTPAdapter
from requests.utils import select_proxy
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

__all__ = [
    "DestinationRefused",
    "OutboundError",
    "ResponseTooLarge",
    "address_allowed",
    "host_check",
    "outbound_session",
]

logger = logging.getLogger(__name__)

OutboundError = RequestException  # anything an outbound request can raise, refusals included
MAX_RESPONSE_BYTES = 1024 * 1024  # discovery documents and key sets are a few kilobytes
CHUNK_BYTES = 64 * 1024
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # reaches the IPv4 address in its last 32 bits


class DestinationRefused(RequestsConnectionError):
    """Wirebook does not send requests there (a non-public address, a refused scheme)."""


class ResponseTooLarge(RequestException):
    """The response body is larger than the session's `max_bytes`."""


class _RefusedConnection(NewConnectionError):
    """The refusal inside urllib3, turned into `DestinationRefused` by the adapter."""

    def __init__(self, conn: HTTPConnection, refusal: str) -> None:
        self.refusal = refusal
        super().__init__(conn, refusal)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@lru_cache(maxsize=1)
def _allowed_networks(
    networks: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(network, strict=False) for network in networks)


def _explicitly_allowed(address: IPAddress) -> bool:
    if settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS:
        return True
    networks = _allowed_networks(tuple(settings.OUTBOUND_ALLOWED_NETWORKS))
    return any(address.version == network.version and address in network for network in networks)


def _public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return _public(embedded)
    if address in CGNAT:
        return False
    # Each property on its own: which ranges `is_private`/`is_global` cover changed across Python 3.11 patches.
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )


def address_allowed(address: str | IPAddress) -> bool:
    """Whether Wirebook may connect to `address` (an IP address, no DNS involved)."""
    if isinstance(address, str):
        try:
            address = ipaddress.ip_address(address.strip("[]"))
        except ValueError:
            return False
    return _public(address) or _explicitly_allowed(address)


def _refusal(host: str, addresses: Iterable[str]) -> str | None:
    refused = sorted({address for address in addresses if not address_allowed(address)})
    if not refused:
        return None
    where = host if refused == [host] else f"{host} ({', '.join(refused)})"
    return f"{where} is not a public address: Wirebook does not connect to private, loopback or reserved addresses."


def host_check(host: str) -> str | None:
    """Why Wirebook would refuse to connect to `host` (a name or an IP address), or None.

    For telling an admin early (when they save a URL); connections check again by themselves. A
    name that does not resolve now is not refused here: connecting will tell."""
    host = host.strip("[]").rstrip(".")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        try:
            addresses = [str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]
        except (OSError, UnicodeError):
            return None
    else:
        addresses = [host]
    return _refusal(host, addresses)


def _connect_checked(connection: HTTPConnection) -> socket.socket:
    """Resolve the connection's host once, refuse non-public answers, connect to a checked address."""
    host, port = connection._dns_host, connection.port
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, urllib3_connection.allowed_gai_family(), socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise NameResolutionError(connection.host, connection, error) from error
    except UnicodeError as error:
        raise NewConnectionError(connection, f"Invalid host name {host!r}") from error
    refusal = _refusal(connection.host, [str(info[4][0]) for info in infos])
    if refusal is not None:
        logger.warning("outbound request refused: %s", refusal)
        raise _RefusedConnection(connection, refusal)
    last_error: OSError | None = None
    for info in infos:
        try:
            sock = urllib3_connection.create_connection(
                (str(info[4][0]), port),  # an address literal: no second DNS lookup
                connection.timeout,
                source_address=connection.source_address,
                socket_options=connection.socket_options,
            )
        except OSError as error:
            last_error = error
        else:
            sys.audit("http.client.connect", connection, connection.host, connection.port)
            return sock
    if isinstance(last_error, TimeoutError):
        raise ConnectTimeoutError(
            connection, f"Connection to {connection.host} timed out. (connect timeout={connection.timeout})"
        ) from last_error
    raise NewConnectionError(connection, f"Failed to establish a new connection: {last_error}") from last_error


class _CheckedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _connect_checked(self)


class _CheckedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _connect_checked(self)


class _CheckedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _OutboundAdapter(HTTPAdapter):
    def __init__(self, *, timeout: float, allow_http: bool, max_bytes: int) -> None:
        self.timeout = timeout
        self.allow_http = allow_http
        self.max_bytes = max_bytes
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPConnectionPool,
            "https": _CheckedHTTPSConnectionPool,
        }

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: dict[str, str] | None = None,
    ) -> Response:
        url = request.url or ""
        if urlsplit(url).scheme.lower() != "https" and not self.allow_http:
            raise DestinationRefused("Only https:// URLs are allowed here.", request=request)
        if select_proxy(url, proxies or {}):
            raise DestinationRefused("Outbound requests do not go through proxies.", request=request)
        try:
            response = super().send(
                request,
                stream=True,
                timeout=self.timeout if timeout is None else timeout,
                verify=verify,
                cert=cert,
                proxies=None,
            )
        except RequestsConnectionError as error:
            reason = getattr(error.args[0] if error.args else None, "reason", None)
            if isinstance(reason, _RefusedConnection):
                raise DestinationRefused(reason.refusal, request=request) from None
            raise
        self._read_limited(response)
        return response

    def _read_limited(self, response: Response) -> None:
        """Read the body now, refusing more than `max_bytes` (counted after decompression)."""
        declared = response.headers.get("Content-Length", "")
        body = bytearray()
        if not declared.isdigit() or int(declared) <= self.max_bytes:
            for chunk in response.iter_content(CHUNK_BYTES):
                body += chunk
                if len(body) > self.max_bytes:
                    break
            else:
                response._content = bytes(body)  # as requests does when it reads a body itself
                return
        response.close()
        raise ResponseTooLarge(f"The response is larger than {self.max_bytes} bytes: {response.url}", response=response)


def outbound_session(
    *, allow_http: bool = False, timeout: float | None = None, max_bytes: int = MAX_RESPONSE_BYTES
) -> Session:
    """A `requests.Session` for URLs that users chose (see the module docstring)."""
    session = Session()
    session.trust_env = False  # no proxies, .netrc credentials or CA bundles from the environment
    adapter = _OutboundAdapter(
        timeout=settings.OUTBOUND_HTTP_TIMEOUT if timeout is None else timeout,
        allow_http=allow_http,
        max_bytes=max_bytes,
    )
    session.adapters.clear()  # only http(s), and only through the checking adapter
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
