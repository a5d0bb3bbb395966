"""Files an organization owns in Django's default storage (S3 in production, MEDIA_ROOT in development).

Every file of an organization lives under `organization_files_prefix`, and its backups under
`organization_backups_prefix` (a prefix of their own, so the bucket's lifecycle rules can age
them: infra/terraform/), so deleting the organization removes them all without knowing which
features wrote them.
"""

from collections.abc import Callable

from django.core.files.storage import Storage, default_storage
from django.db import transaction


def organization_files_prefix(organization_pk: int) -> str:
    return f"organizations/{int(organization_pk)}/"


def organization_backups_prefix(organization_pk: int) -> str:
    return f"backups/{int(organization_pk)}/"


def organization_files_delete(organization_pk: int) -> int:
    """Delete every file and backup under the organization's prefixes; returns how many were deleted."""
    return sum(
        _delete_tree(prefix(organization_pk).rstrip("/"))
        for prefix in (organization_files_prefix, organization_backups_prefix)
    )


def _delete_tree(path: str) -> int:
    try:
        directories, files = default_storage.listdir(path)
    except FileNotFoundError:  # local files; S3 lists an unknown prefix as empty
        return 0
    for name in files:
        default_storage.delete(f"{path}/{name}")
    deleted = len(files) + sum(_delete_tree(f"{path}/{name}") for name in directories)
    default_storage.delete(path)  # the directory, on local files; nothing on S3
    return deleted


def _deleter(names: list[str], storage: Storage | None) -> Callable[[], None] | None:
    """Deletes the files `names` from `storage` (the default storage); None when there are none."""
    storage = storage or default_storage
    kept = [name for name in names if name]

    def delete() -> None:
        for name in kept:
            storage.delete(name)

    return delete if kept else None


def files_delete_on_commit(names: list[str], *, storage: Storage | None = None) -> None:
    """Delete these stored files once the current transaction commits (a rollback keeps them: the rows
    pointing at them stay). The mirror of `files_delete_on_rollback`."""
    if (delete := _deleter(names, storage)) is not None:
        transaction.on_commit(delete)


def files_delete_on_rollback(names: list[str], *, storage: Storage | None = None) -> None:
    """Delete these stored files if the current transaction -- or the savepoint active now -- rolls back:
    files written for rows being written go when the rows do not come to be (tenants.db.base.on_rollback).
    Outside a transaction there is nothing to roll back: they stay."""
    if (delete := _deleter(names, storage)) is not None:
        transaction.get_connection().on_rollback(delete)
