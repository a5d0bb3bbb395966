"""An object's page: breadcrumbs through the tree, the map panel, tabs with counts, related-object tables with
Add buttons, the comments panel -- what each costs in statements, and that nothing of another organization (or
hidden from the member) shows through them."""

import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from addressing.models import Prefix
from circuits.models import Circuit, CircuitTermination, CircuitType, Provider
from core.models import JournalEntry, ObjectPermission
from core.registry import registry
from inventory.models import Device, DeviceRole, DeviceType, Location, Manufacturer, Rack, Region, Site
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole

SITES = "/o/org-a/dcim/sites"


@pytest.fixture
def place(org_a):
    """Europe > Netherlands > North Holland (regions), AMS1 in it, Hall A > Row 1 (locations), rack R1 in Row 1."""
    with tenant_context(org_a.organization):
        europe = Region.objects.create(name="Europe", slug="europe")
        netherlands = Region.objects.create(name="Netherlands", slug="netherlands", parent=europe)
        holland = Region.objects.create(name="North Holland", slug="north-holland", parent=netherlands)
        site = Site.objects.create(name="AMS1", slug="ams1", region=holland)
        hall = Location.objects.create(name="Hall A", slug="hall-a", site=site)
        row = Location.objects.create(name="Row 1", slug="row-1", site=site, parent=hall)
        rack = Rack.objects.create(name="R1", site=site, location=row)
    return {"europe": europe, "holland": holland, "site": site, "hall": hall, "row": row, "rack": rack}


def crumbs(body: str) -> list[str]:
    nav = body[body.index('class="breadcrumb') : body.index("</ol>")]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li[^>]*>(.*?)</li>", nav, re.S)]


def statements(client, path: str) -> int:
    client.get(path)  # warm-up: the organization, the session and the content types are cached from then on
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


# -- breadcrumbs ---------------------------------------------------------------------------------------


def test_breadcrumbs_follow_the_tree_from_the_list_to_the_object(org_a, place):
    owner = org_a.client()

    rack = owner.get(f"/o/org-a/dcim/racks/{place['rack'].pk}/").content.decode()
    location = owner.get(f"/o/org-a/dcim/locations/{place['row'].pk}/").content.decode()
    site = owner.get(f"{SITES}/{place['site'].pk}/").content.decode()

    path = ["Europe", "Netherlands", "North Holland", "AMS1", "Hall A", "Row 1"]
    assert crumbs(rack) == ["Racks", *path, "R1"]
    assert crumbs(location) == ["Locations", *path]
    assert crumbs(site) == ["Sites", "Europe", "Netherlands", "North Holland", "AMS1"]
    # each step links to its page, named by its type
    assert f'href="/o/org-a/dcim/regions/{place["europe"].pk}/" title="Region">Europe</a>' in rack
    assert f'href="{SITES}/{place["site"].pk}/" title="Site">AMS1</a>' in rack


def test_edit_pages_have_the_same_breadcrumbs(org_a, place):
    body = org_a.client().get(f"/o/org-a/dcim/racks/{place['rack'].pk}/edit/").content.decode()

    assert crumbs(body) == ["Racks", "Europe", "Netherlands", "North Holland", "AMS1", "Hall A", "Row 1", "R1", "Edit"]
    assert f'<a href="/o/org-a/dcim/racks/{place["rack"].pk}/">R1</a>' in body


def test_a_device_sits_in_its_rack_else_its_location_else_its_site(org_a, place):
    with tenant_context(org_a.organization):
        kind = DeviceType.objects.create(
            manufacturer=Manufacturer.objects.create(name="Juniper", slug="juniper"), model="MX", slug="mx"
        )
        role = DeviceRole.objects.create(name="Core", slug="core")
        racked = Device.objects.create(name="mx1", device_type=kind, role=role, site=place["site"], rack=place["rack"])
        loose = Device.objects.create(name="mx2", device_type=kind, role=role, site=place["site"])
    owner = org_a.client()

    assert crumbs(owner.get(f"/o/org-a/dcim/devices/{racked.pk}/").content.decode())[-2:] == ["R1", "mx1"]
    assert crumbs(owner.get(f"/o/org-a/dcim/devices/{loose.pk}/").content.decode())[-2:] == ["AMS1", "mx2"]


