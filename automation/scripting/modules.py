"""Writing script modules: an uploaded file is loaded in the sandbox first and its scripts stored with
it; a file that does not load (a syntax error, an import that fails, no script in it) is refused with
the reason and nothing is written. Replacing a module keeps the scripts whose class is still there
(their ids, jobs and event rules) and drops the others."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction

from automation.models import Script, ScriptModule
from automation.scripting.runs import script_module_describe
from automation.scripting.sandbox import Limits
from core.services import ObjectWrite, WritesInvalid, objects_create, objects_delete, objects_update

MODULE_MAX_BYTES = 1024 * 1024
# Loading a module only defines its classes: it gets less time than a run.
DESCRIBE_LIMITS = {"cpu_seconds": 10, "wall_seconds": 20}
PLUGIN_READ_ONLY = (
    "{module} is shipped by the plugin '{plugin}': it cannot be changed or deleted. Its scripts change "
    "when the plugin is upgraded."
)


@dataclass(frozen=True)
class ModuleFile:
    """An uploaded module: its file name ("sites.py") and its text."""

    name: str
    source: str


def module_file(value, actor=None) -> ModuleFile:
    """A write's `file` (core.registry.Api.write_extras): an uploaded Python file (a multipart body)."""
    if not isinstance(value, UploadedFile):
        raise ValidationError("The submitted data was not a file. Check the encoding type on the form.")
    name = PurePosixPath((value.name or "").replace("\\", "/")).name
    if not name.endswith(".py") or not name.removesuffix(".py").isidentifier():
        raise ValidationError("A script module is a Python file named like a module: sites.py, not 'my sites.txt'.")
    if (value.size or 0) > MODULE_MAX_BYTES:
        raise ValidationError(f"A script module may be at most {MODULE_MAX_BYTES // 1024} KB.")
    try:
        source = value.read(MODULE_MAX_BYTES + 1).decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("A script module must be UTF-8 text.") from None
    return ModuleFile(name=name, source=source)


def script_module_load(source: str) -> dict[str, dict]:
    """The scripts of a module's `source`, by class name, read in the sandbox; ValidationError saying why
    the module does not load."""
    outcome = script_module_describe(source=source, limits=Limits.from_settings(**DESCRIBE_LIMITS))
    if not outcome.ok:
        error = outcome.error or {}
        kind = error.get("kind", "error")
        message = error.get("message", "")
        reason = message if kind in ("limit", "crashed") else f"{kind}: {message}"
        raise ValidationError(f"The module could not be loaded: {reason}")
    scripts = (outcome.result or {}).get("scripts") or {}
    if not scripts:
        raise ValidationError("The module defines no script (a subclass of extras.scripts.Script).")
    return scripts


def _loaded(writes: Sequence[ObjectWrite], *, required: bool) -> list[dict[str, dict] | None]:
    """Each write's module file loaded (its scripts), its fields set from it; WritesInvalid for any
    that has no file (when `required`) or does not load."""
    found: list[dict[str, dict] | None] = []
    errors: dict[int, ValidationError] = {}
    for index, write in enumerate(writes):
        upload = write.extra.get("file")
        if upload is None:
            if required:
                errors[index] = ValidationError({"file": ["This field is required."]})
            found.append(None)
            continue
        try:
            found.append(script_module_load(upload.source))
        except ValidationError as error:
            errors[index] = ValidationError({"file": error.messages})
            found.append(None)
            continue
        write.data = {**write.data, "file_path": upload.name, "source": upload.source}
    if errors:
        raise WritesInvalid(errors)
    return found


def _fields(described: dict) -> dict:
    return {
        "name": str(described.get("name") or "")[:200],
        "description": str(described.get("description") or "")[:500],
        "vars": described.get("vars") or {},
        "commit_default": bool(described.get("commit_default", True)),
        "scheduling_enabled": bool(described.get("scheduling_enabled", True)),
        "is_executable": True,
    }


