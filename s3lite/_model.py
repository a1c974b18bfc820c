"""S3's operations and shapes, decoded on first use from the generated ``_model_data``.

``_model_data`` (written by ``python -m tests.codegen`` from botocore's ``service-2.json``) holds one
compact string per operation and per shape; :func:`operation` turns an operation's strings, and
those of every shape it reaches, into the small objects below the first time it is called, and
keeps them. ``import s3lite`` loads none of it: the data module is imported by the first call.

The objects mirror botocore's model where the REST-XML protocol looks (``location``,
``locationName``, ``flattened``, ``xmlNamespace``, ``xmlAttribute``, ``payload``, ``streaming``,
``eventstream``, ``timestampFormat``, ``min``/``max``, ``sensitive``, ``hostLabel``,
``idempotencyToken``, ``httpChecksum``) and nowhere else.
"""

from __future__ import annotations

from _thread import RLock
from typing import Any

from ._errors import ParamValidationError

# Locations (botocore's ``serialization["location"]``); "" is the body.
URI = "uri"
QUERY = "querystring"
HEADER = "header"
HEADERS = "headers"
BODY = ""
STRUCTURE = "structure"
LIST = "list"
MAP = "map"
STRING = "string"
INTEGER = "integer"
LONG = "long"
BOOLEAN = "boolean"
TIMESTAMP = "timestamp"
BLOB = "blob"
FLOAT = "float"
DOUBLE = "double"
ISO8601 = "iso8601"
RFC822 = "rfc822"


class Shape:
    """One shape. Structures have ``members`` (name -> :class:`Member`, in the model's order),
    ``required`` and ``payload``; lists have ``member``; maps ``key`` and ``value``; scalars their
    ``traits``. ``namespace`` is ``(prefix, uri)`` or None."""

    __slots__ = (
        "error",
        "event_stream",
        "flattened",
        "key",
        "key_name",
        "maximum",
        "member",
        "members",
        "minimum",
        "name",
        "namespace",
        "payload",
        "required",
        "sensitive",
        "timestamp_format",
        "type",
        "union",
        "value",
        "value_name",
        "xml_name",
    )

    def __init__(self, name: str, kind: str) -> None:
        self.name = name
        self.type = kind
        self.members: dict[str, Member] = {}
        self.required: frozenset[str] = frozenset()
        self.payload = ""
        self.namespace: tuple[str, str] | None = None
        self.event_stream = False
        self.error = False
        #: a tagged union: exactly one member is set
        self.union = False
        self.member: Member | None = None
        self.key: Shape | None = None
        self.value: Shape | None = None
        self.key_name = "key"
        self.value_name = "value"
        self.flattened = False
        self.timestamp_format = ""
        self.minimum: int | None = None
        self.maximum: int | None = None
        self.sensitive = False
        #: the shape's own ``locationName`` (a member's wins over it)
        self.xml_name = ""

    def __repr__(self) -> str:
        return f"<Shape {self.name} {self.type}>"


class Member:
    """A member of a structure (or the item of a list): where it goes and the shape it holds.

    ``wire`` is the header, query or label name, or the XML element name (the member's
    ``locationName``, else its own name; a list item's defaults to ``member``); ``flattened`` is
    the member's trait or its list's.
    """

    __slots__ = (
        "attribute",
        "event_payload",
        "flattened",
        "host_label",
        "idempotency_token",
        "location",
        "name",
        "namespace",
        "shape",
        "streaming",
        "wire",
    )

    def __init__(self, name: str, shape: Shape, location: str, wire: str, flags: str, namespace: str) -> None:
        self.name = name
        self.shape = shape
        self.location = location
        self.wire = wire or shape.xml_name or name
        self.attribute = "A" in flags
        self.flattened = "F" in flags or shape.flattened
        self.streaming = "S" in flags
        self.event_payload = "P" in flags
        self.host_label = "H" in flags
        self.idempotency_token = "I" in flags
        self.namespace = _namespace(namespace) or shape.namespace

    def __repr__(self) -> str:
        return f"<Member {self.name}: {self.shape.name} {self.location or 'body'} {self.wire}>"


