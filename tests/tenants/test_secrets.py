"""Secrets at rest (tenants.secrets): an organization's OIDC client secret is stored encrypted with
WIREBOOK_ENCRYPTION_KEY, never shown back, rotated by `manage.py rotate_secrets`, and a missing or
wrong key fails clearly."""

import json
import logging
from importlib import import_module
from io import StringIO

import pytest
from allauth.socialaccount.models import SocialApp
from cryptography.fernet import Fernet
from django.core import serializers
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tenants.models import SSOConfiguration
from tenants.secrets import Secret, SecretUnreadable, decrypt, encrypt
from tenants.sso import OIDCSettings, sso_app, sso_configure

SECRET = "client-secret-of-org-a-0123456789"
OLD_KEY, NEW_KEY, STRANGER_KEY = (Fernet.generate_key().decode() for _ in range(3))


@pytest.fixture
def keys(settings):
    """Start with OLD_KEY alone; a test changes `settings.WIREBOOK_ENCRYPTION_KEYS` as an operator would."""
    settings.WIREBOOK_ENCRYPTION_KEYS = [OLD_KEY]
    settings.SSO_ALLOW_INSECURE_HTTP = True
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    return settings


def configured(org, secret=SECRET) -> SSOConfiguration:
    return sso_configure(
        organization=org.organization,
        by=org.owner,
        protocol="oidc",
        email_domains=[],
        default_role="viewer",
        require_sso=False,
        oidc=OIDCSettings(issuer="http://127.0.0.1:9/idp", client_id="wirebook", client_secret=secret),
    )


