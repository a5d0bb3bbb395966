"""The derived forms beyond the per-model cases: custom fields, tags, pickers, clone, journal, bulk edit."""

import re

from django.contrib.contenttypes.models import ContentType

from core.models import CustomField, CustomFieldChoiceSet, JournalEntry, ObjectPermission, Tag
from inventory.models import Contact, ContactAssignment, ContactRole, Region, Site
from tenants.context import tenant_context

SITES = "/o/org-a/dcim/sites/"


def _custom_fields(organization):
    with tenant_context(organization):
        site = ContentType.objects.get_for_model(Site)
        racks = CustomField.objects.create(name="rack_count", type="integer", validation_maximum=100)
        colours = CustomFieldChoiceSet.objects.create(name="Colours", extra_choices=[["red", "Red"], ["blue", "Blue"]])
        colour = CustomField.objects.create(name="colour", type="select", choice_set=colours, label="Colour")
        for field in (racks, colour):
            field.object_types.add(site)


def _site(organization, **fields) -> Site:
    with tenant_context(organization):
        return Site.objects.create(name="AMS1", slug="ams1", **fields)


def _errors(response) -> list[str]:
    return re.findall(r'wb-field-error">([^<]*)<', response.content.decode())


def test_custom_fields_are_in_the_form_with_their_validation(org_a):
    _custom_fields(org_a.organization)
    owner = org_a.client()

    form = owner.get(f"{SITES}add/").content.decode()
    assert 'name="cf_rack_count"' in form and 'name="cf_colour"' in form and ">Red<" in form

    bad = owner.post(f"{SITES}add/", {"name": "AMS1", "slug": "ams1", "status": "active", "cf_rack_count": "500"})
    assert bad.status_code == 200
    assert any("rack_count" in error or "100" in error for error in _errors(bad)), _errors(bad)
    with tenant_context(org_a.organization):
        assert not Site.objects.exists()

    good = owner.post(
        f"{SITES}add/", {"name": "AMS1", "slug": "ams1", "status": "active", "cf_rack_count": "12", "cf_colour": "red"}
    )
    assert good.status_code == 302
    with tenant_context(org_a.organization):
        assert Site.objects.get().custom_field_data == {"rack_count": 12, "colour": "red"}
    detail = owner.get(good["Location"]).content.decode()
    assert "wb-custom-fields" in detail and "Colour" in detail and "Red" in detail


def test_tags_and_related_objects_round_trip_through_the_edit_form(org_a):
    with tenant_context(org_a.organization):
        region = Region.objects.create(name="Europe", slug="europe")
        tag = Tag.objects.create(name="Core", slug="core")
    site = _site(org_a.organization, region=region)
    owner = org_a.client()

    response = owner.post(
        f"{SITES}{site.pk}/edit/",
        {"name": "AMS1", "slug": "ams1", "status": "planned", "region": region.pk, "tags": [tag.pk]},
    )

    assert response.status_code == 302
    edit = owner.get(f"{SITES}{site.pk}/edit/").content.decode()
    # the pickers hold exactly the chosen objects, labelled, and nothing else
    assert re.search(rf'<option value="{region.pk}" selected>Europe</option>', edit)
    assert re.search(rf'<option value="{tag.pk}" selected>Core</option>', edit)
    assert 'data-picker="/o/org-a/api/dcim/regions/?brief=1"' in edit
    with tenant_context(org_a.organization):
        site.refresh_from_db()
        assert site.status == "planned" and [t.slug for t in site.tags] == ["core"]


def test_a_related_object_of_another_organization_cannot_be_picked(org_a, org_b):
    with tenant_context(org_b.organization):
        foreign = Region.objects.create(name="Elsewhere", slug="elsewhere")
    with tenant_context(org_a.organization):
        Region.objects.create(name="Filler", slug="filler")  # ids may coincide across schemas
    owner = org_a.client()

    response = owner.post(
        f"{SITES}add/", {"name": "AMS1", "slug": "ams1", "status": "active", "region": foreign.pk + 1000}
    )

    assert response.status_code == 200
    assert any("Related object not found" in error for error in _errors(response))


def test_clone_prefills_all_but_unique_fields(org_a):
    with tenant_context(org_a.organization):
        region = Region.objects.create(name="Europe", slug="europe")
    site = _site(org_a.organization, region=region, status="planned", facility="DC-1")
    owner = org_a.client()

    detail = owner.get(f"{SITES}{site.pk}/").content.decode()
    clone = re.search(r'href="([^"]+)"><i class="bi bi-copy"', detail)[1].replace("&amp;", "&")
    form = owner.get(clone).content.decode()

    assert 'value="DC-1"' in form and f'<option value="{region.pk}" selected>Europe</option>' in form
    assert 'name="name" value="AMS1"' not in form and 'value="ams1"' not in form


def test_journal_entries_are_added_from_the_object(org_a):
    site = _site(org_a.organization)
    owner = org_a.client()

    response = owner.post(f"{SITES}{site.pk}/journal/", {"kind": "warning", "comments": "Power work tonight"})

    assert response.status_code == 302
    page = owner.get(f"{SITES}{site.pk}/journal/").content.decode()
    assert "Power work tonight" in page and "Warning" in page
    with tenant_context(org_a.organization):
        entry = JournalEntry.objects.get()
        assert entry.assigned_object_id == site.pk and entry.created_by_name == org_a.owner.email
    empty = owner.post(f"{SITES}{site.pk}/journal/", {"kind": "info", "comments": ""})
    assert empty.status_code == 200 and _errors(empty)


