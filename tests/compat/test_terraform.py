"""The `e-breuninger/netbox` Terraform provider against an organization, at the HTTP level.

Read from the provider's source at v5.6.2-32 (commit 5b56c640016435f0f997333a19ec07bd05590b3f):
netbox/provider.go (version gate: GET <server_url>/api/status/, `netbox-version` reduced to
`^v?(\\d+\\.\\d+\\.\\d+)` by netbox/util.go, then compared with an exact list of tested releases;
outside that list it only warns) and netbox/client.go (the path of `server_url` is kept before
`/api`, so `https://host/o/<slug>` works). Its resources' request shapes: tests/compat/terraform/.
"""

import re

from django.test import Client

from tests.compat.conftest import SLUG

PROVIDER_VERSION_PATTERN = re.compile(r"^v?(\d+\.\d+\.\d+)")


def test_status_gives_the_provider_a_version_it_can_extract(compat_organizations, django_db_blocker):
    client = Client()
    with django_db_blocker.unblock():
        response = client.get(
            f"/o/{SLUG}/api/status/",
            HTTP_AUTHORIZATION=f"Bearer {compat_organizations.token}",
            HTTP_ACCEPT="application/json",
        )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    match = PROVIDER_VERSION_PATTERN.match(response.json()["netbox-version"])
    assert match is not None
    assert tuple(int(part) for part in match.group(1).split(".")) >= (4, 7, 0)
