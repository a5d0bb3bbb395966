"""NetBox's script API inside the sandbox: `Script`, its `Meta`, its variables and its log.

Existing NetBox scripts run with little change: `from extras.scripts import Script, StringVar, ObjectVar`
works, ObjectVar's `model` is a class of the facade (`from dcim.models import Site`), and `data` holds
records of the API where NetBox would hand model instances.
"""

import datetime
import decimal
import ipaddress

from wirebook import Endpoint, Record

__all__ = [
    "AbortScript",
    "BooleanVar",
    "ChoiceVar",
    "DecimalVar",
    "FileVar",
    "IPAddressVar",
    "IPAddressWithMaskVar",
    "IPNetworkVar",
    "IntegerVar",
    "MultiChoiceVar",
    "MultiObjectVar",
    "ObjectVar",
    "Script",
    "StringVar",
    "TextVar",
]

LEVELS = ("debug", "info", "success", "warning", "failure")


class ScriptVariable:
    kind = "string"

    def __init__(self, label="", description="", default=None, required=True, **options):
        self.label = label
        self.description = description
        self.default = default
        self.required = required
        self.options = options

    def describe(self):
        return {
            "type": self.kind,
            "class": type(self).__name__,
            "label": self.label,
            "description": self.description,
            "default": self.default,
            "required": self.required,
        }

    def clean(self, value):
        if value in (None, "", []):
            if self.required and self.default is None:
                raise ValueError("This field is required.")
            return self.default
        return self.convert(value)

    def convert(self, value):
        return value


class StringVar(ScriptVariable):
    def __init__(self, min_length=None, max_length=None, regex=None, **options):
        super().__init__(**options)
        self.min_length, self.max_length, self.regex = min_length, max_length, regex

    def describe(self):
        return super().describe() | {"min_length": self.min_length, "max_length": self.max_length, "regex": self.regex}

    def convert(self, value):
        import re

        value = str(value)
        if self.min_length is not None and len(value) < self.min_length:
            raise ValueError(f"Ensure this value has at least {self.min_length} characters.")
        if self.max_length is not None and len(value) > self.max_length:
            raise ValueError(f"Ensure this value has at most {self.max_length} characters.")
        if self.regex and not re.match(self.regex, value):
            raise ValueError("Invalid value.")
        return value


class TextVar(StringVar):
    kind = "text"


class IntegerVar(ScriptVariable):
    kind = "integer"

    def __init__(self, min_value=None, max_value=None, **options):
        super().__init__(**options)
        self.min_value, self.max_value = min_value, max_value

    def describe(self):
        return super().describe() | {"min_value": self.min_value, "max_value": self.max_value}

    def convert(self, value):
        number = int(value)
        if self.min_value is not None and number < self.min_value:
            raise ValueError(f"Ensure this value is greater than or equal to {self.min_value}.")
        if self.max_value is not None and number > self.max_value:
            raise ValueError(f"Ensure this value is less than or equal to {self.max_value}.")
        return number


class DecimalVar(IntegerVar):
    kind = "decimal"

    def convert(self, value):
        number = decimal.Decimal(str(value))
        if self.min_value is not None and number < self.min_value:
            raise ValueError(f"Ensure this value is greater than or equal to {self.min_value}.")
        if self.max_value is not None and number > self.max_value:
            raise ValueError(f"Ensure this value is less than or equal to {self.max_value}.")
        return number


class BooleanVar(ScriptVariable):
    kind = "boolean"

    def __init__(self, **options):
        options.setdefault("required", False)
        super().__init__(**options)

    def clean(self, value):
        if isinstance(value, str):
            return value.lower() in ("true", "1", "on", "yes")
        return bool(value if value is not None else self.default)


class ChoiceVar(ScriptVariable):
    kind = "choice"

    def __init__(self, choices=(), **options):
        super().__init__(**options)
        self.choices = list(choices)

    def describe(self):
        return super().describe() | {"choices": [[value, label] for value, label in self.choices]}

    def convert(self, value):
        if str(value) not in {str(choice) for choice, _ in self.choices}:
            raise ValueError(f"Select a valid choice. {value} is not one of the available choices.")
        return value


class MultiChoiceVar(ChoiceVar):
    kind = "multichoice"

    def convert(self, value):
        values = value if isinstance(value, list) else [value]
        return [ChoiceVar.convert(self, item) for item in values]


