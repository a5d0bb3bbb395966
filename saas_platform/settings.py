"""Django settings for Wirebook.

Every value comes from an environment variable (see docs/configuration.md); the defaults are
for development. With DEBUG off, an unusable SECRET_KEY stops start-up.
"""

import base64
import hashlib
import ipaddress
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from saas_platform.maptiles import map_tile_source
from tenants.plugins import plugin_apps

BASE_DIR = Path(__file__).resolve().parent.parent

DEVELOPMENT_SECRET_KEY = "wirebook-development-secret-key-do-not-use-in-production"  # noqa: S105


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    normalized = value.strip().lower()
    if normalized in {"1", "true", "yes", "on"}:
        return True
    if normalized in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn postgres://user:password@host:port/name?option=value into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL must start with postgres://, got scheme {parts.scheme!r}.")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL names no database (postgres://user@host:port/<database>).")
    query = dict(parse_qsl(parts.query))
    host = query.pop("host", None) or unquote(parts.hostname or "")
    return {
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "OPTIONS": query,
    }


def database_servers(value: str) -> dict[str, str]:
    """`name=postgres://...,name2=postgres://...` into {name: url}."""
    servers: dict[str, str] = {}
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        name, separator, url = item.partition("=")
        name = name.strip()
        if not separator or not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", name) or name in {"default", "wirebook_public"}:
            raise ImproperlyConfigured(
                f"WIREBOOK_DATABASE_SERVERS: {item!r} is not name=postgres://... with a lowercase name "
                "other than default."
            )
        servers[name] = url.strip()
    return servers


DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not DEBUG and (not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing, too short or the development default while DEBUG is off. "
        "Set SECRET_KEY to a random string of at least 32 characters, for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY

WIREBOOK_BASE_DOMAIN = os.environ.get("WIREBOOK_BASE_DOMAIN", "localhost").strip().lower()
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    ["127.0.0.1", "localhost", f".{WIREBOOK_BASE_DOMAIN}", WIREBOOK_BASE_DOMAIN, "testserver"] if DEBUG else [],
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- Tenancy (DESIGN §2) -------------------------------------------------------------------

SHARED_APPS = [
    "tenants",  # first: its `migrate` command replaces django-tenants' and Django's
    "django_tenants",
    "saas_platform",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "frontend",  # before allauth: its templates/account/ override allauth's
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "mptt",
    "core",
    "inventory",
    "addressing",
    "circuits",
    "automation",
]

# What /api/status/ reports as "netbox-version": the NetBox release whose REST API we speak.
WIREBOOK_NETBOX_COMPATIBLE_VERSION = "4.7.3"
WIREBOOK_VERSION = "0.1.0"

# Plugins (docs/plugins.md): importable packages, each checked here and added as a tenant app (its tables
# live in every organization's schema); organizations enable them one by one (Organization.plugins).
WIREBOOK_PLUGINS = env_list("WIREBOOK_PLUGINS", [])
TENANT_APPS += plugin_apps(WIREBOOK_PLUGINS, WIREBOOK_VERSION)
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]
# The REST API version NetBox clients see in the API-Version header.
WIREBOOK_API_VERSION = ".".join(WIREBOOK_NETBOX_COMPATIBLE_VERSION.split(".")[:2])

TENANT_MODEL = "tenants.Organization"
TENANT_DOMAIN_MODEL = "tenants.Domain"
DATABASE_ROUTERS = ["tenants.servers.OrganizationServerRouter", "django_tenants.routers.TenantSyncRouter"]
# How many spare, fully migrated schemas wait to be handed to new organizations.
WIREBOOK_SPARE_SCHEMAS = env_int("WIREBOOK_SPARE_SCHEMAS", 3)
# Organizations one account may create (each is a PostgreSQL schema); 0: no limit.
# Operators' `manage.py create_organization` is not limited.
WIREBOOK_MAX_ORGANIZATIONS_PER_USER = env_int("WIREBOOK_MAX_ORGANIZATIONS_PER_USER", 10)
if WIREBOOK_MAX_ORGANIZATIONS_PER_USER < 0:
    raise ImproperlyConfigured("WIREBOOK_MAX_ORGANIZATIONS_PER_USER must be 0 (no limit) or more.")
