"""Reading a NetBox over its REST API, for the importer: read-only (GET only), through the SSRF-safe outbound
client (tenants.outbound), pages of `limit=1000` fetched by a bounded number of threads within a bounded rate."""

import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tenants.outbound import OutboundError, ResponseTooLarge, outbound_session

PAGE_SIZE = 1000
# NetBox versions whose REST API the importer reads (their shapes are what it converts).
SUPPORTED = ((4, 2), (4, 7))
MAX_PAGE_BYTES = 64 * 1024 * 1024  # a page of 1,000 devices is a few megabytes
RETRIES = 2


class NetBoxUnavailable(Exception):
    """The NetBox cannot be read: unreachable, a refused token, an unsupported version; says which."""


class NotServed(Exception):
    """This NetBox does not serve the path (an older version without the model), or the token may not read it."""


def normalized_url(url: str) -> str:
    """The NetBox's base URL as the importer keeps it: scheme, host, port and any base path, no trailing
    slash or `/api` (both are accepted)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NetBoxUnavailable(f"{url!r} is not a NetBox URL: give it as https://netbox.example.com")
    if parts.username is not None or parts.password is not None:
        # HTTP clients turn `user:password@` into Basic authentication, which would replace the token.
        raise NetBoxUnavailable(
            "Give NetBox's URL without a user name or password: the importer signs in with the API token alone."
        )
    path = re.sub(r"/api/?$", "", parts.path.rstrip("/"))
    return f"{parts.scheme}://{parts.netloc}{path}"


def authorization(token: str) -> str:
    """The Authorization header for a NetBox token: v2 tokens (`nbt_...`) are Bearer tokens, v1 tokens `Token`."""
    token = token.strip()
    if not token:
        raise NetBoxUnavailable("No NetBox API token given.")
    return f"Bearer {token}" if token.startswith("nbt_") else f"Token {token}"


class _Rate:
    """At most `per_second` requests start per second, across threads."""

    def __init__(self, per_second: float):
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.lock = threading.Lock()
        self.next = 0.0

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next)
            self.next = start + self.interval
        if start > now:
            time.sleep(start - now)


@dataclass
class NetBoxClient:
    url: str
    token: str
    parallel: int = 4
    rate: float = 20.0
    timeout: float = 60.0
    requests: int = 0
    _local: threading.local = field(default_factory=threading.local)

    def __post_init__(self):
        self.url = normalized_url(self.url)
        self._headers = {"Authorization": authorization(self.token), "Accept": "application/json"}
        self._rate = _Rate(self.rate)
        self._count_lock = threading.Lock()
        self._slots = threading.Semaphore(max(1, self.parallel))  # requests in flight, whichever thread sends them

    def _session(self) -> Any:  # tenants.outbound's requests.Session
        session = getattr(self._local, "session", None)
        if session is None:
            session = outbound_session(allow_http=True, timeout=self.timeout, max_bytes=MAX_PAGE_BYTES)
            self._local.session = session
        return session

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET `/api/<path>` as JSON; NotServed for a 404 (or 403 on a list), NetBoxUnavailable otherwise."""
        url = f"{self.url}/api/{path}"
        last = ""
        for attempt in range(RETRIES + 1):
            self._rate.wait()
            with self._count_lock:
                self.requests += 1
            try:
                with self._slots:
                    response = self._session().get(url, params=params, headers=self._headers, allow_redirects=False)
            except ResponseTooLarge as error:
                raise NetBoxUnavailable(f"NetBox's answer to {url} is too large: {error}") from None
            except OutboundError as error:
                last = f"NetBox at {self.url} could not be reached: {error}"
            else:
                if response.status_code < 500:
                    return self._answer(url, path, response)
                last = f"NetBox answered {url} with HTTP {response.status_code}"
            if attempt < RETRIES:
                time.sleep(0.5 * (attempt + 1))
        raise NetBoxUnavailable(last)

    def _answer(self, url: str, path: str, response: Any) -> Any:
        if response.status_code in (401, 403):
            detail = _detail(response)
            if path == "status/" or "token" in detail.lower() or "credentials" in detail.lower():
                raise NetBoxUnavailable(f"NetBox refused the API token ({response.status_code}): {detail}")
            raise NotServed(f"the token may not read it ({detail})")
        if response.status_code == 404:
            raise NotServed("this NetBox does not serve it")
        if 300 <= response.status_code < 400:
            raise NetBoxUnavailable(
                f"NetBox redirected {url} to {response.headers.get('Location', '?')}: give the URL it redirects to"
            )
        if response.status_code != 200:
            raise NetBoxUnavailable(f"NetBox answered {url} with HTTP {response.status_code}: {_detail(response)}")
        try:
            return response.json()
        except ValueError:
            raise NetBoxUnavailable(f"NetBox's answer to {url} is not JSON: is {self.url} a NetBox?") from None

    def status(self) -> dict:
        """NetBox's /api/status/, once its version is one the importer reads (4.2 to 4.7)."""
        status = self.get("status/")
        version = str(status.get("netbox-version", "")) if isinstance(status, dict) else ""
        match = re.match(r"^(\d+)\.(\d+)", version)
        if match is None:
            raise NetBoxUnavailable(f"{self.url} does not say which NetBox version it is: is it a NetBox?")
        found = (int(match[1]), int(match[2]))
        if not SUPPORTED[0] <= found <= SUPPORTED[1]:
            low, high = (".".join(map(str, v)) for v in SUPPORTED)
            raise NetBoxUnavailable(f"NetBox {version} is not supported: the importer reads NetBox {low} to {high}.")
        return status

    def list(self, path: str, *, pool: ThreadPoolExecutor, on_page: Callable[[int], None] | None = None) -> list[dict]:
        """Every object of `/api/<path>/`, in NetBox's order: the first page, then the others in parallel."""
        first = self.get(f"{path}/", {"limit": PAGE_SIZE, "offset": 0})
        if not isinstance(first, dict) or not isinstance(first.get("results"), list):
            raise NetBoxUnavailable(f"NetBox's list {path} is not a page of results")
        results: list[dict] = list(first["results"])
        count = int(first.get("count") or 0)
        if on_page is not None:
            on_page(len(results))
        if first.get("next") and count > len(results):
            offsets = range(len(results), count, PAGE_SIZE)
            pages = pool.map(lambda offset: self.get(f"{path}/", {"limit": PAGE_SIZE, "offset": offset}), offsets)
            for page in pages:
                results.extend(page.get("results") or [])
                if on_page is not None:
                    on_page(len(results))
        seen: set = set()
        unique = []
        for item in results:  # an object created while paging may shift one into two pages
            if isinstance(item, dict) and item.get("id") not in seen:
                seen.add(item.get("id"))
                unique.append(item)
        return unique


def _detail(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and "detail" in body:
        return str(body["detail"])
    return str(body)[:200]