def test_breadcrumbs_cost_the_same_however_deep_the_tree(org_a, place):
    owner = org_a.client()
    deep = statements(owner, f"{SITES}/{place['site'].pk}/")
    with tenant_context(org_a.organization):
        netherlands = Region.objects.get(slug="netherlands")
        Site.objects.filter(pk=place["site"].pk).update(region=netherlands)  # two levels instead of three
    assert statements(owner, f"{SITES}/{place['site'].pk}/") == deep


def test_breadcrumbs_leave_out_what_the_member_may_not_see(org_a, org_b, place, monkeypatch):
    # given a member who may view racks and locations but no site nor region
    from core.context import ROLE_ACTIONS

    monkeypatch.setitem(ROLE_ACTIONS, MembershipRole.VIEWER, frozenset())
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER)
    with tenant_context(org_a.organization):
        permission = ObjectPermission.objects.create(name="Racks", actions=["view"], user_ids=[org_b.owner.pk])
        permission.object_types.set(ContentType.objects.get_for_models(Rack, Location).values())

    body = org_b.client().get(f"/o/org-a/dcim/racks/{place['rack'].pk}/").content.decode()

    # the trail stops below the site: neither it nor the regions are named
    assert crumbs(body) == ["Racks", "Hall A", "Row 1", "R1"]
    assert "Europe" not in body


def test_declared_breadcrumbs_point_at_registered_models():
    for spec in registry.installed():
        for name in spec.ui.breadcrumbs:
            field = spec.model._meta.get_field(name)
            assert field.many_to_one and registry.find(field.related_model), f"{spec.model.__name__}.{name}"


# -- the map panel -------------------------------------------------------------------------------------


def test_coordinates_show_as_text_with_a_geo_link_and_nothing_external(org_a):
    with tenant_context(org_a.organization):
        placed = Site.objects.create(name="AMS1", slug="ams1", latitude=Decimal("52.3676"), longitude=Decimal("4.9041"))
        unplaced = Site.objects.create(name="FRA1", slug="fra1")
    owner = org_a.client()

    body = owner.get(f"{SITES}/{placed.pk}/").content.decode()

    assert 'href="geo:52.3676,4.9041"' in body and "52.3676, 4.9041" in body
    assert "data-wb-map" not in body and "leaflet" not in body  # no tile server: no map drawn
    assert "openstreetmap" not in body.lower()
    assert "wb-map" not in owner.get(f"{SITES}/{unplaced.pk}/").content.decode()


# -- tabs with counts ----------------------------------------------------------------------------------


def tab_badges(body: str) -> dict[str, str | None]:
    tabs = body[body.index('class="nav nav-tabs') :]
    tabs = tabs[: tabs.index("</ul>")]
    found = {}
    for label, badge in re.findall(r'class="nav-link[^"]*"[^>]*>([A-Za-z ]+?)(?: <span[^>]*>(\d+)</span>)?</a>', tabs):
        found[label.strip()] = badge or None
    return found


