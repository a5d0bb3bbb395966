"""Custom scripts in a real browser, with a real Celery worker: an owner uploads a module, opens its
script's Run tab (a form made from its variables), runs it, and reads the job's log; an object variable
is a picker that searches the REST API, so any object can be chosen."""

import textwrap

from playwright.sync_api import expect

from automation.models import Job, Script, ScriptModule
from inventory.models import Site
from tenants.context import tenant_context
from tests.e2e.harness import field, login

SOURCE = textwrap.dedent(
    """
    from extras.scripts import Script, StringVar


    class Greet(Script):
        class Meta:
            name = "Greet a site"
            description = "Says hello"

        site_name = StringVar(description="Who to greet")

        def run(self, data, commit):
            self.log_success(f"Hello {data['site_name']}")
            return "greeted"
    """
)


def test_an_owner_uploads_a_module_runs_its_script_and_reads_the_log(page, accounts, worker, shot, tmp_path):
    # given an owner of an organization and a module on their disk
    owner = accounts.user()
    slug = accounts.organization(owner=owner, name="Script Lab").slug
    module = tmp_path / "greetings.py"
    module.write_text(SOURCE)
    login(page, owner.email)

    # when they upload it
    page.goto(f"/o/{slug}/extras/scripts/upload/add/")
    page.locator("input[type=file][name=file]").set_input_files(str(module))
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="greetings")).to_be_visible()
    scripts = page.locator("[data-scripts]")
    expect(scripts).to_contain_text("Greet a site")
    shot(page, "module")

    # and run its script from the form its variables make
    scripts.get_by_role("link", name="Run").click()
    expect(page.locator("[data-script-form]")).to_be_visible()
    field(page, "Site name").fill("AMS1")
    page.get_by_label("Commit changes").check()
    page.get_by_role("button", name="Run script").click()
    queued = page.locator("[data-queued]")
    expect(queued).to_be_visible()
    queued.get_by_role("link").click()

    # then the job's page shows the script's log once the worker has run it
    log = page.locator("[data-script-log]")
    for _ in range(60):
        if log.count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(log).to_contain_text("Hello AMS1")
    expect(page.locator("[data-script-output]")).to_have_text("greeted")
    shot(page, "log")


def test_the_run_form_picks_any_object_by_searching_the_api(page, accounts, shot):
    # given a script with an object variable, and more sites than a page could list
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Picker Scripts")
    with tenant_context(organization):
        Site.objects.bulk_create(Site(name=f"Site {n:04}", slug=f"site-{n:04}") for n in range(600))
        far = Site.objects.create(name="Zanzibar", slug="zanzibar")
        module = ScriptModule.objects.create(file_path="sites.py", source="# described below")
        script = Script.objects.create(
            module=module,
            class_name="Touch",
            name="Touch a site",
            vars={"site": {"type": "object", "class": "ObjectVar", "model": "dcim/sites", "required": True}},
        )
    login(page, owner.email)
    page.goto(f"/o/{organization.slug}/extras/scripts/{script.pk}/run/")

    # when they search the site picker for the last site and choose it
    box = page.get_by_role("combobox", name="Site")  # labelled "Site *": required
    box.click()
    box.fill("Zanz")
    offered = page.locator("#var-site-ts-dropdown [role=option]")
    expect(offered).to_have_text(["Zanzibar"])
    box.press("Enter")
    shot(page, "picked")
    page.get_by_role("button", name="Run script").click()

    # then the run is queued with that site
    expect(page.locator("[data-queued]")).to_be_visible()
    with tenant_context(organization):
        assert Job.objects.get().arguments["data"]["site"] == far.pk