# Worker processes `manage.py migrate` uses for organization schemas (0 = one per CPU).
WIREBOOK_MIGRATE_JOBS = env_int("WIREBOOK_MIGRATE_JOBS", 0)
# NetBox's ENFORCE_GLOBAL_UNIQUE: prefixes and IP addresses outside any VRF are unique (docs/ipam.md).
WIREBOOK_ENFORCE_GLOBAL_UNIQUE = env_bool("WIREBOOK_ENFORCE_GLOBAL_UNIQUE", True)
# Bulk imports of at least this many records run as a background job with a progress page.
WIREBOOK_IMPORT_BACKGROUND_ROWS = max(1, env_int("WIREBOOK_IMPORT_BACKGROUND_ROWS", 500))
# A custom field change rewrites the values objects store: as a background job with a progress page
# once the tables of its object types hold at least this many rows, else in the change's transaction.
WIREBOOK_CUSTOM_FIELD_BACKGROUND_ROWS = max(1, env_int("WIREBOOK_CUSTOM_FIELD_BACKGROUND_ROWS", 10000))
# What one request may make the server parse (issue #9; docs/configuration.md). Request bodies
# beyond WIREBOOK_MAX_REQUEST_BYTES are refused (413) before they are read, and JSON nested deeper
# than WIREBOOK_MAX_JSON_DEPTH before it is parsed (tenants.request_limits).
WIREBOOK_MAX_REQUEST_BYTES = max(1024, env_int("WIREBOOK_MAX_REQUEST_BYTES", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = WIREBOOK_MAX_REQUEST_BYTES
WIREBOOK_MAX_JSON_DEPTH = max(2, env_int("WIREBOOK_MAX_JSON_DEPTH", 64))
# Objects one REST bulk create, update or delete may carry (NetBox's MAX_PAGE_SIZE for reads).
WIREBOOK_MAX_BULK_OBJECTS = max(1, env_int("WIREBOOK_MAX_BULK_OBJECTS", 1000))
# GraphQL (docs/graphql.md): the most objects a query may return by its estimated cost (lists count
# their page size times what they select), the largest query document, the longest list argument.
WIREBOOK_GRAPHQL_MAX_COST = max(1, env_int("WIREBOOK_GRAPHQL_MAX_COST", 5_000_000_000))
# ...and the most objects its lists may actually return while it runs.
WIREBOOK_GRAPHQL_MAX_OBJECTS = max(1, env_int("WIREBOOK_GRAPHQL_MAX_OBJECTS", 50_000))
WIREBOOK_GRAPHQL_MAX_QUERY_BYTES = max(1024, env_int("WIREBOOK_GRAPHQL_MAX_QUERY_BYTES", 32 * 1024))
WIREBOOK_GRAPHQL_MAX_LIST_ARGUMENT = max(1, env_int("WIREBOOK_GRAPHQL_MAX_LIST_ARGUMENT", 1000))
# Bulk imports (UI paste or upload, and their background jobs): size of the text and records in it.
WIREBOOK_IMPORT_MAX_BYTES = max(1024, env_int("WIREBOOK_IMPORT_MAX_BYTES", 5 * 1024 * 1024))
WIREBOOK_IMPORT_MAX_RECORDS = max(1, env_int("WIREBOOK_IMPORT_MAX_RECORDS", 10000))
# Days between an owner's request to delete an organization and the drop of its data; the
# owner can cancel meanwhile (tenants.services.organization_deletion_schedule).
ORGANIZATION_DELETION_GRACE_DAYS = env_int("ORGANIZATION_DELETION_GRACE_DAYS", 14)
if ORGANIZATION_DELETION_GRACE_DAYS < 0:
    raise ImproperlyConfigured("ORGANIZATION_DELETION_GRACE_DAYS must be 0 or more.")
# Server-side secret mixed into every API token's HMAC digest (tenants.tokens). Changing it
# invalidates every token. Derived from SECRET_KEY when unset; set it in production so that
# SECRET_KEY can be rotated without revoking every token.
API_TOKEN_PEPPER = os.environ.get("API_TOKEN_PEPPER", "").strip()
if API_TOKEN_PEPPER and not DEBUG and len(API_TOKEN_PEPPER) < 32:
    raise ImproperlyConfigured("API_TOKEN_PEPPER must be at least 32 random characters.")
API_TOKEN_PEPPER = API_TOKEN_PEPPER or hashlib.sha256(f"wirebook-api-token-pepper:{SECRET_KEY}".encode()).hexdigest()


def encryption_keys(value: str) -> list[str]:
    """The keys of a WIREBOOK_ENCRYPTION_KEY value (comma-separated, newest first), each a Fernet
    key: 32 random bytes in url-safe base64."""
    keys = [key.strip() for key in value.split(",") if key.strip()]
    for position, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"WIREBOOK_ENCRYPTION_KEY: key {position} is not a Fernet key (32 bytes in url-safe base64, "
                f"44 characters). Generate one with {GENERATE_ENCRYPTION_KEY}."
            ) from None
    if len(set(keys)) != len(keys):
        raise ImproperlyConfigured("WIREBOOK_ENCRYPTION_KEY lists a key twice.")
    return keys


# Keys encrypting the secrets organizations store (tenants.secrets: OIDC client secrets...), newest
# first: the first encrypts, any decrypts; `manage.py rotate_secrets` re-encrypts with the first.
# Development falls back to a fixed, public key; production refuses to start without its own.
GENERATE_ENCRYPTION_KEY = "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`"
DEVELOPMENT_ENCRYPTION_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"wirebook-development-encryption-key-do-not-use-in-production").digest()
).decode()
WIREBOOK_ENCRYPTION_KEYS = encryption_keys(os.environ.get("WIREBOOK_ENCRYPTION_KEY", ""))
if not DEBUG and not WIREBOOK_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "WIREBOOK_ENCRYPTION_KEY is missing while DEBUG is off: it encrypts the secrets organizations store "
        f"(SSO client secrets). Generate a key with {GENERATE_ENCRYPTION_KEY} and keep it: without it the "
        "stored secrets cannot be read."
    )
