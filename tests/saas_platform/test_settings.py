import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from saas_platform.settings import DEVELOPMENT_ENCRYPTION_KEY, database_from_url

ROOT = Path(__file__).resolve().parents[2]
# Fixed, not generated: the parameters below name it, and every xdist worker must collect the same ids.
ENCRYPTION_KEY = base64.urlsafe_b64encode(b"wirebook-settings-test-key".ljust(32, b"-")).decode()


def start_django(code="import django; django.setup(); print('started')", **env):
    """Run `code` in a fresh process whose settings come from the environment plus `env`."""
    unset = {"SECRET_KEY", "DEBUG", "WIREBOOK_PUBLIC_URL", "WIREBOOK_ENCRYPTION_KEY"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "saas_platform.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "secret_key",
    [None, "", "short", "wirebook-development-secret-key-do-not-use-in-production"],
)
def test_production_refuses_a_missing_or_default_secret_key(secret_key):
    env = {"DEBUG": "false"}
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key

    result = start_django(**env)

    assert result.returncode != 0
    assert "SECRET_KEY is missing, too short or the development default while DEBUG is off" in result.stderr
    assert "started" not in result.stdout


def test_production_starts_with_a_real_secret_key():
    result = start_django(
        DEBUG="false", SECRET_KEY="x" * 50, WIREBOOK_ENCRYPTION_KEY=ENCRYPTION_KEY, ALLOWED_HOSTS="wirebook.example.com"
    )

    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_production_hashes_passwords_with_pbkdf2_whatever_the_tests_fast_hashing_says():
    code = (
        "import django; django.setup(); from django.contrib.auth import hashers; print(hashers.get_hasher().algorithm)"
    )
    production = {"DEBUG": "false", "SECRET_KEY": "x" * 50, "WIREBOOK_ENCRYPTION_KEY": ENCRYPTION_KEY}

    fast = start_django(code, WIREBOOK_FAST_PASSWORD_HASHING="1", ALLOWED_HOSTS="wirebook.example.com", **production)
    development = start_django(code, WIREBOOK_FAST_PASSWORD_HASHING="1", DEBUG="true")

    assert fast.returncode == 0, fast.stderr
    assert fast.stdout.split() == ["pbkdf2_sha256"]
    assert development.stdout.split() == ["md5"], development.stderr


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "WIREBOOK_ENCRYPTION_KEY is missing while DEBUG is off"),
        (" , ", "WIREBOOK_ENCRYPTION_KEY is missing while DEBUG is off"),
        ("not-a-key", "WIREBOOK_ENCRYPTION_KEY: key 1 is not a Fernet key"),
        (f"{ENCRYPTION_KEY},short", "WIREBOOK_ENCRYPTION_KEY: key 2 is not a Fernet key"),
        (f"{ENCRYPTION_KEY},{ENCRYPTION_KEY}", "WIREBOOK_ENCRYPTION_KEY lists a key twice"),
        (DEVELOPMENT_ENCRYPTION_KEY, "WIREBOOK_ENCRYPTION_KEY holds the public development key while DEBUG is off"),
    ],
)
def test_production_refuses_a_missing_or_unusable_encryption_key(key, message):
    env = {"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "wirebook.example.com"}
    if key is not None:
        env["WIREBOOK_ENCRYPTION_KEY"] = key

    result = start_django(**env)

    assert result.returncode != 0
    assert message in result.stderr
    assert "started" not in result.stdout


def test_the_encryption_keys_are_a_list_newest_first():
    code = "from django.conf import settings; print(' '.join(settings.WIREBOOK_ENCRYPTION_KEYS))"
    new = Fernet.generate_key().decode()

    rotating = start_django(code, WIREBOOK_ENCRYPTION_KEY=f" {new} , {ENCRYPTION_KEY} ")
    development = start_django(code)

    assert rotating.stdout.split() == [new, ENCRYPTION_KEY], rotating.stderr
    assert development.stdout.split() == [DEVELOPMENT_ENCRYPTION_KEY], development.stderr


def test_development_starts_without_configuration():
    result = start_django()

    assert result.returncode == 0, result.stderr


def test_a_malformed_boolean_is_refused_clearly():
    result = start_django(DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_database_url_is_parsed():
    parsed = database_from_url("postgres://wb%40user:p%2Fss@db.internal:6432/wirebook?sslmode=require")

    assert parsed == {
        "NAME": "wirebook",
        "USER": "wb@user",
        "PASSWORD": "p/ss",
        "HOST": "db.internal",
        "PORT": "6432",
        "OPTIONS": {"sslmode": "require"},
    }


def test_database_url_with_a_socket_directory():
    parsed = database_from_url("postgresql:///wirebook?host=/run/postgresql")

    assert parsed["HOST"] == "/run/postgresql"
    assert parsed["OPTIONS"] == {}


@pytest.mark.parametrize(
    ("url", "message"), [("mysql://x/y", "must start with postgres://"), ("postgres://host", "names no database")]
)
def test_bad_database_urls_are_refused(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        database_from_url(url)


def show_public_url(**env):
    return start_django("from django.conf import settings; print(settings.WIREBOOK_PUBLIC_URL)", **env)


def test_the_public_url_defaults_to_the_base_domain_and_refuses_paths():
    default = show_public_url(
        WIREBOOK_BASE_DOMAIN="wirebook.example",
        DEBUG="false",
        SECRET_KEY="x" * 50,
        WIREBOOK_ENCRYPTION_KEY=ENCRYPTION_KEY,
    )
    given = show_public_url(WIREBOOK_PUBLIC_URL="http://127.0.0.1:8000/")
    with_path = show_public_url(WIREBOOK_PUBLIC_URL="https://wirebook.example/app")

    assert default.stdout.strip() == "https://wirebook.example", default.stderr
    assert given.stdout.strip() == "http://127.0.0.1:8000", given.stderr
    assert with_path.returncode != 0
    assert "WIREBOOK_PUBLIC_URL must be http(s)://host[:port] with no path" in with_path.stderr