def test_with_a_tile_server_the_map_is_drawn_and_the_policy_allows_its_images(org_a, settings):
    settings.WIREBOOK_MAP_TILES_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    settings.WIREBOOK_MAP_ATTRIBUTION = "Tiles by Example"
    with tenant_context(org_a.organization):
        site = Site.objects.create(name="AMS1", slug="ams1", latitude=Decimal("52.3676"), longitude=Decimal("4.9041"))

    response = org_a.client().get(f"{SITES}/{site.pk}/")

    body = response.content.decode()
    assert 'data-wb-map data-latitude="52.3676" data-longitude="4.9041"' in body
    assert 'data-tiles="https://{s}.tiles.example.org/{z}/{x}/{y}.png"' in body
    assert (
        "/static/frontend/vendor/leaflet/leaflet.js" in body and "/static/frontend/vendor/leaflet/leaflet.css" in body
    )
    policy = response["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example.org" in policy
    assert "tiles.example.org" not in policy.split("script-src")[1].split(";")[0]


def test_a_tile_url_without_its_placeholders_is_refused():
    from saas_platform.maptiles import map_tile_source

    assert map_tile_source("") is None
    assert map_tile_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
    for wrong in ("https://tile.openstreetmap.org/", "javascript:{z}{x}{y}", "tiles/{z}/{x}/{y}.png"):
        with pytest.raises(ValueError, match="http"):
            map_tile_source(wrong)


def test_journal_changelog_and_images_tabs_show_their_counts(org_a):
    owner = org_a.client()
    owner.post(f"{SITES}/add/", {"name": "AMS1", "slug": "ams1", "status": "active"})
    with tenant_context(org_a.organization):
        site = Site.objects.get(slug="ams1")
    owner.post(f"{SITES}/{site.pk}/edit/", {"name": "AMS1", "slug": "ams1", "status": "planned"})
    for text in ("Racked", "Cabled"):
        owner.post(f"{SITES}/{site.pk}/journal/", {"kind": "info", "comments": text})

    body = owner.get(f"{SITES}/{site.pk}/").content.decode()

    badges = tab_badges(body)
    assert badges["Journal"] == "2" and badges["Changelog"] == "2"
    # no image yet: no Images tab, but a way to attach the first one
    assert "Images" not in badges
    assert f'href="{SITES}/{site.pk}/images/"' in body and "Add image" in body


def test_the_page_costs_the_same_however_many_journal_entries_changes_and_related_rows(org_a, place):
    owner = org_a.client()
    url = f"{SITES}/{place['site'].pk}/"

    def add(first: int, count: int) -> None:
        with tenant_context(org_a.organization):
            for number in range(first, first + count):
                Rack.objects.create(name=f"R{number + 2}", site=place["site"], location=place["hall"])
                Location.objects.create(name=f"Hall {number}", slug=f"hall-{number}", site=place["site"])
                JournalEntry.objects.create(
                    assigned_object_type=ContentType.objects.get_for_model(Site),
                    assigned_object_id=place["site"].pk,
                    kind="info",
                    comments=f"note {number}",
                )

    add(0, 6)  # more than a table shows: its total is counted
    before = statements(owner, url)
    add(6, 12)
    assert statements(owner, url) == before


# -- related-object tables -----------------------------------------------------------------------------


def test_a_site_shows_its_racks_with_an_add_button_that_fills_in_the_site(org_a, place):
    with tenant_context(org_a.organization):
        for number in range(6):
            Rack.objects.create(name=f"S{number}", site=place["site"])

    body = org_a.client().get(f"{SITES}/{place['site'].pk}/").content.decode()

    card = body[body.index(">Racks</h2>") :]
    card = card[: card.index("</table>")]
    assert len(re.findall(r"<tr>", card)) == 1 + 5  # the header and the first five
    assert f'href="/o/org-a/dcim/racks/?site_id={place["site"].pk}">All 7</a>' in card
    add = re.search(r'href="(/o/org-a/dcim/racks/add/\?[^"]+)"', card)
    assert add is not None
    assert (
        f"site={place['site'].pk}" in add[1]
        and f"return_url=%2Fo%2Forg-a%2Fdcim%2Fsites%2F{place['site'].pk}" in add[1]
    )
    assert ">Locations</h2>" in body and ">Devices</h2>" in body and ">VLANs</h2>" in body


def test_the_add_form_opened_from_the_table_has_the_site(org_a, place):
    body = org_a.client().get(f"/o/org-a/dcim/racks/add/?site={place['site'].pk}").content.decode()
    assert re.search(rf'<option value="{place["site"].pk}" selected>AMS1</option>', body)


def test_related_tables_show_only_what_the_member_may_see(org_a, org_b, place, monkeypatch):
    from core.context import ROLE_ACTIONS

    with tenant_context(org_a.organization):
        Rack.objects.create(name="Secret", site=place["site"])
    with tenant_context(org_b.organization):
        other = Site.objects.create(name="B1", slug="b1")
        Rack.objects.create(name="Theirs", site=other)

    # another organization's rack never shows, on a site of the same id or any
    mine = org_a.client().get(f"{SITES}/{place['site'].pk}/").content.decode()
    assert "Theirs" not in mine
    # an outsider or an anonymous visitor gets nothing of the page
    assert org_b.client().get(f"{SITES}/{place['site'].pk}/").status_code == 404
    anonymous = org_a.client()
    anonymous.logout()
    assert "Secret" not in anonymous.get(f"{SITES}/{place['site'].pk}/").content.decode()
    # a member allowed only R1 among racks sees it alone, and no Add
    monkeypatch.setitem(ROLE_ACTIONS, MembershipRole.VIEWER, frozenset())
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER)
    with tenant_context(org_a.organization):
        sites = ObjectPermission.objects.create(name="Sites", actions=["view"], user_ids=[org_b.owner.pk])
        sites.object_types.set([ContentType.objects.get_for_model(Site)])
        racks = ObjectPermission.objects.create(
            name="R1", actions=["view"], constraints={"name": "R1"}, user_ids=[org_b.owner.pk]
        )
        racks.object_types.set([ContentType.objects.get_for_model(Rack)])
    body = org_b.client().get(f"{SITES}/{place['site'].pk}/").content.decode()
    card = body[body.index(">Racks</h2>") :]
    card = card[: card.index("</table>")]
    assert "R1" in card and "Secret" not in card and "/dcim/racks/add/" not in card


