"""Ansible's `netbox.netbox` collection against a live Wirebook organization: the organization and DCIM
modules of cases.py through their life, in one playbook (test_ansible.py runs the other modules, so
the suite's two workers run the two playbooks side by side)."""

import pytest

from tests.compat.ansible.cases import DCIM
from tests.compat.ansible.playbook import assert_every_module_is_idempotent

pytestmark = pytest.mark.slow_file(150)


def test_organization_and_dcim_modules_are_idempotent_through_create_update_and_delete(compat, tmp_path):
    assert_every_module_is_idempotent(DCIM, compat, tmp_path)
