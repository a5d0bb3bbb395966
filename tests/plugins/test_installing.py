"""Installing plugins: WIREBOOK_PLUGINS is checked at startup with a clear error (no database needed)."""

import textwrap
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tenants.plugins import plugin_apps, plugin_config
from tests.saas_platform.test_settings import start_django

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "plugins" / "wirebook-example-plugin"


def _package(root: Path, name: str, body: str) -> None:
    (root / name).mkdir()
    (root / name / "__init__.py").write_text(textwrap.dedent(body))


PLUGIN = """
    from tenants.plugins import PluginConfig

    class Config(PluginConfig):
        name = "{name}"
        label = "{label}"
        verbose_name = "Example"
        version = "1.0"
        min_version = "{min_version}"

    config = Config
"""


@pytest.fixture
def packages(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    _package(tmp_path, "not_a_plugin", "VALUE = 1\n")
    _package(tmp_path, "future_plugin", PLUGIN.format(name="future_plugin", label="future", min_version="99.0"))
    _package(tmp_path, "twin_one", PLUGIN.format(name="twin_one", label="twin", min_version="0.1"))
    _package(tmp_path, "twin_two", PLUGIN.format(name="twin_two", label="twin", min_version="0.1"))
    _package(tmp_path, "odd_label", PLUGIN.format(name="odd_label", label="Odd-Label", min_version="0.1"))
    return tmp_path


@pytest.mark.parametrize(
    ("packages_named", "message"),
    [
        (["no_such_plugin_package"], "names 'no_such_plugin_package', which is not installed"),
        (["not_a_plugin"], "which is not a Wirebook plugin: its package must set `config`"),
        (["future_plugin"], "needs Wirebook 99.0; this is Wirebook 0.1.0"),
        (["twin_one", "twin_two"], "'twin_two' and 'twin_one' are both named 'twin'"),
        (["odd_label"], "its label 'Odd-Label' must be lowercase letters"),
    ],
)
def test_a_bad_plugin_is_refused_with_what_is_wrong(packages, packages_named, message):
    with pytest.raises(ImproperlyConfigured, match="WIREBOOK_PLUGINS") as refused:
        plugin_apps(packages_named, "0.1.0")

    assert message in str(refused.value)


def test_a_plugin_becomes_an_app_config_entry(packages):
    assert plugin_apps(["twin_one"], "0.1.0") == ["twin_one.Config"]
    assert plugin_config("twin_one", "0.1.0").label == "twin"


def test_wirebook_refuses_to_start_with_a_bad_plugin_setting():
    result = start_django(WIREBOOK_PLUGINS="wirebook_maintenance,no_such_plugin_package", PYTHONPATH=str(EXAMPLE))

    assert result.returncode != 0
    assert (
        "django.core.exceptions.ImproperlyConfigured: WIREBOOK_PLUGINS names 'no_such_plugin_package', "
        "which is not installed" in result.stderr
    )


def test_wirebook_starts_with_the_example_plugin():
    code = "import django; django.setup(); from core.registry import registry; print(registry.find_path("
    code += "'plugins/maintenance/maintenance-windows').plugin)"

    result = start_django(code, WIREBOOK_PLUGINS="wirebook_maintenance", PYTHONPATH=str(EXAMPLE))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "maintenance"


def test_the_suite_runs_without_plugins():
    """The suite's settings install none: its provisioning fingerprint and migrations stay Wirebook's."""
    from django.conf import settings

    assert settings.WIREBOOK_PLUGINS == []
    assert not any("maintenance" in app for app in settings.INSTALLED_APPS)
