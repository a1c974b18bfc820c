"""An :class:`HttpResponse` -> the result dict boto3 users know, or the error dict behind a ClientError.

Driven by the operation's output shape, as botocore's RestXMLParser reads it: header members,
header maps, and the body - a structure parsed recursively (nested structures, wrapped and
flattened lists, maps, attributes), or a string/blob payload returned as it is. Each shape's
reader is built once and kept. Whatever the server sends, the outcome is a dict or an
:class:`S3LiteError`: malformed numbers, timestamps, base64 and XML become
:class:`ResponseParseError`, never a bare ValueError or ParseError.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable
from typing import Any

from . import _rules, _xml
from ._errors import ResponseParseError, client_error
from ._http import HttpResponse
from ._model import (
    BLOB,
    BOOLEAN,
    DOUBLE,
    FLOAT,
    HEADER,
    HEADERS,
    INTEGER,
    LIST,
    LONG,
    MAP,
    STRING,
    STRUCTURE,
    TIMESTAMP,
    Member,
    Operation,
    Shape,
    operation,
)
from ._modeled_errors import ERROR_MEMBERS
from ._timestamps import parse_response_timestamp, parse_response_timestamp_or_none

#: what a shape's reader takes: one element (an ``_xml.Node`` or an ElementTree element: both are
#: read the same way, see ``_xml.parse_result``)
Element = Any
Reader = Callable[[Element], Any]
#: how a structure's member takes an element: the first one of its name, one item of a flattened
#: list, or one entry of a flattened map
_SINGLE, _ITEM, _ENTRY = 0, 1, 2


def response_metadata(response: HttpResponse, *, retry_attempts: int) -> dict[str, Any]:
    """``ResponseMetadata``: "RequestId from x-amzn-requestid else x-amz-request-id (then HostId =
    x-amz-id-2 or '')" (§2.11), the status, the headers and the retries it took."""
    headers = response.headers
    metadata: dict[str, Any] = {}
    if "x-amzn-requestid" in headers:
        metadata["RequestId"] = headers["x-amzn-requestid"]
    elif "x-amz-request-id" in headers:
        metadata["RequestId"] = headers["x-amz-request-id"]
        metadata["HostId"] = headers.get("x-amz-id-2", "")
    metadata["HTTPStatusCode"] = response.status
    metadata["HTTPHeaders"] = dict(headers)
    metadata["RetryAttempts"] = retry_attempts
    return metadata


def _scalar(shape: Shape, text: str, name: str) -> Any:
    """``_handle_integer`` / ``_handle_boolean`` / ``_handle_timestamp`` / ``_handle_blob``, as
    library errors when the text is not what the shape says."""
    kind = shape.type
    if kind in (INTEGER, LONG):
        try:
            return int(text)
        except ValueError:
            raise ResponseParseError(f"Invalid integer in the response for {name}: {text[:64]!r}") from None
    if kind == BOOLEAN:
        # "boolean: exactly `true` -> True else False" (§2.11)
        return text == "true"
    if kind == TIMESTAMP:
        return parse_response_timestamp(text, name=name)
    if kind == BLOB:
        import base64

        try:
            return base64.b64decode(text)
        except (binascii.Error, ValueError):
            raise ResponseParseError(f"Invalid base64 in the response for {name}") from None
    if kind in (FLOAT, DOUBLE):
        try:
            return float(text)
        except ValueError:
            raise ResponseParseError(f"Invalid number in the response for {name}: {text[:64]!r}") from None
    return text


_READERS: dict[str, Reader] = {}


def reader(shape: Shape) -> Reader:
    """The function reading XML for ``shape``, built once (two threads building the same one build equal ones)."""
    found = _READERS.get(shape.name)
    if found is None:
        # built eagerly, members first: S3's model has no recursive shape (tests/codegen/model.py refuses one)
        found = _READERS[shape.name] = _build_reader(shape)
    return found


def _build_reader(shape: Shape) -> Reader:
    kind = shape.type
    if kind == STRUCTURE:
        return _structure_reader(shape)
    if kind == LIST:
        item = shape.member
        assert item is not None
        read_item = reader(item.shape)
        # ``_handle_list``: every child of the wrapper, whatever its name (flattened: _structure_reader)
        return lambda node: [read_item(child) for child in node]
    if kind == MAP:
        read_entry = _entry_reader(shape)
        return lambda node: dict(read_entry(entry) for entry in node)
    name = shape.name
    if kind == STRING:
        return lambda node: node.text or ""
    return lambda node: _scalar(shape, node.text or "", name)


