"""Operation parameters -> an unsigned :class:`HttpRequest`, exactly as botocore would build it.

Every rule here is one of reference/s3-spec.md §1-§2; the differential tests (tests/test_differential_*)
hold each of them to botocore's output for generated inputs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from . import _checksums, _sigv4
from ._endpoint import Endpoint
from ._errors import ParamValidationError
from ._http import HttpRequest, StreamBody
from ._model import (
    BOOLEAN,
    HEADER,
    HEADER_MAP,
    INTEGER,
    ISO8601,
    LONG,
    OPERATIONS,
    PAYLOAD,
    QUERY,
    TIMESTAMP,
    Member,
    Operation,
)
from ._percent import quote_path, quote_value
from ._timestamps import format_iso8601, format_rfc822, to_datetime
from ._validate import utf8, validate
from ._version import __version__
from ._xml import S3_NAMESPACE, escape_text

#: "if it ends with ?versionId=<non-whitespace> only the part before it is percent-encoded" (§2.3)
_COPY_SOURCE_VERSION = re.compile(r"\?versionId=[^\s]+$")
#: Access point (and Outposts access point) ARNs, which botocore accepts as a CopySource bucket.
_ACCESS_POINT_ARN = re.compile(
    r"arn:aws.*:(?:s3|s3-object-lambda):[a-z0-9-]*:[0-9]{12}:accesspoint[/:][a-zA-Z0-9.-]{1,63}\Z"
    r"|arn:aws.*:s3-outposts:[a-z0-9-]+:[0-9]{12}:outpost[/:][a-zA-Z0-9-]{1,63}[/:]accesspoint[/:][a-zA-Z0-9-]{1,63}\Z"
)
#: "any header matching ^x-amz-checksum-[a-z0-9]*$ (case-insensitive)" (§2.6 request side, step 1)
_CHECKSUM_HEADER = re.compile(r"x-amz-checksum-[a-z0-9]*\Z", re.IGNORECASE)
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
    flow asks its driver for it (``HashBody``) and signs with the answer.
    """

    request: HttpRequest
    payload_hash: str | None


def encode_key(key: str) -> str:
    """ "Key+ is greedy: percent-encode UTF-8 bytes keeping A-Z a-z 0-9 - . _ ~ and /" (§1.1)."""
    return quote_path(key)


def encode_query_value(value: str) -> str:
    """ "Query strings are encoded with the same unreserved set (/ -> %2F, space -> %20, never +)" (§1.1)."""
    return quote_value(value)


def _scalar(member: Member, value: Any, *, in_query: bool) -> str:
    kind = member.type
    if kind == BOOLEAN:
        return "true" if value else "false"
    if kind in (INTEGER, LONG):
        return str(value)
    if kind == TIMESTAMP:
        when = to_datetime(value, name=member.name)
        # Header default rfc822, query default iso8601; ObjectLockRetainUntilDate is iso8601 in a
        # header and ResponseExpires rfc822 in the query (§1.1): the member's own format wins.
        if member.timestamp_format == ISO8601:
            return format_iso8601(when, keep_microseconds=in_query)
        return format_rfc822(when)
    return str(value)


def _sse_customer(params: dict[str, Any], prefix: str) -> None:
    """ "if <prefix>Key is not None and <prefix>KeyMD5 is absent: header key = base64(key bytes);
    header MD5 = base64(MD5(key bytes))" (§2.2). A caller-supplied MD5 leaves both untouched."""
    key = params.get(f"{prefix}Key")
    if not isinstance(key, (str, bytes, bytearray)) or f"{prefix}KeyMD5" in params:
        return  # anything else is left for validation to reject
    raw = utf8(key, f"parameter {prefix}Key") if isinstance(key, str) else bytes(key)
    params[f"{prefix}Key"] = base64.b64encode(raw).decode()
    params[f"{prefix}KeyMD5"] = base64.b64encode(hashlib.md5(raw).digest()).decode()


def copy_source_header(value: str | Mapping[str, str]) -> str:
    """``x-amz-copy-source`` from a string or a ``{Bucket, Key, VersionId}`` dict (§2.3)."""
    if isinstance(value, str):
        match = _COPY_SOURCE_VERSION.search(value)
        if match is None:
            return quote_path(value)
        return quote_path(value[: match.start()]) + match.group(0)
    bucket, key = value["Bucket"], value["Key"]
    # An access point ARN names the object as <arn>/object/<key> (its colons percent-encoded like the rest).
    source = f"{bucket}/object/{key}" if _ACCESS_POINT_ARN.match(bucket) else f"{bucket}/{key}"
    encoded = quote_path(source)
    version = value.get("VersionId")
    return f"{encoded}?versionId={version}" if version is not None else encoded