class Operation:
    """One operation's HTTP binding and the traits the S3 rules look at."""

    __slots__ = (
        "algorithm_member",
        "body_name",
        "body_namespace",
        "checksum_required",
        "errors",
        "host_prefix",
        "idempotency_members",
        "input",
        "method",
        "name",
        "output",
        "payload",
        "request_uri",
        "static_query",
        "streaming_input",
        "streaming_output",
    )

    def __init__(self, name: str, encoded: str) -> None:
        fields = encoded.split("|")
        method, uri, input_name, output_name, errors, required, algorithm, host_prefix = fields[:8]
        #: the root element of a body made of the input's own members (SelectObjectContent's)
        self.body_name = fields[8]
        self.body_namespace = _namespace(fields[9])
        self.name = name
        self.method = method
        path, _, self.static_query = uri.partition("?")
        #: the URI template without the ``/{Bucket}`` that endpoint resolution places (host or path)
        self.request_uri = path.removeprefix("/{Bucket}")
        self.input = _shape(input_name) if input_name else Shape(f"{name}Request", STRUCTURE)
        self.output = _shape(output_name) if output_name else None
        self.errors = tuple(errors.split(",")) if errors else ()
        #: ``httpChecksum.requestChecksumRequired`` (or the older ``httpChecksumRequired``)
        self.checksum_required = bool(required)
        #: ``httpChecksum.requestAlgorithmMember``: the member naming the checksum the caller chose
        self.algorithm_member = algorithm
        self.host_prefix = host_prefix
        #: members botocore fills with a UUID when left out (``idempotencyToken``)
        self.idempotency_members = tuple(n for n, m in self.input.members.items() if m.idempotency_token)
        payload = self.input.members.get(self.input.payload)
        #: the input member that is the whole body, or None
        self.payload = payload
        #: a streaming blob body (PutObject, UploadPart, WriteGetObjectResponse): files and iterators
        self.streaming_input = payload is not None and payload.streaming
        out_payload = self.output.members.get(self.output.payload) if self.output is not None else None
        #: GetObject's and GetObjectTorrent's ``Body``, SelectObjectContent's event stream: left unread
        self.streaming_output = out_payload is not None and (out_payload.streaming or out_payload.shape.event_stream)

    def __repr__(self) -> str:
        return f"<Operation {self.name}>"


def _namespace(encoded: str) -> tuple[str, str] | None:
    if not encoded:
        return None
    prefix, _, uri = encoded.partition(" ")
    return (prefix, uri)


_SHAPES: dict[str, Shape] = {}
_OPERATIONS: dict[str, Operation] = {}
_data: Any = None
#: held while decoding: a shape is registered before its members are filled in (recursion), so
#: another thread must not see it until its operation is published in ``_OPERATIONS``
_DECODING = RLock()


def _load() -> Any:
    global _data
    if _data is None:
        from . import _model_data

        _data = _model_data
    return _data


def _shape(name: str) -> Shape:
    """``name`` decoded once, with ``_DECODING`` held; registered before its members, so recursion is safe."""
    found = _SHAPES.get(name)
    if found is not None:
        return found
    fields = _load().SHAPES[name].split("|")
    kind = fields[0]
    decoded = _SHAPES[name] = Shape(name, kind)
    if kind == STRUCTURE:
        flags, decoded.payload, namespace, required, members, decoded.xml_name = fields[1:]
        decoded.event_stream = "E" in flags
        decoded.error = "X" in flags
        decoded.union = "U" in flags
        decoded.namespace = _namespace(namespace)
        decoded.required = frozenset(required.split(",")) if required else frozenset()
        for encoded in members.split(";") if members else ():
            member_name, _, spec = encoded.partition("=")
            target, location, wire, member_flags, member_namespace = spec.split(",")
            decoded.members[member_name] = Member(
                member_name, _shape(target), location, wire, member_flags, member_namespace
            )
    elif kind == LIST:
        target, item_name, flattened = fields[1:]
        decoded.flattened = bool(flattened)
        item = _shape(target)
        decoded.member = Member("member", item, "", item_name or item.xml_name or "member", "", "")
    elif kind == MAP:
        key, value, decoded.key_name, decoded.value_name, flattened = fields[1:]
        decoded.key, decoded.value = _shape(key), _shape(value)
        decoded.flattened = bool(flattened)
    else:
        for trait in fields[1].split(",") if fields[1] else ():
            trait_name, _, value = trait.partition("=")
            if trait_name == "timestampFormat":
                decoded.timestamp_format = value
            elif trait_name == "min":
                decoded.minimum = int(value)
            elif trait_name == "max":
                decoded.maximum = int(value)
            elif trait_name == "sensitive":
                decoded.sensitive = value == "True"
    return decoded


def operation(name: str) -> Operation:
    """The decoded operation ``name``; an unknown name is the caller's error."""
    found = _OPERATIONS.get(name) if isinstance(name, str) else None
    if found is not None:
        return found
    encoded = _load().OPERATIONS.get(name) if isinstance(name, str) else None
    if encoded is None:
        raise ParamValidationError(f"Unknown operation {name!r}: see s3lite.operation_names()")
    with _DECODING:
        found = _OPERATIONS.get(name) or Operation(name, encoded)
        _OPERATIONS[name] = found
    return found


def operation_names() -> tuple[str, ...]:
    """Every operation of the model, in its order."""
    return tuple(_load().OPERATIONS)