def _scoped_to_the_site(org_a, place, first: int, count: int) -> None:
    """`count` prefixes and circuit terminations, alternately at the site and at one of its locations, and as many
    elsewhere (at another site), which the site's tables leave out."""
    with tenant_context(org_a.organization):
        elsewhere, _ = Site.objects.get_or_create(name="FRA1", slug="fra1")
        provider, _ = Provider.objects.get_or_create(name="Zayo", slug="zayo")
        kind, _ = CircuitType.objects.get_or_create(name="Transit", slug="transit")
        for number in range(first, first + count):
            at = place["site"] if number % 2 else place["hall"]
            Prefix.objects.create(prefix=f"10.{number}.0.0/16", scope=at)
            Prefix.objects.create(prefix=f"172.16.{number}.0/24", scope=elsewhere)
            circuit = Circuit.objects.create(cid=f"C{number}", provider=provider, type=kind)
            CircuitTermination.objects.create(circuit=circuit, term_side="A", termination=at)
            CircuitTermination.objects.create(circuit=circuit, term_side="Z", termination=elsewhere)


def _card(body: str, heading: str) -> str:
    card = body[body.index(f">{heading}</h2>") :]
    return card[: card.index("</table>")]


def test_a_site_shows_its_prefixes_and_circuit_terminations_with_its_locations(org_a, place):
    _scoped_to_the_site(org_a, place, 0, 6)
    site = place["site"].pk

    body = org_a.client().get(f"{SITES}/{site}/").content.decode()

    prefixes = _card(body, "Prefixes")
    assert len(re.findall(r"<tr>", prefixes)) == 1 + 5 and "172.16." not in prefixes
    assert "10.1.0.0/16" in prefixes and "Hall A" in prefixes  # at the site, and at one of its locations
    # "All" lists what the table counts: the list's own filter (the site or its locations)
    assert f'href="/o/org-a/ipam/prefixes/?site_id={site}">All 6</a>' in prefixes
    add = re.search(r'href="(/o/org-a/ipam/prefixes/add/\?[^"]+)"', prefixes)
    assert add is not None and f"scope_type=dcim.site&amp;scope_id={site}&amp;return_url=" in add[1]

    terminations = _card(body, "Circuit terminations")
    assert len(re.findall(r"<tr>", terminations)) == 1 + 5 and "FRA1" not in terminations
    assert f'href="/o/org-a/circuits/circuit-terminations/?site_id={site}">All 6</a>' in terminations
    add = re.search(r'href="(/o/org-a/circuits/circuit-terminations/add/\?[^"]+)"', terminations)
    assert add is not None and f"termination_type=dcim.site&amp;termination_id={site}&amp;return_url=" in add[1]


