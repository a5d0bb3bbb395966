"""Custom scripts in a real browser, with a real Celery worker: an owner uploads a module, opens its
script's Run tab (a form made from its variables), runs it, and reads the job's log."""

import textwrap

from playwright.sync_api import expect

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
