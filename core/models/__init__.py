from core.models.base import (
    BaseModel,
    ChangeLoggedModel,
    NestedGroupModel,
    OrganizationalModel,
    OwnerMixin,
    PrimaryModel,
)
from core.models.changes import ObjectChange, ObjectChangeAction
from core.models.customfields import (
    CustomField,
    CustomFieldChoiceColor,
    CustomFieldChoiceSet,
    CustomFieldFilterLogic,
    CustomFieldStatus,
    CustomFieldType,
    CustomFieldUIEditable,
    CustomFieldUIVisible,
)
from core.models.images import ImageAttachment, ImageAttachmentsMixin
from core.models.journal import JournalEntry, JournalEntryKind
from core.models.netbox_import import NetBoxImportRecord
from core.models.owners import Owner, OwnerGroup
from core.models.permissions import ObjectPermission
from core.models.preferences import UserPreference
from core.models.savedfilters import SavedFilter
from core.models.search import SearchEntry
from core.models.tags import Tag, TaggedItem

__all__ = [
    "BaseModel",
    "ChangeLoggedModel",
    "CustomField",
    "CustomFieldChoiceColor",
    "CustomFieldChoiceSet",
    "CustomFieldFilterLogic",
    "CustomFieldStatus",
    "CustomFieldType",
    "CustomFieldUIEditable",
    "CustomFieldUIVisible",
    "ImageAttachment",
    "ImageAttachmentsMixin",
    "JournalEntry",
    "JournalEntryKind",
    "NestedGroupModel",
    "NetBoxImportRecord",
    "ObjectChange",
    "ObjectChangeAction",
    "ObjectPermission",
    "OrganizationalModel",
    "Owner",
    "OwnerGroup",
    "OwnerMixin",
    "PrimaryModel",
    "SavedFilter",
    "SearchEntry",
    "Tag",
    "TaggedItem",
    "UserPreference",
]
