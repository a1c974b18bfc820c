"""Operation parameters -> an unsigned :class:`HttpRequest`, exactly as botocore's REST-XML
serializer would build it, for any operation of the model.

The engine is driven by shapes alone: where each member goes (URI label, query, header, header
map, XML body, raw payload) and how its value is written come from the model (``_model``); the
S3-specific rules it applies are ``_rules``' named ones. The differential tests
(tests/test_differential_*) hold it to botocore's output for generated inputs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple

from . import _checksums, _rules, _sigv4, _xmlbody
from ._endpoint import Endpoint
from ._errors import ParamValidationError
from ._http import HttpRequest, StreamBody
from ._model import (
    BLOB,
    BOOLEAN,
    HEADER,
    HEADERS,
    ISO8601,
    LIST,
    MAP,
    QUERY,
    RFC822,
    STRUCTURE,
    TIMESTAMP,
    URI,
    Member,
    Operation,
    Shape,
    operation,
)
from ._percent import quote_path, quote_value
from ._timestamps import format_iso8601, format_rfc822, to_datetime
from ._validate import check_params, utf8, validate
from ._version import __version__

#: "any header matching ^x-amz-checksum-[a-z0-9]*$ (case-insensitive)" (§2.6 request side, step 1)
_CHECKSUM_HEADER = re.compile(r"x-amz-checksum-[a-z0-9]*\Z", re.IGNORECASE)
#: botocore's HOST_PREFIX_RE: what a ``hostLabel`` member may hold, as it becomes part of the host
_HOST_LABEL = re.compile(r"[A-Za-z0-9.\-]+\Z")
#: a ``{Label}`` or ``{Label+}`` in a URI template
_URI_LABEL = re.compile(r"\{([^}]+)\}")
#: Chunk size of signed aws-chunked uploads: big enough that the per-chunk HMAC is noise next to the
#: SHA-256 of the data, small enough to keep memory flat.
CHUNK_SIZE = 256 * 1024
USER_AGENT = f"s3lite/{__version__}"

#: How files and iterators are uploaded, the clients' ``upload_signing`` option (README, "Large objects"):
#: ``auto`` sends a body that can be read twice (a seekable file) as it is, signed with its SHA-256
#: from a first pass (or ``UNSIGNED-PAYLOAD`` where botocore sends that), and frames as aws-chunked only
#: a stream that can be read once; ``aws-chunked`` frames every file and iterator (one pass, a signature
#: per chunk); ``hash-first`` never frames, and refuses a stream it would have to.
UploadSigning = Literal["auto", "aws-chunked", "hash-first"]
UPLOAD_SIGNING: tuple[UploadSigning, ...] = ("auto", "aws-chunked", "hash-first")


def check_upload_signing(value: object) -> UploadSigning:
    """``value`` if it is one of :data:`UPLOAD_SIGNING`, else a ParamValidationError naming the choices."""
    if not isinstance(value, str) or value not in UPLOAD_SIGNING:
        raise ParamValidationError(f"Invalid upload_signing: one of {', '.join(map(repr, UPLOAD_SIGNING))}")
    return value


class Prepared(NamedTuple):
    """An unsigned request and the ``X-Amz-Content-SHA256`` value it is to be signed with.

    ``payload_hash`` is None for a streamed body sent as it is whose SHA-256 is not known yet: the
    flow asks its driver for it (``HashBody``) and signs with the answer. ``decode_keys`` says that
    ``EncodingType=url`` was added for the caller, so the listing's keys are to be decoded.
    """

    request: HttpRequest
    payload_hash: str | None
    decode_keys: bool = False
    #: the service name the request is signed for (``s3``; S3 Object Lambda's ``s3-object-lambda``)
    signing_name: str = "s3"


def encode_key(key: str) -> str:
    """ "Key+ is greedy: percent-encode UTF-8 bytes keeping A-Z a-z 0-9 - . _ ~ and /" (§1.1)."""
    return quote_path(key)


def encode_query_value(value: str) -> str:
    """ "Query strings are encoded with the same unreserved set (/ -> %2F, space -> %20, never +)" (§1.1)."""
    return quote_value(value)


# -- scalars --------------------------------------------------------------------------------------


def _timestamp(shape: Shape, value: Any, name: str, default: str, *, whole_seconds: bool) -> str:
    """A timestamp in the shape's ``timestampFormat``, else the location's default (headers rfc822,
    query and XML iso8601). In a header botocore first truncates to whole seconds."""
    when = to_datetime(value, name=name)
    if (shape.timestamp_format or default) == ISO8601:
        return format_iso8601(when, keep_microseconds=not whole_seconds)
    if (shape.timestamp_format or default) == RFC822:
        return format_rfc822(when)
    return str(int(when.timestamp()))  # unixTimestamp


def _text(shape: Shape, value: Any, name: str, default: str, *, whole_seconds: bool = False) -> str:
    """A scalar as text: booleans lower-case, timestamps formatted, blobs base64 (XML only), the rest str()."""
    kind = shape.type
    if kind == BOOLEAN:
        return "true" if value else "false"
    if kind == TIMESTAMP:
        return _timestamp(shape, value, name, default, whole_seconds=whole_seconds)
    if kind == BLOB:
        raw = utf8(value, f"parameter {name}") if isinstance(value, str) else bytes(value)
        return base64.b64encode(raw).decode()
    return value if isinstance(value, str) else str(value)


def _header_list_item(value: str) -> str:
    """``_escape_header_list_string``: an item holding a comma or a quote is quoted, quotes escaped."""
    if '"' in value or "," in value:
        return '"' + value.replace('"', '\\"') + '"'
    return value


def _header(member: Member, value: Any) -> str:
    shape = member.shape
    if shape.type == LIST:
        item = shape.member.shape  # type: ignore[union-attr]
        if item.type == "string":
            return ",".join(_header_list_item(v) for v in value if v is not None)
        return ",".join(_text(item, v, member.name, RFC822, whole_seconds=True) for v in value if v is not None)
    return _text(shape, value, member.name, RFC822, whole_seconds=True)


def _query(member: Member, value: Any) -> list[str]:
    """``key=value`` pairs: a list repeats its key, a map gives its own keys (percent_encode_sequence)."""
    shape = member.shape
    if shape.type == MAP:
        return [f"{quote_value(str(k))}={quote_value(str(v))}" for k, v in value.items()]
    if shape.type == LIST:
        item = shape.member.shape  # type: ignore[union-attr]
        return [f"{member.wire}={quote_value(_text(item, v, member.name, ISO8601))}" for v in value]
    return [f"{member.wire}={quote_value(_text(shape, value, member.name, ISO8601))}"]


# -- bodies -----------------------------------------------------------------------------------------


def _bytes_body(body: Any, name: str) -> bytes | StreamBody:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return utf8(body, f"parameter {name}")
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, StreamBody):
        return body
    raise ParamValidationError(
        f"Invalid type for parameter {name}: the I/O-free core takes bytes-like bodies and StreamBody; "
        "the clients turn files and iterators into a StreamBody (s3lite._body.plan_stream_body)"
    )


def _payload(op: Operation, member: Member, value: Any) -> bytes | StreamBody:
    """``_serialize_payload``: a blob or string payload is the body itself; a structure is its XML
    document, rooted at the member's ``locationName`` (no XML declaration)."""
    if member.shape.type == STRUCTURE:
        body = _xmlbody.document(member.shape, value, member.wire, member.namespace)
        return _rules.escape_xml_newlines(body) if op.name in _rules.ESCAPED_XML_OPERATIONS else body
    return _bytes_body(value, member.name)


