"""The organization's settings pages in a real browser: every one has the same settings tabs, and
none scrolls sideways at phone width (tables scroll inside their own box)."""

from playwright.sync_api import expect

from tenants.audit import audit_record
from tenants.models import AuditAction
from tests.e2e.harness import login

# What sticks out of the window, for the failure message.
TOO_WIDE = """Array.from(document.querySelectorAll('main *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.closest('.settings-nav, .table-responsive'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.id || ''))"""


def too_wide(page) -> list[str]:
    return page.evaluate(TOO_WIDE)


TABS = ("General", "Members", "Audit log", "API tokens", "SSO", "Billing", "Danger zone")


def test_every_settings_page_has_the_tabs_and_fits_a_phone(page, accounts, shot):
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Settings Lab")
    audit_record(
        organization=organization,
        action=AuditAction.MEMBERSHIP_ROLE_CHANGED,
        actor=owner,
        target="a-very-long-address-of-someone-in-the-team@engineering.example.com",
        data={"from": "viewer", "to": "editor", "note": "x" * 120},
    )
    login(page, owner.email)
    page.set_viewport_size({"width": 390, "height": 844})
    base = f"/o/{organization.slug}/settings/"
    for path, active in (
        ("", "General"),
        ("members/", "Members"),
        ("audit/", "Audit log"),
        ("tokens/", "API tokens"),
        ("sso/", "SSO"),
        ("billing/", "Billing"),
        ("danger/", "Danger zone"),
    ):
        page.goto(base + path)
        tabs = page.locator(".settings-nav")
        for label in TABS:
            expect(tabs.get_by_role("link", name=label, exact=True)).to_have_count(1)
        expect(tabs.locator('[aria-current="page"]')).to_have_text(active)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (path, too_wide(page))
        shot(page, active)
