"""Name patterns in create forms, as NetBox's: `Gi1/0/[1-48]` makes 48 objects, `[a,c-e]` a, c, d and e, several
brackets every combination (`Gi[1-2]/0/[1-24]`: 48). Numbers keep the width they are written with (`[01-12]`)."""

import re

from django.core.exceptions import ValidationError

# A bracket of items: `1-48`, `a-d`, `1,3,5-7`.
BRACKET = re.compile(r"\[((?:[a-zA-Z0-9]+[,-])+[a-zA-Z0-9]+)\]")
MAX_EXPANSION = 1000


def _items(text: str) -> list[str]:
    items: list[str] = []
    for part in text.split(","):
        if "-" not in part:
            items.append(part)
            continue
        first, _, last = part.partition("-")
        if "-" in last or not first or not last:
            raise ValidationError(f'Range "{part}" is invalid.')
        if first.isdigit() and last.isdigit():
            if int(first) >= int(last):
                raise ValidationError(
                    f"Invalid range: Ending value ({last}) must be greater than beginning value ({first})."
                )
            width = len(first) if first.startswith("0") else 0
            items += [str(number).zfill(width) for number in range(int(first), int(last) + 1)]
        elif len(first) == len(last) == 1 and first.isalpha() and last.isalpha() and first < last:
            if first.islower() != last.islower():
                raise ValidationError(f'Range "{part}" is invalid.')
            items += [chr(code) for code in range(ord(first), ord(last) + 1)]
        else:
            raise ValidationError(f'Range "{part}" is invalid.')
    return items


def expand(pattern: str) -> list[str]:
    """Every value `pattern` stands for (itself when it has no bracket); ValidationError for a bad range or more
    than MAX_EXPANSION values."""
    values = [""]
    position = 0
    for match in BRACKET.finditer(pattern):
        lead = pattern[position : match.start()]
        values = [value + lead + item for value in values for item in _items(match[1])]
        if len(values) > MAX_EXPANSION:
            raise ValidationError(f"A pattern may make at most {MAX_EXPANSION} values.")
        position = match.end()
    return [value + pattern[position:] for value in values]


def has_pattern(value) -> bool:
    return isinstance(value, str) and BRACKET.search(value) is not None
