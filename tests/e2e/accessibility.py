"""Accessibility checks of the browser tests: axe-core (vendored from npm under tests/e2e/vendor/, for the
tests only) run in the page as it is, after its own scripts.

`serious_violations(page)` is what a test asserts empty: axe's violations of impact "serious" or
"critical", each as one readable line. axe is evaluated through the DevTools protocol, which the
page's Content-Security-Policy does not apply to: the page itself loads nothing new."""

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
RUN = """async ({context, options}) => {
  const result = await window.axe.run(context, options);
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map((node) => node.target.join(" ")),
  }));
}"""


@cache
def _axe_source() -> str:
    return AXE.read_text()


def violations(page: Page, *, exclude: tuple[str, ...] = ()) -> list[dict]:
    """axe's violations on the page (WCAG 2.1 A and AA and axe's best practices), leaving out the
    elements matched by the CSS selectors of `exclude`."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
    context = {"exclude": [[selector] for selector in exclude]}
    return page.evaluate(RUN, {"context": context, "options": options})


def serious_violations(page: Page, *, exclude: tuple[str, ...] = ()) -> list[str]:
    return [
        f"{page.url}: {found['impact']} {found['id']} ({found['help']}): {', '.join(found['targets'])}"
        for found in violations(page, exclude=exclude)
        if found["impact"] in SERIOUS
    ]
