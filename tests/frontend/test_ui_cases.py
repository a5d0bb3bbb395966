"""The generic UI cases (tests/ui_cases.py) for every registered model, from its API case's data."""

from core.registry import registry
from tests.ui_cases import UICase, api_cases

API_CASES = api_cases()

for _case in API_CASES.values():
    _name = f"Test{_case.model.__name__}UI"
    globals()[_name] = type(_name, (UICase,), {"api_case": _case, "__module__": __name__})


def test_every_registered_model_has_ui_cases():
    missing = [spec.label for spec in registry if spec.model not in API_CASES]
    assert not missing, f"registered models without data for the UI cases: {missing}"
    generated = {cls.api_case.model for cls in UICase.__subclasses__()}
    assert generated == {spec.model for spec in registry}
