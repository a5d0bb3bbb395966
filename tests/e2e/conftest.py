"""Browser tests: headless Chromium (Debian's, `make browsers`) driven by Playwright against a
live Wirebook server.

Fixtures (see docs/development.md):
- `wirebook`: the live server (tests/live_server.py) for the whole session, on the test
  database, writing its emails into a folder (EMAIL_FILE_PATH), trusting one proxy hop, so
  that each browser context sends its own client address and rate limits never add up, and
  accepting http:// OpenID Connect issuers (SSO_ALLOW_INSECURE_HTTP) on loopback
  (OUTBOUND_ALLOW_PRIVATE_NETWORKS, set by tests/live_server.py) for the local providers.
- `outbox`: the emails the server wrote during this test (`harness.Outbox`).
- `wirebook_media`: the server's MEDIA_ROOT, a folder of the session (the files it stored).
- `accounts`: verified users and organizations made through our services, committed and
  removed after the test (`harness.Accounts`); the test may use the ORM freely.
- `page`: a page in a fresh browser context whose relative URLs go to the server;
  `new_page()` opens another one with its own cookies (a second person).
- `shot(page, "step")`: a screenshot, `artifacts/e2e/<test>/NN-step.png`; a failing test
  also leaves `NN-failure.png` of every page it opened.
"""

import os
import re
import secrets
import shutil
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from tests.dns_server import loopback_dns
from tests.e2e.harness import Accounts, Outbox
from tests.live_server import ROOT, attach_server_log, live_server

CHROMIUM = os.environ.get("WIREBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "artifacts" / "e2e"
UNSAFE_IN_FILE_NAMES = re.compile(r"[^\w.-]+")
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def wirebook_mail(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("wirebook-mail")


@pytest.fixture(scope="session")
def wirebook_media(tmp_path_factory) -> Path:
    """The server's MEDIA_ROOT: the files it stores (image attachments, exports) land here, not in .data/."""
    return tmp_path_factory.mktemp("wirebook-media")


# A tile server no browser test reaches: pages route its requests (page.route) to a picture of their own.
MAP_TILES_URL = "https://tiles.wirebook.test/{z}/{x}/{y}.png"


@pytest.fixture(scope="session")
def wirebook(django_db_setup, tmp_path_factory, wirebook_mail, wirebook_media):
    environment = {
        "EMAIL_FILE_PATH": str(wirebook_mail),
        "MEDIA_ROOT": str(wirebook_media),
        "TRUSTED_PROXY_COUNT": "1",
        # The identity providers of the SSO tests (tests/identity_providers.py) speak plain http.
        "SSO_ALLOW_INSECURE_HTTP": "true",
        # SSO email domains are verified against the DNS server on loopback (tests/dns_server.py).
        "SSO_DNS_NAMESERVERS": f"127.0.0.1:{loopback_dns().port}",
        "SSO_DNS_TIMEOUT": "1",
        # Objects with coordinates draw a map; the tests answer its tiles (tests/e2e/test_detail_pages.py).
        "WIREBOOK_MAP_TILES_URL": MAP_TILES_URL,
    }
    with live_server(tmp_path_factory.mktemp("wirebook-e2e"), env=environment) as server:
        yield server


@pytest.fixture
def outbox(wirebook, wirebook_mail) -> Outbox:
    box = Outbox(wirebook_mail)
    box.clear()
    return box


@pytest.fixture
def accounts(tenants, django_db_blocker):
    """(Depends on `tenants` like `committed`: the session's database and organizations exist first.)"""
    with django_db_blocker.unblock():
        helper = Accounts()
        try:
            yield helper
        finally:
            helper.cleanup()


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. While Playwright runs, its event loop is the running loop of
    this thread: Django refuses ORM calls unless told they are safe (they are: the tests are
    synchronous), and keeps the connections opened meanwhile apart from the thread's own. So it
    runs for one module only; the permission ends with it and those connections are closed."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make browsers` (Debian's chromium) or set WIREBOOK_CHROMIUM")
    expect.set_options(timeout=TIMEOUT_MS)
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()  # else the test database could not be dropped at the end


def _client_address() -> str:
    """A documentation address (RFC 5737) for one browser: only ever sent as X-Forwarded-For."""
    return f"{secrets.choice(['192.0.2', '198.51.100', '203.0.113'])}.{secrets.randbelow(254) + 1}"


@pytest.fixture
def shot(request):
    """`shot(page, "step")` saves artifacts/e2e/<test>/NN-step.png (the folder is emptied first)."""
    directory = ARTIFACTS / UNSAFE_IN_FILE_NAMES.sub("_", request.node.name)
    shutil.rmtree(directory, ignore_errors=True)
    counter = 0

    def take(page: Page, step: str) -> Path:
        nonlocal counter
        counter += 1
        path = directory / f"{counter:02d}-{UNSAFE_IN_FILE_NAMES.sub('-', step)}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


# Runs in every page before its own scripts (not subject to the page's policy): reports each
# Content-Security-Policy violation on the console, where `new_page` collects them.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("Content Security Policy violation: " + event.violatedDirective + " blocked "
                + (event.blockedURI || "inline") + " in " + event.documentURI);
});
"""


@pytest.fixture
def csp_violations() -> list[str]:
    """The Content-Security-Policy violations the browser reported in this test's pages."""
    return []


@pytest.fixture
def new_page(browser: Browser, wirebook, shot, request, csp_violations):
    """`new_page()`: a page in a new browser context (own cookies, own client address).

    Every test fails when a page broke the Content-Security-Policy (something the browser
    refused: an inline script or style, a form sent elsewhere...), as it did not work as written."""
    attach_server_log(request, wirebook)
    contexts = []

    def collect(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            csp_violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def open_page() -> Page:
        context = browser.new_context(
            base_url=wirebook.base_url,
            viewport={"width": 1280, "height": 800},
            extra_http_headers={"X-Forwarded-For": _client_address()},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("console", collect)
        contexts.append(context)
        return context.new_page()

    yield open_page
    report = getattr(request.node, "e2e_call_report", None)
    for context in contexts:
        if report is not None and report.failed:
            for page in context.pages:
                shot(page, "failure")
        context.close()
    assert not csp_violations, "the browser refused what the Content-Security-Policy forbids:\n" + "\n".join(
        csp_violations
    )


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_call_report = report
    return report