class ObjectVar(ScriptVariable):
    kind = "object"

    def __init__(self, model=None, query_params=None, **options):
        super().__init__(**options)
        self.model = model
        self.query_params = query_params or {}

    def describe(self):
        model = self.model
        path = f"{model.app}/{model.endpoint}" if model is not None else None
        return super().describe() | {"model": path, "query_params": self.query_params}

    def _endpoint(self):
        return Endpoint(self.model.app, self.model.endpoint)

    def convert(self, value):
        found = self._endpoint().get(int(value))
        if found is None:
            raise ValueError("Select a valid choice. That choice is not one of the available choices.")
        return found


class MultiObjectVar(ObjectVar):
    kind = "multiobject"

    def convert(self, value):
        values = value if isinstance(value, list) else [value]
        return [ObjectVar.convert(self, item) for item in values]


class FileVar(ScriptVariable):
    """The uploaded file's content, as text."""

    kind = "file"


class IPAddressVar(ScriptVariable):
    kind = "ipaddress"

    def convert(self, value):
        return ipaddress.ip_address(str(value))


class IPAddressWithMaskVar(ScriptVariable):
    kind = "ipaddresswithmask"

    def convert(self, value):
        return ipaddress.ip_interface(str(value))


class IPNetworkVar(ScriptVariable):
    kind = "ipnetwork"

    def __init__(self, min_prefix_length=None, max_prefix_length=None, **options):
        super().__init__(**options)
        self.min_prefix_length, self.max_prefix_length = min_prefix_length, max_prefix_length

    def describe(self):
        return super().describe() | {
            "min_prefix_length": self.min_prefix_length,
            "max_prefix_length": self.max_prefix_length,
        }

    def convert(self, value):
        network = ipaddress.ip_network(str(value), strict=False)
        if self.min_prefix_length is not None and network.prefixlen < self.min_prefix_length:
            raise ValueError(f"Prefix length must be at least {self.min_prefix_length}.")
        if self.max_prefix_length is not None and network.prefixlen > self.max_prefix_length:
            raise ValueError(f"Prefix length must be at most {self.max_prefix_length}.")
        return network


class Script:
    """Subclass it, declare variables as class attributes and write `run(self, data, commit)`."""

    class Meta:
        pass

    def __init__(self):
        self.messages = []
        self.output = ""

    @classmethod
    def meta(cls, name, default=None):
        return getattr(cls.Meta, name, default)

    @classmethod
    def variables(cls):
        found = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, ScriptVariable):
                    found[name] = value
        fieldsets = cls.meta("fieldsets")
        if fieldsets:
            ordered = [name for _, names in fieldsets for name in names]
            found = {name: found[name] for name in ordered if name in found} | found
        return found

    @classmethod
    def describe(cls):
        return {
            "name": cls.meta("name") or cls.__name__,
            "description": cls.meta("description") or "",
            "commit_default": cls.meta("commit_default", True),
            "scheduling_enabled": cls.meta("scheduling_enabled", True),
            "job_timeout": cls.meta("job_timeout"),
            "vars": {name: variable.describe() for name, variable in cls.variables().items()},
        }

    def _log(self, level, message, obj=None):
        # NetBox's log entry: when, the level, the message and the object it is about (with its page).
        entry = {
            "time": datetime.datetime.now(datetime.UTC).isoformat(),
            "status": level,
            "message": str(message),
            "obj": None,
            "url": None,
        }
        if isinstance(obj, Record):
            entry["obj"] = str(obj)
            entry["url"] = obj.serialize().get("display_url") or obj.serialize().get("url")
        elif obj is not None:
            entry["obj"] = str(obj)
        self.messages.append(entry)
        _emit({"log": entry})

    def log_debug(self, message, obj=None):
        self._log("debug", message, obj)

    def log_info(self, message, obj=None):
        self._log("info", message, obj)

    def log_success(self, message, obj=None):
        self._log("success", message, obj)

    def log_warning(self, message, obj=None):
        self._log("warning", message, obj)

    def log_failure(self, message, obj=None):
        self._log("failure", message, obj)

    def run(self, data, commit):
        raise NotImplementedError("A script defines run(self, data, commit).")


class AbortScript(Exception):
    """Raised by a script to stop, with a message for the log; its changes are rolled back."""


_emit = None  # set by the runner: writes one protocol message


def _set_emitter(function):
    global _emit
    _emit = function
