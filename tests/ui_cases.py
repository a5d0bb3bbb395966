"""Data-only UI tests for registered models, driven by the same data as the API cases.

Every `APICase` subclass gets a `UICase` twin (tests/test_ui_cases.py builds them): its payloads
become form posts (related objects by id, lists as repeated values, arrays comma-separated, JSON
as text), and the mixin supplies list / detail / create / edit / delete / bulk edit / bulk
delete / import / export tests, the permission-denied cases and tenant isolation -- all through
the pages a browser would use. Read-only registrations get the read tests only.
"""

import csv
import difflib
import importlib
import io
import json
import re
from typing import Any, ClassVar

import pytest
import yaml
from django.contrib.postgres.fields import ArrayField
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client

from core.fields import kind_of
from core.registry import ObjectSpec
from core.writes import writable_fields
from tenants.models import MembershipRole
from tests.api_cases import APICase, CaseData, Upload, call, changes, repeated_per_row, statements

# The modules holding the API cases of every registered model.
CASE_MODULES = (
    "tests.core.test_api_cases",
    "tests.inventory.test_api_cases",
    "tests.addressing.test_api_cases",
    "tests.circuits.test_api_cases",
    "tests.automation.test_api_cases",
    "tests.automation.test_notifications_api",
    "tests.automation.test_scripts_api",
    "tests.inventory.test_device_api_cases",
    "tests.inventory.test_virtualization_api_cases",
    "tests.inventory.test_wireless_api_cases",
    "tests.addressing.test_vpn_api_cases",
)

WRITE_TESTS = (
    "test_create_form",
    "test_create_invalid",
    "test_edit_form",
    "test_delete",
    "test_bulk_edit",
    "test_bulk_delete",
    "test_import_round_trip",
    "test_import_bad_record",
    "test_viewer_is_not_offered_writes",
)
READ_ONLY_TESTS = ("test_read_only_offers_no_writes",)


def form_data(spec: ObjectSpec, payload: dict[str, Any], *, bulk: bool = False) -> dict[str, Any]:
    """An API payload as the derived form posts it."""
    fields = {f.name: f for f in writable_fields(spec)}
    if not bulk:  # a browser posts what the form showed: the model's defaults, then what the user typed
        defaults = {name: field.get_default() for name, field in fields.items() if field.has_default()}
        payload = {**{k: v for k, v in defaults.items() if v not in (None, "", [], {})}, **payload}
    data: dict[str, Any] = {}
    for key, value in payload.items():
        name = spec.api.write_aliases.get(key, key)
        field = fields.get(name)
        if key == "custom_fields":
            for custom, item in value.items():
                data[f"cf_{custom}"] = "" if item is None else str(item)
        elif isinstance(value, Upload):  # a file input: the client posts the form as multipart
            data[name] = SimpleUploadedFile(value.name, value.content, value.content_type)
        elif isinstance(value, bool) and bulk:  # bulk edit offers a yes/no/unchanged select
            data[name] = "true" if value else "false"
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
            else:
                data.pop(name, None)
        elif isinstance(field, ArrayField):  # as the field's form shows the list ("a, b", "1:2", "1-100,200")
            form_field = kind_of(field).form_field(field, bulk=bulk, required=False, label=name, help_text="")
            data[name] = form_field.prepare_value(value)
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            data[name] = json.dumps(value)  # a list of objects (a port's mappings): a JSON field
        elif isinstance(value, list):
            data[name] = [str(item) for item in value]
        elif isinstance(value, dict):
            data[name] = json.dumps(value)
        elif value is None:
            data[name] = ""
        else:
            data[name] = str(value)
    return data


def api_cases() -> dict[type[Model], type[APICase]]:
    """Every registered model's API case (their modules imported), by model."""
    for module in CASE_MODULES:
        importlib.import_module(module)
    return {case.model: case for case in APICase.__subclasses__()}