def _structure_reader(shape: Shape) -> Reader:
    """``_handle_structure``: body members by element name, whatever its namespace (a flattened
    list's by its items' name, ``_member_key_name``; two members may share one, as ``Event`` and
    ``Events`` do in the deprecated notification configurations, and both are filled),
    ``xmlAttribute`` members from the element's namespaced attributes (any namespace standing for
    the prefix, as botocore rewrites ``{uri}type`` to ``xsi:type``). An element that repeats where
    one is expected is read from its first occurrence."""
    by_name: dict[str, tuple[tuple[str, int, Reader], ...]] = {}
    attributes: list[tuple[str, str]] = []
    for member_name, member in shape.members.items():
        if member.location:
            continue
        if member.attribute:
            attributes.append((member_name, member.wire.rpartition(":")[2]))
            continue
        member_shape = member.shape
        xml_name = member.wire
        if member.flattened and member_shape.type in (LIST, MAP):
            if member_shape.type == LIST:
                item = member_shape.member
                assert item is not None
                if item.wire != "member":  # the item's own locationName, when it has one
                    xml_name = item.wire
                field = (member_name, _ITEM, reader(item.shape))
            else:
                field = (member_name, _ENTRY, _entry_reader(member_shape))
        else:
            field = (member_name, _SINGLE, reader(member_shape))
        by_name[xml_name] = (*by_name.get(xml_name, ()), field)
    #: raw tags seen (namespaced or not) -> (member, reader) when the tag is one member's single
    #: element (the common case), else its fields; bounded, as a hostile server picks the tags
    by_tag: dict[str, Any] = {}

    def lookup(tag: Any) -> Any:
        fields = by_name.get(_xml.local_name(tag), ()) if isinstance(tag, str) else ()
        found = (fields[0][0], fields[0][2]) if len(fields) == 1 and fields[0][1] == _SINGLE else list(fields)
        if len(by_tag) < 64:
            by_tag[tag] = found
        return found

    def read_structure(node: Element) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for child in node:
            found = by_tag.get(child.tag)
            if found is None:
                found = lookup(child.tag)
            if found.__class__ is tuple:
                if found[0] not in out:
                    out[found[0]] = found[1](child)
                continue
            for member_name, how, read in found:
                if how == _SINGLE:
                    if member_name not in out:
                        out[member_name] = read(child)
                elif how == _ITEM:
                    items = out.get(member_name)
                    if items is None:
                        out[member_name] = [read(child)]
                    else:
                        items.append(read(child))
                else:
                    key, value = read(child)
                    out.setdefault(member_name, {})[key] = value
        if attributes and node.attrib:
            for member_name, local in attributes:
                for key, value in node.attrib.items():
                    if key.startswith("{") and key.rpartition("}")[2] == local:
                        out[member_name] = value
        return out

    return read_structure


def _entry_reader(shape: Shape) -> Callable[[Element], tuple[Any, Any]]:
    """``_handle_map``: one entry (an ``entry`` element, or a flattened map's repeated one) holding a
    key and a value element named as the map says; any other element is an error, as in botocore."""
    assert shape.key is not None and shape.value is not None
    read_key, read_value = reader(shape.key), reader(shape.value)
    key_name, value_name = shape.key_name, shape.value_name

    def read_entry(entry: Element) -> tuple[Any, Any]:
        key = value = None
        for pair in entry:
            name = _xml.local_name(pair.tag) if isinstance(pair.tag, str) else ""
            if name == key_name:
                key = read_key(pair)
            elif name == value_name:
                value = read_value(pair)
            else:
                raise ResponseParseError(f"Unknown tag in a map in the response: {name[:64]!r}")
        return key, value

    return read_entry


class _Plan:
    """What one operation's output needs: header members by lower-cased name, the header-map prefix,
    the body's payload member (or None: the body's elements are the output's own members), and
    whether the body is read at all."""

    __slots__ = ("body_reader", "by_header", "expires", "header_map", "payload", "prefix", "reads_body")

    def __init__(self, op: Operation) -> None:
        output = op.output
        self.by_header: dict[str, Member] = {}
        self.prefix = ""
        self.header_map = ""
        self.payload: Member | None = None
        self.body_reader: Reader | None = None
        self.reads_body = False
        #: ``handle_expires_header``: an ``Expires`` member named ``Expires`` on the wire
        self.expires = False
        if output is None:
            return
        for member in output.members.values():
            if member.location == HEADER:
                self.by_header[member.wire.lower()] = member
                self.expires = self.expires or (member.name == "Expires" and member.wire == "Expires")
            elif member.location == HEADERS:
                self.prefix, self.header_map = member.wire.lower(), member.name
        payload = output.members.get(output.payload)
        if payload is not None:
            self.payload = payload
            if payload.shape.type == STRUCTURE and not payload.shape.event_stream:
                self.body_reader = reader(payload.shape)
                self.reads_body = True
            elif not (payload.streaming or payload.shape.event_stream):
                self.reads_body = True  # a string or blob payload: the body as it is
        elif any(not m.location for m in output.members.values()):
            self.body_reader = reader(output)
            self.reads_body = True


