"""List pages, server side: active filters as chips, clean URLs, page-number pagination, per-row edit and
delete buttons, and the order of the chosen columns."""

import re
from html import unescape

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import ObjectPermission, UserPreference
from frontend.pagination import page_numbers
from inventory.models import Region, Site
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole

SITES = "/o/org-a/dcim/sites/"


def _member(org, role: str, email: str | None = None) -> tuple[Client, object]:
    user = get_user_model().objects.create_user(email or f"lists-{role}@example.com")
    Membership.objects.create(user=user, organization=org.organization, role=role)
    client = Client()
    client.force_login(user)
    return client, user


def _grant(org, user, actions: list[str], constraints=None) -> None:
    with tenant_context(org.organization):
        permission = ObjectPermission.objects.create(
            name=f"{user.pk} sites", actions=actions, constraints=constraints, user_ids=[user.pk]
        )
        permission.object_types.set([ContentType.objects.get_for_model(Site)])


def _chips(body: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", text))).strip()
        for text in re.findall(r'<span class="wb-chip-text">(.*?)</span>', body)
    ]


def _chip_links(body: str) -> list[str]:
    return [unescape(link) for link in re.findall(r'class="wb-chip-remove" href="([^"]*)"', body)]


def _sites(org, count: int) -> list[Site]:
    with tenant_context(org.organization):
        return Site.objects.bulk_create(Site(name=f"Site {n:04}", slug=f"site-{n:04}") for n in range(count))


# -- chips -------------------------------------------------------------------------------------


def test_active_filters_are_chips_with_readable_names_and_links_without_them(org_a):
    # given two regions and sites in them
    with tenant_context(org_a.organization):
        europe = Region.objects.create(name="Europe", slug="europe")
        asia = Region.objects.create(name="Asia", slug="asia")
        Site.objects.create(name="Amsterdam 1", slug="ams1", region=europe, status="active")
        Site.objects.create(name="Tokyo 1", slug="tyo1", region=asia, status="planned")
    owner = org_a.client()

    # when the list is filtered by both regions, a status and a quick search, sorted
    body = owner.get(f"{SITES}?region_id={europe.pk}&region_id={asia.pk}&status=active&q=1&sort=name").content.decode()

    # then each value is a chip named as a person reads it, never an id
    assert _chips(body) == ["Region: Europe", "Region: Asia", "Status: Active", "Search: 1"]
    links = _chip_links(body)
    assert links[0] == f"?region_id={asia.pk}&status=active&q=1&sort=name"  # one value gone, the rest kept
    assert links[3] == f"?region_id={europe.pk}&region_id={asia.pk}&status=active&sort=name"
    assert 'class="btn btn-sm btn-link wb-chips-clear" href="?sort=name"' in body
    # and following a chip's link shows the list without that filter
    assert "Tokyo 1" in owner.get(f"{SITES}{links[2]}").content.decode()


def test_chips_of_filters_the_form_does_not_offer_say_the_lookup(org_a):
    owner = org_a.client()

    body = owner.get(f"{SITES}?name__ic=ams&slug__n=x&page=2").content.decode()

    assert _chips(body) == ["Name contains: ams", "Slug is not: x"]
    assert _chip_links(body) == ["?slug__n=x", "?name__ic=ams"]  # the page number goes with a removed filter


def test_no_chips_without_filters(org_a):
    body = org_a.client().get(f"{SITES}?sort=name&per_page=25&page=1").content.decode()

    assert _chips(body) == [] and "Clear all" not in body


def test_a_chip_never_names_an_object_the_member_may_not_see(org_a, org_b):
    # given a region of another organization, and one of ours with the same id space
    with tenant_context(org_b.organization):
        theirs = Region.objects.create(name="Secret Region", slug="secret")

    body = org_a.client().get(f"{SITES}?region_id={theirs.pk}").content.decode()

    assert "Secret Region" not in body
    assert _chips(body) == [f"Region: {theirs.pk}"]


def test_outsiders_and_anonymous_get_no_list_and_no_chips(org_a, org_b, client):
    with tenant_context(org_a.organization):
        region = Region.objects.create(name="Hidden Europe", slug="hidden-europe")
    path = f"{SITES}?region_id={region.pk}"

    outsider = org_b.client().get(path)
    anonymous = client.get(path)

    assert outsider.status_code == 404 and "Hidden Europe" not in outsider.content.decode()
    assert anonymous.status_code in (302, 404) and "Hidden Europe" not in anonymous.content.decode()


# -- clean URLs --------------------------------------------------------------------------------


def test_a_submitted_filter_form_with_empty_fields_redirects_to_the_clean_url(org_a):
    owner = org_a.client()

    response = owner.get(f"{SITES}?q=&region_id=&status=active&status=&tenant_id=&per_page=25")

    assert response.status_code == 302
    assert response["Location"] == f"{SITES}?status=active&per_page=25"
    assert owner.get(response["Location"]).status_code == 200


def test_an_all_empty_quick_search_redirects_to_the_bare_list(org_a):
    response = org_a.client().get(f"{SITES}?q=")

    assert response.status_code == 302 and response["Location"] == SITES


