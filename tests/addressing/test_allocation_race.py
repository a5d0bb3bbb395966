"""Allocation under load, over real HTTP (a live server: gunicorn, two worker processes, threads) on
committed data: many clients POSTing to one prefix's available-ips never get the same address, and one
organization's allocations never wait for another's (the VRF lock is keyed by the organization)."""

import threading
import time
from collections import Counter

import netaddr
import pytest
import requests
from django.db import transaction

from addressing.models import IPAddress, IPRange, Prefix
from addressing.services import ADDRESSES, space_lock
from tenants.context import tenant_context
from tenants.tokens import token_create
from tests.live_server import attach_server_log, live_server

CLIENTS = 8
EACH = 10


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("allocation-race"), threads=CLIENTS, workers=2) as running:
        yield running


def _session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def test_parallel_clients_never_get_the_same_address(server, committed, request):
    # given: a /26 (62 usable addresses) and 8 clients that want 10 each
    organization = committed.organization("alloc-race")
    _, token = token_create(organization=organization, user=committed.users[0])
    with tenant_context(organization):
        prefix = Prefix.objects.create(prefix="10.20.0.0/26")
    attach_server_log(request, server)
    url = f"{server.organization_url(organization.slug)}/api/ipam/prefixes/{prefix.pk}/available-ips/"
    barrier = threading.Barrier(CLIENTS)
    answers: list[tuple[int, str | None]] = []

    def allocate() -> None:
        session = _session(token)
        barrier.wait()
        for _ in range(EACH):
            response = session.post(url, json={"description": "race"}, timeout=60)
            answers.append((response.status_code, response.json().get("address")))

    # when: they all allocate at once
    threads = [threading.Thread(target=allocate) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: every usable address once, then 409 for the rest; nothing twice, nothing else
    statuses = Counter(status for status, _address in answers)
    handed_out = [address for status, address in answers if status == 201]
    assert statuses == {201: 62, 409: CLIENTS * EACH - 62}, statuses
    assert len(set(handed_out)) == len(handed_out) == 62
    expected = {f"10.20.0.{n}/26" for n in range(1, 63)}
    assert set(handed_out) == expected
    with tenant_context(organization):
        stored = [str(address) for address in IPAddress.objects.values_list("address", flat=True)]
    assert sorted(stored, key=lambda text: netaddr.IPNetwork(text)) == sorted(
        expected, key=lambda text: netaddr.IPNetwork(text)
    )


def test_nested_parents_never_hand_out_one_address_twice(server, committed, request):
    # given: a /27 (30 usable addresses) with a range of 11 of them inside, and 8 clients, half allocating from
    # the prefix and half from the range, 6 each (48 requests for 30 addresses)
    organization = committed.organization("alloc-nested")
    _, token = token_create(organization=organization, user=committed.users[0])
    with tenant_context(organization):
        prefix = Prefix.objects.create(prefix="10.21.0.0/27")
        ip_range = IPRange.objects.create(start_address="10.21.0.10/27", end_address="10.21.0.20/27", size=11)
    attach_server_log(request, server)
    base = f"{server.organization_url(organization.slug)}/api/ipam"
    urls = [f"{base}/prefixes/{prefix.pk}/available-ips/", f"{base}/ip-ranges/{ip_range.pk}/available-ips/"]
    barrier = threading.Barrier(CLIENTS)
    answers: list[tuple[str, int, str | None]] = []

    def allocate(url: str) -> None:
        session = _session(token)
        barrier.wait()
        for _ in range(6):
            response = session.post(url, json={"description": "nested race"}, timeout=60)
            answers.append((url, response.status_code, response.json().get("address")))

    # when: they all allocate at once
    threads = [threading.Thread(target=allocate, args=(urls[n % 2],)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: no address twice, whichever parent handed it out; a parent refuses (409) only once it is full
    handed_out = [address for _url, status, address in answers if status == 201]
    assert {status for _url, status, _address in answers} <= {201, 409}
    assert len(handed_out) == len(set(handed_out))
    in_range = {f"10.21.0.{n}/27" for n in range(10, 21)}
    in_prefix = {f"10.21.0.{n}/27" for n in range(1, 31)}
    assert {address for url, status, address in answers if status == 201 and url == urls[1]} <= in_range
    assert set(handed_out) <= in_prefix
    refused = {url for url, status, _address in answers if status == 409}
    assert urls[1] in refused  # 24 requests for 11 addresses
    assert in_range <= set(handed_out)
    if urls[0] in refused:
        assert set(handed_out) == in_prefix
    with tenant_context(organization):
        stored = [str(address) for address in IPAddress.objects.values_list("address", flat=True)]
    assert sorted(stored) == sorted(handed_out)


def test_organizations_never_wait_for_each_other(server, committed, request):
    # given: two organizations, each with a /24, and organization A's address space locked by a writer
    first = committed.organization("alloc-a")
    second = committed.organization("alloc-b", owner=committed.users[0])
    urls, tokens = {}, {}
    for organization in (first, second):
        _, tokens[organization.slug] = token_create(organization=organization, user=committed.users[0])
        with tenant_context(organization):
            prefix = Prefix.objects.create(prefix="10.30.0.0/24")
        urls[organization.slug] = (
            f"{server.organization_url(organization.slug)}/api/ipam/prefixes/{prefix.pk}/available-ips/"
        )
    attach_server_log(request, server)
    blocked: dict[str, requests.Response] = {}

    def allocate_in_first() -> None:
        blocked["response"] = _session(tokens["alloc-a"]).post(urls["alloc-a"], json={}, timeout=60)

    with tenant_context(first), transaction.atomic():
        space_lock(ADDRESSES, [None])  # as an allocation of organization A in progress would
        waiting = threading.Thread(target=allocate_in_first)
        waiting.start()

        # when: organization B allocates meanwhile
        started = time.monotonic()
        response = _session(tokens["alloc-b"]).post(urls["alloc-b"], json={}, timeout=60)
        elapsed = time.monotonic() - started

        # then: B is served at once, while A's allocation waits for A's lock
        assert (response.status_code, response.json()["address"]) == (201, "10.30.0.1/24")
        assert elapsed < 5
        time.sleep(0.5)
        assert waiting.is_alive() and "response" not in blocked

    waiting.join(30)
    assert (blocked["response"].status_code, blocked["response"].json()["address"]) == (201, "10.30.0.1/24")