# -- the URI --------------------------------------------------------------------------------------


class _UriPlan(NamedTuple):
    """An operation's URI template, compiled once: ``render(labels, prefix)`` gives the path."""

    render: Callable[[Mapping[str, str], str], str]
    #: the Bucket label is placed by the endpoint (host or path), as botocore's rules place it
    has_bucket: bool


_URI_PLANS: dict[str, _UriPlan] = {}


def _uri_plan(op: Operation) -> _UriPlan:
    plan = _URI_PLANS.get(op.name)
    if plan is None:
        members = op.input.members
        has_bucket = "Bucket" in members and members["Bucket"].location == URI
        plan = _URI_PLANS[op.name] = _UriPlan(_compile_uri(op.request_uri), has_bucket)
    return plan


def _compile_uri(template: str) -> Callable[[Mapping[str, str], str], str]:
    """``_render_uri_template`` then ``_urljoin`` onto the endpoint's path: labels percent-encoded
    (greedy ``{Key+}`` keeps ``/``), an empty or ``/`` path becoming the endpoint's own (or ``/``)."""
    pieces: list[str | tuple[str, Callable[[str], str]]] = []
    position = 0
    for match in _URI_LABEL.finditer(template):
        if match.start() > position:
            pieces.append(template[position : match.start()])
        label = match.group(1)
        pieces.append((label.rstrip("+"), quote_path if label.endswith("+") else quote_value))
        position = match.end()
    if position < len(template):
        pieces.append(template[position:])
    if not pieces or pieces == ["/"]:
        return lambda labels, prefix: prefix or "/"
    if len(pieces) == 2 and pieces[0] == "/" and isinstance(pieces[1], tuple):
        name, encode = pieces[1]  # "/{Key+}": most object operations
        return lambda labels, prefix: f"{prefix.removesuffix('/')}/{encode(labels[name])}"

    def render(labels: Mapping[str, str], prefix: str) -> str:
        rendered = "".join(piece if isinstance(piece, str) else piece[1](labels[piece[0]]) for piece in pieces)
        if prefix.endswith("/") and rendered.startswith("/"):
            return prefix[:-1] + rendered
        return prefix + rendered

    return render