def test_an_outsider_is_not_redirected_but_refused(org_b):
    response = org_b.client().get(f"{SITES}?q=")

    assert response.status_code == 404


def test_clean_urls_are_not_redirected(org_a):
    assert org_a.client().get(f"{SITES}?status=active&q=ams").status_code == 200


# -- pagination --------------------------------------------------------------------------------


def test_page_numbers_keep_both_ends_and_two_on_each_side():
    assert page_numbers(6, 42) == [1, None, 4, 5, 6, 7, 8, None, 42]
    assert page_numbers(1, 42) == [1, 2, 3, None, 42]
    assert page_numbers(42, 42) == [1, None, 40, 41, 42]
    assert page_numbers(1, 1) == [1]
    assert page_numbers(3, 5) == [1, 2, 3, 4, 5]
    assert page_numbers(5, 9) == [1, 2, 3, 4, 5, 6, 7, 8, 9]  # an ellipsis never hides one page
    assert page_numbers(6, 10) == [1, None, 4, 5, 6, 7, 8, 9, 10]


def test_page_links_first_last_and_showing_keep_filters_and_sort(org_a):
    _sites(org_a, 1034)
    owner = org_a.client()

    body = owner.get(f"{SITES}?q=Site&sort=-name&per_page=25&page=6").content.decode()

    assert "Showing 126\N{EN DASH}150 of 1,034" in body
    links = dict(
        (re.sub(r"<[^>]+>|[^\w\s]", "", text).strip(), unescape(href))
        for href, text in re.findall(r'<a class="page-link" href="([^"]*)"[^>]*>(.*?)</a>', body)
    )
    assert links["First"] == "?q=Site&sort=-name&per_page=25&page=1"
    assert links["Prev"].endswith("&page=5") and links["Next"].endswith("&page=7")
    assert links["Last"] == "?q=Site&sort=-name&per_page=25&page=42"
    assert [name for name in links if name.isdigit()] == ["1", "4", "5", "7", "8", "42"]
    assert '<li class="page-item active" aria-current="page"><span class="page-link">6</span>' in body
    assert body.count('name="pk"') == 25
    # old URLs (page and per_page, or a page past the end) still work
    assert "Showing 1,026\N{EN DASH}1,034 of 1,034" in owner.get(f"{SITES}?per_page=25&page=999").content.decode()


def test_the_first_page_has_no_first_or_prev_and_one_page_no_links(org_a):
    _sites(org_a, 30)
    owner = org_a.client()

    first = owner.get(f"{SITES}?per_page=25").content.decode()
    single = owner.get(SITES).content.decode()

    assert "Showing 1\N{EN DASH}25 of 30" in first and "First" not in first and ">Next" in first
    assert "Showing 1\N{EN DASH}30 of 30" in single and 'class="page-link"' not in single


def test_the_page_size_menu_offers_the_sizes_and_keeps_the_query(org_a):
    body = org_a.client().get(f"{SITES}?status=active&per_page=100").content.decode()

    footer = body[body.index('id="wb-page-size"') - 600 :]
    assert re.findall(r'<option value="(\d+)"', footer)[:6] == ["25", "50", "100", "250", "500", "1000"]
    assert '<option value="100" selected>' in footer
    assert '<input type="hidden" name="status" value="active">' in footer


def test_a_changelog_tab_pages_as_a_list_does(org_a):
    owner = org_a.client()
    assert owner.post("/o/org-a/dcim/sites/add/", {"name": "AMS1", "slug": "ams1", "status": "active"}).status_code
    with tenant_context(org_a.organization):
        site = Site.objects.get(slug="ams1")
    for number in range(2, 8):
        edit = {"name": "AMS1", "slug": "ams1", "status": "active", "description": f"take {number}"}
        assert owner.post(f"/o/org-a/dcim/sites/{site.pk}/edit/", edit).status_code == 302

    body = owner.get(f"/o/org-a/dcim/sites/{site.pk}/changelog/?per_page=2&page=2").content.decode()

    assert "Showing 3\N{EN DASH}4 of 7" in body and "Page 2 of" not in body
    assert body.count('class="card mb-3 wb-change"') == 2
    links = dict(
        (re.sub(r"<[^>]+>|[^\w\s]", "", text).strip(), unescape(href))
        for href, text in re.findall(r'<a class="page-link" href="([^"]*)"[^>]*>(.*?)</a>', body)
    )
    assert links["First"] == "?per_page=2&page=1" and links["Last"] == "?per_page=2&page=4"
    assert '<option value="2" selected>2</option>' in body  # the size asked for, among the menu's


# -- per-row edit and delete -------------------------------------------------------------------


def _row_buttons(body: str) -> tuple[list[str], list[str]]:
    edits = [unescape(href) for href in re.findall(r'href="([^"]*)"[^>]*data-wb-row-edit', body)]
    deletes = [unescape(href) for href in re.findall(r'href="([^"]*)"[^>]*data-wb-row-delete', body)]
    return edits, deletes


