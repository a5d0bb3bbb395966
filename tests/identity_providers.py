"""Real identity providers for the SSO tests, served over HTTP on loopback from a thread.

- `OIDCProvider`: an OpenID Connect provider on Authlib's authorization server (authorization
  code grant with its OpenID Connect extension: Authlib validates the requests, issues the codes
  and tokens and signs the ID token with RS256). Discovery, JWKS and userinfo are plain JSON.
- `SAMLIdP`: a SAML 2.0 identity provider on pysaml2's `saml2.server.Server` (parses the
  AuthnRequest, builds and signs the assertion with xmlsec1, answers by HTTP-POST binding).

Keys and certificates are generated here with `cryptography`. The test says who is logged in at
the provider (`login_as`), or, for a browser, enrolls people (`enroll`): with nobody logged in,
the OIDC provider's authorize endpoint then shows a login page asking for the email address.
Knobs make a provider misbehave the way a test needs: sign with a key other than the published
one, or address another audience.
"""

import datetime
import html
import json
import os
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from authlib.common.security import generate_token
from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    ClientMixin,
    JsonPayload,
    JsonRequest,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from joserfc.jwk import RSAKey
from requests.structures import CaseInsensitiveDict
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import AUTHN_PASSWORD_PROTECTED, NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # the OIDC provider speaks http on loopback

# --- Keys and the HTTP server -------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPair:
    private_pem: bytes
    certificate_pem: bytes

    @property
    def certificate_base64(self) -> str:
        return "".join(self.certificate_pem.decode().strip().splitlines()[1:-1])


def key_pair(common_name: str, *, tls_hosts: tuple[str, ...] = ()) -> KeyPair:
    """A fresh RSA key and a self-signed certificate for it (a TLS server's for `tls_hosts`)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    if tls_hosts:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(host) for host in tls_hosts]), critical=False
        )
    certificate = builder.sign(key, hashes.SHA256())
    return KeyPair(
        private_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
    )


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class _ThreadingServer(WSGIServer):
    daemon_threads = True


@dataclass
class Response:
    status: int
    body: bytes | str | dict
    headers: list[tuple[str, str]] = field(default_factory=list)


_REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 500: "Error"}


class HTTPService:
    """Serve `handle(environ) -> Response` on 127.0.0.1 on a free port, in a daemon thread.
    `host` names it in `base_url`: `localhost` puts it on another site than a server at
    127.0.0.1, as an identity provider is for a browser."""

    def __init__(self, host: str = "127.0.0.1"):
        self._server = make_server(
            "127.0.0.1", 0, self._wsgi, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.base_url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.errors: list[BaseException] = []
        self.requests: list[str] = []  # the paths asked for, in order

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def handle(self, environ) -> Response:
        raise NotImplementedError

    def _wsgi(self, environ, start_response):
        self.requests.append(environ["PATH_INFO"])
        try:
            response = self.handle(environ)
        except Exception as error:  # reported by the test that looks at `errors`
            self.errors.append(error)
            response = Response(500, f"{type(error).__name__}: {error}")
        body = response.body
        headers = list(response.headers)
        if isinstance(body, dict):
            body = json.dumps(body)
            headers.append(("Content-Type", "application/json"))
        if isinstance(body, str):
            body = body.encode()
        start_response(f"{response.status} {_REASONS.get(response.status, 'Status')}", headers)
        return [body]


def _form(environ) -> dict[str, str]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length).decode() if length else ""
    return {key: values[-1] for key, values in parse_qs(body).items()}


def _query(environ) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}


def _headers(environ) -> CaseInsensitiveDict:
    headers = CaseInsensitiveDict()
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-")] = value
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    return headers


# --- OpenID Connect (Authlib) -------------------------------------------------------------------


@dataclass
class Person:
    subject: str
    email: str
    name: str = "Single Sign-On Person"


@dataclass
class OIDCClient(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    client_metadata: dict = field(default_factory=dict)

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(part for part in (scope or "").split() if part in {"openid", "profile", "email"})

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method, endpoint):
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: Person
    nonce: str | None

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return None

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class _Request(OAuth2Request):
    def __init__(self, environ, uri: str):
        super().__init__(environ["REQUEST_METHOD"], uri, headers=_headers(environ))
        self._args = _query(environ)
        self._form = _form(environ) if environ["REQUEST_METHOD"] == "POST" else {}
        self.payload = BasicOAuth2Payload({**self._args, **self._form})

    @property
    def args(self):
        return self._args

    @property
    def form(self):
        return self._form


class _JsonRequest(JsonRequest):
    def __init__(self, environ, uri: str):
        super().__init__(environ["REQUEST_METHOD"], uri, _headers(environ))
        self.payload = JsonPayload()


def _user_info(user: Person, scope: str) -> UserInfo:
    return UserInfo(sub=user.subject, email=user.email, email_verified=True, name=user.name).filter(scope)


class _CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code, request):
        self.server.provider.codes[code] = AuthorizationCode(
            code=code,
            client_id=request.client.client_id,
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            user=request.user,
            nonce=request.payload.data.get("nonce"),
        )

    def query_authorization_code(self, code, client):
        found = self.server.provider.codes.get(code)
        return found if found is not None and found.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code):
        self.server.provider.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return authorization_code.user


class _IDToken(OpenIDCode):
    def __init__(self, provider: "OIDCProvider"):
        super().__init__(require_nonce=False)
        self.provider = provider

    def exists_nonce(self, nonce, request):
        return False

    def resolve_client_private_key(self, client):
        return self.provider.signing_key

    def get_client_algorithm(self, client):
        return "RS256"

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": self.provider.kid}

    def get_client_claims(self, client):
        return {"iss": self.provider.issuer, "aud": [self.provider.audience or client.client_id]}

    def generate_user_info(self, user, scope):
        return _user_info(user, scope)


class _AuthorizationServer(AuthorizationServer):
    def __init__(self, provider: "OIDCProvider"):
        super().__init__(scopes_supported=["openid", "profile", "email"])
        self.provider = provider
        self.register_token_generator("default", BearerTokenGenerator(lambda *args, **kwargs: generate_token(42)))
        self.register_grant(_CodeGrant, [_IDToken(provider)])

    def query_client(self, client_id):
        return self.provider.clients.get(client_id)

    def save_token(self, token, request):
        self.provider.access_tokens[token["access_token"]] = (request.user, token.get("scope", ""))

    def create_oauth2_request(self, request):
        return request

    def create_json_request(self, request):
        return request

    def handle_response(self, status, body, headers):
        return Response(status, body, list(headers))

    def send_signal(self, name, *args, **kwargs):
        pass


_LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><h1>Sign in to the test identity provider</h1>{error}
<form method="post"><label for="email">Email</label> <input id="email" name="email" type="email" required>
<button type="submit">Sign in</button></form></body></html>"""


