"""Secrets stored encrypted at rest: an organization's OIDC client secret today, webhook secrets and
integration tokens tomorrow (docs/security.md, "Secrets at rest").

`EncryptedTextField` keeps Fernet tokens (AES-128-CBC with an HMAC-SHA256, from `cryptography`)
in a text column, encrypted with the newest key of `WIREBOOK_ENCRYPTION_KEY` (a list, newest first)
and decrypted with whichever of them made it. Read back, the value is a `Secret`: it shows as
`<secret>` in logs, tracebacks, templates and exports, and only `reveal()` -- at the moment the
secret is used -- decrypts it, so a missing or wrong key fails there, with `SecretUnreadable`
saying what to do, and nowhere else. `secrets_rotate` (`manage.py rotate_secrets`) re-encrypts
every stored secret with the newest key, after which older keys can be dropped.

Encrypted values cannot be filtered on (each encryption of the same text differs); only
`isnull` works.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction

NO_KEY = (
    "WIREBOOK_ENCRYPTION_KEY is not set: stored secrets cannot be encrypted or decrypted. "
    "Generate a key with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
)
UNREADABLE = (
    "A stored secret ({what}) cannot be decrypted with any key of WIREBOOK_ENCRYPTION_KEY: the key that "
    "encrypted it is not in the list (or the value was altered). Put the previous key back after the new "
    "one (`WIREBOOK_ENCRYPTION_KEY=<new>,<old>`), run `manage.py rotate_secrets`, then drop the old key; "
    "or enter the secret again."
)


class SecretUnreadable(ImproperlyConfigured):
    """A stored secret none of the configured keys decrypts."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    """The configured keys: the first encrypts, any of them decrypts."""
    keys = tuple(settings.WIREBOOK_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured(NO_KEY)
    return _fernet(keys)


def encrypt(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode("ascii")


def decrypt(token: str, *, what: str = "a secret") -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise SecretUnreadable(UNREADABLE.format(what=what)) from None


class Secret:
    """A stored secret: encrypted (`token`) and, once revealed or when just entered, in clear text.
    Never shows its value: str() and repr() are `<secret>`."""

    __slots__ = ("_plain", "_what", "token")

    def __init__(self, *, token: str = "", plain: str | None = None, what: str = "a secret"):
        self.token = token
        self._plain = plain
        self._what = what

    def reveal(self) -> str:
        """The secret in clear text (decrypted on first use)."""
        if self._plain is None:
            self._plain = decrypt(self.token, what=self._what)
        return self._plain

    def encrypted(self) -> str:
        if not self.token:
            self.token = encrypt(self._plain or "")
        return self.token

    def __bool__(self) -> bool:
        return bool(self.token or self._plain)

    def __str__(self) -> str:
        return "<secret>" if self else ""

    __repr__ = __str__


class EncryptedTextField(models.TextField):
    """Text encrypted at rest (see the module). Assign a plain `str` (encrypted on save) or a
    `Secret`; read back a `Secret`, or "" when empty. Migrations see a plain TextField: encryption
    is this class's behaviour, not the column's type."""

    description = "Text encrypted at rest"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs

    def _what(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    def from_db_value(self, value, expression, connection):
        return Secret(token=value, what=self._what()) if value else value

    def to_python(self, value):
        if isinstance(value, Secret) or not value:
            return value
        return Secret(plain=str(value), what=self._what())

    def get_prep_value(self, value):
        if isinstance(value, Secret):
            return value.encrypted() if value else ""
        return encrypt(str(value)) if value else value

    def value_to_string(self, obj) -> str:
        return ""  # serializers (dumpdata, exports) never carry the secret, encrypted or not

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None


@dataclass(frozen=True)
class RotatedField:
    label: str  # app_label.Model.field
    schema: str  # the schema whose rows were rotated
    rotated: int


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted fields, and their names."""
    for model in apps.get_models():
        names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
        if names:
            yield model, names


def _rotate_model(model: type[models.Model], names: list[str], schema: str) -> list[RotatedField]:
    results = []
    multi = fernet()
    for name in names:
        rotated = 0
        with transaction.atomic():
            rows = model._base_manager.select_for_update().filter(**{f"{name}__isnull": False}).values_list("pk", name)
            for pk, secret in rows.iterator(chunk_size=500):
                if not secret:
                    continue
                try:
                    token = multi.rotate(secret.token.encode("ascii")).decode("ascii")
                except InvalidToken:
                    raise SecretUnreadable(UNREADABLE.format(what=f"{model._meta.label}.{name} of row {pk}")) from None
                model._base_manager.filter(pk=pk).update(**{name: Secret(token=token)})
                rotated += 1
        results.append(RotatedField(f"{model._meta.label}.{name}", schema, rotated))
    return results


def secrets_rotate() -> list[RotatedField]:
    """Re-encrypt every stored secret with the newest key (all or nothing per field and schema).
    Models of the platform are in the public schema; models of organizations' schemas are rotated
    in each organization. Raises SecretUnreadable, naming the row, when a secret is encrypted with
    none of the keys: that field of that schema is then left as it was."""
    from tenants.context import public_context, tenant_context
    from tenants.db.base import PUBLIC_SCHEMA
    from tenants.models import Organization

    shared = {app.rsplit(".", 1)[-1] for app in settings.SHARED_APPS}
    results = []
    for model, names in encrypted_fields():
        if model._meta.app_label in shared:
            with public_context():
                results += _rotate_model(model, names, PUBLIC_SCHEMA)
            continue
        with public_context():
            organizations = list(Organization.objects.order_by("pk"))
        for organization in organizations:
            with tenant_context(organization):
                results += _rotate_model(model, names, organization.schema_name)
    return results