if not DEBUG and DEVELOPMENT_ENCRYPTION_KEY in WIREBOOK_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("WIREBOOK_ENCRYPTION_KEY holds the public development key while DEBUG is off.")
WIREBOOK_ENCRYPTION_KEYS = WIREBOOK_ENCRYPTION_KEYS or [DEVELOPMENT_ENCRYPTION_KEY]

# --- Database and Redis ----------------------------------------------------------------------

DATABASES = {
    "default": {
        "ENGINE": "tenants.db",
        **database_from_url(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wirebook")),
        # Connections are reused for a bounded time: each keeps catalog cache for every
        # organization it served (DESIGN §2), so they must not live forever.
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 300),
        # ...and bounded by what they touched (tenants.db.DatabaseWrapper.close_if_overgrown): closed
        # once they served this many organization schemas, or their server process holds this much.
        "CONN_MAX_SCHEMAS": max(0, env_int("DATABASE_CONN_MAX_SCHEMAS", 100)),
        "CONN_MAX_MEMORY_MB": max(0, env_int("DATABASE_CONN_MAX_MEMORY_MB", 64)),
        # A `SELECT 1` before every request's first query costs a round trip each time; a
        # connection the server dropped fails that one request and is then replaced.
        "CONN_HEALTH_CHECKS": env_bool("DATABASE_CONN_HEALTH_CHECKS", False),
        # One transaction per view: writes are all-or-nothing and the organization's schema is
        # applied once per request, transaction-locally (tenants.db).
        "ATOMIC_REQUESTS": True,
        # Behind a transaction-pooling PgBouncer, server-side cursors cannot outlive a statement.
        "DISABLE_SERVER_SIDE_CURSORS": env_bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", False),
    }
}
# More database servers for organizations' schemas (docs/operations.md, "More database servers"):
# `name=postgres://...` pairs, comma-separated. Each name is a server an organization's schema may
# live on (`Organization.database`); "default" is DATABASE_URL's, which also holds the public schema.
WIREBOOK_DATABASE_SERVERS = database_servers(os.environ.get("WIREBOOK_DATABASE_SERVERS", ""))
for _alias, _url in WIREBOOK_DATABASE_SERVERS.items():
    # Same connection settings as the public server's; a request's transaction is opened on the
    # organization's server through the default alias (tenants.context), never twice.
    DATABASES[_alias] = {**DATABASES["default"], **database_from_url(_url), "ATOMIC_REQUESTS": False}