class UICase(CaseData):
    """Set `api_case` to the model's APICase subclass: its data drives these tests."""

    api_case: ClassVar[type[APICase]]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        source = cls.api_case
        cls.model, cls.create_data, cls.update_data = source.model, source.create_data, source.update_data
        for name in ("setup_objects", "make_object"):  # plain functions, not methods of this class
            function = getattr(source, name)
            setattr(cls, name, None if function is None else staticmethod(function))
        read_only = cls.spec().access.read_only
        for name in WRITE_TESTS if read_only else READ_ONLY_TESTS:
            setattr(cls, name, None)  # not collected: pytest collects callables only
        if not getattr(source, "bulk_editable", True):
            cls.test_bulk_edit = None  # type: ignore[assignment]

    @pytest.fixture
    def case(self) -> APICase:
        return self.api_case()

    @pytest.fixture(scope="class")
    @classmethod
    def objects(cls, class_rows, payloads, django_db_blocker) -> list[dict]:
        """Three objects in organization A (made through the API), as the API represents them; made once
        per class (`CaseData.class_rows`)."""
        case, slug = cls.api_case(), class_rows.organization.slug
        with django_db_blocker.unblock():
            owner = class_rows.client()
            if cls.spec().access.read_only:
                for index in range(3):
                    case._make(class_rows, index)
            else:
                for payload in payloads:
                    case._create(owner, slug, payload)
            return sorted(case.listed(owner, slug), key=lambda row: row["id"])

    # -- helpers -----------------------------------------------------------------------------------

    def url(self, slug: str, suffix: str = "") -> str:
        spec = self.spec()
        return f"/o/{slug}/{spec.api_app}/{spec.api_path}/{suffix}"

    def count(self, case: APICase, client: Client, slug: str) -> int:
        return len(case.listed(client, slug))

    # -- reading -----------------------------------------------------------------------------------

    def test_list(self, owner, slug, objects):
        response = owner.get(self.url(slug))
        assert response.status_code == 200
        body = response.content.decode()
        for row in objects:
            assert f'href="{self.url(slug, str(row["id"]))}/"' in body
            assert f'value="{row["id"]}"' in body or self.spec().access.read_only
        assert f"{len(objects)} {self.spec().model._meta.verbose_name_plural}" in body

    def test_list_query_count_is_constant(self, owner, slug, objects):
        def page(per_page: int) -> list[str]:
            return statements(owner, self.url(slug, f"?per_page={per_page}"))

        page(1)  # per-process caches (content types, custom field definitions) filled once
        one, three = page(1), page(3)
        assert repeated_per_row(one, three) == [], "\n".join(
            difflib.unified_diff(one, three, "1 row", "3 rows", lineterm="")
        )

    def test_list_filter_and_quick_search(self, owner, slug, objects):
        first = objects[0]
        response = owner.get(self.url(slug, f"?id={first['id']}"))
        assert response.status_code == 200
        assert "1 " + str(self.spec().model._meta.verbose_name) in response.content.decode()
        bad = owner.get(self.url(slug, "?id=not-a-number"))
        assert bad.status_code == 200 and "wb-filter-errors" in bad.content.decode()

    def test_detail_and_tabs(self, owner, slug, objects):
        pk = objects[0]["id"]
        response = owner.get(self.url(slug, f"{pk}/"))
        assert response.status_code == 200
        assert "wb-attributes" in response.content.decode()
        if self.spec().model._meta.model_name != "objectchange":
            changelog = owner.get(self.url(slug, f"{pk}/changelog/"))
            assert changelog.status_code == 200
            if not self.spec().access.read_only:
                assert "wb-change" in changelog.content.decode()

    def test_export(self, owner, slug, objects):
        csv_body = owner.get(self.url(slug, "?export=csv")).content.decode()
        rows = list(csv.DictReader(io.StringIO(csv_body)))
        assert sorted(int(row["id"]) for row in rows) == [row["id"] for row in objects]
        assert csv_body.startswith("id,")
        json_rows = json.loads(owner.get(self.url(slug, "?export=json")).content)
        yaml_rows = yaml.safe_load(owner.get(self.url(slug, "?export=yaml")).content)
        assert (
            sorted(row["id"] for row in json_rows)
            == sorted(row["id"] for row in yaml_rows)
            == [r["id"] for r in objects]
        )

    def test_tenant_isolation(self, org_a, org_b, owner, slug, objects):
        pk = objects[0]["id"]
        outsider = org_b.client()
        for path in ("", f"{pk}/", f"{pk}/changelog/", "add/", f"{pk}/edit/", f"{pk}/delete/", "import/"):
            assert outsider.get(self.url(slug, path)).status_code == 404, path
            assert Client().get(self.url(slug, path)).status_code == 302, path
        assert outsider.post(self.url(slug, "delete/"), {"pk": [pk], "_confirm": "1"}).status_code == 404
        # Organization B's own pages do not show A's object.
        other = outsider.get(self.url(org_b.organization.slug, f"{pk}/"))
        assert other.status_code == 404
        assert self.count(self.api_case(), owner, slug) == len(objects)

    def test_read_only_offers_no_writes(self, owner, slug, objects):
        assert owner.get(self.url(slug, "add/")).status_code == 404
        body = owner.get(self.url(slug)).content.decode()
        assert "Edit selected" not in body and "Import" not in body.split("<main", 1)[1].split("wb-table")[0]

    # -- writing -----------------------------------------------------------------------------------

    def test_create_form(self, org_a, owner, slug, payloads, case):
        form = owner.get(self.url(slug, "add/"))
        assert form.status_code == 200
        response = owner.post(self.url(slug, "add/"), form_data(self.spec(), payloads[0]))
        assert response.status_code == 302, _errors(response)
        created = case.listed(owner, slug)
        assert len(created) == 1
        case.assert_echoes({k: v for k, v in payloads[0].items() if k != "tags"}, created[0])
        assert changes(org_a.organization, self.spec().model, created[0]["id"], "create")
        assert response["Location"].endswith(self.url(slug, f"{created[0]['id']}/"))

    def test_create_invalid(self, owner, slug, case):
        response = owner.post(self.url(slug, "add/"), {})
        required = [f for f in writable_fields(self.spec()) if not f.blank and not f.has_default() and not f.null]
        if not required:
            pytest.skip("no required fields")
        assert response.status_code == 200
        assert "wb-field-error" in response.content.decode()
        assert case.listed(owner, slug) == []

    def test_edit_form(self, owner, slug, objects, payloads, update, case):
        pk = objects[0]["id"]
        assert owner.get(self.url(slug, f"{pk}/edit/")).status_code == 200
        data = form_data(self.spec(), {**payloads[0], **update})
        response = owner.post(self.url(slug, f"{pk}/edit/"), data)
        assert response.status_code == 302, _errors(response)
        shown = owner.get(case.detail_url(slug, pk)).json()
        case.assert_echoes(update, shown)

    def test_delete(self, owner, slug, objects, case):
        pk = objects[0]["id"]
        confirm = owner.get(self.url(slug, f"{pk}/delete/"))
        assert confirm.status_code == 200
        response = owner.post(self.url(slug, f"{pk}/delete/"))
        assert response.status_code == 302
        assert pk not in [row["id"] for row in case.listed(owner, slug)]

    def test_bulk_edit(self, owner, slug, objects, update, case):
        pks = [row["id"] for row in objects]
        form = owner.post(self.url(slug, "edit/"), {"pk": pks})
        assert form.status_code == 200
        data = {**form_data(self.spec(), update, bulk=True), "pk": pks, "_apply": "1"}
        response = owner.post(self.url(slug, "edit/"), data)
        assert response.status_code == 302, _errors(response)
        for row in case.listed(owner, slug):
            case.assert_echoes(update, row)

    def test_bulk_delete(self, owner, slug, objects, case):
        pks = [row["id"] for row in objects[:2]]
        preview = owner.post(self.url(slug, "delete/"), {"pk": pks})
        assert preview.status_code == 200
        assert len(case.listed(owner, slug)) == len(objects)  # nothing deleted before confirming
        response = owner.post(self.url(slug, "delete/"), {"pk": pks, "_confirm": "1"})
        assert response.status_code == 302
        assert [row["id"] for row in case.listed(owner, slug)] == [row["id"] for row in objects[2:]]

    @pytest.mark.parametrize("fmt", ["csv", "json", "yaml"])
    def test_import_round_trip(self, owner, slug, objects, case, fmt):
        """An export, with its ids removed, imported after deleting the objects, makes them again."""
        _skip_files(case)
        exported = owner.get(self.url(slug, f"?export={fmt}")).content.decode()
        text = _without_ids(exported, fmt)
        deleted = call(owner, "delete", case.list_url(slug), [{"id": row["id"]} for row in objects])
        assert deleted.status_code == 204
        response = owner.post(self.url(slug, "import/"), {"data": text, "format": fmt})
        assert response.status_code == 302, _errors(response)
        again = case.listed(owner, slug)
        assert sorted(map(_display, again)) == sorted(map(_display, objects))

    def test_import_bad_record(self, owner, slug, objects, case):
        """One bad record: its errors are shown, and nothing at all is imported."""
        _skip_files(case)
        exported = owner.get(self.url(slug, "?export=json")).content.decode()
        records = json.loads(_without_ids(exported, "json"))
        call(owner, "delete", case.list_url(slug), [{"id": row["id"]} for row in objects])
        records[1]["no_such_column"] = "x"
        response = owner.post(self.url(slug, "import/"), {"data": json.dumps(records), "format": "json"})
        assert response.status_code == 400
        body = response.content.decode()
        assert 'data-record="2"' in body and "no_such_column" in body
        assert case.listed(owner, slug) == []

    def test_viewer_is_not_offered_writes(self, org_a, slug, objects, case):
        viewer = self.new_member(org_a, MembershipRole.VIEWER)
        if case.spec().access.personal is not None:  # a viewer writes their own; the owner's they never see
            assert viewer.get(self.url(slug, f"{objects[0]['id']}/")).status_code == 404
            assert case.listed(viewer, slug) == []
            return
        body = viewer.get(self.url(slug, "?q=x")).content.decode()
        assert "Edit selected" not in body and 'name="pk"' not in body and "Save filter" not in body
        pk = objects[0]["id"]
        detail = viewer.get(self.url(slug, f"{pk}/")).content.decode()
        assert f"{pk}/edit/" not in detail
        assert viewer.get(self.url(slug, "add/")).status_code == 403
        assert viewer.post(self.url(slug, f"{pk}/edit/"), {}).status_code == 403
        assert viewer.post(self.url(slug, f"{pk}/delete/")).status_code == 403
        assert viewer.post(self.url(slug, "delete/"), {"pk": [pk], "_confirm": "1"}).status_code == 403
        assert viewer.post(self.url(slug, "import/"), {"data": "name\nx"}).status_code == 403
        assert len(case.listed(viewer, slug)) == len(objects)


