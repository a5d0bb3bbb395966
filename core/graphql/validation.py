"""Guards checked before a query runs: nesting depth and number of aliases.

The messages are the ones NetBox's GraphQL (Strawberry's limiters) gives, so clients see the same
errors: "'<operation>' exceeds maximum operation depth of 10", "11 aliases found. Allowed: 10".
Written to survive any document: unknown or cyclic fragments are left to graphql-core's own
rules to report.
"""

from graphql import (
    ExecutableDefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
)

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
