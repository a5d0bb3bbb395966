"""The order xdist hands the suite's files out in (tests/conftest.py, docs/development.md): long files first."""

from dataclasses import dataclass

import pytest

from tests.conftest import longest_files_first


@dataclass
class FakeItem:
    nodeid: str
    seconds: float | None = None
    first: bool = False

    def get_closest_marker(self, name):
        if name == "first_file":
            return pytest.mark.first_file.mark if self.first else None
        assert name == "slow_file"
        return pytest.mark.slow_file(self.seconds).mark if self.seconds else None


def test_marked_files_go_first_longest_first_then_the_others_by_number_of_tests():
    items = [
        FakeItem("tests/a.py::one"),
        FakeItem("tests/f.py::one", first=True),
        FakeItem("tests/b.py::one"),
        FakeItem("tests/b.py::two"),
        FakeItem("tests/c.py::one", 30),
        FakeItem("tests/c.py::two", 30),
        FakeItem("tests/d.py::Case::one", 200),
        FakeItem("tests/e.py::one"),
    ]

    ordered = [item.nodeid for item in longest_files_first(items)]

    assert ordered == [
        "tests/f.py::one",
        "tests/d.py::Case::one",
        "tests/c.py::one",
        "tests/c.py::two",
        "tests/b.py::one",
        "tests/b.py::two",
        "tests/a.py::one",
        "tests/e.py::one",
    ]


def test_xdist_keeps_the_collection_order(request):
    assert request.config.option.loadscopereorder is False