def stored_row(configuration) -> tuple[str, str]:
    """(client_secret, the allauth app's secret) as the database has them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.client_secret, a.secret FROM tenants_ssoconfiguration c "
            "JOIN socialaccount_socialapp a ON a.id = c.app_id WHERE c.id = %s",
            [configuration.pk],
        )
        return cursor.fetchone()


def test_the_database_row_holds_no_secret(keys, org_a):
    configuration = configured(org_a)

    token, app_secret = stored_row(configuration)

    assert SECRET not in token and app_secret == ""
    assert Fernet(OLD_KEY).decrypt(token.encode()).decode() == SECRET
    with connection.cursor() as cursor:  # nowhere in the row, nor in allauth's table
        cursor.execute("SELECT count(*) FROM socialaccount_socialapp WHERE secret LIKE %s", [f"%{SECRET}%"])
        assert cursor.fetchone() == (0,)
    # read back, it is decrypted only when asked for
    loaded = SSOConfiguration.objects.get(pk=configuration.pk)
    assert isinstance(loaded.client_secret, Secret)
    assert loaded.client_secret.reveal() == SECRET
    assert sso_app(loaded).secret == SECRET
    assert SocialApp.objects.get(pk=loaded.app_id).secret == ""


def test_each_save_encrypts_anew_and_keeping_the_secret_keeps_its_ciphertext(keys, org_a):
    first, _ = stored_row(configured(org_a))
    again, _ = stored_row(configured(org_a))  # the same secret entered again: a new ciphertext
    kept, _ = stored_row(configured(org_a, secret=None))  # left blank: kept as it was

    assert first != again and kept == again
    assert decrypt(kept) == SECRET


def test_the_secret_never_shows_in_logs_serializations_or_exports(keys, org_a, caplog):
    configuration = SSOConfiguration.objects.get(pk=configured(org_a).pk)

    with caplog.at_level(logging.INFO):
        logging.getLogger("tests").info(
            "configuration %s: %r", configuration.client_secret, configuration.client_secret
        )
    dumped = serializers.serialize("json", [configuration])

    assert str(configuration.client_secret) == repr(configuration.client_secret) == "<secret>"
    assert SECRET not in caplog.text and "<secret>" in caplog.text
    token, _ = stored_row(configuration)
    assert SECRET not in dumped and token not in dumped
    assert json.loads(dumped)[0]["fields"]["client_secret"] == ""


def test_secrets_cannot_be_filtered_on(keys, org_a):
    configured(org_a)

    with pytest.raises(Exception, match="Unsupported lookup"):
        list(SSOConfiguration.objects.filter(client_secret=SECRET))
    assert SSOConfiguration.objects.filter(organization=org_a.organization, client_secret__isnull=False).count() == 1


def test_rotation_reencrypts_with_the_newest_key(keys, org_a, org_b):
    # given secrets encrypted with the old key
    a, b = configured(org_a), configured(org_b, secret="the-other-organization-secret")
    before = {row.pk: stored_row(row)[0] for row in (a, b)}

    # when the operator puts a new key first, keeping the old one, and rotates
    keys.WIREBOOK_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out = StringIO()
    call_command("rotate_secrets", stdout=out)

    # then every secret is re-encrypted with the new key alone
    assert "tenants.SSOConfiguration.client_secret (public): 2 re-encrypted" in out.getvalue()
    after = {row.pk: stored_row(row)[0] for row in (a, b)}
    assert Fernet(NEW_KEY).decrypt(after[a.pk].encode()).decode() == SECRET
    assert Fernet(NEW_KEY).decrypt(after[b.pk].encode()).decode() == "the-other-organization-secret"
    # and once the old key is removed, the rotated secrets still decrypt, what it encrypted does not
    keys.WIREBOOK_ENCRYPTION_KEYS = [NEW_KEY]
    assert SSOConfiguration.objects.get(pk=a.pk).client_secret.reveal() == SECRET
    with pytest.raises(SecretUnreadable):
        decrypt(before[a.pk])


def test_rotation_refuses_a_secret_no_key_decrypts_and_changes_nothing(keys, org_a):
    configuration = configured(org_a)
    token, _ = stored_row(configuration)
    keys.WIREBOOK_ENCRYPTION_KEYS = [NEW_KEY]  # the old key dropped before rotating

    with pytest.raises(CommandError, match="cannot be decrypted with any key of WIREBOOK_ENCRYPTION_KEY"):
        call_command("rotate_secrets", stdout=StringIO())

    assert stored_row(configuration)[0] == token


def test_a_wrong_key_fails_clearly_where_the_secret_is_used(keys, org_a):
    configuration = configured(org_a)
    keys.WIREBOOK_ENCRYPTION_KEYS = [STRANGER_KEY]

    loaded = SSOConfiguration.objects.get(pk=configuration.pk)  # loading does not decrypt: pages still work

    with pytest.raises(SecretUnreadable) as refused:
        loaded.client_secret.reveal()
    message = str(refused.value)
    assert "tenants.SSOConfiguration.client_secret" in message
    assert "WIREBOOK_ENCRYPTION_KEY=<new>,<old>" in message and "rotate_secrets" in message


def test_a_missing_key_fails_clearly(settings):
    settings.WIREBOOK_ENCRYPTION_KEYS = []

    with pytest.raises(ImproperlyConfigured, match="WIREBOOK_ENCRYPTION_KEY is not set"):
        encrypt(SECRET)


def test_the_data_migration_encrypts_the_secrets_stored_in_plain_text(keys, org_a):
    # given a configuration as it was before: the secret in allauth's column, in plain text
    configuration = configured(org_a)
    SocialApp.objects.filter(pk=configuration.app_id).update(secret=SECRET)
    SSOConfiguration.objects.filter(pk=configuration.pk).update(client_secret="")
    migration = import_module("tenants.migrations.0012_sso_client_secret_encrypted")
    state = MigrationLoader(connection).project_state(("tenants", "0012_sso_client_secret_encrypted"))

    # when the migration runs
    migration.secrets_encrypt(state.apps, None)

    # then the secret is encrypted in the configuration and gone from allauth's column
    token, app_secret = stored_row(configuration)
    assert app_secret == "" and SECRET not in token
    assert SSOConfiguration.objects.get(pk=configuration.pk).client_secret.reveal() == SECRET

    # and migrating back restores the plain column
    migration.secrets_decrypt(state.apps, None)
    assert stored_row(configuration) == ("", SECRET)
