"""The files of image attachments follow their rows, on local disk and on a real local S3 server (moto's
server mode): those written for a write that does not come to be are deleted again (a check refusing the
write after the files were stored, a rolled-back transaction or savepoint, a bulk write with a refused item,
an error); a write that commits keeps them (a replaced image's go only on commit:
tests/core/test_image_attachments.py); an organization's deletion takes all of its files."""

import json
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

import core.usecases
from core.context import Actor
from core.models import ImageAttachment
from core.registry import registry
from core.usecases import Item, WriteRefused, write_objects
from inventory.models import Site
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole, Organization
from tenants.services import organization_deletion_schedule, organization_deletions_run
from tests.api_cases import call
from tests.conftest import OrgUser
from tests.core.test_image_attachments import ATTACHMENTS, api, attach, site, upload, url  # noqa: F401 (fixtures)
from tests.core.test_images import keys, on_s3, picture, s3_server  # noqa: F401 (fixtures)


@pytest.fixture(params=["local", "s3"])
def stored(request, media_root):
    """The files of organizations in the default storage, as a function: on local disk, or on S3."""
    if request.param == "s3":
        client = request.getfixturevalue("on_s3")
        return lambda: {key for key in keys(client) if key.startswith("organizations/")}
    return lambda: {path.relative_to(media_root).as_posix() for path in media_root.rglob("*") if path.is_file()}


def owner_of(org) -> Actor:
    return Actor(user_id=org.owner.pk, user_name=org.owner.email, role=MembershipRole.OWNER)


def item(site_pk: int, name: str = "") -> Item:
    image = SimpleUploadedFile("front.png", picture(), content_type="image/png")
    return Item({"object_type": "dcim.site", "object_id": site_pk, "name": name, "image": image})


def rows(org) -> int:
    with tenant_context(org.organization):
        return ImageAttachment.objects.count()


def test_a_write_that_commits_keeps_its_files(api, org_a, site, stored):  # noqa: F811
    created = attach(api, site)

    assert created.status_code == 201, created.content
    with tenant_context(org_a.organization):
        assert stored() == set(ImageAttachment.objects.get().stored_files())


def test_a_write_refused_by_a_check_after_the_files_were_stored_leaves_none(api, org_a, org_b, site, stored):  # noqa: F811
    # given a viewer of A whose grant adds images named "Allowed" only: checked once they are written
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER)
    grant = {
        "name": "Allowed images",
        "object_types": ["extras.imageattachment"],
        "actions": ["add", "view"],
        "constraints": {"name": "Allowed"},
        "users": [org_b.owner.pk],
    }
    made = api.post(url("/users/permissions/"), json.dumps(grant), content_type="application/json")
    assert made.status_code == 201, made.content
    viewer = org_b.client()

    refused = attach(viewer, site, name="Other")

    assert refused.status_code == 403, refused.content
    assert (rows(org_a), stored()) == (0, set())
    # (the same upload within the grant is kept)
    assert attach(viewer, site, name="Allowed").status_code == 201
    assert len(stored()) == 2


def test_a_rolled_back_transaction_or_savepoint_takes_its_files_along(org_a, site, stored):  # noqa: F811
    actor = owner_of(org_a)
    spec = registry.get(ImageAttachment)

    # a transaction that rolls back after the write
    with tenant_context(org_a.organization), pytest.raises(RuntimeError), transaction.atomic():
        write_objects(spec, actor, [item(site.pk)])
        assert len(stored()) == 2  # written, until the rollback
        raise RuntimeError("later in the same transaction")
    assert stored() == set()

    # a savepoint rolled back inside a transaction that goes on: its files go, the others stay
    with tenant_context(org_a.organization), transaction.atomic():
        kept = write_objects(spec, actor, [item(site.pk, "Kept")])[0]
        with transaction.atomic():
            write_objects(spec, actor, [item(site.pk, "Dropped")])
            transaction.set_rollback(True)
    assert stored() == set(kept.stored_files())
    assert rows(org_a) == 1


def test_a_bulk_write_with_a_refused_item_leaves_no_files(org_a, site, stored):  # noqa: F811
    # the first item is written (files included) before the second is refused: all or nothing
    with tenant_context(org_a.organization), pytest.raises(WriteRefused) as refused:
        write_objects(registry.get(ImageAttachment), owner_of(org_a), [item(site.pk, "Good"), item(999999, "Bad")])

    missing = {"object_id": ["Invalid parent object: dcim.site ID 999999"]}
    assert refused.value.errors == [{"index": 1, "errors": missing}]
    assert (rows(org_a), stored()) == (0, set())


def test_a_file_the_storage_fails_to_write_fails_the_write_and_leaves_no_files(org_a, site, stored, monkeypatch):  # noqa: F811
    storage = storages["default"]  # the storage itself (default_storage is a proxy of it)
    save = storage.save
    thumbnails: list[str] = []

    def full_at_the_second_thumbnail(name, content, **kwargs):
        if name.endswith("-thumbnail.png"):
            thumbnails.append(name)
            if len(thumbnails) == 2:
                raise OSError("the storage is full")
        return save(name, content, **kwargs)

    monkeypatch.setattr(storage, "save", full_at_the_second_thumbnail)

    # the first item's files, and the second one's image, were written before the second thumbnail failed
    with tenant_context(org_a.organization), pytest.raises(OSError, match="full"):
        write_objects(registry.get(ImageAttachment), owner_of(org_a), [item(site.pk, "One"), item(site.pk, "Two")])

    assert len(thumbnails) == 2
    assert (rows(org_a), stored()) == (0, set())


def test_an_error_after_the_files_were_stored_leaves_only_the_committed_ones(api, org_a, site, stored, monkeypatch):  # noqa: F811
    pk = attach(api, site).json()["id"]
    before = stored()
    assert len(before) == 2

    def broken(*args, **kwargs):
        raise RuntimeError("the permission check broke")

    monkeypatch.setattr(core.usecases, "ensure_permitted", broken)

    # neither a new attachment's files...
    assert attach(api, site).status_code == 500
    # ...nor a replacing image's: the old files stay, as the row pointing at them does
    assert call(api, "patch", url(f"{ATTACHMENTS}{pk}/"), {"image": upload(80, 60)}).status_code == 500

    assert stored() == before
    with tenant_context(org_a.organization):
        assert set(ImageAttachment.objects.get().stored_files()) == before


def test_an_organizations_deletion_removes_its_image_files(committed, stored):
    # given two organizations with images, the first one's deletion due
    owner = committed.user("owner-pictures@example.com")
    doomed, kept = (committed.organization(slug, owner=owner) for slug in ("pictures-doomed", "pictures-kept"))
    for organization in (doomed, kept):
        with tenant_context(organization):
            site = Site.objects.create(name="AMS1", slug="ams1")
        payload = {"object_type": "dcim.site", "object_id": site.pk, "image": upload()}
        created = call(OrgUser(organization, owner).client(), "post", url(ATTACHMENTS, organization.slug), payload)
        assert created.status_code == 201, created.content
    assert {name.split("/")[1] for name in stored()} == {str(doomed.pk), str(kept.pk)}
    organization_deletion_schedule(organization=doomed, by=owner, confirmation=doomed.slug)
    Organization.objects.filter(pk=doomed.pk).update(deletion_due=timezone.now() - timedelta(seconds=1))

    # when the deletions run
    assert organization_deletions_run() == [doomed.slug]

    # then the first one's files are gone, the other's stay
    assert {name.split("/")[1] for name in stored()} == {str(kept.pk)}
    assert len(stored()) == 2
