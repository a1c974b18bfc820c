"""botocore's S3 customizations, each a named rule: the protocol engine (``_serialize``, ``_parse``)
knows nothing about any one operation, and everything S3-specific it does is here, once.

Each rule names the botocore handler it mirrors (``botocore/handlers.py`` unless said otherwise).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any

from ._model import Operation
from ._percent import quote_path
from ._validate import utf8

# -- parameters, before validation -------------------------------------------------------------

#: ``sse_md5`` / ``copy_source_sse_md5`` are registered for these operations only: elsewhere (e.g.
#: GetObjectAttributes, ListParts) botocore sends the SSE-C key as given, already base64.
SSE_C_OPERATIONS = frozenset(
    {
        "HeadObject",
        "GetObject",
        "PutObject",
        "CopyObject",
        "CreateMultipartUpload",
        "UploadPart",
        "UploadPartCopy",
        "CompleteMultipartUpload",
        "SelectObjectContent",
    }
)
COPY_SOURCE_SSE_C_OPERATIONS = frozenset({"CopyObject", "UploadPartCopy"})
#: ``set_list_objects_encoding_type_url``: botocore asks for url-encoded keys (XML 1.0 cannot carry
#: every character a key may hold) unless the caller chose, and decodes them back (see below).
URL_ENCODED_LISTINGS = frozenset({"ListObjects", "ListObjectsV2", "ListObjectVersions"})
#: ``handle_copy_source_param``: CopySource may be a dict and is percent-encoded
COPY_SOURCE_OPERATIONS = frozenset({"CopyObject", "UploadPartCopy"})
#: ``customize_endpoint_resolver_builtins``: GetBucketLocation always goes path-style, since signing
#: for a bucket's virtual host in the wrong region can be refused before the region is known
PATH_STYLE_OPERATIONS = frozenset({"GetBucketLocation"})
#: operations served by another S3 endpoint (botocore's endpoint rules): operation -> (the host's
#: service label on AWS, the service name signed for, wherever the request goes). S3 Object
#: Lambda's (``staticContextParams.UseObjectLambdaEndpoint``) and, without a bucket,
#: ``UseS3ExpressControlEndpoint``'s; directory buckets' own routing is not modelled (README).
SERVICE_ENDPOINTS = {
    "WriteGetObjectResponse": ("s3-object-lambda", "s3-object-lambda"),
    "ListDirectoryBuckets": ("s3express-control", "s3express"),
}
#: ``escape_xml_payload``: CR and LF in these bodies are sent as character references
ESCAPED_XML_OPERATIONS = frozenset({"DeleteObjects", "PutBucketLifecycleConfiguration"})


def sse_customer_key(params: dict[str, Any], prefix: str) -> None:
    """``_sse_md5``: "if <prefix>Key is not None and <prefix>KeyMD5 is absent: header key =
    base64(key bytes); header MD5 = base64(MD5(key bytes))" (s3-spec.md §2.2). A caller-supplied
    MD5 leaves both untouched."""
    key = params.get(f"{prefix}Key")
    if not isinstance(key, (str, bytes, bytearray)) or f"{prefix}KeyMD5" in params:
        return  # anything else is left for validation to reject
    raw = utf8(key, f"parameter {prefix}Key") if isinstance(key, str) else bytes(key)
    params[f"{prefix}Key"] = base64.b64encode(raw).decode()
    params[f"{prefix}KeyMD5"] = base64.b64encode(hashlib.md5(raw).digest()).decode()


def prepare_params(operation: str, params: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    """The parameters as botocore's ``before-parameter-build`` handlers leave them, and whether
    ``EncodingType=url`` was added here (so the result's keys are to be decoded)."""
    auto_encoding = operation in URL_ENCODED_LISTINGS and "EncodingType" not in params
    sse = operation in SSE_C_OPERATIONS and ("SSECustomerKey" in params or "CopySourceSSECustomerKey" in params)
    if not (auto_encoding or sse):
        return params, False
    prepared = dict(params)
    if auto_encoding:
        prepared["EncodingType"] = "url"
    if sse:
        sse_customer_key(prepared, "SSECustomer")
        if operation in COPY_SOURCE_SSE_C_OPERATIONS:
            sse_customer_key(prepared, "CopySourceSSECustomer")
    return prepared, auto_encoding


def idempotency_tokens(op: Operation, params: Mapping[str, Any], rand: Callable[[], float]) -> Mapping[str, Any]:
    """``generate_idempotent_uuid``: an ``idempotencyToken`` member the caller left out (RenameObject's
    ClientToken) gets a random version-4 UUID, made once per call so that every retry repeats it.
    The randomness is the flow's ``rand`` (the core reads no random source of its own)."""
    if not op.idempotency_members:
        return params
    missing = [name for name in op.idempotency_members if name not in params]
    if not missing:
        return params
    import uuid  # one operation has such a member: not worth a place on s3lite's import path

    filled = dict(params)
    for name in missing:
        bits = 0
        for _ in range(4):  # 4 x 32 of rand()'s 53 bits
            bits = (bits << 32) | int(rand() * 2**32)
        filled[name] = str(uuid.UUID(int=bits, version=4))
    return filled


# -- the request --------------------------------------------------------------------------------

#: "if it ends with ?versionId=<non-whitespace> only the part before it is percent-encoded" (§2.3)
_COPY_SOURCE_VERSION = re.compile(r"\?versionId=[^\s]+$")
#: Access point (and Outposts access point) ARNs, which botocore accepts as a CopySource bucket.
_ACCESS_POINT_ARN = re.compile(
    r"arn:aws.*:(?:s3|s3-object-lambda):[a-z0-9-]*:[0-9]{12}:accesspoint[/:][a-zA-Z0-9.-]{1,63}\Z"
    r"|arn:aws.*:s3-outposts:[a-z0-9-]+:[0-9]{12}:outpost[/:][a-zA-Z0-9-]{1,63}[/:]accesspoint[/:][a-zA-Z0-9-]{1,63}\Z"
)


def copy_source_header(value: str | Mapping[str, str]) -> str:
    """``handle_copy_source_param``: ``x-amz-copy-source`` from a string or a ``{Bucket, Key,
    VersionId}`` dict (§2.3)."""
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


def escape_xml_newlines(body: bytes) -> bytes:
    """``escape_xml_payload``: CR and LF become ``&#xD;`` and ``&#xA;`` so that the server's XML
    parser cannot normalise the caller's line breaks (they can only come from the caller's text)."""
    if b"\r" in body:
        body = body.replace(b"\r", b"&#xD;")
    if b"\n" in body:
        body = body.replace(b"\n", b"&#xA;")
    return body


def content_md5(body: bytes) -> str:
    """Content-MD5 for an operation that requires a checksum (``httpChecksum.requestChecksumRequired``).

    botocore 1.36+ sends ``x-amz-checksum-crc32`` there instead; MD5 is what every S3-compatible
    server checks (Ceph RGW, MinIO, SeaweedFS, moto and older AWS SDKs), so it is s3lite's default
    (README, "Differences from botocore"); a ``ChecksumAlgorithm`` chosen by the caller wins.
    """
    return base64.b64encode(hashlib.md5(body).digest()).decode()


# -- the response -------------------------------------------------------------------------------

#: ``decode_list_object``, ``decode_list_object_v2``, ``decode_list_object_versions``: the members
#: S3 url-encodes when asked to, at the top and inside lists.
_DECODED_MEMBERS: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = {
    "ListObjects": (("Delimiter", "Marker", "NextMarker"), (("Contents", "Key"), ("CommonPrefixes", "Prefix"))),
    "ListObjectsV2": (("Delimiter", "Prefix", "StartAfter"), (("Contents", "Key"), ("CommonPrefixes", "Prefix"))),
    "ListObjectVersions": (
        ("KeyMarker", "NextKeyMarker", "Prefix", "Delimiter"),
        (("Versions", "Key"), ("DeleteMarkers", "Key"), ("CommonPrefixes", "Prefix")),
    ),
}


def decode_listing(operation: str, result: dict[str, Any]) -> None:
    """``_decode_list_object``: with ``EncodingType=url`` set by :func:`prepare_params` (never when
    the caller asked for it) and echoed by the server, the keys are URL-decoded in place."""
    members = _DECODED_MEMBERS.get(operation)
    if members is None or result.get("EncodingType") != "url":
        return
    from urllib.parse import unquote_plus  # botocore's unquote_str; kept off s3lite's import path

    def decoded(text: str) -> str:
        return unquote_plus(text) if "%" in text or "+" in text else text  # nothing to decode: as it is

    top, nested = members
    for name in top:
        if name in result:
            result[name] = decoded(result[name])
    for name, child in nested:
        for item in result.get(name, ()):
            if child in item:
                item[child] = decoded(item[child])


def bucket_location(root_text: str | None, result: dict[str, Any]) -> None:
    """``parse_get_bucket_location``: the region is the root element's own text (``None`` for
    us-east-1's empty ``<LocationConstraint/>``), which the model cannot describe."""
    result["LocationConstraint"] = root_text
