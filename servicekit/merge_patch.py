"""JSON Merge Patch (RFC 7396), the format of every PATCH in the directory's REST APIs: applying
a patch, and the pydantic model of the patches a model accepts."""

from __future__ import annotations

from functools import cache
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model


def merge_patch(target: Any, patch: Any) -> Any:
    """`target` with `patch` applied: objects merge key by key, `null` removes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise ValueError("is required: null would remove it")
    return value


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model of an object-valued field (`Model` or `Model | None`); None for anything else."""
    options = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    for candidate in options:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _without_defaults(schema: dict[str, Any]) -> None:
    # A patch leaves out what does not change; a default would suggest otherwise.
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


@cache
def merge_patch_model(model: type[BaseModel]) -> type[BaseModel]:
    """The patches of `model` (named `<Model>Patch`): every field may be left out; only a field
    that is not required may be null (null removes it, so it takes its default); an object-valued
    field is itself a patch; an array is replaced whole, so its items are validated as in `model`.

    Validating a patch with it refuses exactly what its JSON schema forbids; whether the patched
    whole is valid is for `model` to say."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        nested = _nested_model(info.annotation)
        annotation = merge_patch_model(nested) if nested is not None else info.rebuild_annotation()
        if info.is_required():
            annotation = Annotated[annotation, BeforeValidator(_refuse_null)]
        else:
            annotation = annotation | None
        extra = None if nested is not None else info.json_schema_extra
        fields[name] = (
            annotation,
            Field(default=None, description=info.description, json_schema_extra=extra),
        )
    config = ConfigDict(extra="forbid", json_schema_extra=_without_defaults)
    doc = (
        f"A JSON Merge Patch (RFC 7396) of {model.__name__}: give only what changes; null removes a "
        "field that is not required (it takes its default)."
    )
    return create_model(f"{model.__name__}Patch", __config__=config, __doc__=doc, **fields)