def test_an_editor_gets_edit_and_delete_on_every_row_returning_to_the_list(org_a):
    sites = _sites(org_a, 3)
    editor, _ = _member(org_a, MembershipRole.EDITOR)

    body = editor.get(f"{SITES}?sort=name&q=Site").content.decode()

    edits, deletes = _row_buttons(body)
    back = "return_url=%2Fo%2Forg-a%2Fdcim%2Fsites%2F%3Fsort%3Dname%26q%3DSite"
    assert edits == [f"{SITES}{site.pk}/edit/?{back}" for site in sites]
    assert deletes == [f"{SITES}{site.pk}/delete/?{back}" for site in sites]
    assert 'aria-label="Edit site Site 0000"' in body


def test_a_viewer_gets_no_row_buttons(org_a):
    _sites(org_a, 3)
    viewer, _ = _member(org_a, MembershipRole.VIEWER)

    body = viewer.get(SITES).content.decode()

    assert _row_buttons(body) == ([], []) and "wb-row-actions" not in body


def test_object_permissions_decide_each_row_as_on_the_detail_page(org_a):
    # given a viewer who may change one site and delete none
    sites = _sites(org_a, 3)
    viewer, user = _member(org_a, MembershipRole.VIEWER)
    _grant(org_a, user, ["change"], {"name": "Site 0001"})

    edits, deletes = _row_buttons(viewer.get(SITES).content.decode())

    assert [url.split("?")[0] for url in edits] == [f"{SITES}{sites[1].pk}/edit/"]
    assert deletes == []
    # and the detail page agrees
    assert f"{SITES}{sites[1].pk}/edit/" in viewer.get(f"{SITES}{sites[1].pk}/").content.decode()
    assert f"{SITES}{sites[0].pk}/edit/" not in viewer.get(f"{SITES}{sites[0].pk}/").content.decode()


def _statements(client: Client, path: str) -> int:
    client.get(path)  # warm-up: what the base page caches per member
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_row_buttons_cost_no_statement_per_row(org_a):
    # given a member whose grant is constrained (their rows are checked in the database) and 300 sites
    _sites(org_a, 300)
    viewer, user = _member(org_a, MembershipRole.VIEWER)
    _grant(org_a, user, ["change", "delete"], {"name__startswith": "Site 00"})

    small = _statements(viewer, f"{SITES}?per_page=25")
    big = _statements(viewer, f"{SITES}?per_page=250")

    assert big == small
    edits, deletes = _row_buttons(viewer.get(f"{SITES}?per_page=250").content.decode())
    assert len(edits) == len(deletes) == 100  # Site 0000 … Site 0099


def test_deleting_from_a_row_returns_to_the_filtered_list(org_a):
    sites = _sites(org_a, 2)
    owner = org_a.client()
    back = f"{SITES}?q=Site&sort=-name"

    confirm = owner.get(f"{SITES}{sites[0].pk}/delete/", {"return_url": back}).content.decode()
    assert f'name="return_url" value="{back.replace("&", "&amp;")}"' in confirm
    done = owner.post(f"{SITES}{sites[0].pk}/delete/", {"return_url": back})

    assert done.status_code == 302 and done["Location"] == back
    with tenant_context(org_a.organization):
        assert not Site.objects.filter(pk=sites[0].pk).exists()


# -- column order ------------------------------------------------------------------------------


def _headers(client: Client) -> list[str]:
    return re.findall(r'<th scope="col" data-column="([^"]+)"', client.get(SITES).content.decode())


def test_chosen_columns_are_shown_and_remembered_in_the_order_posted(org_a):
    owner = org_a.client()

    owner.post(f"{SITES}table/", {"columns": ["status", "name", "region"]})

    assert _headers(owner) == ["status", "name", "region"]
    with tenant_context(org_a.organization):
        stored = UserPreference.objects.get(user_id=org_a.owner.pk, key="tables.inventory.site")
    assert stored.value["columns"] == ["status", "name", "region"]
    # the dialog lists the chosen columns first, in that order, each with its move buttons
    body = owner.get(SITES).content.decode()
    order = body[body.index('class="list-group mb-2 wb-column-order"') :]
    assert re.findall(r'<li class="list-group-item[^"]*" data-wb-column="([^"]+)"', order) == [
        "status",
        "name",
        "region",
    ]
    assert 'aria-label="Move Status down"' in body


def test_move_buttons_work_without_javascript(org_a):
    owner = org_a.client()
    columns = {"columns": ["name", "status", "region"]}

    owner.post(f"{SITES}table/", {**columns, "up": "region"})
    assert _headers(owner) == ["name", "region", "status"]
    owner.post(f"{SITES}table/", {"columns": ["name", "region", "status"], "down": "name"})
    assert _headers(owner) == ["region", "name", "status"]
    # at either end a move changes nothing, and an unknown column is ignored
    owner.post(f"{SITES}table/", {"columns": ["region", "name", "status"], "up": "region", "down": "password"})
    assert _headers(owner) == ["region", "name", "status"]


def test_column_order_is_per_member(org_a):
    owner = org_a.client()
    editor, _ = _member(org_a, MembershipRole.EDITOR)
    owner.post(f"{SITES}table/", {"columns": ["status", "name"]})

    assert _headers(editor)[:2] == ["name", "status"]
