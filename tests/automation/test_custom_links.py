"""Custom links on object pages: sandboxed Jinja2 with the object's REST representation, button groups,
a broken template shown as a broken link (never a failed page), and only the admins manage them."""

import json

from django.contrib.contenttypes.models import ContentType

from automation.models import CustomLink
from core.services import object_create
from inventory.models import Site
from tenants.context import tenant_context


def link(name: str, text: str, url: str, **extra) -> CustomLink:
    types = extra.pop("object_types", [Site])
    return object_create(
        model=CustomLink,
        data={
            "name": name,
            "link_text": text,
            "link_url": url,
            "object_types": [ContentType.objects.get_for_model(model) for model in types],
            **extra,
        },
    )


def test_links_render_on_the_pages_of_their_object_types_grouped(org_a):
    slug = org_a.organization.slug
    with tenant_context(org_a.organization):
        s = object_create(model=Site, data={"name": "Linked", "slug": "linked"})
        link("Wiki", "Wiki of {{ object.name }}", "https://wiki.example.com/{{ object.slug }}", new_window=True)
        link("Graphs", "Graphs", "https://grafana.example.com/?site={{ object.id }}", group_name="Monitoring", weight=1)
        link("Logs", "Logs", "https://logs.example.com/{{ object.slug }}", group_name="Monitoring", weight=2)
        link("Off", "Never", "https://off.example.com/", enabled=False)
        link("Only big", "{% if object.name == 'Big' %}Big{% endif %}", "https://big.example.com/")

    body = org_a.client().get(f"/o/{slug}/dcim/sites/{s.pk}/").content.decode()

    assert 'href="https://wiki.example.com/linked" target="_blank"' in body
    assert ">Wiki of Linked</a>" in body
    assert 'data-wb-custom-link-group="Monitoring"' in body
    assert body.index("grafana.example.com/?site=") < body.index("logs.example.com/linked")
    assert "off.example.com" not in body and "big.example.com" not in body


def test_a_broken_link_is_marked_and_the_page_still_renders(org_a):
    slug = org_a.organization.slug
    with tenant_context(org_a.organization):
        s = object_create(model=Site, data={"name": "Broken", "slug": "broken"})
        link("Divides", "Ratio", "https://x.example.com/{{ 1 / 0 }}")
        link("Script", "Click", "javascript:alert(1)")
        link("Escape", "Esc{{ object.__class__ }}", "https://x.example.com/{{ ''.__class__ }}")

    response = org_a.client().get(f"/o/{slug}/dcim/sites/{s.pk}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("data-wb-custom-link-error") == 2
    assert "broken link: division by zero" in body
    assert "javascript:alert" not in body
    assert 'href="https://x.example.com/" data-wb-custom-link>Esc</a>' in body  # the sandbox hides Python's insides


def test_templates_are_checked_when_a_link_is_saved_and_only_admins_manage_links(org_a):
    slug, owner = org_a.organization.slug, org_a.client()
    url = f"/o/{slug}/api/extras/custom-links/"
    bad = {"name": "Bad", "object_types": ["dcim.site"], "link_text": "{{ unclosed", "link_url": "https://x/"}

    response = owner.post(url, json.dumps(bad), content_type="application/json")

    assert response.status_code == 400
    assert "Invalid Jinja2 template" in str(response.json()["link_text"])
