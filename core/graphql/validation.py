"""Guards checked before a query runs: nesting depth, number of aliases, cost, list arguments.

The depth and alias messages are the ones NetBox's GraphQL (Strawberry's limiters) gives, so
clients see the same errors: "'<operation>' exceeds maximum operation depth of 10", "11 aliases
found. Allowed: 10". Depth alone does not bound the work (issue #9:
`{tenant_list{sites{tenant{sites{tenant{sites{id}}}}}}}` is only 6 deep), so the cost rule
estimates how many objects a query may return, and list-valued arguments (`in_list: [...]`) are
capped. Written to survive any document: unknown or cyclic fragments are left to graphql-core's
own rules to report.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from graphql import (
    ExecutableDefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

from core.api.endpoints import MAX_PAGE_SIZE
from core.graphql.types import type_name
from core.registry import registry

MAX_DEPTH = 10  # NetBox leaves it unlimited by default; its N+1 history says a bound is wise
MAX_ALIASES = 10  # NetBox's GRAPHQL_MAX_ALIASES default


def _fragments(context: ValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {
        definition.name.value: definition
        for definition in context.document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


class QueryDepthRule(ValidationRule):
    def __init__(self, context: ValidationContext):
        super().__init__(context)
        self.limit = MAX_DEPTH
        self.fragments = _fragments(context)
        self.memo: dict[tuple[str, int], FieldNode | None] = {}
        for definition in context.document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            name = definition.name.value if definition.name else "anonymous"
            deepest = self._deepest(definition.selection_set, 0, frozenset())
            if deepest is not None:
                context.report_error(GraphQLError(f"'{name}' exceeds maximum operation depth of {self.limit}", deepest))

    def _deepest(self, selection_set, depth: int, seen: frozenset[str]) -> FieldNode | None:
        """The first field nested deeper than the limit, or None."""
        if selection_set is None:
            return None
        for selection in selection_set.selections:
            found = None
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):  # introspection is not counted
                    continue
                if depth > self.limit:
                    return selection
                found = self._deepest(selection.selection_set, depth + 1, seen)
            elif isinstance(selection, InlineFragmentNode):
                found = self._deepest(selection.selection_set, depth, seen)
            elif isinstance(selection, FragmentSpreadNode):
                found = self._spread(selection.name.value, depth, seen)
            if found is not None:
                return found
        return None

    def _spread(self, name: str, depth: int, seen: frozenset[str]) -> FieldNode | None:
        if name not in self.fragments or name in seen:  # unknown or cyclic: graphql-core reports it
            return None
        if (name, depth) not in self.memo:
            self.memo[(name, depth)] = self._deepest(self.fragments[name].selection_set, depth, seen | {name})
        return self.memo[(name, depth)]


class MaxAliasesRule(ValidationRule):
    def __init__(self, context: ValidationContext):
        super().__init__(context)
        limit = MAX_ALIASES
        total = sum(
            self._aliases(definition.selection_set)
            for definition in context.document.definitions
            if isinstance(definition, ExecutableDefinitionNode)
        )
        if total > limit:
            context.report_error(GraphQLError(f"{total} aliases found. Allowed: {limit}"))

    def _aliases(self, selection_set) -> int:
        if selection_set is None:
            return 0
        count = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode) and selection.alias:
                count += 1
            if isinstance(selection, FieldNode | InlineFragmentNode):
                count += self._aliases(selection.selection_set)
        return count


def page_size(pagination: Any) -> int:
    """How many objects a list returns at most with these `pagination` arguments (as
    core.graphql.schema.paginate applies them)."""
    limit = pagination.get("limit") if isinstance(pagination, Mapping) else None
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0 or limit > MAX_PAGE_SIZE:
        return MAX_PAGE_SIZE
    return limit


def _literal(node: Any, variables: Mapping[str, Any]) -> Any:
    """A literal argument value as Python data, variables substituted (unknown parts are None)."""
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, ObjectValueNode):
        return {field.name.value: _literal(field.value, variables) for field in node.fields}
    if isinstance(node, IntValueNode):
        try:
            return int(node.value)
        except ValueError:
            return None
    if isinstance(node, NullValueNode) or node is None:
        return None
    return getattr(node, "value", None)


def cost_rule(variables: Mapping[str, Any] | None) -> type[ValidationRule]:
    """The cost rule for one request (its variables can set page sizes).

    A query's cost is the number of objects it may return: each object field counts 1 plus what
    it selects, each list field its page size (`pagination: {limit}`, else MAX_PAGE_SIZE) times
    that. Scalars and introspection cost nothing.
    """
    values = variables if isinstance(variables, Mapping) else {}

    class QueryCostRule(ValidationRule):
        def __init__(self, context: ValidationContext):
            super().__init__(context)
            self.limit = settings.WIREBOOK_GRAPHQL_MAX_COST
            self.fragments = _fragments(context)
            self.memo: dict[str, int] = {}
            for definition in context.document.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                root = context.schema.get_root_type(definition.operation)
                cost = self._cost(definition.selection_set, root, frozenset())
                if cost > self.limit:
                    name = definition.name.value if definition.name else "anonymous"
                    context.report_error(
                        GraphQLError(
                            f"'{name}' may return up to {cost} objects, more than the {self.limit} allowed: each "
                            f"list counts its page size (pagination: {{limit: …}}, at most {MAX_PAGE_SIZE}) times "
                            "what it selects.",
                            definition,
                        )
                    )

        def _cost(self, selection_set, parent_type, seen: frozenset[str]) -> int:
            if selection_set is None or parent_type is None:
                return 0
            total = 0
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    total += self._field_cost(selection, parent_type, seen)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    fragment_type = self.context.schema.get_type(condition.name.value) if condition else parent_type
                    total += self._cost(selection.selection_set, fragment_type, seen)
                elif isinstance(selection, FragmentSpreadNode):
                    total += self._spread(selection.name.value, seen)
            return total

        def _field_cost(self, node: FieldNode, parent_type, seen: frozenset[str]) -> int:
            fields = getattr(parent_type, "fields", None)
            definition = fields.get(node.name.value) if fields and not node.name.value.startswith("__") else None
            if definition is None or node.selection_set is None:
                return 0  # scalars, introspection, unknown fields (graphql-core reports those)
            each = 1 + self._cost(node.selection_set, get_named_type(definition.type), seen)
            if not is_list_type(get_nullable_type(definition.type)):
                return each
            pagination = next((a.value for a in node.arguments or () if a.name.value == "pagination"), None)
            return page_size(_literal(pagination, values)) * each

        def _spread(self, name: str, seen: frozenset[str]) -> int:
            fragment = self.fragments.get(name)
            if fragment is None or name in seen:  # unknown or cyclic: graphql-core reports it
                return 0
            if name not in self.memo:
                fragment_type = self.context.schema.get_type(fragment.type_condition.name.value)
                self.memo[name] = self._cost(fragment.selection_set, fragment_type, seen | {name})
            return self.memo[name]

    return QueryCostRule


def _longest_list(value: Any) -> int:
    """The length of the longest list anywhere in a variable's value (walked without recursion)."""
    longest, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            longest = max(longest, len(item))
            stack.extend(item)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
    return longest


