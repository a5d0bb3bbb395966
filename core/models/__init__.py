from core.models.base import BaseModel, ChangeLoggedModel, NestedGroupModel, OrganizationalModel, PrimaryModel
from core.models.changes import ObjectChange, ObjectChangeAction
from core.models.permissions import ObjectPermission
from core.models.tags import Tag, TaggedItem

__all__ = [
    "BaseModel",
    "ChangeLoggedModel",
    "NestedGroupModel",
    "ObjectChange",
    "ObjectChangeAction",
    "ObjectPermission",
    "OrganizationalModel",
    "PrimaryModel",
    "Tag",
    "TaggedItem",
]
