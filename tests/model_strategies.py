"""Hypothesis strategies for the differential suites, generated from botocore's S3 model.

Two halves, both walking botocore's shapes (``botocore.session.get_session().get_service_model("s3")``)
so that every operation of the model is covered with no per-operation table:

- **requests** (:func:`call_params`): an operation's parameters from its input shape - required
  members always, optional ones sometimes, nested structures, lists, enums (a modeled value mostly,
  any string sometimes), timestamps in every form callers pass, blobs, booleans, integers within
  the model's range, strings with awkward Unicode where the member travels in the path, the query or
  the XML body and printable ASCII where it is a header. Members with a value space of their own
  (bucket names, keys, CopySource, SSE-C keys, checksums...) come from :data:`NAMED`, the strategies the
  seed-operation suites were written with (moved here unchanged).
- **responses** (:func:`responses`): what an S3 server could answer, from the output shape - header
  members (valid values, and sometimes unparseable ones), XML bodies encoded from the shape by this
  module's own encoder (:func:`xml_body`: nested structures, wrapped and flattened lists,
  ``locationName``\\ s, the ``xsi:type`` attribute, S3's root element names and namespace), raw string and
  blob payloads, SelectObjectContent's event stream (:func:`event_stream`), and error documents with
  generated and modeled codes.

What is not generated, and why, is said where it is left out.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import functools
import hashlib
import struct
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from xml.sax.saxutils import escape

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape
from hypothesis import strategies as st
from oracle import CannedResponse, _without_aws_environment


def _service_model() -> ServiceModel:
    with _without_aws_environment():
        return botocore.session.get_session().get_service_model("s3")


#: botocore's S3 model, the one the oracle clients use.
SERVICE = _service_model()
#: Every operation of the model, in its order.
OPERATION_NAMES: tuple[str, ...] = tuple(SERVICE.operation_names)
NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"


def operation_model(operation: str) -> OperationModel:
    return SERVICE.operation_model(operation)


# -- values the seed-operation suites were written with (moved from test_differential_requests.py) ---

#: What botocore computes without awscrt (s3-spec.md §2.6), in the spellings callers use.
COMPUTABLE_CHECKSUMS = ("CRC32", "SHA1", "SHA256", "SHA512", "crc32", "sha256")

#: Printable ASCII: what a header value may hold in both libraries.
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=24)
#: Any text that is UTF-8 encodable (no lone surrogates): keys, query values, XML text.
no_surrogates = st.characters(exclude_categories=["Cs"])
any_text = st.text(no_surrogates, max_size=12)
KEY_PIECES = ("/", "//", ".", "..", "./", "../", " ", "+", "%", "%2F", "%20", "?", "#", "&", "=", "~", "*", "é", "日本",
              "😀", "\\", ";", ":", "@", "$", "!", "'", "(", ")", "[", "]", "\t", "\n", "a", "photos", "A1")  # fmt: skip
keys = st.one_of(
    st.lists(st.one_of(st.sampled_from(KEY_PIECES), any_text), min_size=1, max_size=8).map("".join).filter(bool),
    any_text.filter(bool),
)
SPECIAL_SUFFIXES = ("--x-s3", "--xa-s3", "--op-s3")
ODD_BUCKETS = ("my.bucket", "My-Bucket", "my_bucket", "ab", "a", "192.168.1.1", "bucket-", "-bucket", "a" * 63, "a" * 64,
               "xn--bucket", "bucket.", "..", ".")  # fmt: skip
buckets = st.one_of(
    st.from_regex(r"[a-z0-9][a-z0-9-]{1,20}[a-z0-9]", fullmatch=True),  # DNS labels: virtual-hosted on AWS
    st.from_regex(r"[a-zA-Z0-9._-]{1,40}", fullmatch=True),  # anything botocore's bucket regex takes
    st.sampled_from(ODD_BUCKETS),
).filter(lambda b: not b.endswith(SPECIAL_SUFFIXES))

OFFSETS = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))])
moments = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1))
timestamps = st.one_of(
    moments,  # naive, often with microseconds: UTC by both libraries' rules
    moments.flatmap(lambda d: OFFSETS.map(lambda tz: d.replace(tzinfo=tz))),
    st.integers(min_value=0, max_value=7_258_118_400),
    st.floats(min_value=0, max_value=7_258_118_400, allow_nan=False).map(lambda f: round(f, 6)),
    moments.map(lambda d: d.isoformat()),
    moments.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
    moments.map(lambda d: email.utils.format_datetime(d.replace(tzinfo=UTC, microsecond=0), usegmt=True)),
    st.integers(min_value=0, max_value=4_102_444_800).map(str),
)
#: Keys unique ignoring case: botocore keeps one header of two such keys (see the fixed case below).
metadata = st.lists(
    st.tuples(st.from_regex(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}", fullmatch=True), header_text),
    max_size=4,
    unique_by=lambda item: item[0].lower(),
).map(dict)
version_ids = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=16)
upload_ids = st.one_of(
    st.text(st.sampled_from("ABCDEFabcdef0123456789+/=._-~ "), min_size=1, max_size=32), any_text.filter(bool)
)


@st.composite
def copy_sources(draw: st.DrawFn) -> str | dict[str, str]:
    """CopySource as a string (with or without ``?versionId=``) or as a dict (s3-spec.md §2.3)."""
    bucket, key = draw(buckets), draw(keys)
    form = draw(st.sampled_from(["str", "str-version", "str-leading-slash", "dict", "dict-version"]))
    if form == "str":
        return f"{bucket}/{key}"
    if form == "str-version":
        return f"{bucket}/{key}?versionId={draw(version_ids | header_text)}"
    if form == "str-leading-slash":
        return f"/{bucket}/{key}"
    source = {"Bucket": bucket, "Key": key}
    if form == "dict-version":
        source["VersionId"] = draw(version_ids | header_text.filter(bool))
    return source


checksum_values = st.one_of(
    st.binary(min_size=4, max_size=64).map(lambda b: base64.b64encode(b).decode()),
    st.from_regex(r"[A-Za-z0-9+/]{6}==-[1-9][0-9]{0,3}", fullmatch=True),  # composite checksums
)
CHECKSUM_MEMBERS = ("ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME", "ChecksumSHA1", "ChecksumSHA256",
                    "ChecksumSHA512", "ChecksumMD5", "ChecksumXXHASH64", "ChecksumXXHASH3", "ChecksumXXHASH128")  # fmt: skip


@st.composite
def completed_parts(draw: st.DrawFn) -> dict[str, Any]:
    """One CompletedPart, its members in a drawn order (botocore keeps the caller's order).

    Never empty and with no empty text: botocore writes empty elements as ``<X />`` and s3lite does
    not (test_empty_xml_elements_are_self_closing).
    """
    part: dict[str, Any] = {}
    for name in draw(st.permutations(("ETag", "PartNumber", *CHECKSUM_MEMBERS))):
        if name == "PartNumber":
            if draw(st.booleans()):
                part[name] = draw(st.integers(1, 10000))
        elif name == "ETag":
            if draw(st.integers(0, 3)):
                part[name] = draw(st.one_of(st.just('"9b2cf535f27731c974343645a3985328"'), any_text, header_text))
        elif draw(st.integers(0, 7)) == 0:
            part[name] = draw(checksum_values | any_text)
    return {name: value for name, value in part.items() if value != ""} or {"PartNumber": 1}


multipart_uploads = st.lists(completed_parts(), min_size=1, max_size=4).map(lambda parts: {"Parts": parts})


@st.composite
def sse_customer(draw: st.DrawFn, prefix: str) -> dict[str, Any]:
    """SSE-C members: a str or bytes key, with or without a caller-supplied KeyMD5 (s3-spec.md §2.2)."""
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out[f"{prefix}Algorithm"] = draw(st.sampled_from(["AES256", "aws:kms"]) | header_text)
    form = draw(st.sampled_from(["str", "bytes", "with-md5"]))
    if form == "str":
        out[f"{prefix}Key"] = draw(st.text(no_surrogates, min_size=1, max_size=40))
    elif form == "bytes":
        out[f"{prefix}Key"] = draw(st.binary(min_size=1, max_size=40))
    else:  # the caller did the encoding: both are sent verbatim
        out[f"{prefix}Key"] = base64.b64encode(draw(st.binary(min_size=32, max_size=32))).decode()
        out[f"{prefix}KeyMD5"] = draw(st.binary(min_size=16, max_size=16).map(lambda b: base64.b64encode(b).decode()))
    return out


#: Members with a value space of their own; the rest are generated from their botocore type.
NAMED: dict[str, st.SearchStrategy[Any]] = {
    "Bucket": buckets,
    "Key": keys,
    "Body": st.binary(max_size=300),
    "CopySource": copy_sources(),
    "MultipartUpload": multipart_uploads,
    "Metadata": metadata,
    "PartNumber": st.integers(1, 10000),
    "UploadId": upload_ids,
    "VersionId": st.one_of(st.just("3/L4kqtJl40Nr8X8gdRQBpUMLUo"), version_ids, any_text),
    "ChecksumAlgorithm": st.sampled_from(COMPUTABLE_CHECKSUMS),
    "ContentMD5": st.binary(min_size=16, max_size=16).map(lambda b: base64.b64encode(b).decode()) | header_text,
    "SSEKMSKeyId": st.sampled_from(
        ["arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "alias/my key", ""]
    )
    | header_text,
    "SSEKMSEncryptionContext": st.dictionaries(header_text, header_text, max_size=2).map(
        lambda d: base64.b64encode(repr(d).encode()).decode()
    ),
    "Range": st.sampled_from(["bytes=0-9", "bytes=-5", "bytes=10-"]) | header_text,
    "CopySourceRange": st.sampled_from(["bytes=0-9", "bytes=0-5242879"]) | header_text,
    **{name: checksum_values | header_text for name in CHECKSUM_MEMBERS},
}
GROUPED_MEMBERS = {"SSECustomerAlgorithm", "SSECustomerKey", "SSECustomerKeyMD5", *CHECKSUM_MEMBERS}


# -- values the seed-operation suites were written with (moved from test_differential_responses.py) --

#: A header value as an HTTP parser hands it over: printable ASCII, no surrounding whitespace.
header_values = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=24).map(str.strip)
#: Element text: any character XML 1.0 allows.
xml_text = st.text(
    st.characters(exclude_categories=["Cs", "Cc"]) | st.sampled_from("\t\n &<>\"'"),
    max_size=16,
)
rfc822 = moments.map(lambda d: email.utils.format_datetime(d.replace(tzinfo=UTC, microsecond=0), usegmt=True))
header_timestamps = st.one_of(
    rfc822,
    moments.flatmap(lambda d: OFFSETS.map(lambda tz: email.utils.format_datetime(d.replace(microsecond=0, tzinfo=tz)))),
    moments.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"),
    moments.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
    st.integers(min_value=0, max_value=4_102_444_800).map(str),
)
xml_timestamps = st.one_of(
    moments.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"),
    moments.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
    moments.flatmap(lambda d: OFFSETS.map(lambda tz: d.replace(tzinfo=tz).isoformat())),
)
integers = st.one_of(
    st.integers(min_value=0, max_value=2**63 - 1).map(str),
    st.integers(min_value=-99, max_value=99).map(lambda n: f"{n:+04d}"),  # sign and leading zeros
)
#: "exactly `true` -> True else False" (s3-spec.md §2.11): the other spellings are the point.
booleans = st.one_of(
    st.sampled_from(["true", "false"]),
    st.sampled_from(["True", "TRUE", "False", " true"]),
    st.sampled_from(["yes", "1", "0", "", "truee"]),
)
etags = st.one_of(
    st.binary(min_size=16, max_size=16).map(lambda b: f'"{b.hex()}"'),
    st.binary(min_size=16, max_size=16).map(lambda b: f'"{b.hex()}-3"'),
    st.binary(min_size=4, max_size=8).map(lambda b: f'W/"{b.hex()}"'),
    header_values,
)
checksums = st.binary(min_size=4, max_size=32).map(lambda b: base64.b64encode(b).decode())
#: RFC 822 and epoch strings parse in both libraries; these parse in neither.
UNPARSEABLE_DATES = ("never", "soon!", "Thu, 32 Foo 2020 99:99:99 GMT", "-", "0x10", "2020-13-45T00:00:00Z")
NAMED_HEADERS: dict[str, st.SearchStrategy[str]] = {
    "ETag": etags,
    "ContentRange": st.sampled_from(["bytes 0-9/443", "bytes */443"]) | header_values,
    "AcceptRanges": st.just("bytes") | header_values,
    "Expiration": st.just('expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="picture-deletion-rule"')
    | header_values,
    "Restore": st.just('ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"') | header_values,
    "Expires": rfc822,
}
ERROR_CODES = ("NoSuchKey", "NoSuchUpload", "NoSuchBucket", "InvalidObjectState", "ObjectNotInActiveTierError",
               "InvalidRequest", "InvalidWriteOffset", "TooManyParts", "EncryptionTypeMismatch",
               "BucketAlreadyExists", "BucketAlreadyOwnedByYou", "ObjectAlreadyInActiveTierError",
               "SlowDown", "InternalError", "RequestTimeout", "PreconditionFailed", "Throttling", "BadDigest",
               "SignatureDoesNotMatch", "InvalidArgument", "ServiceUnavailable", "NotImplemented")  # fmt: skip
ERROR_STATUSES = (400, 403, 404, 405, 409, 411, 412, 416, 500, 501, 502, 503, 504)


@st.composite
def request_ids(draw: st.DrawFn) -> dict[str, str]:
    """The ids S3 and its clones put on every response, in any combination."""
    headers: dict[str, str] = {}
    ident = st.from_regex(r"[A-Z0-9]{16}", fullmatch=True)
    if draw(st.booleans()):
        headers["x-amz-request-id"] = draw(ident)
    if draw(st.booleans()):
        headers["x-amz-id-2"] = draw(st.from_regex(r"[A-Za-z0-9+/=]{20,40}", fullmatch=True))
    if draw(st.integers(0, 3)) == 0:
        headers["x-amzn-RequestId"] = draw(ident)
    if draw(st.booleans()):
        headers["Date"] = draw(rfc822)
        headers["Server"] = "AmazonS3"
    return headers


def xml_document(
    root: str, children: list[tuple[str, str]], *, namespace: bool, declaration: bool, pretty: bool
) -> bytes:
    """An XML body as servers write it: maybe a declaration, a namespace, indentation, ``<X/>``."""
    inner = []
    for name, text in children:
        escaped = escape(text, {'"': "&quot;"})
        inner.append(f"<{name}/>" if text == "" and pretty else f"<{name}>{escaped}</{name}>")
    separator = "\n  " if pretty else ""
    xmlns = f' xmlns="{NAMESPACE}"' if namespace else ""
    body = f"<{root}{xmlns}>{separator}{separator.join(inner)}{chr(10) if pretty else ''}</{root}>"
    prolog = '<?xml version="1.0" encoding="UTF-8"?>\n' if declaration else ""
    return (prolog + body).encode()


def with_length(status: int, headers: dict[str, str], body: bytes, length: int | None = None) -> CannedResponse:
    """Content-Length stated, so httpx adds none of its own and both sides see the same headers."""
    return CannedResponse(status, {**headers, "Content-Length": str(len(body) if length is None else length)}, body)


# -- requests, from the input shapes --------------------------------------------------------------

SESSION_TOKEN = "FwoGZXIvYXdzEBYaD+/token=="
#: (name, endpoint_url, region): a path-style custom endpoint over http, AWS itself over https
#: (virtual-hosted for DNS-label buckets), and a custom https endpoint with a path prefix.
ENDPOINTS = (
    ("custom-http", "http://127.0.0.1:9000", "us-east-1"),
    ("aws", None, "us-west-2"),
    ("custom-https-prefix", "https://minio.example.com:8443/store", "eu-central-1"),
)
#: botocore sends these path-style to AWS whatever the bucket (its customize_endpoint_resolver_builtins
#: forces path style for GetBucketLocation); s3lite virtual-hosts them like any other:
#: test_get_bucket_location_is_path_style_on_aws pins it, and the AWS endpoint is not drawn for them.
PATH_STYLE_ON_AWS = frozenset({"GetBucketLocation"})
#: botocore computes an SSE-C key's base64 and MD5 only for these (its ``sse_md5`` handler is
#: registered for them alone, botocore/handlers.py); for any other operation with an SSECustomerKey
#: member the value is sent as given, like any header.
SSE_MD5_OPERATIONS = frozenset({"HeadObject", "GetObject", "PutObject", "CopyObject", "CreateMultipartUpload",
                                "UploadPart", "UploadPartCopy", "CompleteMultipartUpload", "SelectObjectContent"})  # fmt: skip
#: ... and ``copy_source_sse_md5`` for these.
COPY_SOURCE_SSE_MD5_OPERATIONS = frozenset({"CopyObject", "UploadPartCopy"})
#: :data:`NAMED` entries that may draw non-ASCII text: not used for a header of that name (a header
#: value must be printable ASCII in both libraries; WriteGetObjectResponse sends VersionId as one).
_NON_ASCII_NAMED = frozenset({"Bucket", "Key", "VersionId", "UploadId"})
#: Below this depth nested structures get their required members only, lists at most two items.
_DEEP = 3
_HEADER_CHARS = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
_LOWER, _UPPER, _DIGITS = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
_LOWER_DIGITS = _LOWER + _DIGITS
_ALPHANUMERIC = _LOWER + _UPPER + _DIGITS


@functools.cache
def chars(alphabet: str, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """Text over ``alphabet``: what ``st.from_regex`` of a character class makes, several times faster."""
    return st.text(st.sampled_from(alphabet), min_size=min_size, max_size=max_size)


#: hostLabel values (WriteGetObjectResponse's RequestRoute): botocore takes ``^[A-Za-z0-9\.\-]+$``;
#: DNS labels mostly, sometimes dotted or hyphen-led ones. Not upper case: botocore signs the host
#: lower-cased and sends it as given, s3lite signs it as sent (test_an_upper_case_host_prefix).
host_labels = st.one_of(
    st.tuples(chars(_LOWER_DIGITS, 1, 1), chars(_LOWER_DIGITS + "-", 0, 14), chars(_LOWER_DIGITS, 0, 1)).map("".join),
    st.lists(chars(_LOWER_DIGITS + "-", 1, 10), min_size=1, max_size=3).map(".".join),
)


def _text(location: str, minimum: int) -> st.SearchStrategy[str]:
    """Text for a string member: printable ASCII in a header, any UTF-8-encodable text elsewhere."""
    if location in ("header", "headers"):
        if not minimum:
            return header_text
        return st.text(_HEADER_CHARS, min_size=minimum, max_size=max(24, minimum + 8))
    if not minimum:
        return any_text
    return st.text(no_surrogates, min_size=minimum, max_size=max(12, minimum + 8))


def _integers(shape: Shape) -> st.SearchStrategy[int]:
    top = 2**31 - 1 if shape.type_name == "integer" else 2**63 - 1
    return st.integers(min_value=max(0, shape.metadata.get("min", 0)), max_value=shape.metadata.get("max", top))


def value_strategy(shape: Shape, *, name: str, location: str, depth: int) -> st.SearchStrategy[Any]:
    """Values for one member (``name`` its member name, ``location`` where it travels)."""
    kind = shape.type_name
    if (
        kind not in ("structure", "list", "map")
        and name in NAMED
        and not (location in ("header", "headers") and name in _NON_ASCII_NAMED)
    ):
        return NAMED[name]
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        return structures(shape, depth)
    if kind == "list":
        item = value_strategy(shape.member, name="", location=location, depth=depth + 1)
        return st.lists(item, min_size=shape.metadata.get("min", 0), max_size=3 if depth < _DEEP else 2)
    if kind == "map":
        return metadata  # the only map of S3's model: x-amz-meta-* headers
    if kind == "string":
        text = _text(location, shape.metadata.get("min", 0))
        if shape.enum:
            return st.one_of(st.sampled_from(shape.enum), st.sampled_from(shape.enum), text)
        return text
    if kind == "boolean":
        return st.booleans()
    if kind in ("integer", "long"):
        return _integers(shape)
    if kind == "timestamp":
        return timestamps
    if kind == "blob":
        return st.binary(max_size=64)
    raise AssertionError(f"no strategy for {kind} ({shape.name})")


def structures(shape: StructureShape, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    """A nested structure: its required members, some optional ones, sometimes in another order
    (botocore writes XML children in the caller's order); a union has exactly one member."""
    members = shape.members

    def member(name: str) -> st.SearchStrategy[Any]:
        return value_strategy(members[name], name=name, location="body", depth=depth + 1)

    if shape.metadata.get("union"):
        return st.one_of([st.fixed_dictionaries({name: member(name)}) for name in members])
    required = {name: member(name) for name in shape.required_members}
    optional = {} if depth >= _DEEP else {name: member(name) for name in members if name not in required}
    return _reordered(st.fixed_dictionaries(required, optional=optional))


@st.composite
def _reordered(draw: st.DrawFn, dicts: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    value = draw(dicts)
    if len(value) > 1 and draw(st.integers(0, 3)) == 0:
        return {key: value[key] for key in draw(st.permutations(list(value)))}
    return value


@functools.cache
def _top_level(operation: str) -> dict[str, st.SearchStrategy[Any]]:
    """Each top-level member's strategy, built once per operation."""
    shape = operation_model(operation).input_shape
    payload = shape.serialization.get("payload")
    out: dict[str, st.SearchStrategy[Any]] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location", "body")
        if member.serialization.get("hostLabel"):
            out[name] = host_labels
        elif name == payload and member.type_name == "blob":
            out[name] = st.binary(max_size=300)
        elif name == payload and member.type_name == "string":
            out[name] = st.text(no_surrogates, max_size=40)
        elif member.type_name == "structure":
            out[name] = structures(member, 0)
        else:
            out[name] = value_strategy(member, name=name, location=location, depth=0)
    return out


def _sse_members(operation: str, prefix: str) -> bool:
    return prefix == "SSECustomer" and operation in SSE_MD5_OPERATIONS or operation in COPY_SOURCE_SSE_MD5_OPERATIONS


def streaming_trailer_case(operation: str, endpoint: str, params: dict[str, Any]) -> bool:
    """ChecksumAlgorithm on a streaming upload over https with no precomputed checksum: botocore then
    sends an aws-chunked body with the checksum in a trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER) and
    s3lite knowingly a header checksum (its own suite covers the streaming paths)."""
    model = operation_model(operation)
    member = model.http_checksum.get("requestAlgorithmMember")
    return bool(
        model.has_streaming_input
        and endpoint != "custom-http"
        and member in params
        and not any(name in params for name in CHECKSUM_MEMBERS)
    )


@functools.cache
def _member_plan(operation: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(members always given, optional members but the payload, SSE-C prefixes drawn as a group)."""
    shape = operation_model(operation).input_shape
    grouped = tuple(
        prefix
        for prefix in ("SSECustomer", "CopySourceSSECustomer")
        if f"{prefix}Key" in shape.members and _sse_members(operation, prefix)
    )
    always, optional = [], []
    for name, member in shape.members.items():
        if name in CHECKSUM_MEMBERS or any(name.startswith(prefix) for prefix in grouped):
            continue
        if name in shape.required_members or member.metadata.get("idempotencyToken"):
            always.append(name)
        elif name != shape.serialization.get("payload"):
            optional.append(name)
    return tuple(always), tuple(optional), grouped


@st.composite
def call_params(draw: st.DrawFn, operation: str) -> tuple[str, str | None, dict[str, Any]]:
    """(endpoint, session token, params) for any operation of the model.

    As the seed suite does: required members always, each optional one in four (the payload in three of four:
    a body is what most of these operations are about), SSE-C members drawn together where
    botocore derives the MD5, at most two checksum values, and the whole in a random order (botocore
    builds the query string in the caller's order). The idempotency token (RenameObject's
    ClientToken) is always given: botocore makes a random UUID of a missing one.
    """
    endpoint = draw(
        st.sampled_from([e[0] for e in ENDPOINTS if not (e[0] == "aws" and operation in PATH_STYLE_ON_AWS)])
    )
    token = draw(st.sampled_from([None, SESSION_TOKEN]))
    shape = operation_model(operation).input_shape
    payload = shape.serialization.get("payload")
    strategies = _top_level(operation)
    always, optional, grouped = _member_plan(operation)
    chosen = [name for name in optional if draw(st.integers(0, 3)) == 0]
    if payload in strategies and payload not in always and draw(st.integers(0, 3)) < 3:
        chosen.append(payload)
    params: dict[str, Any] = {name: draw(strategies[name]) for name in (*always, *chosen)}
    for prefix in grouped:
        if draw(st.integers(0, 3)) == 0:
            params.update(draw(sse_customer(prefix)))
    checksums = [name for name in CHECKSUM_MEMBERS if name in shape.members]
    if draw(st.booleans()) and checksums:
        for name in draw(st.lists(st.sampled_from(checksums), min_size=1, max_size=2, unique=True)):
            params[name] = draw(strategies[name])
    if streaming_trailer_case(operation, endpoint, params):
        del params[operation_model(operation).http_checksum["requestAlgorithmMember"]]
    if "ContentLength" in params and payload in shape.members and shape.members[payload].type_name == "blob":
        # s3lite refuses a ContentLength that is not the body's length; botocore sends it as it is
        params["ContentLength"] = len(params.get(payload, b""))
    order = draw(st.permutations(list(params)))
    return endpoint, token, {name: params[name] for name in order}


def checksum_defaulted(operation: str, params: dict[str, Any]) -> bool:
    """Whether the request checksum is the library's to choose: the operation requires one
    (``httpChecksum.requestChecksumRequired``) and the caller named no ChecksumAlgorithm and set no
    ``x-amz-checksum-*`` header. botocore 1.44 then sends a CRC32 (``x-amz-checksum-crc32`` and
    ``x-amz-sdk-checksum-algorithm: CRC32``), s3lite a Content-MD5: the documented difference."""
    model = operation_model(operation)
    checksum = model.http_checksum
    if not (model.http_checksum_required or checksum.get("requestChecksumRequired")):
        return False
    if checksum.get("requestAlgorithmMember") in params:
        return False
    members = model.input_shape.members
    return not any(
        members[name].serialization.get("location") == "header"
        and members[name].serialization.get("name", "").lower().startswith("x-amz-checksum-")
        for name in params
    )


def content_md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode()


# -- fixed, minimal parameters (the response suites: the response is what is under test) -----------

_PLAIN_STRINGS = {"Bucket": "bucket", "Key": "key", "CopySource": "source/key", "RenameSource": "source/key",
                  "RequestRoute": "route", "UploadId": "upload-id"}  # fmt: skip


def _plain(shape: Shape, name: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        names = list(shape.members)[:1] if shape.metadata.get("union") else shape.required_members
        return {member: _plain(shape.members[member], member) for member in names}
    if kind == "list":
        return [_plain(shape.member, "")] if shape.metadata.get("min", 0) else []
    if kind == "map":
        return {}
    if kind == "string":
        return shape.enum[0] if shape.enum else _PLAIN_STRINGS.get(name, "x" * max(1, shape.metadata.get("min", 1)))
    if kind in ("integer", "long"):
        return max(1, shape.metadata.get("min", 1))
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return datetime(2024, 1, 1, tzinfo=UTC)
    return b"data"


@functools.cache
def _minimal(operation: str) -> tuple[tuple[str, Any], ...]:
    shape = operation_model(operation).input_shape
    return tuple((name, _plain(shape.members[name], name)) for name in shape.required_members)


def minimal_params(operation: str) -> dict[str, Any]:
    """The operation's required members with plain, valid values (a fresh copy each time)."""
    import copy

    return copy.deepcopy(dict(_minimal(operation)))


# -- responses, from the output shapes ------------------------------------------------------------

#: The root element S3 answers each operation with (botocore reads the root's children and ignores
#: its name; a payload structure's root is its member's locationName).
XML_ROOTS = {
    "CreateMultipartUpload": "InitiateMultipartUploadResult",
    "CompleteMultipartUpload": "CompleteMultipartUploadResult",
    "CreateSession": "CreateSessionResult",
    "DeleteObjects": "DeleteResult",
    "GetBucketAccelerateConfiguration": "AccelerateConfiguration",
    "GetBucketAcl": "AccessControlPolicy",
    "GetBucketCors": "CORSConfiguration",
    "GetBucketLifecycle": "LifecycleConfiguration",
    "GetBucketLifecycleConfiguration": "LifecycleConfiguration",
    "GetBucketLogging": "BucketLoggingStatus",
    "GetBucketNotification": "NotificationConfiguration",
    "GetBucketNotificationConfiguration": "NotificationConfiguration",
    "GetBucketRequestPayment": "RequestPaymentConfiguration",
    "GetBucketTagging": "Tagging",
    "GetBucketVersioning": "VersioningConfiguration",
    "GetBucketWebsite": "WebsiteConfiguration",
    "GetObjectAcl": "AccessControlPolicy",
    "GetObjectAttributes": "GetObjectAttributesResponse",
    "GetObjectTagging": "Tagging",
    "ListBucketAnalyticsConfigurations": "ListBucketAnalyticsConfigurationResult",
    "ListBucketIntelligentTieringConfigurations": "ListBucketIntelligentTieringConfigurationsOutput",
    "ListBucketInventoryConfigurations": "ListInventoryConfigurationsResult",
    "ListBucketMetricsConfigurations": "ListMetricsConfigurationsResult",
    "ListBuckets": "ListAllMyBucketsResult",
    "ListDirectoryBuckets": "ListAllMyDirectoryBucketsResult",
    "ListMultipartUploads": "ListMultipartUploadsResult",
    "ListObjectVersions": "ListVersionsResult",
    "ListObjects": "ListBucketResult",
    "ListObjectsV2": "ListBucketResult",
    "ListParts": "ListPartsResult",
}
#: Members botocore's ``decode_list_object*`` handlers read without checking (``member["Key"]``):
#: a <Contents> without <Key> crashes botocore with a KeyError when EncodingType is url, so these
#: are always present (by structure shape name).
ALWAYS_PRESENT = {"Object": "Key", "ObjectVersion": "Key", "DeleteMarkerEntry": "Key", "CommonPrefix": "Prefix"}
#: Text for the members S3 url-encodes under EncodingType=url: escapes, '+', and broken escapes.
url_texts = st.one_of(
    xml_text,
    st.lists(st.sampled_from(["a", "%20", "+", "%2B", "%E6%97%A5", "%zz", "%", "%2", "/", "é", " "]), max_size=5).map(
        "".join
    ),
)
XML_NAMED: dict[str, st.SearchStrategy[str]] = {
    "ETag": etags,
    **{name: url_texts for name in ("Key", "Prefix", "Delimiter", "Marker", "NextMarker", "StartAfter", "KeyMarker",
                                    "NextKeyMarker")},
    **{name: checksums | xml_text for name in CHECKSUM_MEMBERS},
}  # fmt: skip
#: What neither library can parse as the member's type (botocore raises a bare ValueError).
INVALID_SCALARS: dict[str, st.SearchStrategy[str]] = {
    "integer": st.sampled_from(["", "abc", "1.5", "0x10", "1e3"]),
    "long": st.sampled_from(["", "abc", "1.5", "0x10", "1e3"]),
    "timestamp": st.sampled_from(UNPARSEABLE_DATES),
}
HEADER_BY_TYPE: dict[str, st.SearchStrategy[str]] = {
    "integer": integers,
    "long": integers,
    "boolean": booleans,
    "timestamp": header_timestamps,
}
ATTRIBUTE_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\t": "&#9;"}


def _cased(name: str, style: int) -> str:
    return (name, name.lower(), name.upper())[style]


@functools.cache
def _header_plan(operation: str) -> tuple[tuple[tuple[str, st.SearchStrategy[str], str | None], ...], str | None]:
    """((header name, value strategy, the type whose unparseable values it may get) per output header
    member, the header-map prefix), built once per operation."""
    shape = operation_model(operation).output_shape
    plan: list[tuple[str, st.SearchStrategy[str], str | None]] = []
    prefix = None
    for name, member in shape.members.items() if shape is not None else ():
        location = member.serialization.get("location")
        if location == "headers":
            prefix = member.serialization["name"]
        if location != "header" or name == "ContentLength":  # ContentLength: stated by with_length
            continue
        kind = member.type_name
        if name in NAMED_HEADERS:
            strategy = NAMED_HEADERS[name]
        elif name.startswith("Checksum") and name not in ("ChecksumType", "ChecksumAlgorithm"):
            strategy = checksums | header_values
        elif getattr(member, "enum", None):
            strategy = st.sampled_from(member.enum) | header_values
        else:
            strategy = HEADER_BY_TYPE.get(kind, header_values)
        spoilable = kind if kind in INVALID_SCALARS and name != "Expires" else None
        plan.append((member.serialization["name"], strategy, spoilable))
    return tuple(plan), prefix


_METADATA_KEYS = chars(_LOWER_DIGITS + "!#$%&'*+.^_`|~-", 1, 12)


@st.composite
def output_headers(draw: st.DrawFn, operation: str, *, invalid: bool) -> dict[str, str]:
    """Each of the operation's output header members in three, names in a drawn case; with ``invalid``,
    now and then a number or a date neither library can parse."""
    plan, prefix = _header_plan(operation)
    headers: dict[str, str] = {}
    if plan:
        for wire, strategy, spoilable in plan:
            if draw(st.integers(0, 2)):
                continue
            if invalid and spoilable and draw(st.integers(0, 9)) == 0:
                strategy = INVALID_SCALARS[spoilable]
            headers[_cased(wire, draw(st.integers(0, 2)))] = draw(strategy)
    if prefix is not None:
        # lower-case names, as S3 sends them (mixed case: the seed suite's fixed case)
        for key, value in draw(st.dictionaries(_METADATA_KEYS, header_values, max_size=3)).items():
            headers[f"{prefix}{key}"] = value
    return headers


@st.composite
def _scalar_text(draw: st.DrawFn, shape: Shape, name: str, invalid: bool) -> str:
    kind = shape.type_name
    if invalid and kind in INVALID_SCALARS and draw(st.integers(0, 19)) == 0:
        return draw(INVALID_SCALARS[kind])
    return draw(_text_of(shape.name, name))


@functools.cache
def _text_of(shape_name: str, name: str) -> st.SearchStrategy[str]:
    """Element text for a scalar shape (by name: shapes are cached, strategies built once)."""
    shape = SERVICE.shape_for(shape_name)
    kind = shape.type_name
    if name in XML_NAMED and kind == "string":
        return XML_NAMED[name]
    if kind == "string":
        return st.sampled_from(shape.enum) | xml_text if shape.enum else xml_text
    if kind in ("integer", "long"):
        return integers
    if kind == "boolean":
        return booleans
    if kind == "timestamp":
        return xml_timestamps
    if kind == "blob":
        return st.binary(max_size=24).map(lambda raw: base64.b64encode(raw).decode())
    raise AssertionError(f"no XML text for {kind} ({shape.name})")


def _element(tag: str, inner: str, attributes: str, *, short: bool) -> str:
    return f"<{tag}{attributes}/>" if not inner and short else f"<{tag}{attributes}>{inner}</{tag}>"


class _Style:
    """How one document is written: indentation, ``<X/>`` for empty elements, whether bad values appear."""

    def __init__(self, *, pretty: bool, short: bool, invalid: bool) -> None:
        self.pretty, self.short, self.invalid = pretty, short, invalid

    def join(self, children: list[str]) -> str:
        return "".join(f"\n  {child}" for child in children) + "\n" if self.pretty and children else "".join(children)


@st.composite
def _structure_xml(draw: st.DrawFn, shape: StructureShape, depth: int, style: _Style) -> tuple[str, str]:
    """(attributes, inner XML) of a structure's element: each member in two (in three at the top),
    elements in model order mostly, an unknown element now and then."""
    attributes: list[str] = []
    children: list[str] = []
    always = ALWAYS_PRESENT.get(shape.name)
    shared = _shared_elements(shape)
    for name, member in shape.members.items():
        if name != always and draw(st.integers(0, 2 if depth == 0 else 1)) == 0:
            continue
        wire = member.serialization.get("name", name)
        if name in shared:
            continue
        if member.serialization.get("xmlAttribute"):
            value = draw(_scalar_text(member, name, False))
            prefix = wire.split(":", 1)[0] if ":" in wire else ""
            namespace = shape.serialization.get("xmlNamespace", {})
            if prefix and isinstance(namespace, dict) and namespace.get("prefix") == prefix:
                attributes.append(f' xmlns:{prefix}="{namespace["uri"]}"')
            attributes.append(f' {wire}="{escape(value, ATTRIBUTE_ENTITIES)}"')
            continue
        children.extend(draw(_member_xml(member, wire, name, depth + 1, style)))
    if draw(st.integers(0, 9)) == 0:
        children.append(f"<SomethingNew>{escape(draw(xml_text))}</SomethingNew>")
    if len(children) > 1 and draw(st.integers(0, 4)) == 0:
        children = [children[i] for i in draw(st.permutations(range(len(children))))]
    return "".join(attributes), style.join(children)


def _shared_elements(shape: Any) -> dict[str, str]:
    """Members of ``shape`` whose XML elements have the same name (botocore's ``_member_key_name``), by
    member -> element name; they are not generated. Only GetBucketNotification's deprecated
    configurations have them: their ``Event`` string and ``Events`` flattened list both read
    ``<Event>``. With one ``<Event>`` both libraries fill both members
    (test_differential_all.test_a_deprecated_event_element_fills_both_members); with two or more
    botocore returns ``Event`` as a list of ElementTree nodes (s3lite: the first one's text)."""
    keys: dict[str, list[str]] = {}
    for name, member in shape.members.items():
        key = member.serialization.get("name", name)
        if member.type_name == "list" and member.serialization.get("flattened"):
            key = member.member.serialization.get("name", key)
        keys.setdefault(key, []).append(name)
    return {name: key for key, names in keys.items() if len(names) > 1 for name in names}


@st.composite
def _member_xml(
    draw: st.DrawFn, shape: Shape, tag: str, name: str, depth: int, style: _Style, most: int = 3
) -> list[str]:
    """The element(s) of one member: one, or for a flattened list one per item (at most ``most``)."""
    kind = shape.type_name
    if kind == "list":
        item_shape: Shape = shape.member
        count = draw(st.integers(0, most if depth < _DEEP else min(most, 1)))
        if shape.serialization.get("flattened"):
            # "a flattened list with a serialization name uses the locationName of its member" (botocore's
            # _member_key_name): items repeat in the parent, named for the item shape where it has a name
            item_tag = item_shape.serialization.get("name", tag)
            return [draw(_value_xml(item_shape, item_tag, name, depth, style)) for _ in range(count)]
        item_tag = item_shape.serialization.get("name", "member")
        items = [draw(_value_xml(item_shape, item_tag, name, depth, style)) for _ in range(count)]
        return [_element(tag, style.join(items), "", short=style.short)]
    return [draw(_value_xml(shape, tag, name, depth, style))]


@st.composite
def _value_xml(draw: st.DrawFn, shape: Shape, tag: str, name: str, depth: int, style: _Style) -> str:
    if shape.type_name == "structure":
        assert isinstance(shape, StructureShape)
        attributes, inner = draw(_structure_xml(shape, depth, style))
        return _element(tag, inner, attributes, short=style.short)
    if shape.type_name == "list":  # a list of lists: not in S3's model, but the rule is the same
        (element,) = draw(_member_xml(shape, tag, name, depth, style))
        return element
    text = draw(_scalar_text(shape, name, style.invalid))
    return _element(tag, escape(text, {'"': "&quot;"}), "", short=style.short)


def _document(root: str, attributes: str, inner: str, *, namespace: bool, declaration: bool) -> bytes:
    xmlns = f' xmlns="{NAMESPACE}"' if namespace else ""
    prolog = '<?xml version="1.0" encoding="UTF-8"?>\n' if declaration else ""
    return f"{prolog}<{root}{xmlns}{attributes}>{inner}</{root}>".encode()


@st.composite
def xml_body(draw: st.DrawFn, operation: str, *, invalid: bool = False) -> bytes:
    """A 200 body for an operation whose result (or payload member) is read from XML."""
    model = operation_model(operation)
    shape = model.output_shape
    payload = shape.serialization.get("payload")
    style = _Style(pretty=draw(st.booleans()), short=draw(st.booleans()), invalid=invalid)
    namespace, declaration = draw(st.booleans()), draw(st.booleans())
    if operation == "GetBucketLocation":
        # botocore's parse_get_bucket_location: the root element itself is the value
        region = draw(st.sampled_from(shape.members["LocationConstraint"].enum) | st.just(""))
        return _document("LocationConstraint", "", region, namespace=namespace, declaration=declaration)
    if payload:
        member = shape.members[payload]
        assert isinstance(member, StructureShape)
        root, body_shape = member.serialization.get("name", payload), member
    else:
        root, body_shape = XML_ROOTS.get(operation, f"{operation}Result"), shape
    body_members = {n: m for n, m in body_shape.members.items() if not m.serialization.get("location")}
    # the document's root carries the body members; location members are headers, not XML
    trimmed = _BodyView(body_shape, body_members)
    attributes, inner = draw(_structure_xml(trimmed, 0, style))
    return _document(root, attributes, inner, namespace=namespace, declaration=declaration)


class _BodyView:
    """A structure shape seen through its body members only (what _structure_xml reads of it)."""

    def __init__(self, shape: StructureShape, members: dict[str, Shape]) -> None:
        self.name = shape.name
        self.members = members
        self.serialization = shape.serialization
        self.metadata = shape.metadata


# -- SelectObjectContent's event stream -------------------------------------------------------------


def _event_header(name: str, value: str) -> bytes:
    """One header of an event-stream message: name length, name, type 7 (string), value length, value."""
    raw_name, raw_value = name.encode(), value.encode()
    return struct.pack("B", len(raw_name)) + raw_name + b"\x07" + struct.pack(">H", len(raw_value)) + raw_value


def event_message(headers: dict[str, str], payload: bytes) -> bytes:
    """An AWS event-stream message: prelude (total length, headers length, prelude CRC32), headers,
    payload, message CRC32."""
    encoded = b"".join(_event_header(name, value) for name, value in headers.items())
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack(">II", total, len(encoded))
    prelude += struct.pack(">I", binascii.crc32(prelude))
    message = prelude + encoded + payload
    return message + struct.pack(">I", binascii.crc32(message))


@st.composite
def event_stream(draw: st.DrawFn, operation: str) -> bytes:
    """A SelectObjectContent body: events of the model's event-stream shape (a blob payload raw, a
    structure payload as XML), then maybe an error event."""
    shape = operation_model(operation).output_shape
    stream_shape = shape.members[shape.serialization["payload"]]
    events = list(stream_shape.members.items())
    style = _Style(pretty=False, short=draw(st.booleans()), invalid=False)
    messages = []
    for event_name, event_shape in draw(st.lists(st.sampled_from(events), max_size=5)):
        payload = b""
        content_type = "application/octet-stream"
        for member in event_shape.members.values():
            if not member.serialization.get("eventpayload"):
                continue
            if member.type_name == "blob":
                payload = draw(st.binary(max_size=40))
            else:
                attributes, inner = draw(_structure_xml(member, 0, style))
                payload = _document(member.name, attributes, inner, namespace=False, declaration=False)
                content_type = "text/xml"
        headers = {":message-type": "event", ":event-type": event_name, ":content-type": content_type}
        messages.append(event_message(headers, payload))
    if draw(st.integers(0, 4)) == 0:
        code = draw(st.sampled_from(["InternalError", "CSVParsingError", "OverMaxRecordSize"]))
        headers = {":message-type": "error", ":error-code": code, ":error-message": draw(header_values)}
        messages.append(event_message(headers, b""))
    return b"".join(messages)


# -- errors -----------------------------------------------------------------------------------------

#: Operations every body of which is well-formed XML here: botocore's parse_get_bucket_location
#: (an after-call handler) parses the body of every GetBucketLocation response, errors included, and
#: crashes with a bare ParseError on an empty or non-XML one, where s3lite raises a ClientError or
#: returns the result (test_differential_all's fixed cases pin both).
XML_ONLY = frozenset({"GetBucketLocation"})
#: Codes that make both libraries redirect (a second request): the retry suites' business.
REDIRECT_CODES = ("PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException")
#: Every code botocore's model has an exception class for, with the members the class carries.
MODELED_ERRORS = {shape.name: shape for shape in SERVICE.error_shapes}


@functools.cache
def _error_codes(operation: str) -> st.SearchStrategy[str]:
    own = [shape.name for shape in operation_model(operation).error_shapes]
    return st.one_of(
        st.sampled_from(ERROR_CODES),
        st.sampled_from(sorted(MODELED_ERRORS)),
        *([st.sampled_from(own)] if own else []),
        chars(_LOWER + _UPPER, 1, 20).filter(lambda c: c not in REDIRECT_CODES),
    )


_MESSAGES = st.just("The specified key does not exist.") | xml_text


@st.composite
def error_xml(draw: st.DrawFn, operation: str, *, members: bool = True) -> tuple[bytes, str]:
    """An S3 ``<Error>`` document and its code: a common code, a modeled one (the operation's own
    more often), or any; Message, Key, RequestId, HostId and other extras; a modeled error's members
    (with ``members``)."""
    code = draw(_error_codes(operation))
    children = [("Code", code)]
    if draw(st.integers(0, 5)):
        children.append(("Message", draw(_MESSAGES)))
    for name in ("Key", "BucketName", "UploadId", "Resource", "Condition", "ArgumentName"):
        if draw(st.integers(0, 4)) == 0:
            children.append((name, draw(xml_text)))
    modeled = MODELED_ERRORS.get(code) if members else None
    for name in modeled.members if modeled is not None else ():
        if draw(st.booleans()):
            children.append((name, draw(xml_text)))
    for name in ("RequestId", "HostId"):
        if draw(st.booleans()):
            children.append((name, draw(chars(_ALPHANUMERIC + "+/=", 8, 24))))
    order = draw(st.permutations(range(len(children))))
    body = xml_document(
        "Error",
        [children[i] for i in order],
        namespace=False,
        declaration=draw(st.booleans()),
        pretty=draw(st.booleans()),
    )
    return body, code


@st.composite
def response_ids(draw: st.DrawFn) -> dict[str, str]:
    """:func:`request_ids` (the ids S3 and its clones put on every response, in any combination),
    drawn without ``from_regex``: this suite draws thousands."""
    headers: dict[str, str] = {}
    ident = chars(_UPPER + _DIGITS, 16, 16)
    if draw(st.booleans()):
        headers["x-amz-request-id"] = draw(ident)
    if draw(st.booleans()):
        headers["x-amz-id-2"] = draw(chars(_ALPHANUMERIC + "+/=", 20, 40))
    if draw(st.integers(0, 3)) == 0:
        headers["x-amzn-RequestId"] = draw(ident)
    if draw(st.booleans()):
        headers["Date"] = draw(rfc822)
        headers["Server"] = "AmazonS3"
    return headers


# -- whole responses --------------------------------------------------------------------------------


def success_status(operation: str) -> int:
    return int(operation_model(operation).http.get("responseCode", 200))


def streaming_payload(operation: str) -> str | None:
    """The output member a streamed body becomes (GetObject's Body, GetObjectAnnotation's
    AnnotationPayload), SelectObjectContent's event stream included; else None."""
    shape = operation_model(operation).output_shape
    payload = shape.serialization.get("payload") if shape is not None else None
    if payload is None:
        return None
    member = shape.members[payload]
    return payload if member.serialization.get("streaming") or member.serialization.get("eventstream") else None


@st.composite
def success_body(draw: st.DrawFn, operation: str, *, invalid: bool) -> bytes:
    model = operation_model(operation)
    shape = model.output_shape
    if shape is None or model.http["method"] == "HEAD" or success_status(operation) == 204:
        return b""
    payload = shape.serialization.get("payload")
    kind = shape.members[payload].type_name if payload else None
    if model.has_event_stream_output:
        return draw(event_stream(operation))
    if kind == "blob":
        return draw(st.binary(max_size=200))
    if kind == "string":
        return draw(st.text(no_surrogates, max_size=60)).encode()
    if payload is None and not any(not m.serialization.get("location") for m in shape.members.values()):
        return b""  # a result made of headers only
    if operation in XML_ONLY:
        return draw(xml_body(operation))
    return draw(xml_body(operation, invalid=invalid) | st.just(b""))


@st.composite
def success_responses(
    draw: st.DrawFn, operation: str, *, invalid: bool, ids: dict[str, str] | None = None
) -> CannedResponse:
    """A success: the operation's status, some of its header members, its body (none for HEAD)."""
    headers = {**(draw(response_ids()) if ids is None else ids), **draw(output_headers(operation, invalid=invalid))}
    body = draw(success_body(operation, invalid=invalid))
    status = success_status(operation)
    if operation == "GetObject":
        status = draw(st.sampled_from([200, 206]))
    if operation_model(operation).http["method"] == "HEAD":  # states the object's length, has no body
        return with_length(status, headers, b"", draw(st.integers(0, 2**40)))
    return with_length(status, headers, body)


@st.composite
def responses(draw: st.DrawFn, operation: str) -> CannedResponse:
    """A response an S3 server (or a proxy in front of one) could send to ``operation``: mostly a
    success (one in five of them with values that may not parse), else an XML error, an empty error,
    a proxy's HTML page, or a 200 whose body is an error (botocore makes that a 500 where its rule
    applies, and a success where it does not)."""
    model = operation_model(operation)
    head = model.http["method"] == "HEAD"
    ids = draw(response_ids())
    kinds = ["success", "success", "success", "success", "error", "error", "empty-error", "html-error", "200-error"]
    if operation in XML_ONLY:
        kinds.remove("empty-error")
    kind = draw(st.sampled_from(kinds))
    if kind == "success":
        return draw(success_responses(operation, invalid=draw(st.integers(0, 4)) == 0, ids=ids))
    if kind == "error":
        body, _ = draw(error_xml(operation))
        statuses = [s for s in ERROR_STATUSES if not (head and s == 400)]  # HEAD 400: a redirect rule
        return with_length(draw(st.sampled_from(statuses)), ids, body)
    if kind == "empty-error":
        statuses = [304, 403, 404, 412, 500, 503] if model.http["method"] in ("GET", "HEAD") else [403, 404, 500]
        return with_length(draw(st.sampled_from(statuses)), ids, b"")
    if kind == "html-error":
        status = draw(st.sampled_from([500, 502, 503, 504]))
        body = f"<html><body><h1>{status} Service Unavailable</h1></body></html>".encode()
        return with_length(status, {**ids, "Content-Type": "text/html"}, body)
    # (a modeled error's members are left out: botocore adds none to a 200's error, and s3lite does,
    # test_a_200_error_has_no_modeled_members)
    documents = error_xml(operation, members=False).map(lambda pair: pair[0])
    if operation in XML_ONLY:
        return with_length(200, ids, draw(documents))
    body = draw(
        st.one_of(
            documents,
            documents.map(lambda document: b"\n  " + document),
            st.sampled_from([b"OK", b"<CopyObjectRes", b"<?xml version='1.0'?>", b"not xml at all"]),
        )
    )
    return with_length(200, ids, body)
