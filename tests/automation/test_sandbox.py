"""The template sandbox refuses what it must and stops renders that run away, with a clear error."""

import pytest
from django.test import override_settings
from jinja2 import TemplateError

from automation.sandbox import TemplateLimit, template_render


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ ().__class__.__base__.__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ self._TemplateReference__context }}",
        "{{ data.items.__self__ }}",
        "{{ lipsum.__globals__['os'] }}",
        "{{ range.__globals__ }}",
        "{{ ''.format.__self__ }}",
        "{{ data.__class__ }}",
    ],
)
def test_attributes_outside_the_allow_list_are_undefined_or_refused(source):
    try:
        rendered = template_render(source, {"data": {"a": 1}})
    except TemplateError:
        return
    assert "class" not in rendered and "module" not in rendered and "function" not in rendered, rendered


def test_plain_data_reads_normally():
    source = (
        "{{ name|upper }} {{ items|join(',') }} {{ data.get('a') }} "
        "{% for k, v in data.items() %}{{ k }}={{ v }}{% endfor %}"
    )
    assert template_render(source, {"name": "sw1", "items": [1, 2], "data": {"a": 1}}) == "SW1 1,2 1 a=1"


def test_methods_outside_the_allow_list_are_refused():
    with pytest.raises(TemplateError):
        template_render("{{ data.update({'b': 2}) }}", {"data": {"a": 1}})
    with pytest.raises(TemplateError):
        template_render("{{ name.encode('utf-8') }}", {"name": "x"})


@override_settings(TEMPLATE_MAX_SECONDS=1)
def test_a_loop_that_makes_no_output_is_stopped_in_time():
    source = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}done"
    with pytest.raises(TemplateLimit, match="longer than 1 seconds"):
        template_render(source, {})


def test_recursion_is_stopped():
    source = "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}{{ down(0) }}"
    with pytest.raises(TemplateLimit, match="recursed too deeply"):
        template_render(source, {})


def test_recursive_loop_is_stopped():
    source = "{% for item in [1] recursive %}{{ loop([1]) }}{% endfor %}"
    with pytest.raises(TemplateLimit, match="recursed too deeply"):
        template_render(source, {})


@override_settings(TEMPLATE_MAX_OUTPUT=1000)
def test_huge_output_is_stopped():
    with pytest.raises(TemplateLimit, match="longer than 1000 characters"):
        template_render("{% for i in range(1000) %}0123456789{% endfor %}", {})


@override_settings(TEMPLATE_MAX_OUTPUT=1000)
@pytest.mark.parametrize(
    "source",
    [
        "{{ 'a' * 100000000000 }}",
        "{{ [1] * 100000000000 }}",
        "{{ 'a'|center(100000000000) }}",
        "{{ 'a'|indent(100000000000) }}",
        "{{ '%*s'|format(100000000000, 'a') }}",
        "{{ 2 ** 100000000 }}",
        "{{ range(100000000000)|list }}",
    ],
)
def test_values_too_big_to_make_are_refused(source):
    with pytest.raises(TemplateLimit):
        template_render(source, {})


def test_errors_inside_the_template_are_template_errors():
    with pytest.raises(TemplateError, match="ZeroDivisionError"):
        template_render("{{ 1 / 0 }}", {})
    with pytest.raises(TemplateError):
        template_render("{% if %}", {})