# -- payload signing ------------------------------------------------------------------------------


def _unsigned_payload(op: Operation, scheme: str, headers: dict[str, str], computed: bool) -> bool:
    """botocore's S3 rule (§3 step 3, with checksums only on request; ``S3SigV4Auth.
    _should_sha256_sign_payload``): over https a streaming-input op whose body is already protected by
    Content-MD5 or by a checksum header we computed is sent ``UNSIGNED-PAYLOAD``; over http never."""
    return scheme == "https" and op.streaming_input and ("Content-MD5" in headers or computed)


def _payload_hash(op: Operation, scheme: str, headers: dict[str, str], body: bytes, computed: bool) -> str:
    """``UNSIGNED-PAYLOAD`` where :func:`_unsigned_payload` says so, else the SHA-256 of the body."""
    if _unsigned_payload(op, scheme, headers, computed):
        return _sigv4.UNSIGNED_PAYLOAD
    return hashlib.sha256(body).hexdigest() if body else _sigv4.EMPTY_SHA256


def _streamed(op: Operation, request: HttpRequest, body: StreamBody, upload_signing: UploadSigning) -> Prepared:
    """A file or iterator, sent as it is wherever that can be signed: with ``UNSIGNED-PAYLOAD`` where
    botocore's rule allows it, else with the body's SHA-256 when it is known or can be computed (a
    seekable file: the flow has the driver hash it first, as botocore does over http). Only a stream
    read once, and ``upload_signing="aws-chunked"``, get aws-chunked: Ceph RGW 16.2 and SeaweedFS keep
    ``Content-Encoding: aws-chunked`` on the stored object (AWS strips it)."""
    unsigned = _unsigned_payload(op, request.scheme, request.headers, computed=False)
    once = body.start is None and body.sha256 is None and not unsigned
    if upload_signing == "aws-chunked" or once:
        if upload_signing == "hash-first":
            raise ParamValidationError(
                "Invalid value for parameter Body: with upload_signing='hash-first' a stream that cannot be "
                "rewound cannot be hashed before it is sent; pass a seekable file or bytes, or use "
                "upload_signing='auto' (aws-chunked)"
            )
        return Prepared(_as_aws_chunked(request, body), _sigv4.STREAMING_PAYLOAD)
    return Prepared(request, _sigv4.UNSIGNED_PAYLOAD if unsigned else body.sha256)


def _checksum(op: Operation, params: Mapping[str, Any], headers: dict[str, str], body: bytes | StreamBody) -> bool:
    """The request checksum (``httpchecksum.resolve_request_checksum_algorithm``, checksums only
    when required or asked for): the algorithm the caller named in the operation's
    ``requestAlgorithmMember``, in a header; else Content-MD5 where the operation requires a
    checksum (:func:`_rules.content_md5`). Nothing when the caller set a checksum header. Whether
    a checksum was computed here (which lets a streaming upload go unsigned over https)."""
    algorithm = params.get(op.algorithm_member) if op.algorithm_member else None
    if algorithm is None and not op.checksum_required:
        return False  # nothing is due: no need to look for the caller's own checksum header
    if any(_CHECKSUM_HEADER.match(h) for h in headers):
        return False
    if algorithm is not None:
        if isinstance(body, StreamBody):
            raise ParamValidationError(
                f"Invalid parameter combination: {op.algorithm_member} with a streamed Body is not supported; "
                "pass the body as bytes, or the precomputed Checksum<ALG> value"
            )
        headers[f"x-amz-checksum-{algorithm.lower()}"] = _checksums.checksum_b64(algorithm, body)
        return True
    if op.checksum_required and "Content-MD5" not in headers and isinstance(body, bytes):
        headers["Content-MD5"] = _rules.content_md5(body)
    return False


# -- the whole request ----------------------------------------------------------------------------


