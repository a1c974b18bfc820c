"""An :class:`HttpResponse` -> the result dict boto3 users know, or the error dict behind a ClientError.

Whatever the server sends, the outcome is a dict or an :class:`S3LiteError`: malformed numbers,
timestamps and XML become :class:`ResponseParseError`, never a bare ValueError or ParseError.
"""

from __future__ import annotations

from typing import Any

from . import _xml
from ._errors import ERROR_MEMBERS, ParamValidationError, ResponseParseError, client_error
from ._http import HttpResponse
from ._model import (
    BOOLEAN,
    HEADER,
    HEADER_MAP,
    INTEGER,
    LONG,
    OPERATIONS,
    SHAPES,
    TIMESTAMP,
    XML,
    Member,
    Operation,
)
from ._timestamps import parse_response_timestamp, parse_response_timestamp_or_none


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


def _convert(member: Member, text: str) -> Any:
    kind = member.type
    if kind in (INTEGER, LONG):
        try:
            return int(text)
        except ValueError:
            raise ResponseParseError(f"Invalid integer in the response for {member.name}: {text[:64]!r}") from None
    if kind == BOOLEAN:
        # "boolean: exactly `true` -> True else False" (§2.11)
        return text == "true"
    if kind == TIMESTAMP:
        return parse_response_timestamp(text, name=member.name)
    return text


def _xml_members(node: _xml.Node, by_wire: dict[str, Member]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in node.children:
        member = by_wire.get(child.name)
        if member is not None:
            out[member.name] = _convert(member, child.text or "")
    return out


def _body_plan(op: Operation) -> tuple[str, dict[str, Member]]:
    """(the output member the XML body fills, or "" when its members are the result's own; element name
    -> member), built once per operation."""
    plan = _BODY_PLANS.get(op.name)
    if plan is None:
        if op.output_payload and op.output_payload != "Body":
            payload = next(m for m in op.outputs if m.name == op.output_payload)
            plan = (payload.name, {m.wire: m for m in SHAPES[payload.shape]})
        else:
            plan = ("", {m.wire: m for m in op.outputs if m.location == XML})
        _BODY_PLANS[op.name] = plan
    return plan


_BODY_PLANS: dict[str, tuple[str, dict[str, Member]]] = {}


def _header_plan(op: Operation) -> tuple[dict[str, Member], str]:
    """(lower-cased header name -> member, header-map prefix) of an operation's output, built once."""
    plan = _HEADER_PLANS.get(op.name)
    if plan is None:
        by_header = {m.wire.lower(): m for m in op.outputs if m.location == HEADER}
        prefix = next((m.wire for m in op.outputs if m.location == HEADER_MAP), "")
        plan = _HEADER_PLANS[op.name] = (by_header, prefix)
    return plan


_HEADER_PLANS: dict[str, tuple[dict[str, Member], str]] = {}


def _headers(op: Operation, response: HttpResponse, out: dict[str, Any]) -> None:
    by_header, prefix = _header_plan(op)
    metadata: dict[str, str] = {}
    spelled = response.names or {}
    for name, value in response.headers.items():
        member = by_header.get(name)
        if member is not None:
            if member.name == "Expires":
                # "ExpiresString = raw value always; Expires = parsed datetime, or, if unparseable,
                # the header is dropped so only ExpiresString remains" (§2.11)
                out["ExpiresString"] = value
                parsed = parse_response_timestamp_or_none(value)
                if parsed is not None:
                    out["Expires"] = parsed
            else:
                out[member.name] = _convert(member, value)
        elif prefix and name.startswith(prefix):
            metadata[spelled.get(name, name)[len(prefix) :]] = value
    if prefix:
        out["Metadata"] = metadata


def parse_result(
    op: Operation, response: HttpResponse, *, retry_attempts: int, root: _xml.Node | None = None
) -> dict[str, Any]:
    """The result dict of a successful response. GetObject's ``Body`` is left to the client.

    ``root`` is the body already parsed (by :func:`screen_200`), so that it is not parsed twice.
    """
    out: dict[str, Any] = {}
    _headers(op, response, out)
    body = response.body
    payload, by_wire = _body_plan(op)
    if payload:
        # "an empty 200 body for CopyObject yields CopyObjectResult: {}" (§1.4)
        if root is None and body.strip():
            root = _xml.parse(body)
        out[payload] = _xml_members(root, by_wire) if root is not None else {}
    elif by_wire and body.strip():
        out.update(_xml_members(root or _xml.parse(body), by_wire))
    metadata = out["ResponseMetadata"] = response_metadata(response, retry_attempts=retry_attempts)
    if "ExpiresString" in out and "Expires" not in out:
        # botocore deletes an unparseable Expires header before parsing, so HTTPHeaders lacks it too.
        del metadata["HTTPHeaders"]["expires"]
    return out


def screen_200(op: Operation, response: HttpResponse) -> tuple[HttpResponse, _xml.Node | None]:
    """(the response as it is to be read, its parsed body or None): "If status is 200 and the body is
    non-empty and either fails to parse as XML, or its root tag is exactly Error, the status is
    rewritten to 500" (§2.7); GetObject's body is the object, never looked at.

    Non-empty means any byte: a body of only whitespace (S3's keep-alive spaces, then the connection
    lost before the document) does not parse, so it is a 500 too, as botocore's
    ``_looks_like_special_case_error`` makes it - never a success without an ETag."""
    if response.status != 200 or op.output_payload == "Body" or not response.body:
        return response, None
    try:
        root = _xml.parse(response.body)
    except ResponseParseError:
        return response._replace(status=500), None
    return (response._replace(status=500), None) if root.tag == "Error" else (response, root)


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


def parse(operation: str, response: HttpResponse, *, retry_attempts: int = 0) -> dict[str, Any]:
    """One response, no retries: the result dict, or the :class:`ClientError` it stands for raised.

    For embedders that run their own retry loop; the clients use the flow, which also retries.
    """
    op = OPERATIONS.get(operation)
    if op is None:
        raise ParamValidationError(f"Unknown operation {operation!r}: one of {', '.join(OPERATIONS)}")
    response, root = screen_200(op, response)
    if response.status < 300:
        return parse_result(op, response, retry_attempts=retry_attempts, root=root)
    raise client_error(parse_error(response, retry_attempts=retry_attempts), operation)
