"""Data-only API tests for registered models (STYLE: "Tests -- mostly data").

A model's API test declares data; `APICase` supplies the tests:

    class TestSiteAPI(APICase):
        model = Site
        create_data = [{"name": "S1", "slug": "s1"}, {"name": "S2", "slug": "s2"}, {"name": "S3", "slug": "s3"}]
        update_data = {"description": "changed"}
        brief_fields = ["description", "display", "id", "name", "slug", "url"]
        setup_objects = staticmethod(lambda: {"region": Region.objects.create(name="R", slug="r")})  # optional

- `create_data`: three or more payloads, each valid on its own and together (created one by one
  and in bulk). `Ref("region")` stands for the primary key of `setup_objects()["region"]`.
- `update_data`: valid for every object at once (bulk update applies it to all of them).
- `setup_objects`: runs in organization A's schema before the objects are created; returns the
  objects `Ref` names.
- `rendered_as`: {field: representation} for fields written in another form than they are shown
  in (a content type written by attributes, shown as NetBox's "dcim.site").
- `filter_fields`: more representation fields to filter by (the scalar and list fields of the
  first payload are filtered by anyway).
- Read-only registrations (`spec.access.read_only`) declare `make_object(index)` instead of payloads,
  and get only the read tests.
- `known_bugs`: {"test_name" or "test_filters[field]": "the precise bug"} marks a case as a
  strict xfail, until the bug is fixed.

Paths come from the registry (`spec.api_app`/`spec.api_path`); GraphQL field names as
`core.graphql` derives them.
"""

import functools
import importlib
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.test import Client
from django.test.client import BOUNDARY, encode_multipart
from django.test.utils import CaptureQueriesContext

from core.filters import filters_for
from core.models import ObjectChange
from core.registry import ObjectSpec, registry
from core.representation import field_names
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole
from tenants.tokens import token_create

WRITE_TESTS = (
    "test_create",
    "test_bulk_create",
    "test_update",
    "test_bulk_update",
    "test_write_back",
    "test_delete",
    "test_bulk_delete",
    "test_no_permission",
)
READ_ONLY_TESTS = ("test_read_only_refuses_writes",)
NOT_FOUND = {"detail": "Not found."}
NOT_AUTHENTICATED = {"detail": "Authentication credentials were not provided."}
NOT_PERMITTED = {"detail": "You do not have permission to perform this action."}
WRITE_ONLY = {"changelog_message"}


@dataclass(frozen=True)
class Ref:
    """In a payload: the primary key of the object `setup_objects()` returns under `name`."""

    name: str


@dataclass(frozen=True)
class Upload:
    """In a payload: a file, sent in a multipart/form-data body (NetBox's uploads: an image attachment's
    `image`). A list of payloads (a bulk write) cannot carry files: there it is sent as its name."""

    name: str
    content: bytes
    content_type: str = "application/octet-stream"


def resolve(value: Any, named: dict[str, models.Model]) -> Any:
    if isinstance(value, Ref):
        return named[value.name].pk
    if isinstance(value, dict):
        return {key: resolve(item, named) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, named) for item in value]
    return value


def echoes(sent: Any, got: Any) -> bool:
    """Whether a representation shows a written value: NetBox nests related objects (written by id
    or attributes), renders choices as {value, label} and decimals as numbers."""
    if sent == got:
        return True
    if isinstance(got, dict):
        if isinstance(sent, dict):
            return all(key in got and echoes(value, got[key]) for key, value in sent.items())
        if "value" in got and "label" in got:
            return echoes(sent, got["value"])
        return isinstance(sent, int) and not isinstance(sent, bool) and got.get("id") == sent
    if isinstance(sent, list) and isinstance(got, list):
        return len(sent) == len(got) and all(any(echoes(item, shown) for shown in got) for item in sent)
    if isinstance(got, float) and isinstance(sent, str | int) and not isinstance(sent, bool):
        try:
            return float(sent) == got
        except ValueError:
            return False
    return False


def query_value(rendered: Any) -> tuple[str, str] | None:
    """(filter name suffix, query value) that selects a rendered scalar: `_id` for a nested object."""
    if rendered is None:
        return "", "null"
    if isinstance(rendered, bool):
        return "", "true" if rendered else "false"
    if isinstance(rendered, dict):
        if "id" in rendered:
            return "_id", str(rendered["id"])
        if "value" in rendered:
            return "", str(rendered["value"])
        return None
    if isinstance(rendered, str | int | float):
        return "", str(rendered)
    return None


