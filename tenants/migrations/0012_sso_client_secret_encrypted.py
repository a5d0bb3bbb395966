"""OIDC client secrets move from allauth's `SocialApp.secret` (plain text) to
`SSOConfiguration.client_secret`, encrypted with the newest key of WIREBOOK_ENCRYPTION_KEY
(tenants.secrets; the column is a plain text column, the encryption the field's behaviour).

Fernet from `cryptography` is called directly: migrations never import our modules."""

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import migrations, models


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.WIREBOOK_ENCRYPTION_KEYS])


def secrets_encrypt(apps, schema_editor):
    configuration_model = apps.get_model("tenants", "SSOConfiguration")
    app_model = apps.get_model("socialaccount", "SocialApp")
    fernet = _fernet()
    for configuration in configuration_model.objects.select_related("app").exclude(app__secret=""):
        app = configuration.app
        configuration.client_secret = fernet.encrypt(app.secret.encode()).decode("ascii")
        configuration.save(update_fields=["client_secret"])
        app_model.objects.filter(pk=app.pk).update(secret="")


def secrets_decrypt(apps, schema_editor):
    configuration_model = apps.get_model("tenants", "SSOConfiguration")
    app_model = apps.get_model("socialaccount", "SocialApp")
    fernet = _fernet()
    for configuration in configuration_model.objects.exclude(client_secret=""):
        secret = fernet.decrypt(configuration.client_secret.encode("ascii")).decode()
        app_model.objects.filter(pk=configuration.app_id).update(secret=secret)
        configuration_model.objects.filter(pk=configuration.pk).update(client_secret="")


class Migration(migrations.Migration):
    dependencies = [
        ("socialaccount", "0006_alter_socialaccount_extra_data"),
        ("tenants", "0011_token_created_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="ssoconfiguration",
            name="client_secret",
            field=models.TextField(
                blank=True,
                default="",
                editable=False,
                help_text="OpenID Connect only; encrypted at rest.",
                verbose_name="client secret",
            ),
        ),
        migrations.RunPython(secrets_encrypt, secrets_decrypt),
    ]