def test_bulk_edit_sets_null_and_adds_and_removes_tags(org_a):
    with tenant_context(org_a.organization):
        region = Region.objects.create(name="Europe", slug="europe")
        old, new = Tag.objects.create(name="Old", slug="old"), Tag.objects.create(name="New", slug="new")
        sites = [Site.objects.create(name=f"S{n}", slug=f"s{n}", region=region) for n in range(3)]
        for site in sites:
            site.tagged_items.create(tag=old)
    owner = org_a.client()

    response = owner.post(
        f"{SITES}edit/",
        {"pk": [s.pk for s in sites], "_apply": "1", "_nullify": ["region"], "add_tags": [new.pk],
         "remove_tags": [old.pk], "status": "retired"},
    )  # fmt: skip

    assert response.status_code == 302
    with tenant_context(org_a.organization):
        for site in Site.objects.all():
            assert site.region is None and site.status == "retired"
            assert [t.slug for t in site.tags] == ["new"]


def test_bulk_edit_is_all_or_nothing(org_a):
    with tenant_context(org_a.organization):
        sites = [Site.objects.create(name=f"S{n}", slug=f"s{n}") for n in range(3)]
    owner = org_a.client()

    response = owner.post(
        f"{SITES}edit/", {"pk": [s.pk for s in sites], "_apply": "1", "latitude": "123.5", "status": "planned"}
    )

    assert response.status_code == 200  # the form again, with the errors
    with tenant_context(org_a.organization):
        assert set(Site.objects.values_list("status", flat=True)) == {"active"}


def test_object_permissions_pick_members_by_email_and_only_members(org_a, org_b):
    owner = org_a.client()
    form = owner.get("/o/org-a/users/permissions/add/").content.decode()
    assert f'<option value="{org_a.owner.pk}">{org_a.owner.email}</option>' in form
    assert org_b.owner.email not in form  # members of other organizations are not offered

    outsider = owner.post(
        "/o/org-a/users/permissions/add/",
        {"name": "View", "object_types": ["dcim.site"], "actions": "view", "user_ids": [org_b.owner.pk]},
    )
    assert outsider.status_code == 200 and _errors(outsider)

    response = owner.post(
        "/o/org-a/users/permissions/add/",
        {"name": "View", "object_types": ["dcim.site"], "actions": "view", "user_ids": [org_a.owner.pk]},
    )
    assert response.status_code == 302
    with tenant_context(org_a.organization):
        assert ObjectPermission.objects.get().user_ids == [org_a.owner.pk]


def test_the_detail_page_counts_generic_relations_like_contacts(org_a):
    site = _site(org_a.organization)
    with tenant_context(org_a.organization):
        ContactAssignment.objects.create(
            object_type=ContentType.objects.get_for_model(Site),
            object_id=site.pk,
            contact=Contact.objects.create(name="Alice"),
            role=ContactRole.objects.create(name="NOC", slug="noc"),
        )
    owner = org_a.client()

    body = owner.get(f"{SITES}{site.pk}/").content.decode()

    link = re.search(r'href="([^"]*contact-assignments/[^"]*)">Contact assignments</a><span[^>]*>(\d+)<', body)
    assert link and link[2] == "1", body[body.find("wb-related") : body.find("wb-related") + 1500]
    listed = owner.get(link[1].replace("&amp;", "&")).content.decode()
    assert "1 contact assignment" in listed


def test_array_fields_edit_as_comma_separated_text_and_save_as_lists(org_a):
    # given a choice set, whose choices are [value, label] pairs
    with tenant_context(org_a.organization):
        colours = CustomFieldChoiceSet.objects.create(name="Colours", extra_choices=[["red", "Red"], ["blue", "Blue"]])
    owner = org_a.client()
    edit = f"/o/org-a/extras/custom-field-choice-sets/{colours.pk}/edit/"

    # when it is edited: the pairs show as NetBox writes them, and a changed text saves as pairs
    form = owner.get(edit).content.decode()
    saved = owner.post(edit, {"name": "Colours", "extra_choices": "red:Red, green:Green, teal", "choice_colors": "{}"})

    assert 'value="red:Red, blue:Blue"' in form
    assert saved.status_code == 302, _errors(saved)
    with tenant_context(org_a.organization):
        colours.refresh_from_db()
        assert colours.extra_choices == [["red", "Red"], ["green", "Green"], ["teal", "teal"]]


def test_empty_json_fields_are_empty_boxes_and_prefilled_json_is_not_encoded_again(org_a):
    with tenant_context(org_a.organization):
        notes = CustomField.objects.create(name="notes", type="json")
        notes.object_types.add(ContentType.objects.get_for_model(Site))
    owner = org_a.client()

    # no value: an empty box, not "null" to delete first
    custom_field_form = owner.get("/o/org-a/extras/custom-fields/add/").content.decode()
    assert re.search(r'<textarea name="default"[^>]*>\s*</textarea>', custom_field_form), custom_field_form
    site_form = owner.get(f"{SITES}add/").content.decode()
    assert re.search(r'<textarea name="cf_notes"[^>]*>\s*</textarea>', site_form)
    # and an empty box saves as no value
    created = owner.post(f"{SITES}add/", {"name": "AMS1", "slug": "ams1", "status": "active", "cf_notes": ""})
    assert created.status_code == 302, _errors(created)

    # JSON text in the query string pre-fills the JSON it is; text that is not JSON shows as typed
    prefilled = owner.get('/o/org-a/extras/saved-filters/add/?parameters={"status": ["active"]}').content.decode()
    assert "{&quot;status&quot;: [&quot;active&quot;]}</textarea>" in prefilled
    typed = owner.get("/o/org-a/extras/saved-filters/add/?parameters={oops").content.decode()
    assert "{oops</textarea>" in typed