def test_the_all_links_list_the_same_prefixes_and_terminations(org_a, place):
    _scoped_to_the_site(org_a, place, 0, 3)
    owner = org_a.client()
    site = place["site"].pk

    prefixes = owner.get(f"/o/org-a/ipam/prefixes/?site_id={site}").content.decode()
    terminations = owner.get(f"/o/org-a/circuits/circuit-terminations/?site_id={site}").content.decode()

    assert "Showing 1\N{EN DASH}3 of 3" in prefixes and "172.16." not in prefixes
    assert "Showing 1\N{EN DASH}3 of 3" in terminations


def test_the_add_forms_opened_from_the_site_have_the_site_as_scope(org_a, place):
    owner = org_a.client()
    site = place["site"].pk

    prefix = owner.get(f"/o/org-a/ipam/prefixes/add/?scope_type=dcim.site&scope_id={site}").content.decode()
    termination = owner.get(
        f"/o/org-a/circuits/circuit-terminations/add/?termination_type=dcim.site&termination_id={site}"
    ).content.decode()

    for body, field in ((prefix, "scope_type"), (termination, "termination_type")):
        chosen = re.search(rf'<select name="{field}"[^>]*>.*?</select>', body, re.S)
        assert chosen is not None and '<option value="dcim.site" selected>' in chosen[0]
    assert re.search(rf'name="scope_id"[^>]*value="{site}"|value="{site}"[^>]*name="scope_id"', prefix)


def test_the_site_page_costs_the_same_however_many_prefixes_and_terminations(org_a, place):
    owner = org_a.client()
    url = f"{SITES}/{place['site'].pk}/"
    _scoped_to_the_site(org_a, place, 0, 6)  # more than a table shows: its total is counted
    before = statements(owner, url)
    _scoped_to_the_site(org_a, place, 6, 12)
    assert statements(owner, url) == before


def test_another_organizations_prefixes_and_terminations_never_show(org_a, org_b, place):
    with tenant_context(org_b.organization):
        theirs = Site.objects.create(name="B1", slug="b1")
        Prefix.objects.create(prefix="192.0.2.0/24", scope=theirs)
    _scoped_to_the_site(org_a, place, 0, 1)

    mine = org_a.client().get(f"{SITES}/{place['site'].pk}/").content.decode()

    assert "192.0.2.0/24" not in mine and "10.0.0.0/16" in mine
    assert org_b.client().get(f"{SITES}/{place['site'].pk}/").status_code == 404
    anonymous = org_a.client()
    anonymous.logout()
    assert "10.0.0.0/16" not in anonymous.get(f"{SITES}/{place['site'].pk}/").content.decode()


# -- comments ------------------------------------------------------------------------------------------


def test_comments_have_their_own_panel_rendered_as_markdown(org_a):
    with tenant_context(org_a.organization):
        noted = Site.objects.create(name="AMS1", slug="ams1", comments="**Badge** needed <script>x()</script>")
        plain = Site.objects.create(name="FRA1", slug="fra1")
    owner = org_a.client()

    body = owner.get(f"{SITES}/{noted.pk}/").content.decode()
    panel = body[body.index("wb-comments") :]
    panel = panel[: panel.index("</div>\n    </div>")]
    assert "<strong>Badge</strong> needed" in panel and "<script>" not in body.split("wb-comments")[1][:400]
    # not also among the attributes
    attributes = body[body.index("wb-attributes") :]
    assert "Comments" not in attributes[: attributes.index("</table>")]

    empty = owner.get(f"{SITES}/{plain.pk}/").content.decode()
    assert re.search(r'wb-comments">\s*<h2[^>]*>Comments</h2>\s*<div class="card-body"><span[^>]*>None</span>', empty)
