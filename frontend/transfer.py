"""Export and bulk import in NetBox's column conventions: CSV, JSON and YAML.

Columns are the API's writable fields. Related objects are written and read by name (by slug for
tags; by id for objects without a name), several of them comma-separated in CSV; custom fields are
`cf_<name>`; an `id` column updates existing objects instead of creating. An export can be
imported again as it is.

An import validates every record and applies all of them or none: the records are written through
the same use case as the API's bulk writes (core.usecases), errors are collected per record and
field, and any error rolls the whole import back. A record may refer to an object an earlier record
of the same import creates.
"""

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse

from automation.services import job_progress_report
from core.context import Actor, acting_as
from core.customfields import definitions_for, supports_custom_fields
from core.exports import ExportUnavailable, list_exporter
from core.fields import import_bool, kind_of, reference, split_items
from core.filters import CUSTOM_FIELD_PREFIX
from core.models import CustomField, CustomFieldType, Tag
from core.permissions import NotPermitted
from core.registry import ObjectSpec, registry
from core.usecases import Item, WriteRefused, write_objects
from core.writes import WriteError, deserialize, model_errors, writable_fields
from frontend.forms import form_fields
from tenants.context import current_organization
from tenants.inputs import unstorable_data
from tenants.models import Membership
from tenants.request_limits import json_nesting_exceeds

FORMATS = ("csv", "json", "yaml")
CONTENT_TYPES = {"csv": "text/csv", "json": "application/json", "yaml": "application/yaml"}


class ImportFormatError(Exception):
    """The data could not be read at all (not a per-record error)."""


# -- columns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Columns:
    """What an import's columns may be, read once per import (custom fields are the organization's data)."""

    names: list[str]
    fields: dict[str, models.Field]  # writable model fields by name
    custom: dict[str, CustomField]  # custom field definitions by name


def import_columns(spec: ObjectSpec) -> Columns:
    custom = definitions_for(spec.model) if supports_custom_fields(spec.model) else {}
    aliases = {field: alias for alias, field in spec.api.write_aliases.items()}
    fields = form_fields(spec)
    names = ["id"] + [aliases.get(f.name, f.name) for f in fields]
    if supports_custom_fields(spec.model):
        names += ["tags", *(CUSTOM_FIELD_PREFIX + name for name in custom)]
    return Columns(names=names, fields={f.name: f for f in fields}, custom=custom)


def columns(spec: ObjectSpec) -> list[str]:
    return import_columns(spec).names


def export_columns(spec: ObjectSpec) -> list[str]:
    """The CSV export's columns: the import's, and the keys the registration's importer exports."""
    names = columns(spec)
    importer = spec.ui.importer
    if importer is None or importer.export is None:
        return names
    return [names[0], *importer.keys, *names[1:]]


# -- export ------------------------------------------------------------------------------------