def writable(rendered: Any) -> Any:
    """A rendered value as a NetBox client writes it back: nested objects by id, choices by value."""
    if isinstance(rendered, list):
        return [writable(item) for item in rendered]
    if isinstance(rendered, dict) and "id" in rendered:
        return rendered["id"]
    if isinstance(rendered, dict) and set(rendered) == {"value", "label"}:
        return rendered["value"]
    return rendered


def _matches(rendered: Any, wanted: tuple[str, str]) -> bool:
    if isinstance(rendered, list):
        return any(query_value(item) == wanted for item in rendered)
    return query_value(rendered) == wanted


def _is_scalar(value: Any) -> bool:
    return isinstance(value, Ref | str | int | float | bool)


def call(client: Client, method: str, path: str, payload: Any = None):
    if payload is None:
        return getattr(client, method)(path)
    if isinstance(payload, dict) and any(isinstance(value, Upload) for value in payload.values()):
        fields = {
            key: SimpleUploadedFile(item.name, item.content, item.content_type) if isinstance(item, Upload) else item
            for key, item in payload.items()
            if item is not None
        }
        content_type = f"multipart/form-data; boundary={BOUNDARY}"  # the body is encoded already
        return getattr(client, method)(path, encode_multipart(BOUNDARY, fields), content_type=content_type)
    return getattr(client, method)(path, json.dumps(payload, default=_upload_name), content_type="application/json")


def _upload_name(value: Any) -> str:
    if isinstance(value, Upload):
        return value.name
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def graphql_name(model: type[models.Model]) -> str:
    """`site` for Site (`site_list` lists them), as core.graphql names its queries."""
    # Imported when first used: graphene-django picks its middleware by settings.DEBUG on import. At
    # collection time DEBUG is still the development default (True), which would add its debug
    # middleware, and that fails on every resolver with core.graphql's frozen Context.
    from core.graphql.types import snake_name

    return snake_name(model)


def graphql(client: Client, slug: str, query: str):
    return client.post(f"/o/{slug}/graphql/", json.dumps({"query": query}), content_type="application/json")


def changes(organization, model: type[models.Model], pk: int, action: str) -> list[ObjectChange]:
    with tenant_context(organization):
        content_type = ContentType.objects.get_for_model(model)
        return list(ObjectChange.objects.filter(changed_object_type=content_type, changed_object_id=pk, action=action))


def _expect_failure(cls: type, name: str, reason: str) -> None:
    test = getattr(cls, name)

    def run(self, *args, **kwargs):
        return test(self, *args, **kwargs)

    functools.update_wrapper(run, test)  # the same name and fixtures
    setattr(cls, name, pytest.mark.xfail(strict=True, reason=reason)(run))


class CaseData:
    """A model's test data and the fixtures over it in organization A (shared by the API and UI cases)."""

    model: ClassVar[type[models.Model]]
    create_data: ClassVar[list[dict]] = []
    update_data: ClassVar[dict] = {}
    setup_objects: ClassVar[Callable[[], dict[str, models.Model]] | None] = None
    make_object: ClassVar[Callable[[int], Any] | None] = None

    @classmethod
    def spec(cls) -> ObjectSpec:
        return registry.get(cls.model)

    @pytest.fixture
    def slug(self, org_a) -> str:
        return org_a.organization.slug

    @pytest.fixture
    def owner(self, org_a) -> Client:
        return org_a.client()

    # The related rows (`named`) and the three objects (`objects`) are made once per class, in a
    # transaction around the class's tests (`class_rows`), as Django's setUpTestData makes them: each
    # test runs in a savepoint inside it and leaves them as it found them. Tests that need neither run
    # first (tests/conftest.py orders them), so they never see them.

    @pytest.fixture(scope="class")
    @classmethod
    def class_rows(cls, tenants, django_db_blocker):
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic._from_testcase = True  # as Django's test atomics: a durable block inside stays allowed
            atomic.__enter__()
        try:
            yield tenants["a"]
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)

    @pytest.fixture(scope="class")
    @classmethod
    def named(cls, class_rows, django_db_blocker) -> dict[str, models.Model]:
        if cls.setup_objects is None:
            return {}
        with django_db_blocker.unblock(), tenant_context(class_rows.organization):
            return cls.setup_objects() or {}

    @pytest.fixture(scope="class")
    @classmethod
    def payloads(cls, named) -> list[dict]:
        return [resolve(payload, named) for payload in cls.create_data]

    @pytest.fixture(scope="class")
    @classmethod
    def update(cls, named) -> dict:
        return resolve(cls.update_data, named)

    def new_member(self, org_a, role: str) -> Client:
        """A logged-in client of a new member of organization A with `role`."""
        user = get_user_model().objects.create_user(f"{role}-{self.model._meta.model_name}@example.com")
        Membership.objects.create(user=user, organization=org_a.organization, role=role)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client