class OIDCProvider(HTTPService):
    """An OpenID Connect provider at `issuer` (= its base URL)."""

    def __init__(self, host: str = "127.0.0.1"):
        super().__init__(host)
        self.issuer = self.base_url
        self.published_key = RSAKey.import_key(key_pair("oidc").private_pem)
        self.kid = "wirebook-test-key"
        self.signing_key = self.published_key  # set to another key to sign with one nobody published
        self.audience: str | None = None  # set to address ID tokens to someone else
        self.clients: dict[str, OIDCClient] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.access_tokens: dict[str, tuple[Person, str]] = {}
        self.user: Person | None = None
        self.people: dict[str, Person] = {}  # who may sign in on the login page, by email address
        self.server = _AuthorizationServer(self)

    def add_client(self, client_id: str, client_secret: str, redirect_uri: str) -> OIDCClient:
        client = OIDCClient(client_id=client_id, client_secret=client_secret, redirect_uris=[redirect_uri])
        self.clients[client_id] = client
        return client

    def login_as(self, person: Person | None) -> None:
        self.user = person

    def enroll(self, person: Person) -> None:
        """Let `person` sign in on the login page (shown while nobody is logged in)."""
        self.people[person.email.lower()] = person

    def _login_page(self, error: str = "", status: int = 200) -> Response:
        alert = f'<p role="alert">{html.escape(error)}</p>' if error else ""
        return Response(status, _LOGIN_PAGE.format(error=alert), [("Content-Type", "text/html; charset=utf-8")])

    def _authorize(self, environ, uri: str) -> Response:
        """The authorization request, validated first; then who signs in: the logged-in user,
        else an enrolled person through the login page (which posts back to the same URL)."""
        request = _Request(environ, uri)
        grant = self.server.get_consent_grant(request=request, end_user=self.user)
        user = self.user
        if user is None and self.people:
            if environ["REQUEST_METHOD"] != "POST":
                return self._login_page()
            user = self.people.get(request.form.get("email", "").strip().lower())
            if user is None:
                return self._login_page("Nobody with that email address is enrolled here.", status=401)
        if user is None:
            return Response(401, "nobody is logged in at the identity provider")
        return self.server.create_authorization_response(request=request, grant_user=user, grant=grant)

    def sign_with_unpublished_key(self) -> None:
        self.signing_key = RSAKey.import_key(key_pair("impostor").private_pem)

    def handle(self, environ) -> Response:
        path = environ["PATH_INFO"]
        uri = f"{self.base_url}{path}?{environ.get('QUERY_STRING', '')}"
        if path == "/.well-known/openid-configuration":
            return Response(200, self.discovery())
        if path == "/jwks":
            public = self.published_key.as_dict(private=False)
            return Response(200, {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]})
        if path == "/authorize":
            return self._authorize(environ, uri)
        if path == "/token":
            return self.server.create_token_response(_Request(environ, uri))
        if path == "/userinfo":
            token = _headers(environ).get("Authorization", "").removeprefix("Bearer ").strip()
            if token not in self.access_tokens:
                return Response(401, {"error": "invalid_token"})
            user, scope = self.access_tokens[token]
            return Response(200, dict(_user_info(user, scope)))
        return Response(404, "not found")

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.base_url}/authorize",
            "token_endpoint": f"{self.base_url}/token",
            "userinfo_endpoint": f"{self.base_url}/userinfo",
            "jwks_uri": f"{self.base_url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "scopes_supported": ["openid", "profile", "email"],
        }


