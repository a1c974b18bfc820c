"""botocore's S3 model, for the harnesses: which members an operation has, their shapes, plain values.

The harnesses draw parameters and responses from botocore's shapes rather than from s3lite's own
model, so that they cover every operation s3lite knows (whatever form its model takes) and check
results against the shapes botocore would parse them into. Like _driver, this module must not
import s3lite (atheris instruments s3lite's imports, made by the harness inside ``instrumented()``).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

#: Below this depth the generators stop descending (S3's shapes are not recursive; this is a guard).
MAX_DEPTH = 6


@functools.cache
def service() -> ServiceModel:
    return botocore.session.Session().get_service_model("s3")


def operation(name: str) -> OperationModel:
    return service().operation_model(name)


def operation_names() -> tuple[str, ...]:
    return tuple(service().operation_names)


def known_operations(s3lite: Any) -> tuple[str, ...]:
    """The operations of botocore's model that ``s3lite`` (the module, imported by the harness) knows:
    for any other its ``serialize`` refuses with "Unknown operation"."""
    probe = s3lite.Endpoint.from_url("http://127.0.0.1:9000")

    def knows(name: str) -> bool:
        try:
            s3lite.serialize(name, {}, endpoint=probe)
        except s3lite.ParamValidationError as error:
            return "Unknown operation" not in str(error)
        except s3lite.S3LiteError:
            pass
        return True

    return tuple(name for name in operation_names() if knows(name))


_PLAIN_STRINGS = {"Bucket": "bucket", "Key": "k", "CopySource": "src/key", "RenameSource": "src/key",
                  "RequestRoute": "route", "UploadId": "u"}  # fmt: skip


def plain(shape: Shape, name: str = "", depth: int = 0) -> Any:
    """A plain, valid value for a member: what most inputs start from, so they get past validation."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        if depth >= MAX_DEPTH:
            return {}
        names = list(shape.members)[:1] if shape.metadata.get("union") else shape.required_members
        return {member: plain(shape.members[member], member, depth + 1) for member in names}
    if kind == "list":
        return [plain(shape.member, "", depth + 1)] if shape.metadata.get("min", 0) else []
    if kind == "map":
        return {}
    if kind == "string":
        enum = getattr(shape, "enum", None)
        return enum[0] if enum else _PLAIN_STRINGS.get(name, "x" * max(1, shape.metadata.get("min", 1)))
    if kind in ("integer", "long"):
        return max(1, shape.metadata.get("min", 1))
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return datetime(2024, 1, 1, tzinfo=UTC)
    return b"data"


@functools.cache
def minimal_params(name: str) -> tuple[tuple[str, Any], ...]:
    """The operation's required members with plain values (as pairs: callers copy them into a dict)."""
    shape = operation(name).input_shape
    return tuple((member, plain(shape.members[member], member)) for member in shape.required_members)


#: A typical value per scalar type, for the near-valid response documents.
SAMPLE_TEXT = {
    "string": "x",
    "integer": "1",
    "long": "1",
    "boolean": "true",
    "timestamp": "2009-10-12T17:50:30.000Z",
    "blob": "AAAA",
}


def tree(shape: Shape, tag: str, depth: int = 0) -> list[tuple[str, Any]]:
    """A near-valid XML document of ``shape`` as (tag, text or children) pairs: every member once,
    lists with two items (wrapped in their element, or flattened into the parent)."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        if depth >= MAX_DEPTH:
            return [(tag, [])]
        children: list[tuple[str, Any]] = []
        for name, member in shape.members.items():
            if member.serialization.get("location") or member.serialization.get("xmlAttribute"):
                continue
            children.extend(tree(member, member.serialization.get("name", name), depth + 1))
        return [(tag, children)]
    if kind == "list":
        item: Shape = shape.member
        if shape.serialization.get("flattened"):
            item_tag = item.serialization.get("name", tag)
            return tree(item, item_tag, depth + 1) * 2
        items = tree(item, item.serialization.get("name", "member"), depth + 1) * 2
        return [(tag, items)]
    return [(tag, SAMPLE_TEXT.get(kind, "x"))]


def python_types(shape: Shape) -> tuple[type, ...]:
    """What a parsed value of ``shape`` may be (a streamed payload is checked by its caller)."""
    return {
        "structure": (dict,),
        "list": (list,),
        "map": (dict,),
        "string": (str,),
        "integer": (int,),
        "long": (int,),
        "boolean": (bool,),
        "timestamp": (datetime,),
        "blob": (bytes,),
    }.get(shape.type_name, (object,))
