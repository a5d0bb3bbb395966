"""Which registered models the importer reads, and in which order: computed from the registry and the models'
foreign keys, so a new app is imported without a change here (at most an ordering hint below)."""

import functools
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.netbox_openapi import netbox_openapi
from core.registry import ObjectSpec
from core.writes import writable_fields

# Types never imported, and why (the report lists them).
SKIPPED = {
    "users.objectpermission": "permissions name NetBox's users and groups; grant them to members in Wirebook",
    "extras.savedfilter": "saved filters belong to NetBox's users",
    "extras.bookmark": "bookmarks belong to NetBox's users",
    "extras.subscription": "subscriptions belong to NetBox's users",
    "extras.notification": "notifications belong to NetBox's users",
    "extras.notificationgroup": "notification groups name NetBox's users and groups",
    "extras.imageattachment": "image files are not served by NetBox's REST API",
    "extras.scriptmodule": "script files are not served by NetBox's REST API",
}
# Read before everything else: what custom field values and tags of every other object need.
FIRST = ("extras.customfieldchoiceset", "extras.customfield", "extras.tag")
# After every object they may point at; a cable's ends are no foreign key (its write extras name them).
LAST = ("dcim.cable",)
# Types better read after others their objects point at through a generic relation (an IP address assigned to
# an interface): fewer references written in a second pass. Only an ordering hint.
AFTER = {
    "ipam.ipaddress": ("dcim.interface", "virtualization.vminterface"),
    "dcim.macaddress": ("dcim.interface", "virtualization.vminterface"),
}
# References written once every object exists, after the others of the second pass: they must point at objects
# that are related already (a device's primary IP is assigned to one of its interfaces).
LATE_FIELDS = frozenset({"primary_ip4", "primary_ip6", "oob_ip", "primary_mac_address", "master"})


@dataclass(frozen=True)
class PlannedType:
    spec: ObjectSpec
    # The types its references point at; `required`: those it cannot be written without.
    requires: frozenset[str]
    refers: frozenset[str]


def _generic_required(model: type[models.Model]) -> bool:
    """Whether the model's objects must point at another object through a content type and an id
    (a contact assignment's object, a journal entry's): they are read after every type they may point at."""
    names = {f.name for f in model._meta.concrete_fields}
    return any(
        f.is_relation and f.related_model is ContentType and not f.null and f.name.endswith("_type")
        and f"{f.name[: -len('_type')]}_id" in names
        for f in model._meta.concrete_fields
    )  # fmt: skip


def import_plan(specs: list[ObjectSpec]) -> list[PlannedType]:
    """The importable types of `specs`, dependencies first (see the module's constants)."""
    candidates = [
        spec
        for spec in specs
        if not spec.access.read_only and not spec.access.personal and spec.type_label not in SKIPPED
    ]
    by_model = {spec.model: spec for spec in candidates}
    planned: dict[str, PlannedType] = {}
    for spec in candidates:
        requires: set[str] = set()
        refers: set[str] = set()
        for model_field in writable_fields(spec):
            related = model_field.related_model if model_field.is_relation else None
            target = by_model.get(related) if isinstance(related, type) else None
            if target is None or target is spec or model_field.name in LATE_FIELDS:
                continue
            refers.add(target.type_label)
            if not model_field.many_to_many and not model_field.null:
                requires.add(target.type_label)
        refers.update(label for label in AFTER.get(spec.type_label, ()) if label != spec.type_label)
        planned[spec.type_label] = PlannedType(spec, frozenset(requires), frozenset(refers))
    labels = list(planned)

    tiers = {label: _tier(planned[label]) for label in labels}
    changed = True
    while changed:  # what an earlier tier's type points at comes in that tier too (a choice set's owner)
        changed = False
        for label in labels:
            for referred in planned[label].refers & planned.keys():
                if tiers[referred] > tiers[label]:
                    tiers[referred] = tiers[label]
                    changed = True
    ordered: list[str] = []
    done: set[str] = set()
    while len(ordered) < len(labels):
        lowest = min(tiers[label] for label in labels if label not in done)
        remaining = [label for label in labels if label not in done and tiers[label] == lowest]
        ready = [label for label in remaining if planned[label].refers & planned.keys() <= done]
        if not ready:  # a cycle through optional references: those are written in the second pass
            ready = [label for label in remaining if planned[label].requires & planned.keys() <= done] or remaining
        ordered.append(ready[0])
        done.add(ready[0])
    return [planned[label] for label in ordered]


def _tier(planned: PlannedType) -> int:
    label = planned.spec.type_label
    if label in FIRST:
        return 0
    if label in LAST or _generic_required(planned.spec.model):
        return 2
    return 1


@functools.cache
def netbox_writable_keys() -> dict[str, frozenset[str]]:
    """The keys NetBox's REST API writes, by API path (`dcim/sites`), from NetBox's own OpenAPI document
    (core.netbox_openapi): the keys of a type's POST body. What the importer reads is compared with them, so the
    report names what NetBox holds and Wirebook does not carry over; NetBox's read-only keys (counts, `display`,
    computed objects) are never among them."""
    document = netbox_openapi()
    schemas = document["components"]["schemas"]
    keys: dict[str, frozenset[str]] = {}
    for path, operations in document["paths"].items():
        body = operations.get("post", {}).get("requestBody", {}).get("content", {}).get("application/json", {})
        schema = body.get("schema", {})
        ref = next((s.get("$ref") for s in [schema, *schema.get("oneOf", [])] if "$ref" in s), None)
        if ref is None or not path.startswith("/api/"):
            continue
        properties = schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
        keys[path.removeprefix("/api/").strip("/")] = frozenset(properties)
    return keys
