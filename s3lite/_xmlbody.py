"""Request XML bodies from shapes, byte for byte as botocore's RestXMLSerializer writes them.

One writer per shape, built the first time the shape is written and kept: a call walks its value
once, with no shape lookups. The rules (``RestXMLSerializer._serialize_type_*``):

- a structure's members are written in the caller's order; an ``xmlAttribute`` member becomes an
  attribute of the structure's element (after its ``xmlns``), any other an element named by its
  ``locationName`` (else its own name);
- a list is wrapped (``<Name><item/>...</Name>``, items named by the list's member, ``member`` by
  default) or, when flattened, each item is written under the member's own name;
- a map is ``<Name><entry><key/><value/></entry>...</Name>`` (flattened: ``<Name><key/><value/></Name>``
  repeated), key and value named by the map;
- scalars: booleans ``true``/``false``, timestamps ISO 8601 (the shape's ``timestampFormat`` wins),
  blobs base64, the rest ``str()``; text and attributes escaped as ElementTree escapes them, and an
  element without content written ``<Name />``;
- ``xmlNamespace`` adds ``xmlns`` (or ``xmlns:prefix``) to the element it is declared on.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from ._model import BLOB, BOOLEAN, ISO8601, LIST, MAP, RFC822, STRUCTURE, TIMESTAMP, Member, Shape
from ._timestamps import format_iso8601, format_rfc822, to_datetime
from ._validate import utf8
from ._xml import escape_attribute, escape_text

#: (value, element name, the element's namespace attribute text) -> the element's XML
Writer = Callable[[Any, str, str], str]


def namespace_attribute(namespace: tuple[str, str] | None) -> str:
    """``_add_xml_namespace``: `` xmlns="uri"`` or `` xmlns:prefix="uri"``, "" for none."""
    if namespace is None:
        return ""
    prefix, uri = namespace
    return f' xmlns:{prefix}="{escape_attribute(uri)}"' if prefix else f' xmlns="{escape_attribute(uri)}"'


def document(shape: Shape, value: Any, name: str, namespace: tuple[str, str] | None) -> bytes:
    """The whole body: ``value`` as the root element ``name`` (no XML declaration, as botocore)."""
    return writer(shape)(value, name, namespace_attribute(namespace)).encode()


_WRITERS: dict[str, Writer] = {}


def writer(shape: Shape) -> Writer:
    """The writer of ``shape``, built once (two threads building the same one build equal ones)."""
    found = _WRITERS.get(shape.name)
    if found is None:
        # built eagerly, members first: S3's model has no recursive shape (tests/codegen/model.py refuses one)
        found = _WRITERS[shape.name] = _build(shape)
    return found


def _element(name: str, attributes: str, content: str) -> str:
    return f"<{name}{attributes}>{content}</{name}>" if content else f"<{name}{attributes} />"


def _build(shape: Shape) -> Writer:
    kind = shape.type
    if kind == STRUCTURE:
        return _structure(shape)
    if kind == LIST:
        item = shape.member
        assert item is not None
        write_item, item_name, item_namespace = writer(item.shape), item.wire, namespace_attribute(item.namespace)
        return lambda value, name, namespace: _element(
            name, namespace, "".join([write_item(entry, item_name, item_namespace) for entry in value])
        )
    if kind == MAP:
        return _map(shape)
    return _scalar(shape)


def _structure(shape: Shape) -> Writer:
    #: member name -> (attribute name or "", flattened, element name, writer, namespace attribute)
    fields: dict[str, tuple[str, bool, str, Writer, str]] = {}
    for member_name, member in shape.members.items():
        fields[member_name] = _field(member)

    def write(value: Any, name: str, namespace: str) -> str:
        attributes = namespace
        parts: list[str] = []
        for key, item in value.items():
            attribute, flattened, element, write_member, member_namespace = fields[key]
            if attribute:
                attributes += f' {attribute}="{escape_attribute(item)}"'
            elif flattened:
                parts.extend([write_member(entry, element, member_namespace) for entry in item])
            else:
                parts.append(write_member(item, element, member_namespace))
        return _element(name, attributes, "".join(parts))

    return write


def _field(member: Member) -> tuple[str, bool, str, Writer, str]:
    if member.attribute:
        return (member.wire, False, "", _never, "")
    if member.shape.type == LIST and member.flattened:
        item = member.shape.member
        assert item is not None
        return ("", True, member.wire, writer(item.shape), namespace_attribute(item.namespace))
    return ("", False, member.wire, writer(member.shape), namespace_attribute(member.namespace))


def _never(value: Any, name: str, namespace: str) -> str:  # pragma: no cover - attributes are not elements
    raise AssertionError("an xmlAttribute member is written as an attribute")


def _map(shape: Shape) -> Writer:
    assert shape.key is not None and shape.value is not None
    write_key, write_value = writer(shape.key), writer(shape.value)
    key_name, value_name, flattened = shape.key_name, shape.value_name, shape.flattened

    def write(value: Any, name: str, namespace: str) -> str:
        entries = [
            _element(name if flattened else "entry", "", write_key(k, key_name, "") + write_value(v, value_name, ""))
            for k, v in value.items()
        ]
        return "".join(entries) if flattened else _element(name, namespace, "".join(entries))

    return write


def _scalar(shape: Shape) -> Writer:
    kind = shape.type
    if kind == BOOLEAN:
        return lambda value, name, namespace: _element(name, namespace, "true" if value else "false")
    if kind == TIMESTAMP:
        rfc822 = shape.timestamp_format == RFC822
        iso = (shape.timestamp_format or ISO8601) == ISO8601

        def timestamp(value: Any, name: str, namespace: str) -> str:
            when = to_datetime(value, name=name)
            if rfc822:
                text = format_rfc822(when)
            elif iso:
                text = format_iso8601(when, keep_microseconds=True)
            else:
                text = str(int(when.timestamp()))  # unixTimestamp
            return _element(name, namespace, text)

        return timestamp
    if kind == BLOB:

        def blob(value: Any, name: str, namespace: str) -> str:
            raw = utf8(value, f"parameter {name}") if isinstance(value, str) else bytes(value)
            return _element(name, namespace, base64.b64encode(raw).decode())

        return blob
    return lambda value, name, namespace: _element(
        name, namespace, escape_text(value if isinstance(value, str) else str(value))
    )