def complete_multipart_xml(upload: Mapping[str, Any]) -> bytes:
    """The CompleteMultipartUpload body: flattened ``<Part>`` elements, children in the caller's order,
    no XML declaration (§1.4); an empty element closes itself (``<ETag />``) as ElementTree writes it."""
    parts = "".join(
        _xml_element("Part", "".join(_xml_element(name, escape_text(str(value))) for name, value in part.items()))
        for part in upload.get("Parts", ())
    )
    return _xml_element("CompleteMultipartUpload", parts, f' xmlns="{S3_NAMESPACE}"').encode()


def _xml_element(name: str, content: str, attributes: str = "") -> str:
    return f"<{name}{attributes}>{content}</{name}>" if content else f"<{name}{attributes} />"


def _bytes_body(body: Any) -> bytes | StreamBody:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return utf8(body, "parameter Body")
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, StreamBody):
        return body
    raise ParamValidationError(
        "Invalid type for parameter Body: the I/O-free core takes bytes-like bodies and StreamBody; "
        "the clients turn files and iterators into a StreamBody (s3lite._body.plan_stream_body)"
    )


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


def serialize(
    operation: str, params: Mapping[str, Any], *, endpoint: Endpoint, upload_signing: UploadSigning = "auto"
) -> Prepared:
    """Validate ``params`` and build the unsigned request for ``operation``; nothing is sent.

    ``upload_signing`` chooses how a :class:`StreamBody` goes (see :data:`UploadSigning`).
    """
    check_upload_signing(upload_signing)
    op = OPERATIONS.get(operation)
    if op is None:
        raise ParamValidationError(f"Unknown operation {operation!r}: one of {', '.join(OPERATIONS)}")
    if "SSECustomerKey" in params or "CopySourceSSECustomerKey" in params:
        params = dict(params)
        _sse_customer(params, "SSECustomer")
        _sse_customer(params, "CopySourceSSECustomer")
    validate(op, params)

    headers: dict[str, str] = {"User-Agent": USER_AGENT}
    query: list[str] = [op.static_query] if op.static_query else []
    body: bytes | StreamBody = b""
    inputs = op.inputs
    for name, value in params.items():
        member = inputs[name]
        location = member.location
        if location == HEADER:
            headers[member.wire] = (
                copy_source_header(value) if name == "CopySource" else _scalar(member, value, in_query=False)
            )
        elif location == QUERY:
            query.append(f"{member.wire}={encode_query_value(_scalar(member, value, in_query=True))}")
        elif location == HEADER_MAP:
            for key, item in value.items():
                headers[f"{member.wire}{key}"] = item
        elif location == PAYLOAD:
            body = complete_multipart_xml(value) if name == "MultipartUpload" else _bytes_body(value)

    declared = params.get("ContentLength")
    if isinstance(body, bytes) and declared is not None and declared != len(body):
        # sent as it is, a wrong length would cut the body short or leave the server waiting
        raise ParamValidationError(
            f"Invalid value for parameter ContentLength: {declared}, but Body has {len(body)} bytes"
        )
    computed = False
    if op.streaming_input and "ChecksumAlgorithm" in params and not any(_CHECKSUM_HEADER.match(h) for h in headers):
        algorithm = params["ChecksumAlgorithm"]
        if isinstance(body, StreamBody):
            raise ParamValidationError(
                "Invalid parameter combination: ChecksumAlgorithm with a streamed Body is not supported; "
                "pass the body as bytes, or the precomputed Checksum<ALG> value"
            )
        headers[f"x-amz-checksum-{algorithm.lower()}"] = _checksums.checksum_b64(algorithm, body)
        computed = True

    bucket = params["Bucket"]
    host, prefix = endpoint.locate(bucket)
    request = HttpRequest(
        op.method, endpoint.scheme, host, f"{prefix}/{encode_key(params['Key'])}", "&".join(query), headers, body
    )
    if isinstance(body, StreamBody):
        return _streamed(op, request, body, upload_signing)
    return Prepared(request, _payload_hash(op, endpoint.scheme, headers, body, computed))


def _as_aws_chunked(request: HttpRequest, body: StreamBody) -> HttpRequest:
    """Headers of a signed aws-chunked upload: the encoded Content-Length, the raw length as
    ``x-amz-decoded-content-length``, and ``aws-chunked`` after any content coding the caller set."""
    headers = {k: v for k, v in request.headers.items() if k != "Content-Length"}
    encoding = headers.get("Content-Encoding")
    headers["Content-Encoding"] = f"{encoding},aws-chunked" if encoding else "aws-chunked"
    headers["x-amz-decoded-content-length"] = str(body.length)
    headers["Content-Length"] = str(_checksums.aws_chunked_length(body.length, CHUNK_SIZE))
    return HttpRequest(request.method, request.scheme, request.host, request.path, request.query, headers, body)
