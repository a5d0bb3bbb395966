"""Image attachments at extras/image-attachments/ (NetBox's shapes, multipart uploads): what is refused and
why, the files served only to members of the organization, the files going when the attachment or its
object goes, on local disk and on a real local S3 server (moto's server mode), and the Images tab."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from core.models import ImageAttachment, ObjectChange
from inventory.models import Location, Region, Site
from tenants.context import tenant_context
from tenants.files import organization_files_delete, organization_files_prefix
from tenants.tokens import token_create
from tests.api_cases import NOT_AUTHENTICATED, NOT_FOUND, Upload, call
from tests.core.test_images import keys, on_s3, picture, s3_server  # noqa: F401 (fixtures)

ATTACHMENTS = "/extras/image-attachments/"


def upload(width: int = 40, height: int = 30, kind: str = "PNG", name: str = "rack.png") -> Upload:
    return Upload(name, picture(width, height, kind), "image/png")


@pytest.fixture
def api(org_a):
    return org_a.client()


@pytest.fixture
def site(org_a):
    with tenant_context(org_a.organization):
        return Site.objects.create(name="AMS1", slug="ams1")


def url(path: str, slug: str = "org-a") -> str:
    return f"/o/{slug}/api{path}"


def attach(api, obj, object_type: str = "dcim.site", **fields):
    payload = {"object_type": object_type, "object_id": obj.pk, "image": upload(), **fields}
    return call(api, "post", url(ATTACHMENTS), payload)


def test_an_upload_is_represented_as_netbox_shows_it_and_served_to_members(api, org_a, site, media_root):
    created = attach(api, site, name="Entrance", image=upload(600, 300))

    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert list(body) == [
        "id", "url", "display", "object_type", "object_id", "parent", "name", "image", "description",
        "image_height", "image_width", "image_size", "created", "last_updated",
    ]  # fmt: skip
    assert body["display"] == "Entrance"
    assert body["object_type"] == "dcim.site" and body["object_id"] == site.pk
    assert body["parent"]["id"] == site.pk and body["parent"]["display"] == "AMS1"
    assert (body["image_width"], body["image_height"], body["image_size"]) == (600, 300, len(picture(600, 300)))
    assert body["image"] == f"http://testserver/o/org-a/api/extras/image-attachments/{pk}/image/"

    # the file, under the organization's prefix, read back through the API
    with tenant_context(org_a.organization):
        stored = ImageAttachment.objects.get(pk=pk)
    assert stored.image.startswith(f"{organization_files_prefix(org_a.organization.pk)}image-attachments/")
    served = api.get(body["image"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png" and served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == picture(600, 300)
    thumbnail = api.get(f"{body['image'].removesuffix('image/')}thumbnail/")
    with Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))) as small:
        assert small.size == (200, 100)

    # filters of NetBox's: by object and by type
    for query in (f"object_id={site.pk}", "object_type=dcim.site", "image_width__gte=600", "name=Entrance"):
        assert [row["id"] for row in api.get(url(f"{ATTACHMENTS}?{query}")).json()["results"]] == [pk], query


def test_other_organizations_and_anonymous_callers_get_neither_the_file_nor_the_row(
    api, org_a, org_b, site, media_root
):
    pk = attach(api, site).json()["id"]
    _, token = token_create(organization=org_b.organization, user=org_b.owner)
    callers = {
        "member of B": (org_b.client(), 404, NOT_FOUND),
        "token of B": (Client(HTTP_AUTHORIZATION=f"Bearer {token}"), 404, NOT_FOUND),
        "anonymous": (Client(), 403, NOT_AUTHENTICATED),
    }

    for caller, (client, status, answer) in callers.items():
        for path in (f"{ATTACHMENTS}{pk}/", f"{ATTACHMENTS}{pk}/image/", f"{ATTACHMENTS}{pk}/thumbnail/"):
            response = client.get(url(path))
            assert (response.status_code, response.json()) == (status, answer), f"{caller}: {path}"
        refused = attach(client, site)
        assert refused.status_code == status, caller

    # nor through their own organization's API, by the same id
    for path in (f"{ATTACHMENTS}{pk}/", f"{ATTACHMENTS}{pk}/image/"):
        assert org_b.client().get(url(path, "org-b")).status_code == 404
    with tenant_context(org_a.organization):
        assert ImageAttachment.objects.count() == 1


@pytest.mark.parametrize(
    ("image", "errors"),
    [
        (Upload("notes.png", b"#!/bin/sh\necho hi\n"), ["The file is not an image (PNG, JPEG, GIF or WebP)."]),
        (Upload("empty.png", b""), ["The file is empty."]),
        (upload(kind="BMP"), ["BMP images are not accepted: PNG, JPEG, GIF or WebP."]),
        (upload(3000, 2000), ["The image has more than 1,000,000 pixels (a decompression bomb?)."]),
        (Upload("big.png", b"\x89PNG" + b"\0" * 3_000_000), ["larger"]),
    ],
)
def test_what_is_no_acceptable_image_is_a_400_with_the_reason(api, org_a, site, settings, media_root, image, errors):
    settings.IMAGE_ATTACHMENT_MAX_PIXELS = 1_000_000
    settings.IMAGE_ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024

    response = attach(api, site, image=image)

    assert response.status_code == 400, response.content
    if errors == ["larger"]:
        assert response.json() == {"image": ["The image is larger than 2 MiB."]}
    else:
        assert response.json() == {"image": errors}
    with tenant_context(org_a.organization):
        assert not ImageAttachment.objects.exists()
    assert not (media_root / organization_files_prefix(org_a.organization.pk)).exists()


def test_writes_that_name_no_file_or_a_wrong_object_are_refused(api, org_a, site, media_root):
    with tenant_context(org_a.organization):
        region = Region.objects.create(name="EU", slug="eu")

    no_file = call(api, "post", url(ATTACHMENTS), {"object_type": "dcim.site", "object_id": site.pk})
    as_text = call(api, "post", url(ATTACHMENTS), {"object_type": "dcim.site", "object_id": site.pk, "image": "x"})
    no_images_there = attach(api, region, object_type="dcim.region")
    missing_object = call(
        api, "post", url(ATTACHMENTS), {"object_type": "dcim.site", "object_id": 999999, "image": upload()}
    )
    not_a_type = call(api, "post", url(ATTACHMENTS), {"object_type": "dcim", "object_id": 1, "image": upload()})

    assert (no_file.status_code, no_file.json()) == (400, {"image": ["No file was submitted."]})
    assert as_text.json() == {"image": ["The submitted data was not a file. Check the encoding type on the form."]}
    assert no_images_there.json() == {"object_type": ["Invalid content type: dcim.region"]}
    assert missing_object.json() == {"object_id": ["Invalid parent object: dcim.site ID 999999"]}
    assert not_a_type.status_code == 400
    with tenant_context(org_a.organization):
        assert not ImageAttachment.objects.exists()


def test_a_new_image_replaces_the_old_one_whose_files_go_on_commit(
    api, org_a, site, media_root, django_capture_on_commit_callbacks
):
    pk = attach(api, site).json()["id"]
    with tenant_context(org_a.organization):
        old = ImageAttachment.objects.get(pk=pk).stored_files()

    with django_capture_on_commit_callbacks(execute=True):
        changed = call(api, "patch", url(f"{ATTACHMENTS}{pk}/"), {"image": upload(80, 60), "name": "New"})

    assert changed.status_code == 200, changed.content
    assert (changed.json()["image_width"], changed.json()["name"]) == (80, "New")
    assert not any(default_storage.exists(name) for name in old)
    with tenant_context(org_a.organization):
        new = ImageAttachment.objects.get(pk=pk).stored_files()
    assert all(default_storage.exists(name) for name in new)


def test_deleting_the_attachment_or_its_object_deletes_the_files_on_commit(
    api, org_a, site, media_root, django_capture_on_commit_callbacks
):
    with tenant_context(org_a.organization):
        location = Location.objects.create(name="Hall", slug="hall", site=site)
    first = attach(api, site).json()["id"]
    second = attach(api, site).json()["id"]
    third = attach(api, location, object_type="dcim.location").json()["id"]
    with tenant_context(org_a.organization):
        files = {pk: obj.stored_files() for pk, obj in ImageAttachment.objects.in_bulk().items()}

    # the attachment alone: its files stay until the deletion commits
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert api.delete(url(f"{ATTACHMENTS}{first}/")).status_code == 204
    assert all(default_storage.exists(name) for name in files[first])
    for callback in callbacks:
        callback()
    assert not any(default_storage.exists(name) for name in files[first])

    # a site (and its location, a tree node) take their attachments along, change-logged
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(url(f"/dcim/sites/{site.pk}/")).status_code == 204

    with tenant_context(org_a.organization):
        assert not ImageAttachment.objects.exists()
        logged = set(ObjectChange.objects.filter(action="delete").values_list("changed_object_id", flat=True))
    assert {second, third} <= logged
    assert not any(default_storage.exists(name) for name in files[second] + files[third])


def test_the_delete_pages_list_the_attachments_that_go_and_their_files_go_on_commit(
    api, org_a, site, media_root, django_capture_on_commit_callbacks
):
    # given a site with an image, a location of it with one, and another site with one
    with tenant_context(org_a.organization):
        location = Location.objects.create(name="Hall", slug="hall", site=site)
        other = Site.objects.create(name="FRA1", slug="fra1")
    entrance = attach(api, site, name="Entrance").json()["id"]
    hall = attach(api, location, object_type="dcim.location", name="Hall door").json()["id"]
    gate = attach(api, other, name="Gate").json()["id"]
    with tenant_context(org_a.organization):
        files = {pk: obj.stored_files() for pk, obj in ImageAttachment.objects.in_bulk().items()}

    # the single delete's preview lists what goes with the site, its location's image included
    delete_page = f"/o/org-a/dcim/sites/{site.pk}/delete/"
    preview = api.get(delete_page).content.decode()
    assert "Image attachment: Entrance" in preview and "Image attachment: Hall door" in preview
    assert "Gate" not in preview
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(delete_page).status_code == 302
    assert not any(default_storage.exists(name) for name in files[entrance] + files[hall])
    assert all(default_storage.exists(name) for name in files[gate])

    # the bulk delete's too
    bulk = "/o/org-a/dcim/sites/delete/"
    preview = api.post(bulk, {"pk": [other.pk]}).content.decode()
    assert "Image attachment: Gate" in preview
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(bulk, {"pk": [other.pk], "_confirm": "1"}).status_code == 302
    assert not any(default_storage.exists(name) for name in files[gate])
    with tenant_context(org_a.organization):
        assert not ImageAttachment.objects.exists()
        logged = set(ObjectChange.objects.filter(action="delete").values_list("changed_object_id", flat=True))
    assert {entrance, hall, gate} <= logged


def test_the_s3_round_trip_through_the_api(api, org_a, org_b, site, on_s3, django_capture_on_commit_callbacks):  # noqa: F811
    prefix = organization_files_prefix(org_a.organization.pk)

    # upload: the image and its thumbnail land in the bucket under the organization's prefix
    created = attach(api, site, image=upload(kind="JPEG", name="cage.jpg"))
    assert created.status_code == 201, created.content
    body = created.json()
    stored = {key for key in keys(on_s3) if key.startswith(f"{prefix}image-attachments/")}
    assert len(stored) == 2 and any(key.endswith(".jpg") for key in stored)

    # read back, byte for byte, by a member only
    served = api.get(body["image"])
    assert served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == picture(kind="JPEG")
    assert org_b.client().get(body["image"]).status_code == 404

    # deleting the attachment deletes its files once committed
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(url(f"{ATTACHMENTS}{body['id']}/")).status_code == 204
    assert not stored & keys(on_s3)

    # an organization's deletion removes every file it still has there
    attach(api, site)
    assert any(key.startswith(prefix) for key in keys(on_s3))
    organization_files_delete(org_a.organization.pk)
    assert not any(key.startswith(prefix) for key in keys(on_s3))


# -- GraphQL ------------------------------------------------------------------------------------------


def graphql(client, text: str, slug: str = "org-a"):
    response = client.post(f"/o/{slug}/graphql/", json.dumps({"query": text}), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


IMAGE_FIELDS = "id name image { name size url width height } thumbnail"


def test_graphql_gives_the_urls_rest_gives_never_storage_names(api, org_a, org_b, site, media_root):
    body = attach(api, site, name="Entrance", image=upload(600, 300, name="door.png")).json()
    pk = body["id"]
    thumbnail = body["image"].removesuffix("image/") + "thumbnail/"
    expected = {
        "id": str(pk),
        "name": "Entrance",
        "image": {"size": body["image_size"], "url": body["image"], "width": 600, "height": 300},
        "thumbnail": thumbnail,
    }

    one = graphql(api, f"{{ image_attachment(id: {pk}) {{ {IMAGE_FIELDS} }} }}")["data"]["image_attachment"]
    listed = graphql(api, f"{{ image_attachment_list {{ {IMAGE_FIELDS} }} }}")["data"]["image_attachment_list"]
    of_site = graphql(api, f"{{ site(id: {site.pk}) {{ image_attachments {{ {IMAGE_FIELDS} }} }} }}")

    for found in (one, listed[0], of_site["data"]["site"]["image_attachments"][0]):
        assert found["image"].pop("name").endswith(".png")  # the stored file's own name, no storage path
        assert found == expected
    assert "organizations/" not in json.dumps(one)
    # the URLs serve the files to members
    assert api.get(expected["image"]["url"]).status_code == 200
    assert api.get(expected["thumbnail"]).status_code == 200
    # another organization sees no attachment by that id, nor in its lists
    assert graphql(org_b.client(), f"{{ image_attachment(id: {pk}) {{ id }} }}", "org-b")["errors"]
    assert graphql(org_b.client(), "{ image_attachment_list { id } }", "org-b")["data"] == {"image_attachment_list": []}
    # types that take no images have no such field
    assert graphql(api, "{ region_list { image_attachments { id } } }")["errors"]


def test_the_image_attachments_of_many_objects_load_in_constant_queries(api, org_a, media_root):
    text = f"{{ site_list {{ name image_attachments {{ {IMAGE_FIELDS} parent }} }} }}"

    def sites_with_images(names):
        for name in names:
            with tenant_context(org_a.organization):
                site = Site.objects.create(name=name, slug=name.lower())
            attach(api, site)
            attach(api, site)

    sites_with_images(["AMS1"])
    graphql(api, text)  # per-process caches filled once
    with CaptureQueriesContext(connection) as one:
        graphql(api, text)
    sites_with_images(["AMS2", "AMS3", "AMS4"])
    with CaptureQueriesContext(connection) as many:
        data = graphql(api, text)["data"]

    assert [len(site["image_attachments"]) for site in data["site_list"]] == [2, 2, 2, 2]
    assert len(many) == len(one) > 0


# -- the UI's Images tab ---------------------------------------------------------------------------------


def test_the_images_tab_shows_thumbnails_takes_uploads_and_deletes(api, org_a, org_b, site, media_root):
    tab = f"/o/org-a/dcim/sites/{site.pk}/images/"
    detail = api.get(f"/o/org-a/dcim/sites/{site.pk}/")
    assert detail.status_code == 200 and tab.encode() in detail.content  # the tab is offered

    # upload through the form
    image = io.BytesIO(picture(300, 150))
    image.name = "front.png"
    posted = api.post(tab, {"image": image, "name": "Front", "description": "rack row"})
    assert posted.status_code == 302, posted.content.decode()[:2000]
    with tenant_context(org_a.organization):
        attachment = ImageAttachment.objects.get()
    assert (attachment.name, attachment.image_width, attachment.object_id) == ("Front", 300, site.pk)

    # shown as a thumbnail
    page = api.get(tab).content.decode()
    assert f"/api/extras/image-attachments/{attachment.pk}/thumbnail/" in page and "Front" in page

    # a bad file is a form error, not a 500
    bad = io.BytesIO(b"not an image")
    bad.name = "x.png"
    refused = api.post(tab, {"image": bad})
    assert refused.status_code == 200 and "The file is not an image" in refused.content.decode()

    # another organization's member sees no tab and deletes nothing
    assert org_b.client().get(tab).status_code == 404
    assert org_b.client().post(tab, {"delete": attachment.pk}).status_code == 404

    deleted = api.post(tab, {"delete": attachment.pk})
    assert deleted.status_code == 302
    with tenant_context(org_a.organization):
        assert not ImageAttachment.objects.exists()


def test_objects_that_take_no_images_have_no_images_tab(api, org_a):
    with tenant_context(org_a.organization):
        region = Region.objects.create(name="EU", slug="eu")

    page = api.get(f"/o/org-a/dcim/regions/{region.pk}/")

    assert page.status_code == 200 and b"/images/" not in page.content
    assert api.get(f"/o/org-a/dcim/regions/{region.pk}/images/").status_code == 404