def script_module_scripts_sync(module: ScriptModule, scripts: dict[str, dict]) -> None:
    """Store the module's scripts as described: existing ones (by class) updated, new ones added, the
    ones no longer in the module deleted (with their jobs)."""
    existing = {script.class_name: script for script in Script.objects.filter(module=module)}
    changed = []
    for class_name, described in scripts.items():
        script = existing.get(class_name)
        if script is None:
            continue
        for name, value in _fields(described).items():
            setattr(script, name, value)
        changed.append(script)
    Script.objects.bulk_update(changed, list(_fields({})))
    Script.objects.bulk_create(
        [
            Script(module=module, class_name=class_name, **_fields(described))
            for class_name, described in scripts.items()
            if class_name not in existing
        ]
    )
    gone = [script for class_name, script in existing.items() if class_name not in scripts]
    for script in gone:
        script.delete()  # its jobs go with it (their GenericRelation)


def script_modules_create(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    """New modules (the registration's create service): each loaded in the sandbox, then written
    (change-logged) with its scripts."""
    with transaction.atomic():
        loaded = _loaded(writes, required=True)
        modules = objects_create(writes)
        for module, scripts in zip(modules, loaded, strict=True):
            assert isinstance(module, ScriptModule) and scripts is not None
            script_module_scripts_sync(module, scripts)
    return modules


def plugin_modules_refuse(modules: Sequence[models.Model]) -> None:
    """ValidationError (NetBox's 400; a form error in the UI) when any of `modules` was shipped by a
    plugin (automation.scripting.plugins): only the plugin's upgrades change those."""
    shipped = [module for module in modules if isinstance(module, ScriptModule) and module.plugin]
    if shipped:
        raise ValidationError(
            [PLUGIN_READ_ONLY.format(module=module.file_path, plugin=module.plugin) for module in shipped]
        )


def script_modules_update(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    """Modules replaced by a new file (without one, nothing changes but what the write gives); a
    plugin's module is refused."""
    plugin_modules_refuse([write.target for write in writes])
    with transaction.atomic():
        loaded = _loaded(writes, required=False)
        modules = objects_update(writes)
        for module, scripts in zip(modules, loaded, strict=True):
            if scripts is not None:
                assert isinstance(module, ScriptModule)
                script_module_scripts_sync(module, scripts)
    return modules


def script_modules_delete(instances: Sequence[models.Model], *, message: str = "") -> None:
    """Delete modules, their scripts and the scripts' jobs; a plugin's module is refused."""
    plugin_modules_refuse(instances)
    objects_delete(instances, message=message)


# The scripts of a source, by its digest: a plugin's file is loaded in the sandbox once per process,
# however many organizations enable the plugin.
_described: dict[str, dict[str, dict]] = {}


def _scripts_of(source: str) -> dict[str, dict]:
    digest = hashlib.sha256(source.encode()).hexdigest()
    if digest not in _described:
        _described[digest] = script_module_load(source)
    return _described[digest]


def plugin_script_modules_sync(*, plugin: str, files: Sequence[ModuleFile]) -> list[ScriptModule]:
    """Bring the selected organization's modules of plugin `plugin` in line with the `files` it ships
    (automation.scripting.plugins): new files added, changed ones replaced (the scripts still in them
    keep their ids and jobs), files gone deleted; an unchanged file is not touched. ValidationError when
    a file does not load (the plugin's other files are still synced). Answers the plugin's modules."""
    shipped = {file.name: file for file in files}
    failures: list[str] = []
    with transaction.atomic():
        stored = {module.file_path: module for module in ScriptModule.objects.filter(plugin=plugin)}
        gone = [module for path, module in stored.items() if path not in shipped]
        if gone:
            objects_delete(gone, message=f"no longer shipped by the plugin {plugin!r}")
        for name, file in shipped.items():
            module = stored.get(name)
            if module is not None and module.source == file.source:
                continue
            try:
                scripts = _scripts_of(file.source)
            except ValidationError as error:
                failures.append(f"{name}: {' '.join(error.messages)}")
                continue
            data = {"file_path": name, "source": file.source, "plugin": plugin}
            message = f"shipped by the plugin {plugin!r}"
            if module is None:
                [created] = objects_create([ObjectWrite(model=ScriptModule, data=data, message=message)])
                assert isinstance(created, ScriptModule)
                module = created
            else:
                objects_update([ObjectWrite(model=ScriptModule, data=data, message=message, instance=module)])
            script_module_scripts_sync(module, scripts)
    if failures:
        raise ValidationError(failures)
    return list(ScriptModule.objects.filter(plugin=plugin))