def serialize(
    operation_name: str, params: Mapping[str, Any], *, endpoint: Endpoint, upload_signing: UploadSigning = "auto"
) -> Prepared:
    """Validate ``params`` and build the unsigned request for ``operation_name``; nothing is sent.

    ``upload_signing`` chooses how a :class:`StreamBody` goes (see :data:`UploadSigning`).
    """
    check_upload_signing(upload_signing)
    op = operation(operation_name)  # rejects unknown operations
    check_params(params)
    params, decode_keys = _rules.prepare_params(op.name, params)
    validate(op, params)

    headers: dict[str, str] = {"User-Agent": USER_AGENT}
    query: list[str] = [op.static_query] if op.static_query else []
    labels: dict[str, str] = {}
    body: bytes | StreamBody = b""
    members = op.input.members
    payload = op.payload
    body_members: dict[str, Any] = {}
    for name, value in params.items():
        member = members[name]
        location = member.location
        if location == HEADER:
            if member.shape.type == LIST and not value:
                continue  # botocore: "an empty list is not serialized"
            headers[member.wire] = (
                _rules.copy_source_header(value)
                if name == "CopySource" and op.name in _rules.COPY_SOURCE_OPERATIONS
                else _header(member, value)
            )
        elif location == QUERY:
            query.extend(_query(member, value))
        elif location == URI:
            labels[member.wire] = value if isinstance(value, str) else _text(member.shape, value, name, ISO8601)
        elif location == HEADERS:
            for key, item in value.items():
                headers[f"{member.wire}{key}"] = item
        elif member is payload:
            body = _payload(op, member, value)
        else:
            body_members[name] = value
    if body_members:
        # no payload member: the input's own body members are the document (SelectObjectContent)
        body = _xmlbody.document(op.input, body_members, op.body_name, op.body_namespace)

    declared = params.get("ContentLength")
    if isinstance(body, bytes) and declared is not None and declared != len(body):
        # sent as it is, a wrong length would cut the body short or leave the server waiting
        raise ParamValidationError(
            f"Invalid value for parameter ContentLength: {declared}, but Body has {len(body)} bytes"
        )
    computed = _checksum(op, params, headers, body)

    plan = _uri_plan(op)
    signing_name = "s3"
    if (service := _rules.SERVICE_ENDPOINTS.get(op.name)) is not None:
        endpoint, signing_name = endpoint.for_service(service[0]), service[1]
    elif op.name in _rules.PATH_STYLE_OPERATIONS:
        endpoint = endpoint._replace(addressing_style="path")
    if plan.has_bucket:
        host, prefix = endpoint.locate(params["Bucket"])
    else:
        host, prefix = endpoint.host, endpoint.root_path
    if op.host_prefix:
        host = _host_prefix(op, params) + host
    request = HttpRequest(op.method, endpoint.scheme, host, plan.render(labels, prefix), "&".join(query), headers, body)
    if isinstance(body, StreamBody):
        return _streamed(op, request, body, upload_signing)._replace(decode_keys=decode_keys, signing_name=signing_name)
    return Prepared(request, _payload_hash(op, endpoint.scheme, headers, body, computed), decode_keys, signing_name)


def _host_prefix(op: Operation, params: Mapping[str, Any]) -> str:
    """``_expand_host_prefix``: the operation's ``hostPrefix`` with its ``hostLabel`` members."""
    values: dict[str, str] = {}
    for name, member in op.input.members.items():
        if member.host_label:
            value = params.get(name)
            if not isinstance(value, str) or not _HOST_LABEL.match(value):
                raise ParamValidationError(
                    f"Invalid value for parameter {name}: it becomes part of the host name, so it must match "
                    f"{_HOST_LABEL.pattern}"
                )
            values[name] = value
    return _URI_LABEL.sub(lambda match: values[match.group(1)], op.host_prefix)


def _as_aws_chunked(request: HttpRequest, body: StreamBody) -> HttpRequest:
    """Headers of a signed aws-chunked upload: the encoded Content-Length, the raw length as
    ``x-amz-decoded-content-length``, and ``aws-chunked`` after any content coding the caller set."""
    headers = {k: v for k, v in request.headers.items() if k != "Content-Length"}
    encoding = headers.get("Content-Encoding")
    headers["Content-Encoding"] = f"{encoding},aws-chunked" if encoding else "aws-chunked"
    headers["x-amz-decoded-content-length"] = str(body.length)
    headers["Content-Length"] = str(_checksums.aws_chunked_length(body.length, CHUNK_SIZE))
    return HttpRequest(request.method, request.scheme, request.host, request.path, request.query, headers, body)