_PLANS: dict[str, _Plan] = {}


def _plan(op: Operation) -> _Plan:
    plan = _PLANS.get(op.name)
    if plan is None:
        plan = _PLANS[op.name] = _Plan(op)
    return plan


def _header(member: Member, value: str) -> Any:
    shape = member.shape
    if shape.type == STRING:
        return value
    if shape.type == LIST:
        # "List in headers may be a comma separated string as per RFC7230" (``_handle_list``)
        return [item.strip() for item in value.split(",")]
    return _scalar(shape, value, member.name)


def _headers(plan: _Plan, response: HttpResponse, out: dict[str, Any]) -> None:
    by_header, prefix = plan.by_header, plan.prefix
    metadata: dict[str, str] = {}
    spelled = response.names or {}
    for name, value in response.headers.items():
        member = by_header.get(name)
        if member is not None:
            if plan.expires and member.name == "Expires":
                # "ExpiresString = raw value always; Expires = parsed datetime, or, if unparseable,
                # the header is dropped so only ExpiresString remains" (§2.11)
                out["ExpiresString"] = value
                parsed = parse_response_timestamp_or_none(value)
                if parsed is not None:
                    out["Expires"] = parsed
            else:
                out[member.name] = _header(member, value)
        elif prefix and name.startswith(prefix):
            metadata[spelled.get(name, name)[len(prefix) :]] = value
    if prefix:
        out[plan.header_map] = metadata


def parse_result(
    op: Operation,
    response: HttpResponse,
    *,
    retry_attempts: int,
    root: Element | None = None,
    decode_keys: bool = False,
) -> dict[str, Any]:
    """The result dict of a successful response (``_do_parse``). A streamed payload (GetObject's
    ``Body``, SelectObjectContent's events) is left to the client.

    ``root`` is the body already parsed (by :func:`screen_200`), so that it is not parsed twice;
    ``decode_keys``: the listing's ``EncodingType=url`` was s3lite's, so its keys are decoded.
    """
    plan = _plan(op)
    out: dict[str, Any] = {}
    _headers(plan, response, out)
    if plan.reads_body:
        _body(op, plan, response.body, root, out)
    metadata = out["ResponseMetadata"] = response_metadata(response, retry_attempts=retry_attempts)
    if "ExpiresString" in out and "Expires" not in out:
        # botocore deletes an unparseable Expires header before parsing, so HTTPHeaders lacks it too.
        del metadata["HTTPHeaders"]["expires"]
    if decode_keys:
        _rules.decode_listing(op.name, out)
    return out


def _body(op: Operation, plan: _Plan, body: bytes, root: Element | None, out: dict[str, Any]) -> None:
    """``_parse_payload``: the payload member from the body (a string decoded, a blob as it is, a
    structure parsed; "an empty 200 body for CopyObject yields CopyObjectResult: {}", §1.4), or the
    output's own body members from the document's root, whatever it is named."""
    payload = plan.payload
    if payload is not None and plan.body_reader is None:
        if payload.shape.type == STRING:
            try:
                out[payload.name] = body.decode("utf-8")
            except UnicodeDecodeError:
                raise ResponseParseError(f"Invalid UTF-8 in the response body ({payload.name})") from None
        else:
            out[payload.name] = body
        return
    if root is None and body:
        root = _xml.parse_result(body)
    if op.name == "GetBucketLocation":
        _rules.bucket_location(root.text if root is not None else None, out)
        return
    assert plan.body_reader is not None
    parsed = plan.body_reader(root) if root is not None else {}
    if payload is not None:
        out[payload.name] = parsed
    else:
        out.update(parsed)