def _display(row: dict) -> str:
    """An object's display without its id, which some carry (NetBox shows a module as "<bay>: <type> (<id>)",
    a cable without a label as "#<id>", a tunnel termination as "<tunnel>: Termination <id>"), nor the time
    a journal entry was made ("<created> (<kind>)")."""
    display = row["display"].replace(f"({row['id']})", "(…)").replace(f"#{row['id']}", "#…")
    display = display.replace(f"Termination {row['id']}", "Termination …")
    return re.sub(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "…", display)  # a journal entry's: when it was made


def _errors(response) -> str:
    """The errors a form page shows, for assertion messages."""
    body = response.content.decode()
    found = re.findall(r'wb-field-error">([^<]*)<', body)
    found += re.findall(r'class="alert alert-danger[^"]*"[^>]*>(.*?)</div>', body, re.S)
    return f"{response.status_code}: {found or body[:2000]}"


def _without_ids(text: str, fmt: str) -> str:
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        index = rows[0].index("id")
        buffer = io.StringIO()
        csv.writer(buffer).writerows([row[:index] + row[index + 1 :] for row in rows])
        return buffer.getvalue()
    records = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    for record in records:
        record.pop("id", None)
    return json.dumps(records) if fmt == "json" else yaml.safe_dump(records)


def _skip_files(case: APICase) -> None:
    """A model written with a file (an image attachment) is not imported: an export shows the file as its URL,
    which is no file (NetBox has no import of image attachments either)."""
    if any(isinstance(value, Upload) for value in case.create_data[0].values()):
        pytest.skip("written with a file, which an import cannot carry")
