"""A web process hides what it loaded from the garbage collector and collects young objects in
large batches (saas_platform.gc_tuning)."""

import gc
import sys
import weakref

import pytest

from saas_platform import gc_tuning


@pytest.fixture
def restored_collector():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_collector")
def test_after_loading_the_views_are_imported_and_frozen_and_young_collections_are_rarer():
    gc.unfreeze()

    gc_tuning.tune_after_loading()

    assert "frontend.tenant_urls" in sys.modules
    assert gc.get_freeze_count() > 10_000  # Django, the models, the API schemas
    assert gc.get_threshold()[0] == gc_tuning.YOUNG_THRESHOLD


@pytest.mark.usefixtures("restored_collector")
def test_cycles_left_by_a_request_are_still_collected():
    gc_tuning.tune_after_loading()

    class Node:
        pass

    node = Node()
    node.self = node
    ref = weakref.ref(node)
    del node
    gc.collect()

    assert ref() is None
