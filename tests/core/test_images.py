"""Image files of an organization (core.images): what is refused and why, the stored image and its
thumbnail under the organization's prefix on local disk and on a real local S3 server (moto's server
mode), deletion only on commit, and an organization's deletion removing its images from S3."""

import io

import boto3
import pytest
from django.core.files.storage import default_storage
from moto.server import ThreadedMotoServer
from PIL import Image

from core.images import ImageRefused, image_check, image_store
from tenants.files import files_delete_on_commit, organization_files_delete

BUCKET = "wirebook-images-test"


def picture(width: int = 40, height: int = 30, kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


@pytest.fixture(scope="module")
def s3_server():
    """A real S3 endpoint on loopback (moto's server, its own thread) with one bucket."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    client.create_bucket(Bucket=BUCKET)
    try:
        yield endpoint, client
    finally:
        server.stop()


@pytest.fixture
def on_s3(s3_server, settings, monkeypatch):
    """Django's default storage is the S3 bucket (as AWS_STORAGE_BUCKET_NAME makes it)."""
    endpoint, client = s3_server
    for key in keys(client):  # each test starts from an empty bucket
        client.delete_object(Bucket=BUCKET, Key=key)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": BUCKET, "endpoint_url": endpoint, "region_name": "us-east-1"},
        },
    }
    return client


def keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"#!/bin/sh\necho not an image\n", "The file is not an image (PNG, JPEG, GIF or WebP)."),
        (picture()[:40], "The file is not an image (PNG, JPEG, GIF or WebP)."),
        (picture(kind="BMP"), "BMP images are not accepted: PNG, JPEG, GIF or WebP."),
    ],
)
def test_what_is_not_an_accepted_image_is_refused_with_a_reason(content, message):
    with pytest.raises(ImageRefused) as refused:
        image_check(content)
    assert str(refused.value) == message


def test_a_decompression_bomb_and_a_too_large_file_are_refused(settings):
    # a small file that decodes to more pixels than allowed
    settings.IMAGE_ATTACHMENT_MAX_PIXELS = 1_000_000
    bomb = picture(2000, 2000)
    assert len(bomb) < 100_000
    with pytest.raises(ImageRefused, match="more than 1,000,000 pixels"):
        image_check(bomb)
    # one the size limit refuses before decoding anything
    settings.IMAGE_ATTACHMENT_MAX_BYTES = 1024 * 1024
    with pytest.raises(ImageRefused, match="larger than 1 MiB"):
        image_check(b"\x89PNG" + b"\0" * (1024 * 1024))
    assert image_check(picture(kind="JPEG")) == ("JPEG", 40, 30)


def test_an_image_and_its_thumbnail_are_stored_under_the_organization_on_local_disk(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    stored = image_store(7, picture(600, 300))

    assert stored.name.startswith("organizations/7/image-attachments/") and stored.name.endswith(".png")
    assert (stored.width, stored.height) == (600, 300)
    with default_storage.open(stored.thumbnail) as thumbnail, Image.open(thumbnail) as small:
        assert small.size == (200, 100)
    assert (tmp_path / stored.name).read_bytes() == picture(600, 300)


def test_the_s3_round_trip_and_the_organizations_deletion(on_s3):
    # given images of two organizations in the bucket
    mine = image_store(41, picture(kind="JPEG"))
    theirs = image_store(42, picture())
    assert {mine.name, mine.thumbnail, theirs.name, theirs.thumbnail} <= keys(on_s3)
    assert mine.name.startswith("organizations/41/image-attachments/") and mine.name.endswith(".jpg")

    # they read back byte for byte
    with default_storage.open(mine.name) as stored:
        assert stored.read() == picture(kind="JPEG")

    # when the first organization is deleted: its files go, the other's stay
    assert organization_files_delete(41) == 2
    assert keys(on_s3) == {theirs.name, theirs.thumbnail}


@pytest.mark.django_db
def test_files_are_deleted_only_when_the_transaction_commits(on_s3, django_capture_on_commit_callbacks):
    stored = image_store(43, picture())

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        files_delete_on_commit([stored.name, stored.thumbnail])
    assert {stored.name, stored.thumbnail} <= keys(on_s3)  # not yet: a rollback would keep them

    for callback in callbacks:
        callback()
    assert not {stored.name, stored.thumbnail} & keys(on_s3)