# The server new organizations' schemas are created on (and where the spare schemas wait).
WIREBOOK_NEW_ORGANIZATIONS_SERVER = os.environ.get("WIREBOOK_NEW_ORGANIZATIONS_SERVER", "default").strip()
if WIREBOOK_NEW_ORGANIZATIONS_SERVER not in DATABASES:
    raise ImproperlyConfigured(
        f"WIREBOOK_NEW_ORGANIZATIONS_SERVER is {WIREBOOK_NEW_ORGANIZATIONS_SERVER!r}, not one of the servers "
        f"{', '.join(DATABASES)} (WIREBOOK_DATABASE_SERVERS)."
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

CACHES = {
    "default": {
        "BACKEND": "saas_platform.cache.SharedClientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "tenants.context.cache_key",
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "wirebook"),
    },
    "sessions": {
        "BACKEND": "saas_platform.cache.SharedClientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "wirebook") + "-sessions",
    },
}

# --- Celery (DESIGN §6) ----------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task taken by a worker that then dies (acks_late: not yet acknowledged) goes back to the queue after
# this many seconds. Keep it above the longest retry countdown (WEBHOOK_RETRY_SECONDS * 2**(retries - 1)):
# a waiting retry is held unacknowledged too.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
# Housekeeping runs on Celery beat: the tasks declared with `run_every` (saas_platform/celery.py).

# --- Backups (docs/operations.md) ------------------------------------------------------------

# Every organization's archive written to the storage once a day by Celery beat.
WIREBOOK_BACKUPS_DAILY = env_bool("WIREBOOK_BACKUPS_DAILY", False)
# Backups kept per organization: writing one deletes the oldest beyond this many.
WIREBOOK_BACKUPS_KEPT = env_int("WIREBOOK_BACKUPS_KEPT", 14)
if WIREBOOK_BACKUPS_KEPT < 1:
    raise ImproperlyConfigured("WIREBOOK_BACKUPS_KEPT must be 1 or more.")
# The largest archive an owner may upload to restore from (bytes).
WIREBOOK_RESTORE_MAX_BYTES = max(1024, env_int("WIREBOOK_RESTORE_MAX_BYTES", 2 * 1024**3))

# --- Billing (Stripe; docs/billing.md) -------------------------------------------------------

# Billing is on only when both keys are set. Without them (self-hosted) every organization is
# unlimited and no page or write mentions plans.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "").strip()
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "").strip()
if bool(STRIPE_SECRET_KEY) != bool(STRIPE_WEBHOOK_SECRET):
    raise ImproperlyConfigured("Set both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET to turn billing on, or neither.")
# Where the Stripe library sends its requests; for tests against a local fake Stripe only.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "").strip()
# Stripe calls made for a user run in Celery (tenants.tasks): retries of one that Stripe did not
# answer, the first after this many seconds, each next one after twice as long.
STRIPE_TASK_RETRIES = max(0, env_int("STRIPE_TASK_RETRIES", 5))
STRIPE_TASK_RETRY_SECONDS = max(0, env_int("STRIPE_TASK_RETRY_SECONDS", 30))
# Days a past-due organization keeps writing before it becomes read-only.
BILLING_GRACE_DAYS = env_int("BILLING_GRACE_DAYS", 14)
# The plans, cheapest first. A limit of 0 means unlimited; `price` is the Stripe price id a paid
# plan is sold at (a plan without one cannot be bought through Checkout).
WIREBOOK_PLANS: dict[str, dict[str, Any]] = {
    "free": {
        "name": "Free",
        "price": "",
        "max_members": env_int("BILLING_FREE_MAX_MEMBERS", 3),
        "max_objects": env_int("BILLING_FREE_MAX_OBJECTS", 500),
    },
    "team": {
        "name": "Team",
        "price": os.environ.get("STRIPE_PRICE_TEAM", "").strip(),
        "max_members": env_int("BILLING_TEAM_MAX_MEMBERS", 25),
        "max_objects": env_int("BILLING_TEAM_MAX_OBJECTS", 50_000),
    },
    "msp": {
        "name": "MSP",
        "price": os.environ.get("STRIPE_PRICE_MSP", "").strip(),
        "max_members": env_int("BILLING_MSP_MAX_MEMBERS", 0),
        "max_objects": env_int("BILLING_MSP_MAX_OBJECTS", 0),
    },
}

