"""The CloudEvents 1.0 envelope (structured JSON mode) in which every domain event travels."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

CONTENT_TYPE = "application/cloudevents+json"


class InvalidEnvelope(ValueError):
    """A message that is not a CloudEvent we can read; it is dead-lettered, not retried."""


class CloudEvent(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    subject: str | None = None
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]
    # Distributed-tracing extension: the W3C trace context of the change that caused it.
    traceparent: str | None = None
    # Extension of update events: the top-level fields of `data` whose values differ from the
    # previous version's, comma-separated (CloudEvents extensions are strings). Absent: unknown,
    # so a consumer must assume that anything may have changed.
    changedfields: str | None = None

    @property
    def version(self) -> int:
        return int(self.data["version"])

    @property
    def changed_fields(self) -> frozenset[str] | None:
        """What this version changed (see `changedfields`); None if the publisher did not say."""
        if self.changedfields is None:
            return None
        return frozenset(name for name in self.changedfields.split(",") if name)

    def to_json(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json", exclude_none=True))

    @classmethod
    def from_json(cls, body: bytes) -> CloudEvent:
        try:
            event = cls.model_validate_json(body)
        except ValidationError as exc:
            raise InvalidEnvelope(describe_validation_error(exc)) from exc
        if not isinstance(event.data.get("version"), int):
            raise InvalidEnvelope("data.version must be an integer")
        return event


def describe_validation_error(exc: ValidationError) -> str:
    """Which fields are wrong and why, without the submitted values (they may be private)."""
    return "; ".join(
        f"{'.'.join(str(part) for part in err['loc']) or '(root)'}: {err['msg']}"
        for err in exc.errors(include_input=False, include_url=False)
    )


def new_event(
    *,
    type: str,
    source: str,
    subject: str,
    data: dict[str, Any],
    traceparent: str | None = None,
    changed: Iterable[str] | None = None,
) -> CloudEvent:
    return CloudEvent(
        id=str(uuid.uuid4()),
        source=source,
        type=type,
        subject=subject,
        time=datetime.now(UTC),
        data=data,
        traceparent=traceparent,
        changedfields=None if changed is None else ",".join(sorted(changed)),
    )


def fields_changed(
    before: dict[str, Any], after: dict[str, Any], *, ignore: Iterable[str] = ("version",)
) -> set[str]:
    """The top-level fields whose values differ between two versions of one record's data."""
    skipped = set(ignore)
    return {
        key
        for key in before.keys() | after.keys()
        if key not in skipped and before.get(key) != after.get(key)
    }
