"""Paginated pages (lists, change logs, rack elevations, connections, the audit log): the page size asked for,
the page, and what `frontend/generic/_list_pagination.html` shows under it."""

from django.core.paginator import Paginator
from django.http import QueryDict

PER_PAGE_CHOICES = (25, 50, 100, 250, 500, 1000)
DEFAULT_PER_PAGE = 50


def per_page(params: QueryDict, preference: dict) -> int:
    try:
        value = int(params.get("per_page") or preference.get("per_page") or DEFAULT_PER_PAGE)
    except ValueError:
        value = DEFAULT_PER_PAGE
    return max(1, min(value, PER_PAGE_CHOICES[-1]))


def paginate(queryset, params: QueryDict, size: int):
    paginator = Paginator(queryset, size)
    return paginator.get_page(params.get("page"))


# Pages linked on each side of the current one, and at each end, before an ellipsis takes over.
PAGES_AROUND = 2
PAGES_AT_ENDS = 1


def page_numbers(current: int, last: int) -> list[int | None]:
    """The page links to offer: `1 … 4 5 [6] 7 8 … 42` is `[1, None, 4, 5, 6, 7, 8, None, 42]`.
    An ellipsis never hides a single page (`1 2 3 4 5`, not `1 … 3 4 5`)."""
    shown = {
        *range(1, min(PAGES_AT_ENDS, last) + 1),
        *range(max(1, current - PAGES_AROUND), min(last, current + PAGES_AROUND) + 1),
        *range(max(1, last - PAGES_AT_ENDS + 1), last + 1),
    }
    numbers: list[int | None] = []
    previous = 0
    for number in sorted(shown):
        if number - previous == 2:
            numbers.append(previous + 1)
        elif number - previous > 2:
            numbers.append(None)
        numbers.append(number)
        previous = number
    return numbers


def footer(page, params: QueryDict, size: int) -> dict:
    """What `_list_pagination.html` shows under a paginated list: "Showing a-b of n", the page numbers
    with First/Prev/Next/Last, and the per-page menu (with the page's own size among its choices), its
    links keeping the list's other parameters."""
    query = params.copy()
    query.pop("page", None)
    return {
        "page_obj": page,
        "page_numbers": page_numbers(page.number, page.paginator.num_pages),
        "showing": showing(page),
        "total": page.paginator.count,
        "per_page": size,
        "per_page_choices": sorted({*PER_PAGE_CHOICES, size}),
        "page_query": query.urlencode(),
    }


def showing(page) -> str:
    """ "Showing 126-150 of 1,034" (an en dash) for a page of a paginator; nothing for an empty list."""
    if not page.paginator.count:
        return ""
    return f"Showing {page.start_index():,}\N{EN DASH}{page.end_index():,} of {page.paginator.count:,}"