def export_records(spec: ObjectSpec, queryset) -> list[dict[str, Any]]:
    fields = writable_fields(spec)
    aliases = {f: alias for alias, f in spec.api.write_aliases.items()}
    select = [f.name for f in fields if f.is_relation and not f.many_to_many]
    prefetch = [f.name for f in fields if f.many_to_many]
    custom = supports_custom_fields(spec.model)
    # Only the fields defined now: a value of a renamed or deleted field may wait for its job.
    defined = sorted(definitions_for(spec.model)) if custom else []
    if custom:
        prefetch.append("tagged_items__tag")
    importer = spec.ui.importer
    export_keys = importer.export if importer is not None else None
    if importer is not None and export_keys is not None:
        prefetch += list(importer.prefetch)
    objects = list(queryset.select_related(*select).prefetch_related(*prefetch))
    # The importer's own keys (a cable's ends by device and name), so that the export imports again.
    own = export_keys(objects) if export_keys is not None else [{} for _obj in objects]
    records = []
    for obj, keys in zip(objects, own, strict=True):
        record: dict[str, Any] = {"id": obj.pk, **keys}
        for model_field in fields:
            record[aliases.get(model_field.name, model_field.name)] = kind_of(model_field).export(model_field, obj)
        if custom:
            record["tags"] = sorted(item.tag.slug for item in obj.tagged_items.all())
            data = obj.custom_field_data or {}
            for name in defined:
                if name in data:
                    record[CUSTOM_FIELD_PREFIX + name] = data[name]
        records.append(record)
    return records


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if value and all(isinstance(item, list) for item in value):  # pairs: "value:label,value:label"
            return ",".join(":".join(str(part) for part in item) for item in value)
        return ",".join(_csv_cell(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection"):
# `=HYPERLINK(...)` in a site's name must reach the next person's Excel as text. The CSV export
# puts a `'` before such a cell, and before one that already starts with `'`s and then one of
# these, so that the import can take exactly one `'` off again: what was exported reads back the
# same. Plain numbers (-33.86) are no formula and stay as they are.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_NUMBER = re.compile(r"-?\d+(\.\d+)?\Z")
_GUARDED = re.compile(r"'+[=+\-@\t\r]")


def formula_guard(cell: str) -> str:
    if _FORMULA.match(cell) and not _NUMBER.match(cell):
        return "'" + cell
    return cell


def formula_unguard(cell: str) -> str:
    return cell[1:] if _GUARDED.match(cell) else cell


def render_records(spec: ObjectSpec, records: list[dict], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(records, indent=2, default=str) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(records, sort_keys=False, allow_unicode=True, default_flow_style=False)
    names = export_columns(spec)
    buffer = io.StringIO()
    # RFC 4180's CRLF: the csv module then quotes a cell holding a lone "\r" as well as one holding "\n".
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for record in records:
        writer.writerow([formula_guard(_csv_cell(record.get(name))) for name in names])
    return buffer.getvalue()


def export_formats(spec: ObjectSpec, actor=None) -> list[tuple[str, str]]:
    """(name, label) of the formats a list exports to: CSV, JSON, YAML, the registration's own and the
    organization's export templates of the type (core.exports)."""
    formats = [(fmt, fmt.upper()) for fmt in FORMATS] + [(export.name, export.label) for export in spec.ui.exports]
    exporter = list_exporter()
    if exporter is not None and actor is not None:
        taken = {name for name, _ in formats}
        formats += [(name, label) for name, label in exporter.offered(spec, actor) if name not in taken]
    return formats


def export_response(spec: ObjectSpec, queryset, fmt: str, actor=None) -> HttpResponse:
    own = {export.name: export for export in spec.ui.exports}
    exporter = list_exporter()
    if fmt not in own and fmt not in FORMATS and exporter is not None and actor is not None:
        try:
            return exporter.respond(spec, actor, queryset, fmt)
        except ExportUnavailable as unavailable:
            return HttpResponse(
                unavailable.message, status=unavailable.status, content_type="text/plain; charset=utf-8"
            )
    if fmt in own:
        export = own[fmt]
        body, content_type, extension = export.render(spec, queryset), export.content_type, export.extension
    else:
        fmt = fmt if fmt in FORMATS else "csv"
        body = render_records(spec, export_records(spec, queryset), fmt)
        content_type, extension = CONTENT_TYPES[fmt], fmt
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    filename = f"wirebook_{spec.api_name}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- import: parsing ---------------------------------------------------------------------------


def parse(text: str, fmt: str) -> list[dict[str, Any]]:
    """Records from pasted or uploaded text. `fmt` "auto" guesses from the first character.

    Bounded before anything expensive (issue #9): the text's size (WIREBOOK_IMPORT_MAX_BYTES), its
    nesting (WIREBOOK_MAX_JSON_DEPTH), the number of records (WIREBOOK_IMPORT_MAX_RECORDS); YAML
    aliases and anchors are refused, since a few hundred bytes of them expand to gigabytes.
    """
    text = text.lstrip("\ufeff")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > settings.WIREBOOK_IMPORT_MAX_BYTES:
        raise ImportFormatError(
            f"The data is too large: {size} bytes, at most {settings.WIREBOOK_IMPORT_MAX_BYTES} per import."
        )
    if fmt == "auto":
        stripped = text.lstrip()
        fmt = "json" if stripped[:1] in ("[", "{") else "yaml" if _looks_like_yaml(stripped) else "csv"
    if fmt == "json":
        if json_nesting_exceeds(text, settings.WIREBOOK_MAX_JSON_DEPTH):
            raise ImportFormatError(_too_deep())
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise ImportFormatError(f"Invalid JSON: {error}") from None
    elif fmt == "yaml":
        documents = _yaml_documents(text)
        data = documents[0] if len(documents) == 1 and isinstance(documents[0], list) else documents
    elif fmt == "csv":
        # newline="": line breaks inside quoted cells (a "\r" an export wrote) are data, not new rows.
        reader = csv.reader(io.StringIO(text.strip(), newline=""))
        try:
            rows = [row for row in reader if any(cell.strip() for cell in row)]
        except csv.Error as error:
            raise ImportFormatError(f"Invalid CSV: {error}") from None
        if not rows:
            raise ImportFormatError("No data: the first line must name the columns.")
        _check_count(len(rows) - 1)
        header = [name.strip() for name in rows[0]]
        if len(set(header)) != len(header):
            raise ImportFormatError("Duplicate column names in the header.")
        data = []
        for number, row in enumerate(rows[1:], start=2):
            if len(row) != len(header):
                raise ImportFormatError(f"Line {number}: {len(row)} values for {len(header)} columns.")
            data.append(dict(zip(header, (formula_unguard(cell) for cell in row), strict=True)))
    else:
        raise ImportFormatError(f"Unknown format: {fmt}")
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ImportFormatError("Expected a list of objects.")
    if not data:
        raise ImportFormatError("No records to import.")
    _check_count(len(data))
    # Uploads do not pass the request middleware's check, and JSON and YAML escapes (\u0000) decode here.
    if (problem := unstorable_data(data)) is not None:
        raise ImportFormatError(problem)
    return data


# A YAML mapping's first key ("manufacturer: APC", as a device-type library file may begin), or a comment.
_YAML_START = re.compile(r"(---|- |#|[A-Za-z_][\w-]*:(\s|$))")


def _looks_like_yaml(text: str) -> bool:
    return bool(_YAML_START.match(text))


def _too_deep() -> str:
    return f"The data is nested deeper than {settings.WIREBOOK_MAX_JSON_DEPTH} levels."


def _check_count(count: int) -> None:
    limit = settings.WIREBOOK_IMPORT_MAX_RECORDS
    if count > limit:
        raise ImportFormatError(f"Too many records: {count}, at most {limit} per import.")


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when installed
_YAML_NODE_STARTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)


def _yaml_documents(text: str) -> list:
    """The documents of a YAML text, safely: first its events are read (libyaml's parser does not
    recurse), refusing aliases and anchors, nesting deeper than WIREBOOK_MAX_JSON_DEPTH (libyaml's
    composer recurses in C and would crash the process) and too many records; only then are the
    documents built, with the safe loader."""
    limit = settings.WIREBOOK_MAX_JSON_DEPTH
    depth = records = 0
    root_is_list = False
    try:
        for event in yaml.parse(text, Loader=_YAML_LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise ImportFormatError(f"Invalid YAML: aliases and anchors are not allowed (line {line}).")
            if isinstance(event, _YAML_NODE_STARTS):
                if depth == 0:
                    root_is_list = isinstance(event, yaml.SequenceStartEvent)
                    records += 1
                elif depth == 1 and root_is_list:
                    records += 1
                _check_count(records - 1 if root_is_list else records)
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                depth += 1
                if depth > limit:
                    raise ImportFormatError(_too_deep())
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                depth -= 1
        return [doc for doc in yaml.load_all(text, Loader=_YAML_LOADER) if doc is not None]
    except yaml.YAMLError as error:
        raise ImportFormatError(f"Invalid YAML: {error}") from None
    except (ValueError, RecursionError) as error:  # e.g. an integer of more digits than Python converts
        raise ImportFormatError(f"Invalid YAML: {error}") from None


def _is_csv_text(value) -> bool:
    return isinstance(value, str)


def to_payload(spec: ObjectSpec, record: dict[str, Any], layout: Columns) -> tuple[int | None, dict[str, Any]]:
    """(the id to update or None, the REST payload) for one imported record."""
    unknown = [str(name) for name in record if str(name).strip() not in layout.names]
    if unknown:
        raise WriteError({name: ["Unknown column."] for name in unknown})
    record = dict(record)
    pk = record.pop("id", None)
    if pk in ("", None):
        pk = None
    payload: dict[str, Any] = {}
    aliases = spec.api.write_aliases
    custom: dict[str, Any] = {}
    for name, value in record.items():
        name = str(name).strip()
        field_name = aliases.get(name, name)
        if name == "tags":
            payload["tags"] = [reference(Tag, item) for item in split_items(value)]
        elif name.startswith(CUSTOM_FIELD_PREFIX):
            definition = layout.custom.get(name[len(CUSTOM_FIELD_PREFIX) :])
            custom[name[len(CUSTOM_FIELD_PREFIX) :]] = _custom_value(definition, value)
        elif field_name in layout.fields:
            payload[name] = _field_value(spec, layout.fields[field_name], value)
    if custom:
        payload["custom_fields"] = custom
    if pk is not None:
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise WriteError({"id": [f"“{pk}” is not a valid id."]}) from None
    return pk, payload


def _field_value(spec: ObjectSpec, model_field, value):
    kind = kind_of(model_field)
    if spec.api.write_converters.get(model_field.name) is not None:
        # The registration converts the value: related objects are passed on as written (labels, ids).
        if model_field.many_to_many:
            return split_items(value) if _is_csv_text(value) else value
        if model_field.is_relation:
            return None if value == "" else value
    return kind.import_value(model_field, value)


def _custom_value(definition, value):
    if definition is None or not _is_csv_text(value):
        return value
    if value.strip() == "":
        return None
    kind = definition.type
    if kind == CustomFieldType.BOOLEAN:
        return import_bool(value)
    if kind == CustomFieldType.INTEGER:
        try:
            return int(value)
        except ValueError:
            return value
    if kind == CustomFieldType.MULTISELECT:
        return split_items(value)
    if kind in (CustomFieldType.OBJECT,):
        return int(value) if value.strip().isdigit() else value
    if kind == CustomFieldType.MULTIOBJECT:
        return [int(item) if item.isdigit() else item for item in split_items(value)]
    if kind == CustomFieldType.JSON:
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


# -- import: applying --------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"record": 1-based, "errors": {field: [..]}}
    objects: list[models.Model] = field(default_factory=list)  # what was written, in the records' order

    @property
    def ok(self) -> bool:
        return not self.errors


def import_records(spec: ObjectSpec, actor: Actor, records: list[dict], *, progress=None) -> ImportResult:
    """Write every record or none (see the module's docstring), through the registration's own
    importer when it has one (core.registry.Importer). `progress(done, total)` is called as it goes."""
    if spec.ui.importer is not None:
        return spec.ui.importer.write(spec, actor, records, progress=progress)
    return write_records(spec, actor, records, progress=progress)


def write_records(
    spec: ObjectSpec,
    actor: Actor,
    records: list[dict],
    *,
    progress=None,
    keys: Callable[[dict], tuple[dict, dict, dict[str, list[str]]]] | None = None,
) -> ImportResult:
    """The generic import: each record's columns, written as the API's bulk writes are. `keys`, for an
    importer whose records name related objects in columns of their own (a wireless link's interfaces by
    device and name): record -> (its remaining columns, the payload values it resolved, its errors)."""
    result = ImportResult()
    total = len(records)
    layout = import_columns(spec)

    def read(spec: ObjectSpec, record: dict, *, actor: Actor, partial: bool):
        resolved: dict = {}
        errors: dict[str, list[str]] = {}
        if keys is not None:
            record, resolved, errors = keys(record)
        try:
            _pk, payload = to_payload(spec, record, layout)
        except WriteError as error:
            raise WriteError({**error.errors, **errors}) from None
        if errors:
            raise WriteError({**_value_errors(spec, payload, skip=set(errors)), **errors})
        return _deserialize(spec, {**payload, **resolved}, actor, partial=partial)

    def reading(done: int) -> None:
        if progress is not None and done % 50 == 0:
            progress(done, total)

    items = [Item(payload=record, pk=_record_id(record)) for record in records]
    try:
        written = write_objects(spec, actor, items, partial=True, deserialize=read, progress=reading)
    except WriteRefused as refused:
        result.errors = [{"record": error["index"] + 1, "errors": error["errors"]} for error in refused.errors]
    except NotPermitted as refusal:
        result.errors = [{"record": None, "errors": {"__all__": [refusal.message]}}]
    else:
        result.objects = written
        for obj, item in zip(written, items, strict=True):
            (result.created if item.pk is None else result.updated).append(obj.pk)
    if progress is not None:
        progress(total, total)
    return result


def _record_id(record: dict[str, Any]) -> int | None:
    """The id of the object a record changes; None for a new one (or a malformed id, which
    `to_payload` refuses as the record's error)."""
    pk = record.get("id")
    if pk is None or pk == "":
        return None
    try:
        return int(pk)
    except (TypeError, ValueError):
        return None


def _deserialize(spec: ObjectSpec, payload: dict[str, Any], actor: Actor, *, partial: bool):
    """The write layer's conversion; when it fails, the record's plain values are checked too, so
    one round shows every problem of the record (a missing region and a bad status together)."""
    try:
        return deserialize(spec, payload, actor=actor, partial=partial)
    except WriteError as error:
        raise WriteError({**_value_errors(spec, payload, skip=set(error.errors)), **error.errors}) from None


def _value_errors(spec: ObjectSpec, payload: dict[str, Any], *, skip: set[str]) -> dict[str, list[str]]:
    """Errors of the record's plain (not related) values by their own field's rules: choices,
    lengths, number formats. Uniqueness and cross-field rules wait for the model's validation."""
    fields = {f.name: f for f in writable_fields(spec)}
    errors: dict[str, list[str]] = {}
    for name, value in payload.items():
        field = fields.get(spec.api.write_aliases.get(name, name))
        if field is None or name in skip or field.is_relation or name in spec.api.write_converters:
            continue
        try:
            field.clean(value, None)
        except ValidationError as error:
            errors.update(model_errors(ValidationError({name: error.error_list})))
    return errors


# -- large imports: a background job with progress ---------------------------------------------


def import_job(job, *, model: str, records: list[dict], user_id: int, user_name: str, role: str) -> dict:
    """Job function (automation.job_run): the same import, as the member who started it, with the
    role they have when it runs (`role` is what they had when they asked)."""
    if len(records) > settings.WIREBOOK_IMPORT_MAX_RECORDS:  # the view refuses them; jobs are arguments too
        raise ImportFormatError(f"Too many records: {len(records)}, at most {settings.WIREBOOK_IMPORT_MAX_RECORDS}.")
    spec = registry.get(apps.get_model(model))
    membership = Membership.objects.filter(organization=current_organization(), user_id=user_id).first()
    if membership is None:
        raise PermissionError(f"{user_name} is no longer a member of this organization")
    actor = Actor(user_id=user_id, user_name=user_name, role=membership.role)

    def progress(done, total):
        job_progress_report(job.pk, done, total)

    with acting_as(actor):
        result = import_records(spec, actor, records, progress=progress)
    return {
        "model": model,
        "created": len(result.created),
        "updated": len(result.updated),
        "errors": result.errors[:500],
    }