def statements(client: Client, path: str) -> list[str]:
    """The SQL a successful GET of `path` sends."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return [query["sql"] for query in captured]


def _shape(sql: str) -> str:
    """A statement without its literals and numbers (ids, savepoint names, a page's id array, `IN` lists)."""
    return re.sub(r"N(, N)+", "N", re.sub(r"\d+", "N", re.sub(r"'[^']*'", "'...'", sql)))


def repeated_per_row(few: list[str], many: list[str]) -> list[str]:
    """The statements of a page of more rows (`many`) that one of fewer rows (`few`) does not explain: a shape
    sent more than once and more often than for fewer rows, as a statement per row is. A relation prefetched
    only when some row of the page holds any (core.representation's probes) is one statement more, not one
    per row; so is a cached row read again after expiring between the two requests."""
    few_shapes, many_shapes = Counter(map(_shape, few)), Counter(map(_shape, many))
    return [shape for shape, sent in many_shapes.items() if sent > max(few_shapes[shape], 1)]


class APICase(CaseData):
    brief_fields: ClassVar[list[str]] = []
    rendered_as: ClassVar[dict[str, Any]] = {}
    filter_fields: ClassVar[list[str]] = []
    known_bugs: ClassVar[dict[str, str]] = {}
    # The update writes values the objects already have (a bookmark has nothing to change but its
    # object, and one object for all would collide): answered as any update, and no change is logged.
    update_is_unchanged: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        spec = registry.get(cls.model)
        if spec.access.read_only:
            assert cls.make_object is not None, f"{cls.__name__}: a read-only registration needs make_object"
        else:
            assert len(cls.create_data) >= 3 and cls.update_data, f"{cls.__name__}: three payloads and an update"
        # Tests that do not apply are not collected at all (pytest collects only callables).
        for name in WRITE_TESTS if spec.access.read_only else READ_ONLY_TESTS:
            setattr(cls, name, None)
        for name, reason in cls.known_bugs.items():
            test_name, _, case = name.partition("[")
            assert callable(getattr(cls, test_name, None)), f"{cls.__name__}.known_bugs: no test {test_name}"
            if case:  # parametrized: marked in pytest_generate_tests
                assert test_name == "test_filters" and case.removesuffix("]") in cls.filter_cases(), name
            else:
                _expect_failure(cls, name, reason)

    # -- collection ------------------------------------------------------------------------------

    @classmethod
    def filter_cases(cls) -> list[str]:
        first = cls.create_data[0] if cls.create_data else {}
        fields = [
            key
            for key, value in first.items()
            if key not in WRITE_ONLY | {"tags", "custom_fields"}
            and (_is_scalar(value) or (isinstance(value, list) and value and all(map(_is_scalar, value))))
        ]
        fields += [name for name in cls.filter_fields if name not in fields]
        return [*fields, "id", "id__n"] + (["q"] if cls.spec().search.fields else [])

    def pytest_generate_tests(self, metafunc):
        if "filter_case" in metafunc.fixturenames:
            bugs = type(self).known_bugs
            metafunc.parametrize(
                "filter_case",
                [
                    pytest.param(
                        case,
                        id=case,
                        marks=[pytest.mark.xfail(strict=True, reason=bugs[f"test_filters[{case}]"])]
                        if f"test_filters[{case}]" in bugs
                        else [],
                    )
                    for case in self.filter_cases()
                ],
            )

    # -- fixtures ----------------------------------------------------------------------------------

    @pytest.fixture(scope="class")
    @classmethod
    def objects(cls, class_rows, payloads, django_db_blocker) -> list[dict]:
        """The case's objects in organization A: full representations, oldest first."""
        case, org_a, slug = cls(), class_rows, class_rows.organization.slug
        with django_db_blocker.unblock():
            owner = org_a.client()
            if cls.spec().access.read_only:
                for index in range(3):
                    case._make(org_a, index)
                response = owner.get(f"{case.list_url(slug)}?limit=1000")
                assert response.status_code == 200, response.content
                return sorted(response.json()["results"], key=lambda row: row["id"])
            return [case._create(owner, slug, payload) for payload in payloads]

    def _make(self, org_a, index: int) -> None:
        assert self.make_object is not None
        with tenant_context(org_a.organization):
            self.make_object(index)

    def _create(self, client: Client, slug: str, payload: dict) -> dict:
        response = call(client, "post", self.list_url(slug), payload)
        assert response.status_code == 201, response.content
        return response.json()

    # -- helpers -----------------------------------------------------------------------------------

    def list_url(self, slug: str) -> str:
        spec = self.spec()
        return f"/o/{slug}/api/{spec.api_app}/{spec.api_path}/"

    def detail_url(self, slug: str, pk: int) -> str:
        return f"{self.list_url(slug)}{pk}/"

    def listed(self, client: Client, slug: str, query: str = "") -> list[dict]:
        response = client.get(f"{self.list_url(slug)}?limit=1000{'&' + query if query else ''}")
        assert response.status_code == 200, response.content
        return response.json()["results"]

    def assert_echoes(self, payload: dict, body: dict) -> None:
        for key, value in payload.items():
            if key in WRITE_ONLY:
                continue
            assert key in body, f"{key!r} is written but not represented"
            if isinstance(value, Upload):  # a file is shown as where to fetch it
                assert isinstance(body[key], str) and body[key].startswith("http"), f"{key}: {body[key]!r}"
                continue
            if key in self.rendered_as:
                assert body[key] == self.rendered_as[key], f"{key}: {body[key]!r} != {self.rendered_as[key]!r}"
            else:
                assert echoes(value, body[key]), f"{key}: wrote {value!r}, got {body[key]!r}"

    # -- reading -----------------------------------------------------------------------------------

    def test_list(self, owner, slug, objects):
        response = owner.get(self.list_url(slug))

        assert response.status_code == 200, response.content
        body = response.json()
        assert list(body) == ["count", "next", "previous", "results"]
        assert body["count"] == len(objects)
        assert body["next"] is None and body["previous"] is None
        assert {row["id"] for row in body["results"]} == {row["id"] for row in objects}

    def test_get(self, owner, slug, objects, payloads):
        spec, first = self.spec(), objects[0]

        response = owner.get(self.detail_url(slug, first["id"]))

        assert response.status_code == 200, response.content
        body = response.json()
        assert list(body) == list(field_names(spec))
        # NetBox's identity fields, in its order (which some of its representations break: an FHRP group
        # shows its name second, a notification group its display before display_url).
        assert {"id", "url", "display"} <= set(body) and list(body).index("id") < list(body).index("url")
        assert body["id"] == first["id"]
        assert body["url"] == f"http://testserver/o/{slug}/api/{spec.api_app}/{spec.api_path}/{first['id']}/"
        if "display_url" in body:
            assert body["display_url"] == f"http://testserver/o/{slug}/{spec.api_app}/{spec.api_path}/{first['id']}/"
        assert isinstance(body["display"], str) and body["display"]
        if payloads:
            self.assert_echoes(payloads[0], body)

    def test_brief(self, owner, slug, objects):
        spec = self.spec()
        assert set(self.brief_fields) == set(spec.api.brief_fields + spec.api.brief_counts)

        listed = owner.get(f"{self.list_url(slug)}?brief=1").json()["results"]
        one = owner.get(f"{self.detail_url(slug, objects[0]['id'])}?brief=1").json()

        assert len(listed) == len(objects)
        assert all(set(row) == set(self.brief_fields) for row in listed)
        assert set(one) == set(self.brief_fields)
        assert one["id"] == objects[0]["id"]

    def test_filters(self, owner, slug, objects, filter_case):
        first, ids = objects[0], [row["id"] for row in objects]

        if filter_case in ("id", "id__n"):
            expected = {first["id"]} if filter_case == "id" else set(ids) - {first["id"]}
            query = {filter_case: first["id"]}
        elif filter_case == "q":
            text = self._search_text(first)
            query, expected = {"q": text}, None
        else:
            rendered = first[filter_case]
            item = rendered[0] if isinstance(rendered, list) and rendered else rendered
            wanted = query_value(item)
            assert wanted is not None, f"{filter_case}: {rendered!r} is not filterable by value"
            name = self._filter_name(filter_case, *wanted)
            query = {name: wanted[1]}
            expected = {row["id"] for row in objects if _matches(row[filter_case], wanted)}

        found = {row["id"] for row in self.listed(owner, slug, urlencode(query))}

        if expected is None:  # free text: the first object is among what it finds
            assert first["id"] in found, f"q={query['q']!r} does not find {first['display']!r}"
        else:
            assert found == expected, f"{urlencode(query)}: {found} != {expected}"
        negated = {f"{name}__n": value for name, value in query.items() if name not in ("q", "id__n")}
        if expected is not None and negated and all(name in filters_for(self.model) for name in negated):
            # `__n`: everything the filter leaves out.
            found = {row["id"] for row in self.listed(owner, slug, urlencode(negated))}
            assert found == set(ids) - expected, f"{urlencode(negated)}: {found} != {set(ids) - expected}"

    def _filter_name(self, field: str, suffix: str, value: str) -> str:
        available = filters_for(self.model)
        # NetBox names filters on many-to-many fields in the singular (`object_type` for `object_types`).
        candidates = [f"{field}{suffix}", f"{field.removesuffix('s')}{suffix}"]
        model_field = next((f for f in self.model._meta.get_fields() if f.name == field), None)
        if not suffix and value.isdigit() and (model_field is None or model_field.is_relation):
            # someone or something shown by id: `user` is filtered by `user_id=`, a rule's `policy` by `policy_id=`
            candidates.insert(0, f"{field}_id")
        for name in candidates:
            if name in available:
                return name
        raise AssertionError(f"no filter for {field!r}: none of {candidates} in filters_for({self.model.__name__})")

    def _search_text(self, row: dict) -> str:
        for path in self.spec().search.fields:
            value: Any = row
            for part in path.split("__"):
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, str) and value:
                return value
        raise AssertionError(f"no search field of {self.model.__name__} has a value to search for")

    def test_graphql(self, owner, slug, objects):
        name = graphql_name(self.model)

        many = graphql(owner, slug, f"{{ {name}_list {{ id display }} }}")
        one = graphql(owner, slug, f'{{ {name}(id: "{objects[0]["id"]}") {{ id display }} }}')

        assert many.status_code == one.status_code == 200
        assert "errors" not in many.json() and "errors" not in one.json(), (many.json(), one.json())
        assert {row["id"] for row in many.json()["data"][f"{name}_list"]} == {str(row["id"]) for row in objects}
        assert one.json()["data"][name] == {"id": str(objects[0]["id"]), "display": objects[0]["display"]}

    def test_list_query_count(self, org_a, owner, slug, payloads):
        path = self.list_url(slug)

        def add(index: int) -> None:
            if self.spec().access.read_only:
                self._make(org_a, index)
            else:
                self._create(owner, slug, payloads[index])

        add(0)
        statements(owner, path), statements(owner, f"{path}?brief=1")  # caches the organization's row
        few, few_brief = statements(owner, path), statements(owner, f"{path}?brief=1")
        add(1)
        add(2)

        assert repeated_per_row(few, statements(owner, path)) == []
        assert repeated_per_row(few_brief, statements(owner, f"{path}?brief=1")) == []

    # -- who may see and change it -----------------------------------------------------------------

    def test_tenant_isolation(self, org_a, org_b, owner, slug, objects, payloads, update):
        pk = objects[0]["id"]
        before = self.listed(owner, slug)
        _, token = token_create(organization=org_b.organization, user=org_b.owner)
        callers = {
            "member of B": (org_b.client(), 404, NOT_FOUND),
            "token of B": (Client(HTTP_AUTHORIZATION=f"Bearer {token}"), 404, NOT_FOUND),
            "anonymous": (Client(), 403, NOT_AUTHENTICATED),
        }

        for caller, (client, status, body) in callers.items():
            responses = {
                "list": client.get(self.list_url(slug)),
                "get": client.get(self.detail_url(slug, pk)),
                "patch": call(client, "patch", self.detail_url(slug, pk), update),
                "delete": client.delete(self.detail_url(slug, pk)),
                "create": call(client, "post", self.list_url(slug), payloads[0] if payloads else {}),
                "bulk delete": call(client, "delete", self.list_url(slug), [{"id": pk}]),
                "graphql": graphql(client, slug, f"{{ {graphql_name(self.model)}_list {{ id }} }}"),
            }
            for what, response in responses.items():
                assert (response.status_code, response.json()) == (status, body), f"{caller}: {what}"

        # Organization B's own API and GraphQL show none of A's objects.
        a_objects = {(row["id"], row["display"]) for row in objects}
        b_listed = self.listed(org_b.client(), org_b.organization.slug)
        name = graphql_name(self.model)
        b_graphql = graphql(org_b.client(), org_b.organization.slug, f"{{ {name}_list {{ id display }} }}").json()
        assert "errors" not in b_graphql, b_graphql
        assert not a_objects & {(row["id"], row["display"]) for row in b_listed}
        assert not a_objects & {(int(row["id"]), row["display"]) for row in b_graphql["data"][f"{name}_list"]}
        assert self.listed(owner, slug) == before

    def test_no_permission(self, org_a, owner, slug, objects, payloads, update):
        spec, pk = self.spec(), objects[0]["id"]
        if spec.access.personal is not None:
            self.others_see_none_of_mine(org_a, owner, slug, objects, payloads, update)
            return
        roles = [MembershipRole.VIEWER] + ([MembershipRole.EDITOR] if spec.access.admin_only else [])
        before = self.listed(owner, slug)

        for role in roles:
            member = self.new_member(org_a, role)
            responses = {
                "create": call(member, "post", self.list_url(slug), payloads[0]),
                "bulk create": call(member, "post", self.list_url(slug), payloads[1:]),
                "update": call(member, "patch", self.detail_url(slug, pk), update),
                "bulk update": call(member, "patch", self.list_url(slug), [{"id": pk, **update}]),
                "delete": member.delete(self.detail_url(slug, pk)),
                "bulk delete": call(member, "delete", self.list_url(slug), [{"id": pk}]),
            }
            if spec.api.list_methods is not None and "PATCH" not in spec.api.list_methods:
                del responses["bulk update"]  # a 405 for everyone (the case's test_bulk_update)
            for what, response in responses.items():
                assert (response.status_code, response.json()) == (403, NOT_PERMITTED), f"{role}: {what}"
            assert member.get(self.detail_url(slug, pk)).status_code == 200  # reading is fine

        assert self.listed(owner, slug) == before

    def others_see_none_of_mine(self, org_a, owner, slug, objects, payloads, update):
        """A personal registration's rows (a bookmark): another member of the organization, whatever
        their role, neither sees nor changes the owner's; what they create is their own."""
        pk = objects[0]["id"]
        before = self.listed(owner, slug)
        for role in (MembershipRole.VIEWER, MembershipRole.ADMIN):
            member = self.new_member(org_a, role)
            missing = {"detail": f"No {self.model._meta.object_name} matches the given query."}
            assert self.listed(member, slug) == [], role
            assert (member.get(self.detail_url(slug, pk)).json()) == missing, role
            assert call(member, "patch", self.detail_url(slug, pk), update).status_code == 404, role
            assert member.delete(self.detail_url(slug, pk)).status_code == 404, role
            assert call(member, "patch", self.list_url(slug), [{"id": pk, **update}]).status_code in (400, 404), role
            assert call(member, "delete", self.list_url(slug), [{"id": pk}]).status_code in (400, 404), role

            created = call(member, "post", self.list_url(slug), payloads[0])
            assert created.status_code == 201, created.content
            assert [row["id"] for row in self.listed(member, slug)] == [created.json()["id"]]
            assert created.json()["user"]["id"] != objects[0]["user"]["id"]
        assert self.listed(owner, slug) == before

    def test_read_only_refuses_writes(self, owner, slug, objects):
        pk = objects[0]["id"]

        responses = [
            call(owner, "post", self.list_url(slug), {}),
            call(owner, "patch", self.detail_url(slug, pk), {}),
            call(owner, "put", self.detail_url(slug, pk), {}),
            owner.delete(self.detail_url(slug, pk)),
            call(owner, "delete", self.list_url(slug), [{"id": pk}]),
        ]

        assert [response.status_code for response in responses] == [405] * len(responses)
        assert sorted(self.listed(owner, slug), key=lambda row: row["id"]) == objects

    # -- writing -----------------------------------------------------------------------------------

    def test_create(self, org_a, owner, slug, payloads):
        response = call(owner, "post", self.list_url(slug), payloads[0])

        assert response.status_code == 201, response.content
        body = response.json()
        self.assert_echoes(payloads[0], body)
        assert owner.get(self.detail_url(slug, body["id"])).json() == body
        logged = changes(org_a.organization, self.model, body["id"], "create")
        assert len(logged) == 1 and str(logged[0].request_id) == response["X-Request-ID"]

    def test_bulk_create(self, org_a, owner, slug, payloads):
        response = call(owner, "post", self.list_url(slug), payloads[1:])

        assert response.status_code == 201, response.content
        body = response.json()
        assert isinstance(body, list) and len(body) == len(payloads) - 1
        for payload, row in zip(payloads[1:], body, strict=True):
            self.assert_echoes(payload, row)
            assert len(changes(org_a.organization, self.model, row["id"], "create")) == 1
        assert {row["id"] for row in self.listed(owner, slug)} >= {row["id"] for row in body}

    def test_update(self, org_a, owner, slug, objects, update):
        pk = objects[0]["id"]

        response = call(owner, "patch", self.detail_url(slug, pk), update)

        assert response.status_code == 200, response.content
        self.assert_echoes(update, response.json())
        self.assert_echoes(update, owner.get(self.detail_url(slug, pk)).json())
        logged = changes(org_a.organization, self.model, pk, "update")
        if self.update_is_unchanged:
            assert logged == []
            return
        assert len(logged) == 1 and str(logged[0].request_id) == response["X-Request-ID"]

    def test_bulk_update(self, org_a, owner, slug, objects, update):
        response = call(owner, "patch", self.list_url(slug), [{"id": row["id"], **update} for row in objects])

        assert response.status_code == 200, response.content
        body = response.json()
        assert [row["id"] for row in body] == [row["id"] for row in objects]
        for row in body:
            self.assert_echoes(update, row)
            logged = changes(org_a.organization, self.model, row["id"], "update")
            assert len(logged) == (0 if self.update_is_unchanged else 1)

    def test_write_back(self, owner, slug, objects, payloads):
        """What a NetBox client reads it can write back (pynetbox's save() sends nested objects as ids
        and choices as values): the object is unchanged."""
        # Read now, not at creation: nested counts (a group's tenant_count) have grown since.
        first = owner.get(self.detail_url(slug, objects[0]["id"])).json()
        # A file is shown as its URL, which is no file to write back (NetBox refuses it too; pynetbox sends
        # only the fields that changed).
        written = {
            key: writable(first[key])
            for key, value in payloads[0].items()
            if key not in WRITE_ONLY and not isinstance(value, Upload)
        }

        response = call(owner, "patch", self.detail_url(slug, first["id"]), written)

        assert response.status_code == 200, response.content
        unchanged = {key: value for key, value in first.items() if key != "last_updated"}
        assert {key: value for key, value in response.json().items() if key != "last_updated"} == unchanged

    def test_delete(self, org_a, owner, slug, objects):
        pk = objects[0]["id"]

        response = owner.delete(self.detail_url(slug, pk))

        assert response.status_code == 204, response.content
        gone = owner.get(self.detail_url(slug, pk))
        assert gone.status_code == 404
        assert gone.json() == {"detail": f"No {self.model._meta.object_name} matches the given query."}
        assert len(changes(org_a.organization, self.model, pk, "delete")) == 1
        assert {row["id"] for row in self.listed(owner, slug)} == {row["id"] for row in objects[1:]}

    def test_bulk_delete(self, org_a, owner, slug, objects):
        ids = [row["id"] for row in objects]

        response = call(owner, "delete", self.list_url(slug), [{"id": pk} for pk in ids])

        assert response.status_code == 204, response.content
        assert not {row["id"] for row in self.listed(owner, slug)} & set(ids)
        for pk in ids:
            assert owner.get(self.detail_url(slug, pk)).status_code == 404
            assert len(changes(org_a.organization, self.model, pk, "delete")) == 1


TESTS = Path(__file__).resolve().parent


def all_api_cases() -> list[type[APICase]]:
    """Every APICase subclass defined under tests/ (their modules imported; each class once)."""
    for path in sorted(TESTS.rglob("test_*.py")):
        if "(APICase)" in path.read_text(encoding="utf-8"):
            importlib.import_module(".".join(path.relative_to(TESTS.parent).with_suffix("").parts))
    found: dict[tuple[str, str], type[APICase]] = {}
    pending = list(APICase.__subclasses__())
    while pending:
        case = pending.pop()
        found.setdefault((case.__module__, case.__qualname__), case)
        pending += case.__subclasses__()
    return list(found.values())