def list_argument_rule(variables: Mapping[str, Any] | None) -> type[ValidationRule]:
    """Lists given as arguments (`id: {in_list: [...]}`), in the document or in variables, hold at
    most WIREBOOK_GRAPHQL_MAX_LIST_ARGUMENT values."""
    values = variables if isinstance(variables, Mapping) else {}

    class ListArgumentRule(ValidationRule):
        def __init__(self, context: ValidationContext):
            super().__init__(context)
            self.limit = settings.WIREBOOK_GRAPHQL_MAX_LIST_ARGUMENT
            for name, value in values.items():
                if (length := _longest_list(value)) > self.limit:
                    self._refuse(f"Variable '${name}' holds a list of {length} values", None)

        def enter_list_value(self, node: ListValueNode, *args):
            if len(node.values) > self.limit:
                self._refuse(f"A list argument of {len(node.values)} values", node)

        def _refuse(self, what: str, node) -> None:
            self.context.report_error(GraphQLError(f"{what}; at most {self.limit} are allowed.", node))

    return ListArgumentRule


class HiddenPluginFieldsRule(ValidationRule):
    """A plugin's fields and types where the organization has not enabled it (core.plugins): refused
    with graphql-core's own message for a field the schema does not have. The schema is built once for
    every organization, so this rule is what takes them out of this organization's."""

    def __init__(self, context: ValidationContext):
        super().__init__(context)
        plugins = registry.hidden_plugins()
        self.hidden = (
            {type_name(spec.model) for spec in registry.installed() if spec.plugin in plugins} if plugins else set()
        )

    def enter_field(self, node: FieldNode, *args: Any) -> Any:
        if not self.hidden:
            return None
        parent = self.context.get_parent_type()
        definition = self.context.get_field_def()
        if parent is None or definition is None:
            return None  # an unknown field: graphql-core's rules report it
        if parent.name in self.hidden or get_named_type(definition.type).name in self.hidden:
            self.report_error(GraphQLError(f"Cannot query field '{node.name.value}' on type '{parent.name}'.", node))
            return self.SKIP
        return None