# --- Web -------------------------------------------------------------------------------------

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body: oversized or too deeply nested ones never reach a parser.
    "tenants.request_limits.RequestBodyLimitMiddleware",
    "tenants.audit.AuditIPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files need no policy), before everything that may answer.
    "saas_platform.security.ContentSecurityPolicyMiddleware",
    # Before anything reads the request: NUL characters and unpaired surrogates are a 400 (tenants.inputs).
    "tenants.inputs.RefuseUnstorableInputMiddleware",
    # Outside the routing middleware, on purpose: it turns some 404s into redirects computed with
    # reverse(), which inside an organization carries its /o/<slug>/ prefix -- a non-member would
    # then be redirected where an unknown organization answers 404, telling the two apart.
    "allauth.account.middleware.AccountMiddleware",
    "tenants.middleware.OrganizationRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tenants.middleware.OrganizationMembershipMiddleware",
    # A member's JSON answers of the REST API as pages for browsers (the browsable API).
    "frontend.api_pages.BrowsableApiMiddleware",
    # Innermost: API paths that no view answered still answer JSON (404, 405).
    "tenants.middleware.ApiErrorShapesMiddleware",
]
# Benchmarks only: answer every request with the number of SQL statements it sent
# (`X-Wirebook-Statements`, see benchmarks/api.py).
WIREBOOK_COUNT_STATEMENTS = env_bool("WIREBOOK_COUNT_STATEMENTS", False)
if WIREBOOK_COUNT_STATEMENTS:
    MIDDLEWARE.insert(0, "tenants.middleware.StatementCountMiddleware")

ROOT_URLCONF = "saas_platform.urls"
WIREBOOK_TENANT_URLCONF = "frontend.tenant_urls"
WSGI_APPLICATION = "saas_platform.wsgi.application"
ASGI_APPLICATION = "saas_platform.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context.organization_context_processor",
                "frontend.navigation.navigation_context_processor",
                "frontend.extensions.topbar_context_processor",
                "frontend.settings.billing.billing_context_processor",
            ],
        },
    }
]

AUTH_USER_MODEL = "saas_platform.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Passwords are hashed with Django's default, PBKDF2, slow on purpose (about half a second a hash here). The
# test suite hashes hundreds of passwords of throwaway users and sets WIREBOOK_FAST_PASSWORD_HASHING
# (tests/pytest_env.py, inherited by its live servers and workers) for a cheap hasher: honoured with DEBUG on
# only, so never in production, which requires DEBUG off.
if DEBUG and env_bool("WIREBOOK_FAST_PASSWORD_HASHING", False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Django's and allauth's, reading a session's user from the cache (tenants.backends).
AUTHENTICATION_BACKENDS = [
    "tenants.backends.ModelBackend",
    "tenants.backends.AuthenticationBackend",
]

# --- Accounts: signup, login, email verification (django-allauth) --------------------------

# Pending invitations after signup, the signup cap and require-SSO (saas_platform.adapters, tenants.sso.allauth).
ACCOUNT_ADAPTER = "saas_platform.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Signup, login and password reset never tell whether an account exists for an address.
ACCOUNT_PREVENT_ENUMERATION = True
# Accounts the signup form may create per client address and day (each may create organizations,
# each a PostgreSQL schema); 0: no cap. Counted by saas_platform.adapters.
WIREBOOK_MAX_SIGNUPS_PER_ADDRESS_PER_DAY = env_int("WIREBOOK_MAX_SIGNUPS_PER_ADDRESS_PER_DAY", 10)
if WIREBOOK_MAX_SIGNUPS_PER_ADDRESS_PER_DAY < 0:
    raise ImproperlyConfigured("WIREBOOK_MAX_SIGNUPS_PER_ADDRESS_PER_DAY must be 0 (no cap) or more.")
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    # Attempts, successful or not.
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    # "Verify now" on the SSO settings page: each is a DNS lookup.
    "sso_domain_verify": "10/m/user",
}
if WIREBOOK_MAX_SIGNUPS_PER_ADDRESS_PER_DAY:
    ACCOUNT_RATE_LIMITS["signup_per_address"] = f"{WIREBOOK_MAX_SIGNUPS_PER_ADDRESS_PER_DAY}/d/ip"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Wirebook] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Where every link in an email points (signup confirmation, password reset, invitations): never