# --- SAML 2.0 (pysaml2) -------------------------------------------------------------------------


class SAMLIdP(HTTPService):
    """A SAML identity provider whose SSO service is `<base_url>/sso` (HTTP-Redirect in,
    HTTP-POST out). `configure(sp_metadata)` must be called with our SP's metadata first."""

    def __init__(self, directory: Path, host: str = "127.0.0.1"):
        super().__init__(host)
        self.entity_id = f"{self.base_url}/metadata"
        self.directory = directory
        self.published = key_pair("saml-idp")
        self.signing = self.published  # set to another key pair to sign with an unknown key
        self.audience: str | None = None  # set to address assertions to another SP
        self.user: Person | None = None
        self._sp_metadata = ""

    def _files(self, pair: KeyPair, name: str) -> tuple[str, str]:
        key_file, cert_file = self.directory / f"{name}.key", self.directory / f"{name}.crt"
        key_file.write_bytes(pair.private_pem)
        cert_file.write_bytes(pair.certificate_pem)
        return str(key_file), str(cert_file)

    def _config(self, pair: KeyPair, name: str):
        key_file, cert_file = self._files(pair, name)
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "service": {
                    "idp": {
                        "endpoints": {"single_sign_on_service": [(f"{self.base_url}/sso", BINDING_HTTP_REDIRECT)]},
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}},
                        "want_authn_requests_signed": False,
                    }
                },
                "key_file": key_file,
                "cert_file": cert_file,
                "metadata": {"inline": [self._sp_metadata]} if self._sp_metadata else {},
                "allow_unknown_attributes": True,
            }
        )
        return config

    def configure(self, sp_metadata: str) -> None:
        self._sp_metadata = sp_metadata

    def metadata_xml(self) -> str:
        return create_metadata_string(None, config=self._config(self.published, "published"), valid=24).decode()

    def login_as(self, person: Person | None) -> None:
        self.user = person

    def handle(self, environ) -> Response:
        if environ["PATH_INFO"] != "/sso":
            return Response(404, "not found")
        if self.user is None:
            return Response(401, "nobody is logged in at the identity provider")
        query = _query(environ)
        server = Server(config=self._config(self.signing, "signing"))
        request = server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT).message
        arguments = server.response_args(request)
        if self.audience:
            arguments["sp_entity_id"] = self.audience
        response = server.create_authn_response(
            identity={"mail": [self.user.email], "givenName": [self.user.name]},
            userid=self.user.subject,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=self.user.email),
            authn={"class_ref": AUTHN_PASSWORD_PROTECTED, "authn_auth": self.entity_id},
            sign_assertion=True,
            sign_response=False,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
            **arguments,
        )
        http = server.apply_binding(
            BINDING_HTTP_POST, str(response), arguments["destination"], query.get("RelayState", ""), response=True
        )
        return Response(200, http["data"], [("Content-Type", "text/html")])


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.action = attributes.get("action") or ""
        elif tag == "input" and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value") or ""


def auto_post_form(html: str) -> tuple[str, dict[str, str]]:
    """The action and fields of the self-submitting form an HTTP-POST binding answers with."""
    parser = _FormParser()
    parser.feed(html)
    return parser.action, parser.fields
