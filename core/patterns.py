"""Regular expressions that users write, evaluated in linear time (RE2), never by Python's `re`.

Python's backtracking engine takes exponential time on patterns such as `^(a+)+$` (one
organization's custom field could hold a worker's CPU, and the GIL, for minutes). RE2 matches in
time linear in the input, at the price of refusing what needs backtracking: backreferences
(`\\1`), lookarounds (`(?=…)`, `(?<!…)`), possessive and atomic groups. Such patterns are refused
when they are defined (`PatternError`), so every stored pattern can be evaluated.

Every user-supplied pattern that runs in Python goes through this module (a test checks that
`validation_regex` is evaluated nowhere else). Matching keeps Python's `re.match` semantics, as
NetBox's: anchored at the start of the value, not at its end (`$` or `\\z` anchor the end).
Python's `\\Z` (end of text) is accepted and read as RE2's `\\z`. One difference remains: `$`
matches only at the very end, not before a final newline as in Python.
"""

import functools

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is the user's error, not a log line
_PYTHON_END = "\\Z"


class PatternError(ValueError):
    """The pattern is not a regular expression RE2 can evaluate; `str()` says why."""


def _re2_syntax(pattern: str) -> str:
    """Python's `\\Z` as RE2's `\\z`; every other escape as it is."""
    if _PYTHON_END not in pattern:
        return pattern
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            out.append("\\z" if escaped == "Z" else char + escaped)
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


@functools.lru_cache(maxsize=512)
def compile_user_pattern(pattern: str):
    """The compiled pattern (cached), or PatternError when RE2 cannot evaluate it."""
    if not isinstance(pattern, str):
        raise PatternError("A regular expression must be text.")
    try:
        return re2.compile(_re2_syntax(pattern), _OPTIONS)
    except re2.error as error:
        reason = error.args[0] if error.args else ""
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(str(reason) or "invalid regular expression") from None


def user_pattern_match(pattern: str, value: str) -> bool:
    """Whether `value` matches `pattern` at its start (Python's `re.match`), in linear time."""
    return compile_user_pattern(pattern).match(value) is not None


def user_pattern_replace(pattern: str, replacement: str, value: str) -> str:
    """`value` with every match of `pattern` replaced (`\\1` for a group), in linear time."""
    return compile_user_pattern(pattern).sub(replacement, value)
