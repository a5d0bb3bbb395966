"""One speed-up of Django's ORM that every list relies on.

Django compares the expressions of a statement by their `identity`, which it builds by binding the
constructor's arguments with `inspect` (~25 µs each). Compiling an ordered statement hashes every selected
column once (`SQLCompiler._order_by_pairs`), and a list joining its related objects selects hundreds of them:
a page of 50 devices (~450 columns) spent ~10 ms there, a third of its compilation. A column's identity is
its class, table alias, field and output field (the same tuple Django derives, without `inspect`);
Django's ticket #34631 proposed the same.
"""

from django.db.models.expressions import Col


def _field_identity(field):
    """How Django's `Expression._identity` names a field: by model label and name when it has both."""
    if getattr(field, "name", None) and getattr(field, "model", None) is not None:
        return field.model._meta.label, field.name
    return type(field)


def _column_identity(self: Col) -> tuple:
    identity = self.__dict__.get("_wb_identity")
    if identity is None:
        args, kwargs = self._constructor_args  # type: ignore[attr-defined]  # set by @deconstructible
        output_field = kwargs.get("output_field", args[2] if len(args) > 2 else None)
        identity = (
            type(self),
            ("alias", self.alias),
            ("target", _field_identity(self.target)),
            ("output_field", None if output_field is None else _field_identity(output_field)),
        )
        self.__dict__["_wb_identity"] = identity
    return identity


def install() -> None:
    """Give `Col` its cheap identity (`core.apps.CoreConfig.ready`)."""
    Col.identity = property(_column_identity)  # type: ignore[assignment, method-assign]  # replaces a cached_property
