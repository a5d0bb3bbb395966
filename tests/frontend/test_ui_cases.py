"""The generic UI cases (tests/ui_cases.py) for every registered model, from its API case's data."""

import importlib

from core.registry import registry
from tests.api_cases import APICase
from tests.ui_cases import UICase

for module in (
    "tests.core.test_api_cases",
    "tests.inventory.test_api_cases",
    "tests.addressing.test_api_cases",
    "tests.circuits.test_api_cases",
    "tests.automation.test_api_cases",
    "tests.automation.test_notifications_api",
    "tests.automation.test_scripts_api",
    "tests.inventory.test_device_api_cases",
    "tests.inventory.test_virtualization_api_cases",
    "tests.inventory.test_wireless_api_cases",
    "tests.addressing.test_vpn_api_cases",
):
    importlib.import_module(module)

API_CASES = {case.model: case for case in APICase.__subclasses__()}

for _case in API_CASES.values():
    _name = f"Test{_case.model.__name__}UI"
    globals()[_name] = type(_name, (UICase,), {"api_case": _case, "__module__": __name__})


def test_every_registered_model_has_ui_cases():
    missing = [spec.label for spec in registry if spec.model not in API_CASES]
    assert not missing, f"registered models without data for the UI cases: {missing}"
    generated = {cls.api_case.model for cls in UICase.__subclasses__()}
    assert generated == {spec.model for spec in registry}
