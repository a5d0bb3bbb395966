"""Exports another app offers on every list, by name (automation's export templates): REST's
`?export=<name>` and the UI list's export menu. core knows no export template; the app registers here."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse


class ExportUnavailable(Exception):
    """The named export cannot answer: `status` 404 (no such export for this list) or 400 (it failed)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ListExporter:
    # (name, label) of the exports `actor` may use on the list of `spec`.
    offered: Callable[[Any, Any], list[tuple[str, str]]]
    # The file for `name` over `queryset` (the list's filtered rows the actor may view); ExportUnavailable.
    respond: Callable[[Any, Any, Any, str], HttpResponse]


_exporters: list[ListExporter] = []


def list_exporter_register(exporter: ListExporter) -> None:
    _exporters.append(exporter)


def list_exporter() -> ListExporter | None:
    return _exporters[0] if _exporters else None
