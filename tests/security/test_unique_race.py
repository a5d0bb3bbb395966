"""Five clients create one slug at the same moment: one site, four NetBox-style 400s, no 500 (issue #9, item 4).

Each request passes validation (no such slug yet) before any has committed; PostgreSQL's unique
index then lets one insert win and fails the others. core.services turns that IntegrityError
into the validation error the losers would have got a moment later, in every write path.
Real HTTP clients against a live server (gunicorn, threaded) on committed data.
"""

import threading

import pytest
import requests

from inventory.models import Site
from tenants.context import tenant_context
from tenants.tokens import token_create
from tests.live_server import attach_server_log, live_server

CLIENTS = 5


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("unique-race"), threads=CLIENTS + 1) as running:
        yield running


def _race(url: str, token: str, payloads: list[dict], method: str = "post") -> list[requests.Response]:
    """Send the payloads at once (a barrier releases every thread together)."""
    barrier = threading.Barrier(len(payloads))
    responses: list[requests.Response | None] = [None] * len(payloads)

    def send(index: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        barrier.wait()
        responses[index] = getattr(session, method)(url, json=payloads[index], timeout=60)

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(payloads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [response for response in responses if response is not None]


def test_parallel_creates_of_one_slug_make_one_site_and_netbox_uniqueness_errors(server, committed, request):
    # given: an organization with a token, and another organization that must see none of it
    organization = committed.organization("race")
    other = committed.organization("race-other")
    _, token = token_create(organization=organization, user=committed.users[0])
    attach_server_log(request, server)
    url = server.organization_url(organization.slug) + "/api/dcim/sites/"

    # when: five clients create sites with different names and the same slug at the same moment
    responses = _race(url, token, [{"name": f"Site {n}", "slug": "ams1"} for n in range(CLIENTS)])

    # then: one is created, the others are told why, as NetBox words it
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [400] * (CLIENTS - 1), [(r.status_code, r.text[:300]) for r in responses]
    for response in responses:
        if response.status_code == 400:
            assert response.json() == {"slug": ["site with this slug already exists."]}
    with tenant_context(organization):
        assert list(Site.objects.values_list("slug", flat=True)) == ["ams1"]
    with tenant_context(other):
        assert not Site.objects.exists()


def test_parallel_renames_to_one_slug_leave_one_winner(server, committed, request):
    organization = committed.organization("race-rename")
    _, token = token_create(organization=organization, user=committed.users[0])
    attach_server_log(request, server)
    with tenant_context(organization):
        ids = [Site.objects.create(name=f"Site {n}", slug=f"s{n}").pk for n in range(CLIENTS)]
    base = server.organization_url(organization.slug) + "/api/dcim/sites/"

    barrier = threading.Barrier(CLIENTS)
    results: list[requests.Response] = []

    def rename(pk: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        barrier.wait()
        results.append(session.patch(f"{base}{pk}/", json={"slug": "same"}, timeout=60))

    threads = [threading.Thread(target=rename, args=(pk,)) for pk in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r.status_code for r in results) == [200] + [400] * (CLIENTS - 1), [r.text[:200] for r in results]
    assert all(r.json() == {"slug": ["site with this slug already exists."]} for r in results if r.status_code == 400)
    with tenant_context(organization):
        assert Site.objects.filter(slug="same").count() == 1