# the request's Host, which the sender of a request chooses (tenants.public_urls).
# Where the landing page's "Documentation" link goes (empty: no link).
WIREBOOK_DOCS_URL = os.environ.get("WIREBOOK_DOCS_URL", "").strip()
WIREBOOK_PUBLIC_URL = (
    os.environ.get("WIREBOOK_PUBLIC_URL", "").strip() or f"{ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{WIREBOOK_BASE_DOMAIN}"
).rstrip("/")
_public = urlsplit(WIREBOOK_PUBLIC_URL)
if _public.scheme not in ("http", "https") or not _public.hostname or _public.path or _public.query:
    raise ImproperlyConfigured(
        f"WIREBOOK_PUBLIC_URL must be http(s)://host[:port] with no path, got {WIREBOOK_PUBLIC_URL!r}."
    )
# Proxies in front of Wirebook whose X-Forwarded-For allauth trusts for per-IP rate limits.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- Single sign-on per organization (allauth socialaccount, see docs/sso.md) ----------------
# Each organization's identity provider is one SocialApp row (tenants.sso); there are no
# settings-defined apps. New people sign up by SSO without a form; an existing account is signed in
# only when it is a member, linked or matched by a verified address in one of the organization's
# verified email domains (tenants.sso, tenants.sso.allauth).
SOCIALACCOUNT_ADAPTER = "tenants.sso.allauth.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, Any]] = {}
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("SSO_REQUESTS_TIMEOUT", 10)
# Accept http:// OIDC issuers (discovery, keys and tokens unprotected in transit): development only.
SSO_ALLOW_INSECURE_HTTP = env_bool("SSO_ALLOW_INSECURE_HTTP", DEBUG)
# Connecting an identity to one's account (and disconnecting it) needs the password entered again.
SOCIALACCOUNT_REAUTHENTICATION_REQUIRED = True


def dns_nameservers(name: str) -> list[tuple[str, int]]:
    """host[:port] items ("192.0.2.53", "192.0.2.53:5353", "[2001:db8::53]:53") as (address, port)."""
    servers = []
    for item in env_list(name, []):
        host, port = item, "53"
        if item.startswith("["):
            host, _, rest = item[1:].partition("]")
            port = rest.removeprefix(":") or "53"
        elif item.count(":") == 1:
            host, port = item.split(":")
        try:
            servers.append((str(ipaddress.ip_address(host)), int(port)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses with optional ports, such as 192.0.2.53:53, got {item!r}."
            ) from None
    return servers


# Email domain verification by DNS TXT record (tenants.sso.domains, docs/sso.md). Resolvers to ask
# (empty: the system's, /etc/resolv.conf), and how long one lookup may take in seconds.
SSO_DNS_NAMESERVERS = dns_nameservers("SSO_DNS_NAMESERVERS")
SSO_DNS_TIMEOUT = env_int("SSO_DNS_TIMEOUT", 5)
# A verified domain is looked up again this often; when its record is gone it is unverified at
# once, and after this many lookups in a row that got no answer (timeouts, SERVFAIL) as well.
SSO_DOMAIN_RECHECK_HOURS = env_int("SSO_DOMAIN_RECHECK_HOURS", 24)
SSO_DOMAIN_RECHECK_BATCH = env_int("SSO_DOMAIN_RECHECK_BATCH", 500)
SSO_DOMAIN_MAX_FAILED_CHECKS = env_int("SSO_DOMAIN_MAX_FAILED_CHECKS", 3)

# --- Outbound HTTP to addresses users choose (tenants.outbound, see docs/sso.md) -------------
# Only public addresses, unless listed here (CIDR) or private networks are allowed altogether
# (development and tests, whose identity providers listen on 127.0.0.1).
OUTBOUND_ALLOW_PRIVATE_NETWORKS = env_bool("OUTBOUND_ALLOW_PRIVATE_NETWORKS", False)
OUTBOUND_ALLOWED_NETWORKS = env_list("OUTBOUND_ALLOWED_NETWORKS", [])
for _network in OUTBOUND_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"OUTBOUND_ALLOWED_NETWORKS must list networks such as 10.20.0.0/16, got {_network!r}."
        ) from None