def screen_200(op: Operation, response: HttpResponse) -> tuple[HttpResponse, Element | None]:
    """(the response as it is to be read, its parsed body or None): "If status is 200 and the body is
    non-empty and either fails to parse as XML, or its root tag is exactly Error, the status is
    rewritten to 500" (§2.7), for every operation ``_should_handle_200_error`` picks: one with an
    output shape whose payload is not a string, a blob or an event stream.

    Non-empty means any byte: a body of only whitespace (S3's keep-alive spaces, then the connection
    lost before the document) does not parse, so it is a 500 too, as botocore's
    ``_looks_like_special_case_error`` makes it - never a success without an ETag."""
    if response.status != 200 or not response.body or not _screened(op):
        return response, None
    try:
        root = _xml.parse_result(response.body)
    except ResponseParseError:
        return response._replace(status=500), None
    return (response._replace(status=500), None) if root.tag == "Error" else (response, root)


def _screened(op: Operation) -> bool:
    output = op.output
    if output is None:
        return False
    payload = output.members.get(output.payload)
    return payload is None or not (payload.shape.type in (STRING, BLOB) or payload.shape.event_stream)


def _reason(status: int) -> str:
    """The standard reason phrase, as ``http.client.responses`` has it; imported on the error path only."""
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def parse_error(response: HttpResponse, *, retry_attempts: int) -> dict[str, Any]:
    """The ``ClientError.response`` dict for an error response (§2.11, errors).

    Bodies that are empty (every HEAD error, 304), HTML from a proxy, or not XML at all give
    ``Code = str(status)`` and the reason phrase as the message. An XML body whose root is not
    ``<Error>`` is merged into the dict as botocore merges it: its ``<Error>`` child into ``Error``,
    every other child at the top.
    """
    status, body, headers = response.status, response.body, response.headers
    stripped = body.strip()
    out: dict[str, Any] = {}
    generic = status >= 500 and (not stripped or stripped.startswith(b"<html>"))
    root = None
    if stripped and not generic:
        try:
            root = _xml.parse(body)
        except ResponseParseError:
            root = None
    metadata: dict[str, Any]
    error: dict[str, Any]
    if generic:
        error, metadata = {"Code": str(status), "Message": _reason(status)}, {}
    elif root is None:
        error = {"Code": str(status), "Message": _reason(status)}
        metadata = {"RequestId": headers.get("x-amz-request-id", ""), "HostId": headers.get("x-amz-id-2", "")}
    elif root.tag == "Error":
        error = _xml.to_dict(root)
        error.pop("RequestId", None)
        error.pop("HostId", None)
        metadata = {}
        if "x-amzn-requestid" in headers:
            metadata["RequestId"] = headers["x-amzn-requestid"]
        elif "x-amz-request-id" in headers:
            metadata["RequestId"] = headers["x-amz-request-id"]
            metadata["HostId"] = headers.get("x-amz-id-2", "")
        _modeled_members(root, error.get("Code"), out)
    else:
        fields = _xml.to_dict(root)
        metadata = {"RequestId": fields.pop("RequestId")} if "RequestId" in fields else {}
        inner = fields.pop("Error", None)
        error = {"Message": "", "Code": ""}
        if isinstance(inner, dict):
            error.update(inner)
        out.update(fields)
        _modeled_members(root, error.get("Code"), out)
    metadata["HTTPStatusCode"] = status
    metadata["HTTPHeaders"] = dict(headers)
    metadata["RetryAttempts"] = retry_attempts
    out["Error"] = error
    out["ResponseMetadata"] = metadata
    return out


def _modeled_members(root: _xml.Node, code: object, out: dict[str, Any]) -> None:
    """A modeled error's own members, at the top of the dict as botocore adds them ('' when empty)."""
    members = ERROR_MEMBERS.get(code) if isinstance(code, str) else None
    if members:
        for child in root.children:
            name = child.name
            if name in members:
                out[name] = child.text or ""


def parse(
    operation_name: str, response: HttpResponse, *, retry_attempts: int = 0, decode_keys: bool = False
) -> dict[str, Any]:
    """One response, no retries: the result dict, or the :class:`ClientError` it stands for raised.

    For embedders that run their own retry loop; the clients use the flow, which also retries.
    ``decode_keys`` is the request's ``Prepared.decode_keys``: ``serialize`` asked for url-encoded
    keys on the caller's behalf, so they are decoded here (botocore's ``decode_list_object``).
    """
    op = operation(operation_name)
    response, root = screen_200(op, response)
    if response.status < 300:
        return parse_result(op, response, retry_attempts=retry_attempts, root=root, decode_keys=decode_keys)
    raise client_error(parse_error(response, retry_attempts=retry_attempts), operation_name)