OUTBOUND_HTTP_TIMEOUT = env_int("OUTBOUND_HTTP_TIMEOUT", 10)

# Templates (automation.sandbox: webhooks, config and export templates): the most characters one render
# makes and the most seconds it runs before it is stopped.
TEMPLATE_MAX_OUTPUT = env_int("TEMPLATE_MAX_OUTPUT", 10_000_000)
TEMPLATE_MAX_SECONDS = env_int("TEMPLATE_MAX_SECONDS", 10)

# Custom scripts (automation.scripting): each run is a child process in a bubblewrap sandbox (docs/scripts.md).
# SCRIPTS_PYTHON is the interpreter run inside it (only its standard library is available, read-only);
# SCRIPTS_SANDBOX_UID the unprivileged user the sandbox runs as when the worker runs as root. The limits:
# CPU seconds, wall-clock seconds, address space (MB), largest file written (MB), processes and threads,
# open files, and the characters of output kept.
SCRIPTS_PYTHON = os.environ.get("SCRIPTS_PYTHON", "")
SCRIPTS_SANDBOX_UID = env_int("SCRIPTS_SANDBOX_UID", 65534)
SCRIPTS_CPU_SECONDS = env_int("SCRIPTS_CPU_SECONDS", 30)
SCRIPTS_WALL_SECONDS = env_int("SCRIPTS_WALL_SECONDS", 60)
SCRIPTS_MEMORY_MB = env_int("SCRIPTS_MEMORY_MB", 512)
SCRIPTS_FILE_MB = env_int("SCRIPTS_FILE_MB", 16)
SCRIPTS_PROCESSES = env_int("SCRIPTS_PROCESSES", 16)
SCRIPTS_OPEN_FILES = env_int("SCRIPTS_OPEN_FILES", 64)
SCRIPTS_MAX_OUTPUT = env_int("SCRIPTS_MAX_OUTPUT", 1_000_000)

# Webhooks (automation.delivery): how long to wait for a receiver when the webhook sets no timeout, how
# often a failed delivery is retried (first after WEBHOOK_RETRY_SECONDS, doubling each time), after how
# many failed deliveries in a row the webhook is switched off, how long the delivery log is kept, and
# the folder of CA bundles a webhook may name (none: webhooks verify against the system's CAs only).
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10)
WEBHOOK_RETRIES = env_int("WEBHOOK_RETRIES", 5)
WEBHOOK_RETRY_SECONDS = env_int("WEBHOOK_RETRY_SECONDS", 10)
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 20)
WEBHOOK_DELIVERY_RETENTION_DAYS = env_int("WEBHOOK_DELIVERY_RETENTION_DAYS", 30)
WEBHOOK_CA_FILES_DIR = os.environ.get("WEBHOOK_CA_FILES_DIR", "").strip()
# Housekeeping: days a finished job is kept (an export whose archive is still there stays), and days
# an expired API token stays listed (to its owner, as expired) before it is deleted.
JOB_RETENTION_DAYS = env_int("JOB_RETENTION_DAYS", 90)
TOKEN_EXPIRED_RETENTION_DAYS = env_int("TOKEN_EXPIRED_RETENTION_DAYS", 30)
# Days a member's notification is kept, read or not.
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 90)
# Fairness (automation.fairness): deliveries of one organization in flight at once, across all workers,
# and how long a delivery finding its organization at that limit waits before it is tried again.
WEBHOOK_ORGANIZATION_CONCURRENCY = env_int("WEBHOOK_ORGANIZATION_CONCURRENCY", 2)
WEBHOOK_FAIRNESS_DEFER_SECONDS = env_int("WEBHOOK_FAIRNESS_DEFER_SECONDS", 1)

EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
# A folder to write emails into, one file each, instead of sending them (browser tests read it).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "").strip()
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or f"Wirebook <noreply@{WIREBOOK_BASE_DOMAIN}>"

# Sessions are stored in the database and read from the cache (one Redis round trip per request
# instead of a query); their cache is not per schema, as the public rows they stand for.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"

# --- Transport and browser security (docs/configuration.md, "TLS, HSTS and proxies") ---------

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG


def _proxy_ssl_header(value: str) -> tuple[str, str]:
    name, _, expected = value.partition(":")
    name, expected = name.strip(), expected.strip()
    if not name or not expected:
        raise ImproperlyConfigured(f"SECURE_PROXY_SSL_HEADER must look like 'X-Forwarded-Proto: https', got {value!r}.")
    return "HTTP_" + name.upper().replace("-", "_"), expected


# The header (and value) by which the TLS-terminating proxy says a request came over https.
SECURE_PROXY_SSL_HEADER = (
    _proxy_ssl_header(os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip() or "X-Forwarded-Proto: https")
    if env_bool("SECURE_PROXY_SSL", not DEBUG)
    else None
)
# Redirect http:// to https:// -- off only where the proxy itself redirects (then `check --deploy`
# rightly warns about it: security.W008).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe over plain http (paths without their leading slash).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60)
# Organizations live at <slug>.<base domain>: they need the same protection as the base domain.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin, not no-referrer: with no-referrer browsers send `Origin: null` with forms, which
# Django's CSRF check refuses (it broke accepting invitations once, see saas_platform.views.invitation_accept_view).
SECURE_REFERRER_POLICY = os.environ.get("SECURE_REFERRER_POLICY", "").strip() or "same-origin"
if "no-referrer" in [policy.strip() for policy in SECURE_REFERRER_POLICY.split(",")]:
    raise ImproperlyConfigured("SECURE_REFERRER_POLICY=no-referrer would make CSRF refuse forms; use same-origin.")
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS: list[str] = []
if not SECURE_HSTS_PRELOAD:
    # security.W021 asks for HSTS preloading. Preloading puts the whole base domain, every
    # subdomain included, on browsers' built-in https-only lists for months: an operator's
    # decision (SECURE_HSTS_PRELOAD=true), not a default.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Content-Security-Policy (django-csp; saas_platform.security): no inline script or style
# anywhere -- the templates load frontend/static files and pass data in data-* attributes or
# <script type="application/json"> blocks, which browsers never run. img-src allows data: for
# Bootstrap's inline SVG icons (in its CSS). API and other non-HTML responses get
# `default-src 'none'; frame-ancestors 'none'` instead.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}


# Map tiles behind the map of an object with coordinates (a site's): empty, no map is drawn (the coordinates
# show as text with a geo: link) and pages ask nothing of another site; else pages load tiles from there.
WIREBOOK_MAP_TILES_URL = os.environ.get("WIREBOOK_MAP_TILES_URL", "").strip()
WIREBOOK_MAP_ATTRIBUTION = os.environ.get(
    "WIREBOOK_MAP_ATTRIBUTION", "&copy; OpenStreetMap contributors" if WIREBOOK_MAP_TILES_URL else ""
).strip()
try:  # checked at start-up; the policy allows its host (saas_platform.security)
    map_tile_source(WIREBOOK_MAP_TILES_URL)
except ValueError as error:
    raise ImproperlyConfigured(f"WIREBOOK_MAP_TILES_URL: {error}") from None

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# `manage.py collectstatic` target in production; in development files are served from the apps.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or (None if DEBUG else BASE_DIR / "staticfiles")
WHITENOISE_USE_FINDERS = DEBUG

# --- Files (django-storages S3 in production, local files in development) ------------------

MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / ".data" / "media"))
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        },
    }

# Image attachments (core.images): the largest upload, and the most pixels an image may decode to
# (larger is refused as a possible decompression bomb).
IMAGE_ATTACHMENT_MAX_BYTES = env_int("IMAGE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
IMAGE_ATTACHMENT_MAX_PIXELS = env_int("IMAGE_ATTACHMENT_MAX_PIXELS", 50_000_000)

# --- Logging and errors ----------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

SENTRY_DSN = os.environ.get("SENTRY_DSN", "").strip()
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
    )
